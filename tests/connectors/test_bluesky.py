"""Bluesky connector against a real PDS (npm @atproto/dev-env) on loopback."""

from __future__ import annotations

import asyncio
import json

import pytest

from footprint.connectors.errors import AccountNotFound, ReconnectNeeded
from footprint.connectors.sync import load_account
from footprint.errors import InputError
from footprint.secrets import SecretStore
from tests.connectors.helpers import items, run_connect, run_sync, with_connector
from tests.connectors.pds import Pds

pytest_plugins = ["tests.connectors.pds"]


@pytest.fixture
def person(bluesky_pds: Pds):
    """A fresh account with a profile, posts, a reply and a repost, and an app password."""
    handle = Pds.new_handle("jo")
    session = bluesky_pds.create_account(handle, "main-password-123")
    bluesky_pds.put_profile(session, "Jo R.", "Barista in Portland. DM for weed")
    first = bluesky_pds.create_post(session, "hello world")
    bluesky_pds.create_post(session, "replying to myself", reply_to=first)
    bluesky_pds.create_record(
        session,
        "app.bsky.feed.repost",
        {
            "subject": {"uri": first["uri"], "cid": first["cid"]},
            "createdAt": "2026-01-02T00:00:00Z",
        },
    )
    app_password = bluesky_pds.create_app_password(session, "footprint")
    return {"handle": handle, "session": session, "first": first, "app_password": app_password}


def endpoints(pds: Pds) -> dict[str, str]:
    return {"resolver": pds.url, "plc": pds.plc}


def test_public_sync_lists_every_record_from_the_repository(store, bluesky_pds, person):
    for n in range(130):
        bluesky_pds.create_post(person["session"], f"post number {n}")
    identity = run_connect(store, "bluesky", "@" + person["handle"].upper(), endpoints(bluesky_pds))
    assert identity.handle == person["handle"]
    assert identity.meta["did"] == person["session"]["did"]
    assert identity.meta["pds"].rstrip("/") == bluesky_pds.url.rstrip("/")
    assert identity.secret is None
    [result] = run_sync(store, "bluesky", endpoints(bluesky_pds))
    posts = items(store, "bluesky", "post")
    assert len(posts) == 131  # more than one page of 100
    assert posts[person["first"]["uri"]]["text"] == "hello world"
    assert posts[person["first"]["uri"]]["url"].startswith("https://bsky.app/profile/did:")
    assert len(items(store, "bluesky", "reply")) == 1
    assert len(items(store, "bluesky", "repost")) == 1
    fields = items(store, "bluesky", "profile_field")
    assert fields["description"]["text"] == "Barista in Portland. DM for weed"
    assert items(store, "bluesky", "setting")["no-unauthenticated"]["text"] == "false"
    assert result.streams == {"profile": "complete", "posts": "complete", "reposts": "complete"}


def test_signed_in_delete_label_and_session_reuse(store, bluesky_pds, person):
    secrets = SecretStore()
    ends = endpoints(bluesky_pds)
    identity = run_connect(store, "bluesky", person["handle"], ends, secret=person["app_password"])
    assert identity.meta["signed_in"]
    saved = json.loads(secrets.get(f"bluesky:{person['handle']}"))
    assert saved["password"] == person["app_password"] and saved["refresh"]
    account = load_account(store, "bluesky")
    secret = secrets.get(account.secret_ref)

    async def clean_up(connector):
        me = account.identity
        target = {"platform_id": person["first"]["uri"], "kind": "post"}
        assert await connector.item_exists(me, target)
        await connector.delete_item(me, target)
        gone = not await connector.item_exists(me, target)
        await connector.change_setting(me, "no-unauthenticated", "true")
        label = await connector.read_setting(me, "no-unauthenticated")
        await connector.change_setting(me, "allowIncoming", "following")
        chat = await connector.read_setting(me, "allowIncoming")
        return gone, label, chat, connector.new_secret

    gone, label, chat, new_secret = asyncio.run(
        with_connector("bluesky", ends, clean_up, secret=secret)
    )
    assert gone and label == "true" and chat == "following"
    # The session came from the saved refresh token: no new login was needed.
    assert json.loads(new_secret)["refresh"] != saved["refresh"]
    profile = bluesky_pds.get_record(person["session"]["did"], "app.bsky.actor.profile", "self")
    assert profile["value"]["description"] == "Barista in Portland. DM for weed"  # kept
    assert {"val": "!no-unauthenticated"} in profile["value"]["labels"]["values"]


def test_an_expired_refresh_token_falls_back_to_the_app_password(store, bluesky_pds, person):
    ends = endpoints(bluesky_pds)
    secret = json.dumps({"password": person["app_password"], "refresh": "not-a-real-token"})
    identity = run_connect(store, "bluesky", person["handle"], ends)

    async def change(connector):
        await connector.change_setting(identity, "no-unauthenticated", "true")
        return connector.new_secret

    renewed = asyncio.run(with_connector("bluesky", ends, change, secret=secret))
    assert json.loads(renewed)["refresh"] != "not-a-real-token"


def test_a_revoked_app_password_asks_to_reconnect(store, bluesky_pds, person):
    ends = endpoints(bluesky_pds)
    identity = run_connect(store, "bluesky", person["handle"], ends)
    secret = json.dumps({"password": "wrong-wrong-wrong-wrong", "refresh": None})

    async def change(connector):
        await connector.change_setting(identity, "no-unauthenticated", "true")

    with pytest.raises(ReconnectNeeded, match="no longer accepts"):
        asyncio.run(with_connector("bluesky", ends, change, secret=secret))


def test_a_wrong_password_at_connect_is_refused(store, bluesky_pds, person):
    with pytest.raises(ReconnectNeeded):
        run_connect(store, "bluesky", person["handle"], endpoints(bluesky_pds), secret="nope")
    assert store.conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 0


def test_a_handle_that_does_not_resolve(store, bluesky_pds):
    with pytest.raises(AccountNotFound, match="does not resolve"):
        run_connect(store, "bluesky", "nobody-here.test", endpoints(bluesky_pds))
    with pytest.raises(InputError, match="not a Bluesky handle"):
        run_connect(store, "bluesky", "no dots", endpoints(bluesky_pds))


def test_resync_fetches_only_new_records(store, bluesky_pds, person):
    ends = endpoints(bluesky_pds)
    run_connect(store, "bluesky", person["handle"], ends)
    run_sync(store, "bluesky", ends)
    bluesky_pds.create_post(person["session"], "one more")
    [result] = run_sync(store, "bluesky", ends)
    assert result.inserted == 1
    assert result.pages == 3  # profile, one page of posts, one of reposts
