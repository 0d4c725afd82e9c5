"""Automated fixes: a persisted, paced queue of deletions and setting changes.

Rules this module never bends:

- **Backup first.**  Before a deletion is sent, the item's full text and raw JSON are
  copied into ``backups`` in the same transaction that marks the action "running".  An
  item footprint holds nothing of cannot be backed up, so it is not deleted.
- **Nothing twice.**  Each action has a unique key.  An action found "running" after a
  crash is re-checked on the platform first: if the post is already gone it counts as
  done; only if it is still there is the deletion sent again (deleting is idempotent on
  every platform footprint deletes on).
- **Paced by the platform's limits, across restarts.**  The budget (Mastodon: 30
  deletions per 30 minutes) is counted from the actions done in the window, as stored, so
  stopping and starting again does not reset it.
- **Verified, not assumed.**  After a deletion footprint asks the platform whether the
  item still exists; after a setting change it reads the setting back.  Only then is the
  action, and its finding, "verified".
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from footprint.connectors.errors import (
    ConnectorError,
    PermissionMissing,
    RateLimited,
    ReconnectNeeded,
)
from footprint.errors import InputError
from footprint.platforms import display_name
from footprint.progress import Cancelled
from footprint.store.database import utcnow

if TYPE_CHECKING:
    from footprint.connectors.base import Connector
    from footprint.connectors.sync import ConnectedAccount
    from footprint.net import NetworkOptions
    from footprint.progress import CancelToken
    from footprint.secrets import SecretStore
    from footprint.store import Store

DELETABLE = frozenset({"post", "reply", "repost", "comment"})
# Where footprint can delete through the API (with a sign-in); elsewhere, the steps say how.
DELETES_ON = frozenset({"mastodon", "bluesky", "reddit"})
# What each platform allows per account, as (actions, seconds); see platforms.md.
BUDGETS: dict[str, tuple[int, float]] = {
    "mastodon": (30, 30 * 60.0),
    "bluesky": (5000, 3600.0),
    "reddit": (90, 60.0),
    "github": (60, 60.0),
}
MAX_ATTEMPTS = 3
RECHECK_DAYS = 30  # a verified fix is checked again this long after


@dataclass
class PlannedAction:
    id: int
    platform: str
    action: str  # "delete" or "set"
    target: str
    state: str
    summary: str


@dataclass
class RunProgress:
    done: int = 0
    verified: int = 0
    failed: int = 0
    waiting_until: str | None = None
    last: str = ""


@dataclass
class RunResult:
    done: int = 0
    verified: int = 0
    failed: int = 0
    left: int = 0
    next_at: str | None = None  # when the next queued action may run (a budget is full)
    errors: list[str] = field(default_factory=list)


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# -- planning --------------------------------------------------------------------------


def _insert(
    store: Store,
    key: str,
    *,
    finding_id: int | None,
    account_id: int,
    platform: str,
    action: str,
    target: str,
    params: dict[str, Any],
) -> int | None:
    """Plan one action; returns its id, or None when the same action is already queued,
    running or confirmed.  An action that was cancelled, failed, or done but not confirmed
    (a re-check found the post or setting back) is planned again."""
    now = utcnow()
    row = store.conn.execute(
        "INSERT INTO cleanup_actions (key, finding_id, account_id, platform, action, target, "
        "params, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET state = 'planned', finding_id = excluded.finding_id, "
        "params = excluded.params, attempts = 0, last_error = NULL, not_before = NULL, "
        "updated_at = excluded.updated_at "
        "WHERE cleanup_actions.state IN ('cancelled', 'failed', 'done') RETURNING id",
        (key, finding_id, account_id, platform, action, target, json.dumps(params), now, now),
    ).fetchone()
    if row is not None:
        return int(row[0])
    existing = store.conn.execute(
        "SELECT id FROM cleanup_actions WHERE key = ? AND state = 'planned'", (key,)
    ).fetchone()
    return int(existing[0]) if existing else None


def _signed_in_accounts(store: Store) -> dict[int, str]:
    """API accounts with a sign-in: only those can be changed by footprint."""
    return dict(
        store.conn.execute(
            "SELECT id, platform FROM accounts WHERE connection = 'api' AND secret_ref IS NOT NULL"
        ).fetchall()
    )


def _fix_for(
    store: Store, finding_id: int, accounts: dict[int, str]
) -> tuple[dict[str, Any] | None, str]:
    """The action that fixes a finding (the arguments of :func:`_insert`), or None and why
    not; the text says what the action does, in words for the person."""
    row = store.conn.execute(
        "SELECT f.category, f.details, f.state, i.id, i.kind, i.platform, i.platform_id, "
        "i.text, COALESCE(i.account_id, f.account_id), i.gone_at FROM findings f "
        "LEFT JOIN items i ON i.id = f.item_id WHERE f.id = ?",
        (finding_id,),
    ).fetchone()
    if row is None:
        raise InputError(f"There is no finding {finding_id}.")
    category, details_text, state, item_id, kind, platform, pid, text, account_id, gone = row
    details = json.loads(details_text or "{}")
    if state in ("dismissed", "verified"):
        return None, f"finding {finding_id} is {state}"
    if account_id not in accounts:
        return None, (
            f"finding {finding_id}: its account is not connected with a sign-in "
            "(follow its steps by hand)"
        )
    name = display_name(platform)
    if category == "settings" and details.get("auto_fix") and details.get("safe"):
        key = str(details.get("key") or pid)
        return {
            "key": f"set:{account_id}:{pid}",
            "finding_id": finding_id,
            "account_id": account_id,
            "platform": platform,
            "action": "set",
            "target": key,
            "params": {"value": details["safe"], "item_id": item_id},
        }, f"Change {key} to {details['safe']} on {name}, then read it back."
    if kind in DELETABLE and gone is None and platform in DELETES_ON:
        return {
            "key": f"delete:{platform}:{pid}",
            "finding_id": finding_id,
            "account_id": account_id,
            "platform": platform,
            "action": "delete",
            "target": pid,
            "params": {"kind": kind, "item_id": item_id, "preview": (text or "")[:120]},
        }, f"Back up this {kind}, delete it on {name}, then check it is gone."
    return None, f"finding {finding_id}: no automated fix (follow its steps)"


def automated_fix(store: Store, finding_id: int) -> str | None:
    """What footprint can do about this finding by itself, in words; None if nothing."""
    action, text = _fix_for(store, finding_id, _signed_in_accounts(store))
    return text if action else None


def plan_findings(store: Store, finding_ids: Iterable[int]) -> tuple[list[int], list[str]]:
    """Plan the automated fix of each finding that has one; returns (action ids, why-nots)."""
    accounts = _signed_in_accounts(store)
    planned: list[int] = []
    skipped: list[str] = []
    with store.transaction():
        for finding_id in finding_ids:
            action, why = _fix_for(store, finding_id, accounts)
            if action is None:
                skipped.append(why)
                continue
            key = action.pop("key")
            action_id = _insert(store, key, **action)
            if action_id is not None and action_id not in planned:
                planned.append(action_id)  # two findings about one post: one deletion
    return planned, skipped


@dataclass(frozen=True)
class KeepRules:
    """What a bulk deletion must leave alone."""

    older_than_days: int
    keep_ids: frozenset[str] = frozenset()
    keep_replies: bool = False
    only_flagged: bool = False
    min_likes: int | None = None  # keep posts liked at least this often (as last read)
    overwrite: bool = False  # Reddit: replace the text before deleting


def plan_bulk(store: Store, platform: str, keep: KeepRules) -> list[int]:
    """Plan deleting every post of ``platform``'s signed-in account older than the age."""
    if keep.older_than_days < 1:
        raise InputError("Say how old posts must be to go, in days (at least 1).")
    if platform not in DELETES_ON:
        raise InputError(
            f"footprint cannot delete posts on {display_name(platform)} through its API.",
            hint="Follow the cleanup steps for that platform, or its data export's tools.",
        )
    accounts = [a for a, p in _signed_in_accounts(store).items() if p == platform]
    if not accounts:
        raise InputError(
            f"No {display_name(platform)} account is connected with a sign-in.",
            hint=f"footprint connect {platform} … (signed in)",
        )
    cutoff = (datetime.now(UTC) - timedelta(days=keep.older_than_days)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    query = (
        "SELECT i.id, i.kind, i.platform_id, i.text, i.account_id, i.likes, "
        "(SELECT MIN(f.id) FROM findings f WHERE f.item_id = i.id AND f.state = 'open') "
        "FROM items i WHERE i.platform = ? AND i.gone_at IS NULL AND i.created_at < ? "
        f"AND i.account_id IN ({','.join('?' * len(accounts))}) "
        f"AND i.kind IN ({','.join('?' * len(DELETABLE))})"
    )
    rows = store.conn.execute(query, (platform, cutoff, *accounts, *sorted(DELETABLE)))
    planned: list[int] = []
    with store.transaction():
        for item_id, kind, pid, text, account_id, likes, finding_id in rows.fetchall():
            if pid in keep.keep_ids or (keep.keep_replies and kind == "reply"):
                continue
            # Likes not known (Bluesky's repository has none; exports neither): kept.
            if keep.min_likes is not None and (likes is None or likes >= keep.min_likes):
                continue
            if keep.only_flagged and finding_id is None:
                continue
            action_id = _insert(
                store,
                f"delete:{platform}:{pid}",
                finding_id=finding_id,
                account_id=account_id,
                platform=platform,
                action="delete",
                target=pid,
                params={
                    "kind": kind,
                    "item_id": item_id,
                    "preview": (text or "")[:120],
                    "overwrite": keep.overwrite,
                },
            )
            if action_id is not None:
                planned.append(action_id)
    return planned


def list_actions(store: Store, states: Iterable[str] | None = None) -> list[PlannedAction]:
    query = (
        "SELECT id, platform, action, target, state, params FROM cleanup_actions "
        "WHERE action IN ('delete', 'set')"
    )
    params: list[Any] = []
    if states:
        wanted = list(states)
        query += f" AND state IN ({','.join('?' * len(wanted))})"
        params = wanted
    out = []
    for action_id, platform, action, target, state, raw in store.conn.execute(
        query + " ORDER BY id", params
    ):
        extra = json.loads(raw or "{}")
        if action == "delete":
            summary = f"delete {extra.get('kind', 'item')}: {extra.get('preview', target)!r}"
        else:
            summary = f"set {target} = {extra.get('value')}"
        out.append(PlannedAction(action_id, platform, action, target, state, summary))
    return out


def counts(store: Store) -> dict[str, int]:
    return dict(
        store.conn.execute(
            "SELECT state, COUNT(*) FROM cleanup_actions WHERE action IN ('delete', 'set') "
            "GROUP BY state"
        ).fetchall()
    )


def _move(
    store: Store, to_state: str, from_states: tuple[str, ...], ids: Iterable[int] | None = None
) -> int:
    """Move automated actions (all, or these ids) between states; returns how many moved."""
    where = f"state IN ({','.join('?' * len(from_states))}) AND action IN ('delete', 'set')"
    params: list[Any] = [utcnow(), *from_states]
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return 0
        where += f" AND id IN ({','.join('?' * len(wanted))})"
        params += wanted
    with store.transaction() as db:
        return db.conn.execute(
            f"UPDATE cleanup_actions SET state = '{to_state}', updated_at = ? WHERE {where}",
            params,
        ).rowcount


def queue_actions(store: Store, ids: Iterable[int]) -> int:
    """These planned actions were reviewed: they may run."""
    return _move(store, "queued", ("planned",), ids)


def queue_planned(store: Store) -> int:
    """The person reviewed the plan: planned actions may run."""
    return _move(store, "queued", ("planned",))


def drop_actions(store: Store, ids: Iterable[int]) -> int:
    """Cancel these actions if they have not run (a plan the person turned down)."""
    return _move(store, "cancelled", ("planned", "queued"), ids)


def cancel_pending(store: Store) -> int:
    """Drop what has not run: the unreviewed plan and the queue."""
    return _move(store, "cancelled", ("planned", "queued"))


# -- running ---------------------------------------------------------------------------


Progress = Callable[[RunProgress], None]


@dataclass
class _Row:
    id: int
    finding_id: int | None
    account_id: int
    platform: str
    action: str
    target: str
    params: dict[str, Any]
    state: str
    attempts: int
    not_before: str | None

    def waits_until(self) -> float:
        """The epoch second this action may run from (0: any time)."""
        return _epoch(self.not_before) if self.not_before else 0.0


def _rows(
    store: Store, where: str, params: tuple[Any, ...] = (), limit: int | None = None
) -> list[_Row]:
    rows = store.conn.execute(
        "SELECT id, finding_id, account_id, platform, action, target, params, state, attempts, "
        f"not_before FROM cleanup_actions WHERE {where} ORDER BY id"
        + (f" LIMIT {int(limit)}" if limit else ""),
        params,
    ).fetchall()
    return [
        _Row(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6] or "{}"), r[7], r[8], r[9])
        for r in rows
    ]


def _set(store: Store, action_id: int, **values: Any) -> None:
    values["updated_at"] = utcnow()
    columns = ", ".join(f"{name} = ?" for name in values)
    with store.transaction() as db:
        db.conn.execute(
            f"UPDATE cleanup_actions SET {columns} WHERE id = ?", (*values.values(), action_id)
        )


def _audit(store: Store, action: str, details: dict[str, Any]) -> None:
    with store.transaction() as db:
        db.conn.execute(
            "INSERT INTO audit_log (at, actor, action, details) VALUES (?, 'footprint', ?, ?)",
            (utcnow(), action, json.dumps(details)),
        )


def _backup(store: Store, row: _Row) -> dict[str, Any]:
    """Copy the item into ``backups`` and mark the action running, in one transaction."""
    with store.transaction() as db:
        item = db.conn.execute(
            "SELECT id, platform, kind, platform_id, text, raw FROM items "
            "WHERE platform = ? AND platform_id = ? AND kind = ?",
            (row.platform, row.target, row.params.get("kind")),
        ).fetchone()
        if item is None:
            raise InputError(
                f"footprint holds no copy of {row.target}, so it cannot back it up: not deleted."
            )
        db.conn.execute(
            "INSERT INTO backups (item_id, action_id, platform, kind, platform_id, text, raw, "
            "taken_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (item[0], row.id, item[1], item[2], item[3], item[4], item[5], utcnow()),
        )
        db.conn.execute(
            "UPDATE cleanup_actions SET state = 'running', attempts = attempts + 1, "
            "updated_at = ? WHERE id = ?",
            (utcnow(), row.id),
        )
    raw = json.loads(item[5]) if item[5] else None
    return {
        "platform_id": item[3],
        "kind": item[2],
        "raw": raw,
        "overwrite": bool(row.params.get("overwrite")),
    }


def _mark_verified(store: Store, row: _Row, *, gone: bool, now: str) -> None:
    with store.transaction() as db:
        recheck = _iso(_epoch(now) + RECHECK_DAYS * 86400)
        db.conn.execute(
            "UPDATE cleanup_actions SET state = 'verified', verified_at = ?, done_at = "
            "COALESCE(done_at, ?), not_before = ?, updated_at = ? WHERE id = ?",
            (now, now, recheck, now, row.id),
        )
        if gone:
            db.conn.execute(
                "UPDATE items SET gone_at = ? WHERE platform = ? AND platform_id = ? AND kind = ?",
                (now, row.platform, row.target, row.params.get("kind")),
            )
        # The finding it was planned for, and (for a deleted item) every finding about it.
        fixed = db.conn.execute(
            "SELECT id, state FROM findings WHERE (id = ? OR (? AND item_id = ?)) "
            "AND state NOT IN ('verified', 'dismissed')",
            (row.finding_id, gone, row.params.get("item_id")),
        ).fetchall()
        for finding_id, old in fixed:
            db.conn.execute(
                "UPDATE findings SET state = 'verified', updated_at = ? WHERE id = ?",
                (now, finding_id),
            )
            db.conn.execute(
                "INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, "
                "note) VALUES (?, ?, 'footprint', ?, 'verified', ?)",
                (finding_id, now, old, f"cleanup action {row.id} confirmed"),
            )


async def _perform(
    store: Store,
    connector: Connector,
    account: ConnectedAccount,
    row: _Row,
    clock: Callable[[], float],
) -> bool:
    """Do one action and check it; returns whether the platform confirmed it.

    Times come from ``clock`` (the budget counts actions by their ``done_at``)."""
    identity = account.identity

    def stamp() -> str:
        return _iso(clock())

    if row.action == "delete":
        if row.state == "running":
            # A run stopped after sending this: ask before sending it again.
            target = {"platform_id": row.target, "kind": row.params.get("kind")}
            if not await connector.item_exists(identity, target):
                _set(store, row.id, done_at=stamp())
                _mark_verified(store, row, gone=True, now=stamp())
                return True
        item = _backup(store, row)
        await connector.delete_item(identity, item)
        _set(store, row.id, state="done", done_at=stamp(), last_error=None)
        if await connector.item_exists(identity, item):
            _set(store, row.id, last_error="the platform still shows it")
            return False
        _mark_verified(store, row, gone=True, now=stamp())
        return True
    value = str(row.params.get("value"))
    _set(store, row.id, state="running", attempts=row.attempts + 1)
    await connector.change_setting(identity, row.target, value)
    _set(store, row.id, state="done", done_at=stamp(), last_error=None)
    now_value = await connector.read_setting(identity, row.target)
    if (now_value or "").lower() != value.lower():
        _set(store, row.id, last_error=f"it still reads {now_value!r}")
        return False
    from footprint.store.items import Item, upsert_items

    upsert_items(
        store,
        [
            Item(
                row.platform,
                "setting",
                row.target,
                text=value,
                title=row.target,
                account_id=row.account_id,
                source=f"api:{row.platform}",
                raw={row.target: value},
            )
        ],
    )
    _mark_verified(store, row, gone=False, now=stamp())
    return True


LEASE_KEY = "cleanup.runner"
LEASE_SECONDS = 120.0
PENDING = "state IN ('queued', 'running') AND action IN ('delete', 'set')"


def _take_lease(store: Store, owner: str, now: float) -> None:
    """One runner at a time (the app and the CLI share the queue): a lease renewed as the
    run goes, so a run that died frees the queue within :data:`LEASE_SECONDS`."""
    from footprint.store.database import get_setting, set_setting

    with store.transaction():
        held = get_setting(store, LEASE_KEY)
        if held:
            holder, _, until = held.partition(" ")
            if holder != owner and float(until or 0) > now:
                raise InputError(
                    "Another cleanup run is going on (in the app or a terminal).",
                    hint="Let it finish, or stop it, then run again.",
                )
        set_setting(store, LEASE_KEY, f"{owner} {now + LEASE_SECONDS}")


def _drop_lease(store: Store, owner: str) -> None:
    from footprint.store.database import get_setting, set_setting

    with store.transaction():
        held = get_setting(store, LEASE_KEY) or ""
        if held.partition(" ")[0] == owner:
            set_setting(store, LEASE_KEY, None)


def _free_at(store: Store, account_id: int, platform: str, now: float) -> float:
    """When the account's budget has room for one more action (``now`` if it has)."""
    limit, window = BUDGETS.get(platform, (60, 60.0))
    oldest_counted = store.conn.execute(
        "SELECT done_at FROM cleanup_actions WHERE account_id = ? AND done_at >= ? "
        "AND action IN ('delete', 'set') ORDER BY done_at DESC LIMIT 1 OFFSET ?",
        (account_id, _iso(now - window), limit - 1),
    ).fetchone()
    return now if oldest_counted is None else _epoch(oldest_counted[0]) + window


def _next(store: Store, now: float, only: list[int] | None) -> tuple[_Row | None, float | None]:
    """The next action that may run now, or (None, when the soonest one may)."""
    scope = PENDING
    params: list[Any] = []
    if only is not None:
        scope += f" AND id IN ({','.join('?' * len(only))})"
        params += only
    accounts = store.conn.execute(
        f"SELECT account_id, platform, MIN(COALESCE(not_before, '')) FROM cleanup_actions "
        f"WHERE {scope} GROUP BY account_id",
        params,
    ).fetchall()
    if not accounts:
        return None, None
    soonest: float | None = None
    for account_id, platform, earliest in accounts:
        free = _free_at(store, account_id, platform, now)
        if free <= now:
            rows = _rows(
                store,
                f"{scope} AND account_id = ? AND (not_before IS NULL OR not_before <= ?)",
                (*params, account_id, _iso(now)),
                limit=1,
            )
            if rows:
                return rows[0], None
        ready_at = max(free, _epoch(earliest) if earliest else 0.0)
        soonest = ready_at if soonest is None else min(soonest, ready_at)
    return None, soonest


async def run_queue(
    store: Store,
    secrets: SecretStore,
    *,
    options: NetworkOptions | None = None,
    endpoints: dict[str, dict[str, str]] | None = None,
    progress: Progress | None = None,
    token: CancelToken | None = None,
    wait: bool = True,
    max_wait: float = 24 * 3600.0,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Any] = asyncio.sleep,
    pace: float | None = None,
    only: list[int] | None = None,
) -> RunResult:
    """Run queued (and interrupted) actions until none is left, or until the next one
    must wait longer than ``max_wait`` (or at all, with ``wait=False``).  ``only``: just
    these action ids (a "fix this one" from the app)."""
    import os
    import secrets as random

    from footprint.connectors import api_client
    from footprint.connectors.sync import connected_accounts

    result = RunResult()
    if only is not None and not only:
        return result
    status = RunProgress()
    accounts = {a.id: a for a in connected_accounts(store)}
    connectors: dict[int, Connector] = {}
    owner = f"{os.getpid()}-{random.token_hex(4)}"
    _take_lease(store, owner, clock())
    # Without waiting, a platform's own "slow down" must not hold the run either.
    patience = max_wait if wait else 5.0
    try:
        async with api_client(options) as client:
            while True:
                if token is not None:
                    token.check("The cleanup")
                now = clock()
                _take_lease(store, owner, now)
                row, soonest = _next(store, now, only)
                if row is None:
                    if soonest is None:
                        break
                    result.next_at = _iso(soonest)
                    status.waiting_until = result.next_at
                    if progress:
                        progress(status)
                    if not wait or soonest - now > max_wait:
                        break
                    await _wait(sleep, min(soonest - now, LEASE_SECONDS / 2), token)
                    status.waiting_until = None
                    continue
                account = accounts.get(row.account_id)
                if account is None or not account.secret_ref:
                    _set(store, row.id, state="failed", last_error="the account is not signed in")
                    result.failed += 1
                    continue
                connector = connectors.get(account.id)
                if connector is None:
                    connector = _connector(
                        client, account, secrets, endpoints, token, pace, patience
                    )
                    connectors[account.id] = connector
                status.last = f"{display_name(row.platform)}: {row.action} {row.target}"
                try:
                    confirmed = await _perform(store, connector, account, row, clock)
                except Cancelled:
                    _after_error(store, row, None, now)
                    raise
                except RateLimited as exc:
                    _after_error(store, row, exc, _epoch_or(exc.resume_at, now) + 60)
                    if not wait:
                        result.next_at = exc.resume_at
                        break
                    continue
                except ReconnectNeeded as exc:
                    _after_error(store, row, exc, now)
                    result.errors.append(exc.message)
                    break
                except (ConnectorError, InputError, PermissionMissing) as exc:
                    final = isinstance(exc, (InputError, PermissionMissing))
                    if _after_error(store, row, exc, now + 60 * (row.attempts + 1), final=final):
                        result.failed += 1
                        status.failed += 1
                        result.errors.append(exc.message)
                    continue
                _audit(
                    store,
                    f"cleanup.{row.action}",
                    {"platform": row.platform, "target": row.target, "confirmed": confirmed},
                )
                result.done += 1
                status.done += 1
                if confirmed:
                    result.verified += 1
                    status.verified += 1
                if progress:
                    progress(status)
    finally:
        _keep_new_secrets(secrets, accounts, connectors)
        _drop_lease(store, owner)
    scope = PENDING + (f" AND id IN ({','.join('?' * len(only))})" if only else "")
    result.left = len(_rows(store, scope, tuple(only or ())))
    return result


def _after_error(
    store: Store, row: _Row, exc: Exception | None, retry_at: float, *, final: bool = False
) -> bool:
    """Put an action back after an error, never losing track of a deletion that may have
    gone out: once sent (running, or done), it stays so, and the next try asks the platform
    first.  Returns whether the action has now failed for good."""
    current = store.conn.execute(
        "SELECT state, attempts FROM cleanup_actions WHERE id = ?", (row.id,)
    ).fetchone()
    state, attempts = current if current else (row.state, row.attempts)
    message = getattr(exc, "message", None) or (str(exc)[:300] if exc else None)
    if state == "done":
        _set(store, row.id, last_error=message)  # sent; the re-check (verify) decides
        return False
    failed = final or attempts >= MAX_ATTEMPTS
    if failed and state != "running":
        _set(store, row.id, state="failed", last_error=message)
        return True
    # Not yet sent ("queued"), or perhaps sent ("running": asked about before retrying).
    _set(
        store,
        row.id,
        state="running" if state == "running" else "queued",
        attempts=attempts if state == "running" else attempts + 1,
        last_error=message,
        not_before=_iso(retry_at),
    )
    if failed:
        _set(store, row.id, state="failed")
        return True
    return False


def _keep_new_secrets(
    secrets: SecretStore, accounts: dict[int, ConnectedAccount], connectors: dict[int, Connector]
) -> None:
    """A session refreshed during the run (Bluesky) is saved, as a sync would."""
    for account_id, connector in connectors.items():
        account = accounts.get(account_id)
        if connector.new_secret and account and account.secret_ref:
            secrets.set(account.secret_ref, connector.new_secret)


def _connector(
    client: Any,
    account: ConnectedAccount,
    secrets: SecretStore,
    endpoints: dict[str, dict[str, str]] | None,
    token: CancelToken | None,
    pace: float | None,
    max_wait: float = 900.0,
) -> Connector:
    """The signed-in connector of one account, for writes and read-backs."""
    from footprint.connectors import build

    return build(
        client,
        account.platform,
        secret=secrets.get(account.secret_ref) if account.secret_ref else None,
        handle=account.handle,
        endpoints=(endpoints or {}).get(account.platform),
        token=token,
        pace=pace,
        max_wait=max_wait,
    )


def _epoch_or(text: str, now: float) -> float:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M UTC").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return now + 600


async def _wait(sleep: Callable[[float], Any], seconds: float, token: CancelToken | None) -> None:
    end = seconds
    while end > 0:
        if token is not None:
            token.check("The cleanup")
        step = min(end, 1.0)
        await sleep(step)
        end -= step


def estimate_seconds(platform: str, count: int) -> float:
    """The least time ``count`` actions take within the platform's budget."""
    if count <= 0:
        return 0.0
    limit, window = BUDGETS.get(platform, (60, 60.0))
    return max(0, (count - 1) // limit) * window


async def verify_actions(
    store: Store,
    secrets: SecretStore,
    *,
    options: NetworkOptions | None = None,
    endpoints: dict[str, dict[str, str]] | None = None,
    token: CancelToken | None = None,
    pace: float | None = None,
    everything: bool = False,
) -> tuple[int, int]:
    """Re-check actions that were done but not yet confirmed, and confirmed ones once their
    re-check is due (a deleted post can come back from a restore; a setting can be changed
    back); ``everything`` re-checks all of them now.

    Returns (confirmed, not confirmed)."""
    from footprint.connectors import api_client
    from footprint.connectors.sync import connected_accounts

    accounts = {a.id: a for a in connected_accounts(store)}
    confirmed = unconfirmed = 0
    connectors: dict[int, Connector] = {}
    async with api_client(options) as client:
        due = "" if everything else " AND (state = 'done' OR not_before IS NULL OR not_before <= ?)"
        params = () if everything else (utcnow(),)
        rows = _rows(
            store, "state IN ('done', 'verified') AND action IN ('delete', 'set')" + due, params
        )
        for row in rows:
            if token is not None:
                token.check("The check")
            account = accounts.get(row.account_id)
            if account is None or not account.secret_ref:
                continue
            connector = connectors.get(account.id)
            if connector is None:
                connector = _connector(client, account, secrets, endpoints, token, pace)
                connectors[account.id] = connector
            identity = account.identity
            try:
                if row.action == "delete":
                    target = {"platform_id": row.target, "kind": row.params.get("kind")}
                    ok = not await connector.item_exists(identity, target)
                else:
                    value = await connector.read_setting(identity, row.target)
                    ok = (value or "").lower() == str(row.params.get("value")).lower()
            except (ConnectorError, PermissionMissing) as exc:
                # Could not ask (offline, signed out): neither confirmed nor refuted.
                _set(store, row.id, last_error=f"re-check not possible: {exc.message[:200]}")
                continue
            now = utcnow()
            if ok:
                confirmed += 1
                _mark_verified(store, row, gone=row.action == "delete", now=now)
            else:
                unconfirmed += 1
                _set(store, row.id, state="done", last_error="the re-check did not confirm it")
                if row.state == "verified" and row.finding_id is not None:
                    with store.transaction() as db:
                        db.conn.execute(
                            "UPDATE findings SET state = 'open', updated_at = ? WHERE id = ?",
                            (now, row.finding_id),
                        )
                        db.conn.execute(
                            "INSERT INTO finding_events (finding_id, at, actor, from_state, "
                            "to_state, note) VALUES (?, ?, 'footprint', 'verified', 'open', ?)",
                            (row.finding_id, now, "a re-check found it back"),
                        )
            _audit(store, "cleanup.verify", {"target": row.target, "confirmed": ok})
    _keep_new_secrets(secrets, accounts, connectors)
    return confirmed, unconfirmed
