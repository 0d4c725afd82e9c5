"""Sweeps in the store: start or resume, save verdicts as they arrive, cache canaries.

A sweep is one username against one catalog.  Every verdict is written within half a
second of arriving (batched in small transactions), so a sweep that is killed keeps
what it found; running it again resumes: sites with a verdict are not asked again,
except those whose answer was only "unknown" for a passing reason (timeout, throttling,
the deadline), which get another chance.

"Mine / not mine" is kept per (site, username) across sweeps.  Confirming "mine" adds
the profile to the person's accounts; the checklist then reports it as an old profile
to review (see ``resources/checklist/accounts.toml``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from footprint.catalog.schema import Catalog, Site, site_key, valid_username
from footprint.discovery.engine import (
    CONNECTION,
    DEADLINE,
    THROTTLED,
    TIMEOUT,
    CheckResult,
    Engine,
    SweepCounts,
    SweepOptions,
    run_checks,
)
from footprint.errors import InputError
from footprint.platforms import platform_for
from footprint.progress import CancelToken
from footprint.store.database import utcnow

if TYPE_CHECKING:
    import httpx

    from footprint.store import Store

CANARY_TTL = timedelta(days=7)
RESUME_WINDOW = timedelta(days=1)
TRANSIENT = (TIMEOUT, CONNECTION, THROTTLED, DEADLINE)
FLUSH_EVERY = 0.5  # seconds
FLUSH_BATCH = 100

# WhatsMyName categories in footprint's words (used when a site has no footprint notes).
_WMN_TO_FP = {
    "xx NSFW xx": "adult",
    "dating": "dating",
    "coding": "developer",
    "tech": "developer",
    "gaming": "gaming",
    "social": "social",
    "business": "professional",
    "art": "creative",
    "images": "photo",
    "video": "video",
    "music": "music",
    "blog": "writing",
    "shopping": "shopping",
    "finance": "finance",
    "health": "fitness",
}


def site_category(site: Site) -> str:
    if site.meta is not None:
        return site.meta.category
    return _WMN_TO_FP.get(site.cat, "other")


@dataclass
class SweepProgress:
    done: int
    total: int
    found: int
    missing: int
    unknown: int
    last: CheckResult | None = None


SweepCallback = Callable[[SweepProgress], None]


@dataclass
class SweepRun:
    """The outcome of :func:`sweep`: every verdict of the sweep(s), old and new."""

    sweep_ids: dict[str, int]
    results: list[dict[str, object]]
    counts: SweepCounts
    checked: int  # verdicts fetched in this run (the rest were resumed from the store)
    resumed: int
    cancelled: bool
    elapsed_s: float
    requests: int
    unreliable: list[str] = field(default_factory=list)


class _Writer:
    """Buffers verdicts and writes them in small transactions, at most every half second."""

    def __init__(self, store: Store, sweep_ids: dict[str, int]) -> None:
        self.store = store
        self.sweep_ids = sweep_ids
        self.checks: list[tuple[object, ...]] = []
        self.health: list[tuple[object, ...]] = []
        self.last_flush = time.monotonic()

    def add(self, result: CheckResult) -> None:
        self.checks.append(
            (
                self.sweep_ids[result.username],
                result.site.name,
                result.username,
                site_category(result.site),
                result.url,
                result.status,
                result.reason,
                result.http_status,
                result.elapsed_ms,
                utcnow(),
                result.check_url,
                result.detail,
            )
        )
        self._maybe_flush()

    def add_canary(self, result: CheckResult) -> None:
        if result.status == "unknown":
            return  # nothing learned about the check; ask again next time
        self.health.append(
            (
                result.site.key,
                result.site.check_hash,
                result.username,
                result.status,
                result.reason,
                result.http_status,
                utcnow(),
            )
        )
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self.checks) >= FLUSH_BATCH or time.monotonic() - self.last_flush >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        self.last_flush = time.monotonic()
        if not self.checks and not self.health:
            return
        with self.store.transaction() as db:
            db.conn.executemany(
                "INSERT INTO site_checks (sweep_id, site, username, category, url, status, "
                "reason, http_status, elapsed_ms, checked_at, check_url, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (sweep_id, site, username) DO UPDATE SET "
                "category = excluded.category, url = excluded.url, status = excluded.status, "
                "reason = excluded.reason, http_status = excluded.http_status, "
                "elapsed_ms = excluded.elapsed_ms, checked_at = excluded.checked_at, "
                "check_url = excluded.check_url, detail = excluded.detail",
                self.checks,
            )
            db.conn.executemany(
                "INSERT OR REPLACE INTO site_health (site_key, check_hash, canary, status, "
                "reason, http_status, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                self.health,
            )
        self.checks.clear()
        self.health.clear()


def _since(delta: timedelta) -> str:
    return (datetime.now(UTC) - delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def _open_sweep(
    store: Store, username: str, catalog: Catalog, sites: Sequence[Site], options: SweepOptions
) -> tuple[int, dict[str, dict[str, object]]]:
    """Resume the latest unfinished sweep of this username and catalog, or start one.

    Returns the sweep id and the verdicts it already holds that need no re-check.
    """
    fingerprint = catalog.fingerprint
    row = store.conn.execute(
        "SELECT id FROM sweeps WHERE username = ? AND catalog_fingerprint = ? "
        "AND state IN ('running', 'cancelled', 'failed') AND started_at >= ? "
        "ORDER BY id DESC LIMIT 1",
        (username, fingerprint, _since(RESUME_WINDOW)),
    ).fetchone()
    label = " + ".join(s.label for s in catalog.sources) or "catalog"
    settings = json.dumps(
        {"timeout": options.timeout, "concurrency": options.concurrency, "sites": len(sites)}
    )
    with store.transaction() as db:
        if row is None:
            cursor = db.conn.execute(
                "INSERT INTO sweeps (username, catalog, catalog_fingerprint, options, state, "
                "total, started_at) VALUES (?, ?, ?, ?, 'running', ?, ?)",
                (username, label, fingerprint, settings, len(sites), utcnow()),
            )
            return int(cursor.lastrowid or 0), {}
        sweep_id = int(row[0])
        db.conn.execute(
            "UPDATE sweeps SET state = 'running', finished_at = NULL, total = ? WHERE id = ?",
            (len(sites), sweep_id),
        )
    kept: dict[str, dict[str, object]] = {}
    for record in _records(store, sweep_id):
        if record["status"] == "unknown" and record["reason"] in TRANSIENT:
            continue
        kept[site_key(str(record["site"]))] = record
    return sweep_id, kept


_RECORD_COLUMNS = (
    "site",
    "username",
    "category",
    "url",
    "status",
    "reason",
    "http_status",
    "elapsed_ms",
    "checked_at",
    "detail",
)


def _records(store: Store, sweep_id: int) -> list[dict[str, object]]:
    rows = store.conn.execute(
        f"SELECT {', '.join(_RECORD_COLUMNS)} FROM site_checks WHERE sweep_id = ? "
        "ORDER BY site COLLATE NOCASE",
        (sweep_id,),
    ).fetchall()
    return [dict(zip(_RECORD_COLUMNS, row, strict=True)) for row in rows]


def _canary_cache(store: Store) -> dict[tuple[str, str], str]:
    rows = store.conn.execute(
        "SELECT site_key, check_hash, status FROM site_health WHERE checked_at >= ?",
        (_since(CANARY_TTL),),
    )
    return {(key, digest): status for key, digest, status in rows}


def check_usernames(usernames: Sequence[str]) -> list[str]:
    clean: list[str] = []
    for name in usernames:
        name = name.strip().lstrip("@")
        if not valid_username(name):
            raise InputError(
                f"{name!r} is not a username footprint can look up.",
                hint="Use 1-64 letters, digits or . _ - + @ ~ ! $ ' (no spaces or slashes).",
            )
        if name not in clean:
            clean.append(name)
    if not clean:
        raise InputError("Give at least one username to look for.")
    return clean


def sweep(
    store: Store,
    usernames: Sequence[str],
    catalog: Catalog,
    options: SweepOptions | None = None,
    *,
    sites: Sequence[Site] | None = None,
    progress: SweepCallback | None = None,
    cancel: CancelToken | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> SweepRun:
    """Sweep ``usernames`` across ``sites`` (default: every usable site of ``catalog``)."""
    return asyncio.run(
        sweep_async(
            store,
            usernames,
            catalog,
            options,
            sites=sites,
            progress=progress,
            cancel=cancel,
            transport=transport,
        )
    )


async def sweep_async(
    store: Store,
    usernames: Sequence[str],
    catalog: Catalog,
    options: SweepOptions | None = None,
    *,
    sites: Sequence[Site] | None = None,
    progress: SweepCallback | None = None,
    cancel: CancelToken | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> SweepRun:
    options = options or SweepOptions()
    usernames = check_usernames(usernames)
    chosen = tuple(sites) if sites is not None else catalog.usable
    if not chosen:
        raise InputError("No sites to check: the catalog (or your selection) is empty.")
    started = time.monotonic()
    sweep_ids: dict[str, int] = {}
    kept: dict[str, dict[str, dict[str, object]]] = {}
    for name in usernames:
        sweep_ids[name], kept[name] = _open_sweep(store, name, catalog, chosen, options)
    pairs = [(s, u) for u in usernames for s in chosen if s.key not in kept[u]]
    counts = SweepCounts(total=len(chosen) * len(usernames))
    for records in kept.values():
        for record in records.values():
            counts.add(str(record["status"]))
    resumed = counts.done
    writer = _Writer(store, sweep_ids)
    cache = _canary_cache(store)
    unreliable: list[str] = []

    def known_canary(site: Site) -> bool | None:
        status = cache.get((site.key, site.check_hash))
        return {"found": True, "missing": False}.get(status or "")

    def on_result(result: CheckResult) -> None:
        writer.add(result)
        counts.add(result.status)
        if result.reason == "unreliable_check":
            unreliable.append(result.site.name)
        if progress is not None:
            progress(
                SweepProgress(
                    counts.done, counts.total, counts.found, counts.missing, counts.unknown, result
                )
            )

    def on_canary(result: CheckResult) -> None:
        writer.add_canary(result)
        if result.status in ("found", "missing"):
            cache[(result.site.key, result.site.check_hash)] = result.status

    if progress is not None:
        progress(
            SweepProgress(counts.done, counts.total, counts.found, counts.missing, counts.unknown)
        )
    requests = 0
    cancelled = False

    async def flush_regularly() -> None:
        # Verdicts reach the disk within FLUSH_EVERY even while the slow sites keep us waiting.
        while True:
            await asyncio.sleep(FLUSH_EVERY)
            writer.flush()

    flusher = asyncio.ensure_future(flush_regularly())
    try:
        async with Engine(options, transport) as engine:
            await run_checks(
                engine,
                pairs,
                on_result=on_result,
                cancel=cancel,
                canary_known=known_canary,
                on_canary=on_canary,
            )
            requests = engine.requests
        cancelled = bool(cancel and cancel.cancelled)
    except BaseException:
        flusher.cancel()
        writer.flush()
        _finish(store, sweep_ids, "failed")
        raise
    flusher.cancel()
    writer.flush()
    _finish(store, sweep_ids, "cancelled" if cancelled else "finished")
    results = [r for name in usernames for r in _records(store, sweep_ids[name])]
    return SweepRun(
        sweep_ids=sweep_ids,
        results=results,
        counts=counts,
        checked=counts.done - resumed,
        resumed=resumed,
        cancelled=cancelled,
        elapsed_s=time.monotonic() - started,
        requests=requests,
        unreliable=unreliable,
    )


def _finish(store: Store, sweep_ids: dict[str, int], state: str) -> None:
    with store.transaction() as db:
        for sweep_id in sweep_ids.values():
            db.conn.execute(
                "UPDATE sweeps SET state = ?, finished_at = ? WHERE id = ?",
                (state, utcnow(), sweep_id),
            )


# ------------------------------------------------------------------ mine / not mine


@dataclass
class FoundProfile:
    site: str
    username: str
    url: str | None
    category: str | None
    claim: str | None  # 'mine', 'not_mine' or None (not decided yet)
    checked_at: str
    connected: bool = False  # the same account is connected or imported already


def found_profiles(store: Store, username: str | None = None) -> list[FoundProfile]:
    """Profiles found in each username's latest sweep, with the person's decision."""
    query = (
        "SELECT c.site, c.username, c.url, c.category, k.claim, c.checked_at "
        "FROM site_checks c JOIN sweeps s ON s.id = c.sweep_id "
        "LEFT JOIN site_claims k ON k.site = c.site AND k.username = c.username "
        "WHERE c.status = 'found' AND s.id = (SELECT MAX(s2.id) FROM sweeps s2 "
        "  WHERE s2.username = s.username AND s2.state IN ('finished', 'cancelled'))"
    )
    params: tuple[str, ...] = ()
    if username:
        query += " AND c.username = ?"
        params = (username,)
    query += " ORDER BY c.username, c.site COLLATE NOCASE"
    linked = {
        (platform, handle.lower())
        for platform, handle in store.conn.execute(
            "SELECT platform, handle FROM accounts WHERE connection IN ('api', 'import')"
        )
    }
    profiles = [FoundProfile(*row) for row in store.conn.execute(query, params)]
    for profile in profiles:
        profile.connected = (platform_for(profile.site), profile.username.lower()) in linked
    return profiles


def set_claim(store: Store, site: str, username: str, claim: str) -> int | None:
    """Record "mine" or "not mine"; "mine" adds the profile to the accounts (returned id)."""
    if claim not in ("mine", "not_mine", "undecided"):
        raise InputError(f"{claim!r}: say mine, not-mine or undecided.")
    row = store.conn.execute(
        "SELECT c.site, c.url FROM site_checks c WHERE lower(c.site) = lower(?) "
        "AND c.username = ? AND c.status = 'found' ORDER BY c.id DESC LIMIT 1",
        (site, username),
    ).fetchone()
    if row is None:
        raise InputError(
            f"No sweep found {username!r} on {site!r}.",
            hint="See what was found with: footprint found",
        )
    site_name, url = row
    now = utcnow()
    account_id: int | None = None
    with store.transaction() as db:
        previous = db.conn.execute(
            "SELECT k.account_id FROM site_claims k JOIN accounts a ON a.id = k.account_id "
            "WHERE k.site = ? AND k.username = ? AND a.connection = 'sweep'",
            (site_name, username),
        ).fetchone()
        if previous is not None and claim != "mine":
            # Only the row "mine" created goes; connected or imported accounts stay.
            db.conn.execute("DELETE FROM accounts WHERE id = ?", (previous[0],))
        if claim == "undecided":
            db.conn.execute(
                "DELETE FROM site_claims WHERE site = ? AND username = ?", (site_name, username)
            )
            return None
        if claim == "mine":
            platform = platform_for(site_name)
            db.conn.execute(
                "INSERT INTO accounts (platform, handle, url, display_name, connection, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, 'sweep', ?, ?) "
                "ON CONFLICT (platform, handle) DO NOTHING",
                (platform, username, url, site_name, now, now),
            )
            account_id = int(
                db.conn.execute(
                    "SELECT id FROM accounts WHERE platform = ? AND handle = ?",
                    (platform, username),
                ).fetchone()[0]
            )
        db.conn.execute(
            "INSERT INTO site_claims (site, username, claim, account_id, decided_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (site, username) DO UPDATE SET "
            "claim = excluded.claim, account_id = excluded.account_id, "
            "decided_at = excluded.decided_at",
            (site_name, username, claim, account_id, now),
        )
        db.conn.execute(
            "INSERT INTO audit_log (at, actor, action, details) VALUES (?, 'user', ?, ?)",
            (
                now,
                "site_claim",
                json.dumps({"site": site_name, "username": username, "claim": claim}),
            ),
        )
    return account_id


def latest_results(store: Store) -> list[dict[str, object]]:
    """Every verdict of each username's latest sweep, with the person's claim ("mine"...)."""
    latest = [
        row[0]
        for row in store.conn.execute("SELECT MAX(id) FROM sweeps GROUP BY username ORDER BY 1")
    ]
    claims = {
        (site, username): claim
        for site, username, claim in store.conn.execute(
            "SELECT site, username, claim FROM site_claims"
        )
    }
    out: list[dict[str, object]] = []
    for sweep_id in latest:
        for record in _records(store, sweep_id):
            record["claim"] = claims.get((str(record["site"]), str(record["username"])))
            out.append(record)
    return out
