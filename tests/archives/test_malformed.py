"""Broken and hostile exports: one clear error naming the file, and the database unchanged."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zipfile

import pytest

from footprint.archives import ArchiveError, Limits, import_paths
from footprint.progress import Cancelled, CancelToken
from tests.archives import builders


def fingerprint(store) -> str:
    digest = hashlib.sha256()
    for table in ("items", "accounts", "imports", "findings"):
        for row in store.conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture
def seeded(store, tmp_path):
    """A store that already holds an import, so 'unchanged' means something."""
    (tmp_path / "earlier").mkdir()
    import_paths(store, [builders.reddit_export(tmp_path / "earlier")])
    return store


def assert_refused(store, paths, *fragments, limits=None, cancel=None):
    before = fingerprint(store)
    with pytest.raises(ArchiveError) as caught:
        import_paths(store, paths, limits=limits, cancel=cancel)
    message = caught.value.user_text()
    for fragment in fragments:
        assert fragment in message, message
    assert "Nothing was imported" in message
    assert fingerprint(store) == before
    assert not store.conn.in_transaction
    return message


def x_zip_with(tmp_path, name, content: bytes):
    target = tmp_path / "x.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("data/account.js", builders.js("account", [{"account": {"username": "jdoe"}}]))
        out.writestr(name, content)
    return target


def test_zip_bomb_ratio(seeded, tmp_path):
    target = tmp_path / "bomb.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(
            "data/tweets.js", b"window.YTD.tweets.part0 = [" + b" " * (40 * 1024 * 1024) + b"]"
        )
    assert_refused(seeded, [target], "bomb.zip: data/tweets.js", "zip bomb")


def test_declared_size_over_the_limit(seeded, tmp_path):
    path = builders.x_archive(tmp_path)
    assert_refused(
        seeded,
        [path],
        "twitter-2025-01-01-abc.zip",
        "claims to unpack to",
        limits=Limits(max_total_bytes=1000),
    )


def test_member_that_unpacks_larger_than_allowed(seeded, tmp_path):
    path = builders.x_archive(tmp_path)
    assert_refused(
        seeded, [path], "data/", "larger than the 300 bytes", limits=Limits(max_member_bytes=300)
    )


def test_encrypted_zip(seeded, tmp_path):
    target = tmp_path / "locked.zip"
    with zipfile.ZipFile(target, "w") as out:
        out.writestr("data/tweets.js", b"window.YTD.tweets.part0 = []")
    # Set the "encrypted" flag in the local and central headers, as a password-protected
    # export has it (zipfile cannot write encrypted members itself).
    raw = bytearray(target.read_bytes())
    raw[raw.index(b"PK\x03\x04") + 6] |= 0x1
    raw[raw.index(b"PK\x01\x02") + 8] |= 0x1
    target.write_bytes(bytes(raw))
    assert_refused(seeded, [target], "locked.zip", "password-protected")


def test_truncated_zip(seeded, tmp_path):
    path = builders.x_archive(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert_refused(seeded, [path], "twitter-2025-01-01-abc.zip", "not a readable zip file")


def test_corrupted_member_data(seeded, tmp_path):
    target = tmp_path / "x.zip"
    payload = builders.js(
        "tweets", [{"tweet": builders.tweet(str(10**18 + i), "text " * 50)} for i in range(200)]
    ).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("data/tweets.js", payload)
    raw = bytearray(target.read_bytes())
    start = raw.index(b"data/tweets.js") + len("data/tweets.js") + 40
    for i in range(start, start + 64):
        raw[i] ^= 0xFF
    target.write_bytes(bytes(raw))
    assert_refused(seeded, [target], "x.zip: data/tweets.js", "damaged")


def test_invalid_json_in_tweets(seeded, tmp_path):
    path = x_zip_with(
        tmp_path, "data/tweets.js", b'window.YTD.tweets.part0 = [{"tweet": {"id_str": "1",}]'
    )
    assert_refused(seeded, [path], "x.zip: data/tweets.js", "not valid JSON")


def test_truncated_json_in_tweets(seeded, tmp_path):
    path = x_zip_with(
        tmp_path,
        "data/tweets.js",
        b'window.YTD.tweets.part0 = [{"tweet": {"id_str": "1", "full_text": "hi"}},',
    )
    assert_refused(seeded, [path], "data/tweets.js", "not valid JSON")


def test_invalid_utf8_in_tweets(seeded, tmp_path):
    path = x_zip_with(
        tmp_path,
        "data/tweets.js",
        b'window.YTD.tweets.part0 = [{"tweet": {"id_str": "1", "full_text": "caf\xe9"}}]',
    )
    assert_refused(seeded, [path], "data/tweets.js", "not valid UTF-8")


def test_invalid_utf8_in_csv(store, tmp_path):
    folder = tmp_path / "reddit"
    builders.write_csv(
        folder / "comments.csv",
        builders.REDDIT_COMMENTS,
        [["a1", "/r/x/1", "2020-01-01 00:00:00 UTC", "", "x", "0", "", "", "fine", ""]],
    )
    with open(folder / "comments.csv", "ab") as out:
        out.write(b"a2,/r/x/2,2020-01-01 00:00:00 UTC,,x,0,,,caf\xe9 broken,\r\n")
    assert_refused(store, [folder], "comments.csv", "line 3 is not valid UTF-8")


def test_enormous_line(store, tmp_path):
    folder = tmp_path / "reddit"
    builders.write_csv(
        folder / "comments.csv",
        builders.REDDIT_COMMENTS,
        [["a1", "/r/x/1", "2020-01-01 00:00:00 UTC", "", "x", "0", "", "", "y" * 5000, ""]],
    )
    assert_refused(
        store,
        [folder],
        "comments.csv",
        "line 2 is longer than 2,000 bytes",
        limits=Limits(max_line_bytes=2000),
    )


def test_archives_nested_too_deep(seeded, tmp_path):
    current = builders.x_archive(tmp_path)
    for depth in range(4):
        wrapper = tmp_path / f"wrap{depth}.zip"
        with zipfile.ZipFile(wrapper, "w") as out:
            out.write(current, f"inner{depth}.zip")
        current = wrapper
    assert_refused(seeded, [current], "nests archives deeper")


def test_not_an_export(seeded, tmp_path):
    target = tmp_path / "holiday-photos.zip"
    with zipfile.ZipFile(target, "w") as out:
        out.writestr("IMG_0001.jpg", b"\xff\xd8 not really")
        out.writestr("notes.txt", "hello")
    assert_refused(seeded, [target], "holiday-photos.zip", "not an export footprint recognises")


def test_empty_zip(seeded, tmp_path):
    target = tmp_path / "empty.zip"
    zipfile.ZipFile(target, "w").close()
    assert_refused(seeded, [target], "not an export footprint recognises")


def test_missing_path(seeded, tmp_path):
    assert_refused(seeded, [tmp_path / "nope.zip"], "nope.zip", "does not exist")


def test_truncated_tar_gz(seeded, tmp_path):
    path = builders.mastodon_archive(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert_refused(seeded, [path], "archive-20240601000000-abcdef.tar.gz", "damaged or incomplete")


def test_tar_bomb(seeded, tmp_path):
    target = tmp_path / "archive.tar.gz"
    data = b"0" * (40 * 1024 * 1024)
    with tarfile.open(target, "w:gz") as out:
        info = tarfile.TarInfo("outbox.json")
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
    assert_refused(seeded, [target], "archive.tar.gz", "bomb")


def test_truncated_mastodon_outbox(seeded, tmp_path):
    target = tmp_path / "archive.zip"
    outbox = json.dumps(
        {
            "type": "OrderedCollection",
            "orderedItems": [
                {
                    "type": "Create",
                    "object": {
                        "id": "https://s.example/users/a/statuses/1",
                        "type": "Note",
                        "content": "<p>x</p>",
                    },
                }
            ]
            * 50,
        }
    )
    with zipfile.ZipFile(target, "w") as out:
        out.writestr("outbox.json", outbox[: len(outbox) - 200])
    assert_refused(seeded, [target], "archive.zip: outbox.json", "not valid JSON")


def test_invalid_jsonl_line(seeded, tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_text('{"text": "fine"}\n{"text": broken}\n')
    assert_refused(seeded, [path], "posts.jsonl", "line 2 is not valid JSON")


def test_broken_tiktok_json(seeded, tmp_path):
    path = tmp_path / "user_data_tiktok.json"
    path.write_text(
        '{"Profile": {"Profile Information": {"ProfileMap": {"userName": "x"}}}, "Comment": {'
    )
    assert_refused(seeded, [path], "user_data_tiktok.json", "not valid JSON")


def test_invalid_utf8_in_instagram_comments(seeded, tmp_path):
    folder = tmp_path / "ig" / "your_instagram_activity" / "comments"
    folder.mkdir(parents=True)
    (folder / "post_comments_1.json").write_bytes(
        b'[{"string_map_data": {"Comment": {"value": "caf\xe9"}}}]'
    )
    assert_refused(seeded, [tmp_path / "ig"], "post_comments_1.json", "not valid UTF-8")


def test_a_broken_part_of_a_multi_part_export(seeded, tmp_path):
    (tmp_path / "a").mkdir()
    good = builders.x_archive(tmp_path / "a")
    bad = tmp_path / "part-002.zip"
    bad.write_bytes(b"PK\x03\x04 this download stopped early")
    assert_refused(seeded, [good, bad], "part-002.zip", "not a readable zip file")
    assert seeded.conn.execute("SELECT COUNT(*) FROM items WHERE platform = 'x'").fetchone()[0] == 0


def test_cancel_rolls_everything_back(seeded, tmp_path):
    token = CancelToken()
    before = fingerprint(seeded)

    def cancel_midway(progress):
        if progress.items >= 1:
            token.cancel()

    path = builders.x_archive(tmp_path)
    from footprint.archives import engine

    original = engine.REPORT_EVERY
    engine.REPORT_EVERY = 1
    try:
        with pytest.raises(Cancelled):
            import_paths(seeded, [path], progress=cancel_midway, cancel=token)
    finally:
        engine.REPORT_EVERY = original
    assert fingerprint(seeded) == before


def test_unsafe_member_names_are_never_extracted(store, tmp_path):
    target = tmp_path / "evil.zip"
    with zipfile.ZipFile(target, "w") as out:
        out.writestr("../../outside.csv", "platform,text\nx,should not be read\n")
        out.writestr("/etc/absolute.csv", "platform,text\nx,nor this\n")
        out.writestr("ok.csv", "platform,text\nblog,fine\n")
    summary = import_paths(store, [target])
    assert [r[0] for r in store.conn.execute("SELECT text FROM items")] == ["fine"]
    skipped = {s.reason: s.count for s in summary.skipped}
    assert skipped["files with unsafe paths (ignored, never extracted)"] == 2
    assert not (tmp_path.parent / "outside.csv").exists()


def test_streamed_arrays_cross_buffer_boundaries(monkeypatch, store, tmp_path):
    """Elements, literals and numbers split across reads parse whole (tiny read buffer)."""
    from footprint.archives import readers

    monkeypatch.setattr(readers, "_CHUNK", 7)
    entries = [
        {
            "tweet": builders.tweet(
                str(10**18 + i),
                f"post {i} " * (i % 5 + 1),
                truncated=False,
                possibly_sensitive=None,
            )
        }
        for i in range(40)
    ]
    path = x_zip_with(tmp_path, "data/tweets.js", builders.js("tweets", entries).encode())
    summary = import_paths(store, [path])
    assert summary.platforms[0].kinds["post"] == 40
    values = list(
        readers.json_array(_member(tmp_path, '[12345, true, false, null, "s", 67890.5]'), js=False)
    )
    assert values == [12345, True, False, None, "s", 67890.5]


def _member(tmp_path, text):
    from footprint.archives.source import ExportFiles

    path = tmp_path / "array.json"
    path.write_text(text)
    files = ExportFiles()
    files.add_path(path)
    return files.members[0]


# ---- found by review: hostile structure, odd types, limits


def test_deeply_nested_json_is_refused_without_exhausting_memory(seeded, tmp_path):
    target = tmp_path / "archive.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(
            "outbox.json",
            '{"type": "OrderedCollection", "orderedItems": [{"object": ' + "[" * 50_000,
        )
    assert_refused(seeded, [target], "outbox.json", "nests data more than 200 levels")


def test_deeply_nested_tweets_are_refused(seeded, tmp_path):
    path = x_zip_with(
        tmp_path,
        "data/tweets.js",
        b"window.YTD.tweets.part0 = [" + b"[" * 100_000 + b"]" * 100_000 + b"]",
    )
    assert_refused(seeded, [path], "data/tweets.js", "nests data more than 200 levels")


@pytest.mark.parametrize(
    "activity",
    [
        {
            "type": "Create",
            "to": [{"odd": 1}],
            "object": {"id": "https://s.example/u/a/statuses/1", "type": "Note", "content": "x"},
        },
        {
            "type": "Create",
            "object": {
                "id": "https://s.example/u/a/statuses/2",
                "type": "Note",
                "content": "x",
                "inReplyTo": {"id": "y"},
            },
        },
    ],
)
def test_values_of_unexpected_types_are_a_clear_error(seeded, tmp_path, activity):
    target = tmp_path / "archive.zip"
    with zipfile.ZipFile(target, "w") as out:
        out.writestr(
            "outbox.json", json.dumps({"type": "OrderedCollection", "orderedItems": [activity]})
        )
    assert_refused(seeded, [target], "outbox.json", "shape footprint does not expect")


def test_records_without_an_id_are_skipped_not_fatal(store, tmp_path):
    target = tmp_path / "archive.zip"
    with zipfile.ZipFile(target, "w") as out:
        out.writestr(
            "outbox.json",
            json.dumps(
                {
                    "type": "OrderedCollection",
                    "orderedItems": [
                        {"type": "Announce", "object": "https://other.example/1"},
                        {
                            "type": "Create",
                            "object": {
                                "id": "https://s.example/u/a/statuses/3",
                                "type": "Note",
                                "content": "kept",
                            },
                        },
                    ],
                }
            ),
        )
    summary = import_paths(store, [target])
    assert [r[0] for r in store.conn.execute("SELECT text FROM items")] == ["kept"]
    assert any(s.reason == "records without an id" for s in summary.skipped)


def test_too_many_files(seeded, tmp_path):
    assert_refused(
        seeded,
        [builders.x_archive(tmp_path)],
        "holds more than 5 files",
        limits=Limits(max_members=5),
    )


def test_unsupported_zip_version_is_damage_not_a_crash(seeded, tmp_path):
    path = x_zip_with(tmp_path, "data/tweets.js", b"window.YTD.tweets.part0 = []")
    raw = bytearray(path.read_bytes())
    central = raw.index(b"PK\x01\x02", raw.index(b"data/tweets.js") - 64)
    raw[central + 6] = 0xFF  # "version needed to extract" far beyond what zipfile supports
    path.write_bytes(bytes(raw))
    assert_refused(seeded, [path], "x.zip", "damaged")


def test_a_row_of_many_long_quoted_lines_is_limited(store, tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text('platform,text\nblog,"' + ("a line of text\n" * 400) + '"\n')
    assert_refused(
        store,
        [path],
        "posts.csv",
        "row reaching line",
        "longer than 2,000 bytes",
        limits=Limits(max_line_bytes=2000),
    )


def test_a_csv_cut_off_inside_quotes(store, tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text('platform,text\nblog,"first"\nblog,"the download stopped here')
    assert_refused(store, [path], "posts.csv", "not a readable CSV")


def test_cancel_is_prompt_while_nothing_is_yielded(store, tmp_path):
    import threading
    import time

    path = tmp_path / "empty-rows.csv"
    with open(path, "w") as out:
        out.write("platform,text\n")
        out.write("blog,\n" * 1_500_000)
    token = CancelToken()
    timer = threading.Timer(0.3, token.cancel)
    timer.start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        import_paths(store, [path], cancel=token)
    assert time.monotonic() - started < 3.0
    assert store.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 0
