"""Reading findings and recording the person's decisions about them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from footprint.checklist.rules import SEVERITIES
from footprint.errors import InputError
from footprint.platforms import display_name
from footprint.store.database import utcnow

if TYPE_CHECKING:
    from footprint.store.database import Store

STATES = ("open", "in_progress", "done", "verified", "dismissed", "snoozed")


@dataclass
class Finding:
    id: int
    rule: str
    category: str
    severity: str
    title: str | None
    why: str | None
    state: str
    state_reason: str | None
    evidence: list[dict[str, Any]]
    details: dict[str, Any]
    created_at: str
    platform: str | None
    item_key: str | None
    item_created_at: str | None
    url: str | None
    visibility: str | None
    subject: str

    @property
    def link(self) -> str | None:
        """Where to see or fix it: the post, else the settings page or the profile."""
        return self.url or self.details.get("deep_link") or self.details.get("url")

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "title": self.title,
            "platform": self.platform,
            "item_key": self.item_key,
            "created_at": self.created_at,
            "item_created_at": self.item_created_at,
            "url": self.url,
            "visibility": self.visibility,
            "evidence": self.evidence,
            "why": self.why,
            "state": self.state,
            "state_reason": self.state_reason,
            "details": self.details,
        }


_SELECT = (
    "SELECT f.id, f.rule_id, f.category, f.severity, f.title, f.why, f.state, f.state_reason, "
    "f.evidence, f.details, f.first_seen_at, f.subject, i.platform, i.kind, i.platform_id, "
    "i.created_at, i.url, i.visibility, a.platform "
    "FROM findings f LEFT JOIN items i ON i.id = f.item_id "
    "LEFT JOIN accounts a ON a.id = f.account_id"
)


def _row(row: tuple[Any, ...]) -> Finding:
    (
        fid,
        rule,
        category,
        severity,
        title,
        why,
        state,
        reason,
        evidence,
        details,
        first_seen,
        subject,
        platform,
        kind,
        platform_id,
        item_created,
        url,
        visibility,
        account_platform,
    ) = row
    return Finding(
        id=fid,
        rule=rule,
        category=category,
        severity=severity,
        title=title,
        why=why,
        state=state,
        state_reason=reason,
        evidence=json.loads(evidence or "[]"),
        details=json.loads(details or "{}"),
        created_at=first_seen,
        platform=platform or account_platform,
        item_key=f"{platform}/{kind}/{platform_id}" if platform else None,
        item_created_at=item_created,
        url=url,
        visibility=visibility,
        subject=subject,
    )


def list_findings(
    store: Store,
    *,
    category: str | None = None,
    min_severity: str | None = None,
    states: tuple[str, ...] | None = ("open", "in_progress"),
    platform: str | None = None,
    limit: int | None = None,
) -> list[Finding]:
    where, params = [], []
    if category:
        where.append("f.category = ?")
        params.append(category)
    if min_severity:
        if min_severity not in SEVERITIES:
            raise InputError(
                f"Unknown severity {min_severity!r}.", hint=f"Use one of: {', '.join(SEVERITIES)}."
            )
        allowed = SEVERITIES[SEVERITIES.index(min_severity) :]
        where.append(f"f.severity IN ({','.join('?' * len(allowed))})")
        params.extend(allowed)
    if states:
        where.append(f"f.state IN ({','.join('?' * len(states))})")
        params.extend(states)
    if platform:
        where.append("COALESCE(i.platform, a.platform) = ?")
        params.append(platform)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    order = " ORDER BY CASE f.severity " + " ".join(
        f"WHEN '{s}' THEN {i}" for i, s in enumerate(reversed(SEVERITIES))
    )
    sql += order + " END, i.created_at DESC, f.id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [_row(r) for r in store.conn.execute(sql, params)]


def get_finding(store: Store, finding_id: int) -> Finding:
    row = store.conn.execute(_SELECT + " WHERE f.id = ?", (finding_id,)).fetchone()
    if row is None:
        raise InputError(
            f"There is no finding {finding_id}.", hint="`footprint findings` lists them."
        )
    return _row(row)


def set_state(
    store: Store,
    finding_id: int,
    state: str,
    *,
    reason: str | None = None,
    snoozed_until: str | None = None,
    actor: str = "user",
) -> Finding:
    """Record a decision: dismiss (needs a reason), reopen, snooze, mark in progress or done."""
    if state not in STATES:
        raise InputError(f"Unknown state {state!r}.", hint=f"Use one of: {', '.join(STATES)}.")
    if state == "dismissed" and not (reason and reason.strip()):
        raise InputError(
            "Dismissing a finding needs a reason.",
            hint='Say why, for example --reason "quoting a song".',
        )
    if state == "snoozed" and not snoozed_until:
        raise InputError("Snoozing a finding needs a date to come back.")
    with store.transaction() as db:
        finding = get_finding(store, finding_id)
        now = utcnow()
        db.conn.execute(
            "UPDATE findings SET state = ?, state_reason = ?, snoozed_until = ?, updated_at = ? "
            "WHERE id = ?",
            (state, reason.strip() if reason else None, snoozed_until, now, finding_id),
        )
        db.conn.execute(
            "INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, note) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (finding_id, now, actor, finding.state, state, reason),
        )
    return get_finding(store, finding_id)


def dismiss(store: Store, finding_id: int, reason: str) -> Finding:
    return set_state(store, finding_id, "dismissed", reason=reason)


def reopen(store: Store, finding_id: int) -> Finding:
    return set_state(store, finding_id, "open")


def counts_by_category(store: Store) -> dict[str, int]:
    rows = store.conn.execute(
        "SELECT category, COUNT(*) FROM findings WHERE state IN ('open', 'in_progress') "
        "GROUP BY category ORDER BY 2 DESC"
    )
    return dict(rows.fetchall())


# ------------------------------------------------------------------ browsing (GUI, report)


@dataclass(frozen=True)
class FindingFilter:
    """What a findings list shows.  Every field narrows it; empty means "any"."""

    states: tuple[str, ...] = ("open", "in_progress")
    platform: str | None = None
    category: str | None = None
    min_severity: str | None = None
    since: str | None = None  # ISO date: the post (or the finding) is this recent or newer
    until: str | None = None  # ISO date, inclusive
    search: str = ""  # words the title, the evidence or the post's text must contain


@dataclass(frozen=True)
class FindingRow:
    """The columns of one finding in a list: cheap to read in blocks."""

    id: int
    severity: str
    category: str
    title: str
    platform: str | None
    date: str | None  # the post's date, else when the finding first appeared
    state: str
    excerpt: str
    site: str | None = None  # a profile found by a sweep: the site's own name ("OkCupid")

    @property
    def where(self) -> str:
        return self.site or (display_name(self.platform) if self.platform else "")


_ROW_SELECT = (
    "SELECT f.id, f.severity, f.category, COALESCE(f.title, f.rule_id), "
    "COALESCE(i.platform, a.platform), COALESCE(i.created_at, f.first_seen_at), f.state, "
    "f.evidence, f.subject, CASE WHEN a.connection = 'sweep' THEN a.display_name END "
    "FROM findings f LEFT JOIN items i ON i.id = f.item_id "
    "LEFT JOIN accounts a ON a.id = f.account_id"
)
_SEVERITY_ORDER = (
    "CASE f.severity "
    + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(reversed(SEVERITIES)))
    + " END"
)


def _where(flt: FindingFilter) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if flt.states:
        where.append(f"f.state IN ({','.join('?' * len(flt.states))})")
        params.extend(flt.states)
    if flt.platform:
        where.append("COALESCE(i.platform, a.platform) = ?")
        params.append(flt.platform)
    if flt.category:
        where.append("f.category = ?")
        params.append(flt.category)
    if flt.min_severity:
        if flt.min_severity not in SEVERITIES:
            raise InputError(f"Unknown severity {flt.min_severity!r}.")
        allowed = SEVERITIES[SEVERITIES.index(flt.min_severity) :]
        where.append(f"f.severity IN ({','.join('?' * len(allowed))})")
        params.extend(allowed)
    if flt.since:
        where.append("COALESCE(i.created_at, f.first_seen_at) >= ?")
        params.append(flt.since)
    if flt.until:
        where.append("substr(COALESCE(i.created_at, f.first_seen_at), 1, 10) <= ?")
        params.append(flt.until[:10])
    for word in flt.search.split():
        # instr() on lower-cased text: LIKE would treat % and _ in the person's words as wildcards.
        where.append(
            "(instr(lower(COALESCE(f.title, '')), ?) OR instr(lower(f.evidence), ?) "
            "OR instr(lower(COALESCE(i.text, '')), ?))"
        )
        params.extend([word.lower()] * 3)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def finding_ids(store: Store, flt: FindingFilter | None = None) -> list[int]:
    """The ids of the findings ``flt`` selects, most serious first, then newest.

    Only ids are read (about 100k per 0.1 s); a list view reads the rows it shows with
    :func:`finding_rows`, so a long list costs no more than a short one to show.
    """
    where, params = _where(flt or FindingFilter())
    sql = (
        "SELECT f.id FROM findings f LEFT JOIN items i ON i.id = f.item_id "
        "LEFT JOIN accounts a ON a.id = f.account_id"
        + where
        + f" ORDER BY {_SEVERITY_ORDER}, COALESCE(i.created_at, f.first_seen_at) DESC, f.id"
    )
    return [row[0] for row in store.conn.execute(sql, params)]


def _excerpt(evidence: str | None, subject: str) -> str:
    spans = json.loads(evidence or "[]")
    for span in spans:
        text = span.get("excerpt") or span.get("match")
        if text:
            return " ".join(str(text).split())
    return subject


def finding_rows(store: Store, ids: list[int]) -> dict[int, FindingRow]:
    """The list columns of the findings ``ids`` (any order; missing ids are left out)."""
    out: dict[int, FindingRow] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sql = _ROW_SELECT + f" WHERE f.id IN ({','.join('?' * len(chunk))})"
        for row in store.conn.execute(sql, chunk):
            fid, sev, cat, title, platform, date, state, evidence, subject, site = row
            out[fid] = FindingRow(
                fid, sev, cat, title, platform, date, state, _excerpt(evidence, subject), site
            )
    return out


def finding_facets(store: Store) -> dict[str, list[str]]:
    """The platforms and categories that have findings (for a filter's choices)."""
    platforms = [
        row[0]
        for row in store.conn.execute(
            "SELECT DISTINCT COALESCE(i.platform, a.platform) FROM findings f "
            "LEFT JOIN items i ON i.id = f.item_id LEFT JOIN accounts a ON a.id = f.account_id "
            "WHERE COALESCE(i.platform, a.platform) IS NOT NULL ORDER BY 1"
        )
    ]
    categories = [
        row[0] for row in store.conn.execute("SELECT DISTINCT category FROM findings ORDER BY 1")
    ]
    return {"platforms": platforms, "categories": categories}


def item_text(store: Store, finding_id: int) -> str | None:
    """The full text of the post a finding is about (None for findings without one)."""
    row = store.conn.execute(
        "SELECT i.text FROM findings f JOIN items i ON i.id = f.item_id WHERE f.id = ?",
        (finding_id,),
    ).fetchone()
    return None if row is None else row[0]


def snooze(store: Store, finding_id: int, until: str) -> Finding:
    """Put a finding aside until ``until`` (ISO date); :func:`wake_snoozed` brings it back."""
    return set_state(store, finding_id, "snoozed", snoozed_until=until)


def wake_snoozed(store: Store, now: str | None = None) -> int:
    """Reopen the snoozed findings whose date has come; returns how many."""
    now = now or utcnow()
    due = [
        row[0]
        for row in store.conn.execute(
            "SELECT id FROM findings WHERE state = 'snoozed' AND snoozed_until <= ?", (now,)
        )
    ]
    for fid in due:
        set_state(store, fid, "open", actor="footprint", reason="snooze ended")
    return len(due)


def severity_counts(store: Store) -> dict[str, int]:
    """Open findings per severity (every severity present, most serious first)."""
    rows = dict(
        store.conn.execute(
            "SELECT severity, COUNT(*) FROM findings WHERE state IN ('open', 'in_progress') "
            "GROUP BY severity"
        ).fetchall()
    )
    return {s: int(rows.get(s, 0)) for s in reversed(SEVERITIES)}
