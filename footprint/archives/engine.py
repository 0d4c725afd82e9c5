"""``import_paths``: detect what an export is from its contents and import it in one transaction."""

from __future__ import annotations

import json
import logging
import operator
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from footprint.archives.base import ImportContext, Importer, ImportProgress, ProgressCallback
from footprint.archives.errors import ArchiveError
from footprint.archives.source import ExportFiles, Limits, Member, Meter, Skipped
from footprint.progress import CancelToken
from footprint.store import Item, UpsertResult, upsert_items, utcnow

if TYPE_CHECKING:
    from footprint.store import Store

log = logging.getLogger(__name__)

MEDIA_SUFFIXES = (
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".heic",
    ".mp4",
    ".mov",
    ".m4a",
    ".mp3",
    ".webm",
    ".avi",
    ".srt",
    ".vtt",
)
REPORT_EVERY = 500  # items between progress reports and cancel checks


def importers() -> list[Importer]:
    """Every importer, most specific first (the generic one takes what is left)."""
    from footprint.archives.facebook import FacebookImporter
    from footprint.archives.generic import GenericImporter
    from footprint.archives.instagram import InstagramImporter
    from footprint.archives.linkedin import LinkedInImporter
    from footprint.archives.mastodon import MastodonImporter
    from footprint.archives.reddit import RedditImporter
    from footprint.archives.tiktok import TikTokImporter
    from footprint.archives.x import XImporter
    from footprint.archives.youtube import YouTubeImporter

    return [
        XImporter(),
        MastodonImporter(),
        FacebookImporter(),
        InstagramImporter(),
        LinkedInImporter(),
        RedditImporter(),
        YouTubeImporter(),
        TikTokImporter(),
        GenericImporter(),
    ]


@dataclass
class PlatformSummary:
    label: str
    files: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    result: UpsertResult = field(default_factory=UpsertResult)


@dataclass
class ImportSummary:
    import_id: int
    platforms: list[PlatformSummary]
    skipped: list[Skipped]
    notes: list[str]
    seconds: float

    @property
    def items(self) -> int:
        return sum(sum(p.kinds.values()) for p in self.platforms)

    def lines(self) -> list[str]:
        out = []
        for platform in self.platforms:
            kinds = ", ".join(
                f"{n:,} {k.replace('_', ' ')}{'s' if n != 1 else ''}"
                for k, n in platform.kinds.most_common()
            )
            r = platform.result
            out.append(
                f"{platform.label} ({platform.files} file{'s' * (platform.files != 1)}): "
                f"{kinds or 'nothing'}"
            )
            out.append(
                f"  {r.inserted:,} new, {r.updated:,} updated, {r.unchanged:,} already imported"
            )
        for skipped in self.skipped:
            examples = ", ".join(skipped.examples)
            out.append(
                f"Skipped {skipped.count:,} {skipped.reason}"
                + (f" (e.g. {examples})" if examples else "")
            )
        out.extend(self.notes)
        return out


def import_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    limits: Limits | None = None,
) -> ImportSummary:
    """Import every export in ``paths`` (parts of one export may be given together).

    Everything happens in one transaction: on any error, or a cancel, the database is
    exactly as it was.
    """
    started = time.monotonic()
    paths = list(paths)
    with ExportFiles(limits) as files:
        for path in paths:
            files.add_path(Path(path))
        files.meter.cancel = cancel
        plan = _plan(files)
        ctx = ImportContext(store, files, files.limits, cancel)
        total_bytes = sum(m.size for _, claimed in plan for m in claimed)
        total_files = sum(len(claimed) for _, claimed in plan)
        summaries = []
        with store.transaction():
            reporter = _Reporter(progress, cancel, total_files, total_bytes, files.meter)
            for importer, claimed in plan:
                summary = PlatformSummary(importer.label, files=len(claimed))
                stream = _counted(
                    importer.items(ctx, claimed), summary.kinds, reporter, claimed, ctx
                )
                try:
                    summary.result = upsert_items(store, stream)
                except _SHAPE_ERRORS as exc:
                    # A file whose values have types the format never uses (a list where
                    # text belongs...): one clear error, and the transaction rolls back.
                    raise ArchiveError(
                        files.meter.current or importer.label,
                        f"holds data in a shape footprint does not expect for a "
                        f"{importer.label} ({type(exc).__name__}: {str(exc)[:120]}).",
                    ) from exc
                summaries.append(summary)
            reporter.finish()
            import_id = _record(store, paths, summaries, files, ctx.notes)
        return ImportSummary(
            import_id,
            summaries,
            list(files.skipped.values()),
            ctx.notes,
            time.monotonic() - started,
        )


def _plan(files: ExportFiles) -> list[tuple[Importer, list[Member]]]:
    remaining = list(files.members)
    plan = []
    for importer in importers():
        claimed = importer.claim(remaining)
        if claimed:
            plan.append((importer, claimed))
            taken = {id(m) for m in claimed}
            remaining = [m for m in remaining if id(m) not in taken]
    if not plan:
        names = ", ".join(m.name for m in files.members[:5]) or "no files"
        raise ArchiveError(
            ", ".join(sorted({m.origin for m in files.members})) or "The export",
            f"is not an export footprint recognises (it holds {names}).",
            hint="footprint reads exports from X, Facebook, Instagram, LinkedIn, Reddit, "
            "Mastodon, YouTube (Takeout) and TikTok (JSON), and CSV or JSONL files with a "
            "'text' column. Nothing was imported.",
        )
    for member in remaining:
        if member.name.lower().endswith(MEDIA_SUFFIXES):
            files.skip("photos, videos and other media (not needed for the audit)", member.name)
        else:
            files.skip("other files footprint does not read", member.name)
    return plan


class _Reporter:
    def __init__(
        self,
        callback: ProgressCallback | None,
        cancel: CancelToken | None,
        files_total: int,
        bytes_total: int,
        meter: Meter,
    ) -> None:
        self.meter = meter
        self.meter_start = meter.total  # what recognising the files read does not count
        self.callback = callback
        self.cancel = cancel
        self.files_total = files_total
        self.bytes_total = bytes_total
        self.files_done = 0
        self.bytes_done = 0
        self.items = 0
        self.member = ""

    def report(self) -> None:
        read = self.meter.total - self.meter_start
        self.bytes_done = max(self.bytes_done, min(read, self.bytes_total))
        if self.cancel is not None:
            self.cancel.check("The import")
        if self.callback is not None:
            self.callback(
                ImportProgress(
                    self.member,
                    self.files_done,
                    self.files_total,
                    self.bytes_done,
                    self.bytes_total,
                    self.items,
                )
            )

    def finish(self) -> None:
        self.files_done, self.bytes_done = self.files_total, self.bytes_total
        self.report()


_SHAPE_ERRORS = (
    TypeError,
    AttributeError,
    KeyError,
    IndexError,
    ValueError,
    OverflowError,
    sqlite3.InterfaceError,
    sqlite3.ProgrammingError,
)
_TEXT_FIELDS = ("text", "created_at", "url", "visibility", "title", "parent_id")
_text_values = operator.attrgetter(*_TEXT_FIELDS)


def _normalised(item: Item) -> Item | None:
    """Scalars where text belongs become text; an item without an identity is dropped."""
    if type(item.platform_id) is not str:
        item.platform_id = "" if item.platform_id is None else str(item.platform_id)
    if not item.platform_id.strip():
        return None
    if all(v is None or type(v) is str for v in _text_values(item)):
        return item  # the common case
    for name in _TEXT_FIELDS:
        value = getattr(item, name)
        if value is not None and not isinstance(value, str):
            if isinstance(value, dict | list):
                raise TypeError(f"{name} is a {type(value).__name__}")
            setattr(item, name, str(value))
    return item


def _counted(
    items: Iterator[Item],
    kinds: Counter[str],
    reporter: _Reporter,
    claimed: list[Member],
    ctx: ImportContext,
) -> Iterator[Item]:
    reporter.member = claimed[0].name if claimed else ""
    reporter.report()
    for raw_item in items:
        item = _normalised(raw_item)
        if item is None:
            ctx.skip("records without an id", reporter.member)
            continue
        kinds[item.kind] += 1
        reporter.items += 1
        if reporter.items % REPORT_EVERY == 0:
            reporter.report()
        yield item
    reporter.files_done += len(claimed)
    reporter.report()


def _record(
    store: Store,
    paths: list[Path],
    summaries: list[PlatformSummary],
    files: ExportFiles,
    notes: list[str],
) -> int:
    details = {
        "platforms": {s.label: dict(s.kinds) for s in summaries},
        "skipped": {k: v.count for k, v in files.skipped.items()},
        "notes": notes,
    }
    now = utcnow()
    cursor = store.conn.execute(
        "INSERT INTO imports (started_at, finished_at, sources, platforms, inserted, updated, "
        "unchanged, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            now,
            now,
            json.dumps([Path(p).name for p in paths]),
            ", ".join(s.label for s in summaries),
            sum(s.result.inserted for s in summaries),
            sum(s.result.updated for s in summaries),
            sum(s.result.unchanged for s in summaries),
            json.dumps(details),
        ),
    )
    return int(cursor.lastrowid or 0)
