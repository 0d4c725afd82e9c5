"""One careful HTTP client for every connector: paced, patient, and honest about failures.

:class:`Api` wraps an ``httpx.AsyncClient`` (built by :mod:`footprint.net`, so the person's
proxy and TLS rules apply) and adds what every platform needs:

- **Pacing.**  A minimum interval between requests (Reddit allows 10 a minute without
  OAuth), and the platform's own rate-limit headers: when ``Remaining`` reaches 0 the next
  request waits for ``Reset``.  Reset values come in three dialects, all understood here:
  an ISO timestamp (Mastodon), epoch seconds (GitHub, Bluesky) or seconds from now
  (Reddit).  A 429 waits for ``Retry-After``/``Reset`` and tries again.
- **Bounded patience.**  A wait longer than ``max_wait`` raises :class:`RateLimited` with
  the time to come back; server errors and dropped connections are retried a few times
  with growing pauses, then reported.
- **Clear errors.**  401 on a signed-in request means the sign-in expired or was revoked
  (:class:`ReconnectNeeded`); 404 is :class:`AccountNotFound` unless the caller expects
  it; a body that is not JSON says so.  Messages name the host and path, never a token.
- **Cancellation.**  Every wait is cut into short sleeps that check the job's token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from footprint.connectors.errors import (
    AccountNotFound,
    ConnectorError,
    PermissionMissing,
    RateLimited,
    ReconnectNeeded,
)
from footprint.errors import FootprintError
from footprint.platforms import display_name

if TYPE_CHECKING:
    import httpx

    from footprint.progress import CancelToken

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
RETRY_STATUSES = frozenset({500, 502, 503, 504})


def parse_reset(value: str | None, now: float) -> float | None:
    """When a rate-limit window ends, as epoch seconds, from any dialect of Reset header."""
    if not value:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    if number != number or number in (float("inf"), float("-inf")):  # NaN, infinity
        return None
    number = min(max(number, 0.0), now + FAR)
    # Epoch seconds are large; a window length (Reddit) is small.
    return number if number > 1_000_000_000 else now + number


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as epoch seconds: either delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if seconds != seconds:  # NaN
            return None
        return now + min(max(0.0, seconds), FAR)
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def _header(headers: httpx.Headers, names: Iterable[str]) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            return value
    return None


REMAINING = ("x-ratelimit-remaining", "ratelimit-remaining")
RESET = ("x-ratelimit-reset", "ratelimit-reset")


# A reset further away than this is a server's nonsense; it is shown as this far.
FAR = 366 * 24 * 3600.0
MAX_BODY = 32 * 1024 * 1024  # bytes: no API page footprint reads is anywhere near this
DEADLINE = 120.0  # seconds for one whole request, however slowly the body drips in


def _when(moment: float) -> str:
    moment = min(max(moment, 0.0), time.time() + FAR)
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M UTC")


class Api:
    """Requests for one connector run; see the module docstring for what it adds."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        platform: str,
        *,
        handle: str = "",
        token: CancelToken | None = None,
        min_interval: float = 0.0,
        max_wait: float = 900.0,
        retries: int = 3,
        retry_pause: float = 1.0,
        deadline: float = DEADLINE,
        max_body: int = MAX_BODY,
        sleep: Sleep | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.platform = platform
        self.handle = handle
        self.token = token
        self.min_interval = min_interval
        self.max_wait = max_wait
        self.retries = retries
        self.retry_pause = retry_pause
        self.deadline = deadline
        self.max_body = max_body
        self._sleep = sleep or asyncio.sleep
        self._clock = clock
        self._not_before = 0.0
        self._last = 0.0
        self._spent: dict[str, list[float]] = {}
        self.requests = 0
        self.waited = 0.0

    # -- waiting ---------------------------------------------------------------------

    def hold(self, seconds: float) -> None:
        """Ask the next request to wait (Stack Exchange's ``backoff``, a 429 body)."""
        if seconds != seconds:  # NaN
            return
        seconds = min(max(0.0, seconds), FAR)
        self._not_before = max(self._not_before, self._clock() + seconds)

    async def wait(self, seconds: float) -> None:
        """Sleep in short steps, stopping at once when the job is cancelled."""
        end = self._clock() + seconds
        while True:
            if self.token is not None:
                self.token.check("The sync")
            left = end - self._clock()
            if left <= 0:
                return
            step = min(left, 0.5)
            self.waited += step
            await self._sleep(step)

    async def budget(self, name: str, limit: int, window: float) -> None:
        """Wait until one more action of ``name`` fits in ``limit`` per ``window`` seconds.

        For limits a platform enforces without telling (Mastodon: 30 deletions per 30
        minutes): footprint keeps under them instead of running into 429s.
        """
        spent = self._spent.setdefault(name, [])
        now = self._clock()
        spent[:] = [moment for moment in spent if moment > now - window]
        if len(spent) >= limit:
            free_at = spent[0] + window
            if free_at - now > self.max_wait:
                raise RateLimited(self.platform, _when(free_at))
            await self.wait(free_at - now)
            spent.pop(0)
        spent.append(self._clock())

    async def _pace(self) -> None:
        now = self._clock()
        target = max(self._not_before, self._last + self.min_interval)
        if target - now > self.max_wait:
            raise RateLimited(self.platform, _when(target))
        if target > now:
            await self.wait(target - now)
        self._last = self._clock()

    def _learn(self, response: httpx.Response) -> None:
        """Read the rate-limit headers: an exhausted window holds the next request."""
        remaining = _header(response.headers, REMAINING)
        if remaining is None:
            return
        try:
            exhausted = float(remaining) < 1
        except ValueError:
            return
        if exhausted:
            reset = parse_reset(_header(response.headers, RESET), self._clock())
            if reset is not None:
                self._not_before = max(self._not_before, reset)

    def _retry_at(self, response: httpx.Response) -> float:
        """When to ask again after a 429: never sooner than the usual retry pause (a reset
        already in the past, from a skewed clock, must not make footprint hammer)."""
        now = self._clock()
        moment = parse_retry_after(response.headers.get("retry-after"), now)
        if moment is None:
            moment = parse_reset(_header(response.headers, RESET), now)
        if moment is None:
            return now + 60.0
        return max(moment, now + self.retry_pause)

    # -- requests --------------------------------------------------------------------

    def _where(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.hostname}{parts.path}"

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        signed_in: bool = False,
        missing_ok: bool = False,
        accept: frozenset[int] = frozenset(),
    ) -> httpx.Response:
        """Send one request with pacing and retries; returns a 2xx, or a status the caller
        handles itself (``accept``; 404 with ``missing_ok``)."""
        import httpx

        where = self._where(url)
        failures = 0
        limited = 0
        while True:
            await self._pace()
            try:
                response = await asyncio.wait_for(
                    self._send(method, url, params, json_body, data, headers), self.deadline
                )
            except (httpx.TimeoutException, TimeoutError) as exc:
                failures += 1
                if failures > self.retries:
                    raise ConnectorError(
                        f"{display_name(self.platform)} did not answer in time ({where}).",
                        hint="Check your connection and try again; the sync resumes.",
                        details=type(exc).__name__,
                    ) from None
                await self.wait(self.retry_pause * 2 ** (failures - 1))
                continue
            except httpx.HTTPError as exc:
                failures += 1
                if failures > self.retries:
                    raise ConnectorError(
                        f"footprint could not reach {display_name(self.platform)} ({where}).",
                        hint="Check your connection (and proxy, if you use one), then "
                        "try again; the sync resumes.",
                        details=type(exc).__name__,
                    ) from None
                await self.wait(self.retry_pause * 2 ** (failures - 1))
                continue
            self.requests += 1
            self._learn(response)
            status = response.status_code
            if 200 <= status < 300:
                return response
            detail = f"{method} {where} -> HTTP {status}"
            if (status == 404 and missing_ok) or status in accept:
                return response
            if status == 429 or (status == 403 and self._limited(response)):
                limited += 1
                retry_at = self._retry_at(response)
                if limited > self.retries or retry_at - self._clock() > self.max_wait:
                    raise RateLimited(self.platform, _when(retry_at), details=detail)
                self._not_before = max(self._not_before, retry_at)
                continue
            if status in RETRY_STATUSES:
                failures += 1
                if failures > self.retries:
                    raise ConnectorError(
                        f"{display_name(self.platform)} is having trouble right now "
                        f"(HTTP {status} from {where}).",
                        hint="Try again later; the sync resumes where it stopped.",
                        details=detail,
                    )
                await self.wait(self.retry_pause * 2 ** (failures - 1))
                continue
            raise self._error(status, detail, signed_in, response)

    async def _send(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        json_body: Any,
        data: dict[str, Any] | None,
        headers: dict[str, str] | None,
    ) -> httpx.Response:
        """One request, its body read up to :data:`MAX_BODY` bytes."""
        request = self.client.build_request(
            method, url, params=params, json=json_body, data=data, headers=headers
        )
        response = await self.client.send(request, stream=True)
        try:
            size = 0
            chunks = []
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_body:
                    raise ConnectorError(
                        f"{display_name(self.platform)} sent an answer larger than "
                        f"{self.max_body // (1024 * 1024)} MB ({self._where(url)}); footprint "
                        "stopped reading it.",
                        hint="The server may be misbehaving; try again later.",
                    )
                chunks.append(chunk)
        finally:
            await response.aclose()
        import httpx

        # The body is decoded already: the copy must not claim it is still compressed.
        kept = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code, headers=kept, content=b"".join(chunks), request=request
        )

    @staticmethod
    def _limited(response: httpx.Response) -> bool:
        """A 403 that is a rate limit: the window is used up, or (GitHub's secondary
        limits) the server says when to retry."""
        exhausted = _header(response.headers, REMAINING) in ("0", "0.0")
        return exhausted or "retry-after" in response.headers

    def _error(
        self, status: int, detail: str, signed_in: bool, response: httpx.Response
    ) -> FootprintError:
        name = display_name(self.platform)
        if status == 401 and signed_in:
            return ReconnectNeeded(self.platform, self.handle or name, details=detail)
        if status == 401:
            return PermissionMissing(
                f"{name} only answers this to people who are signed in.",
                hint=f"Connect with a sign-in: footprint connect {self.platform} …",
                details=detail,
            )
        if status == 403:
            return PermissionMissing(
                f"{name} refused: the sign-in footprint has is not allowed to do this.",
                hint="Reconnect and grant the permission footprint asks for.",
                details=detail,
            )
        if status == 404:
            return AccountNotFound(
                f"{name} has no such account or item (it may have been deleted or renamed).",
                details=detail,
            )
        return ConnectorError(
            f"{name} refused the request (HTTP {status}).",
            hint="If this keeps happening, the platform may have changed its API.",
            details=f"{detail}: {_short_body(response)}",
        )

    async def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """The response body as JSON (``None`` for a 404 when ``missing_ok``)."""
        response = await self.request(method, url, **kwargs)
        if response.status_code == 404:
            return None
        return self.decode(response)

    async def get(self, url: str, **kwargs: Any) -> Any:
        return await self.json("GET", url, **kwargs)

    def decode(self, response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise ConnectorError(
                f"{display_name(self.platform)} answered with something that is not JSON "
                f"({self._where(str(response.request.url))}).",
                hint="The server may be down or behind a login page; try again later.",
                details=f"HTTP {response.status_code}, {len(response.content)} bytes",
            ) from None


def _short_body(response: httpx.Response) -> str:
    text = response.text[:200].replace("\n", " ")
    from footprint.logs import redact

    return redact(text)
