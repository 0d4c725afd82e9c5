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
