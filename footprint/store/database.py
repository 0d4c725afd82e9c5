"""The local SQLite store: one owner-only database file, WAL, foreign keys, transactions."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import sqlite_utils

from footprint.errors import StoreError
from footprint.paths import backups_dir, data_dir, db_path, prepare_home

log = logging.getLogger(__name__)


def utcnow() -> str:
    """The current time as the ISO 8601 UTC text every table uses (``...Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _create_private_file(path: Path) -> None:
    """Create ``path`` readable and writable by its owner only (0600 on POSIX)."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    path.chmod(0o600)  # the umask may have narrowed it further; make it exactly 0600


def _tighten(path: Path) -> None:
    if path.exists() and stat.S_IMODE(path.stat().st_mode) != 0o600:
        path.chmod(0o600)


class Store:
    """An open footprint database.

    ``db`` is a :class:`sqlite_utils.Database` in SQLite autocommit mode; every multi-row
    write goes through :meth:`transaction`, so a crash leaves the previous state.
    One Store per thread (SQLite connections are not shared across threads).
    """

    def __init__(self, home: Path, db: sqlite_utils.Database) -> None:
        self.home = home
        self.path = db_path(home)
        self.db = db

    @classmethod
    def open(cls, home: Path | str | None = None, *, target_version: int | None = None) -> Store:
        """Open (creating if needed) the database in ``home`` and bring its schema up to date.

        ``target_version`` stops the migrations early; tests use it to build old databases.
        """
        from footprint.store.migrations import migrate, precheck

        home = prepare_home(Path(home) if home is not None else data_dir())
        path = db_path(home)
        try:
            precheck(path)
        except sqlite3.DatabaseError as exc:
            raise _unreadable(path, exc) from exc
        try:
            if not path.exists():
                _create_private_file(path)
            _tighten(path)
            conn = sqlite3.connect(path, isolation_level=None, timeout=15.0)
        except OSError as exc:
            raise StoreError(
                f"footprint cannot create its database at {path}: {exc.strerror or exc}.",
                hint="Check that there is free disk space and the folder is writable.",
            ) from exc
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 15000")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("SQLite refused WAL mode (got %s) for %s", mode, path)
            conn.execute("PRAGMA synchronous = FULL")
            store = cls(home, sqlite_utils.Database(conn))
            migrate(store, backups_dir(home), target=target_version)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _unreadable(path, exc) from exc
        except BaseException:
            conn.close()
            raise
        for suffix in ("-wal", "-shm"):
            _tighten(path.with_name(path.name + suffix))
        return store

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """All writes inside commit together or not at all (nested blocks use savepoints)."""
        if self.conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            self._reraise(exc)
        try:
            yield self.db
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._rollback()
            self._reraise(exc)
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    def _reraise(self, exc: sqlite3.OperationalError) -> NoReturn:
        error = environment_error(self.path, exc)
        if error is not None:
            raise error from exc
        raise exc

    @property
    def schema_version(self) -> int:
        from footprint.store.migrations import current_version

        return current_version(self.db)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("PRAGMA optimize")
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _unreadable(path: Path, exc: sqlite3.DatabaseError) -> StoreError:
    if isinstance(exc, sqlite3.OperationalError):
        error = environment_error(path, exc)
        if error is not None:
            return error
    return StoreError(
        f"The footprint database at {path} cannot be read: {exc}.",
        hint="If the file was damaged, restore a copy from the backups folder next to it.",
    )


def environment_error(path: Path, exc: sqlite3.OperationalError) -> StoreError | None:
    """A StoreError for failures caused by the machine (disk full, locked, read-only)."""
    text = str(exc).lower()
    if "full" in text:
        reason = "the disk is full"
    elif "locked" in text or "busy" in text:
        reason = "another footprint window or command is using the database"
    elif "readonly" in text or "read-only" in text:
        reason = "the database file is read-only"
    elif "disk i/o" in text:
        reason = "the disk reported an input/output error"
    else:
        return None
    return StoreError(
        f"footprint could not save changes to {path}: {reason}.",
        hint="Nothing was changed. Fix the cause and try again.",
        details=str(exc),
    )


def get_setting(store: Store, key: str) -> str | None:
    """A value of the app's own settings table (never a secret: those live in the keyring)."""
    row = store.conn.execute("SELECT value FROM app_settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_setting(store: Store, key: str, value: str | None) -> None:
    """Store ``value`` under ``key`` (None removes it), in the caller's transaction if any."""
    with store.transaction() as db:
        if value is None:
            db.conn.execute("DELETE FROM app_settings WHERE key = ?", (key,))
        else:
            db.conn.execute(
                "INSERT INTO app_settings (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (key, value, utcnow()),
            )
