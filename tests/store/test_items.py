from __future__ import annotations

import sqlite3

import pytest

from footprint.store import Item, upsert_items
from footprint.store.items import BATCH_SIZE, count_items


def _posts(n, text="hello"):
    return [Item("mastodon", "post", str(i), text=f"{text} {i}", source="test") for i in range(n)]


def test_reimport_adds_nothing_twice(store):
    first = upsert_items(store, _posts(10))
    assert (first.inserted, first.updated, first.unchanged) == (10, 0, 0)
    again = upsert_items(store, _posts(10))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 10)
    assert count_items(store) == {"mastodon": 10}


def test_overlapping_import_updates_changes_and_adds_new(store):
    upsert_items(store, _posts(10))
    newer = _posts(15)
    newer[3].text = "edited"
    result = upsert_items(store, newer)
    assert (result.inserted, result.updated, result.unchanged) == (5, 1, 9)
    assert store.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 15
    assert (
        store.conn.execute("SELECT text FROM items WHERE platform_id = '3'").fetchone()[0]
        == "edited"
    )


def test_first_seen_is_kept_on_update(store):
    upsert_items(store, [Item("x", "post", "1", text="a")])
    store.conn.execute("UPDATE items SET first_seen_at = '2001-01-01T00:00:00Z'")
    upsert_items(store, [Item("x", "post", "1", text="b")])
    assert (
        store.conn.execute("SELECT first_seen_at FROM items").fetchone()[0]
        == "2001-01-01T00:00:00Z"
    )


def test_same_id_on_other_platform_or_kind_is_another_item(store):
    result = upsert_items(
        store, [Item("x", "post", "1"), Item("reddit", "post", "1"), Item("x", "comment", "1")]
    )
    assert result.inserted == 3


def test_duplicates_within_one_batch_collapse(store):
    result = upsert_items(
        store, [Item("x", "post", "1", text="a"), Item("x", "post", "1", text="b")]
    )
    assert result.inserted == 1 and result.unchanged == 1
    assert store.conn.execute("SELECT text FROM items").fetchone()[0] == "b"


def test_the_database_itself_refuses_duplicates(store):
    upsert_items(store, [Item("x", "post", "1")])
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO items (platform, kind, platform_id, source, content_hash, first_seen_at, "
            "updated_at) VALUES ('x', 'post', '1', 't', 'h', 'now', 'now')"
        )


def test_streams_many_batches(store):
    n = BATCH_SIZE * 3 + 7
    result = upsert_items(store, (item for item in _posts(n)))
    assert result.inserted == n


def test_raw_json_round_trips(store):
    upsert_items(store, [Item("x", "post", "1", raw={"id_str": "1", "entities": {"urls": []}})])
    raw = store.db["items"].get(1)["raw"]
    assert raw == '{"id_str": "1", "entities": {"urls": []}}'


def test_items_need_an_identity(store):
    with pytest.raises(ValueError):
        upsert_items(store, [Item("x", "post", "")])


def test_search_index_follows_edits_and_deletes(store):
    upsert_items(store, [Item("x", "post", "1", text="a night out drinking")])

    def search(term):
        return store.conn.execute(
            "SELECT rowid FROM items_fts WHERE items_fts MATCH ?", (term,)
        ).fetchall()

    assert len(search("drinking")) == 1
    upsert_items(store, [Item("x", "post", "1", text="a quiet night reading")])
    assert search("drinking") == [] and len(search("reading")) == 1
    store.conn.execute("DELETE FROM items")
    assert search("reading") == []
