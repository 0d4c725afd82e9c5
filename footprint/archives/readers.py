"""Streaming readers for the file formats exports use: JSON, X's .js files, CSV, JSONL.

All of them read a member incrementally, decode UTF-8 strictly, and raise an
:class:`ArchiveError` naming the file for invalid JSON, invalid UTF-8 or lines too long.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import json
import re
from collections.abc import Iterator, Sequence
from typing import IO, Any

import ijson
from ijson.common import ObjectBuilder

from footprint.archives.errors import ArchiveError
from footprint.archives.source import Member

JSON_PREFIX_LIMIT = 4096  # bytes before the '=' in an X .js file


def _json_error(member: Member, exc: Exception) -> ArchiveError:
    text = str(exc)
    if "utf" in text.lower() or isinstance(exc, UnicodeDecodeError):
        return ArchiveError(member.where, "is not valid UTF-8 text; the file is damaged.")
    return ArchiveError(
        member.where,
        f"is not valid JSON ({text.strip()[:160]}); the file is damaged or incomplete.",
    )


@contextlib.contextmanager
def _parse_errors(member: Member) -> Iterator[None]:
    """Turn the JSON parser's errors into one ArchiveError naming the file."""
    try:
        yield
    except ArchiveError:
        raise
    except RecursionError as exc:
        raise _too_deep(member) from exc
    except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, ValueError) as exc:
        raise _json_error(member, exc) from exc


MAX_DEPTH = 200  # real exports nest a dozen levels; deep nesting is an attack on the parser
_STARTS = {"start_map", "start_array"}
_ENDS = {"end_map", "end_array"}


def _too_deep(member: Member) -> ArchiveError:
    return ArchiveError(
        member.where, f"nests data more than {MAX_DEPTH} levels deep; it is not a real export file."
    )


def _skip_bom(stream: IO[bytes]) -> None:
    if stream.peek(3)[:3] == codecs.BOM_UTF8:  # type: ignore[attr-defined]
        stream.read(3)


def json_select(member: Member, patterns: Sequence[tuple[str, ...]]) -> Iterator[tuple[int, Any]]:
    """Stream the values at any of ``patterns`` in one pass: (pattern index, value).

    A pattern is a path of steps: a map key (compared case-insensitively), ``"?"`` for any
    key, ``"*"`` for any list element.  Parts of the document no pattern reaches are
    skipped without being built, so one huge unwanted section costs no memory; nesting
    deeper than MAX_DEPTH is refused.
    """
    lowered = [tuple(step.lower() for step in p) for p in patterns]

    def matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
        return len(pattern) == len(path) and all(
            want == got or (want == "?" and got != "*")
            for want, got in zip(pattern, path, strict=True)
        )

    def reachable(path: tuple[str, ...], array: bool) -> bool:
        """Whether some pattern continues below the container that starts at ``path``."""
        depth = len(path)
        return any(
            len(p) > depth and matches(p[:depth], path) and (p[depth] == "*") == array
            for p in lowered
        )

    with member.open() as stream:
        _skip_bom(stream)
        with _parse_errors(member):
            path: list[str] = []  # the step of each open container's current child
            kinds: list[str] = []
            skipping = 0  # depth inside a subtree no pattern reaches
            builder: ObjectBuilder | None = None
            building = 0
            target = -1
            for event, value in ijson.basic_parse(stream, use_float=True):
                if builder is not None:
                    builder.event(event, value)
                    building += 1 if event in _STARTS else -1 if event in _ENDS else 0
                    if building > MAX_DEPTH:
                        raise _too_deep(member)
                    if building == 0:
                        yield target, builder.value
                        builder = None
                    continue
                if skipping:
                    skipping += 1 if event in _STARTS else -1 if event in _ENDS else 0
                    if len(kinds) + skipping > MAX_DEPTH:
                        raise _too_deep(member)
                    continue
                if event == "map_key":
                    path[-1] = str(value).lower()
                    continue
                if event in _ENDS:
                    kinds.pop()
                    path.pop()
                    continue
                here = tuple(path)
                hit = next((i for i, p in enumerate(lowered) if matches(p, here)), -1)
                if hit >= 0:
                    if event in _STARTS:
                        builder, building, target = ObjectBuilder(), 1, hit
                        builder.event(event, value)
                    else:
                        yield hit, value
                    continue
                if event in _STARTS:
                    if not reachable(here, event == "start_array"):
                        skipping = 1
                        continue
                    if len(kinds) >= MAX_DEPTH:
                        raise _too_deep(member)
                    kinds.append(event)
                    path.append("*" if event == "start_array" else "")


_DECODER = json.JSONDecoder()
_CHUNK = 1024 * 1024


def json_array(
    member: Member, *, js: bool = False, max_element: int = 16 * 1024 * 1024
) -> Iterator[Any]:
    """The elements of a top-level JSON array (see :func:`json_array_with_text`)."""
    for value, _ in json_array_with_text(member, js=js, max_element=max_element):
        yield value


def json_array_with_text(
    member: Member, *, js: bool = False, max_element: int = 16 * 1024 * 1024
) -> Iterator[tuple[Any, str]]:
    """Stream the elements of a top-level JSON array, one element in memory at a time.

    Faster than :func:`json_items` for the big files (X's tweets.js, Meta's posts): each
    element is parsed by the C JSON decoder straight from a sliding text buffer.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    with member.open() as stream:
        if js:
            _skip_assignment(member, stream)
        buffer, pos, eof = "", 0, False

        def more() -> bool:
            nonlocal buffer, pos, eof
            if eof:
                return False
            data = stream.read(_CHUNK)
            try:
                text = decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                raise ArchiveError(
                    member.where, "is not valid UTF-8 text; the file is damaged."
                ) from exc
            eof = not data
            buffer = buffer[pos:] + text
            pos = 0
            return bool(data) or bool(text)

        def skip_space() -> None:
            nonlocal pos
            while True:
                while pos < len(buffer) and buffer[pos] in " \t\r\n":
                    pos += 1
                if pos < len(buffer) or not more():
                    return

        skip_space()
        if pos >= len(buffer) or buffer[pos] != "[":
            raise ArchiveError(
                member.where,
                "is not valid JSON (it does not start with a list); "
                "the file is damaged or incomplete.",
            )
        pos += 1
        first = True
        while True:
            skip_space()
            if pos >= len(buffer):
                raise ArchiveError(
                    member.where,
                    "is not valid JSON (it ends in the middle); the file is damaged or incomplete.",
                )
            if buffer[pos] == "]":
                return
            if not first:
                if buffer[pos] != ",":
                    raise ArchiveError(
                        member.where,
                        f"is not valid JSON (expected ',' at "
                        f"character {pos}); the file is damaged.",
                    )
                pos += 1
                skip_space()
            first = False
            while True:
                # An element cut by the end of the buffer fails to parse (or, for a bare
                # number, parses short): read on until it parses whole, or the file ends.
                try:
                    value, end = _DECODER.raw_decode(buffer, pos)
                    if end < len(buffer) or eof or isinstance(value, dict | list | str):
                        break
                    if not more():
                        break
                except RecursionError as exc:
                    raise _too_deep(member) from exc
                except json.JSONDecodeError as exc:
                    if len(buffer) - pos > max_element or not more():
                        raise ArchiveError(
                            member.where,
                            f"is not valid JSON ({exc.msg}); the file is damaged or incomplete.",
                        ) from exc
            text, pos = buffer[pos:end], end
            yield value, text
            if pos > _CHUNK:  # let the consumed text go
                buffer, pos = buffer[pos:], 0


_INDENT = re.compile(r"\n[ \t]*")


def compact_json_text(text: str) -> str:
    """Drop pretty-printing from JSON text without re-encoding it.

    A raw newline cannot occur inside a JSON string (it is always escaped), so every
    newline and the indentation after it are layout.
    """
    return _INDENT.sub("", text) if "\n" in text else text


def load_json(member: Member, *, js: bool = False, max_bytes: int = 64 * 1024 * 1024) -> Any:
    """Load a small JSON document whole (profile, account, actor files)."""
    if member.size > max_bytes:
        raise ArchiveError(
            member.where, f"is {member.size:,} bytes; footprint expected a small file."
        )
    with member.open() as stream:
        if js:
            _skip_assignment(member, stream)
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ArchiveError(member.where, "is larger than expected for this kind of file.")
    try:
        return json.loads(data.decode("utf-8-sig").strip().rstrip(";"))
    except RecursionError as exc:
        raise _too_deep(member) from exc
    except UnicodeDecodeError as exc:
        raise _json_error(member, exc) from exc
    except ValueError as exc:
        raise _json_error(member, exc) from exc


def _skip_assignment(member: Member, stream: IO[bytes]) -> None:
    head = stream.peek(JSON_PREFIX_LIMIT)[:JSON_PREFIX_LIMIT]  # type: ignore[attr-defined]
    position = head.find(b"=")
    if position < 0:
        raise ArchiveError(
            member.where, "is not an X archive data file (no 'window.YTD... =' header)."
        )
    stream.read(position + 1)


def peek_text(member: Member, size: int = 2048) -> str:
    """The first bytes of a member as text (for recognising what it is)."""
    with member.open() as stream:
        data = stream.read(size)
    return data.decode("utf-8-sig", errors="replace")


class _Lines:
    """Text lines of a member, each at most ``limit`` bytes, decoded strictly as UTF-8."""

    def __init__(self, member: Member, stream: IO[bytes], limit: int) -> None:
        self.member = member
        self.stream = stream
        self.limit = limit
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        self.number = 0
        self.consumed = 0  # bytes
        self.row_start = 0  # where the CSV row being read began (set by csv_rows)
        self.row_limit: int | None = None

    def __iter__(self) -> Iterator[str]:
        while True:
            raw = self.stream.readline(self.limit + 1)
            if not raw:
                tail = self.decoder.decode(b"", final=True)
                if tail:
                    yield tail
                return
            self.number += 1
            self.consumed += len(raw)
            if len(raw) > self.limit and not raw.endswith(b"\n"):
                raise ArchiveError(
                    self.member.where,
                    f"line {self.number} is longer than {self.limit:,} bytes; the file is damaged.",
                )
            if self.row_limit is not None and self.consumed - self.row_start > self.row_limit:
                raise ArchiveError(
                    self.member.where,
                    f"has a row reaching line {self.number} that is longer than "
                    f"{self.row_limit:,} bytes; the file is damaged.",
                )
            try:
                yield self.decoder.decode(raw)
            except UnicodeDecodeError as exc:
                raise ArchiveError(
                    self.member.where,
                    f"line {self.number} is not valid UTF-8 text; the file is damaged.",
                ) from exc


def csv_rows(
    member: Member,
    limit: int,
    *,
    header_hint: str | None = None,
    escapechar: str | None = None,
    strict: bool = True,
) -> Iterator[dict[str, str]]:
    """Rows of a CSV member as dicts keyed by the lower-cased, trimmed header names.

    ``header_hint`` skips preamble lines until a line starting with it (LinkedIn puts
    notes above the header).  Blank and comma-only rows are dropped.  ``strict`` refuses
    bad quoting, including a file cut off inside a quoted field; one row may span many
    lines but not more than ``limit`` bytes in all.
    """
    csv.field_size_limit(max(limit, 131072))
    with member.open() as stream:
        lines = _Lines(member, stream, limit)
        iterator = iter(lines)
        if header_hint:
            iterator = _after_preamble(member, iterator, header_hint)
        reader = csv.reader(iterator, escapechar=escapechar, strict=strict)
        try:
            header = next(reader, None)
            if header is None:
                return
            keys = [h.strip().lstrip("\ufeff").lower() for h in header]
            if len(keys) > 1000:
                raise ArchiveError(member.where, f"has {len(keys):,} columns; it is not an export.")
            lines.row_limit = limit
            lines.row_start = lines.consumed
            for row in reader:
                lines.row_start = lines.consumed
                if not any(cell.strip() for cell in row):
                    continue
                yield {k: (row[i] if i < len(row) else "") for i, k in enumerate(keys)}
        except csv.Error as exc:
            raise ArchiveError(
                member.where, f"is not a readable CSV file near line {lines.number} ({exc})."
            ) from exc


def csv_header(member: Member, limit: int, header_hint: str | None = None) -> list[str]:
    with member.open() as stream:
        iterator = iter(_Lines(member, stream, limit))
        if header_hint:
            try:
                iterator = _after_preamble(member, iterator, header_hint)
            except ArchiveError:
                return []
        try:
            header = next(csv.reader(iterator), [])
        except (csv.Error, ArchiveError):
            return []
    return [h.strip().lstrip("\ufeff").lower() for h in header]


def _after_preamble(member: Member, lines: Iterator[str], hint: str) -> Iterator[str]:
    for count, line in enumerate(lines):
        if line.lstrip("\ufeff").lower().startswith(hint.lower()):
            yield line
            yield from lines
            return
        if count > 50:
            break
    raise ArchiveError(member.where, f"has no header line starting with '{hint}'.")


def jsonl_records(member: Member, limit: int) -> Iterator[tuple[int, Any]]:
    with member.open() as stream:
        lines = _Lines(member, stream, limit)
        for line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except RecursionError as exc:
                raise _too_deep(member) from exc
            except ValueError as exc:
                raise ArchiveError(
                    member.where, f"line {lines.number} is not valid JSON ({exc})."
                ) from exc
            yield lines.number, record
