"""Small helpers shared by the tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def pretend_newer_footprint_wrote(home: Path, version: int = 99) -> None:
    """Mark the database in ``home`` as written by a future footprint (schema ``version``)."""
    raw = sqlite3.connect(home / "footprint.db")
    raw.execute(
        "INSERT INTO schema_version VALUES (?, 'from the future', '2030-01-01T00:00:00Z')",
        (version,),
    )
    raw.commit()
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
