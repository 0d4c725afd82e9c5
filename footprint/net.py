"""How footprint talks to the network: one place for the User-Agent, proxy and TLS rules.

Every request footprint makes (sweeps, catalog updates, API syncs) goes through a client
built here, so a proxy the person configured applies to all of them and TLS verification
is always on.  Nothing here ever calls home: there is no update check and no telemetry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from footprint import __version__
from footprint.errors import InputError

if TYPE_CHECKING:
    import httpx

    from footprint.store import Store

# Honest: names the program and what it is doing; no browser disguise.
DEFAULT_USER_AGENT = f"footprint/{__version__} (checking the user's own accounts)"
PROXY_KEY = "network.proxy"
USER_AGENT_KEY = "network.user_agent"
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


@dataclass(frozen=True)
class NetworkOptions:
    proxy: str | None = None
    user_agent: str = DEFAULT_USER_AGENT

    @property
    def socks(self) -> bool:
        return bool(self.proxy and self.proxy.startswith("socks"))

    def redacted_proxy(self) -> str | None:
        """The proxy URL without its password, for messages and logs."""
        if not self.proxy:
            return None
        parts = urlsplit(self.proxy)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        user = f"{parts.username}:***@" if parts.password else ""
        return f"{parts.scheme}://{user}{host}{port}"


def check_proxy(proxy: str) -> str:
    parts = urlsplit(proxy)
    if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
        raise InputError(
            f"{proxy!r} is not a proxy address footprint can use.",
            hint="Use http://host:port, socks5://host:port or socks5h://host:port "
            "(socks5h also resolves names through the proxy).",
        )
    return proxy


def options_from_store(
    store: Store | None, *, proxy: str | None = None, user_agent: str | None = None
) -> NetworkOptions:
    """The person's saved network preferences, overridden by command-line values."""
    saved: dict[str, str] = {}
    if store is not None:
        rows = store.conn.execute(
            "SELECT key, value FROM app_settings WHERE key IN (?, ?)", (PROXY_KEY, USER_AGENT_KEY)
        )
        saved = dict(rows.fetchall())
    chosen_proxy = proxy if proxy is not None else saved.get(PROXY_KEY) or None
    if chosen_proxy:
        check_proxy(chosen_proxy)
    return NetworkOptions(
        proxy=chosen_proxy or None,
        user_agent=user_agent or saved.get(USER_AGENT_KEY) or DEFAULT_USER_AGENT,
    )


def async_transport(
    options: NetworkOptions, *, max_connections: int = 20, transport: str = "auto"
) -> httpx.AsyncBaseTransport:
    """The transport under footprint's clients: TLS verified, proxy applied.

    ``transport`` is ``"aiohttp"`` (httpx-aiohttp: a quarter of the CPU per request of
    httpx's own in ``benchmarks/sweep_speed.py`` at high concurrency), ``"h11"`` (httpx's
    own) or ``"auto"``: aiohttp unless a SOCKS proxy is configured, which only httpx's own
    transport speaks (through socksio).
    """
    import httpx

    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    if transport == "auto":
        transport = "h11" if options.socks else "aiohttp"
    if transport == "aiohttp":
        from httpx_aiohttp import AiohttpTransport

        proxy = httpx.Proxy(options.proxy) if options.proxy else None
        return AiohttpTransport(verify=True, limits=limits, proxy=proxy, trust_env=False)
    if transport != "h11":
        raise ValueError(f"unknown transport {transport!r}")
    return httpx.AsyncHTTPTransport(
        verify=True, limits=limits, proxy=options.proxy or None, trust_env=False
    )


def async_client(
    options: NetworkOptions,
    *,
    max_connections: int = 20,
    timeout: float = 15.0,
    transport: str = "auto",
    headers: dict[str, str] | None = None,
) -> httpx.AsyncClient:
    """An httpx client: TLS verified, redirects not followed, proxy applied, our UA."""
    import httpx

    merged = {"User-Agent": options.user_agent}
    merged.update(headers or {})
    return httpx.AsyncClient(
        headers=merged,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
        transport=async_transport(options, max_connections=max_connections, transport=transport),
    )


def save_proxy(store: Store, proxy: str | None) -> None:
    """Remember the proxy for every sweep and download (None or "" forgets it).

    A proxy password would end up in the database, where secrets never go: an address
    with credentials is refused; pass it for one run with ``--proxy`` instead.
    """
    from footprint.store.database import set_setting

    proxy = (proxy or "").strip()
    if proxy:
        check_proxy(proxy)
        if urlsplit(proxy).password or urlsplit(proxy).username:
            raise InputError(
                "footprint does not save proxy passwords.",
                hint="Use a proxy without a password, or give it for one run: "
                "footprint sweep --proxy URL",
            )
    set_setting(store, PROXY_KEY, proxy or None)
