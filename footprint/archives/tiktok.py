"""TikTok "Download your data" (JSON): comments, videos, profile, login history.

The file can be very large (watch history, messages); it is streamed twice, taking only
the profile first and then the lists footprint uses, so unwanted sections cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from footprint.archives.base import ImportContext, Importer, by_basename
from footprint.archives.readers import json_select, peek_text
from footprint.archives.source import Member
from footprint.archives.text import from_text, stable_id
from footprint.store import Item

SRC = "archive:tiktok"
PROFILE = [
    ("Profile", "Profile Information", "ProfileMap"),
    ("Profile", "Profile Info", "ProfileMap"),
]
COMMENTS, VIDEOS, LOGINS = 0, 1, 2
LISTS = [
    ("Comment", "Comments", "CommentsList", "*"),
    ("Video", "Videos", "VideoList", "*"),
    ("Activity", "Login History", "LoginHistoryList", "*"),
    ("Your Activity", "Login History", "LoginHistoryList", "*"),
]


def _get(data: Any, *names: str) -> Any:
    """A value by any of ``names``, ignoring case (TikTok renames and re-cases keys)."""
    if not isinstance(data, dict):
        return None
    lowered = {str(k).lower(): v for k, v in data.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value)


class TikTokImporter(Importer):
    platform = "tiktok"
    label = "TikTok export"

    def claim(self, members: list[Member]) -> list[Member]:
        named = by_basename(members, r"user_data(_tiktok)?\.json")
        if named:
            return named
        sniffed = []
        for member in by_basename(members, r"[^/]*\.json"):
            head = peek_text(member, 4096)
            if '"Profile"' in head and any(
                k in head for k in ('"Comment"', '"Video"', '"Activity"', '"Your Activity"')
            ):
                sniffed.append(member)
        return sniffed

    def items(self, ctx: ImportContext, members: list[Member]) -> Iterator[Item]:
        for member in members:
            account_id = None
            for _, info in json_select(member, PROFILE):
                if isinstance(info, dict):
                    account_id, fields = self._profile(ctx, info)
                    yield from fields
            for which, entry in json_select(member, LISTS):
                item = self._entry(min(which, LOGINS), entry, account_id)
                if item is None:
                    ctx.skip("TikTok entries with no text or address", member.where)
                else:
                    yield item

    def _entry(self, which: int, entry: Any, account_id: int | None) -> Item | None:
        date = _text(_get(entry, "date"))
        created = from_text(date)
        if which == COMMENTS:
            text = _text(_get(entry, "comment"))
            if not text:
                return None
            return Item(
                "tiktok",
                "comment",
                stable_id("comment", date, text),
                text=text,
                created_at=created,
                visibility="public",
                account_id=account_id,
                source=SRC,
                raw=entry,
            )
        if which == VIDEOS:
            link = _text(_get(entry, "link")).split("\n")[0] or None
            text = _text(_get(entry, "title", "description", "caption", "desc"))
            return Item(
                "tiktok",
                "post",
                link or stable_id("video", date, text),
                text=text,
                created_at=created,
                url=link,
                visibility="public",
                account_id=account_id,
                source=SRC,
                raw=entry,
            )
        ip = _text(_get(entry, "ip"))
        if not ip:
            return None
        return Item(
            "tiktok",
            "login_ip",
            f"{date}/{ip}",
            text=ip,
            title="Login IP address",
            created_at=created,
            visibility="private",
            account_id=account_id,
            source=SRC,
            raw=entry,
        )

    def _profile(self, ctx: ImportContext, info: dict[str, Any]) -> tuple[int | None, list[Item]]:
        username = _text(_get(info, "userName", "username"))
        account_id = None
        if username:
            account_id = ctx.account("tiktok", username, url=f"https://www.tiktok.com/@{username}")
        private = ("email", "phone", "birth")
        items = [
            Item(
                "tiktok",
                "profile_field",
                str(key),
                text=_text(val),
                title=str(key),
                visibility="private" if any(s in str(key).lower() for s in private) else "public",
                account_id=account_id,
                source=SRC,
                raw={key: val},
            )
            for key, val in info.items()
            if _text(val)
        ]
        return account_id, items
