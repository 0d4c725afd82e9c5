"""The score-history chart as one self-contained SVG string.

Only plain SVG elements and presentation attributes are used (no CSS, no scripts, no
external fonts or images), so a browser shows it inline and Qt's SVG renderer can turn it
into the picture the PDF carries.  Scores run 0-100 on the vertical axis, time on the
horizontal one; a long history is thinned for drawing (each stretch keeps its lowest and
highest score, so no dip or peak disappears).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

MAX_POINTS = 400  # drawn at most; more snapshots are thinned to this many
DOTS_UP_TO = 40  # every snapshot gets a dot while there are this few
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
# Score bands (see footprint.checklist.score.BANDS), faintly tinted behind the line.
BAND_FILLS = ((90, 100, "#e7f5ec"), (75, 90, "#f1f8ea"), (50, 75, "#fdf6e3"), (0, 50, "#fcefed"))
LINE = "#2f5d8a"
GRID = "#d5dae1"
INK = "#4a5461"
Points = list[tuple[datetime, float]]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _when(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def short_date(when: datetime) -> str:
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def _points(history: Sequence[tuple[str, int | float]]) -> Points:
    out = []
    for taken_at, value in history:
        when = _when(taken_at)
        if when is None:
            continue
        try:
            score = float(value)
        except (TypeError, ValueError):
            continue
        out.append((when, min(100.0, max(0.0, score))))
    out.sort(key=lambda p: p[0])
    return out


def thin(points: Points, limit: int = MAX_POINTS) -> Points:
    """At most ``limit`` points: each stretch keeps its lowest and highest, in time order."""
    if len(points) <= limit:
        return points
    buckets = max(1, (limit - 2) // 2)
    inner = points[1:-1]
    size = len(inner) / buckets
    out = [points[0]]
    for b in range(buckets):
        chunk = inner[int(b * size) : int((b + 1) * size)]
        if not chunk:
            continue
        low = min(chunk, key=lambda p: p[1])
        high = max(chunk, key=lambda p: p[1])
        out.extend(sorted({low, high}, key=lambda p: p[0]))
    out.append(points[-1])
    return out


def describe(history: Sequence[tuple[str, int | float]]) -> str:
    """The chart in one sentence (its accessible title, and the text when it cannot show)."""
    points = _points(history)
    if not points:
        return "Score history: no scores yet. The first scan records one."
    last = round(points[-1][1])
    if len(points) == 1:
        return f"Score history: one score so far, {last} out of 100 on {short_date(points[0][0])}."
    first = round(points[0][1])
    low = round(min(p[1] for p in points))
    high = round(max(p[1] for p in points))
    return (
        f"Score history: {len(points)} scores from {short_date(points[0][0])} to "
        f"{short_date(points[-1][0])}, from {first} to {last} out of 100 "
        f"(lowest {low}, highest {high})."
    )


def _tick_label(when: datetime, span_days: float) -> str:
    if span_days <= 120:
        return f"{when.day} {MONTHS[when.month - 1]}"
    if span_days <= 3 * 365:
        return f"{MONTHS[when.month - 1]} {when.year}"
    return str(when.year)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def history_svg(
    history: Sequence[tuple[str, int | float]], *, width: int = 640, height: int = 220
) -> str:
    """The chart of ``history`` ((ISO time, score) pairs) as an SVG document string."""
    points = thin(_points(history))
    left, right, top, bottom = 40.0, 20.0, 14.0, 34.0
    plot_w, plot_h = width - left - right, height - top - bottom
    title = describe(history)

    def y(score: float) -> float:
        return top + plot_h * (1 - score / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="footprint-chart-title">',
        f'<title id="footprint-chart-title">{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for low, high, fill in BAND_FILLS:
        parts.append(
            f'<rect x="{_num(left)}" y="{_num(y(high))}" width="{_num(plot_w)}" '
            f'height="{_num(y(low) - y(high))}" fill="{fill}"/>'
        )
    for level in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{_num(left)}" y1="{_num(y(level))}" x2="{_num(left + plot_w)}" '
            f'y2="{_num(y(level))}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_num(left - 6)}" y="{_num(y(level) + 4)}" font-family="{FONT}" '
            f'font-size="11" fill="{INK}" text-anchor="end">{level}</text>'
        )
    baseline = top + plot_h
    if not points:
        parts.append(
            f'<text x="{_num(left + plot_w / 2)}" y="{_num(top + plot_h / 2)}" '
            f'font-family="{FONT}" font-size="13" fill="{INK}" text-anchor="middle">'
            "No scores yet</text>"
        )
        parts.append("</svg>")
        return "".join(parts)

    start, end = points[0][0], points[-1][0]
    span = (end - start).total_seconds()
    pad = 10.0

    def x(when: datetime) -> float:
        if span <= 0:
            return left + plot_w / 2
        return left + pad + (plot_w - 2 * pad) * (when - start).total_seconds() / span

    # Date ticks: the first and last snapshot, and up to three evenly spaced between.
    span_days = span / 86400
    ticks = [start] if span <= 0 else [start + (end - start) * (i / 4) for i in range(5)]
    if span_days < 4 and span > 0:
        ticks = [start, end]
    labels_seen: set[str] = set()
    for index, when in enumerate(ticks):
        label = short_date(when) if span <= 0 else _tick_label(when, span_days)
        if label in labels_seen:
            continue
        labels_seen.add(label)
        anchor = "middle"
        if span > 0 and index == 0:
            anchor = "start"
        elif span > 0 and index == len(ticks) - 1:
            anchor = "end"
        tx = x(when)
        if anchor == "start":
            tx = max(left, tx - pad)
        elif anchor == "end":
            tx = min(left + plot_w, tx + pad)
        parts.append(
            f'<line x1="{_num(x(when))}" y1="{_num(baseline)}" x2="{_num(x(when))}" '
            f'y2="{_num(baseline + 4)}" stroke="{INK}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_num(tx)}" y="{_num(baseline + 18)}" font-family="{FONT}" '
            f'font-size="11" fill="{INK}" text-anchor="{anchor}">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="{_num(left)}" y1="{_num(baseline)}" x2="{_num(left + plot_w)}" '
        f'y2="{_num(baseline)}" stroke="{INK}" stroke-width="1"/>'
    )
    coords = " ".join(f"{_num(x(w))},{_num(y(s))}" for w, s in points)
    if len(points) > 1:
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="2" '
            'stroke-linejoin="round" stroke-linecap="round"/>'
        )
    dots = points if len(points) <= DOTS_UP_TO else [points[-1]]
    for when, score in dots:
        parts.append(
            f'<circle cx="{_num(x(when))}" cy="{_num(y(score))}" r="3.5" fill="#ffffff" '
            f'stroke="{LINE}" stroke-width="2"/>'
        )
    last_when, last = points[-1]
    lx, ly = x(last_when), y(last)
    label_x, label_y = (lx - 4 if span > 0 else lx), (ly - 9 if last < 88 else ly + 18)
    anchor = "end" if span > 0 else "middle"
    parts.append(
        f'<text x="{_num(label_x)}" y="{_num(label_y)}" font-family="{FONT}" font-size="12" '
        f'font-weight="bold" fill="{LINE}" text-anchor="{anchor}">{round(last)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
