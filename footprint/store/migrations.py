"""Versioned schema migrations.

Each migration runs in one transaction together with the row that records it in
``schema_version``.  Before migrating an existing database, a consistent copy of it is
taken into the backups folder.  A database written by a newer footprint is refused
before anything is touched.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from footprint.errors import MigrationError, SchemaTooNewError, StoreError
from footprint.paths import ensure_private_dir
from footprint.store.database import _create_private_file, utcnow
from footprint.store.schema import (
    V1_SCHEMA,
    V2_SCHEMA,
    V3_SCHEMA,
    V4_SCHEMA,
    V5_SCHEMA,
    V6_SCHEMA,
    V7_SCHEMA,
)

if TYPE_CHECKING:
    from footprint.store.database import Store

log = logging.getLogger(__name__)
KEEP_BACKUPS = 5


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite_utils.Database], None]


def _run_script(statements: tuple[str, ...]) -> Callable[[sqlite_utils.Database], None]:
    def apply(db: sqlite_utils.Database) -> None:
        # executescript() would COMMIT the open transaction; run statement by statement.
        for statement in statements:
            db.execute(statement)

    return apply


def _v2_build_search_index(db: sqlite_utils.Database) -> None:
    _run_script(V2_SCHEMA)(db)
    db.execute("INSERT INTO items_fts(items_fts) VALUES ('rebuild')")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _run_script(V1_SCHEMA)),
    Migration(2, "full-text search over items; app settings", _v2_build_search_index),
    Migration(3, "import history", _run_script(V3_SCHEMA)),
    Migration(4, "checklist: checked items, finding titles and details", _run_script(V4_SCHEMA)),
    Migration(5, "discovery: sweep catalogs, check details, canary cache", _run_script(V5_SCHEMA)),
    Migration(6, "cleanup: likes per item, apart from its content", _run_script(V6_SCHEMA)),
    Migration(7, "exposure: breach, Gravatar and search checks", _run_script(V7_SCHEMA)),
)
LATEST_VERSION = MIGRATIONS[-1].version


def current_version(db: sqlite_utils.Database) -> int:
    if not db["schema_version"].exists():
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def check_compatible(path: Path, version: int, tables: list[str]) -> None:
    """Refuse a database from a newer footprint, or one that is not footprint's at all."""
    if version > LATEST_VERSION:
        raise SchemaTooNewError(
            f"The data in {path} was written by a newer version of footprint "
            f"(data format {version}; this version understands up to {LATEST_VERSION}).",
            hint="Update footprint to open it. Nothing was changed.",
        )
    foreign = [t for t in tables if not t.startswith("sqlite_")]
    if version == 0 and foreign:
        raise StoreError(
            f"{path} is not a footprint database (it has tables: "
            f"{', '.join(sorted(foreign)[:5])}).",
            hint="Move that file away, or point FOOTPRINT_HOME at another folder.",
        )


def precheck(path: Path) -> None:
    """Run :func:`check_compatible` through a read-only connection, before anything is changed."""
    if not path.exists() or path.stat().st_size == 0:
        return
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=15.0)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        version = 0
        if "schema_version" in tables:
            version = int(
                conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
            )
    finally:
        conn.close()
    check_compatible(path, version, tables)


def migrate(store: Store, backups: Path, target: int | None = None) -> list[int]:
    """Bring the store's schema to ``target`` (default: the latest); returns what ran.

    Safe when several footprint processes open one database at once: each migration
    re-reads the version inside its write transaction and skips what another applied.
    """
    target = LATEST_VERSION if target is None else target
    db = store.db
    version = current_version(db)
    check_compatible(store.path, version, db.table_names())
    pending = [m for m in MIGRATIONS if version < m.version <= target]
    if not pending:
        return []
    backup: Path | None = None
    if version > 0:
        backup = backup_database(store, backups, f"before-v{pending[0].version}")
    applied = []
    for migration in pending:
        log.info(
            "migrating %s to schema %d (%s)", store.path, migration.version, migration.description
        )
        try:
            with store.transaction() as tx:
                if current_version(tx) >= migration.version:
                    continue  # another process applied it while we waited for the lock
                migration.apply(tx)
                tx.execute(
                    "INSERT INTO schema_version (version, description, applied_at) "
                    "VALUES (?, ?, ?)",
                    [migration.version, migration.description, utcnow()],
                )
        except StoreError:
            raise
        except sqlite3.Error as exc:
            where = (
                f" A copy of your data from before the upgrade is in {backup}." if backup else ""
            )
            raise MigrationError(
                f"footprint could not upgrade its data to format {migration.version} "
                f"({migration.description}); nothing was changed.{where}",
                hint="Please report this problem; the details say what failed.",
                details=f"{type(exc).__name__}: {exc}",
            ) from exc
        applied.append(migration.version)
    return applied


def backup_database(store: Store, backups: Path, label: str) -> Path:
    """Copy the database consistently (SQLite's online backup) into ``backups``."""
    ensure_private_dir(backups)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backups / f"footprint-{label}-{stamp}.db"
    _create_private_file(target)
    dest = sqlite3.connect(target)
    try:
        store.conn.backup(dest)
    except sqlite3.Error as exc:
        dest.close()
        target.unlink(missing_ok=True)
        raise StoreError(
            f"footprint could not copy its data to {target} before upgrading it: {exc}.",
            hint="Check that there is free disk space. Nothing was changed.",
        ) from exc
    finally:
        dest.close()
    _prune(backups)
    log.info("copied the database to %s", target)
    return target


def _prune(backups: Path) -> None:
    copies = sorted(backups.glob("footprint-before-*.db"), key=lambda p: p.stat().st_mtime)
    for old in copies[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)
