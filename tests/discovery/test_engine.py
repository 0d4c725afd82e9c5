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
    _sim, catalog = simulate(sites)
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
    _sim, catalog = simulate(sites)
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
    _sim, catalog = simulate([throttle, flaky])
    out = _run(catalog, ["alice"], SweepOptions(timeout=5))["results"]
    t = out[(throttle.name, "alice")]
    assert t.status == FOUND and t.attempts == 2 and t.elapsed_ms >= 1000  # honoured 1 s
    f = out[(flaky.name, "alice")]
    assert f.status == FOUND and f.attempts == 2


def test_retries_are_capped(simulate):
    stubborn = make_site("throttle", fails=10, retry_after="0")
    patient = make_site("throttle", retry_after="120")
    _sim, catalog = simulate([stubborn, patient])
    out = _run(catalog, ["alice"], SweepOptions(timeout=5, retries=2, max_retry_wait=5))
    s = out["results"][(stubborn.name, "alice")]
    assert (s.status, s.reason, s.attempts) == (UNKNOWN, "throttled", 3)
    p = out["results"][(patient.name, "alice")]
    assert (p.status, p.reason) == (UNKNOWN, "throttled") and "120" in (p.detail or "")


def test_overall_deadline_stops_the_sweep(simulate):
    sites = [make_site("hang") for _ in range(3)] + [make_site("status")]
    _sim, catalog = simulate(sites)
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
    _sim, catalog = simulate([site])
    out = _run(catalog, ["a", "b", "c"], SweepOptions(timeout=5))
    assert out["requests"] == 4  # three names, one canary shared by the three "found"
    out = _run(catalog, ["a"], SweepOptions(timeout=5), canary_known=lambda s: False)
    assert out["requests"] == 1
    out = _run(catalog, ["a"], SweepOptions(timeout=5), canary_known=lambda s: True)
    assert out["results"][(site.name, "a")].reason == "unreliable_check"


def test_cancel_stops_promptly(simulate):
    sites = [make_site("hang") for _ in range(4)]
    _sim, catalog = simulate(sites)
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


class _ForwardProxy:
    """A minimal HTTP forward proxy on loopback: absolute-URI requests, one per connection."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.loop = asyncio.new_event_loop()
        import threading

        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _handle(self, reader, writer):
        from urllib.parse import urlsplit

        try:
            head = await reader.readuntil(b"\r\n\r\n")
            first, *rest = head.decode("latin-1").split("\r\n")
            method, target, version = first.split(" ")
            self.seen.append(target)
            parts = urlsplit(target)
            up_reader, up_writer = await asyncio.open_connection(parts.hostname, parts.port)
            headers = [h for h in rest if h and not h.lower().startswith(("proxy-", "connection"))]
            lines = [
                f"{method} {parts.path or '/'} {version}",
                *headers,
                "Connection: close",
                "",
                "",
            ]
            up_writer.write("\r\n".join(lines).encode())
            await up_writer.drain()
            writer.write(await up_reader.read())
            await writer.drain()
            up_writer.close()
        finally:
            writer.close()

    def __enter__(self) -> str:
        self.thread.start()

        async def start():
            self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            return self.server.sockets[0].getsockname()[1]

        port = asyncio.run_coroutine_threadsafe(start(), self.loop).result(5)
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.mark.parametrize("transport", ["aiohttp", "h11"])
def test_every_request_goes_through_the_configured_http_proxy(simulate, transport):
    from footprint.net import NetworkOptions

    sites = [make_site("status"), make_site("text")]
    _sim, catalog = simulate(sites)
    proxy = _ForwardProxy()
    with proxy as url:
        options = SweepOptions(timeout=5, network=NetworkOptions(proxy=url), transport=transport)
        out = _run(catalog, ["nobody"], options)
    assert {r.status for r in out["results"].values()} == {MISSING}
    # both checks went through the proxy, as absolute URLs
    assert sorted(proxy.seen) == sorted(f"{s.base}/u/nobody" for s in sites)


def test_socks_proxy_uses_httpx_own_transport():
    import httpx

    from footprint.net import NetworkOptions, async_transport, check_proxy, options_from_store

    socks = NetworkOptions(proxy="socks5h://127.0.0.1:9050")
    assert isinstance(async_transport(socks), httpx.AsyncHTTPTransport)
    assert socks.redacted_proxy() == "socks5h://127.0.0.1:9050"
    secret = NetworkOptions(proxy="http://me:hunter2@127.0.0.1:3128")
    assert "hunter2" not in (secret.redacted_proxy() or "")
    assert check_proxy("http://127.0.0.1:3128")
    with pytest.raises(Exception, match="not a proxy address"):
        options_from_store(None, proxy="gopher://x")


@pytest.mark.parametrize("transport", ["aiohttp", "h11"])
def test_tls_is_verified(tmp_path, transport):
    """A site with a self-signed certificate is unknown (tls_error), never trusted."""
    import shutil
    import ssl
    import subprocess
    import threading

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def handle(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    async def start():
        return await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)

    server = asyncio.run_coroutine_threadsafe(start(), loop).result(5)
    port = server.sockets[0].getsockname()[1]
    catalog = parse_catalog(
        {
            "sites": [
                {
                    "name": "Tls",
                    "uri_check": f"https://127.0.0.1:{port}/{{account}}",
                    "e_code": 200,
                    "e_string": "",
                    "m_string": "",
                    "m_code": 404,
                    "known": ["a"],
                    "cat": "social",
                }
            ]
        },
        label="t",
    )
    try:
        out = _run(catalog, ["alice"], SweepOptions(timeout=5, transport=transport))
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
    result = out["results"][("Tls", "alice")]
    assert (result.status, result.reason) == (UNKNOWN, "tls_error")
