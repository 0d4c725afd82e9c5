"""footprint's local store: one SQLite database (sqlite-utils) in the data directory."""

from footprint.store.database import Store, utcnow
from footprint.store.items import Item, UpsertResult, upsert_items
from footprint.store.migrations import LATEST_VERSION

__all__ = ["LATEST_VERSION", "Item", "Store", "UpsertResult", "upsert_items", "utcnow"]
