"""A loopback simulator of username-lookup websites, for the sweep tests and benchmark.

Each simulated site listens on its own loopback address (127.x.y.z; Linux routes all of
127/8 to loopback) and answers like a real site of its kind, after its own latency:

- ``status``: 200 profile page / 404 page.
- ``text``: 200 for everybody; the page says "profile-card" or "User not found".
- ``redirect``: 200 profile / 302 to /login for a missing user.
- ``post``: a JSON API reached by POST with required headers (WhatsMyName ``post_body``).
- ``code``: e_code 201 / m_code 410 (non-200 statuses in the catalog).
- ``strip``: usernames with dots are stored without them (``strip_bad_char``).
Hostile kinds:
- ``hang``: accepts and never answers.  ``reset``: resets the connection.
- ``throttle``: 429 with Retry-After for the first ``fails`` requests, then the truth.
- ``flaky``: 503 (no Retry-After) for the first ``fails`` requests, then the truth.
- ``endless``: a 200 whose body never ends.  ``loop``: redirects to itself forever.
- ``broken``: "finds" every username, even made-up ones (the canary must catch it).
- ``protected``: a 403 Cloudflare-style challenge page.

:func:`catalog_entry` gives the WhatsMyName-schema entry that describes each site.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

NORMAL_KINDS = ("status", "text", "redirect", "post", "code", "strip")
HOSTILE_KINDS = ("hang", "reset", "throttle", "flaky", "endless", "loop", "broken", "protected")
PROFILE_MARK = "profile-card"
MISSING_MARK = "User not found"


@dataclass
class SimSite:
    name: str
    kind: str
    users: frozenset[str]
    host: str = "127.0.0.1"
    port: int = 0
    latency: float = 0.0
    fails: int = 1  # throttle / flaky: how many bad answers per username first
    retry_after: str = "1"
    hits: Counter[str] = field(default_factory=Counter)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def truth(self, username: str) -> str:
        """The verdict a correct sweep must give."""
        if self.kind in ("hang", "reset", "endless", "loop", "broken", "protected"):
            return "unknown"
        account = username.replace(".", "") if self.kind == "strip" else username
        return "found" if account in self.users else "missing"


def catalog_entry(site: SimSite) -> dict[str, Any]:
    """The WhatsMyName-schema entry describing ``site``."""
    entry: dict[str, Any] = {"name": site.name, "uri_check": f"{site.base}/u/{{account}}"}
    kind = site.kind
    if kind in ("text", "broken"):
        entry.update(e_code=200, e_string=PROFILE_MARK, m_string=MISSING_MARK, m_code=200)
    elif kind == "redirect":
        entry.update(e_code=200, e_string=PROFILE_MARK, m_string="", m_code=302)
    elif kind == "post":
        entry["uri_check"] = f"{site.base}/api/lookup"
        entry["uri_pretty"] = f"{site.base}/u/{{account}}"
        entry["post_body"] = '{"username": "{account}"}'
        entry["headers"] = {"Content-Type": "application/json", "X-Sim-Client": "wmn"}
        entry.update(e_code=200, e_string='"exists": true', m_string='"exists": false', m_code=200)
    elif kind == "code":
        entry.update(e_code=201, e_string="", m_string="", m_code=410)
    elif kind == "strip":
        entry["strip_bad_char"] = "."
        entry.update(e_code=200, e_string="", m_string="", m_code=404)
    elif kind in ("endless",):
        entry.update(e_code=200, e_string=PROFILE_MARK, m_string=MISSING_MARK, m_code=200)
    elif kind == "protected":
        entry.update(e_code=200, e_string=PROFILE_MARK, m_string="", m_code=404)
        entry["protection"] = ["cloudflare"]
    else:  # status, hang, reset, throttle, flaky, loop
        entry.update(e_code=200, e_string="", m_string="", m_code=404)
    entry.update(known=sorted(site.users)[:2] or ["someone"], cat="social")
    return entry


def catalog_document(sites: list[SimSite]) -> dict[str, Any]:
    return {
        "license": ["test data"],
        "authors": ["footprint tests"],
        "categories": ["social"],
        "sites": [catalog_entry(s) for s in sites],
    }


def _response(status: int, body: bytes, extra: str = "", close: bool = False) -> bytes:
    reason = {
        200: "OK",
        201: "Created",
        302: "Found",
        403: "Forbidden",
        404: "Not Found",
        410: "Gone",
        429: "Too Many Requests",
        503: "Service Unavailable",
    }.get(status, "X")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n{extra}"
        f"{'Connection: close' + chr(13) + chr(10) if close else ''}\r\n"
    )
    return head.encode() + body


def _page(text: str) -> bytes:
    filler = "<p>" + "lorem ipsum dolor sit amet " * 40 + "</p>"
    return f"<html><body>{filler}<div>{text}</div>{filler}</body></html>".encode()


class Simulator:
    """Serves a list of :class:`SimSite` on loopback from one asyncio loop."""

    def __init__(self, sites: list[SimSite]) -> None:
        self.sites = sites
        self._by_addr: dict[tuple[str, int], SimSite] = {}
        self._servers: list[asyncio.base_events.Server] = []
        self._hung: list[asyncio.StreamWriter] = []
        self.requests = 0

    async def start(self) -> None:
        for site in self.sites:
            server = await asyncio.start_server(self._serve, site.host, site.port, backlog=256)
            site.port = server.sockets[0].getsockname()[1]
            self._by_addr[(site.host, site.port)] = site
            self._servers.append(server)

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        for writer in self._hung:
            writer.close()
        for server in self._servers:
            await server.wait_closed()
        current = asyncio.current_task()
        rest = [t for t in asyncio.all_tasks() if t is not current]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sockname = writer.get_extra_info("sockname")
        site = self._by_addr[(sockname[0], sockname[1])]
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                body = b""
                if int(headers.get("content-length", "0") or 0):
                    body = await reader.readexactly(int(headers["content-length"]))
                self.requests += 1
                try:
                    keep = await self._answer(site, method, target, headers, body, writer)
                except asyncio.CancelledError:  # the simulator is stopping
                    return
                if not keep or headers.get("connection", "").lower() == "close":
                    with contextlib.suppress(ConnectionError):
                        await writer.drain()
                    return
        finally:
            if writer not in self._hung:
                writer.close()

    async def _answer(
        self,
        site: SimSite,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes,
        writer: asyncio.StreamWriter,
    ) -> bool:
        kind = site.kind
        if kind == "hang":
            self._hung.append(writer)
            await asyncio.sleep(3600)
            return False
        if site.latency:
            await asyncio.sleep(site.latency)
        if kind == "reset":
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        if kind == "post":
            if method != "POST" or headers.get("x-sim-client") != "wmn":
                writer.write(_response(400, b"bad request"))
                return True
            try:
                username = json.loads(body)["username"]
            except (ValueError, KeyError):
                writer.write(_response(400, b"bad json"))
                return True
            exists = username in site.users
            writer.write(_response(200, json.dumps({"exists": exists}).encode()))
            return True
        if not target.startswith("/u/"):
            writer.write(_response(200, _page("login page")))
            return True
        username = unquote(target[3:])
        site.hits[username] += 1
        if kind == "throttle" and site.hits[username] <= site.fails:
            writer.write(_response(429, b"slow down", f"Retry-After: {site.retry_after}\r\n"))
            return True
        if kind == "flaky" and site.hits[username] <= site.fails:
            writer.write(_response(503, b"try later"))
            return True
        if kind == "loop":
            writer.write(_response(302, b"", f"Location: /u/{username}\r\n"))
            return True
        if kind == "protected":
            challenge = b"<html><title>Just a moment...</title><div id=cf-chl-widget></div></html>"
            writer.write(_response(403, challenge))
            return True
        if kind == "endless":
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            chunk = b"<p>" + b"x" * 65536 + b"</p>"
            frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            try:
                while True:
                    writer.write(frame)
                    await writer.drain()
            except (ConnectionError, RuntimeError):
                return False
        account = username.replace(".", "") if kind == "strip" else username
        exists = account in site.users or kind == "broken"
        if kind in ("text", "broken"):
            text = PROFILE_MARK if exists else MISSING_MARK
            writer.write(_response(200, _page(text)))
        elif kind == "redirect":
            if exists:
                writer.write(_response(200, _page(PROFILE_MARK)))
            else:
                writer.write(_response(302, b"", "Location: /login\r\n"))
        elif kind == "code":
            writer.write(_response(201 if exists else 410, _page("x")))
        else:
            writer.write(_response(200 if exists else 404, _page(PROFILE_MARK if exists else "")))
        return True


class ThreadedSimulator:
    """Runs a :class:`Simulator` on its own thread (for tests): ``with ThreadedSimulator(...)``."""

    def __init__(self, sites: list[SimSite]) -> None:
        self.sim = Simulator(sites)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Simulator:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.sim.start(), self.loop).result(10)
        return self.sim

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.sim.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


def sites_to_json(sites: list[SimSite]) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "kind": s.kind,
            "users": sorted(s.users),
            "host": s.host,
            "port": s.port,
            "latency": s.latency,
            "fails": s.fails,
            "retry_after": s.retry_after,
        }
        for s in sites
    ]


def sites_from_json(data: list[dict[str, Any]]) -> list[SimSite]:
    return [
        SimSite(
            d["name"],
            d["kind"],
            frozenset(d["users"]),
            d["host"],
            d["port"],
            d["latency"],
            d["fails"],
            d["retry_after"],
        )
        for d in data
    ]


async def _serve_until_stdin_closes(sites: list[SimSite]) -> None:
    import sys

    sim = Simulator(sites)
    await sim.start()
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    await sim.stop()


if __name__ == "__main__":  # python tests/sitesim.py SPEC.json (the benchmark's server)
    import sys

    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = sites_from_json(json.load(handle))
    asyncio.run(_serve_until_stdin_closes(spec))
