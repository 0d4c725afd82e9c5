"""Take everything out (``export_all``) and erase everything (``wipe``).

A person can always take their data out of footprint and erase it.  The export is one
JSON document written as it is read (it never holds the database in memory); JSON
columns are embedded as JSON, not as strings.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from footprint import __version__
from footprint.errors import ConfigError, FootprintError, InputError, KeyringUnavailableError
from footprint.paths import MARKER, backups_dir, db_path, logs_dir
from footprint.store.database import utcnow

if TYPE_CHECKING:
    from footprint.secrets import SecretStore
    from footprint.store.database import Store

log = logging.getLogger(__name__)
JSON_COLUMNS = {"raw", "evidence", "params", "details", "sync_state"}
_DB_SUFFIXES = ("", "-wal", "-shm", "-journal")


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


def export_to_file(store: Store, target: Path) -> dict[str, int]:
    """:func:`export_all` into ``target``, atomically: a complete file or none (owner-only).

    Written to a temporary file beside it, synced, then renamed over it; on any error the
    temporary file goes and ``target`` is as it was.
    """
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"The folder {directory} does not exist.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    except OSError as exc:
        raise InputError(f"Could not write to {directory}: {exc.strerror or exc}.") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            result = export_all(store, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"Could not write {target}: {exc.strerror or exc}.") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


@dataclass
class WipeResult:
    removed: int = 0
    secrets_deleted: int = 0
    secrets_unknown: bool = False
    left: list[str] = field(default_factory=list)


def read_secret_refs(home: Path) -> list[str] | None:
    """Keyring entry names recorded in the database, read without changing it (None: unreadable)."""
    path = db_path(home)
    if not path.exists():
        return []
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "accounts" not in tables:
                return []
            rows = conn.execute("SELECT secret_ref FROM accounts WHERE secret_ref IS NOT NULL")
            refs = [ref for (ref,) in rows]
            # Entries that belong to no account (the HIBP API key): "secret_ref.*" settings.
            if "app_settings" in tables:
                refs += [
                    ref
                    for (ref,) in conn.execute(
                        "SELECT value FROM app_settings WHERE key LIKE 'secret\\_ref.%' ESCAPE '\\'"
                    )
                ]
            return refs
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def wipe(home: Path, secrets: SecretStore, *, leave_secrets: bool = False) -> WipeResult:
    """Delete footprint's keyring entries, then the files footprint made in ``home``.

    Refuses a folder that is not footprint's.  If a keyring entry cannot be deleted, nothing
    is erased (the database is the only record of which entries are footprint's) unless
    ``leave_secrets`` is given.  The caller closes every open Store and log file first.
    """
    if not (home / MARKER).exists() and not db_path(home).exists():
        raise ConfigError(f"{home} is not a footprint data folder; nothing was erased.")
    result = WipeResult()
    names = read_secret_refs(home)
    if names is None:
        result.secrets_unknown = True
        names = []
    if not leave_secrets:
        failed = []
        for name in names:
            try:
                result.secrets_deleted += secrets.delete(name)
            except FootprintError:
                failed.append(name)
        if failed:
            raise KeyringUnavailableError(
                f"footprint could not delete {len(failed)} secret(s) from your keyring "
                f"({', '.join(failed)}), so nothing was erased.",
                hint="Unlock your keyring and run wipe again, or use --leave-secrets to erase "
                "the data anyway and remove those keyring entries yourself.",
            )
    candidates = [db_path(home).with_name(db_path(home).name + s) for s in _DB_SUFFIXES]
    candidates += [home / ".demo-pid"]
    candidates += sorted(backups_dir(home).glob("footprint-*.db"))
    candidates += sorted(logs_dir(home).glob("footprint.log*"))
    for path in candidates:
        if path.is_file() or path.is_symlink():
            path.unlink()
            result.removed += 1
    for folder in (backups_dir(home), logs_dir(home)):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty: files footprint did not make stay
    result.left = sorted(p.name for p in home.iterdir() if p.name != MARKER)
    if not result.left:
        (home / MARKER).unlink(missing_ok=True)
        home.rmdir()
    return result
