"""TikTok "Download your data" (JSON): comments, videos, profile, login history."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from footprint.archives.base import ImportContext, Importer, by_basename
from footprint.archives.readers import json_kvitems, peek_text
from footprint.archives.source import Member
from footprint.archives.text import from_text, stable_id
from footprint.store import Item

SRC = "archive:tiktok"


def _get(data: Any, *names: str) -> Any:
    """A value by any of ``names``, ignoring case (TikTok renames and re-cases keys)."""
    if not isinstance(data, dict):
        return None
    lowered = {str(k).lower(): v for k, v in data.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _list(section: Any, *path: tuple[str, ...]) -> list[Any]:
    for names in path:
        section = _get(section, *names)
    return section if isinstance(section, list) else []


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
            for section, value in json_kvitems(member):
                name = section.lower()
                if name == "profile":
                    account_id, fields = self._profile(ctx, value)
                    yield from fields
                elif name == "comment":
                    for entry in _list(value, ("Comments",), ("CommentsList",)):
                        text = _get(entry, "comment")
                        if not text:
                            ctx.skip("TikTok comments with no text", member.where)
                            continue
                        date = _get(entry, "date")
                        yield Item(
                            "tiktok",
                            "comment",
                            stable_id("comment", date, text),
                            text=str(text),
                            created_at=from_text(date),
                            visibility="public",
                            account_id=account_id,
                            source=SRC,
                            raw=entry,
                        )
                elif name == "video":
                    for entry in _list(value, ("Videos",), ("VideoList",)):
                        link = str(_get(entry, "link") or "").split("\n")[0] or None
                        date = _get(entry, "date")
                        text = _get(entry, "title", "description", "caption", "desc") or ""
                        yield Item(
                            "tiktok",
                            "post",
                            link or stable_id("video", date, text),
                            text=str(text),
                            created_at=from_text(date),
                            url=link,
                            visibility="public",
                            account_id=account_id,
                            source=SRC,
                            raw=entry,
                        )
                elif name in ("activity", "your activity"):
                    for entry in _list(value, ("Login History",), ("LoginHistoryList",)):
                        ip = _get(entry, "ip")
                        if ip:
                            date = _get(entry, "date")
                            yield Item(
                                "tiktok",
                                "login_ip",
                                f"{date}/{ip}",
                                text=str(ip),
                                title="Login IP address",
                                created_at=from_text(date),
                                visibility="private",
                                account_id=account_id,
                                source=SRC,
                                raw=entry,
                            )

    def _profile(self, ctx: ImportContext, value: Any) -> tuple[int | None, list[Item]]:
        info = _get(_get(value, "Profile Information", "Profile Info"), "ProfileMap") or {}
        if not isinstance(info, dict):
            return None, []
        username = _get(info, "userName", "username")
        account_id = None
        if username:
            account_id = ctx.account(
                "tiktok", str(username), url=f"https://www.tiktok.com/@{username}"
            )
        items = [
            Item(
                "tiktok",
                "profile_field",
                str(key),
                text=str(val),
                title=str(key),
                visibility="private"
                if any(s in str(key).lower() for s in ("email", "phone", "birth"))
                else "public",
                account_id=account_id,
                source=SRC,
                raw={key: val},
            )
            for key, val in info.items()
            if val not in (None, "", [], {}) and not isinstance(val, dict | list)
        ]
        return account_id, items
