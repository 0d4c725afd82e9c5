"""Confirming fixes the person made by hand: "done" becomes "verified" only on evidence.

Three kinds of evidence, never a guess:

- **An old account is gone**: a sweep after the person marked it done no longer finds the
  profile (its latest site check says "missing", not merely "unknown").
- **A post is gone**: its address now answers 404 or 410.  Any other answer (a login wall,
  a redirect, an error) proves nothing, so the finding stays "done".  Only public posts of
  the person's own accounts are asked about, on the same site as the account.
- **A fix holds later on**: verified automated fixes are checked again after
  :data:`RECHECK_DAYS` (see :func:`footprint.cleanup.actions.verify_actions`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from footprint.store.database import utcnow

if TYPE_CHECKING:
    from footprint.net import NetworkOptions
    from footprint.progress import CancelToken
    from footprint.store import Store

GONE = (404, 410)
PARALLEL = 4


@dataclass
class HandChecks:
    accounts_gone: int = 0
    posts_gone: int = 0
    still_there: int = 0
    unsure: int = 0


def _verify(store: Store, finding_id: int, note: str) -> None:
    now = utcnow()
    with store.transaction() as db:
        changed = db.conn.execute(
            "UPDATE findings SET state = 'verified', updated_at = ? "
            "WHERE id = ? AND state = 'done'",
            (now, finding_id),
        ).rowcount
        if changed:
            db.conn.execute(
                "INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, note) "
                "VALUES (?, ?, 'footprint', 'done', 'verified', ?)",
                (finding_id, now, note),
            )


def verify_found_accounts(store: Store) -> HandChecks:
    """Old accounts marked done that a later sweep no longer finds become verified."""
    result = HandChecks()
    rows = store.conn.execute(
        "SELECT f.id, f.updated_at, a.display_name, a.platform, a.handle FROM findings f "
        "JOIN accounts a ON a.id = f.account_id "
        "WHERE f.state = 'done' AND f.item_id IS NULL AND a.connection = 'sweep'"
    ).fetchall()
    for finding_id, marked_at, site, platform, handle in rows:
        latest = store.conn.execute(
            "SELECT status, checked_at FROM site_checks WHERE (lower(site) = lower(?) OR "
            "lower(site) = lower(?)) AND username = ? ORDER BY checked_at DESC LIMIT 1",
            (site or platform, platform, handle),
        ).fetchone()
        if latest is None or latest[1] <= marked_at:
            continue  # no sweep since it was marked done
        if latest[0] == "missing":
            _verify(store, finding_id, "a later sweep no longer finds the profile")
            result.accounts_gone += 1
        elif latest[0] == "found":
            result.still_there += 1
        else:
            result.unsure += 1
    return result


async def verify_post_urls(
    store: Store, *, options: NetworkOptions | None = None, token: CancelToken | None = None
) -> HandChecks:
    """Posts marked done whose address now answers 404/410 become verified."""
    from footprint.net import NetworkOptions, async_client

    result = HandChecks()
    rows = store.conn.execute(
        "SELECT f.id, i.url, a.url FROM findings f JOIN items i ON i.id = f.item_id "
        "JOIN accounts a ON a.id = i.account_id "
        "WHERE f.state = 'done' AND i.url IS NOT NULL AND i.visibility = 'public' "
        "AND i.kind IN ('post', 'reply', 'comment')"
    ).fetchall()
    # Only the person's own posts on the site of their own account: a 404 for a private
    # post, or for somebody else's post they commented on, would prove nothing.
    targets = [
        (fid, url)
        for fid, url, home in rows
        if urlsplit(url).scheme in ("http", "https")
        and home
        and urlsplit(url).hostname == urlsplit(home).hostname
    ]
    if not targets:
        return result
    gate = asyncio.Semaphore(PARALLEL)
    async with async_client(options or NetworkOptions(), max_connections=PARALLEL) as client:

        async def status(url: str) -> int | None:
            async with gate:
                if token is not None:
                    token.check("The check")
                try:
                    response = await client.get(url)
                except Exception:  # a dead connection proves nothing either way
                    return None
                return response.status_code

        answers = await asyncio.gather(*(status(url) for _, url in targets))
    for (finding_id, _), code in zip(targets, answers, strict=True):
        if code in GONE:
            _verify(store, finding_id, f"its address now answers {code}")
            result.posts_gone += 1
        elif code == 200:
            result.still_there += 1
        else:
            result.unsure += 1
    return result
