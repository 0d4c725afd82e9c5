"""Mastodon connector against mastodon-mock (a third-party implementation of the API)."""

from __future__ import annotations

import asyncio
import io
import json

import pytest

from footprint.connectors import begin_mastodon_login, finish_mastodon_login
from footprint.connectors.errors import (
    AccountNotFound,
    NotThatPlatform,
    PermissionMissing,
    ReconnectNeeded,
)
from footprint.connectors.sync import load_account
from footprint.errors import InputError
from tests.connectors.helpers import items, run_connect, run_sync, with_connector
from tests.connectors.mastodon_server import MastodonServer

pytest_plugins = ["tests.connectors.mastodon_server"]


@pytest.fixture
def server(mastodon_server: MastodonServer) -> MastodonServer:
    mastodon_server.create_account(
        "alice",
        display_name="Alice A.",
        note="Nurse in Leeds. Call me on 07700 900123",
        fields=[("Pronouns", "she/her"), ("Work", "St Mary's")],
        locked=False,
        discoverable=True,
        privacy="public",
        indexable=True,
        hide_collections=False,
    )
    mastodon_server.create_account("bob")
    mastodon_server.follow("bob", "alice")
    return mastodon_server


def sign_in(server: MastodonServer, username: str = "alice") -> str:
    """The whole OAuth flow as the app does it: register, consent in the 'browser', token."""
    request = asyncio.run(begin_mastodon_login(server.url))
    assert "code_challenge_method=S256" in request.authorize_url
    code = server.consent(request.authorize_url, username)
    return asyncio.run(finish_mastodon_login(request, code))


def test_public_connect_and_sync_see_what_strangers_see(store, server):
    made = server.seed_timeline("alice", "bob")
    endpoints = {"instance": server.url}
    identity = run_connect(store, "mastodon", "alice", endpoints)
    assert identity.handle == f"@alice@{server.host}" and not identity.meta["signed_in"]
    run_sync(store, "mastodon", endpoints)
    posts = items(store, "mastodon")
    assert made["public"]["id"] in posts and made["unlisted"]["id"] in posts
    assert made["private"]["id"] not in posts and made["direct"]["id"] not in posts
    assert posts[made["reply"]["id"]]["kind"] == "reply"
    assert posts[made["boost"]["id"]]["kind"] == "repost"
    fields = items(store, "mastodon", "profile_field")
    assert "07700 900123" in fields["note"]["text"]
    assert fields["fields/Work"]["text"] == "St Mary's"
    settings = items(store, "mastodon", "setting")
    assert settings["discoverable"]["text"] == "true"
    assert settings["locked"]["text"] == "false"


def test_signed_in_sync_pages_through_everything_and_reads_owner_settings(store, server):
    for n in range(95):
        server.post_status("alice", f"post number {n}")
    server.post_status("alice", "for followers", visibility="private")
    secret = sign_in(server)
    endpoints = {"instance": server.url}
    identity = run_connect(store, "mastodon", "alice", endpoints, secret=secret)
    assert identity.meta["signed_in"]
    [result] = run_sync(store, "mastodon", endpoints)
    posts = items(store, "mastodon", "post")
    assert len(posts) == 96
    visibilities = {p["visibility"] for p in posts.values()}
    assert visibilities == {"public", "followers"}
    settings = items(store, "mastodon", "setting")
    assert settings["source.privacy"]["text"] == "public"
    assert settings["indexable"]["text"] == "true"
    listing = server_requests = result.pages
    assert listing >= 4  # 40 a page, following Link: rel="next"
    del server_requests
    # The token is in the keyring, not in the database.
    row = store.conn.execute("SELECT secret_ref, sync_state FROM accounts").fetchone()
    token = json.loads(secret)["access_token"]
    assert row[0] == f"mastodon:@alice@{server.host}" and token not in (row[1] or "")


def test_incremental_sync_and_deletion_with_read_back(store, server):
    first = server.post_status("alice", "I got so drunk last night")
    for n in range(45):
        server.post_status("alice", f"filler {n}")
    secret = sign_in(server)
    endpoints = {"instance": server.url}
    identity = run_connect(store, "mastodon", "alice", endpoints, secret=secret)
    run_sync(store, "mastodon", endpoints)
    server.post_status("alice", "a new one")
    [result] = run_sync(store, "mastodon", endpoints)
    # The new post is on the first page, beside posts already held: the sync stops there,
    # although the author's post count in every status changed (counters are not stored).
    assert result.inserted == 1 and result.updated == 0 and result.pages == 2

    async def delete(connector):
        item = {"platform_id": first["id"], "kind": "post"}
        assert await connector.item_exists(identity, item)
        await connector.delete_item(identity, item)
        await connector.delete_item(identity, item)  # already gone: not an error
        return await connector.item_exists(identity, item)

    assert asyncio.run(with_connector("mastodon", endpoints, delete, secret=secret)) is False


def test_change_a_setting_and_read_it_back(store, server):
    secret = sign_in(server)
    endpoints = {"instance": server.url}
    identity = run_connect(store, "mastodon", "alice", endpoints, secret=secret)

    async def lock(connector):
        await connector.change_setting(identity, "locked", "true")
        await connector.change_setting(identity, "source.privacy", "unlisted")
        return (
            await connector.read_setting(identity, "locked"),
            await connector.read_setting(identity, "source.privacy"),
        )

    assert asyncio.run(with_connector("mastodon", endpoints, lock, secret=secret)) == (
        "true",
        "unlisted",
    )


def test_public_connection_cannot_change_anything(store, server):
    endpoints = {"instance": server.url}
    identity = run_connect(store, "mastodon", "alice", endpoints)

    async def try_delete(connector):
        await connector.delete_item(identity, {"platform_id": "1", "kind": "post"})

    with pytest.raises(PermissionMissing, match="without signing in"):
        asyncio.run(with_connector("mastodon", endpoints, try_delete))


def test_a_revoked_token_asks_to_reconnect_and_keeps_data(store, server):
    server.post_status("alice", "kept")
    secret = sign_in(server)
    endpoints = {"instance": server.url}
    run_connect(store, "mastodon", "alice", endpoints, secret=secret)
    run_sync(store, "mastodon", endpoints)
    server.http.post("/oauth/revoke", data={"token": json.loads(secret)["access_token"]})
    with pytest.raises(ReconnectNeeded) as caught:
        run_sync(store, "mastodon", endpoints)
    assert "footprint connect mastodon" in caught.value.user_text()
    assert len(items(store, "mastodon", "post")) == 1
    assert load_account(store, "mastodon").status == "reconnect"


def test_rate_limit_with_an_iso_reset_is_waited_out(store, server):
    server.post_status("alice", "hello")
    endpoints = {"instance": server.url}
    run_connect(store, "mastodon", "alice", endpoints)
    from datetime import UTC, datetime, timedelta

    reset = (datetime.now(UTC) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    server.fault(
        path="/api/v1/accounts/*/statuses",
        kind="ratelimit",
        headers={"X-RateLimit-Reset": reset, "Retry-After": "1"},
        count=1,
    )
    [result] = run_sync(store, "mastodon", endpoints)
    assert result.streams["posts"] == "complete"
    assert len(items(store, "mastodon", "post")) == 1


def test_unknown_account_and_a_server_that_is_not_mastodon(store, server, fake_github):
    with pytest.raises(AccountNotFound, match="has no account @nobody"):
        run_connect(store, "mastodon", "nobody", {"instance": server.url})
    with pytest.raises(NotThatPlatform, match="does not answer like a Mastodon server"):
        run_connect(store, "mastodon", "alice", {"instance": fake_github.url})


def test_a_wrong_code_is_a_clear_error(server):
    request = asyncio.run(begin_mastodon_login(server.url))
    with pytest.raises(InputError, match="did not accept that code"):
        asyncio.run(finish_mastodon_login(request, "not-the-code"))


def test_cli_connect_sync_accounts_disconnect(store, server, monkeypatch, capsys):
    """The whole CLI path: OAuth with the code pasted on stdin, then sync and disconnect."""
    from footprint.cli import main
    from footprint.secrets import SecretStore

    server.post_status("alice", "hello from the CLI")
    pasted: dict[str, str] = {}

    def fake_browser(url: str) -> bool:  # the person signs in and copies the code
        pasted["code"] = server.consent(url, "alice")
        return True

    class Terminal(io.StringIO):  # ...and pastes it at the prompt
        def readline(self, *args: object) -> str:
            return pasted["code"] + "\n"

    monkeypatch.setattr("webbrowser.open", fake_browser)
    monkeypatch.setattr("sys.stdin", Terminal())
    assert main(["connect", "mastodon", "--instance", server.url, "alice"]) == 0
    out = capsys.readouterr()
    assert "Connected Mastodon @alice@" in out.out and "(signed in)" in out.out
    assert pasted["code"] not in out.out + out.err
    assert main(["sync", "mastodon", "--no-scan"]) == 0
    assert "1 new" in capsys.readouterr().out
    assert main(["accounts"]) == 0
    listing = capsys.readouterr().out
    assert "connected +sign-in" in listing
    ref = f"mastodon:@alice@{server.host}"
    assert SecretStore().get(ref)
    assert main(["disconnect", "mastodon"]) == 0
    assert SecretStore().get(ref) is None
    assert "stays" in capsys.readouterr().out
    assert main(["sync", "mastodon"]) == 2
    assert "No account is connected" in capsys.readouterr().err
