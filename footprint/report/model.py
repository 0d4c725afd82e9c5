"""What goes into the "what an employer sees" report, as a plain tree of dataclasses.

:func:`build_report` reads the store (a handful of queries, none per finding) and arranges
the findings the way a screener would read them: most serious first, grouped by what they
are about.  Renderers (:mod:`footprint.report.html`, :mod:`footprint.gui.pdf`) only lay
this tree out; every decision about what may appear in a report is taken here:

- Only fields that are known to be safe are copied out of a finding's details (a whitelist);
  raw JSON, ``items.raw``, ``accounts.secret_ref`` and the keyring are never read.
- Every text that comes from the person's data goes through the log redactor, so a token
  someone pasted in a post (or any secret footprint handled in this process) is masked.
- With ``redact=True`` the evidence itself (excerpts, matched words, post and profile
  addresses, profile values) is replaced by a neutral marker and emails are masked, so the
  report can be shared, for example with a career coach.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from footprint.checklist.rules import SEVERITIES, Category, RuleSet, load_ruleset
from footprint.checklist.score import compute_score, history
from footprint.logs import redact as scrub_secrets
from footprint.platforms import display_name

if TYPE_CHECKING:
    from footprint.store.database import Store

REMAINING_STATES = ("open", "in_progress", "snoozed")
FIXED_STATES = ("done", "verified")
SEVERITY_ORDER = tuple(reversed(SEVERITIES))  # critical first
SEVERITY_LABELS = {
    "critical": "Critical",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
    "info": "For information",
}
VISIBILITY_LABELS = {
    "public": "public",
    "unlisted": "public but unlisted",
    "followers": "followers only",
    "followers_only": "followers only",
    "friends": "friends only",
    "private": "private",
    "direct": "direct message",
    "unknown": "visibility unknown",
}
MASK_DOT = "\u2022\u2022\u2022"  # •••
EMAIL_RE = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_TAG_RE = re.compile(r"<[^>]*>")
_SEPARATOR = "\n\x00\n"

# Where a finding goes, by its category's group.  Fixed ones go to "fixed" whatever the group.
GROUP_SECTIONS = {
    "content": "flagged",
    "account": "profiles",
    "personal_data": "personal",
    "settings": "settings",
    "protected_trait": "traits",
    "security": "breaches",
}


@dataclass(frozen=True)
class SectionText:
    title: str
    intro: str
    empty: str


SECTIONS: dict[str, SectionText] = {
    "flagged": SectionText(
        "What a screener would flag",
        "Posts and comments with words or topics that screening services report. Each shows "
        "where and when it was posted, who can see it, and the words that were flagged.",
        "Nothing in your posts matched what screening services report.",
    ),
    "profiles": SectionText(
        "Profiles anyone can find",
        "Profiles under your name or usernames that a search turns up, and what ties them to you.",
        "No profile needs your attention.",
    ),
    "personal": SectionText(
        "Personal data on show",
        "Personal details in public places: they help strangers find, contact or impersonate you.",
        "No personal data was found in public places.",
    ),
    "settings": SectionText(
        "Privacy settings",
        "Settings that show more of you than they need to, with the safer value.",
        "No setting footprint knows about is loose.",
    ),
    "traits": SectionText(
        "Protected traits (may invite bias)",
        "Things like age, religion, health, pregnancy or family. Screening services must "
        "ignore them and they are never wrong; they are listed only because an informal "
        "reviewer who searches your name could be biased by them. Keeping them public is "
        "entirely your choice.",
        "Nothing here.",
    ),
    "breaches": SectionText(
        "Breaches",
        "Known data breaches that include an email address of yours. A screener does not "
        "look for these and they do not change your score, but whoever has the leaked data "
        "can try it on your accounts: change any password you used there.",
        "None of your email addresses was found in a known breach (or none was checked).",
    ),
    "other": SectionText(
        "Other findings",
        "Findings of kinds this report does not know in detail.",
        "Nothing here.",
    ),
    "fixed": SectionText(
        "Fixed so far",
        "What you have already dealt with. \u201cVerified\u201d means a later check "
        "confirmed it: the post is gone, the profile no longer shows up, or the setting "
        "now reads the safer value.",
        "Nothing has been marked fixed yet.",
    ),
    "todo": SectionText(
        "Still to do",
        "How many findings are still open, by area and severity.",
        "Nothing is left to do.",
    ),
}
SECTION_ORDER = (
    "flagged",
    "profiles",
    "personal",
    "settings",
    "traits",
    "breaches",
    "other",
    "fixed",
    "todo",
)


@dataclass(frozen=True)
class Evidence:
    """One excerpt of evidence: ``text`` with ``matches`` to highlight inside it.

    When hidden (a redacted report) ``text`` is the neutral marker and ``matches`` is empty.
    """

    text: str
    matches: tuple[str, ...] = ()
    hidden: bool = False


@dataclass(frozen=True)
class Fact:
    """A labelled line under a finding ("Safer value: unlisted"); ``link`` is optional."""

    label: str
    value: str
    link: str | None = None


@dataclass
class Entry:
    id: int
    severity: str
    state: str
    title: str
    category: str
    category_name: str
    vendor: str  # what screening services call it ("Narcotics (Ferretly)...")
    why: str
    where: str | None  # platform or site, as people write it
    date: str | None  # the post's date (ISO); None for profile-level findings
    visibility: str | None  # a label from VISIBILITY_LABELS, or None when unknown
    evidence: list[Evidence] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    link: str | None = None
    link_label: str = "Open"
    gentle: bool = False  # self-harm: wording that points to help
    fixed_at: str | None = None  # when it was marked done or verified (ISO)
    group: str = ""


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    caption: str = ""


@dataclass
class Section:
    key: str
    title: str
    intro: str
    empty: str
    entries: list[Entry] = field(default_factory=list)
    total: int = 0  # entries before any limit
    notes: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    @property
    def omitted(self) -> int:
        return self.total - len(self.entries)

    @property
    def is_empty(self) -> bool:
        return not self.entries and not any(t.rows for t in self.tables)


@dataclass(frozen=True)
class ScoreSummary:
    value: int | None  # None: nothing has been looked at yet
    band: str
    summary: str
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class Counts:
    remaining: dict[str, int]  # per severity, most serious first
    remaining_total: int
    snoozed: int
    fixed: int  # done or verified
    verified: int
    dismissed: int
    breaches: int  # remaining security findings (not part of the score)


@dataclass
class Report:
    generated_at: str  # ISO 8601 UTC
    person: str  # the first name in the profile, or "you"
    redacted: bool
    nothing_checked: bool  # no account, item or sweep yet: "nothing found yet"
    score: ScoreSummary
    history: list[tuple[str, int]]
    counts: Counts
    sections: list[Section]
    title: str = "What an employer sees"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


# ---------------------------------------------------------------------------- redaction


def mask_email(email: str) -> str:
    """``jordan.reyes@example.org`` -> ``j•••@example.org``."""
    return EMAIL_RE.sub(lambda m: f"{m.group(1)}{MASK_DOT}@{m.group(2)}", email)


def hidden_marker(text: str) -> str:
    n = len(text)
    return f"[evidence hidden, {n} character{'s' if n != 1 else ''}]"


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def mask_handle(handle: str) -> str:
    """``jojo_rey`` -> ``j•••``, ``@jreyes@fosstodon.example`` -> ``@j•••``."""
    at = "@" if handle.startswith("@") else ""
    rest = handle[len(at) :]
    return f"{at}{rest[:1]}{MASK_DOT}" if rest else handle


class _Cleaner:
    """Every string from the person's data passes through here on its way into a report.

    ``handles`` (the person's usernames and account handles) are masked in a redacted
    report wherever they appear, like emails.
    """

    def __init__(self, redact: bool, handles: Iterable[str] = ()) -> None:
        self.redact = redact
        names = sorted({h.strip() for h in handles if len(h.strip()) >= 3}, key=len, reverse=True)
        self._handles = (
            re.compile(
                r"(?<![\w@])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])",
                re.IGNORECASE,
            )
            if names and redact
            else None
        )
        self._scrubbed: dict[str, str] = {}

    def prepare(self, values: Iterable[str]) -> None:
        """Scrub many strings at once (one pass of the redactor over them all, joined)."""
        unique = list(dict.fromkeys(v for v in values if v and v not in self._scrubbed))
        if not unique:
            return
        # The separator survives every pattern of the log redactor: none of them matches
        # across a NUL between two line breaks (a test holds it to that).
        joined = scrub_secrets(_SEPARATOR.join(unique))
        parts = joined.split(_SEPARATOR)
        if len(parts) != len(unique):  # never expected; scrub one by one then
            parts = [scrub_secrets(v) for v in unique]
        self._scrubbed.update(zip(unique, parts, strict=True))

    def scrub(self, text: str) -> str:
        """``text`` with anything that looks like a secret masked."""
        if not text:
            return text
        done = self._scrubbed.get(text)
        if done is None:
            done = self._scrubbed[text] = scrub_secrets(text)
        return done

    def mask(self, text: str) -> str:
        if self._handles is not None:
            text = self._handles.sub(lambda m: mask_handle(m.group(1)), text)
        return mask_email(text)

    def label(self, value: str) -> str:
        """Text footprint wrote itself (a rule's words, a date): masked, never scrubbed."""
        return self.mask(value) if self.redact else value

    def text(self, value: Any) -> str:
        """A label or sentence that stays in a redacted report (emails, handles masked)."""
        if value is None:
            return ""
        out = self.scrub(_one_line(value))
        return self.mask(out) if self.redact else out

    def evidence(self, value: Any) -> str:
        """The person's own words or values: hidden entirely in a redacted report."""
        text = self.scrub(_one_line(value or ""))
        return hidden_marker(text) if self.redact else text

    def url(self, value: Any) -> str | None:
        """An address of the person's post or profile: left out of a redacted report."""
        if self.redact or not isinstance(value, str):
            return None
        url = value.strip()
        if not url.lower().startswith(("https://", "http://")) or any(c.isspace() for c in url):
            return None
        return self.scrub(url)

    def public_url(self, value: Any) -> str | None:
        """An address that is not about the person (a settings page, a breach's page)."""
        if not isinstance(value, str):
            return None
        url = value.strip()
        if not url.lower().startswith("https://") or any(c.isspace() for c in url):
            return None
        return self.scrub(url)


def plain_text(markup: str) -> str:
    """A breach description (HTML from the breach service) as plain text."""
    return _one_line(html.unescape(_TAG_RE.sub("", markup)))


# ---------------------------------------------------------------------------- reading


_FINDINGS_SQL = (
    "SELECT f.id, f.rule_id, f.category, f.severity, f.title, f.why, f.state, f.evidence, "
    "f.details, COALESCE(i.platform, a.platform), i.created_at, i.url, "
    "i.visibility, CASE WHEN a.connection = 'sweep' THEN a.display_name END, "
    "CASE WHEN f.state IN ('done', 'verified') THEN (SELECT MAX(e.at) FROM finding_events e "
    "  WHERE e.finding_id = f.id AND e.to_state = f.state) END, f.updated_at "
    "FROM findings f LEFT JOIN items i ON i.id = f.item_id "
    "LEFT JOIN accounts a ON a.id = f.account_id "
    "WHERE f.state != 'dismissed' "
    "ORDER BY CASE f.severity "
    + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SEVERITY_ORDER))
    + " ELSE 9 END, COALESCE(i.created_at, f.first_seen_at) DESC, f.id"
)


def _json(value: str | None, kind: type) -> Any:
    try:
        parsed = json.loads(value or "")
    except ValueError:
        return kind()
    return parsed if isinstance(parsed, kind) else kind()


def _evidence(spans: list[Any], clean: _Cleaner) -> list[Evidence]:
    """Spans grouped by excerpt, so two words flagged in one post show as one excerpt."""
    out: dict[str, list[str]] = {}
    for span in spans:
        if not isinstance(span, dict):
            continue
        match = _one_line(span.get("match") or "")
        excerpt = _one_line(span.get("excerpt") or "")
        if not (match or excerpt):
            continue
        key = excerpt or match
        matches = out.setdefault(key, [])
        if match and match not in matches and match != key:
            matches.append(match)
    if clean.redact:
        return [Evidence(clean.evidence(text), (), hidden=True) for text in out]
    result = []
    for text, matches in out.items():
        result.append(
            Evidence(clean.evidence(text), tuple(clean.scrub(m) for m in matches if m.strip()))
        )
    return result


Parsed = tuple[tuple[Any, ...], list[Any], dict[str, Any]]  # a row, its evidence, its details


def _data_strings(rows: list[Parsed]) -> Iterable[str]:
    """The strings of the findings' rows that come from data, as the report shows them."""
    for row, spans, details in rows:
        for value in (row[4], row[5], row[11], row[13]):  # title, why, post address, site
            if isinstance(value, str):
                yield _one_line(value)
        if isinstance(row[9], str):
            yield display_name(row[9])
        for span in spans:
            if isinstance(span, dict):
                for key in ("excerpt", "match"):
                    if span.get(key):
                        yield _one_line(span[key])
        for value in details.values():
            if isinstance(value, str):
                yield _one_line(value)


def _date(value: str | None) -> str | None:
    if not value or len(value) < 10:
        return None
    return value[:10]


def _details_entry(
    entry: Entry, rule: str, details: dict[str, Any], spans: list[Any], clean: _Cleaner
) -> None:
    """Facts from the whitelisted details of the kinds of finding footprint knows."""
    facts = entry.facts
    if entry.group == "settings":
        now = next((s.get("match") for s in spans if isinstance(s, dict)), None)
        if now is not None:
            # A setting's current value is one of the rule's own "loose" values, never free text.
            facts.append(Fact("Now", clean.text(now)))
        if details.get("safe"):
            facts.append(Fact("Safer", clean.text(details["safe"])))
        entry.evidence = []
        link = clean.public_url(details.get("deep_link"))
        if link:
            entry.link, entry.link_label = link, "Change it"
        return
    if entry.group == "security" or "breach" in details:
        if details.get("email"):
            facts.append(Fact("Email", clean.text(details["email"])))
        if details.get("breach_date"):
            facts.append(Fact("Breach date", clean.text(details["breach_date"])))
        count = details.get("pwn_count")
        if isinstance(count, int) and count > 0:
            facts.append(Fact("Accounts in it", f"{count:,}"))
        classes = details.get("data_classes")
        if isinstance(classes, list) and classes:
            facts.append(Fact("What leaked", clean.text(", ".join(str(c) for c in classes))))
        if isinstance(details.get("description"), str) and details["description"].strip():
            facts.append(Fact("About it", clean.text(plain_text(details["description"]))))
        link = clean.public_url(details.get("url"))
        if link:
            entry.link, entry.link_label = link, "About this breach"
        entry.evidence = []
        return
    if rule == "exposure.gravatar" or "profile_url" in details:
        if details.get("email"):
            facts.append(Fact("Email", clean.text(details["email"])))
        fields = details.get("fields")
        if isinstance(fields, list) and fields:
            facts.append(Fact("Shows", clean.text(", ".join(str(f) for f in fields))))
        entry.link = clean.url(details.get("profile_url"))
        entry.link_label = "See the profile"
        return
    if rule == "exposure.search-yourself" or "query" in details:
        if details.get("query"):
            facts.append(Fact("Search for", clean.text(details["query"])))
        links = details.get("links")
        if isinstance(links, list):
            label = "Search on"
            for link in links:
                if not isinstance(link, dict):
                    continue
                engine = clean.text(link.get("engine") or "a search engine")
                facts.append(Fact(label, engine, clean.url(link.get("url"))))
                label = ""
        entry.evidence = []
        entry.link = None
        return
    if "site" in details and "username" in details:
        # A profile a sweep found: its address is the evidence.
        entry.where = clean.text(details["site"])
        url = details.get("url")
        entry.evidence = []
        if clean.redact:
            facts.append(Fact("Profile", hidden_marker(str(url or details["username"]))))
        else:
            address = clean.url(url)
            facts.append(Fact("Profile", clean.text(url or details["username"]), address))
        entry.link = None
        return
    if isinstance(details.get("sites"), list):
        facts.append(Fact("Sites", clean.text(", ".join(str(s) for s in details["sites"]))))
        entry.evidence = []
        return
    if details.get("last_post"):
        facts.append(Fact("Last post", clean.label(str(details["last_post"])[:10])))
        entry.evidence = []


def _entry(parsed: Parsed, categories: dict[str, Category], clean: _Cleaner) -> tuple[str, Entry]:
    row, spans, details = parsed
    (
        fid,
        rule,
        category_id,
        severity,
        title,
        why,
        state,
        _evidence_json,
        _details_json,
        platform,
        item_created,
        url,
        visibility,
        site,
        fixed_at,
        updated_at,
    ) = row
    category = categories.get(category_id)
    group = category.group if category else ""
    where = site or (display_name(platform) if platform else None)
    entry = Entry(
        id=fid,
        severity=severity if severity in SEVERITY_LABELS else "info",
        state=state,
        title=clean.text(title) if title else clean.label(category.name if category else rule),
        category=category_id,
        category_name=category.name if category else clean.text(category_id),
        vendor=category.vendor if category else "",
        why=clean.text(why or (category.why if category else "")),
        where=clean.text(where) if where else None,
        date=_date(item_created),
        visibility=(
            VISIBILITY_LABELS[visibility]
            if visibility in VISIBILITY_LABELS
            else clean.text(visibility).replace("_", " ") or None
        ),
        evidence=_evidence(spans, clean),
        link=clean.url(url),
        link_label="Open the post" if url else "Open",
        gentle=bool(category and category.gentle),
        group=group,
    )
    if state in FIXED_STATES:
        entry.fixed_at = fixed_at or updated_at
    if entry.link is None and not clean.redact and url is None:
        entry.link = clean.public_url(details.get("deep_link"))
        entry.link_label = "Open" if entry.link else entry.link_label
    _details_entry(entry, rule, details, spans, clean)
    if state in FIXED_STATES:
        section = "fixed"
    elif state in REMAINING_STATES:
        section = GROUP_SECTIONS.get(group, "other")
    else:
        section = "other"
    return section, entry


# ---------------------------------------------------------------------------- sections


def _accounts_table(store: Store, clean: _Cleaner) -> Table:
    rows: list[tuple[str, ...]] = []
    how = {"api": "connected", "import": "from a data export", "sweep": "found by a sweep"}
    for platform, handle, connection, display, last_sync in store.conn.execute(
        "SELECT platform, handle, connection, display_name, last_sync_at FROM accounts "
        "WHERE status != 'deleted' ORDER BY connection = 'sweep', platform, handle"
    ):
        name = display if connection == "sweep" and display else display_name(platform)
        shown = mask_handle(handle) if clean.redact else clean.text(handle)
        rows.append(
            (
                clean.text(name),
                shown,
                how.get(connection, clean.text(connection)),
                (last_sync or "")[:10],
            )
        )
    headers: tuple[str, ...] = ("Where", "Account", "How footprint knows it", "Last read")
    if not any(row[-1] for row in rows):
        headers, rows = headers[:-1], [row[:-1] for row in rows]
    return Table(headers, rows, "Your accounts footprint knows about")


def _settings_note(store: Store, rules: RuleSet) -> str | None:
    from footprint.checklist.privacy import privacy_overview

    overview = privacy_overview(store, rules)
    statuses = [s for group in overview.values() for s in group]
    if not statuses:
        return None
    loose = sum(1 for s in statuses if s.loose)
    safe = sum(1 for s in statuses if s.loose is False)
    unknown = sum(1 for s in statuses if s.loose is None)
    parts = [f"{loose or 'none'} loose", f"{safe or 'none'} as they should be"]
    if unknown:
        parts.append(f"{unknown} not known yet (read them from the platform or confirm them)")
    return (
        f"Of {len(statuses)} setting{'s' if len(statuses) != 1 else ''} footprint knows on "
        f"your platforms: " + ", ".join(parts) + "."
    )


def _other_cleanup(store: Store, clean: _Cleaner) -> Table:
    """Clean-up done outside findings: people-search opt-outs and tasks done by hand."""
    rows: list[tuple[str, ...]] = []
    for platform, action, target, state, done_at, verified_at in store.conn.execute(
        "SELECT platform, action, target, state, done_at, verified_at FROM cleanup_actions "
        "WHERE finding_id IS NULL AND state IN ('done', 'verified') "
        "AND action IN ('broker', 'manual') ORDER BY COALESCE(verified_at, done_at) DESC"
    ):
        if action == "broker":
            what = f"Opted out of {clean.text(target)}"
        else:
            task = str(target).split(".", 1)[-1].replace("-", " ")
            what = f"{display_name(platform)}: {clean.text(task)}"
        when = (verified_at if state == "verified" else done_at) or ""
        rows.append((what, "verified" if state == "verified" else "done", when[:10]))
    return Table(("What", "State", "When"), rows, "Other clean-up you have done")


def _todo_table(sections: dict[str, Section]) -> Table:
    rows: list[tuple[str, ...]] = []
    for key in ("flagged", "profiles", "personal", "settings", "traits", "breaches", "other"):
        section = sections[key]
        if not section.total:
            continue
        per = dict.fromkeys(SEVERITY_ORDER, 0)
        for entry in section.entries:
            per[entry.severity] = per.get(entry.severity, 0) + 1
        per_sev = [str(per[s]) if per[s] else "\u2013" for s in SEVERITY_ORDER]
        rows.append((section.title, *per_sev, str(section.total)))
    return Table(("Area", *(SEVERITY_LABELS[s] for s in SEVERITY_ORDER), "Total"), rows)


def _handles(store: Store) -> list[str]:
    """The person's usernames and handles (masked in a redacted report)."""
    out = [
        str(row[0])
        for row in store.conn.execute(
            "SELECT handle FROM accounts UNION SELECT value FROM person_identifiers "
            "WHERE kind = 'username' UNION SELECT username FROM site_claims"
        )
        if row[0]
    ]
    # "@me@example.social" also appears as "me" and "@me".
    out += [h.lstrip("@").split("@")[0] for h in out if "@" in h]
    return out


def _person(store: Store) -> str:
    row = store.conn.execute(
        "SELECT value FROM person_identifiers WHERE kind = 'name' ORDER BY id LIMIT 1"
    ).fetchone()
    return " ".join(str(row[0]).split()) if row and str(row[0]).strip() else "you"


def build_report(
    store: Store,
    *,
    redact: bool = False,
    now: datetime | None = None,
    rules: RuleSet | None = None,
    limit: int | None = None,
) -> Report:
    """Everything the report shows, read from ``store`` in a few queries.

    ``redact`` hides the evidence itself (for sharing); ``limit`` caps the entries listed
    per section (the rest are counted, never silently dropped); ``rules`` defaults to the
    bundled checklist.
    """
    now = now or datetime.now(UTC)
    rules = rules or load_ruleset()
    clean = _Cleaner(redact, _handles(store) if redact else ())
    sections = {
        key: Section(key, text.title, text.intro, text.empty) for key, text in SECTIONS.items()
    }
    rows: list[Parsed] = [
        (row, _json(row[7], list), _json(row[8], dict)) for row in store.conn.execute(_FINDINGS_SQL)
    ]
    clean.prepare(_data_strings(rows))
    for row in rows:
        key, entry = _entry(row, rules.categories, clean)
        sections[key].entries.append(entry)
    fixed = sections["fixed"]
    fixed.entries.sort(key=lambda e: e.fixed_at or "", reverse=True)
    fixed.entries.sort(key=lambda e: SEVERITY_ORDER.index(e.severity))
    for section in sections.values():
        section.total = len(section.entries)
    sections["todo"].tables.append(_todo_table(sections))  # counts every entry
    if limit is not None:
        for section in sections.values():
            del section.entries[limit:]

    state_counts = dict(
        store.conn.execute("SELECT state, COUNT(*) FROM findings GROUP BY state").fetchall()
    )
    severity_rows = store.conn.execute(
        "SELECT severity, COUNT(*) FROM findings WHERE state IN (?, ?, ?) GROUP BY severity",
        REMAINING_STATES,
    ).fetchall()
    remaining = dict.fromkeys(SEVERITY_ORDER, 0) | {s: int(n) for s, n in severity_rows}
    counts = Counts(
        remaining=remaining,
        remaining_total=sum(remaining.values()),
        snoozed=int(state_counts.get("snoozed", 0)),
        fixed=int(state_counts.get("done", 0)) + int(state_counts.get("verified", 0)),
        verified=int(state_counts.get("verified", 0)),
        dismissed=int(state_counts.get("dismissed", 0)),
        breaches=sections["breaches"].total,
    )

    profiles = sections["profiles"]
    accounts = _accounts_table(store, clean)
    if accounts.rows:
        profiles.tables.append(accounts)
    note = _settings_note(store, rules)
    if note:
        sections["settings"].notes.append(note)
    other = _other_cleanup(store, clean)
    if other.rows:
        fixed.tables.append(other)
    todo = sections["todo"]
    if counts.snoozed:
        todo.notes.append(
            f"{counts.snoozed} of them {'is' if counts.snoozed == 1 else 'are'} snoozed: put "
            "aside until a date you chose, and still counted."
        )
    if counts.dismissed:
        todo.notes.append(
            f"You marked {counts.dismissed} finding{'s' if counts.dismissed != 1 else ''} as "
            "not a problem (dismissed, with your reason); they are left out of this report "
            "and of the score."
        )
    for section in sections.values():
        if section.omitted:
            section.notes.append(
                f"{section.omitted} more, less serious or older, are not listed here; "
                "footprint's findings list shows them all."
            )

    nothing_checked = not any(
        store.conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
        for table in ("items", "accounts", "sweeps", "findings")
    )
    if nothing_checked:
        score = ScoreSummary(
            None,
            "not yet",
            "nothing has been checked yet",
            (
                "Nothing found yet: footprint has no accounts, posts or sweeps to look at. "
                "Connect an account, import a data export or search for your usernames, "
                "then make this report again.",
            ),
        )
    else:
        computed = compute_score(store, rules, now)
        score = ScoreSummary(
            computed.value, computed.band, computed.summary, tuple(computed.explanation)
        )
    return Report(
        generated_at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        person=_person(store),
        redacted=redact,
        nothing_checked=nothing_checked,
        score=score,
        history=history(store),
        counts=counts,
        sections=[sections[key] for key in SECTION_ORDER],
    )


def all_text(report: Report) -> Iterable[str]:
    """Every string of the report (for tests and checks that nothing unwanted is in it)."""
    yield report.person
    yield from report.score.explanation
    for section in report.sections:
        yield from section.notes
        for table in section.tables:
            for row in table.rows:
                yield from row
        for entry in section.entries:
            yield from (entry.title, entry.why, entry.where or "", entry.link or "")
            for evidence in entry.evidence:
                yield evidence.text
                yield from evidence.matches
            for fact in entry.facts:
                yield from (fact.value, fact.link or "")
