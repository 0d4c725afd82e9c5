"""The sync engine's guarantees, with a scripted connector (no network needed here)."""

from __future__ import annotations

import asyncio
import json

import pytest

from footprint.connectors.base import Connector, Identity, Page
from footprint.connectors.errors import ConnectorError, ReconnectNeeded
from footprint.connectors.http import Api
from footprint.connectors.sync import (
    load_account,
    save_connection,
    sync_account,
)
from footprint.progress import Cancelled, CancelToken
from footprint.secrets import SecretStore
from footprint.store import Item, Store


class Scripted(Connector):
    """Pages of a newest-first listing: ``posts`` holds ids, ``size`` per page."""

    platform = "mastodon"
    streams = ("posts",)

    def __init__(self, posts: list[str], size: int = 3, **kwargs) -> None:
        super().__init__(Api(None, "mastodon"), **kwargs)  # type: ignore[arg-type]
        self.posts = posts
        self.size = size
        self.calls: list[str | None] = []
        self.fail_at: int | None = None
        self.error: Exception | None = None
        self.repeat = False
        self.empty_after: int | None = None

    async def fetch_page(self, identity: Identity, stream: str, cursor: str | None) -> Page:
        self.calls.append(cursor)
        start = int(cursor or 0)
        if self.fail_at is not None and start >= self.fail_at:
            raise self.error or ConnectorError("network went away")
        if self.empty_after is not None and start >= self.empty_after:
            return Page([], next=str(start + self.size))
        chunk = self.posts[start : start + self.size]
        items = [Item("mastodon", "post", pid, text=f"post {pid}") for pid in chunk]
        nxt = start + self.size
        if self.repeat:
            return Page(items, next="3")
        return Page(items, next=str(nxt) if nxt < len(self.posts) else None)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "home") as s:
        yield s


def _account(store):
    save_connection(store, SecretStore(), Identity("mastodon", "@me@example.test"))
    return load_account(store, "mastodon")


def _run(store, connector, **kwargs):
    return asyncio.run(sync_account(store, load_account(store, "mastodon"), connector, **kwargs))


def _count(store):
    return store.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]


def test_walks_every_page_once(store):
    _account(store)
    connector = Scripted([str(n) for n in range(10)])
    result = _run(store, connector)
    assert _count(store) == 10
    assert result.inserted == 10 and result.pages == 4
    assert connector.calls == [None, "3", "6", "9"]
    assert result.streams == {"posts": "complete"}


def test_a_failed_walk_resumes_from_the_saved_cursor_without_duplicates(store):
    _account(store)
    connector = Scripted([str(n) for n in range(10)])
    connector.fail_at = 6
    with pytest.raises(ConnectorError):
        _run(store, connector)
    assert _count(store) == 6
    state = load_account(store, "mastodon").state["streams"]["posts"]
    assert state["walking"] and state["cursor"] == "6"
    again = Scripted([str(n) for n in range(10)])
    result = _run(store, again)
    assert again.calls == ["6", "9"]  # continued, not restarted
    assert _count(store) == 10 and result.inserted == 4


def test_later_syncs_stop_at_the_first_page_with_nothing_new(store):
    _account(store)
    _run(store, Scripted([str(n) for n in range(30)]))
    newer = Scripted(["new1", "new2"] + [str(n) for n in range(30)])
    result = _run(store, newer)
    assert newer.calls == [None]  # page 1 already reached known posts
    assert result.inserted == 2 and result.streams["posts"] == "up to date"
    full = Scripted(["new1", "new2"] + [str(n) for n in range(30)])
    _run(store, full, full=True)
    assert len(full.calls) == 11


def test_a_repeated_cursor_ends_the_stream_instead_of_looping(store):
    _account(store)
    connector = Scripted([str(n) for n in range(10)])
    connector.repeat = True
    result = _run(store, connector)
    assert connector.calls == [None, "3"]
    assert result.streams["posts"] == "stopped (repeated page)"
    assert any("same page twice" in note for note in result.notes)


def test_an_empty_page_that_claims_more_ends_the_stream(store):
    _account(store)
    connector = Scripted([str(n) for n in range(10)])
    connector.empty_after = 3
    result = _run(store, connector)
    assert connector.calls == [None, "3"]
    assert result.streams["posts"] == "stopped (empty page)"


def test_an_expired_sign_in_marks_the_account_and_keeps_what_was_fetched(store):
    _account(store)
    connector = Scripted([str(n) for n in range(10)])
    connector.fail_at = 3
    connector.error = ReconnectNeeded("mastodon", "@me@example.test")
    with pytest.raises(ReconnectNeeded) as caught:
        _run(store, connector)
    assert "reconnect" in caught.value.user_text().lower()
    assert _count(store) == 3
    status = store.conn.execute("SELECT status FROM accounts").fetchone()[0]
    assert status == "reconnect"


def test_cancel_stops_between_pages_and_keeps_pages_done(store):
    _account(store)
    token = CancelToken()
    connector = Scripted([str(n) for n in range(10)])

    def progress(p):
        if p.pages == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        _run(store, connector, progress=progress, token=token)
    assert _count(store) == 6
    saved = json.loads(store.conn.execute("SELECT sync_state FROM accounts").fetchone()[0])
    assert saved["streams"]["posts"]["cursor"] == "6"


def test_items_belong_to_the_account_and_the_secret_is_never_in_sqlite(store, tmp_path):
    secrets = SecretStore()
    identity = Identity("mastodon", "@me@example.test", secret='{"access_token": "s3cr3t-value"}')
    account_id = save_connection(store, secrets, identity)
    _run(store, Scripted(["1"]))
    owner = store.conn.execute("SELECT DISTINCT account_id FROM items").fetchall()
    assert owner == [(account_id,)]
    assert secrets.get("mastodon:@me@example.test") == '{"access_token": "s3cr3t-value"}'
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in (tmp_path / "home").rglob("*"):
        if path.is_file():
            assert b"s3cr3t-value" not in path.read_bytes(), path
