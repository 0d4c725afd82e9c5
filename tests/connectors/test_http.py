"""The connectors' HTTP layer: rate-limit dialects and self-imposed budgets."""

from __future__ import annotations

import asyncio

import pytest

from footprint.connectors.errors import RateLimited
from footprint.connectors.http import Api, parse_reset, parse_retry_after

NOW = 1_800_000_000.0


def test_reset_headers_in_every_dialect():
    from datetime import UTC, datetime

    iso = datetime(2027, 1, 15, 8, 0, tzinfo=UTC).timestamp()
    assert parse_reset("2027-01-15T08:00:00.000000Z", NOW) == iso  # Mastodon: ISO, microseconds
    assert parse_reset("1800000600", NOW) == 1_800_000_600  # GitHub, Bluesky: epoch seconds
    assert parse_reset("42", NOW) == NOW + 42  # Reddit: seconds until the window ends
    assert parse_reset("soon", NOW) is None
    assert parse_retry_after("7", NOW) == NOW + 7
    assert parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", NOW) is not None


class FakeClock:
    def __init__(self) -> None:
        self.now = NOW
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


def test_a_budget_spaces_actions_to_the_platforms_limit():
    clock = FakeClock()
    api = Api(None, "mastodon", clock=clock, sleep=clock.sleep, max_wait=3600)  # type: ignore[arg-type]

    async def delete_many(n: int) -> None:
        for _ in range(n):
            await api.budget("delete", 30, 1800)

    asyncio.run(delete_many(30))
    assert clock.slept == 0  # the first 30 go at once
    asyncio.run(delete_many(1))
    assert clock.slept == pytest.approx(1800)  # the 31st waits for the window
    short = Api(None, "mastodon", clock=clock, sleep=clock.sleep, max_wait=60)  # type: ignore[arg-type]

    async def too_many() -> None:
        for _ in range(31):
            await short.budget("delete", 30, 1800)

    with pytest.raises(RateLimited, match="wait until"):
        asyncio.run(too_many())


def _api(client, **kwargs) -> Api:
    return Api(client, "reddit", retry_pause=0.01, **kwargs)


async def _get(url: str, **kwargs):
    from footprint.net import NetworkOptions, async_client

    async with async_client(NetworkOptions()) as client:
        return await _api(client, **kwargs).get(url)


def test_an_endless_or_huge_answer_is_cut_off(fake_reddit):
    from footprint.connectors.errors import ConnectorError

    fake_reddit.add_user("big", subreddit={"public_description": "x" * 3_000_000})
    url = fake_reddit.url + "/user/big/about.json?raw_json=1"
    with pytest.raises(ConnectorError, match="larger than 2 MB"):
        asyncio.run(_get(url, max_body=2 * 1024 * 1024))
    fake_reddit.stall("/user/big", 5, times=None)
    with pytest.raises(ConnectorError, match="did not answer in time"):
        asyncio.run(_get(url, deadline=0.3, retries=1))


def test_secondary_limits_and_skewed_resets_wait_instead_of_failing(fake_github):
    fake_github.add_user("octo")
    fake_github.fail("/users/octo", 403, headers={"Retry-After": "1"})  # secondary limit
    fake_github.fail("/users/octo", 429, headers={"X-RateLimit-Reset": "1000000001"})  # past
    body = asyncio.run(_get(fake_github.url + "/users/octo"))
    assert body["login"] == "octo"
    assert len(fake_github.requests_to("/users/octo")) == 3


def test_nonsense_reset_values_do_not_crash():
    assert parse_reset("1e400", NOW) is None
    assert parse_reset("nan", NOW) is None
    assert parse_retry_after("inf", NOW) is not None
    api = Api(None, "x")  # type: ignore[arg-type]
    api.hold(float("inf"))
    api.hold(float("nan"))
