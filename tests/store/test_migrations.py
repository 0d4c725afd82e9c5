from __future__ import annotations

import hashlib
import sqlite3

import pytest

from footprint.errors import MigrationError, SchemaTooNewError, StoreError
from footprint.store import LATEST_VERSION, Store
from footprint.store import migrations as mig
from footprint.store.profile import add_identifiers, get_profile
from tests.helpers import pretend_newer_footprint_wrote

EXPECTED_TABLES = {
    "schema_version",
    "person_identifiers",
    "accounts",
    "sweeps",
    "site_checks",
    "site_claims",
    "items",
    "findings",
    "finding_events",
    "cleanup_actions",
    "backups",
    "score_snapshots",
    "audit_log",
    "app_settings",
    "items_fts",
}


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fresh_database_gets_every_migration(home):
    with Store.open(home) as store:
        assert store.schema_version == LATEST_VERSION == 7
        assert set(store.db.table_names()) >= EXPECTED_TABLES
        versions = [r[0] for r in store.conn.execute("SELECT version FROM schema_version")]
        assert versions == [1, 2, 3, 4, 5, 6, 7]
    # a fresh database has nothing to back up
    assert not (home / "backups").exists() or not list((home / "backups").iterdir())


def test_reopening_runs_nothing(home):
    Store.open(home).close()
    with Store.open(home) as store:
        assert mig.migrate(store, home / "backups") == []


def test_upgrade_keeps_data_and_copies_the_old_database_first(home):
    with Store.open(home, target_version=1) as old:
        assert old.schema_version == 1
        assert "items_fts" not in old.db.table_names()
        add_identifiers(old, "username", ["oldname"])
        # written as the version-1 code wrote it (today's code expects today's schema)
        old.conn.execute(
            "INSERT INTO items (platform, kind, platform_id, text, source, content_hash, "
            "first_seen_at, updated_at) VALUES ('x', 'post', '1', "
            "'written before the search index existed', 'test', 'h', 'now', 'now')"
        )
    with Store.open(home) as store:
        assert store.schema_version == LATEST_VERSION
        assert get_profile(store).of("username") == ["oldname"]
        hits = store.conn.execute(
            "SELECT rowid FROM items_fts WHERE items_fts MATCH 'search'"
        ).fetchall()
        assert len(hits) == 1
    copies = list((home / "backups").glob("footprint-before-v2-*.db"))
    assert len(copies) == 1
    assert oct(copies[0].stat().st_mode & 0o777) == "0o600"
    copy = sqlite3.connect(copies[0])
    assert copy.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1
    assert copy.execute("SELECT text FROM items").fetchone()[0].startswith("written before")
    copy.close()


def test_database_from_a_newer_footprint_is_refused_untouched(home):
    Store.open(home).close()
    pretend_newer_footprint_wrote(home)
    before = _digest(home / "footprint.db")
    with pytest.raises(SchemaTooNewError) as caught:
        Store.open(home)
    assert "newer version of footprint" in caught.value.message
    assert "99" in caught.value.message
    assert _digest(home / "footprint.db") == before


def test_a_failing_migration_changes_nothing(home, monkeypatch):
    Store.open(home).close()

    def broken(db):
        db.execute("CREATE TABLE half_done (x)")
        db.execute("INSERT INTO no_such_table VALUES (1)")

    broken_version = LATEST_VERSION + 1
    monkeypatch.setattr(
        mig, "MIGRATIONS", (*mig.MIGRATIONS, mig.Migration(broken_version, "broken", broken))
    )
    monkeypatch.setattr(mig, "LATEST_VERSION", broken_version)
    with pytest.raises(MigrationError) as caught:
        Store.open(home)
    assert "could not upgrade" in caught.value.message
    assert "backups" in caught.value.message
    monkeypatch.undo()
    with Store.open(home) as store:
        assert store.schema_version == LATEST_VERSION
        assert "half_done" not in store.db.table_names()


def test_a_foreign_sqlite_file_is_not_taken_over(home):
    home.mkdir(mode=0o700, parents=True)
    raw = sqlite3.connect(home / "footprint.db")
    raw.execute("CREATE TABLE recipes (name)")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="not a footprint database"):
        Store.open(home)


def test_a_damaged_file_gives_a_clear_error(home):
    home.mkdir(mode=0o700, parents=True)
    (home / "footprint.db").write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError) as caught:
        Store.open(home)
    assert "cannot be read" in caught.value.message


def test_old_backups_are_pruned(home):
    with Store.open(home) as store:
        for _ in range(mig.KEEP_BACKUPS + 3):
            mig.backup_database(store, home / "backups", "before-v9")
    assert len(list((home / "backups").iterdir())) == mig.KEEP_BACKUPS


def _open_in_parallel(home, processes=4, rounds=5):
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from footprint.store import Store\n"
        f"for _ in range({rounds}):\n"
        f"    Store.open({str(home)!r}).close()\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    return [(p.wait(timeout=120), p.stderr.read()) for p in procs]


def test_several_processes_can_create_the_database_at_once(home):
    results = _open_in_parallel(home)
    assert all(code == 0 for code, _ in results), results
    with Store.open(home) as store:
        versions = [r[0] for r in store.conn.execute("SELECT version FROM schema_version")]
    assert versions == list(range(1, LATEST_VERSION + 1))


def test_several_processes_can_upgrade_the_database_at_once(home):
    Store.open(home, target_version=1).close()
    results = _open_in_parallel(home)
    assert all(code == 0 for code, _ in results), results
    with Store.open(home) as store:
        assert store.schema_version == LATEST_VERSION


def test_a_foreign_file_is_refused_before_anything_changes(home):
    home.mkdir(mode=0o700, parents=True)
    path = home / "footprint.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE recipes (name)")
    raw.commit()
    raw.close()
    path.chmod(0o644)
    before = _digest(path)
    with pytest.raises(StoreError):
        Store.open(home)
    assert _digest(path) == before
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert not (home / "footprint.db-wal").exists()
