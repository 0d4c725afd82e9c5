"""Reddit with the person's own approved app: loopback sign-in, prefs, delete, read-back."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import httpx
import pytest

from footprint.connectors import begin_reddit_login, finish_reddit_login
from footprint.connectors.base import Identity
from footprint.connectors.errors import ReconnectNeeded
from footprint.connectors.reddit import RedditConnector
from footprint.errors import InputError
from footprint.secrets import SecretStore
from tests.connectors.helpers import items, run_connect, run_sync, with_connector


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def reddit(fake_reddit, monkeypatch):
    fake_reddit.add_user("Jo_R")
    fake_reddit.add_comment("Jo_R", "c1", "I was so high at work lol")
    fake_reddit.add_post("Jo_R", "p1", "My boss", selftext="my boss is an idiot")
    fake_reddit.add_prefs("Jo_R", hide_from_robots=False, public_votes=True)
    redirect = f"http://127.0.0.1:{free_port()}/authorize_callback"
    fake_reddit.add_app("my-app-id", redirect, owner="Jo_R")
    monkeypatch.setitem(RedditConnector.endpoints, "www", fake_reddit.url)
    monkeypatch.setitem(RedditConnector.endpoints, "oauth", fake_reddit.url)
    fake_reddit.redirect = redirect
    return fake_reddit


def browser(server, user: str = "Jo_R"):
    """Plays the person's browser: consent, then follow the redirect to the loopback
    listener (retrying until footprint listens)."""

    def open_page(url: str) -> bool:
        target = server.consent(url, user)

        def deliver() -> None:
            for _ in range(100):
                try:
                    httpx.get(target, timeout=2)
                    return
                except httpx.HTTPError:
                    time.sleep(0.05)

        threading.Thread(target=deliver, daemon=True).start()
        return True

    return open_page


def sign_in(server) -> str:
    request = begin_reddit_login("my-app-id", server.redirect)
    browser(server)(request.authorize_url)
    return asyncio.run(finish_reddit_login(request, timeout=20))


def test_signed_in_sync_reads_prefs_and_listings(store, reddit):
    secret = sign_in(reddit)
    assert json.loads(secret)["client_id"] == "my-app-id"
    endpoints = {"www": reddit.url, "oauth": reddit.url}
    identity = run_connect(store, "reddit", "jo_r", endpoints, secret=secret)
    assert identity.meta["signed_in"]
    run_sync(store, "reddit", endpoints)
    settings = items(store, "reddit", "setting")
    assert settings["hide_from_robots"]["text"] == "false"
    assert settings["public_votes"]["text"] == "true"
    assert "t1_c1" in items(store, "reddit", "comment")
    oauth_calls = [r for r in reddit.requests if "authorization" in r.headers]
    assert any(r.path.startswith("/user/Jo_R/comments") for r in oauth_calls)


def test_delete_and_change_a_preference_with_read_back(store, reddit):
    secret = sign_in(reddit)
    endpoints = {"www": reddit.url, "oauth": reddit.url}
    me = Identity("reddit", "Jo_R")

    async def clean(connector):
        target = {"platform_id": "t1_c1", "kind": "comment"}
        before = await connector.item_exists(me, target)
        await connector.delete_item(me, target)
        after = await connector.item_exists(me, target)
        await connector.change_setting(me, "hide_from_robots", "true")
        return before, after, await connector.read_setting(me, "hide_from_robots")

    before, after, robots = asyncio.run(with_connector("reddit", endpoints, clean, secret=secret))
    assert (before, after, robots) == (True, False, "true")


def test_an_expired_access_token_is_renewed_and_a_revoked_one_asks_to_reconnect(store, reddit):
    secret = sign_in(reddit)
    endpoints = {"www": reddit.url, "oauth": reddit.url}
    run_connect(store, "reddit", "Jo_R", endpoints, secret=secret)
    reddit.expire_tokens()
    run_sync(store, "reddit", endpoints)  # renewed with the refresh token
    SecretStore().set("reddit:Jo_R", json.dumps({**json.loads(secret), "refresh_token": "revoked"}))
    with pytest.raises(ReconnectNeeded):
        run_sync(store, "reddit", endpoints, full=True)


def test_sign_in_problems_are_clear(reddit):
    with pytest.raises(InputError, match="not an address on this computer"):
        begin_reddit_login("my-app-id", "https://example.org/callback")
    request = begin_reddit_login("unknown-app", reddit.redirect)
    with pytest.raises(InputError):
        asyncio.run(
            finish_reddit_login(request, timeout=0.5)  # nobody comes back
        )


def test_cli_connect_with_own_app(store, reddit, monkeypatch, capsys):
    from footprint.cli import main

    monkeypatch.setattr("webbrowser.open", browser(reddit))
    code = main(
        ["connect", "reddit", "Jo_R", "--client-id", "my-app-id", "--redirect-uri", reddit.redirect]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "(signed in)" in out.out
    assert json.loads(SecretStore().get("reddit:Jo_R"))["refresh_token"]
    assert main(["disconnect", "reddit"]) == 0
    assert SecretStore().get("reddit:Jo_R") is None
    assert any(r.path == "/api/v1/revoke_token" for r in reddit.requests)


def test_bulk_cleanup_overwrites_then_deletes(store, reddit):
    from footprint.cleanup.actions import KeepRules, plan_bulk, queue_planned, run_queue

    reddit.add_comment("Jo_R", "old1", "embarrassing old comment", created_utc=1_500_000_000)
    secret = sign_in(reddit)
    endpoints = {"www": reddit.url, "oauth": reddit.url}
    run_connect(store, "reddit", "Jo_R", endpoints, secret=secret)
    run_sync(store, "reddit", endpoints)
    keep = KeepRules(older_than_days=365, overwrite=True, keep_ids=frozenset({"t1_c1", "t3_p1"}))
    assert len(plan_bulk(store, "reddit", keep)) == 1
    queue_planned(store)
    result = asyncio.run(run_queue(store, SecretStore(), pace=0.0))
    assert result.verified == 1
    calls = [r.path for r in reddit.requests if r.path in ("/api/editusertext", "/api/del")]
    assert calls == ["/api/editusertext", "/api/del"]
    backup = store.conn.execute("SELECT text FROM backups").fetchone()[0]
    assert backup == "embarrassing old comment"  # the backup holds the original words
