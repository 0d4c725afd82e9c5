"""Each export format imports into the normalized items, and re-importing adds nothing."""

from __future__ import annotations

import json
import zipfile

import pytest

from footprint.archives import import_paths
from tests.archives import builders


def items(store, platform=None):
    query = (
        "SELECT platform, kind, platform_id, text, created_at, url, visibility, title, "
        "parent_id FROM items"
    )
    rows = store.conn.execute(
        query + (" WHERE platform = ?" if platform else "") + " ORDER BY id",
        (platform,) if platform else (),
    ).fetchall()
    keys = [
        "platform",
        "kind",
        "platform_id",
        "text",
        "created_at",
        "url",
        "visibility",
        "title",
        "parent_id",
    ]
    return [dict(zip(keys, row, strict=True)) for row in rows]


def by_id(store, platform):
    return {row["platform_id"]: row for row in items(store, platform)}


def import_twice(store, *paths):
    first = import_paths(store, paths)
    again = import_paths(store, paths)
    assert sum(p.result.inserted for p in again.platforms) == 0
    assert sum(p.result.updated for p in again.platforms) == 0
    return first


@pytest.mark.parametrize(
    ("wrapper", "legacy", "split", "zipped"),
    [
        (True, False, False, True),  # 2023+ tweets.js with {"tweet": ...}
        (False, True, False, True),  # 2019-2020 tweet.js without the wrapper
        (True, False, True, True),  # a large archive split in parts
        (True, False, False, False),  # an extracted folder
    ],
)
def test_x_archive(store, tmp_path, wrapper, legacy, split, zipped):
    path = builders.x_archive(tmp_path, wrapper=wrapper, legacy=legacy, split=split, zipped=zipped)
    summary = import_twice(store, path)
    x = by_id(store, "x")
    first = x["1100000000000000001"]
    assert first["text"] == "Hello & welcome https://example.org/a"
    assert first["created_at"] == "2019-03-19T14:05:17Z"
    assert first["url"] == "https://x.com/jdoe/status/1100000000000000001"
    assert first["kind"] == "post" and first["visibility"] == "public"
    assert x["1100000000000000002"]["kind"] == "reply"
    assert x["1100000000000000002"]["parent_id"] == "1099"
    assert x["1100000000000000003"]["kind"] == "repost"
    assert x["1100000000000000004"]["text"].endswith("well past 280 characters in the real thing.")
    assert x["1100000000000000005"]["text"] == "Ünïcödé and emoji 🎉 survive"
    assert x["1100000000000000009"]["kind"] == "deleted_post"
    assert x["email"]["text"] == "jane@example.org" and x["email"]["visibility"] == "private"
    assert x["location"]["text"] == "Leeds, UK"
    login = [r for r in x.values() if r["kind"] == "login_ip"]
    assert login[0]["text"] == "203.0.113.9"
    account = store.conn.execute("SELECT platform, handle, connection FROM accounts").fetchall()
    assert account == [("x", "jdoe", "import")]
    linked = store.conn.execute("SELECT COUNT(*) FROM items WHERE account_id IS NULL").fetchone()
    assert linked[0] == 0
    lines = "\n".join(summary.lines())
    assert "X (Twitter) archive" in lines and "3 posts" in lines
    assert "0 new, 0 updated" not in lines


def test_x_summary_counts_and_skips(store, tmp_path):
    summary = import_paths(store, [builders.x_archive(tmp_path)])
    platform = summary.platforms[0]
    assert platform.kinds["post"] == 3 and platform.kinds["reply"] == 1
    assert platform.kinds["repost"] == 1 and platform.kinds["deleted_post"] == 1
    reasons = {s.reason: s.count for s in summary.skipped}
    assert reasons["photos, videos and other media (not needed for the audit)"] == 1
    assert reasons["other files footprint does not read"] == 1  # like.js
    assert store.conn.execute("SELECT COUNT(*) FROM imports").fetchone()[0] == 1


@pytest.mark.parametrize("layout", ["2024", "old"])
def test_facebook_export(store, tmp_path, layout):
    import_twice(store, builders.facebook_export(tmp_path, layout=layout))
    rows = items(store, "facebook")
    posts = [r for r in rows if r["kind"] == "post"]
    assert posts[0]["text"] == "Smørrebrød in København 🇩🇰"  # mojibake repaired
    assert posts[0]["created_at"] == "2020-09-13T12:26:40Z"
    assert posts[0]["title"] == "Jane Doe updated her status."
    assert len(posts) == 3
    checkin = next(r for r in rows if r["kind"] == "checkin")
    assert checkin["text"] == "Café Ørsted (55.68000, 12.57000)"
    upload = next(r for r in rows if r["kind"] == "upload_ip")
    assert upload["text"] == "198.51.100.23" and upload["visibility"] == "private"
    comments = [r for r in rows if r["kind"] == "comment"]
    assert [c["text"] for c in comments] == ["totally agree ✓"]
    fields = {r["platform_id"]: r["text"] for r in rows if r["kind"] == "profile_field"}
    assert fields["birthday"] == "1990-05-20" and fields["current_city"] == "Leeds"
    assert store.conn.execute("SELECT handle FROM accounts").fetchone()[0] == "jane.doe.90"


@pytest.mark.parametrize("generation", [1, 2, 3])
def test_instagram_export_every_path_generation(store, tmp_path, generation):
    import_twice(store, builders.instagram_export(tmp_path, generation=generation))
    rows = items(store, "instagram")
    posts = [r for r in rows if r["kind"] == "post"]
    assert [p["text"] for p in posts] == ["Sunset at Roker 🌅", "carousel caption"]
    assert posts[0]["created_at"] == "2024-01-01T00:00:00Z"
    assert any(r["kind"] == "checkin" and "54.92000" in r["text"] for r in rows)
    comment = next(r for r in rows if r["kind"] == "comment")
    assert comment["text"] == "so jealous 😍" and comment["title"] == "On a post by friend_1"
    assert comment["created_at"] == "2023-11-14T22:13:20Z"
    assert store.conn.execute("SELECT handle FROM accounts").fetchone()[0] == "jane.doe"


def test_instagram_comments_with_localised_keys(store, tmp_path):
    import_paths(store, [builders.instagram_export(tmp_path, dutch=True)])
    comment = next(r for r in items(store, "instagram") if r["kind"] == "comment")
    assert comment["text"] == "wat mooi! 😍"
    assert comment["title"] == "On a post by friend_1"
    assert comment["created_at"] == "2023-11-14T22:13:20Z"


def test_linkedin_export(store, tmp_path):
    summary = import_twice(store, builders.linkedin_export(tmp_path))
    rows = by_id(store, "linkedin")
    share = rows["urn:li:share:7150012345678901234"]
    assert share["text"] == 'Five lessons from a migration,\nwith a second line and "quotes"'
    assert share["visibility"] == "connections"
    assert share["created_at"] == "2024-01-09T14:20:00Z"
    assert rows["urn:li:activity:7000000000000000001"]["text"] == "Hiring!"
    comments = {r["text"]: r for r in rows.values() if r["kind"] == "comment"}
    assert set(comments) == {'He said "ship it" and we did, twice', "plain comment"}
    assert comments["plain comment"]["url"].endswith("urn:li:activity:7100000000000000003")
    phones = [r["text"] for r in rows.values() if r["kind"] == "profile_field"]
    assert "+44 7700 900123" in phones
    assert not any("Ann" in (r["text"] or "") for r in rows.values())  # other people's data
    assert any("backslash-escaped" in note for note in summary.notes)


def test_reddit_export(store, tmp_path):
    import_twice(store, builders.reddit_export(tmp_path))
    rows = by_id(store, "reddit")
    comment = rows["t1_dq8k2lm"]
    assert comment["text"] == "just call in sick, lol"
    assert comment["created_at"] == "2017-12-03T05:12:44Z"
    assert comment["title"] == "in r/jobs"
    assert (
        rows["t1_e5x0abc"]["url"] == "https://www.reddit.com/r/Portland/comments/9fz1a0/_/e5x0abc/"
    )
    assert rows["t1_e5x0abc"]["text"] == 'multi\nline, "quoted" body'
    assert rows["t3_b8qz11"]["title"] == "When did you tell work?"
    assert rows["t1_dq8k2lm/ip"]["text"] == "198.51.100.7"
    assert rows["email address"]["visibility"] == "private"
    assert store.conn.execute("SELECT handle FROM accounts").fetchone()[0] == "jojo_rey"


@pytest.mark.parametrize("container", ["tar.gz", "zip"])
def test_mastodon_archive(store, tmp_path, container):
    summary = import_twice(store, builders.mastodon_archive(tmp_path, container=container))
    rows = by_id(store, "mastodon")
    assert rows["111"]["text"] == "Hello fediverse & friends"
    assert rows["111"]["visibility"] == "public"
    assert rows["111"]["url"] == "https://social.example/@jane/111"
    assert rows["112"]["visibility"] == "unlisted"
    assert rows["113"]["visibility"] == "followers"
    assert rows["114"]["visibility"] == "direct"
    assert rows["115"]["kind"] == "reply" and "[image: a cat on a keyboard]" in rows["115"]["text"]
    assert rows["116"]["kind"] == "repost"
    assert rows["discoverable"]["text"] == "true" and rows["discoverable"]["kind"] == "setting"
    assert rows["locked"]["text"] == "false"
    assert rows["fields/Website"]["text"] == "jane.example"
    assert store.conn.execute("SELECT handle FROM accounts").fetchone()[0] == "@jane@social.example"
    assert any("neither posts nor boosts" in s.reason for s in summary.skipped)


@pytest.mark.parametrize("generation", ["old", "new"])
def test_youtube_comments_both_generations(store, tmp_path, generation):
    import_twice(store, builders.youtube_takeout(tmp_path, generation=generation))
    rows = by_id(store, "youtube")
    if generation == "old":
        row = rows["UgxAAA"]
        assert row["text"] == "first line\nsecond, with comma"
        assert row["created_at"] == "2023-09-19T17:42:53Z"
        assert row["url"] == "https://www.youtube.com/watch?v=vid1&lc=UgxAAA"
    else:
        assert rows["UgxBBB"]["text"] == "great video\nthanks!"
        assert rows["UgxBBB.reply1"]["kind"] == "reply"
        assert rows["UgxBBB.reply1"]["text"] == "plain old text"


@pytest.mark.parametrize("name", ["user_data_tiktok.json", "user_data.json"])
def test_tiktok_export(store, tmp_path, name):
    import_twice(store, builders.tiktok_export(tmp_path, name=name))
    rows = items(store, "tiktok")
    comments = [r["text"] for r in rows if r["kind"] == "comment"]
    assert comments == ["this is so me 😂", "older casing"]
    assert next(r for r in rows if r["kind"] == "login_ip")["text"] == "192.0.2.44"
    video = next(r for r in rows if r["kind"] == "post")
    assert video["url"] == "https://www.tiktokv.com/share/video/7300/"
    fields = {r["platform_id"]: r for r in rows if r["kind"] == "profile_field"}
    assert fields["birthDate"]["visibility"] == "private"
    assert store.conn.execute("SELECT handle FROM accounts").fetchone()[0] == "jane.tok"


def test_generic_csv_and_jsonl(store, tmp_path):
    summary = import_twice(store, *builders.generic_files(tmp_path))
    blog = items(store, "blog")
    assert [r["text"] for r in blog] == ["My first post", "Second post"]
    assert blog[0]["created_at"] == "2020-01-01T00:00:00Z"
    forum = by_id(store, "forum")
    assert forum["p1"]["created_at"] == "2020-01-01T00:00:00Z"
    assert any(s.reason == "rows with no text" for s in summary.skipped)


def test_several_exports_in_one_import(store, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    summary = import_paths(
        store, [builders.x_archive(tmp_path / "a"), builders.reddit_export(tmp_path / "b")]
    )
    assert {p.label for p in summary.platforms} == {"X (Twitter) archive", "Reddit export"}


def test_a_folder_of_downloaded_parts(store, tmp_path):
    """Takeout and Meta deliver big exports as several zips; a folder of them imports whole."""
    parts = tmp_path / "downloads"
    parts.mkdir()
    builders.youtube_takeout(tmp_path, generation="new").rename(parts / "takeout-001.zip")
    (tmp_path / "fb").mkdir()
    builders.facebook_export(tmp_path / "fb").rename(parts / "takeout-002.zip")
    summary = import_paths(store, [parts])
    assert {p.label for p in summary.platforms} == {"YouTube (Google Takeout)", "Facebook export"}


def test_nested_zip(store, tmp_path):
    import zipfile

    inner = builders.x_archive(tmp_path)
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as out:
        out.write(inner, "twitter.zip")
    import_paths(store, [outer])
    assert by_id(store, "x")["1100000000000000001"]["kind"] == "post"


def test_raw_json_is_kept(store, tmp_path):
    import_paths(store, [builders.x_archive(tmp_path)])
    raw = store.conn.execute(
        "SELECT raw FROM items WHERE platform_id = '1100000000000000001'"
    ).fetchone()[0]
    assert json.loads(raw)["tweet"]["favorite_count"] == "3"  # the entry exactly as exported


def test_progress_is_reported(store, tmp_path, monkeypatch):
    from footprint.archives import engine

    monkeypatch.setattr(engine, "REPORT_EVERY", 1)
    seen = []
    import_paths(store, [builders.x_archive(tmp_path)], progress=seen.append)
    assert seen[-1].bytes_done == seen[-1].bytes_total > 0
    fractions = [p.bytes_done / p.bytes_total for p in seen]
    assert fractions == sorted(fractions)  # never goes backwards
    assert any(0 < f < 1 for f in fractions)  # moves while files are read
    assert seen[-1].files_done == seen[-1].files_total
    assert seen[-1].items >= 10


def test_instagram_comments_wrapped_in_an_object(store, tmp_path):
    folder = tmp_path / "ig" / "your_instagram_activity" / "comments"
    folder.mkdir(parents=True)
    (folder / "post_comments.json").write_text(
        builders.meta_json(
            {
                "comments_media_comments": [
                    {
                        "string_map_data": {
                            "Comment": {"value": "wrapped ✓"},
                            "Time": {"timestamp": 1700000000},
                        }
                    }
                ]
            }
        )
    )
    import_paths(store, [tmp_path / "ig"])
    assert [r["text"] for r in items(store, "instagram")] == ["wrapped ✓"]


def test_two_linkedin_comments_on_one_post_are_both_kept(store, tmp_path):
    folder = tmp_path / "li"
    folder.mkdir()
    (folder / "Comments.csv").write_text(
        "Date,Link,Message\n"
        "2024-02-02 10:00:00,https://www.linkedin.com/feed/update/urn:li:activity:71,first\n"
        "2024-02-02 10:05:00,https://www.linkedin.com/feed/update/urn:li:activity:71,second\n"
    )
    (folder / "Shares.csv").write_text(
        "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n"
    )
    import_paths(store, [folder])
    assert sorted(r["text"] for r in items(store, "linkedin")) == ["first", "second"]


def test_tiktok_profile_after_the_lists_still_links_the_account(store, tmp_path):
    path = tmp_path / "user_data_tiktok.json"
    path.write_text(
        json.dumps(
            {
                "Activity": {
                    "Login History": {
                        "LoginHistoryList": [{"Date": "2024-01-01 00:00:00", "IP": "192.0.2.1"}]
                    }
                },
                "Comment": {
                    "Comments": {"CommentsList": [{"date": "2024-01-02 00:00:00", "comment": "hi"}]}
                },
                "Profile": {"Profile Information": {"ProfileMap": {"userName": "late.profile"}}},
            }
        )
    )
    import_paths(store, [path])
    unlinked = store.conn.execute("SELECT COUNT(*) FROM items WHERE account_id IS NULL")
    assert unlinked.fetchone()[0] == 0


def test_an_edited_facebook_post_is_the_same_item_in_a_later_export(store, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = builders.facebook_export(tmp_path / "a")
    import_paths(store, [first])
    later = tmp_path / "b" / "later.zip"
    with zipfile.ZipFile(first) as src, zipfile.ZipFile(later, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("_1.json"):
                data = data.replace(b"coffee time", b"coffee time (edited)")
            out.writestr(info, data)
    summary = import_paths(store, [later])
    assert sum(p.result.inserted for p in summary.platforms) == 0
    assert any(r["text"] == "coffee time (edited)" for r in items(store, "facebook"))


def test_dates_outside_what_utc_can_show_are_left_empty(store, tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("platform,created_at,text\nblog,0001-01-01T00:00:00+05:00,very old\n")
    import_paths(store, [path])
    assert items(store, "blog")[0]["created_at"] is None


def test_json_with_a_byte_order_mark(store, tmp_path):
    target = tmp_path / "archive.zip"
    with zipfile.ZipFile(target, "w") as out:
        out.writestr(
            "outbox.json",
            "\ufeff"
            + json.dumps(
                {
                    "type": "OrderedCollection",
                    "orderedItems": [
                        {
                            "type": "Create",
                            "object": {
                                "id": "https://s.example/u/a/statuses/9",
                                "type": "Note",
                                "content": "bom",
                            },
                        }
                    ],
                }
            ),
        )
    import_paths(store, [target])
    assert items(store, "mastodon")[0]["text"] == "bom"
