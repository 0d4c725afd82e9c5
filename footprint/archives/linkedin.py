"""LinkedIn export: Shares.csv, Comments.csv and the profile CSVs (tolerant of preambles and
LinkedIn's irregular quoting)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from urllib.parse import unquote

from footprint.archives.base import ImportContext, Importer, by_basename
from footprint.archives.readers import _Lines, csv_header, csv_rows
from footprint.archives.source import Member
from footprint.archives.text import from_text, stable_id
from footprint.store import Item

SRC = "archive:linkedin"
PROFILE_FILES = r"profile\.csv|email addresses\.csv|phonenumbers\.csv|whatsapp phone numbers\.csv"
VISIBILITY = {
    "member_network": "connections",
    "connections_only": "connections",
    "public": "public",
    "anyone": "public",
    "logged_in_members": "members",
}
_URN = re.compile(r"urn:li:[a-zA-Z]+:\d+|activity[-:](\d+)")


class LinkedInImporter(Importer):
    platform = "linkedin"
    label = "LinkedIn export"

    def claim(self, members: list[Member]) -> list[Member]:
        limit = 1024 * 1024
        shares = [
            m
            for m in by_basename(members, r"shares\.csv")
            if "sharecommentary" in csv_header(m, limit, "Date")
        ]
        comments = [
            m
            for m in by_basename(members, r"comments\.csv")
            if {"link", "message"} <= set(csv_header(m, limit, "Date"))
        ]
        if not shares and not comments:
            return []
        return shares + comments + by_basename(members, PROFILE_FILES)

    def items(self, ctx: ImportContext, members: list[Member]) -> Iterator[Item]:
        limit = ctx.limits.max_line_bytes
        for member in members:
            name = member.basename.lower()
            escape = "\\" if _backslash_quoted(member, limit) else None
            if escape:
                ctx.note(f"{member.where} uses backslash-escaped quotes; read accordingly.")
            if name == "shares.csv":
                for row in csv_rows(
                    member, limit, header_hint="Date", escapechar=escape, strict=False
                ):
                    text = row.get("sharecommentary", "")
                    link = row.get("sharelink") or None
                    if not text and not row.get("sharedurl"):
                        ctx.skip("LinkedIn rows with no text", member.where)
                        continue
                    created = from_text(row.get("date"))
                    yield Item(
                        "linkedin",
                        "post",
                        _id(link, "share", row.get("date"), text),
                        text=text or row.get("sharedurl", ""),
                        created_at=created,
                        url=link,
                        visibility=VISIBILITY.get(row.get("visibility", "").lower()),
                        source=SRC,
                        raw=row,
                    )
            elif name == "comments.csv":
                for row in csv_rows(
                    member, limit, header_hint="Date", escapechar=escape, strict=False
                ):
                    text = row.get("message", "")
                    if not text:
                        ctx.skip("LinkedIn rows with no text", member.where)
                        continue
                    link = row.get("link") or None
                    yield Item(
                        "linkedin",
                        "comment",
                        # Link is the post commented on: two comments there share it
                        row.get("commenturn") or stable_id("comment", link, row.get("date"), text),
                        text=text,
                        created_at=from_text(row.get("date")),
                        url=link,
                        source=SRC,
                        raw=row,
                    )
            else:
                for index, row in enumerate(
                    csv_rows(member, limit, escapechar=escape, strict=False)
                ):
                    for column, value in row.items():
                        if value.strip():
                            yield Item(
                                "linkedin",
                                "profile_field",
                                f"{member.basename}/{index}/{column}",
                                text=value.strip(),
                                title=column.title(),
                                source=SRC,
                                raw=row,
                            )


def _id(link: str | None, kind: str, date: str | None, text: str) -> str:
    match = _URN.search(unquote(link or ""))
    if match:
        return match.group(0)
    return stable_id(kind, date, text)


def _backslash_quoted(member: Member, limit: int) -> bool:
    """Whether rows only parse to the header's width when backslash escapes are honoured."""

    def misfits(escapechar: str | None) -> int:
        csv.field_size_limit(max(limit, 131072))
        with member.open() as stream:
            lines = (line for line in _Lines(member, stream, limit))
            rows = csv.reader(lines, escapechar=escapechar, strict=False)
            width = None
            bad = 0
            try:
                for row in rows:
                    if width is None:
                        if row and row[0].lstrip("\ufeff").strip().lower() in (
                            "date",
                            "first name",
                        ):
                            width = len(row)
                        continue
                    if any(cell.strip() for cell in row) and len(row) != width:
                        bad += 1
            except csv.Error:
                return 1_000_000  # unreadable this way; the real read reports the problem
            return bad

    if member.size > 64 * 1024 * 1024:
        return False
    plain = misfits(None)
    return plain > 0 and misfits("\\") < plain
