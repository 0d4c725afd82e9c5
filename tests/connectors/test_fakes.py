"""The loopback API fakes answer with the documented shapes (plain httpx, no connector)."""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.connectors.fakes import (
    FakeGitHub,
    FakeGravatar,
    FakeHN,
    FakeReddit,
    FakeStackExchange,
    fake_github,
    fake_gravatar,
    fake_hn,
    fake_reddit,
    fake_stackexchange,
)

UA = "desktop:org.example.footprint:v0.1 (by /u/tester)"
GH_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}

# The fixtures are imported so these tests can use them, as a conftest would.
_FIXTURES = (fake_github, fake_reddit, fake_hn, fake_stackexchange, fake_gravatar)


def client(server, **kwargs) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=5, **kwargs)


# --------------------------------------------------------------------------- GitHub


def test_github_profile_self_and_emails(fake_github: FakeGitHub):
    gh = fake_github
    gh.add_user("octo", name="Octo Cat", location="Berlin", email="octo@example.org", plan={"x": 1})
    gh.add_email("octo", "octo@example.org", primary=True, visibility="private")
    gh.add_email("octo", "1001+octo@users.noreply.github.com")
    gh.add_token("ghp_full", "octo", ["user"])
    gh.add_token("ghp_bare", "octo", [])
    gh.add_token("github_pat_fine", "octo", ["profile:write"])
    with client(gh, headers=GH_HEADERS) as c:
        r = c.get("/users/OCTO")
        assert r.status_code == 200
        body = r.json()
        assert body["login"] == "octo" and body["location"] == "Berlin" and body["blog"] == ""
        assert "plan" not in body and "private_gists" not in body
        assert int(r.headers["x-ratelimit-remaining"]) == 59
        assert r.headers["x-ratelimit-resource"] == "core"
        assert c.get("/users/nobody").json()["message"] == "Not Found"

        assert c.get("/user").status_code == 401
        bad = c.get("/user", headers={"Authorization": "Bearer nope"})
        assert (bad.status_code, bad.json()["message"]) == (401, "Bad credentials")
        me = c.get("/user", headers={"Authorization": "Bearer ghp_full"})
        assert me.json()["plan"] == {"x": 1} and "two_factor_authentication" in me.json()
        assert me.headers["x-ratelimit-limit"] == "5000"

        emails = c.get("/user/emails", headers={"Authorization": "Bearer ghp_full"}).json()
        assert emails[0] == {
            "email": "octo@example.org",
            "primary": True,
            "verified": True,
            "visibility": "private",
        }
        assert (
            c.get("/user/emails", headers={"Authorization": "Bearer ghp_bare"}).status_code == 404
        )
        fine = c.get("/user/emails", headers={"Authorization": "Bearer github_pat_fine"})
        assert fine.status_code == 403

        r = c.patch(
            "/user/email/visibility",
            json={"visibility": "public"},
            headers={"Authorization": "token ghp_full"},
        )
        assert r.status_code == 200 and r.json()[0]["visibility"] == "public"
        r = c.patch("/user", json={"hireable": False}, headers={"Authorization": "Bearer ghp_full"})
        assert r.json()["hireable"] is False
        assert c.get("/users/octo").json()["hireable"] is False
    assert not gh.requests_to("/users/octo")[0].headers.get("authorization")


def test_github_events_commits_and_paging(fake_github: FakeGitHub):
    gh = fake_github
    gh.add_user("octo")
    for _ in range(310):
        gh.add_event("octo", "PushEvent", "octo/repo", payload={"commits": [], "size": 1})
    gh.add_commit("octo/repo", "a" * 40, "Octo", "octo@home.example", message="one")
    gh.add_commit("octo/repo", "b" * 40, "Other", "other@example.org", author_login="other")
    gh.add_commit("octo/repo", "c" * 40, "Octo", "octo@home.example", author_login="octo")
    noreply = f"{gh.users['octo']['id']}+octo@users.noreply.github.com"
    gh.add_commit("octo/repo", "d" * 40, "Octo", noreply)  # linked through the noreply address
    with client(gh, headers=GH_HEADERS) as c:
        r = c.get("/users/octo/events/public", params={"per_page": 100})
        events = r.json()
        assert len(events) == 100
        assert set(events[0]["payload"]) == {"repository_id", "push_id", "ref", "head", "before"}
        assert events[0]["created_at"] > events[-1]["created_at"]
        pages = 1
        while "next" in r.links:
            r = c.get(r.links["next"]["url"])
            pages += 1
        assert pages == 3 and len(r.json()) == 100  # only 300 events are reachable
        assert c.get("/users/octo/events/public?per_page=100&page=4").status_code == 422
        etag = c.get("/users/octo/events/public").headers["etag"]
        cached = c.get("/users/octo/events/public", headers={"If-None-Match": etag})
        assert cached.status_code == 304

        r = c.get("/repos/octo/repo/commits", params={"author": "octo", "per_page": 1})
        assert [x["sha"] for x in r.json()] == ["d" * 40]
        assert r.json()[0]["author"]["login"] == "octo"
        assert "/repositories/" in r.links["next"]["url"]
        second = c.get(r.links["next"]["url"]).json()
        assert second[0]["commit"]["author"]["email"] == "octo@home.example"
        one = c.get("/repos/octo/repo/commits/" + "a" * 7).json()
        assert one["commit"]["committer"]["email"] == "octo@home.example"
        assert one["author"] is None  # an email GitHub cannot tie to an account
        assert c.get("/repos/octo/repo/commits/deadbeef").status_code == 422
        repos = c.get("/users/octo/repos").json()
        assert [x["full_name"] for x in repos] == ["octo/repo"]

        gh.repeat_cursor("/users/octo/events")
        r = c.get("/users/octo/events/public?page=2")
        assert r.links["next"]["url"].endswith("page=2")


def test_github_rate_limit_and_injected_errors():
    with FakeGitHub(exhausted=True, reset_in=60) as gh, client(gh) as c:
        gh.add_user("octo")
        r = c.get("/users/octo")
        assert r.status_code == 403 and r.headers["x-ratelimit-remaining"] == "0"
        assert "rate limit exceeded" in r.json()["message"]
        assert c.get("/rate_limit").json()["rate"]["remaining"] == 0
        reset = int(r.headers["x-ratelimit-reset"])
        gh.clock = lambda: reset + 1.0
        assert c.get("/users/octo").status_code == 200

        gh.fail("/users/octo", 503, times=2)
        gh.fail("/users/", 429, headers={"retry-after": "7"})
        assert [c.get("/users/octo").status_code for _ in range(4)] == [503, 503, 429, 200]
        gh.malformed("/users/octo")
        with pytest.raises(ValueError):
            c.get("/users/octo").json()
        assert c.get("/users/octo", headers={"User-Agent": ""}).status_code == 403


# --------------------------------------------------------------------------- Reddit


def test_reddit_about_listing_and_escaping(fake_reddit: FakeReddit):
    rd = fake_reddit
    rd.add_user("Someone", subreddit={"public_description": "I live in <Berlin> & ski"})
    rd.add_user("gone", suspended=True)
    rd.add_comment("someone", "c1", "fish & chips <3", subreddit="food", link_title="Lunch")
    rd.add_post("someone", "p1", "My post", selftext="hello", subreddit="food")
    with client(rd, headers={"User-Agent": UA}) as c:
        about = c.get("/user/someone/about.json", params={"raw_json": 1}).json()
        assert about["kind"] == "t2" and about["data"]["name"] == "Someone"
        assert about["data"]["subreddit"]["public_description"] == "I live in <Berlin> & ski"
        escaped = c.get("/user/someone/about.json").json()
        assert escaped["data"]["subreddit"]["public_description"] == (
            "I live in &lt;Berlin&gt; &amp; ski"
        )
        assert c.get("/user/gone/about.json").json() == {
            "kind": "t2",
            "data": {"name": "gone", "is_suspended": True},
        }
        missing = c.get("/user/nobody/about.json")
        assert (missing.status_code, missing.json()) == (
            404,
            {"message": "Not Found", "error": 404},
        )

        r = c.get("/user/someone/comments.json", params={"limit": 100, "raw_json": 1})
        listing = r.json()
        assert listing["kind"] == "Listing" and listing["data"]["after"] is None
        child = listing["data"]["children"][0]
        assert child["kind"] == "t1" and child["data"]["name"] == "t1_c1"
        assert child["data"]["body"] == "fish & chips <3"
        assert child["data"]["link_id"].startswith("t3_")
        assert isinstance(child["data"]["created_utc"], float)
        assert float(r.headers["X-Ratelimit-Remaining"]) == 95.0
        assert 0 < int(r.headers["X-Ratelimit-Reset"]) <= 600
        posts = c.get("/user/someone/submitted.json?raw_json=1").json()["data"]["children"]
        assert posts[0]["kind"] == "t3" and posts[0]["data"]["is_self"] is True

    with client(rd) as c:  # httpx's own User-Agent is throttled like Reddit does
        assert c.get("/user/someone/about.json").status_code == 429


def test_reddit_paging_cap_and_faults(fake_reddit: FakeReddit):
    rd = fake_reddit
    for i in range(1050):
        rd.add_comment("someone", f"c{i}", f"comment {i}")
    with client(rd, headers={"User-Agent": UA}) as c:
        seen, after = 0, None
        while True:
            params = {"limit": 100, "raw_json": 1, **({"after": after} if after else {})}
            data = c.get("/user/someone/comments.json", params=params).json()["data"]
            seen += data["dist"]
            after = data["after"]
            if after is None:
                break
        assert seen == 1000

        rd.repeat_cursor("/user/someone/comments.json")
        first = c.get("/user/someone/comments.json?limit=5").json()["data"]["after"]
        again = c.get(f"/user/someone/comments.json?limit=5&after={first}").json()["data"]
        assert again["after"] == first
        rd.clear_faults()
        rd.empty_pages("/user/someone/comments.json", times=1)
        empty = c.get("/user/someone/comments.json").json()["data"]
        assert empty["children"] == [] and empty["after"]
        rd.fail("/user/", 503)
        assert c.get("/user/someone/comments.json").status_code == 503
        rd.set_rate_limit(0, reset_in=30)
        r = c.get("/user/someone/comments.json")
        assert r.status_code == 429 and r.headers["X-Ratelimit-Reset"] == "30"


REDIRECT = "http://127.0.0.1:65010/authorize_callback"


def authorize_url(client_id="app1", redirect_uri=REDIRECT, **extra) -> str:
    params = {
        "client_id": client_id,
        "response_type": "code",
        "state": "xyz",
        "redirect_uri": redirect_uri,
        "duration": "permanent",
        "scope": "identity history read edit account",
        **extra,
    }
    return f"https://www.reddit.com/api/v1/authorize?{urlencode(params)}"


def code_from(target: str) -> str:
    assert target.startswith(REDIRECT + "?state=xyz&code=")
    return parse_qs(urlsplit(target).query)["code"][0]


def redeem(c: httpx.Client, code: str, client_id="app1", redirect_uri=REDIRECT) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    return c.post("/api/v1/access_token", auth=(client_id, ""), data=data)


def test_reddit_oauth_flow(fake_reddit: FakeReddit):
    rd = fake_reddit
    rd.add_app("app1", REDIRECT, owner="dev")
    rd.add_user("Someone", link_karma=5)
    rd.add_prefs("someone", public_votes=True)
    rd.add_comment("someone", "c1", "mine & old")
    rd.add_post("someone", "p1", "My post", selftext="hello")
    rd.add_comment("other", "c9", "theirs")
    with client(rd, headers={"User-Agent": UA}) as c:
        url = urlsplit(authorize_url())
        page = c.get(f"{url.path}?{url.query}")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        target = rd.consent(authorize_url(), "someone")
        code = code_from(target)
        assert [r.method for r in rd.requests_to("/api/v1/authorize")] == ["GET", "GET", "POST"]

        r = redeem(c, code)
        tokens = r.json()
        assert r.status_code == 200 and "X-Ratelimit-Used" not in r.headers
        assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 3600
        assert tokens["scope"] == "identity history read edit account"
        assert tokens["refresh_token"]
        assert redeem(c, code).json() == {"error": "invalid_grant"}  # single use, HTTP 200
        body = rd.requests_to("/api/v1/access_token")[0]
        assert body.headers["authorization"] == "Basic YXBwMTo="  # "app1:"

        auth = {"Authorization": f"bearer {tokens['access_token']}"}
        me = c.get("/api/v1/me", headers=auth)
        assert me.json()["name"] == "Someone" and me.json()["link_karma"] == 5
        assert float(me.headers["X-Ratelimit-Remaining"]) == 999.0
        prefs = c.get("/api/v1/me/prefs", headers=auth).json()
        assert prefs["public_votes"] is True and prefs["accept_pms"] == "everyone"
        assert prefs["research"] is True and prefs["allow_clicktracking"] is True
        patch = {"hide_from_robots": True, "public_votes": False, "no_such_pref": 1}
        patched = c.patch("/api/v1/me/prefs", headers=auth, json=patch).json()
        assert patched["hide_from_robots"] is True and "no_such_pref" not in patched
        bad = c.patch("/api/v1/me/prefs", headers=auth, json={"accept_pms": "nobody"})
        assert bad.status_code == 400
        assert c.get("/api/v1/me/prefs?fields=public_votes,accept_pms", headers=auth).json() == {
            "public_votes": False,
            "accept_pms": "everyone",
        }
        about = c.get("/user/someone/about.json?raw_json=1").json()["data"]
        assert about["hide_from_robots"] is True

        listing = c.get("/user/someone/comments", headers=auth, params={"raw_json": 1}).json()
        assert [ch["data"]["body"] for ch in listing["data"]["children"]] == ["mine & old"]
        for _ in range(2):  # idempotent
            r = c.post("/api/del", headers=auth, data={"id": "t1_c1"})
            assert (r.status_code, r.json()) == (200, {})
        assert c.post("/api/del", headers=auth, data={"id": "t1_c9"}).status_code == 403
        assert c.get("/user/someone/comments", headers=auth).json()["data"]["children"] == []
        assert c.get("/user/someone/comments.json").json()["data"]["children"] == []
        info = c.get("/api/info", headers=auth, params={"id": "t1_c1,t3_p1,t1_nope"}).json()
        things = [ch["data"] for ch in info["data"]["children"]]
        assert [t["name"] for t in things] == ["t1_c1", "t3_p1"]
        assert (things[0]["author"], things[0]["body"]) == ("[deleted]", "[deleted]")
        assert things[1]["author"] == "Someone"
        assert rd.requests_to("/api/del", method="POST")[0].body == b"id=t1_c1"

        refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        fresh = c.post("/api/v1/access_token", auth=("app1", ""), data=refresh).json()
        assert fresh["access_token"] != tokens["access_token"]
        assert fresh["refresh_token"] == tokens["refresh_token"]
        rd.expire_tokens()
        gone = c.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh['access_token']}"})
        assert (gone.status_code, gone.json()) == (401, {"message": "Unauthorized", "error": 401})
        assert 'error="invalid_token"' in gone.headers["www-authenticate"]
        again = c.post("/api/v1/access_token", auth=("app1", ""), data=refresh).json()
        ok = c.get("/api/v1/me", headers={"Authorization": f"BEARER {again['access_token']}"})
        assert ok.status_code == 200
    assert rd.errors == []


def test_reddit_oauth_errors(fake_reddit: FakeReddit):
    rd = fake_reddit
    rd.add_app("app1", REDIRECT)
    rd.add_app("app2", "http://localhost:8080/cb")
    with pytest.raises(ValueError, match="invalid redirect_uri parameter"):
        rd.consent(authorize_url(redirect_uri=REDIRECT + "/"), "someone")
    with pytest.raises(ValueError, match="invalid client id"):
        rd.consent(authorize_url(client_id="nope"), "someone")
    with pytest.raises(ValueError, match="invalid scope"):
        rd.consent(authorize_url(scope="identity teleport"), "someone")
    denied = rd.consent(authorize_url(), "someone", allow=False)
    assert denied == f"{REDIRECT}?state=xyz&error=access_denied"

    with client(rd, headers={"User-Agent": UA}) as c:
        code = code_from(rd.consent(authorize_url(duration="temporary", scope="identity"), "me"))
        assert redeem(c, code, client_id="app2").json() == {"error": "invalid_grant"}
        assert redeem(c, code, redirect_uri=REDIRECT + "/").json() == {"error": "invalid_grant"}
        r = c.post("/api/v1/access_token", auth=("ghost", ""), data={"grant_type": "x"})
        assert (r.status_code, r.json()["error"]) == (401, 401)
        assert c.post("/api/v1/access_token", data={"code": code}).status_code == 401
        tokens = redeem(c, code).json()  # failed tries did not use the code up
        assert "refresh_token" not in tokens and tokens["scope"] == "identity"
        auth = {"Authorization": f"bearer {tokens['access_token']}"}
        assert c.get("/api/v1/me", headers=auth).status_code == 200
        for method, path in (("POST", "/api/del"), ("PATCH", "/api/v1/me/prefs")):
            r = c.request(method, path, headers=auth, data={"id": "t1_x"})
            assert (r.status_code, r.json()) == (403, {"message": "Forbidden", "error": 403})
            assert "insufficient_scope" in r.headers["www-authenticate"]
        assert c.get("/api/v1/me").status_code == 401
        grant = {"grant_type": "refresh_token", "refresh_token": "nope"}
        r = c.post("/api/v1/access_token", auth=("app1", ""), data=grant)
        assert (r.status_code, r.json()) == (400, {"error": "invalid_grant"})
        r = c.post("/api/v1/access_token", auth=("app1", ""), data={"grant_type": "magic"})
        assert r.json() == {"error": "unsupported_grant_type"}
        with client(rd) as generic:
            assert redeem(generic, "whatever").status_code == 429

        rd.set_rate_limit(0, reset_in=30, client_id="app1")
        r = c.get("/api/v1/me", headers=auth)
        assert r.status_code == 429 and r.headers["X-Ratelimit-Reset"] == "30"
        other = rd.issue_token("app2", "me", scope="identity")
        r = c.get("/api/v1/me", headers={"Authorization": f"bearer {other['access_token']}"})
        assert r.status_code == 200 and r.headers["X-Ratelimit-Used"] == "1"


def test_reddit_oauth_revoke_and_lifetime(fake_reddit: FakeReddit):
    rd = fake_reddit
    rd.add_app("app1", REDIRECT)
    rd.token_lifetime = 60
    now = [1_000_000.0]
    rd.clock = lambda: now[0]
    with client(rd, headers={"User-Agent": UA}) as c:
        tokens = redeem(c, code_from(rd.consent(authorize_url(), "me"))).json()
        assert tokens["expires_in"] == 60
        auth = {"Authorization": f"bearer {tokens['access_token']}"}
        now[0] += 61
        assert c.get("/api/v1/me", headers=auth).status_code == 401
        refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        fresh = c.post("/api/v1/access_token", auth=("app1", ""), data=refresh).json()
        auth = {"Authorization": f"bearer {fresh['access_token']}"}
        assert c.get("/api/v1/me", headers=auth).status_code == 200

        other = rd.add_app("app2", "http://localhost/cb")["client_id"]
        form = {"token": tokens["refresh_token"], "token_type_hint": "refresh_token"}
        r = c.post("/api/v1/revoke_token", auth=(other, ""), data=form)
        assert (r.status_code, r.json()) == (400, {"error": "unauthorized_client"})
        r = c.post("/api/v1/revoke_token", auth=("app1", ""), data=form)
        assert r.status_code == 204 and r.content == b""
        assert c.get("/api/v1/me", headers=auth).status_code == 401  # made from it
        r = c.post("/api/v1/access_token", auth=("app1", ""), data=refresh)
        assert (r.status_code, r.json()) == (400, {"error": "invalid_grant"})
        unknown = {"token": "never-issued"}
        assert c.post("/api/v1/revoke_token", auth=("app1", ""), data=unknown).status_code == 204
    assert rd.errors == []


# --------------------------------------------------------------------------- Hacker News


def test_hn_firebase_and_algolia(fake_hn: FakeHN):
    hn = fake_hn
    hn.add_user("pg", created=1160418092, karma=155000, about="<i>hi</i>")
    hn.add_item(1, type="story", by="pg", title="Show HN: thing", url="https://example.org")
    hn.add_item(2, type="comment", by="pg", text="first &amp; best", parent=1)
    hn.add_item(3, type="comment", by="pg", text="gone", parent=1, deleted=True)
    hn.add_item(4, type="comment", by="other", text="reply", parent=2)
    with client(hn) as c:
        user = c.get("/v0/user/pg.json").json()
        assert user["submitted"] == [3, 2, 1] and user["karma"] == 155000
        r = c.get("/v0/user/PG.json")
        assert r.status_code == 200 and r.json() is None
        story = c.get("/v0/item/1.json").json()
        assert story["kids"] == [2, 3] and story["descendants"] == 2 and story["score"] == 1
        assert c.get("/v0/item/3.json").json() == {
            "id": 3,
            "type": "comment",
            "time": hn.items[3]["time"],
            "parent": 1,
            "deleted": True,
        }
        assert c.get("/v0/item/999.json").json() is None

        both = c.get(
            "/api/v1/search_by_date",
            params={"tags": "(story,comment),author_pg", "hitsPerPage": 100},
        ).json()
        assert [h["objectID"] for h in both["hits"]] == ["2", "1"]  # newest first, no deleted
        comment = both["hits"][0]
        assert comment["story_title"] == "Show HN: thing" and comment["parent_id"] == 1
        assert comment["comment_text"] == "first &amp; best" and "author_pg" in comment["_tags"]
        assert both["nbHits"] == 2 and both["nbPages"] == 1 and both["page"] == 0
        stories = c.get("/api/v1/search_by_date?tags=story,author_pg").json()["hits"]
        assert stories[0]["title"] == "Show HN: thing" and stories[0]["num_comments"] == 2

        hn.malformed("/api/v1/")
        with pytest.raises(ValueError):
            c.get("/api/v1/search_by_date?tags=comment").json()


def test_hn_algolia_depth_cap_needs_numeric_filters(fake_hn: FakeHN):
    hn = fake_hn
    for i in range(1, 1251):
        hn.add_item(i, type="comment", by="pg", text=f"c{i}", time=1_600_000_000 + i)
    with client(hn) as c:
        params = {"tags": "comment,author_pg", "hitsPerPage": 500}
        first = c.get("/api/v1/search_by_date", params=params).json()
        assert first["nbHits"] == 1250 and first["nbPages"] == 2
        assert c.get("/api/v1/search_by_date", params={**params, "page": 2}).json()["hits"] == []
        oldest = c.get("/api/v1/search_by_date", params={**params, "page": 1}).json()["hits"][-1]
        rest = c.get(
            "/api/v1/search_by_date",
            params={**params, "numericFilters": f"created_at_i<{oldest['created_at_i']}"},
        ).json()
        assert rest["nbHits"] == 250 and rest["hits"][0]["objectID"] == "250"
        hn.fail("/v0/", 500)
        assert c.get("/v0/user/pg.json").status_code == 500


# --------------------------------------------------------------------------- Stack Exchange


def test_stackexchange_envelope_gzip_and_filters(fake_stackexchange: FakeStackExchange):
    se = fake_stackexchange
    se.add_user("stackoverflow", 42, account_id=7, display_name="Jane Doe", about_me="<p>me</p>")
    se.add_user("superuser", 99, account_id=7, display_name="Jane")
    se.add_post("stackoverflow", 42, 1001, "question", title="How?", body="<p>q</p>", score=3)
    se.add_post("stackoverflow", 42, 1002, "answer", body="<p>a</p>")
    se.add_comment("stackoverflow", 42, 5001, 1001, body="nice")
    with client(se) as c:
        r = c.get("/2.3/users/42", params={"site": "stackoverflow"})
        assert r.headers["content-encoding"] == "gzip"
        env = r.json()
        assert set(env) == {"items", "has_more", "quota_max", "quota_remaining"}
        assert env["items"][0]["display_name"] == "Jane Doe" and "about_me" not in env["items"][0]
        assert env["quota_max"] == 300 and env["quota_remaining"] == 299
        withbody = c.get("/2.3/users/42?site=stackoverflow&filter=withbody").json()
        assert withbody["items"][0]["about_me"] == "<p>me</p>"
        found = c.get("/2.3/users?inname=jane&site=stackoverflow.com").json()["items"]
        assert [u["user_id"] for u in found] == [42]

        posts = c.get("/2.3/users/42/posts?site=stackoverflow&pagesize=1").json()
        assert posts["has_more"] is True and "body" not in posts["items"][0]
        posts = c.get("/2.3/users/42/posts?site=stackoverflow&filter=withbody").json()["items"]
        assert {p["post_type"] for p in posts} == {"question", "answer"}
        assert all("body" in p and p["owner"]["user_id"] == 42 for p in posts)
        comments = c.get("/2.3/users/42/comments?site=stackoverflow&filter=withbody").json()
        assert comments["items"][0]["body"] == "nice" and comments["items"][0]["post_id"] == 1001
        assoc = c.get("/2.3/users/7/associated").json()["items"]
        assert {a["site_url"] for a in assoc} == {
            "https://stackoverflow.com",
            "https://superuser.com",
        }

        bad = c.get("/2.3/users/42?site=nosuchsite")
        assert bad.status_code == 400 and bad.headers["content-encoding"] == "gzip"
        assert bad.json()["error_name"] == "bad_parameter" and "error_message" in bad.json()


def test_stackexchange_backoff_and_throttle(fake_stackexchange: FakeStackExchange):
    se = fake_stackexchange
    se.add_user("stackoverflow", 42)
    now = [1000.0]
    se.clock = lambda: now[0]
    se.backoff("/users", 10)
    with client(se) as c:
        first = c.get("/2.3/users/42/posts?site=stackoverflow").json()
        assert first["backoff"] == 10
        ignored = c.get("/2.3/users/42/comments?site=stackoverflow")
        assert ignored.status_code == 400
        assert ignored.json()["error_id"] == 502
        assert ignored.json()["error_name"] == "throttle_violation"
        now[0] += 11
        assert "backoff" not in c.get("/2.3/users/42?site=stackoverflow").json()
        se.fail("/2.3/users", 503)
        assert c.get("/2.3/users/42?site=stackoverflow").json()["error_id"] == 503
        se.set_quota(0)
        assert c.get("/2.3/users/42?site=stackoverflow").json()["error_id"] == 502


# --------------------------------------------------------------------------- Gravatar


def test_gravatar_profile_and_key_only_fields(fake_gravatar: FakeGravatar):
    gv = fake_gravatar
    digest = gv.add_profile(
        " Jane@Example.org ",
        display_name="Jane",
        location="Berlin",
        verified_accounts=[
            {"service_type": "github", "service_label": "GitHub", "url": "https://github.com/j"}
        ],
        links=[{"label": "blog", "url": "https://jane.example"}],
        first_name="Jane",
        contact_info={"cell_phone": "+49 1"},
    )
    assert digest == FakeGravatar.hash_email("jane@example.org")
    gv.add_key("k1")
    with client(gv) as c:
        public = c.get(f"/v3/profiles/{digest}").json()
        assert public["display_name"] == "Jane" and public["hash"] == digest
        assert public["verified_accounts"][0]["service_label"] == "GitHub"
        assert "first_name" not in public and "contact_info" not in public and "links" not in public
        keyed = c.get(f"/v3/profiles/{digest}", headers={"Authorization": "Bearer k1"})
        assert keyed.json()["contact_info"] == {"cell_phone": "+49 1"}
        assert keyed.headers["X-RateLimit-Limit"] == "1000"
        missing = c.get("/v3/profiles/" + "0" * 64)
        assert missing.status_code == 404 and "error" in missing.json()
        assert (
            c.get(f"/v3/profiles/{digest}", headers={"Authorization": "Bearer x"}).status_code
            == 401
        )


def test_gravatar_rate_limit_and_injected_429():
    with FakeGravatar(rate_limit=3) as gv, client(gv) as c:
        digest = gv.add_profile("a@example.org")
        codes = [c.get(f"/v3/profiles/{digest}").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        gv.set_rate_limit(5)
        gv.fail("/v3/profiles", 429, headers={"X-RateLimit-Reset": "123", "Retry-After": "9"})
        r = c.get(f"/v3/profiles/{digest}")
        assert r.status_code == 429 and r.headers["Retry-After"] == "9"
        assert c.get(f"/v3/profiles/{digest}").status_code == 200
        gv.stall("/v3/", 2)
        with pytest.raises(httpx.ReadTimeout):
            c.get(f"/v3/profiles/{digest}", timeout=0.2)


# --------------------------------------------------------------------------- async and threads


def test_fakes_serve_async_clients_from_other_threads():
    with FakeHN() as hn:
        hn.add_user("pg")
        results: list[int] = []

        async def fetch() -> None:
            async with httpx.AsyncClient(base_url=hn.url) as c:
                answers = await asyncio.gather(*(c.get("/v0/user/pg.json") for _ in range(5)))
                results.extend(r.status_code for r in answers)

        worker = threading.Thread(target=lambda: asyncio.run(fetch()))
        worker.start()
        worker.join(10)
        assert results == [200] * 5
        assert len(hn.requests_to("/v0/user/pg.json")) == 5
    with pytest.raises(RuntimeError):
        _ = hn.url
