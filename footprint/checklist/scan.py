"""Evaluate the store against the checklist: items in batches (incrementally), then the
account-level rules, then the score.

Each batch commits on its own, together with the items' "checked" marks, so a scan that is
killed half-way resumes where it stopped. A finding the person decided about (dismissed,
done, snoozed...) keeps that decision across re-scans; an open finding whose evidence is
gone (the post was edited, a rule changed) is removed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from footprint.checklist.engine import Checker, Draft, person_from_profile
from footprint.checklist.findings import counts_by_category, wake_snoozed
from footprint.checklist.privacy import setting_link
from footprint.checklist.rules import AccountRule, RuleSet
from footprint.checklist.score import Score, compute_score, snapshot
from footprint.platforms import display_name as platform_name
from footprint.platforms import platform_for
from footprint.progress import CancelToken
from footprint.store.database import get_setting, set_setting, utcnow
from footprint.store.profile import get_profile

if TYPE_CHECKING:
    from footprint.store.database import Store

BATCH = 2000
FINGERPRINT_KEY = "checklist.fingerprint"
# Items that are not the person's words: settings, IP logs, check-ins get their own rules.
NOT_TEXT = frozenset({"setting", "login_ip", "upload_ip", "checkin", "deleted_post"})
IP_KINDS = ("login_ip", "upload_ip")
KEEP_WHEN_GONE = ("in_progress", "done", "verified", "dismissed")


@dataclass
class ScanProgress:
    done: int
    total: int
    stage: str = "items"


ScanCallback = Callable[[ScanProgress], None]


@dataclass
class ScanSummary:
    checked: int = 0
    full: bool = False
    new: int = 0
    updated: int = 0
    removed: int = 0
    elapsed: float = 0.0
    score: Score | None = None
    by_category: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        kind = "Full scan" if self.full else "Scan"
        out = [
            f"{kind}: checked {self.checked} item(s) in {self.elapsed:.1f} s; "
            f"{self.new} new finding(s), {self.updated} updated, {self.removed} no longer apply."
        ]
        if self.score:
            out += self.score.explanation
        return out


def _item_subject(platform: str, kind: str, platform_id: str) -> str:
    return f"item:{platform}/{kind}/{platform_id}"


class _Writer:
    """Applies drafts for a set of subjects: insert new, update existing, drop stale open ones."""

    def __init__(self, store: Store, summary: ScanSummary) -> None:
        self.store = store
        self.summary = summary

    def apply(
        self,
        drafts: list[tuple[str, int | None, int | None, Draft]],  # subject, item, account, draft
        existing: list[tuple[int, str, str, str]],  # id, rule, subject, state
    ) -> None:
        conn = self.store.conn
        now = utcnow()
        known = {(rule, subject): (fid, state) for fid, rule, subject, state in existing}
        seen: set[tuple[str, str]] = set()
        inserts, updates = [], []
        for subject, item_id, account_id, d in drafts:
            key = (d.rule_id, subject)
            if key in seen:
                continue
            seen.add(key)
            evidence = json.dumps(d.evidence, ensure_ascii=False)
            details = json.dumps(d.details, ensure_ascii=False, sort_keys=True)
            if key in known:
                updates.append(
                    (
                        d.category,
                        d.severity,
                        d.why,
                        d.title,
                        evidence,
                        details,
                        item_id,
                        account_id,
                        now,
                        now,
                        known[key][0],
                    )
                )
            else:
                inserts.append(
                    (
                        d.rule_id,
                        d.category,
                        d.severity,
                        subject,
                        item_id,
                        account_id,
                        evidence,
                        d.why,
                        d.title,
                        details,
                        now,
                        now,
                        now,
                    )
                )
        if updates:
            conn.executemany(
                "UPDATE findings SET category = ?, severity = ?, why = ?, title = ?, evidence = ?, "
                "details = ?, item_id = ?, account_id = ?, last_seen_at = ?, updated_at = ? "
                "WHERE id = ?",
                updates,
            )
        for row in inserts:
            cursor = conn.execute(
                "INSERT INTO findings (rule_id, category, severity, subject, item_id, account_id, "
                "evidence, why, title, details, first_seen_at, last_seen_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            conn.execute(
                "INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, note) "
                "VALUES (?, ?, 'scan', NULL, 'open', NULL)",
                (cursor.lastrowid, now),
            )
        stale = [
            fid
            for (rule, subject), (fid, state) in known.items()
            if (rule, subject) not in seen and state not in KEEP_WHEN_GONE
        ]
        if stale:
            conn.executemany("DELETE FROM findings WHERE id = ?", [(f,) for f in stale])
        self.summary.new += len(inserts)
        self.summary.updated += len(updates)
        self.summary.removed += len(stale)


def make_checker(store: Store, rules: RuleSet | None = None, use_model: bool = True) -> Checker:
    person = person_from_profile(get_profile(store).identifiers)
    return Checker(rules=rules, person=person, use_model=use_model)


def scan(
    store: Store,
    *,
    checker: Checker | None = None,
    full: bool = False,
    progress: ScanCallback | None = None,
    cancel: CancelToken | None = None,
    batch_size: int = BATCH,
    now: datetime | None = None,
) -> ScanSummary:
    started = time.perf_counter()
    checker = checker or make_checker(store)
    rules = checker.rules
    summary = ScanSummary()
    wake_snoozed(store, (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    if full or get_setting(store, FINGERPRINT_KEY) != checker.fingerprint:
        summary.full = True
        # Marks go first and alone: a scan killed after this resumes as the full scan it was.
        with store.transaction() as db:
            db.conn.execute("UPDATE items SET checked_hash = NULL WHERE checked_hash IS NOT NULL")
            set_setting(store, FINGERPRINT_KEY, checker.fingerprint)
    total = store.conn.execute(
        "SELECT COUNT(*) FROM items WHERE checked_hash IS NULL OR checked_hash != content_hash"
    ).fetchone()[0]
    writer = _Writer(store, summary)
    accounts = _account_handles(store)
    done = 0
    for batch in _pending(store, batch_size):
        if cancel:
            cancel.check("The scan")
        drafts = []
        for item_id, platform, kind, platform_id, title, text, account_id, *_ in batch:
            subject = _item_subject(platform, kind, platform_id)
            for d in _item_drafts(
                checker, platform, kind, platform_id, title, text, accounts.get(account_id)
            ):
                drafts.append((subject, item_id, account_id, d))
        ids = [row[0] for row in batch]
        with store.transaction() as db:
            existing = []
            for chunk in _chunks(ids, 500):
                existing += db.conn.execute(
                    "SELECT id, rule_id, subject, state FROM findings "
                    f"WHERE item_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            writer.apply(drafts, existing)
            db.conn.executemany(
                "UPDATE items SET checked_hash = ? WHERE id = ?",
                [(row[-1], row[0]) for row in batch],
            )
        done += len(batch)
        summary.checked = done
        if progress:
            progress(ScanProgress(done, total))
    # Account-level rules look at everything at once; they are cheap.
    if progress:
        progress(ScanProgress(done, total, "accounts"))
    with store.transaction() as db:
        existing = db.conn.execute(
            "SELECT id, rule_id, subject, state FROM findings WHERE item_id IS NULL"
        ).fetchall()
        writer.apply(_account_drafts(store, checker, now or datetime.now(UTC)), existing)
    summary.score = compute_score(store, rules, now)
    snapshot(store, summary.score, checker.fingerprint)
    summary.by_category = counts_by_category(store)
    summary.elapsed = time.perf_counter() - started
    return summary


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _pending(store: Store, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """Items not yet checked with these rules, in id order, a batch at a time."""
    last = 0
    while True:
        rows = store.conn.execute(
            "SELECT id, platform, kind, platform_id, title, text, account_id, content_hash "
            "FROM items WHERE id > ? AND (checked_hash IS NULL OR checked_hash != content_hash) "
            "ORDER BY id LIMIT ?",
            (last, size),
        ).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def _account_handles(store: Store) -> dict[int, str]:
    return dict(store.conn.execute("SELECT id, handle FROM accounts").fetchall())


def _item_drafts(
    checker: Checker,
    platform: str,
    kind: str,
    platform_id: str,
    title: str | None,
    text: str | None,
    handle: str | None,
) -> list[Draft]:
    if kind == "setting":
        return _setting_drafts(checker.rules, platform, platform_id, text, handle)
    if kind == "checkin":
        detector = checker.rules.detectors.get("checkin")
        if detector is None:
            return []
        where = text or title or "a place"
        return [
            Draft(
                detector.id,
                "personal_data",
                detector.severity,
                detector.why,
                detector.title,
                [
                    {
                        "field": "text",
                        "start": 0,
                        "end": len(where),
                        "match": where,
                        "rule": detector.id,
                        "excerpt": where,
                    }
                ],
            )
        ]
    if kind in NOT_TEXT:
        return []
    drafts = checker.check(text or "")
    # Titles of posts and videos are the person's words too; profile field titles are labels.
    if title and kind not in ("profile_field",):
        seen = {d.rule_id for d in drafts}
        for d in checker.check(title, "title"):
            if d.rule_id not in seen:
                drafts.append(d)
    return drafts


def _setting_drafts(
    rules: RuleSet, platform: str, key: str, value: str | None, handle: str | None
) -> list[Draft]:
    out = []
    for rule in rules.settings:
        if rule.platform != platform or rule.key != key:
            continue
        if (value or "").strip().lower() not in rule.loose:
            continue
        link = setting_link(rule, handle)
        out.append(
            Draft(
                rule.id,
                "settings",
                rule.severity,
                rule.exposes,
                rule.title,
                [
                    {
                        "field": "value",
                        "start": 0,
                        "end": len(value or ""),
                        "match": value,
                        "rule": rule.id,
                        "excerpt": f"{key} = {value}",
                    }
                ],
                {"safe": rule.safe, "auto_fix": rule.auto_fix, "deep_link": link, "key": key},
            )
        )
    return out


def _account_drafts(
    store: Store, checker: Checker, now: datetime
) -> list[tuple[str, int | None, int | None, Draft]]:
    out: list[tuple[str, int | None, int | None, Draft]] = []
    conn = store.conn
    for rule in checker.rules.accounts:
        handler = _ACCOUNT_CHECKS[rule.check]
        out.extend(handler(conn, checker, rule, now))
    login = checker.rules.detectors.get("login_ips")
    if login:
        rows = conn.execute(
            "SELECT platform, kind, COUNT(*), COUNT(DISTINCT text) FROM items "
            f"WHERE kind IN ({','.join('?' * len(IP_KINDS))}) GROUP BY platform, kind",
            IP_KINDS,
        ).fetchall()
        for platform, kind, count, distinct in rows:
            what = ("login" if kind == "login_ip" else "upload") + ("s" if count != 1 else "")
            where = f"{distinct} address" + ("es" if distinct != 1 else "")
            evidence = [
                {
                    "field": "items",
                    "match": f"{platform}: {count} {what} from {where}",
                    "rule": login.id,
                }
            ]
            draft = Draft(
                login.id,
                "personal_data",
                login.severity,
                login.why,
                login.title,
                evidence,
                {"count": count, "distinct": distinct, "kind": kind},
            )
            out.append((f"ips:{platform}/{kind}", None, None, draft))
    return out


def _dormant(
    conn: Any, checker: Checker, rule: AccountRule, now: datetime
) -> Iterator[tuple[str, int | None, int | None, Draft]]:
    years = float(rule.params.get("years", 2))
    cutoff = (now - timedelta(days=365.25 * years)).isoformat()
    rows = conn.execute(
        "SELECT a.id, a.platform, a.handle, MAX(i.created_at) FROM accounts a "
        "JOIN items i ON i.account_id = a.id "
        "WHERE a.status = 'active' AND i.kind IN ('post', 'comment', 'reply', 'repost') "
        "AND i.created_at IS NOT NULL GROUP BY a.id"
    ).fetchall()
    for account_id, platform, handle, newest in rows:
        if newest and newest < cutoff:
            evidence = [
                {"field": "account", "match": f"{handle}: last post {newest[:10]}", "rule": rule.id}
            ]
            draft = Draft(
                rule.id,
                "account",
                rule.severity,
                rule.why,
                f"Dormant account: {handle}",
                evidence,
                {"last_post": newest},
            )
            yield (f"account:{platform}/{handle}", None, account_id, draft)


def _latest_found(conn: Any) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(site, username, category, url, claim) found in each username's latest sweep.

    Profiles the person marked "not mine" are left out.
    """
    return conn.execute(
        "SELECT c.site, c.username, c.category, c.url, k.claim FROM site_checks c "
        "JOIN sweeps s ON s.id = c.sweep_id "
        "LEFT JOIN site_claims k ON k.site = c.site AND k.username = c.username "
        "WHERE c.status = 'found' AND s.id = ("
        "  SELECT MAX(s2.id) FROM sweeps s2 WHERE s2.username = s.username "
        "  AND s2.state IN ('finished', 'cancelled')) "
        "AND (k.claim IS NULL OR k.claim != 'not_mine')"
    ).fetchall()


def _found_profiles(
    conn: Any, rule: AccountRule, want_claim: str | None
) -> Iterator[tuple[str, int | None, int | None, Draft]]:
    reviewed = {
        (p.lower(), h.lower().lstrip("@").split("@")[0])
        for p, h in conn.execute(
            "SELECT platform, handle FROM accounts WHERE connection IN ('api', 'import')"
        ).fetchall()
    }
    claimed_accounts = dict(
        ((site, username), account_id)
        for site, username, account_id in conn.execute(
            "SELECT site, username, account_id FROM site_claims WHERE claim = 'mine'"
        ).fetchall()
    )
    sensitive = set(rule.params.get("sensitive_categories", []))
    sensitive_severity = str(rule.params.get("sensitive_severity", rule.severity))
    for site, username, category, url, claim in _latest_found(conn):
        if claim != want_claim:
            continue
        if (site.lower(), username.lower()) in reviewed or (
            platform_for(site),
            username.lower(),
        ) in reviewed:
            continue
        severity = sensitive_severity if category in sensitive else rule.severity
        evidence = [{"field": "profile", "match": url or f"{site}/{username}", "rule": rule.id}]
        if want_claim == "mine":
            title = f"Old profile on {site}: {username}"
        else:
            title = f"Is this yours? A profile on {site}: {username}"
        draft = Draft(
            rule.id,
            "account",
            severity,
            rule.why,
            title,
            evidence,
            {"site": site, "username": username, "url": url, "site_category": category},
        )
        yield (f"site:{site}/{username}", None, claimed_accounts.get((site, username)), draft)


def _forgotten(
    conn: Any, checker: Checker, rule: AccountRule, now: datetime
) -> Iterator[tuple[str, int | None, int | None, Draft]]:
    """Profiles the sweep found that the person confirmed as theirs (and has not connected)."""
    yield from _found_profiles(conn, rule, "mine")


def _possible(
    conn: Any, checker: Checker, rule: AccountRule, now: datetime
) -> Iterator[tuple[str, int | None, int | None, Draft]]:
    """Profiles found under the person's usernames that they have not yet said are theirs."""
    yield from _found_profiles(conn, rule, None)


def _real_name(
    conn: Any, checker: Checker, rule: AccountRule, now: datetime
) -> Iterator[tuple[str, int | None, int | None, Draft]]:
    names = [n.lower() for n in checker.person.names if n.strip()]
    if not names:
        return
    rows = conn.execute(
        "SELECT a.id, a.platform, a.handle, a.display_name, "
        "(SELECT group_concat(i.text, ' | ') FROM items i WHERE i.account_id = a.id "
        " AND i.kind = 'profile_field' AND i.visibility IS NOT 'private') FROM accounts a"
    ).fetchall()
    for account_id, platform, handle, display_name, fields in rows:
        haystack = f"{display_name or ''} | {fields or ''}".lower()
        hits = [n for n in names if all(part in haystack for part in n.split())]
        if hits:
            evidence = [
                {
                    "field": "profile",
                    "match": hits[0],
                    "rule": rule.id,
                    "excerpt": f"{handle}: {display_name or ''}",
                }
            ]
            draft = Draft(
                rule.id,
                "account",
                rule.severity,
                rule.why,
                f"Real name on {platform} profile {handle}",
                evidence,
            )
            yield (f"account:{platform}/{handle}", None, account_id, draft)


def _username_links(
    conn: Any, checker: Checker, rule: AccountRule, now: datetime
) -> Iterator[tuple[str, int | None, int | None, Draft]]:
    minimum = int(rule.params.get("min_sites", 3))
    sites: dict[str, dict[str, str]] = {}  # username -> {site key: site name}
    for site, username, _, _, _ in _latest_found(conn):
        sites.setdefault(username.lower(), {}).setdefault(site.lower(), site)
    for platform, handle in conn.execute("SELECT platform, handle FROM accounts").fetchall():
        name = platform_name(platform)
        user = handle.lower().lstrip("@").split("@")[0]
        sites.setdefault(user, {}).setdefault(name.lower(), name)
    for username, named in sorted(sites.items()):
        found = sorted(named.values(), key=str.lower)
        if len(found) >= minimum:
            listed = ", ".join(found)
            evidence = [{"field": "sites", "match": listed, "rule": rule.id}]
            draft = Draft(
                rule.id,
                "account",
                rule.severity,
                rule.why,
                f"Username {username} on {len(found)} sites",
                evidence,
                {"sites": sorted(found)},
            )
            yield (f"username:{username}", None, None, draft)


def _saved_checks(conn: Any, kind: str) -> list[tuple[str, str, dict[str, Any], str]]:
    out = []
    for target, status, result, checked_at in conn.execute(
        "SELECT target, status, result, checked_at FROM exposure_checks WHERE kind = ? "
        "ORDER BY target",
        (kind,),
    ):
        try:
            parsed = json.loads(result)
        except ValueError:
            parsed = {}
        out.append((target, status, parsed if isinstance(parsed, dict) else {}, checked_at))
    return out


def _breached(
    conn: Any, checker: Checker, rule: AccountRule, now: datetime
) -> Iterator[tuple[str, int | None, int | None, Draft]]:
    """One finding per breach an email of the person's is in (Have I Been Pwned)."""
    from footprint.exposure.checks import cached_breaches
    from footprint.exposure.hibp import describe_classes

    own = checker.person.emails
    checks = [c for c in _saved_checks(conn, "breaches") if c[1] == "found" and c[0] in own]
    for check in checks:  # a damaged row holds no list: it names no breach
        if not isinstance(check[2].get("breaches"), list):
            check[2]["breaches"] = []
    names = [str(n) for _, _, result, _ in checks for n in result.get("breaches", [])]
    catalogue = cached_breaches(conn, names)
    severe = str(rule.params.get("password_severity", rule.severity))
    minor = str(rule.params.get("minor_severity", rule.severity))
    for email, _, result, checked_at in checks:
        for name in result.get("breaches", []):
            breach = catalogue.get(str(name))
            if breach is None:
                title, year, classes, severity = str(name), "", "details unknown", rule.severity
                details: dict[str, Any] = {"email": email, "breach": name}
            else:
                title, year = breach.title, breach.breach_date[:4]
                classes = describe_classes(breach.data_classes)
                if breach.fabricated or breach.spam_list:
                    severity = minor
                elif breach.leaked_passwords:
                    severity = severe
                else:
                    severity = rule.severity
                details = {
                    "email": email,
                    "breach": breach.name,
                    "title": breach.title,
                    "domain": breach.domain,
                    "breach_date": breach.breach_date,
                    "added_date": breach.added_date,
                    "pwn_count": breach.pwn_count,
                    "data_classes": list(breach.data_classes),
                    "description": breach.description,
                    "url": breach.url,
                    "deep_link": breach.url,
                    "flags": [
                        flag
                        for flag, on in (
                            ("unverified", not breach.verified),
                            ("fabricated", breach.fabricated),
                            ("sensitive", breach.sensitive),
                            ("spam list", breach.spam_list),
                            ("malware", breach.malware),
                            ("stealer log", breach.stealer_log),
                        )
                        if on
                    ],
                }
            details["checked_at"] = checked_at
            when = f" ({year})" if year else ""
            evidence = [
                {
                    "field": "email",
                    "match": email,
                    "rule": rule.id,
                    "excerpt": f"{email}: {classes}",
                }
            ]
            yield (
                f"breach:{email}/{name}",
                None,
                None,
                Draft(
                    rule.id,
                    "security",
                    severity,
                    rule.why,
                    f"{title} breach{when}: {classes}",
                    evidence,
                    details,
                ),
            )


_KIND_PREFIXES = (
    ("verified/", "linked account", "linked accounts"),
    ("links/", "link", "links"),
    ("contact/", "contact detail", "contact details"),
    ("wallet/", "crypto wallet", "crypto wallets"),
    ("payment/", "payment link", "payment links"),
)
_SIMPLE_NAMES = {
    "display_name": "display name",
    "first_name": "first name",
    "last_name": "last name",
    "location": "location",
    "description": "about text",
    "job_title": "job title",
    "company": "company",
    "pronouns": "pronouns",
    "pronunciation": "name pronunciation",
    "timezone": "time zone",
    "languages": "languages",
}


def _field_kinds(keys: list[str]) -> list[str]:
    """Gravatar field keys as kinds ("location", "2 links"), in the order first seen."""
    counts: dict[str, int] = {}
    for key in keys:
        for prefix, one, _ in _KIND_PREFIXES:
            if key.startswith(prefix):
                counts[one] = counts.get(one, 0) + 1
                break
        else:
            name = _SIMPLE_NAMES.get(key, "other field")
            counts[name] = counts.get(name, 0) + 1
    plural = {one: many for _, one, many in _KIND_PREFIXES}
    return [
        (f"{n} {plural.get(kind, kind + 's')}" if n > 1 else kind) for kind, n in counts.items()
    ]


def _gravatar(
    conn: Any, checker: Checker, rule: AccountRule, now: datetime
) -> Iterator[tuple[str, int | None, int | None, Draft]]:
    """A public Gravatar profile behind one of the person's emails, and what it shows."""
    sensitive = tuple(str(p) for p in rule.params.get("sensitive_fields", []))
    sensitive_severity = str(rule.params.get("sensitive_severity", rule.severity))
    for email, status, result, checked_at in _saved_checks(conn, "gravatar"):
        fields = [f for f in result.get("fields", []) if isinstance(f, dict)]
        if status != "found" or not fields or email not in checker.person.emails:
            continue
        keys = [str(f.get("key") or "") for f in fields]
        # What it shows, by kind of field: never the labels the person typed themselves.
        titles = _field_kinds(keys)
        severity = (
            sensitive_severity
            if any(k.startswith(sensitive) or k in sensitive for k in keys)
            else rule.severity
        )
        shown = ", ".join(titles[:4])
        more = f" and {len(titles) - 4} more" if len(titles) > 4 else ""
        evidence = [
            {
                "field": str(f.get("title") or f.get("key")),
                "match": str(f.get("value") or ""),
                "rule": rule.id,
                "excerpt": f"{f.get('title') or f.get('key')}: {f.get('value') or ''}",
            }
            for f in fields
        ]
        url = result.get("profile_url")
        yield (
            f"gravatar:{email}",
            None,
            None,
            Draft(
                rule.id,
                "personal_data",
                severity,
                rule.why,
                f"Public Gravatar profile shows {shown}{more}",
                evidence,
                {
                    "email": email,
                    "profile_url": url,
                    "url": url,
                    "deep_link": str(rule.params.get("edit_link", "")) or url,
                    "fields": titles,
                    "checked_at": checked_at,
                },
            ),
        )


_SEARCH_WHAT = {"name": "your name", "username": "your username"}


def _search_yourself(
    conn: Any, checker: Checker, rule: AccountRule, now: datetime
) -> Iterator[tuple[str, int | None, int | None, Draft]]:
    """Search your name as a recruiter would: due until done, and again every few months."""
    from footprint.exposure.search import load_guide, planned_searches

    guide = load_guide()
    searches = planned_searches(conn, guide)
    main = [s for s in searches if s.kind == "name"] or [
        s for s in searches if s.kind == "username"
    ][:3]
    for search in main:
        if not search.due(now, guide.every_days):
            continue
        cycle = (search.last_done or "never")[:10]
        related = [s for s in searches if s.kind != search.kind or s is search]
        evidence = [{"field": "search", "match": search.query, "rule": rule.id}]
        yield (
            f"search:{search.target}:{cycle}",
            None,
            None,
            Draft(
                rule.id,
                "account",
                rule.severity,
                rule.why,
                f"Search for {_SEARCH_WHAT.get(search.kind, 'yourself')} as a recruiter would",
                evidence,
                {
                    "query": search.query,
                    "target": search.target,
                    "last_done": search.last_done,
                    "links": [{"engine": e, "url": u} for e, u in search.links],
                    "deep_link": search.links[0][1] if search.links else None,
                    "also": [s.query for s in related if s is not search],
                },
            ),
        )


_ACCOUNT_CHECKS = {
    "dormant": _dormant,
    "forgotten_profile": _forgotten,
    "possible_profile": _possible,
    "real_name_linked": _real_name,
    "username_links_sites": _username_links,
    "breached_email": _breached,
    "gravatar_profile": _gravatar,
    "search_yourself": _search_yourself,
}
