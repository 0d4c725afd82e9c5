"""Catch an OAuth redirect on this computer (RFC 8252 loopback redirect).

The browser is sent to the platform's sign-in page; after "Allow" the platform redirects
it to ``http://127.0.0.1:PORT/path?state=…&code=…``.  :func:`catch_redirect` listens on
that address (loopback only, one connection at a time), checks ``state``, answers the
browser with a short page, and returns the query parameters.  Nothing else is served.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import parse_qs, urlsplit

from footprint.errors import InputError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
PAGE = (
    "<!doctype html><meta charset='utf-8'><title>footprint</title>"
    "<p style='font-family:sans-serif'>{text}</p>"
)


def check_redirect_uri(uri: str) -> tuple[str, int, str]:
    """(host, port, path) of a loopback redirect URI; anything else is refused."""
    parts = urlsplit(uri)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK or not parts.port:
        raise InputError(
            f"{uri} is not an address on this computer.",
            hint="Register the app with a redirect address like "
            "http://127.0.0.1:65010/authorize_callback and give that same address.",
        )
    return parts.hostname, parts.port, parts.path or "/"


async def catch_redirect(uri: str, state: str, timeout: float = 300.0) -> dict[str, str]:
    """Wait for the browser's redirect to ``uri``; returns its query (``code``...)."""
    host, port, path = check_redirect_uri(uri)
    loop = asyncio.get_running_loop()
    found: asyncio.Future[dict[str, str]] = loop.create_future()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), 10)
            while (await asyncio.wait_for(reader.readline(), 10)) not in (b"\r\n", b"\n", b""):
                pass
            parts = line.decode("latin-1").split(" ")
            target = urlsplit(parts[1]) if len(parts) >= 2 else urlsplit("/")
            query = {k: v[0] for k, v in parse_qs(target.query).items()}
            if parts[0] != "GET" or target.path != path or query.get("state") != state:
                text, status = "This is not the sign-in footprint is waiting for.", "400"
            else:
                text, status = "Done: go back to footprint. You can close this tab.", "200"
                if not found.done():
                    found.set_result(query)
            body = PAGE.format(text=text).encode()
            writer.write(
                f"HTTP/1.1 {status} OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (TimeoutError, ConnectionError, UnicodeDecodeError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    try:
        server = await asyncio.start_server(serve, host, port)
    except OSError as exc:
        raise InputError(
            f"footprint could not listen on {host}:{port} for the sign-in ({exc.strerror}).",
            hint="Close whatever uses that port, or register another redirect address.",
        ) from None
    async with server:
        try:
            return await asyncio.wait_for(found, timeout)
        except TimeoutError:
            raise InputError(
                "The sign-in did not come back in time.", hint="Start it again."
            ) from None
