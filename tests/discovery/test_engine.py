"""The sweep engine against real HTTP servers on loopback: every verdict and failure mode."""

from __future__ import annotations

import asyncio
import time

import pytest

from footprint.catalog.schema import Catalog, parse_catalog
from footprint.discovery.engine import (
    FOUND,
    MISSING,
    UNKNOWN,
    Answer,
    CheckResult,
    Engine,
    SweepOptions,
    canary_username,
    decide,
    retry_after_seconds,
    run_checks,
)
from footprint.progress import CancelToken
from tests.discovery.conftest import make_site


def _site(**fields):
    entry = {
        "name": "S",
        "uri_check": "https://s.example/{account}",
        "e_code": 200,
        "e_string": "",
        "m_string": "",
        "m_code": 404,
        "known": ["a"],
        "cat": "social",
    }
    entry.update(fields)
    return parse_catalog({"sites": [entry]}, label="t").sites[0]


def _answer(status, body=b"", complete=True):
    return Answer(status, body, complete, None, "utf-8")


@pytest.mark.parametrize(
    ("fields", "answer", "expected"),
    [
        ({}, _answer(200), (FOUND, None)),
        ({}, _answer(404), (MISSING, None)),
        ({}, _answer(500), (UNKNOWN, "unexpected_status")),
        ({}, _answer(429), (UNKNOWN, "throttled")),
        ({"e_string": "prof"}, _answer(200, b"x prof y"), (FOUND, None)),
        ({"e_string": "prof"}, _answer(200, b"nothing"), (UNKNOWN, "unexpected_page")),
        ({"e_string": "prof"}, _answer(200, b"xx", complete=False), (UNKNOWN, "body_too_large")),
        # e_code == m_code: only the strings decide
        (
            {"m_code": 200, "e_string": "yes", "m_string": "no"},
            _answer(200, b"no"),
            (MISSING, None),
        ),
        ({"m_code": 200, "e_string": "yes", "m_string": "no"}, _answer(200, b"yes"), (FOUND, None)),
        (
            {"m_code": 200, "e_string": "a", "m_string": "b"},
            _answer(200, b"ab"),
            (UNKNOWN, "unreliable_check"),
        ),
        # 3xx as m_code, non-200 e_code
        ({"m_code": 302}, _answer(302), (MISSING, None)),
        ({"m_code": 302}, _answer(301), (UNKNOWN, "unexpected_status")),
        ({"e_code": 201, "m_code": 410}, _answer(201), (FOUND, None)),
        ({"e_code": 201, "m_code": 410}, _answer(200), (UNKNOWN, "unexpected_status")),
        # bot protection
        (
            {"e_string": "prof"},
            _answer(403, b"<title>Just a moment...</title>"),
            (UNKNOWN, "protection"),
        ),
        ({"protection": ["cloudflare"]}, _answer(403), (UNKNOWN, "protection")),
    ],
)
def test_whatsmyname_decision(fields, answer, expected):
    assert decide(_site(**fields), answer) == expected


def test_retry_after_forms():
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    when = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert retry_after_seconds(when, now=1445412470.0) == 10.0
    assert retry_after_seconds(when, now=1445412490.0) == 0.0


def test_canary_is_random_and_respects_strip_bad_char():
    site = _site(strip_bad_char="0123456789")
    names = {canary_username(site) for _ in range(20)}
    assert len(names) == 20 and all(n.isalpha() for n in names)


def _run(catalog: Catalog, usernames: list[str], options: SweepOptions, **kw) -> dict:
    results: dict[tuple[str, str], CheckResult] = {}

    async def go() -> int:
        async with Engine(options) as engine:
            await run_checks(
                engine,
                [(s, u) for u in usernames for s in catalog.usable],
                on_result=lambda r: results.__setitem__((r.site.name, r.username), r),
                **kw,
            )
            return engine.requests

    requests = asyncio.run(go())
    return {"results": results, "requests": requests}


@pytest.mark.parametrize("transport", ["aiohttp", "h11"])
def test_every_kind_of_site_gets_the_true_verdict(simulate, transport):
    kinds = ("status", "text", "redirect", "post", "code", "strip")
    sites = [make_site(k, {"alice", "bob.x"}) for k in kinds]
    sim, catalog = simulate(sites)
    options = SweepOptions(timeout=5, transport=transport)
    out = _run(catalog, ["alice", "nobody", "bob.x"], options)["results"]
    for site in sites:
        for user in ("alice", "nobody", "bob.x"):
            result = out[(site.name, user)]
            assert result.status == site.truth(user), (site.kind, user, result)
    # strip_bad_char: "bob.x" is asked for as "bobx"
    strip = next(s for s in sites if s.kind == "strip")
    assert strip.hits["bobx"] >= 1 and strip.hits["bob.x"] == 0
    found = out[(sites[0].name, "alice")]
    assert found.http_status == 200 and found.elapsed_ms >= 0
    assert found.url == f"{sites[0].base}/u/alice"


def test_hostile_sites_are_unknown_with_a_reason(simulate):
    sites = [
        make_site("hang"),
        make_site("reset"),
        make_site("endless"),
        make_site("loop"),
        make_site("protected"),
        make_site("broken"),
        make_site("status"),
    ]
    sim, catalog = simulate(sites)
    options = SweepOptions(timeout=1.5, max_body=256 * 1024)
    started = time.monotonic()
    out = _run(catalog, ["alice"], options)["results"]
    took = time.monotonic() - started
    reasons = {
        s.kind: (out[(s.name, "alice")].status, out[(s.name, "alice")].reason) for s in sites
    }
    assert reasons == {
        "hang": (UNKNOWN, "timeout"),
        "reset": (UNKNOWN, "connection_error"),
        "endless": (UNKNOWN, "body_too_large"),
        "loop": (UNKNOWN, "unexpected_status"),
        "protected": (UNKNOWN, "protection"),
        "broken": (UNKNOWN, "unreliable_check"),
        "status": (FOUND, None),
    }
    assert took < 1.5 + 2.0  # the hanging site costs its timeout, nothing more


def test_throttled_and_flaky_sites_get_their_real_verdict_after_waiting(simulate):
    throttle = make_site("throttle", retry_after="1")
    flaky = make_site("flaky")
    sim, catalog = simulate([throttle, flaky])
    out = _run(catalog, ["alice"], SweepOptions(timeout=5))["results"]
    t = out[(throttle.name, "alice")]
    assert t.status == FOUND and t.attempts == 2 and t.elapsed_ms >= 1000  # honoured 1 s
    f = out[(flaky.name, "alice")]
    assert f.status == FOUND and f.attempts == 2


def test_retries_are_capped(simulate):
    stubborn = make_site("throttle", fails=10, retry_after="0")
    patient = make_site("throttle", retry_after="120")
    sim, catalog = simulate([stubborn, patient])
    out = _run(catalog, ["alice"], SweepOptions(timeout=5, retries=2, max_retry_wait=5))
    s = out["results"][(stubborn.name, "alice")]
    assert (s.status, s.reason, s.attempts) == (UNKNOWN, "throttled", 3)
    p = out["results"][(patient.name, "alice")]
    assert (p.status, p.reason) == (UNKNOWN, "throttled") and "120" in (p.detail or "")


def test_overall_deadline_stops_the_sweep(simulate):
    sites = [make_site("hang") for _ in range(3)] + [make_site("status")]
    sim, catalog = simulate(sites)
    started = time.monotonic()
    out = _run(catalog, ["alice"], SweepOptions(timeout=30, deadline=1.0))["results"]
    assert time.monotonic() - started < 3
    assert {out[(s.name, "alice")].reason for s in sites[:3]} == {"deadline"}
    assert out[(sites[3].name, "alice")].status == FOUND


def test_per_host_limit_and_global_limit(simulate):
    # one site, many usernames: never more than per_host requests at once to it
    site = make_site("status", latency=0.05)
    sim, catalog = simulate([site])
    active = {"now": 0, "max": 0}
    original = sim._answer

    async def counting(*args, **kwargs):
        active["now"] += 1
        active["max"] = max(active["max"], active["now"])
        try:
            return await original(*args, **kwargs)
        finally:
            active["now"] -= 1

    sim._answer = counting  # type: ignore[method-assign]
    users = [f"user{i}" for i in range(12)]
    out = _run(catalog, users, SweepOptions(timeout=5, per_host=3, concurrency=50))
    assert len(out["results"]) == 12
    assert active["max"] == 3


def test_canary_is_asked_once_per_site_and_can_be_skipped(simulate):
    site = make_site("status", {"a", "b", "c"})
    sim, catalog = simulate([site])
    out = _run(catalog, ["a", "b", "c"], SweepOptions(timeout=5))
    assert out["requests"] == 4  # three names, one canary shared by the three "found"
    out = _run(catalog, ["a"], SweepOptions(timeout=5), canary_known=lambda s: False)
    assert out["requests"] == 1
    out = _run(catalog, ["a"], SweepOptions(timeout=5), canary_known=lambda s: True)
    assert out["results"][(site.name, "a")].reason == "unreliable_check"


def test_cancel_stops_promptly(simulate):
    sites = [make_site("hang") for _ in range(4)]
    sim, catalog = simulate(sites)
    token = CancelToken()

    async def go():
        async with Engine(SweepOptions(timeout=30)) as engine:
            loop = asyncio.get_running_loop()
            loop.call_later(0.3, token.cancel)
            await run_checks(
                engine,
                [(s, "alice") for s in catalog.usable],
                on_result=seen.append,
                cancel=token,
            )

    seen: list[CheckResult] = []
    started = time.monotonic()
    asyncio.run(go())
    assert time.monotonic() - started < 2 and seen == []


def test_user_agent_is_honest_and_overridable(simulate):
    from footprint.net import DEFAULT_USER_AGENT, NetworkOptions

    site = make_site("status")
    sim, catalog = simulate([site])
    agents: list[str] = []
    original = sim._answer

    async def spy(site_, method, target, headers, body, writer):
        agents.append(headers.get("user-agent", ""))
        return await original(site_, method, target, headers, body, writer)

    sim._answer = spy  # type: ignore[method-assign]
    _run(catalog, ["nobody"], SweepOptions(timeout=5))
    custom = NetworkOptions(user_agent="my-agent/1")
    _run(catalog, ["nobody"], SweepOptions(timeout=5, network=custom))
    assert agents == [DEFAULT_USER_AGENT, "my-agent/1"]
    assert DEFAULT_USER_AGENT.startswith("footprint/")
