"""API connectors: connect an account, sync it into the store, disconnect it.

One module per platform; each implements :class:`~footprint.connectors.base.Connector`.
The functions here are what the CLI and the GUI call: they open the network client (the
person's proxy applies), read and write secrets through the keyring, and hand the pages
to :mod:`footprint.connectors.sync`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from footprint.errors import InputError
from footprint.platforms import display_name

if TYPE_CHECKING:
    from footprint.connectors.base import Connector, Identity
    from footprint.connectors.sync import ConnectedAccount, ProgressCallback, SyncResult
    from footprint.net import NetworkOptions
    from footprint.progress import CancelToken
    from footprint.secrets import SecretStore
    from footprint.store import Store

CONNECTORS: dict[str, str] = {
    "mastodon": "footprint.connectors.mastodon:MastodonConnector",
    "bluesky": "footprint.connectors.bluesky:BlueskyConnector",
    "github": "footprint.connectors.github:GitHubConnector",
    "reddit": "footprint.connectors.reddit:RedditConnector",
    "hackernews": "footprint.connectors.hackernews:HackerNewsConnector",
    "stackexchange": "footprint.connectors.stackexchange:StackExchangeConnector",
    "gravatar": "footprint.connectors.gravatar:GravatarConnector",
}


def connector_class(platform: str) -> type[Connector]:
    try:
        path = CONNECTORS[platform]
    except KeyError:
        known = ", ".join(sorted(CONNECTORS))
        raise InputError(
            f"footprint cannot connect to {display_name(platform)} through an API.",
            hint=f"It can connect: {known}. Other platforms come in through their data "
            "export: footprint import FILE",
        ) from None
    module, _, name = path.partition(":")
    cls: type[Connector] = getattr(importlib.import_module(module), name)
    return cls


def api_client(options: NetworkOptions | None) -> Any:
    """The HTTP client connector calls run on: TLS verified, the person's proxy applied."""
    from footprint.net import NetworkOptions, async_client

    return async_client(options or NetworkOptions(), max_connections=4, timeout=30.0)


def build(
    client: Any,
    platform: str,
    *,
    secret: str | None = None,
    handle: str = "",
    endpoints: dict[str, str] | None = None,
    token: CancelToken | None = None,
    pace: float | None = None,
    retry_pause: float = 1.0,
    max_wait: float = 900.0,
) -> Connector:
    """A connector of ``platform`` on a paced client (``max_wait``: the longest wait for a
    rate limit before giving up with the time to come back)."""
    from footprint.connectors.sync import make_api

    cls = connector_class(platform)
    api = make_api(
        client,
        cls,
        handle=handle,
        token=token,
        pace=pace,
        retry_pause=retry_pause,
        max_wait=max_wait,
    )
    return cls(api, endpoints=endpoints, secret=secret)


async def connect(
    store: Store,
    secrets: SecretStore,
    platform: str,
    who: str,
    *,
    secret: str | None = None,
    endpoints: dict[str, str] | None = None,
    options: NetworkOptions | None = None,
    token: CancelToken | None = None,
) -> tuple[int, Identity]:
    """Check the account exists (and the secret works), then remember it."""
    from footprint.connectors.sync import SHAPE_ERRORS, save_connection, unexpected_shape

    async with api_client(options) as client:
        connector = build(client, platform, endpoints=endpoints, token=token)
        try:
            identity = await connector.identify(who, secret)
        except SHAPE_ERRORS as exc:
            raise unexpected_shape(platform, exc) from None
    if token is not None:
        token.check("Connecting")  # cancelled while checking: remember nothing
    account_id = save_connection(store, secrets, identity)
    return account_id, identity


def _secret_for(secrets: SecretStore, account: ConnectedAccount) -> str | None:
    return secrets.get(account.secret_ref) if account.secret_ref else None


async def sync_accounts(
    store: Store,
    secrets: SecretStore,
    accounts: list[ConnectedAccount],
    *,
    full: bool = False,
    endpoints: dict[str, dict[str, str]] | None = None,
    options: NetworkOptions | None = None,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    pace: float | None = None,
    retry_pause: float = 1.0,
) -> list[SyncResult]:
    """Sync each account in turn; an account that fails does not stop the others.

    Returns the results of the accounts that finished; raises the first error after the
    rest were tried (so one expired sign-in never hides the others' progress).
    """
    from footprint.connectors.sync import sync_account
    from footprint.errors import FootprintError

    results: list[SyncResult] = []
    first_error: FootprintError | None = None
    async with api_client(options) as client:
        for account in accounts:
            connector = build(
                client,
                account.platform,
                secret=_secret_for(secrets, account),
                handle=account.handle,
                endpoints=(endpoints or {}).get(account.platform),
                token=token,
                pace=pace,
                retry_pause=retry_pause,
            )
            try:
                results.append(
                    await sync_account(
                        store,
                        account,
                        connector,
                        secrets=secrets,
                        full=full,
                        progress=progress,
                        token=token,
                    )
                )
            except FootprintError as exc:
                from footprint.progress import Cancelled

                if isinstance(exc, Cancelled):
                    raise
                first_error = first_error or exc
    if first_error is not None:
        first_error.partial = results  # type: ignore[attr-defined]
        raise first_error
    return results


async def disconnect(
    store: Store,
    secrets: SecretStore,
    account: ConnectedAccount,
    *,
    forget_items: bool = False,
    endpoints: dict[str, str] | None = None,
    options: NetworkOptions | None = None,
) -> int:
    """Revoke the sign-in where the platform allows (best effort), forget the secret."""
    import logging

    from footprint.connectors.sync import disconnect_account

    secret = _secret_for(secrets, account)
    if secret:
        try:
            async with api_client(options) as client:
                connector = build(client, account.platform, secret=secret, endpoints=endpoints)
                await connector.disconnect(account.identity)
        except Exception as exc:  # best effort: the secret is forgotten whatever happens
            logging.getLogger(__name__).info(
                "could not revoke the %s sign-in (%s); forgetting it anyway",
                account.platform,
                type(exc).__name__,
            )
    return disconnect_account(store, secrets, account, forget_items=forget_items)


async def begin_mastodon_login(instance: str, options: NetworkOptions | None = None) -> Any:
    """Register footprint on the server and return the sign-in request (a LoginRequest)."""
    from footprint.connectors.http import Api
    from footprint.connectors.mastodon import MastodonLogin

    async with api_client(options) as client:
        return await MastodonLogin(Api(client, "mastodon"), instance).begin()


async def finish_mastodon_login(
    request: Any, code: str, options: NetworkOptions | None = None
) -> str:
    """Exchange the code the server showed for a token; returns the secret to keep."""
    from footprint.connectors.http import Api
    from footprint.connectors.mastodon import MastodonLogin

    async with api_client(options) as client:
        return await MastodonLogin(Api(client, "mastodon"), request.instance).finish(request, code)


def begin_reddit_login(
    client_id: str, redirect_uri: str | None = None, endpoints: dict[str, str] | None = None
) -> Any:
    """The sign-in page address for the person's own Reddit app (a RedditLoginRequest)."""
    from footprint.connectors.reddit import DEFAULT_REDIRECT, RedditLogin

    login = RedditLogin(None, endpoints)  # type: ignore[arg-type]  # no request is sent
    return login.begin(client_id, redirect_uri or DEFAULT_REDIRECT)


async def finish_reddit_login(
    request: Any,
    *,
    endpoints: dict[str, str] | None = None,
    options: NetworkOptions | None = None,
    timeout: float = 300.0,
) -> str:
    """Wait for the browser to come back to the loopback address, then get the tokens;
    returns the secret to keep."""
    from footprint.connectors.http import Api
    from footprint.connectors.loopback import catch_redirect
    from footprint.connectors.reddit import RedditLogin

    answer = await catch_redirect(request.redirect_uri, request.state, timeout)
    async with api_client(options) as client:
        return await RedditLogin(Api(client, "reddit"), endpoints).finish(request, answer)
