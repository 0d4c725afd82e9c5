from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from footprint.store import Item, Store, upsert_items
from footprint.store.database import utcnow


def _mode(path):
    return oct(path.stat().st_mode & 0o777)


def test_files_are_owner_only(home):
    with Store.open(home) as store:
        upsert_items(store, [Item("x", "post", "1", text="hi")])
        assert _mode(home) == "0o700"
        assert _mode(home / "footprint.db") == "0o600"
        assert _mode(home / "footprint.db-wal") == "0o600"
        assert _mode(home / "footprint.db-shm") == "0o600"


def test_loose_permissions_are_tightened(home):
    home.mkdir(mode=0o755, parents=True)
    os.chmod(home, 0o755)
    Store.open(home).close()
    os.chmod(home / "footprint.db", 0o644)
    Store.open(home).close()
    assert _mode(home) == "0o700"
    assert _mode(home / "footprint.db") == "0o600"


def test_wal_and_foreign_keys(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO finding_events (finding_id, at, actor, to_state) "
            "VALUES (999, ?, 'user', 'open')",
            (utcnow(),),
        )


def test_finding_state_rules_are_enforced(store):
    now = utcnow()
    insert = (
        "INSERT INTO findings (rule_id, category, severity, subject, state, state_reason, "
        "first_seen_at, last_seen_at, updated_at) VALUES (?, 'c', 'high', ?, ?, ?, ?, ?, ?)"
    )
    with pytest.raises(sqlite3.IntegrityError):  # dismissed needs a reason
        store.conn.execute(insert, ("r", "s1", "dismissed", None, now, now, now))
    store.conn.execute(insert, ("r", "s1", "dismissed", "it is a song lyric", now, now, now))
    with pytest.raises(sqlite3.IntegrityError):  # not a state
        store.conn.execute(insert, ("r", "s2", "gone", None, now, now, now))


def test_transaction_rolls_back_on_error(store):
    upsert_items(store, [Item("x", "post", "keep", text="before")])
    with pytest.raises(RuntimeError), store.transaction():
        upsert_items(store, [Item("x", "post", str(i), text="new") for i in range(1000)])
        store.conn.execute("UPDATE items SET text = 'changed' WHERE platform_id = 'keep'")
        raise RuntimeError("crash in the middle")
    rows = store.conn.execute("SELECT platform_id, text FROM items").fetchall()
    assert rows == [("keep", "before")]


def test_nested_transactions_use_savepoints(store):
    with store.transaction():
        upsert_items(store, [Item("x", "post", "outer")])
        with pytest.raises(ValueError), store.transaction():
            upsert_items(store, [Item("x", "post", "inner")])
            raise ValueError
    ids = [r[0] for r in store.conn.execute("SELECT platform_id FROM items")]
    assert ids == ["outer"]


def test_a_killed_process_leaves_the_previous_state(home):
    with Store.open(home) as store:
        upsert_items(store, [Item("x", "post", "committed", text="safe")])
    script = textwrap.dedent(f"""
        import os, signal
        from footprint.store import Item, Store, upsert_items
        store = Store.open({str(home)!r})
        with store.transaction():
            upsert_items(store, (Item("x", "post", str(i), text="half") for i in range(20000)))
            store.conn.execute("DELETE FROM items WHERE platform_id = 'committed'")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert proc.returncode == -9, proc.stderr
    with Store.open(home) as store:
        rows = store.conn.execute("SELECT platform_id, text FROM items").fetchall()
        assert rows == [("committed", "safe")]
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_disk_full_is_a_clear_error_and_loses_nothing(store):
    from footprint.errors import StoreError

    upsert_items(store, [Item("x", "post", "keep", text="before")])
    page_count = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {page_count + 2}")
    with pytest.raises(StoreError) as caught:
        upsert_items(store, [Item("x", "post", str(i), text="x" * 2000) for i in range(500)])
    assert "disk is full" in caught.value.message
    assert "Nothing was changed" in caught.value.hint
    assert store.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 1
