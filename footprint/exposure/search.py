"""Searching yourself as a recruiter would: a guided step, never a scrape.

footprint builds the searches a recruiter would run (the person's name, name and town,
emails, usernames) for the main search engines and opens them in the person's browser.
It never fetches a results page itself.  The person says when they have searched and what
they found; the checklist brings the step back every few months
(``resources/exposure/search.toml``).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus, urlsplit

from footprint.datafiles import Problems, kind_name, read_toml
from footprint.errors import InputError
from footprint.paths import resources_dir
from footprint.store.database import utcnow

if TYPE_CHECKING:
    from footprint.store.database import Store

RULE = "exposure.search-yourself"
KINDS = {"name": ("name",), "name_place": ("name", "place"), "email": ("email",)}
KINDS["username"] = ("username",)
MAX_PER_KIND = 5  # a profile with many usernames still gets a list a person can work through


@dataclass(frozen=True)
class Engine:
    id: str
    name: str
    url: str  # with {query}

    def link(self, query: str) -> str:
        return self.url.replace("{query}", quote_plus(query))


@dataclass(frozen=True)
class QueryKind:
    kind: str
    label: str
    template: str


@dataclass(frozen=True)
class Removal:
    name: str
    url: str
    why: str


@dataclass(frozen=True)
class SearchGuide:
    every_days: int
    steps: tuple[str, ...]
    engines: tuple[Engine, ...]
    queries: tuple[QueryKind, ...]
    removals: tuple[Removal, ...]


@dataclass(frozen=True)
class Search:
    """One search to run on every engine."""

    target: str  # the query, normalized: the key its record is kept under
    kind: str
    label: str
    query: str
    links: tuple[tuple[str, str], ...]  # (engine name, url)
    last_done: str | None = None
    found: bool | None = None
    note: str = ""

    def due(self, now: datetime, every_days: int) -> bool:
        if not self.last_done:
            return True
        try:
            done = datetime.fromisoformat(self.last_done.replace("Z", "+00:00"))
        except ValueError:
            return True
        return now - done > timedelta(days=every_days)


def normalize_query(query: str) -> str:
    return " ".join(query.casefold().split())


def _https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname)


def parse_guide(data: dict[str, Any], path: Path) -> SearchGuide:
    problems = Problems(path, "search guide")
    every = data.pop("every_days", None)
    if not isinstance(every, int) or isinstance(every, bool) or not 7 <= every <= 3650:
        problems.add("every_days", "must be a whole number of days between 7 and 3650")
        every = 90
    steps = data.pop("steps", None)
    if not isinstance(steps, list) or not steps or not all(isinstance(s, str) for s in steps):
        problems.add("steps", "must be a list of texts")
        steps = []
    engines: list[Engine] = []
    for index, raw in enumerate(data.pop("engine", [])):
        where = f"engine #{index + 1}"
        if not isinstance(raw, dict):
            problems.add(where, f"is {kind_name(raw)}, not a table")
            continue
        fields = {k: raw.get(k) for k in ("id", "name", "url")}
        if set(raw) - set(fields):
            problems.add(where, f"unknown field(s): {', '.join(sorted(set(raw) - set(fields)))}")
        if not all(isinstance(v, str) and v for v in fields.values()):
            problems.add(where, "needs id, name and url (texts)")
            continue
        url = str(fields["url"])
        if not _https(url) or "{query}" not in url:
            problems.add(where, "url must be https and hold {query}")
            continue
        if any(e.id == fields["id"] for e in engines):
            problems.add(where, f"id {fields['id']!r} is used twice")
        engines.append(Engine(str(fields["id"]), str(fields["name"]), url))
    queries: list[QueryKind] = []
    for index, raw in enumerate(data.pop("query", [])):
        where = f"query #{index + 1}"
        if not isinstance(raw, dict):
            problems.add(where, f"is {kind_name(raw)}, not a table")
            continue
        kind, label, template = raw.get("kind"), raw.get("label"), raw.get("template")
        if set(raw) - {"kind", "label", "template"}:
            problems.add(where, "unknown field(s)")
        if kind not in KINDS:
            problems.add(where, f"kind must be one of {', '.join(KINDS)}")
            continue
        if not isinstance(label, str) or not isinstance(template, str):
            problems.add(where, "needs label and template (texts)")
            continue
        missing = [p for p in KINDS[str(kind)] if "{" + p + "}" not in template]
        if missing:
            problems.add(where, f"template must hold {', '.join('{' + m + '}' for m in missing)}")
            continue
        queries.append(QueryKind(str(kind), label, template))
    removals: list[Removal] = []
    for index, raw in enumerate(data.pop("removal", [])):
        where = f"removal #{index + 1}"
        if not isinstance(raw, dict) or not all(
            isinstance(raw.get(k), str) and raw.get(k) for k in ("name", "url", "why")
        ):
            problems.add(where, "needs name, url and why (texts)")
            continue
        if not _https(raw["url"]):
            problems.add(where, "url must be https")
            continue
        removals.append(Removal(raw["name"], raw["url"], raw["why"]))
    if data:
        problems.add("file", f"unknown key(s): {', '.join(sorted(data))}")
    if not engines:
        problems.add("engine", "at least one search engine is needed")
    if not any(q.kind == "name" for q in queries):
        problems.add("query", "a query of kind 'name' is needed")
    problems.raise_if_any()
    return SearchGuide(every, tuple(steps), tuple(engines), tuple(queries), tuple(removals))


@lru_cache(maxsize=1)
def load_guide() -> SearchGuide:
    path = resources_dir() / "exposure" / "search.toml"
    return parse_guide(read_toml(path, "search guide"), path)


def _records(conn: sqlite3.Connection) -> dict[str, tuple[str, dict[str, Any]]]:
    out = {}
    for target, result, checked_at in conn.execute(
        "SELECT target, result, checked_at FROM exposure_checks WHERE kind = 'search'"
    ):
        try:
            parsed = json.loads(result)
        except ValueError:
            parsed = {}
        out[target] = (checked_at, parsed if isinstance(parsed, dict) else {})
    return out


def planned_searches(conn: sqlite3.Connection, guide: SearchGuide | None = None) -> list[Search]:
    """The searches for this person, with when each was last run (by their word)."""
    guide = guide or load_guide()
    values: dict[str, list[str]] = {"name": [], "place": [], "email": [], "username": []}
    for kind, value in conn.execute("SELECT kind, value FROM person_identifiers ORDER BY id"):
        if kind in values:
            values[kind].append(value.lstrip("@") if kind == "username" else value)
    records = _records(conn)
    out: list[Search] = []
    seen: set[str] = set()
    for q in guide.queries:
        fills: list[dict[str, str]] = []
        if q.kind == "name_place":
            fills = [{"name": n, "place": p} for n in values["name"] for p in values["place"]]
        else:
            key = KINDS[q.kind][0]
            fills = [{key: v} for v in values[key]]
        for fill in fills[:MAX_PER_KIND]:
            query = q.template
            for key, value in fill.items():
                query = query.replace("{" + key + "}", value.strip())
            target = normalize_query(query)
            if target in seen:
                continue
            seen.add(target)
            done_at, result = records.get(target, (None, {}))
            found = result.get("found")
            out.append(
                Search(
                    target=target,
                    kind=q.kind,
                    label=q.label,
                    query=query,
                    links=tuple((e.name, e.link(query)) for e in guide.engines),
                    last_done=done_at,
                    found=found if isinstance(found, bool) else None,
                    note=str(result.get("note") or ""),
                )
            )
    return out


def record_search(store: Store, query: str, *, found: bool | None = None, note: str = "") -> Search:
    """The person ran this search (on the engines they chose): remember when and what they
    found, and mark the checklist step done."""
    target = normalize_query(query)
    matches = [s for s in planned_searches(store.conn) if s.target == target]
    if not matches:
        raise InputError(
            f"{query!r} is not one of your searches.",
            hint="footprint exposure search lists them (they come from your profile).",
        )
    now = utcnow()
    with store.transaction() as db:
        db.conn.execute(
            "INSERT INTO exposure_checks (kind, target, status, result, checked_at) "
            "VALUES ('search', ?, 'done', ?, ?) ON CONFLICT (kind, target) DO UPDATE SET "
            "status = 'done', result = excluded.result, checked_at = excluded.checked_at",
            (target, json.dumps({"found": found, "note": note.strip()[:2000]}), now),
        )
        # The open step about this search is done now (the person's word is the check).
        rows = db.conn.execute(
            "SELECT id, state FROM findings WHERE rule_id = ? AND substr(subject, 1, ?) = ? "
            "AND state IN ('open', 'in_progress', 'snoozed')",
            (RULE, len(f"search:{target}:"), f"search:{target}:"),
        ).fetchall()
        for finding_id, state in rows:
            db.conn.execute(
                "UPDATE findings SET state = 'done', snoozed_until = NULL, updated_at = ? "
                "WHERE id = ?",
                (now, finding_id),
            )
            db.conn.execute(
                "INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, note) "
                "VALUES (?, ?, 'person', ?, 'done', 'searched')",
                (finding_id, now, state),
            )
    return next(s for s in planned_searches(store.conn) if s.target == target)


def searches_due(store: Store, now: datetime | None = None) -> list[Search]:
    guide = load_guide()
    now = now or datetime.now(UTC)
    return [s for s in planned_searches(store.conn, guide) if s.due(now, guide.every_days)]
