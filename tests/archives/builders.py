"""Small exports in each platform's real format, written by code (no fixture files checked in).

Each builder writes into a folder and returns the path to import: a zip, a tar.gz, a
folder or a single file, as that platform delivers it.
"""

from __future__ import annotations

import csv
import io
import json
import tarfile
import zipfile
from pathlib import Path


def js(name: str, data: object, part: int = 0) -> str:
    return f"window.YTD.{name}.part{part} = {json.dumps(data, indent=2)}"


def tweet(tid: str, text: str, created: str = "Tue Mar 19 14:05:17 +0000 2019", **extra) -> dict:
    body = {
        "id_str": tid,
        "id": tid,
        "created_at": created,
        "full_text": text,
        "favorite_count": "3",
        "retweet_count": "0",
        "entities": {"urls": []},
    }
    body.update(extra)
    return body


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(folder).as_posix())
    return target


def x_archive(
    root: Path,
    *,
    wrapper: bool = True,
    legacy: bool = False,
    split: bool = False,
    zipped: bool = True,
) -> Path:
    folder = root / "x-export"
    data = folder / "data"
    data.mkdir(parents=True)
    (data / "manifest.js").write_text(
        "window.__THAR_CONFIG = "
        + json.dumps(
            {
                "userInfo": {"accountId": "42", "userName": "jdoe", "displayName": "Jane Doe"},
                "archiveInfo": {"generationDate": "2025-01-01T00:00:00.000Z"},
            }
        )
    )
    (data / "account.js").write_text(
        js(
            "account",
            [
                {
                    "account": {
                        "email": "jane@example.org",
                        "username": "jdoe",
                        "accountId": "42",
                        "createdAt": "2011-06-23T13:04:14.000Z",
                        "accountDisplayName": "Jane Doe",
                    }
                }
            ],
        )
    )
    (data / "profile.js").write_text(
        js(
            "profile",
            [
                {
                    "profile": {
                        "description": {
                            "bio": "Data nerd in Leeds",
                            "website": "https://t.co/abc",
                            "location": "Leeds, UK",
                        }
                    }
                }
            ],
        )
    )
    tweets = [
        tweet(
            "1100000000000000001",
            "Hello &amp; welcome https://t.co/x1",
            entities={
                "urls": [{"url": "https://t.co/x1", "expanded_url": "https://example.org/a"}]
            },
        ),
        tweet(
            "1100000000000000002",
            "@bob agreed",
            in_reply_to_status_id_str="1099",
            in_reply_to_screen_name="bob",
        ),
        tweet("1100000000000000003", "RT @carol: something worth sharing"),
        tweet(
            "1100000000000000004",
            "This is the start of a very long post that goes on…",
            created="Wed Mar 20 10:00:00 +0000 2019",
        ),
        tweet("1100000000000000005", "Ünïcödé and emoji 🎉 survive"),
    ]
    entries = [{"tweet": t} if wrapper else t for t in tweets]
    name = "tweet" if legacy else "tweets"
    if split:
        (data / f"{name}.js").write_text(js(name, entries[:3]))
        (data / f"{name}-part1.js").write_text(js(name, entries[3:], part=1))
    else:
        (data / f"{name}.js").write_text(js(name, entries))
    (data / "note-tweet.js").write_text(
        js(
            "note_tweet",
            [
                {
                    "noteTweet": {
                        "noteTweetId": "9",
                        "createdAt": "2019-03-20T10:00:00.000Z",
                        "core": {
                            "text": "This is the start of a very long post that goes on and on, "
                            "well past 280 characters in the real thing."
                        },
                    }
                }
            ],
        )
    )
    (data / "deleted-tweets.js").write_text(
        js("deleted_tweets", [{"tweet": tweet("1100000000000000009", "something I deleted")}])
    )
    (data / "ip-audit.js").write_text(
        js(
            "ip_audit",
            [
                {
                    "ipAudit": {
                        "accountId": "42",
                        "createdAt": "2024-01-01T10:00:00.000Z",
                        "loginIp": "203.0.113.9",
                    }
                }
            ],
        )
    )
    (data / "like.js").write_text(js("like", [{"like": {"tweetId": "5", "fullText": "liked"}}]))
    media = data / "tweets_media"
    media.mkdir()
    (media / "1100000000000000001-abc.jpg").write_bytes(b"\xff\xd8\xff fake jpeg")
    if not zipped:
        return folder
    return zip_folder(folder, root / "twitter-2025-01-01-abc.zip")


def mojibake(text: str) -> str:
    """How Meta writes non-ASCII text: each UTF-8 byte as its own \\u00XX escape."""
    return text.encode("utf-8").decode("latin-1")


def meta_json(data: object) -> str:
    def scramble(value: object) -> object:
        if isinstance(value, str):
            return mojibake(value)
        if isinstance(value, list):
            return [scramble(v) for v in value]
        if isinstance(value, dict):
            return {mojibake(k): scramble(v) for k, v in value.items()}
        return value

    return json.dumps(scramble(data), ensure_ascii=True)


def facebook_export(root: Path, *, layout: str = "2024") -> Path:
    folder = root / "facebook-janedoe-2025-01-01-abc"
    if layout == "2024":
        posts_path = (
            folder / "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json"
        )
        comments_path = folder / "your_facebook_activity/comments_and_reactions/comments.json"
        profile_path = folder / "personal_information/profile_information/profile_information.json"
    else:
        posts_path = folder / "posts/your_posts_1.json"
        comments_path = folder / "comments/comments.json"
        profile_path = folder / "profile_information/profile_information.json"
    for path in (posts_path, comments_path, profile_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    posts = [
        {
            "timestamp": 1600000000,
            "title": "Jane Doe updated her status.",
            "data": [{"post": "Smørrebrød in København 🇩🇰"}, {"update_timestamp": 1600000100}],
        },
        {
            "timestamp": 1600000500,
            "title": "Jane Doe was at Café Ørsted.",
            "data": [{"post": "coffee time"}],
            "attachments": [
                {
                    "data": [
                        {
                            "place": {
                                "name": "Café Ørsted",
                                "coordinate": {"latitude": 55.68, "longitude": 12.57},
                            }
                        },
                        {
                            "media": {
                                "uri": "x.jpg",
                                "media_metadata": {
                                    "photo_metadata": {
                                        "exif_data": [
                                            {
                                                "upload_ip": "198.51.100.23",
                                                "taken_timestamp": 1600000400,
                                            }
                                        ]
                                    }
                                },
                            }
                        },
                    ]
                }
            ],
        },
        {
            "timestamp": 1600000900,
            "attachments": [
                {"data": [{"external_context": {"url": "https://example.org/article"}}]}
            ],
        },
    ]
    posts_path.write_text(meta_json(posts))
    comments_path.write_text(
        meta_json(
            {
                "comments_v2": [
                    {
                        "timestamp": 1457387286,
                        "title": "Jane Doe replied to John Roe's comment.",
                        "data": [
                            {
                                "comment": {
                                    "timestamp": 1457387286,
                                    "comment": "totally agree ✓",
                                    "author": "Jane Doe",
                                    "group": "Leeds Cyclists",
                                }
                            }
                        ],
                    },
                    {
                        "timestamp": 1457387999,
                        "title": "Jane Doe commented on a photo.",
                        "data": [],
                    },
                ]
            }
        )
    )
    profile_path.write_text(
        meta_json(
            {
                "profile_v2": {
                    "name": {"full_name": "Jane Doe"},
                    "emails": {"emails": ["jane@example.org"]},
                    "birthday": {"year": 1990, "month": 5, "day": 20},
                    "current_city": {"name": "Leeds"},
                    "profile_uri": "https://www.facebook.com/jane.doe.90",
                }
            }
        )
    )
    return zip_folder(folder, root / "facebook-janedoe.zip")


def instagram_export(root: Path, *, generation: int = 1, dutch: bool = False) -> Path:
    folder = root / "instagram-janedoe"
    posts_dir = {
        1: "your_instagram_activity/media",
        2: "your_instagram_activity/content",
        3: "content",
    }[generation]
    (folder / posts_dir).mkdir(parents=True)
    (folder / posts_dir / "posts_1.json").write_text(
        meta_json(
            [
                {
                    "media": [
                        {
                            "uri": "media/posts/202401/1.jpg",
                            "creation_timestamp": 1704067200,
                            "title": "Sunset at Roker 🌅",
                            "media_metadata": {
                                "photo_metadata": {
                                    "exif_data": [{"latitude": 54.92, "longitude": -1.36}]
                                }
                            },
                        }
                    ]
                },
                {
                    "title": "carousel caption",
                    "creation_timestamp": 1704153600,
                    "media": [
                        {"uri": "a.jpg", "creation_timestamp": 1704153600, "title": ""},
                        {"uri": "b.jpg", "creation_timestamp": 1704153600, "title": ""},
                    ],
                },
            ]
        )
    )
    comments_dir = folder / "your_instagram_activity/comments"
    comments_dir.mkdir(parents=True)
    keys = (
        ("Reactie", "Eigenaar van media", "Tijd") if dutch else ("Comment", "Media Owner", "Time")
    )
    (comments_dir / "post_comments_1.json").write_text(
        meta_json(
            [
                {
                    "media_list_data": [{"uri": ""}],
                    "string_map_data": {
                        keys[0]: {"value": "wat mooi! 😍" if dutch else "so jealous 😍"},
                        keys[1]: {"value": "friend_1"},
                        keys[2]: {"timestamp": 1700000000},
                    },
                },
            ]
        )
    )
    info = folder / "personal_information/personal_information"
    info.mkdir(parents=True)
    (info / "personal_information.json").write_text(
        meta_json(
            {
                "profile_user": [
                    {
                        "string_map_data": {
                            "Username": {"value": "jane.doe"},
                            "Name": {"value": "Jane Doe"},
                            "Email": {"value": "jane@example.org"},
                            "Bio": {"value": ""},
                        }
                    }
                ]
            }
        )
    )
    return zip_folder(folder, root / "instagram.zip")


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], *, bom: bool = False, preamble: str = ""
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(("\ufeff" if bom else "") + preamble + buffer.getvalue(), encoding="utf-8")


def linkedin_export(root: Path) -> Path:
    folder = root / "Basic_LinkedInDataExport_01-01-2025"
    write_csv(
        folder / "Shares.csv",
        ["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"],
        [
            [
                "2024-01-09 14:20:00",
                "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7150012345678901234",
                'Five lessons from a migration,\nwith a second line and "quotes"',
                "",
                "",
                "MEMBER_NETWORK",
            ],
            [
                "2023-05-01 09:00:00",
                "https://www.linkedin.com/feed/update/urn:li:activity:7000000000000000001",
                "Hiring!",
                "https://example.org/jobs",
                "",
                "",
            ],
            [",,,", "", "", "", "", ""],
        ],
        bom=True,
    )
    # Comments.csv with the backslash-escaped quotes LinkedIn sometimes writes
    (folder / "Comments.csv").write_text(
        "Date,Link,Message\r\n"
        "2024-02-02 10:00:00,https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000002,"
        '"He said \\"ship it\\" and we did, twice"\r\n'
        "2024-02-03 11:00:00,https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000003,"
        '"plain comment"\r\n',
        encoding="utf-8",
    )
    write_csv(
        folder / "Connections.csv",
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
        [["Ann", "Lee", "https://www.linkedin.com/in/ann", "", "ACME", "CTO", "26 Jul 2025"]],
        preamble='Notes:\r\n"When exporting your connection data..."\r\n\r\n',
    )
    write_csv(
        folder / "PhoneNumbers.csv",
        ["Extension", "Number", "Type"],
        [["", "+44 7700 900123", "Mobile"]],
    )
    return zip_folder(folder, root / "linkedin.zip")


REDDIT_COMMENTS = [
    "id",
    "permalink",
    "date",
    "ip",
    "subreddit",
    "gildings",
    "link",
    "parent",
    "body",
    "media",
]


def reddit_export(root: Path) -> Path:
    folder = root / "reddit"
    write_csv(
        folder / "comments.csv",
        REDDIT_COMMENTS,
        [
            [
                "dq8k2lm",
                "https://www.reddit.com/r/jobs/comments/7h1x2c/_/dq8k2lm/",
                "2017-12-03 05:12:44 UTC",
                "198.51.100.7",
                "jobs",
                "0",
                "https://www.reddit.com/r/jobs/comments/7h1x2c/",
                "",
                "just call in sick, lol",
                "",
            ],
            [
                "e5x0abc",
                "/r/Portland/comments/9fz1a0/_/e5x0abc/",
                "2018-09-14 20:30:10 UTC",
                "",
                "Portland",
                "0",
                "",
                "t1_e5wzzzz",
                'multi\nline, "quoted" body',
                "",
            ],
        ],
        bom=True,
    )
    write_csv(
        folder / "posts.csv",
        ["id", "permalink", "date", "ip", "subreddit", "gildings", "title", "url", "body"],
        [
            [
                "b8qz11",
                "https://www.reddit.com/r/BabyBumps/comments/b8qz11/",
                "2019-04-03 18:00:00 UTC",
                "",
                "BabyBumps",
                "0",
                "When did you tell work?",
                "",
                "We are expecting in October",
            ]
        ],
    )
    write_csv(
        folder / "statistics.csv",
        ["statistic", "value"],
        [["account name", "jojo_rey"], ["email address", "jo@example.net"]],
    )
    write_csv(folder / "post_votes.csv", ["id", "permalink", "direction"], [["x", "y", "up"]])
    return zip_folder(folder, root / "export_jojo_rey_20250101.zip")


def mastodon_archive(root: Path, *, container: str = "tar.gz") -> Path:
    actor_id = "https://social.example/users/jane"
    public = "https://www.w3.org/ns/activitystreams#Public"
    followers = actor_id + "/followers"

    def create(n: int, html: str, to: list, cc: list, **extra) -> dict:
        note = {
            "id": f"{actor_id}/statuses/{n}",
            "type": "Note",
            "published": "2024-05-01T12:34:56Z",
            "url": f"https://social.example/@jane/{n}",
            "inReplyTo": None,
            "content": html,
            "to": to,
            "cc": cc,
        }
        note.update(extra)
        return {
            "id": f"{actor_id}/statuses/{n}/activity",
            "type": "Create",
            "actor": actor_id,
            "published": "2024-05-01T12:34:56Z",
            "to": to,
            "cc": cc,
            "object": note,
        }

    outbox = {
        "@context": ["https://www.w3.org/ns/activitystreams"],
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": 6,
        "orderedItems": [
            create(111, "<p>Hello <b>fediverse</b> &amp; friends</p>", [public], [followers]),
            create(112, "<p>quiet one</p>", [followers], [public]),
            create(113, "<p>followers only</p>", [followers], []),
            create(114, "<p>@bob secret</p>", ["https://other.example/users/bob"], []),
            create(
                115,
                "<p>a reply</p>",
                [public],
                [],
                inReplyTo="https://other.example/notes/1",
                attachment=[
                    {
                        "type": "Document",
                        "url": "media_attachments/x.jpg",
                        "name": "a cat on a keyboard",
                    }
                ],
            ),
            {
                "id": f"{actor_id}/statuses/116/activity",
                "type": "Announce",
                "published": "2024-05-02T08:00:00Z",
                "to": [public],
                "cc": [followers],
                "object": "https://other.example/notes/999",
            },
            {"id": "x", "type": "Like", "object": "https://other.example/notes/5"},
        ],
    }
    actor = {
        "id": actor_id,
        "type": "Person",
        "preferredUsername": "jane",
        "name": "Jane 🌻",
        "summary": "<p>Cyclist. Leeds.</p>",
        "url": "https://social.example/@jane",
        "discoverable": True,
        "manuallyApprovesFollowers": False,
        "attachment": [
            {
                "type": "PropertyValue",
                "name": "Website",
                "value": '<a href="https://jane.example">jane.example</a>',
            }
        ],
    }
    files = {
        "outbox.json": json.dumps(outbox),
        "actor.json": json.dumps(actor),
        "likes.json": json.dumps({"orderedItems": ["https://other.example/notes/5"]}),
    }
    if container == "tar.gz":
        target = root / "archive-20240601000000-abcdef.tar.gz"
        with tarfile.open(target, "w:gz") as out:
            for name, text in files.items():
                data = text.encode()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                out.addfile(info, io.BytesIO(data))
        return target
    target = root / "archive-20250601000000-abcdef.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, text in files.items():
            out.writestr(name, text)
    return target


def youtube_takeout(root: Path, *, generation: str = "new") -> Path:
    folder = root / "Takeout/YouTube and YouTube Music/comments"
    if generation == "old":
        header = [
            "Comment ID",
            "Channel ID",
            "Comment Create Timestamp",
            "Price",
            "Parent Comment ID",
            "Video ID",
            "Comment Text",
        ]
        rows = [
            [
                "UgxAAA",
                "UC123",
                "2023-09-19T17:42:53.434647+00:00",
                "",
                "",
                "vid1",
                json.dumps(
                    {
                        "takeoutSegments": [
                            {"text": "first line"},
                            {"text": "\n"},
                            {"text": "second, with comma"},
                        ]
                    }
                ),
            ]
        ]
    else:
        header = [
            "Channel ID",
            "Comment Create Timestamp",
            "Price",
            "Comment ID",
            "Parent Comment ID",
            "Video ID",
            "Comment Text",
        ]
        rows = [
            [
                "UC123",
                "2024-07-01T10:00:00+00:00",
                "",
                "UgxBBB",
                "",
                "vid2",
                '{"text":"great video"},{"text":"\n"},{"text":"thanks!"}',
            ],
            [
                "UC123",
                "2024-07-02T10:00:00+00:00",
                "",
                "UgxBBB.reply1",
                "UgxBBB",
                "vid2",
                "plain old text",
            ],
        ]
    write_csv(folder / "comments.csv", header, rows)
    return zip_folder(root / "Takeout", root / "takeout-20250101T000000Z-001.zip")


def tiktok_export(root: Path, *, name: str = "user_data_tiktok.json") -> Path:
    data = {
        "Profile": {
            "Profile Information": {
                "ProfileMap": {
                    "userName": "jane.tok",
                    "bioDescription": "dance + data",
                    "birthDate": "20-May-1990",
                    "emailAddress": "jane@example.org",
                }
            }
        },
        "Comment": {
            "Comments": {
                "CommentsList": [
                    {"date": "2024-01-31 12:34:56", "comment": "this is so me 😂"},
                    {"Date": "2024-02-01 08:00:00", "Comment": "older casing"},
                ]
            }
        },
        "Video": {
            "Videos": {
                "VideoList": [
                    {
                        "Date": "2023-12-01 20:00:00",
                        "Link": "https://www.tiktokv.com/share/video/7300/",
                        "Likes": "12",
                    }
                ]
            }
        },
        "Your Activity": {
            "Login History": {
                "LoginHistoryList": [
                    {"Date": "2024-03-01 07:00:00", "IP": "192.0.2.44", "DeviceModel": "Pixel"}
                ]
            }
        },
        "Direct Messages": {"Chat History": {"ChatHistory": {}}},
    }
    target = root / name
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


def generic_files(root: Path) -> tuple[Path, Path]:
    csv_path = root / "my-blog.csv"
    write_csv(
        csv_path,
        ["platform", "created_at", "url", "text"],
        [
            ["blog", "2020-01-01", "https://blog.example/1", "My first post"],
            ["blog", "2020-02-01T10:00:00Z", "https://blog.example/2", "Second post"],
            ["blog", "", "", ""],
        ],
    )
    jsonl = root / "forum.jsonl"
    jsonl.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"platform": "forum", "text": "hello forum", "created_at": 1577836800, "id": "p1"},
                {"platform": "forum", "text": "second", "created_at": "2020-01-02T00:00:00Z"},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return csv_path, jsonl
