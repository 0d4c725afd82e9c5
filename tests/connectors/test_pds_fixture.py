"""The ``bluesky_pds`` fixture works: a real PDS and PLC directory, spoken to over XRPC.

These pin down the behaviour of the reference PDS (``@atproto/dev-env`` in
tests/pds/package.json) that the Bluesky connector's tests rely on, so an upgrade that
changes it shows up here first. The server is shared by the whole session: each test
makes its own accounts.
"""

from __future__ import annotations

import pytest

from tests.connectors.pds import Pds, XrpcError

pytest_plugins = ["tests.connectors.pds"]

POST = "app.bsky.feed.post"
PROFILE = "app.bsky.actor.profile"


def _rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[1]


@pytest.fixture
def alice(bluesky_pds: Pds) -> dict:
    return bluesky_pds.create_account(bluesky_pds.new_handle("alice"), "correct horse")


def test_the_server_is_on_loopback(bluesky_pds: Pds):
    assert bluesky_pds.url.startswith("http://localhost:")
    assert bluesky_pds.plc.startswith("http://localhost:")
    described = bluesky_pds.call("com.atproto.server.describeServer")
    assert ".test" in described["availableUserDomains"]
    assert described["inviteCodeRequired"] is False


def test_an_account_posts_and_lists_its_posts(bluesky_pds: Pds, alice: dict):
    assert set(alice) >= {"did", "handle", "accessJwt", "refreshJwt"}
    assert alice["did"].startswith("did:plc:")
    post = bluesky_pds.create_post(alice, "hello from footprint", "2024-05-01T12:00:00Z")
    assert post["uri"] == f"at://{alice['did']}/{POST}/{_rkey(post['uri'])}"

    records = bluesky_pds.list_records(alice["did"], POST)
    assert [(r["uri"], r["cid"]) for r in records] == [(post["uri"], post["cid"])]
    assert records[0]["value"] == {
        "$type": POST,
        "text": "hello from footprint",
        "createdAt": "2024-05-01T12:00:00Z",
    }
    fetched = bluesky_pds.get_record(alice["did"], POST, _rkey(post["uri"]))
    assert fetched["cid"] == post["cid"]

    reply = bluesky_pds.create_post(alice, "a reply", reply_to=post)
    again = bluesky_pds.create_post(alice, "a reply to the reply", reply_to=reply)
    value = bluesky_pds.get_record(alice["did"], POST, _rkey(again["uri"]))["value"]
    assert value["reply"]["root"] == {"uri": post["uri"], "cid": post["cid"]}
    assert value["reply"]["parent"] == {"uri": reply["uri"], "cid": reply["cid"]}


def test_list_records_pages_with_cursor_and_limit(bluesky_pds: Pds, alice: dict):
    for i in range(7):
        bluesky_pds.create_post(alice, f"post {i}")
    pages, cursor = [], None
    while True:
        params = {"repo": alice["did"], "collection": POST, "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = bluesky_pds.call("com.atproto.repo.listRecords", params=params)
        pages.append([r["value"]["text"] for r in page["records"]])
        cursor = page.get("cursor")
        if not cursor:
            break
    # Newest first; a short last page still carries a cursor, the empty page after it none.
    assert pages == [["post 6", "post 5", "post 4"], ["post 3", "post 2", "post 1"], ["post 0"], []]
    assert len(bluesky_pds.list_records(alice["did"], POST, limit=2)) == 7


def test_the_did_document_on_the_plc_points_at_the_pds(bluesky_pds: Pds, alice: dict):
    document = bluesky_pds.did_document(alice["did"])
    assert document["id"] == alice["did"]
    assert document["alsoKnownAs"] == [f"at://{alice['handle']}"]
    assert document["service"] == [
        {
            "id": "#atproto_pds",
            "type": "AtprotoPersonalDataServer",
            "serviceEndpoint": bluesky_pds.url,
        }
    ]


def test_handles_resolve_through_the_pds(bluesky_pds: Pds, alice: dict):
    assert bluesky_pds.resolve_handle(alice["handle"]) == alice["did"]
    with pytest.raises(XrpcError) as unknown:
        bluesky_pds.resolve_handle("nobody-here.test")
    assert (unknown.value.status, unknown.value.error) == (400, "InvalidRequest")
    assert unknown.value.message == "Unable to resolve handle"


def test_app_password_sessions_and_refresh(bluesky_pds: Pds, alice: dict):
    app_password = bluesky_pds.create_app_password(alice, "footprint")
    assert len(app_password) == 19 and app_password.count("-") == 3

    session = bluesky_pds.create_session(alice["handle"], app_password)
    assert session["did"] == alice["did"]
    assert {"accessJwt", "refreshJwt", "handle", "active"} <= set(session)

    refreshed = bluesky_pds.refresh_session(session["refreshJwt"])
    assert refreshed["did"] == alice["did"]
    assert refreshed["refreshJwt"] != session["refreshJwt"]
    me = bluesky_pds.call("com.atproto.server.getSession", token=refreshed["accessJwt"])
    assert me["handle"] == alice["handle"]

    # An app-password session may not make app passwords.
    with pytest.raises(XrpcError) as scoped:
        bluesky_pds.create_app_password(refreshed, "another")
    assert (scoped.value.status, scoped.value.error) == (400, "InvalidToken")


def test_authentication_errors(bluesky_pds: Pds, alice: dict):
    with pytest.raises(XrpcError) as wrong:
        bluesky_pds.create_session(alice["handle"], "wrong password")
    assert (wrong.value.status, wrong.value.error) == (401, "AuthenticationRequired")

    with pytest.raises(XrpcError) as garbage:
        bluesky_pds.call("com.atproto.server.getSession", token="garbage")
    assert (garbage.value.status, garbage.value.error) == (400, "InvalidToken")

    with pytest.raises(XrpcError) as bad_refresh:
        bluesky_pds.refresh_session("garbage")
    assert (bad_refresh.value.status, bad_refresh.value.error) == (400, "InvalidToken")

    bluesky_pds.call("com.atproto.server.deleteSession", post=True, token=alice["refreshJwt"])
    with pytest.raises(XrpcError) as revoked:
        bluesky_pds.refresh_session(alice["refreshJwt"])
    assert (revoked.value.status, revoked.value.error) == (400, "ExpiredToken")


def test_delete_record(bluesky_pds: Pds, alice: dict):
    post = bluesky_pds.create_post(alice, "short-lived")
    bluesky_pds.delete_record(alice, POST, _rkey(post["uri"]))
    assert bluesky_pds.list_records(alice["did"], POST) == []
    with pytest.raises(XrpcError) as gone:
        bluesky_pds.get_record(alice["did"], POST, _rkey(post["uri"]))
    assert (gone.value.status, gone.value.error) == (400, "RecordNotFound")
    # Deleting what is not there succeeds (no commit).
    assert bluesky_pds.delete_record(alice, POST, _rkey(post["uri"])) == {}


def test_put_profile_and_swap_record(bluesky_pds: Pds, alice: dict):
    first = bluesky_pds.put_profile(alice, "Alice", "hi", labels=["!no-unauthenticated"])
    value = bluesky_pds.get_record(alice["did"], PROFILE, "self")["value"]
    assert value["displayName"] == "Alice"
    assert value["labels"]["values"] == [{"val": "!no-unauthenticated"}]

    def put(swap: str, name: str) -> dict:
        return bluesky_pds.call(
            "com.atproto.repo.putRecord",
            body={
                "repo": alice["did"],
                "collection": PROFILE,
                "rkey": "self",
                "swapRecord": swap,
                "record": {"$type": PROFILE, "displayName": name},
            },
            token=alice["accessJwt"],
        )

    second = put(first["cid"], "Alice B.")
    assert second["cid"] != first["cid"]
    with pytest.raises(XrpcError) as stale:
        put(first["cid"], "Alice C.")
    assert (stale.value.status, stale.value.error) == (400, "InvalidSwap")
    value = bluesky_pds.get_record(alice["did"], PROFILE, "self")["value"]
    assert value["displayName"] == "Alice B."


def test_unknown_repos_and_no_app_view(bluesky_pds: Pds, alice: dict):
    with pytest.raises(XrpcError) as missing:
        bluesky_pds.list_records("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", POST)
    assert (missing.value.status, missing.value.error) == (400, "InvalidRequest")
    # There is no app view behind this PDS: app.bsky.* queries are refused, not proxied.
    with pytest.raises(XrpcError) as no_app_view:
        bluesky_pds.call(
            "app.bsky.actor.getProfile", params={"actor": alice["did"]}, token=alice["accessJwt"]
        )
    assert (no_app_view.value.status, no_app_view.value.error) == (400, "InvalidRequest")
