"""Connect, sync and disconnect accounts: the guarantees every connector gets for free.

- **Secrets stay in the keyring.**  ``accounts.secret_ref`` names the keyring entry; the
  secret itself never reaches SQLite, a log or an error message.
- **Every page is saved with its cursor.**  Items are upserted by (platform, kind, id), so
  a page fetched twice changes nothing; the cursor to resume from is written right after
  the page.  A sync that is cancelled, killed or rate-limited continues where it stopped.
- **Incremental.**  Listings come newest first.  Once a stream has been walked to its end,
  later syncs stop at the first page that reaches items already held unchanged
  (``full=True`` walks everything again, e.g. to pick up edits of old posts).
- **No endless loops.**  A cursor the platform already gave in this walk, or an empty page
  that still claims a next one, ends the stream with a note.
- **An expired sign-in** marks the account "reconnect" and raises
  :class:`~footprint.connectors.errors.ReconnectNeeded`; nothing fetched is lost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from footprint.connectors.base import Connector, Identity, Page
from footprint.connectors.errors import ConnectorError, ReconnectNeeded
from footprint.connectors.http import Api
from footprint.errors import InputError
from footprint.platforms import display_name
from footprint.progress import CancelToken
from footprint.store.accounts import upsert_account
from footprint.store.database import utcnow
from footprint.store.items import upsert_items

if TYPE_CHECKING:
    import httpx

    from footprint.secrets import SecretStore
    from footprint.store import Item, Store

log = logging.getLogger(__name__)

# Where each page's resume point and each stream's completion are kept.
STATE_VERSION = 1


@dataclass
class SyncProgress:
    account: str
    stream: str
    pages: int = 0
    items: int = 0
    inserted: int = 0
    updated: int = 0


@dataclass
class SyncResult:
    account: str
    platform: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    pages: int = 0
    requests: int = 0
    streams: dict[str, str] = field(default_factory=dict)  # stream -> "complete"/"up to date"…
    notes: list[str] = field(default_factory=list)


@dataclass
class ConnectedAccount:
    id: int
    platform: str
    handle: str
    secret_ref: str | None
    status: str
    state: dict[str, Any]

    @property
    def identity(self) -> Identity:
        saved = self.state.get("identity")
        if not saved:
            raise InputError(
                f"footprint has no connection details for {display_name(self.platform)} "
                f"{self.handle} (it was not connected from this computer).",
                hint=f"Connect it again: footprint connect {self.platform} …",
            )
        return Identity(
            self.platform,
            self.handle,
            url=saved.get("url"),
            display_name=saved.get("display_name"),
            meta=dict(saved.get("meta") or {}),
        )


def secret_ref(platform: str, handle: str) -> str:
    return f"{platform}:{handle}"


def load_account(store: Store, platform: str, handle: str | None = None) -> ConnectedAccount:
    """The API-connected account on ``platform`` (the only one, or the one named)."""
    query = (
        "SELECT id, platform, handle, secret_ref, status, sync_state FROM accounts "
        "WHERE platform = ? AND connection = 'api'"
    )
    params: list[Any] = [platform]
    if handle:
        query += " AND lower(handle) = lower(?)"
        params.append(handle)
    rows = store.conn.execute(query + " ORDER BY handle", params).fetchall()
    name = display_name(platform)
    if not rows:
        raise InputError(
            f"No {name} account is connected" + (f" as {handle}." if handle else "."),
            hint=f"Connect one first: footprint connect {platform} …",
        )
    if len(rows) > 1:
        handles = ", ".join(row[2] for row in rows)
        raise InputError(
            f"More than one {name} account is connected ({handles}).",
            hint="Say which one with --handle.",
        )
    return _connected(rows[0])


def _connected(row: tuple[Any, ...]) -> ConnectedAccount:
    state = json.loads(row[5]) if row[5] else {}
    return ConnectedAccount(row[0], row[1], row[2], row[3], row[4], state)


def connected_accounts(store: Store, platform: str | None = None) -> list[ConnectedAccount]:
    query = (
        "SELECT id, platform, handle, secret_ref, status, sync_state FROM accounts "
        "WHERE connection = 'api'"
    )
    params: list[Any] = []
    if platform:
        query += " AND platform = ?"
        params.append(platform)
    rows = store.conn.execute(query + " ORDER BY platform, handle", params).fetchall()
    return [_connected(row) for row in rows]


def _save_state(store: Store, account_id: int, state: dict[str, Any]) -> None:
    with store.transaction() as db:
        db.conn.execute(
            "UPDATE accounts SET sync_state = ?, updated_at = ? WHERE id = ?",
            (json.dumps(state), utcnow(), account_id),
        )


def _audit(store: Store, action: str, details: dict[str, Any]) -> None:
    with store.transaction() as db:
        db.conn.execute(
            "INSERT INTO audit_log (at, actor, action, details) VALUES (?, 'user', ?, ?)",
            (utcnow(), action, json.dumps(details)),
        )


def _identity_state(identity: Identity) -> dict[str, Any]:
    return {
        "url": identity.url,
        "display_name": identity.display_name,
        "meta": identity.meta,
    }


def save_connection(store: Store, secrets: SecretStore, identity: Identity) -> int:
    """Keep a verified identity: the account row, and its secret in the keyring."""
    name = secret_ref(identity.platform, identity.handle)
    ref = name if identity.secret else None
    if identity.secret:
        secrets.set(name, identity.secret)
    existing = store.conn.execute(
        "SELECT sync_state, secret_ref FROM accounts WHERE platform = ? AND handle = ?",
        (identity.platform, identity.handle),
    ).fetchone()
    if not identity.secret and existing and existing[1]:
        secrets.delete(existing[1])  # connected again without a sign-in: forget the old one
    state = json.loads(existing[0]) if existing and existing[0] else {}
    before = ((state.get("identity") or {}).get("meta") or {}).get("signed_in")
    if before is not None and before != identity.meta.get("signed_in"):
        # A sign-in shows more (followers-only posts...): walk everything again.
        state["streams"] = {}
    state["version"] = STATE_VERSION
    state["identity"] = _identity_state(identity)
    account_id = upsert_account(
        store,
        identity.platform,
        identity.handle,
        connection="api",
        url=identity.url,
        display_name=identity.display_name,
        secret_ref=ref,
        sync_state=state,
    )
    with store.transaction() as db:
        db.conn.execute(
            "UPDATE accounts SET status = 'active', secret_ref = ? WHERE id = ?",
            (ref, account_id),
        )
    _audit(
        store,
        "connect",
        {"platform": identity.platform, "handle": identity.handle, "signed_in": bool(ref)},
    )
    return account_id


ProgressCallback = Callable[[SyncProgress], None]


async def sync_account(
    store: Store,
    account: ConnectedAccount,
    connector: Connector,
    *,
    secrets: SecretStore | None = None,
    full: bool = False,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    max_pages: int = 100_000,
) -> SyncResult:
    """Fetch every stream of one account into the store; resumable and incremental."""
    identity = account.identity
    state = account.state
    state.setdefault("version", STATE_VERSION)
    streams: dict[str, Any] = state.setdefault("streams", {})
    result = SyncResult(account.handle, account.platform)
    try:
        for stream in connector.streams:
            if token is not None:
                token.check("The sync")
            result.streams[stream] = await _sync_stream(
                store,
                account,
                connector,
                identity,
                stream,
                streams,
                full,
                result,
                progress,
                token,
                max_pages,
            )
    except ReconnectNeeded:
        with store.transaction() as db:
            db.conn.execute(
                "UPDATE accounts SET status = 'reconnect', updated_at = ? WHERE id = ?",
                (utcnow(), account.id),
            )
        raise
    finally:
        result.requests = connector.api.requests
        if connector.new_secret and secrets is not None and account.secret_ref:
            secrets.set(account.secret_ref, connector.new_secret)
        if identity.meta != (state.get("identity") or {}).get("meta"):
            state.setdefault("identity", {})["meta"] = identity.meta
            _save_state(store, account.id, state)
    now = utcnow()
    with store.transaction() as db:
        db.conn.execute(
            "UPDATE accounts SET last_sync_at = ?, status = 'active', updated_at = ? WHERE id = ?",
            (now, now, account.id),
        )
    _audit(
        store,
        "sync",
        {
            "platform": account.platform,
            "handle": account.handle,
            "inserted": result.inserted,
            "updated": result.updated,
            "requests": result.requests,
        },
    )
    return result


async def _sync_stream(
    store: Store,
    account: ConnectedAccount,
    connector: Connector,
    identity: Identity,
    stream: str,
    streams: dict[str, Any],
    full: bool,
    result: SyncResult,
    progress: ProgressCallback | None,
    token: CancelToken | None,
    max_pages: int,
) -> str:
    saved = streams.setdefault(stream, {})
    walked_before = bool(saved.get("complete"))
    cursor: str | None = saved.get("cursor") if saved.get("walking") else None
    if not saved.get("walking"):
        saved.update(walking=True, cursor=None, full=full or not walked_before)
    elif full:
        saved["full"] = True
    seen: set[str] = set()
    counts = SyncProgress(account.handle, stream)
    outcome = "complete"
    for _ in range(max_pages):
        if token is not None:
            token.check("The sync")
        page = await fetch(connector, identity, stream, cursor)
        for item in page.items:
            item.account_id = account.id
        written = upsert_items(store, page.items)
        result.inserted += written.inserted
        result.updated += written.updated
        result.unchanged += written.unchanged
        result.pages += 1
        for note in page.notes:
            if note not in result.notes:
                result.notes.append(note)
        counts.pages += 1
        counts.items += len(page.items)
        counts.inserted += written.inserted
        counts.updated += written.updated
        if progress is not None:
            progress(counts)
        next_cursor = page.next
        if next_cursor is None:
            break
        if next_cursor in seen or next_cursor == cursor:
            result.notes.append(
                f"{connector.name} gave the same page twice while listing {stream}; "
                "footprint stopped there instead of looping."
            )
            log.warning("%s %s: repeated cursor, stream stopped", account.platform, stream)
            outcome = "stopped (repeated page)"
            break
        if page.empty and cursor is not None:
            result.notes.append(
                f"{connector.name} returned an empty page while listing {stream}; "
                "footprint took it as the end."
            )
            outcome = "stopped (empty page)"
            break
        # Listings are newest first: once a page reaches items already held unchanged,
        # the rest of the walk holds nothing new.
        if written.unchanged and not saved.get("full"):
            outcome = "up to date"
            break
        seen.add(next_cursor)
        cursor = next_cursor
        saved["cursor"] = cursor
        _save_state(store, account.id, account.state)
    saved.update(walking=False, cursor=None, complete=True, finished_at=utcnow())
    saved.pop("full", None)
    _save_state(store, account.id, account.state)
    return outcome


# What a connector's mapping code raises when a server answers in a shape it does not
# expect (a list where a dict belongs, a number for a text...).
SHAPE_ERRORS = (
    TypeError,
    AttributeError,
    KeyError,
    IndexError,
    ValueError,
    RecursionError,
    OverflowError,
)


def unexpected_shape(platform: str, exc: BaseException) -> ConnectorError:
    return ConnectorError(
        f"{display_name(platform)} answered in a shape footprint does not understand, so it "
        "stopped there. What was fetched before is saved.",
        hint="If this keeps happening, the platform may have changed its API.",
        details=type(exc).__name__,
    )


async def fetch(connector: Connector, identity: Identity, stream: str, cursor: str | None) -> Page:
    """One page, with every field an item holds coerced to text."""
    try:
        page = await connector.fetch_page(identity, stream, cursor)
        for item in page.items:
            _coerce(item)
    except SHAPE_ERRORS as exc:
        raise unexpected_shape(connector.platform, exc) from None
    return page


def _coerce(item: Item) -> None:
    for name in ("text", "title", "created_at", "url", "visibility", "parent_id"):
        value = getattr(item, name)
        if value is not None and not isinstance(value, str):
            setattr(
                item, name, json.dumps(value) if isinstance(value, (dict, list)) else str(value)
            )
    item.platform_id = str(item.platform_id)


def disconnect_account(
    store: Store, secrets: SecretStore, account: ConnectedAccount, *, forget_items: bool = False
) -> int:
    """Forget the sign-in (keyring entry) and stop syncing; the fetched items stay unless
    ``forget_items``.  Returns how many items were removed."""
    if account.secret_ref:
        secrets.delete(account.secret_ref)
    removed = 0
    with store.transaction() as db:
        if forget_items:
            removed = db.conn.execute(
                "DELETE FROM items WHERE account_id = ? AND source = ?",
                (account.id, f"api:{account.platform}"),
            ).rowcount
        db.conn.execute(
            "UPDATE accounts SET connection = 'manual', secret_ref = NULL, status = "
            "'disconnected', sync_state = NULL, updated_at = ? WHERE id = ?",
            (utcnow(), account.id),
        )
    _audit(
        store,
        "disconnect",
        {"platform": account.platform, "handle": account.handle, "items_removed": removed},
    )
    return removed


def make_api(
    client: httpx.AsyncClient,
    connector_class: type[Connector],
    *,
    handle: str = "",
    token: CancelToken | None = None,
    pace: float | None = None,
    **kwargs: Any,
) -> Api:
    """The paced client a connector of this class runs on."""
    interval = connector_class.min_interval if pace is None else pace
    return Api(
        client,
        connector_class.platform,
        handle=handle,
        token=token,
        min_interval=interval,
        **kwargs,
    )
