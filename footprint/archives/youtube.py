"""Google Takeout, YouTube: comments.csv (both header generations) and live chats."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from footprint.archives.base import ImportContext, Importer, by_basename
from footprint.archives.readers import csv_header, csv_rows
from footprint.archives.source import Member
from footprint.archives.text import from_text
from footprint.store import Item

SRC = "archive:youtube"


def comment_text(value: str) -> str:
    """Takeout's comment text is JSON segments (two generations), or plain text when old."""
    value = value.strip()
    if not value.startswith("{"):
        return value
    parsed: Any
    try:
        parsed = json.loads(value, strict=False)
    except RecursionError:
        return value  # absurdly nested: keep the text as it is
    except ValueError:
        try:
            parsed = json.loads(f"[{value}]", strict=False)
        except (ValueError, RecursionError):
            return value
    if isinstance(parsed, dict):
        parsed = parsed.get("takeoutSegments", [parsed])
    if not isinstance(parsed, list):
        return value
    return "".join(str(s.get("text", "")) for s in parsed if isinstance(s, dict))


class YouTubeImporter(Importer):
    platform = "youtube"
    label = "YouTube (Google Takeout)"

    def claim(self, members: list[Member]) -> list[Member]:
        limit = 1024 * 1024
        wanted = []
        for member in by_basename(members, r"comments\.csv|live chats\.csv"):
            header = set(csv_header(member, limit))
            if {"comment id", "video id", "comment text"} <= header or {
                "live chat id",
                "video id",
                "live chat text",
            } <= header:
                wanted.append(member)
        return wanted

    def items(self, ctx: ImportContext, members: list[Member]) -> Iterator[Item]:
        for member in members:
            chat = member.basename.lower() == "live chats.csv"
            for row in csv_rows(member, ctx.limits.max_line_bytes):
                pid = row.get("live chat id" if chat else "comment id")
                video = row.get("video id", "")
                if not pid:
                    ctx.skip("YouTube rows without an id", member.where)
                    continue
                text = comment_text(row.get("live chat text" if chat else "comment text", ""))
                created = from_text(
                    row.get("live chat create timestamp" if chat else "comment create timestamp")
                )
                channel = row.get("channel id")
                account_id = (
                    ctx.account(
                        "youtube", channel, url=f"https://www.youtube.com/channel/{channel}"
                    )
                    if channel
                    else None
                )
                parent = row.get("parent comment id") or None
                kind = "live_chat" if chat else ("reply" if parent else "comment")
                url = (
                    f"https://www.youtube.com/watch?v={video}&lc={pid}"
                    if video and not chat
                    else f"https://www.youtube.com/watch?v={video}"
                    if video
                    else None
                )
                yield Item(
                    "youtube",
                    kind,
                    pid,
                    text=text,
                    created_at=created,
                    url=url,
                    parent_id=parent,
                    visibility="public",
                    account_id=account_id,
                    source=SRC,
                    raw=row,
                )
