"""Take everything out (``export_all``) and erase everything (``wipe``).

A person can always take their data out of footprint and erase it.  The export is one
JSON document written as it is read (it never holds the database in memory); JSON
columns are embedded as JSON, not as strings.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from footprint import __version__
from footprint.store.database import utcnow

if TYPE_CHECKING:
    from footprint.secrets import SecretStore
    from footprint.store.database import Store

log = logging.getLogger(__name__)
JSON_COLUMNS = {"raw", "evidence", "params", "details", "sync_state"}
# Entries of the data directory that footprint creates; wipe removes exactly these.
OWNED_ENTRIES = (
    ".demo-pid",
    "footprint.db",
    "footprint.db-wal",
    "footprint.db-shm",
    "footprint.db-journal",
    "backups",
    "logs",
    "cache",
    "exports",
)


def exportable_tables(store: Store) -> list[str]:
    rows = store.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'items_fts%' ORDER BY name"
    )
    return [name for (name,) in rows]


def _decode(column: str, value: Any) -> Any:
    if column in JSON_COLUMNS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def export_all(store: Store, out: TextIO) -> dict[str, int]:
    """Write every table as JSON to ``out``; returns the number of rows per table."""
    counts: dict[str, int] = {}
    header = {
        "format": "footprint-export",
        "format_version": 1,
        "footprint_version": __version__,
        "schema_version": store.schema_version,
        "exported_at": utcnow(),
    }
    out.write("{\n")
    for key, value in header.items():
        out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
    out.write('  "tables": {')
    # One read transaction, so the export is a consistent snapshot even while others write.
    store.conn.execute("BEGIN")
    try:
        for t_index, table in enumerate(exportable_tables(store)):
            out.write("," if t_index else "")
            out.write(f"\n    {json.dumps(table)}: [")
            cursor = store.conn.execute(f"SELECT * FROM [{table}] ORDER BY rowid")
            columns = [d[0] for d in cursor.description]
            count = 0
            for row in cursor:
                record = {c: _decode(c, v) for c, v in zip(columns, row, strict=True)}
                out.write("," if count else "")
                out.write("\n      " + json.dumps(record, ensure_ascii=False))
                count += 1
            out.write("\n    ]" if count else "]")
            counts[table] = count
    finally:
        store.conn.execute("ROLLBACK")
    out.write("\n  }\n}\n")
    return counts


@dataclass
class WipeResult:
    removed: list[str] = field(default_factory=list)
    secrets_deleted: int = 0
    secrets_failed: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


def wipe(home: Path, secret_names: list[str], secrets: SecretStore) -> WipeResult:
    """Delete footprint's secrets from the keyring and its files from ``home``.

    The caller closes every open Store and log file first.  Files footprint did not
    create are left alone and listed in the result.
    """
    from footprint.errors import FootprintError

    result = WipeResult()
    for name in secret_names:
        try:
            if secrets.delete(name):
                result.secrets_deleted += 1
        except FootprintError:
            result.secrets_failed.append(name)
    for entry in OWNED_ENTRIES:
        path = home / entry
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            continue
        result.removed.append(entry)
    if home.is_dir():
        result.left = sorted(p.name for p in home.iterdir())
        if not result.left:
            home.rmdir()
    return result
