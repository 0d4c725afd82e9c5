"""What the review of the connectors found, pinned down: secrets, stray hosts, odd answers."""

from __future__ import annotations

import asyncio
import json

import pytest

from footprint.connectors import connect
from footprint.connectors.base import Connector, Identity, Page
from footprint.connectors.bluesky import _safe_endpoint
from footprint.connectors.errors import ConnectorError
from footprint.connectors.http import Api
from footprint.connectors.mastodon import MastodonConnector
from footprint.connectors.sync import load_account, save_connection, sync_account
from footprint.errors import InputError
from footprint.logs import redact
from footprint.progress import Cancelled, CancelToken
from footprint.secrets import SecretStore
from tests.connectors.helpers import items, run_connect, run_sync


def test_each_part_of_a_json_secret_is_masked_in_logs():
    secret = json.dumps({"access_token": "tok-1234567890", "client_secret": "cs-0987654321"})
    SecretStore().set("mastodon:@me@example.test", secret)
    assert "tok-1234567890" not in redact("sent tok-1234567890 and cs-0987654321")
    assert "cs-0987654321" not in redact("cs-0987654321")


def test_connecting_again_without_a_sign_in_forgets_the_old_one(store):
    secrets = SecretStore()
    signed = Identity("github", "octo", meta={"signed_in": True}, secret="ghp_" + "x" * 36)
    save_connection(store, secrets, signed)
    state = load_account(store, "github").state
    state["streams"] = {"events": {"complete": True}}
    store.conn.execute("UPDATE accounts SET sync_state = ?", (json.dumps(state),))
    save_connection(store, secrets, Identity("github", "octo", meta={"signed_in": False}))
    assert secrets.get("github:octo") is None
    account = load_account(store, "github")
    assert account.secret_ref is None
    assert account.state["streams"] == {}  # public now: walk everything again


def test_a_next_page_on_another_scheme_is_not_followed():
    connector = MastodonConnector(
        Api(None, "mastodon"), endpoints={"instance": "https://a.example"}
    )  # type: ignore[arg-type]
    me = Identity("mastodon", "@me@a.example", meta={"id": "1", "instance": "https://a.example"})
    with pytest.raises(ConnectorError, match="another server"):
        asyncio.run(
            connector.fetch_page(me, "posts", "http://a.example/api/v1/accounts/1/statuses")
        )


def test_a_handle_on_another_server_is_refused(store, fake_github):
    with pytest.raises(InputError, match=r"account on elsewhere\.example"):
        run_connect(store, "mastodon", "@alice@elsewhere.example", {"instance": fake_github.url})


def test_a_pds_without_https_gets_no_password():
    assert _safe_endpoint("https://pds.example/", "me.test") == "https://pds.example"
    assert _safe_endpoint("http://localhost:2583", "me.test") == "http://localhost:2583"
    with pytest.raises(ConnectorError, match="not reachable over https"):
        _safe_endpoint("http://pds.example", "me.test")


def test_a_page_of_records_that_are_not_items_does_not_end_the_listing(store, fake_github):
    for n in range(30):
        fake_github.add_event(
            "octo", "IssueCommentEvent", "octo/tool", {"comment": {"id": n, "body": f"c {n}"}}
        )
    for _ in range(100):
        fake_github.add_event("octo", "PushEvent", "octo/tool")  # newer: page 1 is all pushes
    endpoints = {"api": fake_github.url}
    run_connect(store, "github", "octo", endpoints)
    [result] = run_sync(store, "github", endpoints)
    assert result.streams["events"] == "complete"
    assert len(items(store, "github", "comment")) == 30


class Odd(Connector):
    platform = "reddit"
    streams = ("posts",)

    async def fetch_page(self, identity, stream, cursor):
        if cursor is None:
            from footprint.store import Item

            return Page([Item("reddit", "post", 7, text=["a", "list"], url={"x": 1})], next="2")
        return {"children": "not a list"}["children"].get("data")  # AttributeError


def test_answers_in_an_odd_shape_become_a_clear_error_and_keep_what_came(store):
    save_connection(store, SecretStore(), Identity("reddit", "me"))
    connector = Odd(Api(None, "reddit"))  # type: ignore[arg-type]
    with pytest.raises(ConnectorError, match="shape footprint does not understand"):
        asyncio.run(sync_account(store, load_account(store, "reddit"), connector))
    row = store.conn.execute("SELECT platform_id, text, url FROM items").fetchone()
    assert row == ("7", '["a", "list"]', '{"x": 1}')


def test_cancelling_a_connect_remembers_nothing(store, fake_github):
    fake_github.add_user("octo")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        asyncio.run(
            connect(
                store,
                SecretStore(),
                "github",
                "octo",
                endpoints={"api": fake_github.url},
                token=token,
            )
        )
    assert store.conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 0
