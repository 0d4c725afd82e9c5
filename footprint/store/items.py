"""Items: every post, comment, profile field and settings observation, in one shape.

An item is unique per (platform, kind, platform_id): importing the same export twice,
or syncing an account again, updates what changed and never adds a duplicate.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from footprint.store.database import utcnow

if TYPE_CHECKING:
    from footprint.store.database import Store

BATCH_SIZE = 500


@dataclass
class Item:
    platform: str
    kind: str
    platform_id: str
    text: str | None = None
    created_at: str | None = None
    url: str | None = None
    visibility: str | None = None
    title: str | None = None
    parent_id: str | None = None
    account_id: int | None = None
    source: str = "manual"
    raw: Any = None

    def content_hash(self) -> str:
        payload = json.dumps(
            [
                self.text,
                self.title,
                self.created_at,
                self.url,
                self.visibility,
                self.parent_id,
                self.account_id,
                self.raw,
            ],
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.platform, self.kind, self.platform_id)


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    keys: list[tuple[str, str, str]] = field(default_factory=list, repr=False)

    def add(self, other: UpsertResult) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


_INSERT = (
    "INSERT INTO items (platform, kind, platform_id, account_id, parent_id, title, text, "
    "created_at, url, visibility, source, raw, content_hash, first_seen_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE = (
    "UPDATE items SET account_id = COALESCE(?, account_id), parent_id = ?, title = ?, "
    "text = ?, created_at = ?, url = ?, visibility = ?, source = ?, raw = ?, "
    "content_hash = ?, updated_at = ? WHERE platform = ? AND kind = ? AND platform_id = ?"
)


def upsert_items(store: Store, items: Iterable[Item], batch_size: int = BATCH_SIZE) -> UpsertResult:
    """Insert new items and update changed ones, in one transaction, streaming in batches."""
    result = UpsertResult()
    with store.transaction() as db:
        for batch in _batches(items, batch_size):
            latest: dict[tuple[str, str, str], Item] = {}
            for item in batch:
                if not (item.platform and item.kind and item.platform_id):
                    raise ValueError(f"an item needs platform, kind and platform_id: {item.key}")
                latest[item.key] = item  # the last copy of a key within a batch wins
            result.unchanged += len(batch) - len(latest)
            existing = _existing_hashes(db.conn, list(latest))
            now = utcnow()
            inserts, updates = [], []
            for key, item in latest.items():
                digest = item.content_hash()
                raw = None if item.raw is None else json.dumps(item.raw, ensure_ascii=False)
                fields = (
                    item.account_id,
                    item.parent_id,
                    item.title,
                    item.text,
                    item.created_at,
                    item.url,
                    item.visibility,
                    item.source,
                    raw,
                    digest,
                )
                if key not in existing:
                    inserts.append((*key, *fields, now, now))
                elif existing[key] != digest:
                    updates.append((*fields, now, *key))
                else:
                    result.unchanged += 1
            db.conn.executemany(_INSERT, inserts)
            db.conn.executemany(_UPDATE, updates)
            result.inserted += len(inserts)
            result.updated += len(updates)
    return result


def _existing_hashes(
    conn: Any, keys: list[tuple[str, str, str]]
) -> dict[tuple[str, str, str], str]:
    found: dict[tuple[str, str, str], str] = {}
    # SQLite allows 32766 variables; three per key keeps each query well under that.
    for start in range(0, len(keys), 300):
        chunk = keys[start : start + 300]
        values = ", ".join(["(?, ?, ?)"] * len(chunk))
        params = [part for key in chunk for part in key]
        rows = conn.execute(
            "SELECT platform, kind, platform_id, content_hash FROM items "
            f"WHERE (platform, kind, platform_id) IN (VALUES {values})",
            params,
        )
        for platform, kind, platform_id, digest in rows:
            found[(platform, kind, platform_id)] = digest
    return found


def count_items(store: Store) -> dict[str, int]:
    """Number of items per platform."""
    rows = store.conn.execute(
        "SELECT platform, COUNT(*) FROM items GROUP BY platform ORDER BY 2 DESC"
    )
    return {platform: count for platform, count in rows}
