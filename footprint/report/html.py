"""The report as HTML: a self-contained web page, or the subset Qt lays out for the PDF.

``flavour="web"`` is a complete HTML5 document with inline CSS and an inline SVG chart: no
scripts, fonts, style sheets or images are fetched from anywhere (links to the person's own
posts stay ordinary links).  ``flavour="qt"`` carries the same content in what
``QTextDocument`` renders (tables for layout, simple CSS, no SVG); its chart is the image
resource :data:`CHART_RESOURCE`, which :mod:`footprint.gui.pdf` provides.

Everything that comes from the person's data is escaped here, once, at the point it is
written out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

from footprint import __version__
from footprint.report.chart import history_svg
from footprint.report.model import (
    SEVERITY_LABELS,
    SEVERITY_ORDER,
    Entry,
    Evidence,
    Report,
    Section,
    Table,
)

Flavour = Literal["web", "qt"]
CHART_RESOURCE = "footprint-chart.png"
CHART_WIDTH, CHART_HEIGHT = 640, 220
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LONG_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# (chip background, chip text, stripe) per severity: calm, and readable in black and white
# because every chip also says its severity in words.
COLOURS = {
    "critical": ("#7a271a", "#ffffff", "#7a271a"),
    "high": ("#fee4e2", "#9f1d14", "#d92d20"),
    "medium": ("#fdeccb", "#8a3a0a", "#e8890c"),
    "low": ("#e3eafc", "#2b4a8b", "#6b86d6"),
    "info": ("#eaecf0", "#3b4452", "#a0a8b5"),
}
TRAIT_COLOURS = ("#ede7f6", "#4a3a78", "#9b87c9")
BAND_COLOURS = {
    "excellent": "#0b7a4b",
    "good": "#3d7a22",
    "fair": "#a65d05",
    "needs attention": "#b42318",
}
MARK = "#ffe27a"
HEADING_SPACE = 22.0  # room above a section heading in the PDF
INK, MUTED, RULE, PANEL = "#1f2933", "#5b6675", "#e3e7ec", "#f7f8fa"

HOW_TO_READ = (
    (
        "What this is",
        "What someone screening you for a job (a recruiter, or a screening service an employer "
        "hires) could find about you online, as footprint found it. The most serious things "
        "come first in each part.",
    ),
    (
        "Severity",
        "Critical and High: what a screener would most likely report; deal with these first. "
        "Medium: could be noticed and held against you. Low: small things worth tidying. "
        "For information: shown for your judgement only; they do not lower your score.",
    ),
    (
        "Protected traits",
        "Things like age, religion, health or family are never wrong to share. Screening "
        "services must ignore them; they are listed only because an informal reviewer who "
        "searches your name could be biased by them. Whether to keep them public is up to you.",
    ),
    (
        "The score",
        "A guide from 0 to 100 (higher is better), computed on this computer from what is "
        "still open: severe, public and recent things weigh most. It is not what any employer "
        "or screening service calculates.",
    ),
    (
        "Fixed and verified",
        "Fixed means you (or footprint for you) dealt with it. Verified means a later check "
        "confirmed it: the post is gone, the profile no longer shows up, or the setting now "
        "reads the safer value.",
    ),
    (
        "Private by design",
        "footprint made this report on this computer from your own data; nothing was sent "
        "anywhere to make it.",
    ),
)
REDACTED_NOTE = (
    "This copy hides the evidence itself (the words of your posts, profile values and "
    "addresses) so that you can share it, for example with a career coach. Categories, "
    "platforms, dates and counts are still shown."
)
PRIVATE_NOTE = (
    "This report holds personal information. Keep it somewhere private; to share it, make a "
    "copy with the evidence hidden."
)

QT_RULE = '<hr style="background-color:#d5dae1;"/>'  # Qt draws <hr> in its background colour
_SCHEME_RE = re.compile(r"^https?://(www\.)?", re.IGNORECASE)


def e(value: object) -> str:
    """Escape text for HTML content and attribute values alike."""
    return escape(str(value), quote=True)


def human_date(iso: str | None, *, long: bool = False) -> str:
    """``2015-11-23...`` -> ``23 Nov 2015`` (or ``23 November 2015``); unknown -> ``""``."""
    if not iso or len(iso) < 10:
        return ""
    try:
        year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    except ValueError:
        return iso[:10]
    if not 1 <= month <= 12:
        return iso[:10]
    names = LONG_MONTHS if long else MONTHS
    return f"{day} {names[month - 1]} {year}"


def short_url(url: str, limit: int = 64) -> str:
    shown = _SCHEME_RE.sub("", url)
    return shown if len(shown) <= limit else shown[: limit - 1] + "\u2026"


def highlight(text: str, matches: Sequence[str], mark: Callable[[str], str]) -> tuple[str, bool]:
    """``text`` escaped, each of ``matches`` (case-insensitive) wrapped by ``mark``.

    Returns the markup and whether every match was found in the text.
    """
    spans: list[tuple[int, int]] = []
    found_all = True
    for match in matches:
        needle = match.strip()
        if not needle:
            continue
        hits = [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text, re.IGNORECASE)]
        if not hits:
            found_all = False
        spans.extend(hits)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out, last = [], 0
    for start, end in merged:
        out.append(e(text[last:start]))
        out.append(mark(e(text[start:end])))
        last = end
    out.append(e(text[last:]))
    return "".join(out), found_all


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


@dataclass(frozen=True)
class QtBlock:
    """A piece of the report that the PDF keeps whole on a page when it fits on one."""

    html: str
    keep_with_next: bool = False  # a heading: never left alone at the foot of a page
    chart: bool = False  # shows the chart image (the resource CHART_RESOURCE)
    space_before: float = 8.0  # room above it (in 1/96 inch), unless it starts a page


class _Writer:
    """The pieces both flavours share; the flavour decides the markup of each."""

    def __init__(self, report: Report, flavour: Flavour) -> None:
        self.report = report
        self.flavour = flavour
        self.qt = flavour == "qt"

    # ------------------------------------------------------------------ small parts

    def mark(self, inner: str) -> str:
        if self.qt:
            return f'<span style="background-color:{MARK};">{inner}</span>'
        return f"<mark>{inner}</mark>"

    def chip(self, entry: Entry) -> str:
        label = SEVERITY_LABELS.get(entry.severity, entry.severity)
        colours = COLOURS.get(entry.severity, COLOURS["info"])
        if entry.group == "protected_trait":
            label, colours = "May invite bias", TRAIT_COLOURS
        bg, fg, _ = colours
        if self.qt:
            return (
                f'<span style="background-color:{bg}; color:{fg}; font-weight:bold; '
                f'font-size:8pt;">&nbsp;{e(label)}&nbsp;</span>'
            )
        return f'<span class="chip" style="background:{bg};color:{fg}">{e(label)}</span>'

    def stripe(self, entry: Entry) -> str:
        if entry.group == "protected_trait":
            return TRAIT_COLOURS[2]
        return COLOURS.get(entry.severity, COLOURS["info"])[2]

    def link(self, url: str | None, label: str) -> str:
        if not url:
            return ""
        if self.qt:
            return (
                f'<span style="color:{MUTED};">{e(label)}: </span>'
                f'<a href="{e(url)}" style="color:#2f5d8a;">{e(short_url(url))}</a>'
            )
        return f'<a href="{e(url)}" rel="noopener noreferrer">{e(label)} \u2197</a>'

    def meta(self, entry: Entry) -> str:
        parts = []
        if entry.where:
            parts.append(f"<b>{e(entry.where)}</b>")
        if entry.date:
            parts.append(e(human_date(entry.date)))
        if entry.visibility:
            parts.append(e(entry.visibility))
        if (
            entry.group in ("content", "")
            and entry.category_name
            and entry.category_name != entry.title
        ):
            parts.append(e(entry.category_name))
        return " \u00b7 ".join(parts)

    def evidence(self, item: Evidence) -> str:
        if item.hidden:
            body = f'<i style="color:{MUTED};">{e(item.text)}</i>'
        else:
            body, found = highlight(item.text, item.matches, self.mark)
            if not found:
                flagged = ", ".join(self.mark(e(m)) for m in item.matches)
                body += f' <span style="color:{MUTED};">\u2014 flagged: </span>{flagged}'
        if self.qt:
            return (
                f'<table width="100%" cellspacing="0" cellpadding="6" bgcolor="#f1f3f6" '
                f'style="margin-top:4px; margin-bottom:4px;"><tr><td>{body}</td></tr></table>'
            )
        return f'<blockquote class="evidence">{body}</blockquote>'

    def facts(self, entry: Entry) -> str:
        if not entry.facts:
            return ""
        rows = []
        for fact in entry.facts:
            value = e(fact.value)
            if fact.link:
                value = f'<a href="{e(fact.link)}" rel="noopener noreferrer">{value}</a>'
            if self.qt:
                rows.append(
                    f'<tr><td style="color:{MUTED}; padding-right:10px;" valign="top">'
                    f"{e(fact.label)}</td><td>{value}</td></tr>"
                )
            else:
                rows.append(f"<dt>{e(fact.label)}</dt><dd>{value}</dd>")
        if self.qt:
            return (
                '<table cellspacing="0" cellpadding="1" style="margin-top:3px; '
                f'margin-bottom:3px;">{"".join(rows)}</table>'
            )
        return f'<dl class="facts">{"".join(rows)}</dl>'

    # ------------------------------------------------------------------ entries

    def entry(self, entry: Entry) -> str:
        why_label = "Why it is here" if entry.group == "protected_trait" else "Why it matters"
        if entry.gentle:
            why_label = "A word first"
        body = [self.evidence(item) for item in entry.evidence]
        facts = self.facts(entry)
        why = (
            f'<p class="why" style="margin-top:4px; margin-bottom:2px;">'
            f"<b>{why_label}:</b> {e(entry.why)}</p>"
            if entry.why
            else ""
        )
        vendor = (
            f'<p class="vendor" style="color:{MUTED}; font-size:8pt; margin-top:2px; '
            f'margin-bottom:0;">Screening services call this: {e(entry.vendor)}</p>'
            if entry.vendor
            else ""
        )
        link = self.link(entry.link, entry.link_label)
        link_html = (
            f'<p class="link" style="margin-top:3px; margin-bottom:0; font-size:9pt;">{link}</p>'
            if link
            else ""
        )
        meta = self.meta(entry)
        if self.qt:
            meta_html = (
                f'<p style="color:{MUTED}; font-size:9pt; margin-top:2px; margin-bottom:4px;">'
                f"{meta}</p>"
                if meta
                else ""
            )
            return (
                '<table width="100%" cellspacing="0" cellpadding="0" '
                'style="margin-top:8px; margin-bottom:2px;"><tr>'
                f'<td width="4" bgcolor="{self.stripe(entry)}"></td>'
                f'<td bgcolor="{PANEL}" style="padding:7px 10px 7px 10px;">'
                f'<p style="margin:0;">{self.chip(entry)}&nbsp;&nbsp;'
                f'<span style="font-size:11pt; font-weight:bold;">{e(entry.title)}</span></p>'
                f"{meta_html}{''.join(body)}{facts}{why}{vendor}{link_html}"
                "</td></tr></table>"
            )
        meta_html = f'<p class="meta">{meta}</p>' if meta else ""
        return (
            f'<article class="entry" style="border-left-color:{self.stripe(entry)}">'
            f'<h3>{self.chip(entry)} <span class="title">{e(entry.title)}</span></h3>'
            f"{meta_html}{''.join(body)}{facts}{why}{vendor}{link_html}</article>"
        )

    # ------------------------------------------------------------------ tables

    def table(self, table: Table, *, first_bold: bool = False) -> str:
        if not table.rows:
            return ""
        caption = ""
        if table.caption:
            caption = (
                f'<p style="font-weight:bold; margin-top:10px; margin-bottom:4px;">'
                f"{e(table.caption)}</p>"
                if self.qt
                else f'<h3 class="table-caption">{e(table.caption)}</h3>'
            )
        if self.qt:
            head = "".join(
                f'<th align="left" bgcolor="#eef1f5" style="padding:4px;">{e(h)}</th>'
                for h in table.headers
            )
            rows = []
            for row in table.rows:
                cells = "".join(
                    f'<td style="padding:4px;">{"<b>" if first_bold and i == 0 else ""}{e(c)}'
                    f"{'</b>' if first_bold and i == 0 else ''}</td>"
                    for i, c in enumerate(row)
                )
                rows.append(f"<tr>{cells}</tr>")
            return (
                f'{caption}<table width="100%" cellspacing="0" cellpadding="3" '
                f'border="1" style="border-color:{RULE}; border-style:solid; '
                f'border-collapse:collapse; margin-bottom:12px;"><thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>"
            )
        head = "".join(f'<th scope="col">{e(h)}</th>' for h in table.headers)
        rows = []
        for row in table.rows:
            cells = "".join(
                f'<th scope="row">{e(c)}</th>' if first_bold and i == 0 else f"<td>{e(c)}</td>"
                for i, c in enumerate(row)
            )
            rows.append(f"<tr>{cells}</tr>")
        return (
            f"{caption}<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def fixed(self, section: Section) -> str:
        if not section.entries:
            return ""
        rows = []
        for entry in section.entries:
            state = "Verified \u2713" if entry.state == "verified" else "Done"
            where = f" \u00b7 {e(entry.where)}" if entry.where else ""
            what = f'{e(entry.title)}<span style="color:{MUTED};">{where}</span>'
            when = e(human_date(entry.fixed_at))
            if self.qt:
                rows.append(
                    f'<tr><td style="padding:4px;">{self.chip(entry)}</td>'
                    f'<td style="padding:4px;">{what}</td>'
                    f'<td style="padding:4px;">{state}</td>'
                    f'<td style="padding:4px;">{when}</td></tr>'
                )
            else:
                rows.append(
                    f"<tr><td>{self.chip(entry)}</td><td>{what}</td>"
                    f'<td class="state-{e(entry.state)}">{state}</td><td>{when}</td></tr>'
                )
        headers = ("Severity", "What", "State", "When")
        if self.qt:
            head = "".join(
                f'<th align="left" bgcolor="#eef1f5" style="padding:4px;">{h}</th>' for h in headers
            )
            return (
                '<table width="100%" cellspacing="0" cellpadding="3" border="1" '
                f'style="border-color:{RULE}; border-style:solid; border-collapse:collapse; '
                'margin-bottom:12px;">'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            )
        head = "".join(f'<th scope="col">{h}</th>' for h in headers)
        return (
            f'<table class="fixed"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    # ------------------------------------------------------------------ sections

    def section_blocks(self, section: Section) -> list[QtBlock]:
        """The section as blocks: its heading (kept with what follows), then each part."""
        count = ""
        if section.key not in ("todo",) and section.total:
            count = f" ({section.total})"
        if self.qt:
            head = (
                f'<h2 style="font-size:15pt; color:{INK}; margin-top:22px; margin-bottom:2px;">'
                f'<a name="{e(section.key)}"></a>{e(section.title)}'
                f'<span style="color:{MUTED}; font-weight:normal;">{e(count)}</span></h2>'
                f"{QT_RULE}"
                f'<p style="color:{MUTED}; margin-top:2px; margin-bottom:6px;">'
                f"{e(section.intro)}</p>"
            )
        else:
            head = (
                f'<h2 id="{e(section.key)}">{e(section.title)}'
                f'<span class="count">{e(count)}</span></h2>'
                f'<p class="intro">{e(section.intro)}</p>'
            )
        blocks = [QtBlock(head, keep_with_next=True, space_before=HEADING_SPACE)]
        if section.is_empty:
            blocks.append(QtBlock(self.note(section.empty, tick=True)))
        if section.key == "fixed":
            if section.entries:
                blocks.append(QtBlock(self.fixed(section)))
        else:
            blocks.extend(QtBlock(self.entry(entry)) for entry in section.entries)
        for table in section.tables:
            blocks.append(QtBlock(self.table(table, first_bold=section.key == "todo")))
        for note in section.notes:
            blocks.append(QtBlock(self.note(note)))
        return blocks

    def section(self, section: Section) -> str:
        inner = "".join(block.html for block in self.section_blocks(section))
        if self.qt:
            return inner
        return f'<section class="part" id="part-{e(section.key)}">{inner}</section>'

    def note(self, text: str, *, tick: bool = False) -> str:
        prefix = "\u2713 " if tick else ""
        if self.qt:
            return (
                f'<p style="color:{MUTED}; margin-top:6px; margin-bottom:4px;">'
                f"{prefix}{e(text)}</p>"
            )
        return f'<p class="note{" ok" if tick else ""}">{prefix}{e(text)}</p>'

    # ------------------------------------------------------------------ top of the report

    def summary(self) -> str:
        report = self.report
        score = report.score
        colour = BAND_COLOURS.get(score.band, MUTED)
        value = "\u2013" if score.value is None else str(score.value)
        lines = "".join(
            f'<p style="margin-top:0; margin-bottom:5px;">{e(line)}</p>'
            for line in score.explanation
        )
        counts = report.counts
        chips = []
        for severity in SEVERITY_ORDER:
            n = counts.remaining.get(severity, 0)
            if not n:
                continue
            bg, fg, _ = COLOURS[severity]
            label = SEVERITY_LABELS[severity].lower()
            if self.qt:
                chips.append(
                    f'<span style="background-color:{bg}; color:{fg}; font-weight:bold;">'
                    f"&nbsp;{n} {e(label)}&nbsp;</span>"
                )
            else:
                chips.append(
                    f'<span class="chip" style="background:{bg};color:{fg}">{n} {e(label)}</span>'
                )
        status = [f"{_plural(counts.remaining_total, 'thing')} still open"]
        if counts.fixed:
            status.append(f"{counts.fixed} fixed ({counts.verified} verified)")
        if counts.dismissed:
            status.append(f"{counts.dismissed} dismissed by you")
        status_html = e(" \u00b7 ".join(status))
        chip_html = ("&nbsp; ".join(chips) if self.qt else " ".join(chips)) or ""
        band = e(score.band)
        if self.qt:
            return (
                f'<table width="100%" cellspacing="0" cellpadding="12" bgcolor="{PANEL}" '
                'style="margin-top:10px;"><tr>'
                '<td width="130" align="center" valign="middle">'
                f'<p style="margin:0; font-size:30pt; font-weight:bold; color:{colour};">'
                f"{value}</p>"
                f'<p style="margin:0; color:{MUTED};">out of 100</p>'
                f'<p style="margin-top:4px; font-weight:bold; color:{colour};">{band}</p></td>'
                f'<td valign="middle">{lines}'
                f'<p style="margin-top:6px; margin-bottom:4px;">{chip_html}</p>'
                f'<p style="margin:0; color:{MUTED};">{status_html}</p></td></tr></table>'
            )
        return (
            '<section class="summary" aria-label="Score">'
            f'<div class="score" style="color:{colour}"><span class="value">{value}</span>'
            f'<span class="outof">out of 100</span><span class="band">{band}</span></div>'
            f'<div class="explain">{lines}<p class="chips">{chip_html}</p>'
            f'<p class="status">{status_html}</p></div></section>'
        )

    def chart_blocks(self) -> list[QtBlock]:
        history = self.report.history
        title = "Your score over time"
        if self.qt:
            head = (
                f'<h2 style="font-size:15pt; color:{INK}; margin-top:22px; margin-bottom:2px;">'
                f"{title}</h2>{QT_RULE}"
            )
            if not history:
                body = self.note("No score history yet: every scan adds a point.")
                return [
                    QtBlock(head, keep_with_next=True, space_before=HEADING_SPACE),
                    QtBlock(body),
                ]
            image = (
                f'<p style="margin-top:6px;" align="center">'
                f'<img src="{CHART_RESOURCE}" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
                f'alt="{e("Score history chart")}"/></p>'
            )
            return [
                QtBlock(head, keep_with_next=True, space_before=HEADING_SPACE),
                QtBlock(image, chart=True),
            ]
        body = history_svg(history, width=CHART_WIDTH, height=CHART_HEIGHT) if history else ""
        note = "" if history else self.note("No score history yet: every scan adds a point.")
        return [
            QtBlock(
                f'<section class="part chart" id="part-history"><h2 id="history">{title}</h2>'
                f'<div class="chart-box">{body}</div>{note}</section>'
            )
        ]

    def how_to_read(self) -> str:
        items = list(HOW_TO_READ)
        if self.report.redacted:
            items.insert(0, ("Evidence hidden", REDACTED_NOTE))
        if self.qt:
            rows = "".join(
                f'<tr><td width="130" valign="top" style="padding:3px 8px 3px 0;">'
                f"<b>{e(label)}</b></td>"
                f'<td valign="top" style="padding:3px 0 3px 0;">{e(text)}</td></tr>'
                for label, text in items
            )
            return (
                f'<h2 style="font-size:15pt; color:{INK}; margin-top:22px; margin-bottom:2px;">'
                f"How to read this</h2>{QT_RULE}"
                f'<table width="100%" cellspacing="0" cellpadding="0">{rows}</table>'
            )
        rows = "".join(f"<dt>{e(label)}</dt><dd>{e(text)}</dd>" for label, text in items)
        return (
            '<section class="part howto" id="part-howto"><h2 id="how-to-read">How to read this'
            f'</h2><dl class="howto">{rows}</dl></section>'
        )

    def header(self) -> str:
        report = self.report
        made = human_date(report.generated_at, long=True)
        who = "" if report.person == "you" else f"For {report.person} \u00b7 "
        sub = f"{who}made on {made} on this computer"
        badge = ""
        if report.redacted:
            badge = (
                f'&nbsp;&nbsp;<span style="background-color:#eaecf0; color:{INK}; '
                'font-weight:bold;">&nbsp;Evidence hidden for sharing&nbsp;</span>'
                if self.qt
                else '<span class="badge">Evidence hidden for sharing</span>'
            )
        if self.qt:
            return (
                f'<p style="color:{MUTED}; font-size:8pt; margin:0;">FOOTPRINT REPORT</p>'
                f'<h1 style="font-size:22pt; color:{INK}; margin-top:2px; margin-bottom:2px;">'
                f"{e(report.title)}</h1>"
                f'<p style="color:{MUTED}; margin-top:0;">{e(sub)}{badge}</p>'
            )
        return (
            '<header class="top"><p class="kicker">footprint report</p>'
            f'<h1>{e(report.title)}</h1><p class="sub">{e(sub)} {badge}</p></header>'
        )

    def contents(self) -> str:
        items = []
        for section in self.report.sections:
            if section.key == "other" and section.is_empty:
                continue
            count = f" ({section.total})" if section.total and section.key != "todo" else ""
            items.append(f'<li><a href="#{e(section.key)}">{e(section.title)}</a>{e(count)}</li>')
        return f'<nav class="contents" aria-label="Contents"><ol>{"".join(items)}</ol></nav>'

    def nothing_yet(self) -> str:
        text = (
            "Nothing found yet. footprint has no accounts, posts or sweeps to look at, so "
            "there is nothing an employer would see here yet. Connect an account, import a "
            "data export or search for your usernames, then make this report again."
        )
        if self.qt:
            return (
                f'<table width="100%" cellpadding="12" bgcolor="{PANEL}" style="margin-top:14px;">'
                f"<tr><td><b>Nothing found yet</b><br/>{e(text)}</td></tr></table>"
            )
        return f'<section class="part empty"><h2>Nothing found yet</h2><p>{e(text)}</p></section>'

    def footer(self) -> str:
        report = self.report
        text = REDACTED_NOTE if report.redacted else PRIVATE_NOTE
        line = f"Made by footprint {__version__}. {text}"
        if self.qt:
            return f'{QT_RULE}<p style="color:{MUTED}; font-size:8pt;">{e(line)}</p>'
        return f'<footer class="end"><p>{e(line)}</p></footer>'

    # ------------------------------------------------------------------ the document

    def blocks(self) -> list[QtBlock]:
        """The whole report as a sequence of blocks, in reading order."""
        out = [QtBlock(self.header(), space_before=0), QtBlock(self.summary(), space_before=12)]
        how_to_read = QtBlock(self.how_to_read(), space_before=HEADING_SPACE)
        if self.report.nothing_checked:
            out += [QtBlock(self.nothing_yet(), space_before=12), how_to_read]
        else:
            if not self.qt:
                out.append(QtBlock(self.contents()))
            out.append(how_to_read)
            out += self.chart_blocks()
            for section in self.report.sections:
                if section.key == "other" and section.is_empty:
                    continue
                if self.qt:
                    out += self.section_blocks(section)
                else:
                    out.append(QtBlock(self.section(section)))
        out.append(QtBlock(self.footer(), space_before=HEADING_SPACE))
        return out

    def body(self) -> str:
        return "".join(block.html for block in self.blocks())

    def document(self) -> str:
        title = f"footprint report \u2013 {self.report.title}"
        if self.qt:
            return qt_document(self.body(), title)
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="generator" content="footprint">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{e(title)}</title><style>{WEB_CSS}</style></head>"
            f"<body><main>{self.body()}</main></body></html>\n"
        )


QT_CSS = f"""
body {{ color: {INK}; }}
p {{ margin-top: 3px; margin-bottom: 3px; }}
a {{ color: #2f5d8a; text-decoration: none; }}
th {{ font-weight: bold; }}
"""

WEB_CSS = f"""
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; }}
html {{ background: #eef0f3; }}
body {{ margin: 0; color: {INK}; line-height: 1.5; font-size: 15px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
  Helvetica, Arial, sans-serif; }}
main {{ max-width: 54rem; margin: 1.5rem auto; padding: 2rem 2.25rem 2.5rem;
  background: #fff; border-radius: 12px; box-shadow: 0 1px 3px rgba(16,24,40,.08); }}
a {{ color: #2f5d8a; }}
.top .kicker {{ margin: 0; text-transform: uppercase; letter-spacing: .09em; font-size: .72rem;
  color: {MUTED}; font-weight: 600; }}
h1 {{ font-size: 1.95rem; line-height: 1.2; margin: .2rem 0 .25rem; }}
.top .sub {{ margin: 0; color: {MUTED}; }}
.badge {{ display: inline-block; margin-left: .4rem; padding: .05rem .55rem; border-radius: 999px;
  background: #eaecf0; color: {INK}; font-size: .8rem; font-weight: 600; }}
h2 {{ font-size: 1.3rem; margin: 2.3rem 0 .35rem; padding-bottom: .3rem;
  border-bottom: 2px solid {RULE}; }}
h2 .count {{ color: {MUTED}; font-weight: 400; }}
h3 {{ font-size: 1.02rem; margin: 0; line-height: 1.35; }}
h3.table-caption {{ margin: 1.2rem 0 .4rem; }}
.intro {{ color: {MUTED}; margin: .2rem 0 .8rem; }}
.summary {{ display: flex; gap: 1.6rem; align-items: center; margin: 1.4rem 0 .5rem;
  padding: 1.2rem 1.4rem; background: {PANEL}; border: 1px solid {RULE}; border-radius: 10px; }}
.summary .score {{ display: flex; flex-direction: column; align-items: center; min-width: 8rem; }}
.summary .value {{ font-size: 3.2rem; font-weight: 700; line-height: 1; }}
.summary .outof {{ color: {MUTED}; font-size: .85rem; }}
.summary .band {{ font-weight: 700; margin-top: .3rem; }}
.summary .explain p {{ margin: 0 0 .35rem; }}
.summary .status {{ color: {MUTED}; }}
.chip {{ display: inline-block; padding: .06rem .55rem; border-radius: 999px; font-size: .74rem;
  font-weight: 700; line-height: 1.5; vertical-align: .1em; white-space: nowrap; }}
.chips .chip {{ margin: 0 .25rem .25rem 0; font-size: .8rem; }}
.contents ol {{ columns: 2; margin: 1rem 0 0; padding-left: 1.3rem; color: {MUTED}; }}
.contents li {{ margin: .1rem 0; }}
dl.howto {{ display: grid; grid-template-columns: 11rem 1fr; gap: .45rem 1rem; margin: .6rem 0; }}
dl.howto dt {{ font-weight: 700; }}
dl.howto dd {{ margin: 0; }}
.chart-box svg {{ max-width: 100%; height: auto; display: block; margin: .6rem auto; }}
.entry {{ margin: .85rem 0; padding: .8rem 1rem .85rem; border: 1px solid {RULE};
  border-left: 5px solid #a0a8b5; border-radius: 8px; background: #fff; break-inside: avoid; }}
.entry .meta {{ margin: .2rem 0 .45rem; color: {MUTED}; font-size: .9rem; }}
.entry .meta b {{ color: {INK}; }}
blockquote.evidence {{ margin: .45rem 0; padding: .5rem .8rem; background: #f3f5f8;
  border-radius: 6px; font-size: .95rem; overflow-wrap: anywhere; }}
mark {{ background: {MARK}; color: inherit; padding: 0 .12em; border-radius: 3px; }}
dl.facts {{ display: grid; grid-template-columns: max-content 1fr; gap: .1rem .9rem;
  margin: .45rem 0; font-size: .93rem; }}
dl.facts dt {{ color: {MUTED}; }}
dl.facts dd {{ margin: 0; overflow-wrap: anywhere; }}
.why {{ font-size: .93rem; }}
.vendor {{ font-size: .82rem; }}
.link {{ font-size: .9rem; }}
.note {{ color: {MUTED}; }}
.note.ok {{ color: #2d6a3e; }}
table {{ width: 100%; border-collapse: collapse; font-size: .92rem; margin: .4rem 0; }}
th, td {{ text-align: left; padding: .4rem .55rem; border-bottom: 1px solid {RULE};
  vertical-align: top; }}
thead th {{ background: #f1f3f6; font-weight: 600; }}
tbody th {{ font-weight: 600; }}
td.state-verified {{ color: #0b7a4b; font-weight: 600; }}
.empty p {{ font-size: 1.05rem; }}
footer.end {{ margin-top: 2.5rem; padding-top: .8rem; border-top: 1px solid {RULE};
  color: {MUTED}; font-size: .85rem; }}
@page {{ size: A4; margin: 16mm 15mm; }}
@media print {{
  html {{ background: #fff; }}
  body {{ font-size: 10.5pt; }}
  main {{ margin: 0; padding: 0; max-width: none; box-shadow: none; border-radius: 0; }}
  .contents {{ display: none; }}
  h2 {{ break-after: avoid; }}
  .entry, tr, .summary {{ break-inside: avoid; }}
  a {{ color: inherit; }}
}}
@media (max-width: 40rem) {{
  main {{ padding: 1.2rem 1rem; margin: 0; border-radius: 0; }}
  .summary {{ flex-direction: column; align-items: flex-start; }}
  dl.howto {{ grid-template-columns: 1fr; }}
  .contents ol {{ columns: 1; }}
}}
"""


def qt_document(fragment: str, title: str = "footprint report") -> str:
    """A complete document for QTextDocument around a fragment of qt-flavour HTML."""
    return (
        '<html><head><meta charset="utf-8"/>'
        f"<title>{e(title)}</title><style>{QT_CSS}</style></head>"
        f"<body>{fragment}</body></html>"
    )


def qt_blocks(report: Report) -> list[QtBlock]:
    """The report in the "qt" flavour, block by block, for a PDF laid out page by page."""
    return _Writer(report, "qt").blocks()


def render_html(report: Report, *, flavour: Flavour = "web") -> str:
    """The report as an HTML document: ``"web"`` to save and open, ``"qt"`` for the PDF."""
    if flavour not in ("web", "qt"):
        raise ValueError(f"unknown flavour {flavour!r}")
    return _Writer(report, flavour).document()
