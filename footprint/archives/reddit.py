"""Reddit data request (GDPR) export: comments.csv, posts.csv, statistics.csv."""

from __future__ import annotations

from collections.abc import Iterator

from footprint.archives.base import ImportContext, Importer, by_basename, natural_key
from footprint.archives.readers import csv_header, csv_rows
from footprint.archives.source import Member
from footprint.archives.text import from_text
from footprint.store import Item

SRC = "archive:reddit"


def _absolute(permalink: str) -> str | None:
    if not permalink:
        return None
    return permalink if permalink.startswith("http") else f"https://www.reddit.com{permalink}"


class RedditImporter(Importer):
    platform = "reddit"
    label = "Reddit export"

    def claim(self, members: list[Member]) -> list[Member]:
        limit = 1024 * 1024
        comments = [
            m
            for m in by_basename(members, r"comments(_\d+)?\.csv")
            if {"id", "permalink", "body", "subreddit"} <= set(csv_header(m, limit))
        ]
        posts = [
            m
            for m in by_basename(members, r"posts(_\d+)?\.csv")
            if {"id", "permalink", "title", "subreddit"} <= set(csv_header(m, limit))
        ]
        if not comments and not posts:
            return []
        stats = by_basename(members, r"statistics\.csv")
        return stats + sorted(comments, key=natural_key) + sorted(posts, key=natural_key)

    def items(self, ctx: ImportContext, members: list[Member]) -> Iterator[Item]:
        limit = ctx.limits.max_line_bytes
        account_id = None
        for member in members:
            name = member.basename.lower()
            if name == "statistics.csv":
                for row in csv_rows(member, limit):
                    key, value = row.get("statistic", ""), row.get("value", "")
                    if key == "account name" and value:
                        account_id = ctx.account(
                            "reddit", value, url=f"https://www.reddit.com/user/{value}"
                        )
                    if key and value:
                        yield Item(
                            "reddit",
                            "profile_field",
                            key,
                            text=value,
                            title=key.title(),
                            visibility="private" if "email" in key else "public",
                            account_id=account_id,
                            source=SRC,
                            raw=row,
                        )
                continue
            is_comment = name.startswith("comments")
            prefix = "t1_" if is_comment else "t3_"
            for row in csv_rows(member, limit):
                if not row.get("id"):
                    ctx.skip("Reddit rows without an id", member.where)
                    continue
                fullname = prefix + row["id"]
                created = from_text(row.get("date"))
                text = row.get("body", "")
                if not is_comment and not text:
                    text = row.get("url", "")
                subreddit = row.get("subreddit")
                title = row.get("title") if not is_comment else None
                yield Item(
                    "reddit",
                    "comment" if is_comment else "post",
                    fullname,
                    text=text,
                    title=title or (f"in r/{subreddit}" if subreddit else None),
                    created_at=created,
                    url=_absolute(row.get("permalink", "")),
                    parent_id=row.get("parent") or row.get("link") or None,
                    visibility="public",
                    account_id=account_id,
                    source=SRC,
                    raw=row,
                )
                if row.get("ip"):
                    yield Item(
                        "reddit",
                        "upload_ip",
                        f"{fullname}/ip",
                        text=row["ip"],
                        title="IP address Reddit recorded for this",
                        created_at=created,
                        parent_id=fullname,
                        visibility="private",
                        account_id=account_id,
                        source=SRC,
                        raw={"ip": row["ip"]},
                    )
