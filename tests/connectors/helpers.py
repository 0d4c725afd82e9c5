"""Running connectors against the loopback servers: connect, sync, read back."""

from __future__ import annotations

import asyncio
from typing import Any

from footprint.connectors import build, connect, sync_accounts
from footprint.connectors.sync import connected_accounts
from footprint.secrets import SecretStore


def run_connect(store, platform: str, who: str, endpoints: dict[str, str], secret=None):
    _, identity = asyncio.run(
        connect(store, SecretStore(), platform, who, secret=secret, endpoints=endpoints)
    )
    return identity


def run_sync(store, platform: str, endpoints: dict[str, str], **kwargs: Any):
    accounts = connected_accounts(store, platform)
    return asyncio.run(
        sync_accounts(
            store,
            SecretStore(),
            accounts,
            endpoints={platform: endpoints},
            pace=0.0,
            retry_pause=0.01,
            **kwargs,
        )
    )


def items(store, platform: str, kind: str | None = None) -> dict[str, dict[str, Any]]:
    query = (
        "SELECT platform_id, kind, text, title, url, visibility, created_at FROM items "
        "WHERE platform = ?"
    )
    params: list[Any] = [platform]
    if kind:
        query += " AND kind = ?"
        params.append(kind)
    rows = store.conn.execute(query, params).fetchall()
    keys = ("platform_id", "kind", "text", "title", "url", "visibility", "created_at")
    return {row[0]: dict(zip(keys, row, strict=True)) for row in rows}


async def with_connector(platform: str, endpoints: dict[str, str], fn, secret=None, **kwargs):
    """Run ``fn(connector)`` on a fresh connector (for writes and read-backs)."""
    from footprint.net import NetworkOptions, async_client

    async with async_client(NetworkOptions()) as client:
        connector = build(
            client,
            platform,
            secret=secret,
            endpoints=endpoints,
            pace=0.0,
            retry_pause=0.01,
            **kwargs,
        )
        return await fn(connector)


def connect_signed_in_mastodon(store, server, username: str = "alice"):
    """Connect ``username`` on a mastodon-mock server with a read/write token, and sync it;
    returns the OAuth grant (its ``access_token`` reads the account directly)."""
    import json

    grant = server.authorize(username, ["read", "write"])
    secret = json.dumps(
        {
            "access_token": grant.access_token,
            "client_id": grant.client_id,
            "client_secret": grant.client_secret,
        }
    )
    endpoints = {"instance": server.url}
    run_connect(store, "mastodon", username, endpoints, secret=secret)
    run_sync(store, "mastodon", endpoints)
    return grant
