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
    raw_text: str | None = None  # the raw JSON exactly as the export had it (saves re-encoding)
    likes: int | None = None  # read through an API; not part of the content (see V6)

    def raw_json(self) -> str | None:
        if self.raw_text is not None:
            return self.raw_text
        return None if self.raw is None else json.dumps(self.raw, ensure_ascii=False, default=str)

    def content_hash(self, raw_json: str | None = None) -> str:
        """A digest of everything but the identity, to tell a changed item from the same one."""
        if raw_json is None:
            raw_json = self.raw_json()
        parts = (
            self.text,
            self.title,
            self.created_at,
            self.url,
            self.visibility,
            self.parent_id,
            self.account_id,
            raw_json,
        )
        payload = "\x1f".join("\x00" if p is None else str(p) for p in parts)
        return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()

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
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (platform, kind, platform_id) DO NOTHING"
)
# Runs for every item after the insert: changes only those that exist with other content.
_UPDATE = (
    "UPDATE items SET account_id = COALESCE(?, account_id), parent_id = ?, title = ?, "
    "text = ?, created_at = ?, url = ?, visibility = ?, source = ?, raw = ?, "
    "content_hash = ?, updated_at = ? "
    "WHERE platform = ? AND kind = ? AND platform_id = ? AND content_hash != ?"
)


def upsert_items(store: Store, items: Iterable[Item], batch_size: int = BATCH_SIZE) -> UpsertResult:
    """Insert new items and update changed ones, in one transaction, streaming in batches."""
    result = UpsertResult()
    likes: dict[tuple[str, str, str], int] = {}
    with store.transaction() as db:
        newest_before = db.conn.execute("SELECT COALESCE(MAX(id), 0) FROM items").fetchone()[0]
        for batch in _batches(items, batch_size):
            latest: dict[tuple[str, str, str], Item] = {}
            for item in batch:
                if not (item.platform and item.kind and item.platform_id):
                    raise ValueError(f"an item needs platform, kind and platform_id: {item.key}")
                latest[item.key] = item  # the last copy of a key within a batch wins
                if item.likes is not None:
                    likes[item.key] = item.likes
            now = utcnow()
            inserts, updates = [], []
            for key, item in latest.items():
                raw = item.raw_json()
                digest = item.content_hash(raw)
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
                inserts.append((*key, *fields, now, now))
                updates.append((*fields, now, *key, digest))
            inserted = db.conn.executemany(_INSERT, inserts).rowcount
            # When every item was new there is nothing to compare (a first import).
            updated = (
                db.conn.executemany(_UPDATE, updates).rowcount if inserted < len(latest) else 0
            )
            result.inserted += inserted
            result.updated += updated
            result.unchanged += len(batch) - inserted - updated
        if likes:
            db.conn.executemany(
                "UPDATE items SET likes = ? WHERE platform = ? AND kind = ? AND platform_id = ? "
                "AND likes IS NOT ?",
                [(n, *key, n) for key, n in likes.items()],
            )
        if result.inserted:
            db.conn.execute(
                "INSERT INTO items_fts (rowid, title, text) "
                "SELECT id, title, text FROM items WHERE id > ?",
                (newest_before,),
            )
    return result


def count_items(store: Store) -> dict[str, int]:
    """Number of items per platform."""
    rows = store.conn.execute(
        "SELECT platform, COUNT(*) FROM items GROUP BY platform ORDER BY 2 DESC"
    )
    return {platform: count for platform, count in rows}
