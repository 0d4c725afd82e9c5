"""Normalising what exports contain: times to UTC ISO 8601, HTML to text, Meta's mojibake."""

from __future__ import annotations

import contextlib
import hashlib
import html
import re
import unicodedata
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_MONTH_TEXT = {m: f"{i:02}" for m, i in _MONTHS.items()}
_TWITTER = re.compile(
    r"^\w{3} (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$"
)


def iso(moment: datetime) -> str | None:
    """UTC ISO 8601 text; None for moments that cannot be shown in UTC (year 1 +05:00...)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError):
        return None


def from_epoch(value: Any) -> str | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    if not 0 < seconds < 4e9:
        return None
    return iso(datetime.fromtimestamp(seconds, UTC))


def from_twitter(value: Any) -> str | None:
    """'Tue Mar 19 14:05:17 +0000 2019' (locale-independent)."""
    parts = value.split(" ") if isinstance(value, str) else ()
    if len(parts) == 6 and parts[4] == "+0000" and parts[1] in _MONTH_TEXT and len(parts[3]) == 8:
        return f"{parts[5]}-{_MONTH_TEXT[parts[1]]}-{parts[2].zfill(2)}T{parts[3]}Z"  # fast path
    match = _TWITTER.match(str(value or "").strip())
    if not match or match.group(1) not in _MONTHS:
        return None
    mon, day, hh, mm, ss, sign, oh, om, year = match.groups()
    from datetime import timedelta, timezone

    offset = timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
    try:
        moment = datetime(
            int(year), _MONTHS[mon], int(day), int(hh), int(mm), int(ss), tzinfo=timezone(offset)
        )
    except ValueError:
        return None
    return iso(moment)


def from_text(value: Any) -> str | None:
    """ISO 8601 (offset, 'Z', fractions), '... UTC', or naive 'Y-m-d H:M:S' taken as UTC."""
    text = str(value or "").strip()
    if not text:
        return None
    if text.endswith(" UTC"):
        text = text[:-4]
    text = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        return iso(datetime.fromisoformat(text))
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d %H:%M", "%d %b %Y", "%Y/%m/%d %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y"):
        try:
            return iso(datetime.strptime(text, fmt))
        except ValueError:
            continue
    return from_twitter(text)


def snowflake_time(tweet_id: str) -> str | None:
    """X ids after 2010 encode their creation time."""
    try:
        number = int(tweet_id)
    except ValueError:
        return None
    if number < 30_000_000_000:
        return None
    return from_epoch(((number >> 22) + 1288834974657) / 1000)


class _TextExtractor(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BREAKS and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "div", "li", "blockquote") and self.parts:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str | None) -> str:
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return markup
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def unescape(text: str | None) -> str:
    return html.unescape(text) if text and "&" in text else (text or "")


def fix_meta_text(value: str) -> str:
    """Undo Meta's export mojibake (UTF-8 bytes written as \\u00XX code points), then NFC."""
    if not value or value.isascii():
        return value
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("latin-1").decode("utf-8")
    return unicodedata.normalize("NFC", value)


def fix_meta(data: Any) -> Any:
    """Apply :func:`fix_meta_text` to every string, keys included, recursively."""
    if isinstance(data, str):
        return fix_meta_text(data)
    if isinstance(data, list):
        return [fix_meta(v) for v in data]
    if isinstance(data, dict):
        return {fix_meta_text(k): fix_meta(v) for k, v in data.items()}
    return data


def stable_id(*parts: Any) -> str:
    """An id for items whose export gives none (Meta, generic files): a hash of their content."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:24]
