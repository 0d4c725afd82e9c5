"""Anything else: CSV or JSONL with a 'text' column (and optionally created_at, url,
platform, id, kind, title)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from footprint.archives.base import ImportContext, Importer
from footprint.archives.readers import csv_header, csv_rows, jsonl_records, peek_text
from footprint.archives.source import Member
from footprint.archives.text import from_epoch, from_text, stable_id
from footprint.store import Item


def _is_jsonl(member: Member) -> bool:
    if not member.basename.lower().endswith((".jsonl", ".ndjson", ".json")):
        return False
    first = peek_text(member, 8192).lstrip().split("\n", 1)[0]
    return first.startswith("{") and '"text"' in first


class GenericImporter(Importer):
    platform = "other"
    label = "Generic CSV/JSONL"

    def claim(self, members: list[Member]) -> list[Member]:
        wanted = []
        for member in members:
            lower = member.basename.lower()
            if (lower.endswith(".csv") and "text" in csv_header(member, 1024 * 1024)) or (
                _is_jsonl(member)
            ):
                wanted.append(member)
        return wanted

    def items(self, ctx: ImportContext, members: list[Member]) -> Iterator[Item]:
        limit = ctx.limits.max_line_bytes
        for member in members:
            if member.basename.lower().endswith(".csv"):
                records: Iterator[Any] = (row for row in csv_rows(member, limit))
            else:
                records = (record for _, record in jsonl_records(member, limit))
            for record in records:
                item = self._item(record, member)
                if item is None:
                    ctx.skip("rows with no text", member.where)
                else:
                    yield item

    def _item(self, record: Any, member: Member) -> Item | None:
        if not isinstance(record, dict):
            return None
        fields = {str(k).strip().lower(): v for k, v in record.items()}
        text = str(fields.get("text") or "").strip()
        if not text:
            return None
        platform = str(fields.get("platform") or "other").strip().lower() or "other"
        raw_time = fields.get("created_at")
        created = from_epoch(raw_time) if isinstance(raw_time, int | float) else from_text(raw_time)
        url = str(fields.get("url") or "").strip() or None
        pid = str(fields.get("id") or "").strip() or stable_id(platform, raw_time, text, url)
        return Item(
            platform,
            str(fields.get("kind") or "post"),
            pid,
            text=text,
            title=str(fields.get("title") or "") or None,
            created_at=created,
            url=url,
            visibility=str(fields.get("visibility") or "") or None,
            source=f"file:{member.basename}",
            raw=record,
        )
