"""Reddit, Hacker News, Stack Exchange and Gravatar against their loopback fakes."""

from __future__ import annotations

import pytest

from footprint.connectors.errors import AccountNotFound, ConnectorError
from footprint.errors import InputError
from footprint.store.profile import add_identifiers
from tests.connectors.helpers import items, run_connect, run_sync

# -- Reddit ---------------------------------------------------------------------------


@pytest.fixture
def reddit(fake_reddit):
    fake_reddit.add_user(
        "Throwaway_Me", subreddit={"title": "Me", "public_description": "I live in Leeds"}
    )
    for n in range(250):
        fake_reddit.add_comment("Throwaway_Me", f"c{n}", f"comment {n} & <more>")
    fake_reddit.add_post("Throwaway_Me", "p1", "My weekend", selftext="got wasted again")
    return fake_reddit


def test_reddit_reads_profile_comments_and_posts_with_raw_json(store, reddit):
    endpoints = {"www": reddit.url}
    identity = run_connect(store, "reddit", "u/throwaway_me", endpoints)
    assert identity.handle == "Throwaway_Me"
    [result] = run_sync(store, "reddit", endpoints)
    comments = items(store, "reddit", "comment")
    assert len(comments) == 250
    assert comments["t1_c7"]["text"] == "comment 7 & <more>"  # raw_json=1: not &amp;
    assert comments["t1_c7"]["title"] == "in r/test"
    assert items(store, "reddit", "post")["t3_p1"]["text"] == "got wasted again"
    assert items(store, "reddit", "profile_field")["about"]["text"] == "I live in Leeds"
    listing = reddit.requests_to("/user/Throwaway_Me/comments.json")
    assert all(r.query.get("raw_json") == "1" for r in listing)
    assert all(r.headers["user-agent"].startswith("desktop:org.footprint:") for r in listing)
    assert any("1,000" in note for note in result.notes)


def test_reddit_resync_fetches_only_the_new_page(store, reddit):
    endpoints = {"www": reddit.url}
    run_connect(store, "reddit", "Throwaway_Me", endpoints)
    run_sync(store, "reddit", endpoints)
    before = len(reddit.requests_to("/user/Throwaway_Me/comments.json"))
    reddit.add_comment("Throwaway_Me", "new1", "a brand new comment")
    [result] = run_sync(store, "reddit", endpoints)
    assert len(reddit.requests_to("/user/Throwaway_Me/comments.json")) - before == 1
    assert result.inserted == 1


def test_reddit_stops_on_a_repeated_cursor(store, reddit):
    endpoints = {"www": reddit.url}
    run_connect(store, "reddit", "Throwaway_Me", endpoints)
    reddit.repeat_cursor("/user/Throwaway_Me/comments.json")
    [result] = run_sync(store, "reddit", endpoints)
    assert result.streams["comments"] == "stopped (repeated page)"
    assert len(reddit.requests_to("/user/Throwaway_Me/comments.json")) <= 3


def test_reddit_unknown_and_suspended_users(store, fake_reddit):
    fake_reddit.add_user("gone", suspended=True)
    with pytest.raises(AccountNotFound, match="no user named 'nobody'"):
        run_connect(store, "reddit", "nobody", {"www": fake_reddit.url})
    with pytest.raises(AccountNotFound, match="suspended"):
        run_connect(store, "reddit", "gone", {"www": fake_reddit.url})


def test_reddit_malformed_json_is_a_clear_error_and_nothing_is_lost(store, reddit):
    endpoints = {"www": reddit.url}
    run_connect(store, "reddit", "Throwaway_Me", endpoints)
    reddit.malformed("/user/Throwaway_Me/comments.json")
    reddit.fail("/user/Throwaway_Me/comments.json", 200)  # unused once malformed fires
    reddit.clear_faults()
    reddit.malformed("/user/Throwaway_Me/submitted.json")
    with pytest.raises(ConnectorError, match="not JSON"):
        run_sync(store, "reddit", endpoints)
    assert len(items(store, "reddit", "comment")) == 250  # the comments stream was saved


def test_reddit_server_errors_are_retried(store, reddit):
    endpoints = {"www": reddit.url}
    run_connect(store, "reddit", "Throwaway_Me", endpoints)
    reddit.fail("/user/Throwaway_Me/comments.json", 503, times=2)
    [result] = run_sync(store, "reddit", endpoints)
    assert result.streams["comments"] == "complete"
    reddit.fail("/user/Throwaway_Me/submitted.json", 500, times=None)
    with pytest.raises(ConnectorError, match="having trouble"):
        run_sync(store, "reddit", endpoints, full=True)


# -- Hacker News ----------------------------------------------------------------------


@pytest.fixture
def hn(fake_hn):
    fake_hn.add_user("jdoe", about="Email me: <a>jdoe@example.org</a>")
    fake_hn.add_item(1, type="story", by="jdoe", title="Show HN: my tool", url="https://x.example")
    for n in range(2, 1203):
        fake_hn.add_item(n, type="comment", by="jdoe", text=f"<p>comment {n}</p>", parent=1)
    fake_hn.add_item(5000, type="comment", by="jdoe", text="dead one", parent=1, dead=True)
    return fake_hn


def endpoints_hn(server):
    return {"firebase": server.url + "/v0", "algolia": server.url + "/api/v1"}


def test_hacker_news_pages_past_algolias_depth_limit(store, hn):
    run_connect(store, "hackernews", "jdoe", endpoints_hn(hn))
    run_sync(store, "hackernews", endpoints_hn(hn))
    comments = items(store, "hackernews", "comment")
    assert len(comments) == 1201  # 1,201 > Algolia's 1,000-hit window
    assert comments["2"]["text"] == "comment 2"
    assert items(store, "hackernews", "post")["1"]["title"] == "Show HN: my tool"
    assert "jdoe@example.org" in items(store, "hackernews", "profile_field")["about"]["text"]
    filters = [r.query.get("numericFilters") for r in hn.requests_to("/api/v1/search_by_date")]
    assert any(f and f.startswith("created_at_i<") for f in filters)


def test_hacker_news_falls_back_to_firebase_when_algolia_is_down(store, fake_hn):
    fake_hn.add_user("jdoe")
    for n in range(1, 121):
        fake_hn.add_item(n, type="comment", by="jdoe", text=f"comment {n}", parent=1)
    fake_hn.add_item(500, type="comment", by="jdoe", text="dead one", parent=1, dead=True)
    run_connect(store, "hackernews", "jdoe", endpoints_hn(fake_hn))
    fake_hn.fail("/api/v1", 503, times=None)
    [result] = run_sync(store, "hackernews", endpoints_hn(fake_hn))
    assert len(items(store, "hackernews", "comment")) == 120  # the dead one is skipped
    assert result.streams["posts"] == "complete"


def test_hacker_news_names_are_case_sensitive(store, hn):
    with pytest.raises(AccountNotFound, match="case-sensitive"):
        run_connect(store, "hackernews", "JDoe", endpoints_hn(hn))


# -- Stack Exchange -------------------------------------------------------------------


@pytest.fixture
def se(fake_stackexchange):
    fake_stackexchange.add_user(
        "stackoverflow",
        42,
        account_id=7,
        display_name="Jane Doe",
        location="Leeds, UK",
        about_me="<p>Hire me</p>",
    )
    fake_stackexchange.add_user("stackoverflow", 43, display_name="Jane Doe-Smith")
    for n in range(130):
        fake_stackexchange.add_post(
            "stackoverflow", 42, 1000 + n, body=f"<p>post {n}</p>", title=f"Question {n}"
        )
    fake_stackexchange.add_comment("stackoverflow", 42, 9, 1000, body="what a stupid question")
    return fake_stackexchange


def test_stack_exchange_reads_posts_comments_and_profile(store, se):
    endpoints = {"api": se.url + "/2.3"}
    identity = run_connect(
        store, "stackexchange", "https://stackoverflow.com/users/42/jane", endpoints
    )
    assert identity.handle == "stackoverflow:42" and identity.display_name == "Jane Doe"
    run_sync(store, "stackexchange", endpoints)
    assert len(items(store, "stackexchange", "post")) == 130
    assert items(store, "stackexchange", "comment")["stackoverflow/c9"]["text"] == (
        "what a stupid question"
    )
    fields = items(store, "stackexchange", "profile_field")
    assert fields["stackoverflow/location"]["text"] == "Leeds, UK"
    assert fields["stackoverflow/about_me"]["text"] == "Hire me"


def test_stack_exchange_obeys_backoff(store, se):
    endpoints = {"api": se.url + "/2.3"}
    run_connect(store, "stackexchange", "stackoverflow:42", endpoints)
    se.backoff("/2.3/users/42/posts", 1)
    run_sync(store, "stackexchange", endpoints)  # the fake refuses a request inside the backoff
    assert len(items(store, "stackexchange", "post")) == 130


def test_stack_exchange_by_name_lists_several_matches(store, se):
    endpoints = {"api": se.url + "/2.3"}
    with pytest.raises(InputError, match=r"stackoverflow:42\).*stackoverflow:43"):
        run_connect(store, "stackexchange", "stackoverflow:jane", endpoints)
    identity = run_connect(store, "stackexchange", "stackoverflow:Jane Doe", endpoints)
    assert identity.handle == "stackoverflow:42"
    with pytest.raises(InputError, match="which site"):
        run_connect(store, "stackexchange", "42", endpoints)


# -- Gravatar -------------------------------------------------------------------------


def test_gravatar_records_every_public_field(store, fake_gravatar):
    fake_gravatar.add_profile(
        "Jane@Example.org ",
        display_name="Jane D",
        location="Leeds",
        job_title="Nurse",
        verified_accounts=[
            {
                "service_type": "mastodon",
                "service_label": "Mastodon",
                "url": "https://social.example/@jane",
            }
        ],
    )
    endpoints = {"api": fake_gravatar.url + "/v3"}
    identity = run_connect(store, "gravatar", "jane@example.org", endpoints)
    assert identity.meta["hash"] == fake_gravatar.hash_email("jane@example.org")
    run_sync(store, "gravatar", endpoints)
    fields = items(store, "gravatar", "profile_field")
    assert fields["location"]["text"] == "Leeds"
    assert fields["job_title"]["text"] == "Nurse"
    assert fields["verified/mastodon"]["text"] == "https://social.example/@jane"
    # The email itself never travels: only its SHA-256.
    assert all("jane" not in r.path.lower() for r in fake_gravatar.requests)


def test_gravatar_without_a_profile_and_with_a_rate_limit(store, fake_gravatar):
    endpoints = {"api": fake_gravatar.url + "/v3"}
    with pytest.raises(AccountNotFound, match="no public Gravatar profile"):
        run_connect(store, "gravatar", "nobody@example.org", endpoints)
    with pytest.raises(InputError):
        run_connect(store, "gravatar", "not an email", endpoints)


def test_cli_connects_gravatar_for_each_profile_email(store, fake_gravatar, monkeypatch, capsys):
    from footprint.cli import main
    from footprint.connectors.gravatar import GravatarConnector

    fake_gravatar.add_profile("jane@example.org", display_name="Jane D", location="Leeds")
    add_identifiers(store, "email", ["jane@example.org", "other@example.org"])
    monkeypatch.setitem(GravatarConnector.endpoints, "api", fake_gravatar.url + "/v3")
    assert main(["connect", "gravatar"]) == 0
    out = capsys.readouterr().out
    assert "jane@example.org: public Gravatar profile" in out
    assert "other@example.org: no public Gravatar profile" in out
    assert main(["sync", "gravatar"]) == 0
    assert "Leeds" in {row["text"] for row in items(store, "gravatar").values()}
