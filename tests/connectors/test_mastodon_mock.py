"""The ``mastodon_server`` fixture works, spoken to with plain httpx as the Mastodon docs describe.

These pin down the behaviour of the ``mastodon-mock`` package that the Mastodon connector's
tests rely on, so an upgrade of the mock that changes it shows up here first.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from tests.connectors.mastodon_server import OOB, MastodonServer, pkce_pair

pytest_plugins = ["tests.connectors.mastodon_server"]


def _next_link(response: httpx.Response) -> str | None:
    link = response.links.get("next")
    return link["url"] if link else None


def test_the_server_is_on_loopback_and_says_it_is_mastodon(mastodon_server: MastodonServer):
    assert mastodon_server.url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=mastodon_server.url, trust_env=False) as client:
        v2 = client.get("/api/v2/instance")
        v1 = client.get("/api/v1/instance")
        oauth = client.get("/.well-known/oauth-authorization-server")
    assert v2.status_code == 200 and v2.headers["server"] == "Mastodon"
    assert v2.json()["domain"] == mastodon_server.host
    assert v2.json()["version"].startswith("4.")
    assert v2.json()["api_versions"]["mastodon"] >= 2
    assert v1.json()["uri"] == mastodon_server.host
    assert oauth.json()["authorization_endpoint"] == f"{mastodon_server.url}/oauth/authorize"
    assert "S256" in oauth.json()["code_challenge_methods_supported"]


def test_a_fresh_server_per_test_starts_empty(mastodon_server: MastodonServer):
    assert mastodon_server.http.get("/api/v2/instance").json()["usage"]["users"] == {
        "active_month": 0
    }
    assert mastodon_server.http.get("/api/v1/accounts/lookup?acct=alice").status_code == 404


def test_lookup_finds_a_seeded_profile_anonymously(mastodon_server: MastodonServer):
    alice = mastodon_server.create_account(
        "alice", display_name="Alice A", note="hello", fields=[("site", "https://a.example")]
    )
    with httpx.Client(base_url=mastodon_server.url, trust_env=False) as client:
        found = client.get("/api/v1/accounts/lookup", params={"acct": "alice"})
        missing = client.get("/api/v1/accounts/lookup", params={"acct": "nobody"})
        # Gotcha: the mock matches only a bare name for local accounts.
        with_domain = client.get(
            "/api/v1/accounts/lookup", params={"acct": f"alice@{mastodon_server.host}"}
        )
    assert found.status_code == 200
    body = found.json()
    assert (body["id"], body["acct"], body["display_name"]) == (alice.id, "alice", "Alice A")
    assert body["url"] == f"{mastodon_server.url}/@alice"
    assert body["fields"] == [{"name": "site", "value": "https://a.example", "verified_at": None}]
    assert "source" not in body
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}
    assert with_domain.status_code == 404


def test_account_statuses_filter_by_viewer_and_page_with_link_headers(
    mastodon_server: MastodonServer,
):
    alice = mastodon_server.create_account("alice")
    mastodon_server.create_account("bob")
    carol = mastodon_server.create_account("carol")
    mastodon_server.follow("carol", "alice")
    made = mastodon_server.seed_timeline("alice", "bob")
    path = f"/api/v1/accounts/{alice.id}/statuses"

    def ids(token: str | None = None, **params: str) -> set[str]:
        response = mastodon_server.request("GET", path, token=token, params=params)
        assert response.status_code == 200
        return {status["id"] for status in response.json()}

    everything = {made[name]["id"] for name in made if name != "other_post"}
    public = {made[name]["id"] for name in ("public", "unlisted", "reply", "boost")}
    assert ids() == public  # anonymous: public + unlisted (the boost is public)
    assert ids(alice.token) == everything  # the author sees direct and private too
    assert ids(carol.token) == public | {made["private"]["id"]}  # a follower
    assert ids(alice.token, exclude_reblogs="true") == everything - {made["boost"]["id"]}
    assert made["reply"]["id"] not in ids(alice.token, exclude_replies="true")

    boost = next(
        s for s in mastodon_server.request("GET", path).json() if s["id"] == made["boost"]["id"]
    )
    assert boost["content"] == "" and boost["account"]["id"] == alice.id
    assert boost["reblog"]["id"] == made["other_post"]["id"]
    assert boost["reblog"]["account"]["acct"] == "bob"

    seen: list[str] = []
    url: str | None = f"{mastodon_server.url}{path}?limit=2"
    with httpx.Client(
        headers={"Authorization": f"Bearer {alice.token}"}, trust_env=False
    ) as client:
        while url:
            page = client.get(url)
            seen += [status["id"] for status in page.json()]
            url = _next_link(page)
            assert len(seen) <= len(everything) + 2
    assert set(seen) == everything
    assert seen == sorted(seen, key=int, reverse=True)  # newest first, ids are numeric strings


def test_credentials_round_trip_through_update_credentials(mastodon_server: MastodonServer):
    mastodon_server.create_account(
        "alice",
        locked=True,
        discoverable=False,
        privacy="private",
        sensitive=True,
        indexable=True,
        hide_collections=True,
    )
    token = mastodon_server.token_of("alice")
    me = mastodon_server.request("GET", "/api/v1/accounts/verify_credentials", token=token).json()
    assert (me["locked"], me["discoverable"], me["indexable"], me["hide_collections"]) == (
        True,
        False,
        True,
        True,
    )
    assert me["source"]["privacy"] == "private" and me["source"]["sensitive"] is True

    changed = mastodon_server.request(
        "PATCH",
        "/api/v1/accounts/update_credentials",
        token=token,
        data={
            "locked": "false",
            "discoverable": "true",
            "source[privacy]": "public",
            "source[sensitive]": "false",
            "fields_attributes[0][name]": "pronouns",
            "fields_attributes[0][value]": "she/her",
        },
    )
    assert changed.status_code == 200
    body = changed.json()
    assert (body["locked"], body["discoverable"]) == (False, True)
    assert body["source"]["privacy"] == "public" and body["source"]["sensitive"] is False
    assert body["fields"] == [{"name": "pronouns", "value": "she/her", "verified_at": None}]


def test_authorization_code_flow_with_pkce_and_revocation(mastodon_server: MastodonServer):
    mastodon_server.create_account("alice")
    mastodon_server.create_account("bob")
    grant = mastodon_server.authorize("alice", ("read:accounts", "read:statuses", "write:statuses"))
    assert grant.scope == "read:accounts read:statuses write:statuses"
    me = mastodon_server.request(
        "GET", "/api/v1/accounts/verify_credentials", token=grant.access_token
    )
    assert me.status_code == 200 and me.json()["username"] == "alice"

    mastodon_server.revoke(grant)
    revoked = mastodon_server.request(
        "GET", "/api/v1/accounts/verify_credentials", token=grant.access_token
    )
    assert revoked.status_code == 401
    assert revoked.json() == {"error": "This method requires an authenticated user"}


def test_a_client_built_authorize_url_can_be_consented_to(mastodon_server: MastodonServer):
    """How a connector test drives the login: the connector builds the URL, the test
    plays the person, the connector gets the redirect."""
    mastodon_server.create_account("alice")
    redirect = "http://127.0.0.1:8765/callback"
    app = mastodon_server.register_app("footprint", scopes=("read",), redirect_uris=[redirect])
    verifier, challenge = pkce_pair()
    url = str(
        httpx.URL(
            f"{mastodon_server.url}/oauth/authorize",
            params={
                "response_type": "code",
                "client_id": app["client_id"],
                "redirect_uri": redirect,
                "scope": "read",
                "state": "xyz",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
    )
    landed = mastodon_server.consent(url, "alice")
    assert landed.startswith(redirect + "?")
    query = parse_qs(urlsplit(landed).query)
    assert query["state"] == ["xyz"]
    token = mastodon_server.http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": redirect,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200 and token.json()["token_type"] == "Bearer"


def test_out_of_band_redirect_shows_the_code(mastodon_server: MastodonServer):
    mastodon_server.create_account("alice")
    grant = mastodon_server.authorize("alice", ("read",), redirect_uri=OOB)
    assert grant.redirect_uri == OOB and grant.scope == "read"


def test_delete_and_unreblog(mastodon_server: MastodonServer):
    alice = mastodon_server.create_account("alice")
    mastodon_server.create_account("bob")
    made = mastodon_server.seed_timeline("alice", "bob")

    gone = mastodon_server.request(
        "DELETE", f"/api/v1/statuses/{made['public']['id']}", token=alice.token
    )
    assert gone.status_code == 200
    assert gone.json()["id"] == made["public"]["id"] and gone.json()["text"] == "public hello"
    again = mastodon_server.request(
        "DELETE", f"/api/v1/statuses/{made['public']['id']}", token=alice.token
    )
    assert again.status_code == 404 and again.json() == {"error": "Record not found"}
    not_mine = mastodon_server.request(
        "DELETE", f"/api/v1/statuses/{made['other_post']['id']}", token=alice.token
    )
    assert not_mine.status_code == 403

    undone = mastodon_server.request(
        "POST", f"/api/v1/statuses/{made['other_post']['id']}/unreblog", token=alice.token
    )
    assert undone.status_code == 200
    assert undone.json()["id"] == made["other_post"]["id"] and undone.json()["reblogged"] is False
    left = mastodon_server.request(
        "GET", f"/api/v1/accounts/{alice.id}/statuses", token=alice.token
    ).json()
    assert {s["id"] for s in left}.isdisjoint({made["public"]["id"], made["boost"]["id"]})


def test_injected_rate_limit_answers_429_with_headers(mastodon_server: MastodonServer):
    alice = mastodon_server.create_account("alice")
    mastodon_server.fault(path="/api/v1/accounts/*/statuses", kind="ratelimit", count=1)
    path = f"/api/v1/accounts/{alice.id}/statuses"
    limited = mastodon_server.http.get(path)
    assert limited.status_code == 429 and limited.json() == {"error": "Too many requests"}
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert limited.headers["retry-after"] == "300"
    assert mastodon_server.http.get(path).status_code == 200  # count=1: it fired once


def test_the_opt_in_rate_limiter_counts_requests(tmp_path):
    limit = 3
    with MastodonServer(tmp_path / "limited", rate_limit=(limit, 60)) as server:
        answers = [server.http.get("/api/v1/instance") for _ in range(limit)]
    # The readiness check at start-up spent one request of the window.
    assert [a.status_code for a in answers] == [200] * (limit - 1) + [429]
    assert answers[0].headers["x-ratelimit-limit"] == str(limit)
    assert answers[0].headers["x-ratelimit-remaining"] == str(limit - 2)
    assert answers[0].headers["x-ratelimit-reset"].isdigit()  # epoch seconds, not ISO 8601
