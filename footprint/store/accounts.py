"""Accounts: a person's profiles on platforms, however footprint learned of them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from footprint.platforms import display_name
from footprint.store.database import utcnow

if TYPE_CHECKING:
    from footprint.store.database import Store

CONNECTIONS = ("api", "import", "sweep", "manual")


@dataclass
class Account:
    id: int
    platform: str
    handle: str
    url: str | None
    display_name: str | None
    connection: str
    secret_ref: str | None
    status: str
    last_sync_at: str | None

    @property
    def label(self) -> str:
        """Where it is, as people name it: the site a sweep found it on, else the platform."""
        if self.connection == "sweep" and self.display_name:
            return self.display_name
        return display_name(self.platform)


def upsert_account(
    store: Store,
    platform: str,
    handle: str,
    *,
    connection: str,
    url: str | None = None,
    display_name: str | None = None,
    secret_ref: str | None = None,
    sync_state: dict[str, Any] | None = None,
) -> int:
    """Create or update the account (platform, handle); returns its id."""
    if connection not in CONNECTIONS:
        raise ValueError(f"unknown connection kind {connection!r}")
    now = utcnow()
    state = None if sync_state is None else json.dumps(sync_state)
    with store.transaction() as db:
        db.conn.execute(
            "INSERT INTO accounts (platform, handle, url, display_name, connection, secret_ref, "
            "sync_state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, handle) DO UPDATE SET "
            "url = COALESCE(excluded.url, url), "
            "display_name = COALESCE(excluded.display_name, display_name), "
            "connection = excluded.connection, "
            "secret_ref = COALESCE(excluded.secret_ref, secret_ref), "
            "sync_state = COALESCE(excluded.sync_state, sync_state), "
            "updated_at = excluded.updated_at",
            (platform, handle, url, display_name, connection, secret_ref, state, now, now),
        )
        row = db.conn.execute(
            "SELECT id FROM accounts WHERE platform = ? AND handle = ?", (platform, handle)
        ).fetchone()
    return int(row[0])


def list_accounts(store: Store) -> list[Account]:
    rows = store.conn.execute(
        "SELECT id, platform, handle, url, display_name, connection, secret_ref, status, "
        "last_sync_at FROM accounts ORDER BY platform, handle"
    )
    return [Account(*row) for row in rows]
