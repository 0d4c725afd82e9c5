"""Where to delete an account, how to get off people-search sites, and deletion letters.

Three kinds of bundled data, all in ``resources/cleanup/``:

* ``deletion.toml``: one ``[[site]]`` table per service, telling how to delete an account a
  sweep found (its ``sites`` are the names the site catalog uses);
* ``brokers.toml``: one ``[[broker]]`` table per US people-search site, telling where to find
  your listing and how to opt out;
* ``letters/*.txt``: GDPR and CCPA deletion-request letters, filled from the person's profile.

They are data, not code: every problem in a file (an unknown key, a missing or mistyped field,
a value outside its list, a page that is not https, a name listed twice) is collected and
reported at once in a :class:`~footprint.errors.ConfigError` naming the file, the entry and
the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar
from urllib.parse import urlsplit

from footprint.datafiles import Problems, kind_name, read_toml
from footprint.errors import ConfigError, InputError
from footprint.paths import resources_dir
from footprint.store.profile import Profile

DIFFICULTIES = ("easy", "medium", "hard", "impossible", "limited")
PRIORITIES = ("crucial", "high", "normal")
NEEDS = ("email", "phone", "id", "fee", "mail")

LetterKind = Literal["gdpr", "ccpa"]
LETTER_FILES: dict[str, str] = {"gdpr": "gdpr-article-17.txt", "ccpa": "ccpa-delete.txt"}
PLACEHOLDERS = ("date", "company", "name", "emails", "usernames", "accounts", "address_line")

_SITE_REQUIRED = ("name", "sites", "url", "difficulty", "notes")
_SITE_OPTIONAL = ("email",)
_BROKER_REQUIRED = ("name", "search_url", "optout_url", "priority", "needs", "expect")
_BROKER_OPTIONAL = ("owner",)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
_SHOWN = 20  # problems listed in the message; the rest are counted
_NONE_GIVEN = "(none given)"
_NO_NAME = "[your full name]"
_MONTHS = (
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


@dataclass(frozen=True)
class DeletionGuide:
    """How to delete one service's account."""

    name: str
    sites: tuple[str, ...]  # the service's names in the site catalog
    url: str  # the deletion page, or the service's help page
    difficulty: str  # one of DIFFICULTIES
    notes: str
    email: str | None = None  # where to write, when deletion is by email


@dataclass(frozen=True)
class Broker:
    """One people-search site: where to find your listing and how to opt out."""

    name: str
    search_url: str
    optout_url: str
    priority: str  # one of PRIORITIES
    needs: tuple[str, ...]  # items of NEEDS
    expect: str
    owner: str | None = None


# ----------------------------------------------------------------------------- validation


class _Entry:
    """Reads the fields of one table, adding a problem for each field that is wrong."""

    def __init__(self, raw: dict[str, Any], where: str, problems: Problems) -> None:
        self.raw = raw
        self.where = where
        self.problems = problems

    def problem(self, text: str) -> None:
        self.problems.add(self.where, text)

    def text(self, key: str, *, required: bool = True) -> str | None:
        """A non-empty string, stripped; ``None`` when absent (optional) or wrong."""
        if key not in self.raw:
            if required:
                self.problem(f"field '{key}' is missing")
            return None
        value = self.raw[key]
        if not isinstance(value, str):
            self.problem(f"field '{key}' should be text, not {kind_name(value)}")
            return None
        value = value.strip()
        if not value:
            self.problem(f"field '{key}' is empty")
            return None
        return value

    def choice(self, key: str, allowed: Sequence[str]) -> str | None:
        value = self.text(key)
        if value is not None and value not in allowed:
            self.problem(f"field '{key}' is {value!r}; it should be one of {', '.join(allowed)}")
            return None
        return value

    def url(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not _is_https(value):
            self.problem(f"field '{key}' should be an https:// address, not {value!r}")
            return None
        return value

    def email(self, key: str) -> str | None:
        value = self.text(key, required=False)
        if value is not None and not _EMAIL_RE.fullmatch(value):
            self.problem(f"field '{key}' should be an email address, not {value!r}")
            return None
        return value

    def texts(self, key: str, *, allowed: Sequence[str] | None = None) -> tuple[str, ...] | None:
        """A list of non-empty strings without repeats (from ``allowed``, when given)."""
        if key not in self.raw:
            self.problem(f"field '{key}' is missing")
            return None
        value = self.raw[key]
        if not isinstance(value, list):
            self.problem(f"field '{key}' should be a list of text, not {kind_name(value)}")
            return None
        items: list[str] = []
        seen: set[str] = set()
        ok = True
        for number, item in enumerate(value, start=1):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"field '{key}' item {number} should be non-empty text")
                ok = False
                continue
            item = item.strip()
            if allowed is not None and item not in allowed:
                self.problem(
                    f"field '{key}' item {number} is {item!r}; "
                    f"it should be one of {', '.join(allowed)}"
                )
                ok = False
            if item.casefold() in seen:
                self.problem(f"field '{key}' lists {item!r} twice")
                ok = False
            seen.add(item.casefold())
            items.append(item)
        return tuple(items) if ok else None


def _is_https(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and " " not in url


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_Item = TypeVar("_Item", bound=_Named)


def _parse(
    data: dict[str, Any],
    problems: Problems,
    *,
    table: str,
    fields: tuple[str, ...],
    build: Callable[[_Entry], _Item | None],
) -> list[_Item]:
    """Validate every ``[[table]]`` entry with ``build``, adding each problem to ``problems``."""
    for key in data:
        if key != table:
            problems.add(
                f"top level, key '{key}'", f"is not known; entries go in [[{table}]] tables"
            )
    entries = data.get(table)
    if not isinstance(entries, list) or not entries:
        problems.add("top level", f"there are no [[{table}]] tables")
        entries = []
    built: list[_Item] = []
    first: dict[str, int] = {}
    for index, raw in enumerate(entries):
        where = f"entry #{index + 1}"
        if not isinstance(raw, dict):
            problems.add(where, f"should be a [[{table}]] table, not {kind_name(raw)}")
            continue
        name = raw.get("name")
        if isinstance(name, str) and name.strip():
            where = f"entry #{index + 1} ({name.strip()!r})"
        before = len(problems.items)
        for key in raw:
            if key not in fields:
                problems.add(where, f"field '{key}' is not a known field ({', '.join(fields)})")
        item = build(_Entry(raw, where, problems))
        if len(problems.items) > before or item is None:
            continue
        folded = item.name.casefold()
        if folded in first:
            problems.add(
                where, f"field 'name' repeats entry #{first[folded] + 1}; each name is listed once"
            )
            continue
        first[folded] = index
        built.append(item)
    return built


# ----------------------------------------------------------------------------- deletion guides


def _deletion_guide(entry: _Entry) -> DeletionGuide | None:
    name = entry.text("name")
    sites = entry.texts("sites")
    if sites is not None and not sites:
        entry.problem("field 'sites' is empty; list the service's names in the site catalog")
        sites = None
    url = entry.url("url")
    difficulty = entry.choice("difficulty", DIFFICULTIES)
    notes = entry.text("notes")
    email = entry.email("email")
    if name is None or sites is None or url is None or difficulty is None or notes is None:
        return None
    return DeletionGuide(name, sites, url, difficulty, notes, email)


def parse_deletion_guides(data: dict[str, Any], path: Path) -> tuple[DeletionGuide, ...]:
    """Validate a decoded deletion-guide file; raise ConfigError listing every problem."""
    problems = Problems(path, "deletion guides")
    guides = _parse(
        data,
        problems,
        table="site",
        fields=_SITE_REQUIRED + _SITE_OPTIONAL,
        build=_deletion_guide,
    )
    # A catalog name may belong to one guide only, or the lookup would be ambiguous.
    owner: dict[str, str] = {}
    for guide in guides:
        for site in guide.sites:
            other = owner.setdefault(site.casefold(), guide.name)
            if other != guide.name:
                problems.add(
                    f"entry {guide.name!r}",
                    f"field 'sites' lists {site!r}, which {other!r} already lists",
                )
    problems.raise_if_any()
    return tuple(guides)


def default_deletion_path() -> Path:
    return resources_dir() / "cleanup" / "deletion.toml"


@lru_cache(maxsize=1)
def _bundled_guides() -> tuple[DeletionGuide, ...]:
    path = default_deletion_path()
    return parse_deletion_guides(read_toml(path, "deletion guides"), path)


def load_deletion_guides(path: Path | None = None) -> tuple[DeletionGuide, ...]:
    """Every deletion guide, in file order (the bundled file, read once, by default)."""
    if path is None:
        return _bundled_guides()
    return parse_deletion_guides(read_toml(path, "deletion guides"), path)


def deletion_guide_for(site_name: str) -> DeletionGuide | None:
    """The bundled guide for a site as the catalog names it ("GitHub", "reddit"), if any.

    Names are compared without regard to case or surrounding spaces; a guide's own name
    ("Mastodon", "Discourse forums") is tried when no guide lists ``site_name`` in ``sites``.
    """
    wanted = " ".join(site_name.split()).casefold()
    if not wanted:
        return None
    guides = load_deletion_guides()
    for guide in guides:
        if any(site.casefold() == wanted for site in guide.sites):
            return guide
    for guide in guides:
        if guide.name.casefold() == wanted:
            return guide
    return None


# ----------------------------------------------------------------------------- brokers


def _broker(entry: _Entry) -> Broker | None:
    name = entry.text("name")
    search_url = entry.url("search_url")
    optout_url = entry.url("optout_url")
    priority = entry.choice("priority", PRIORITIES)
    needs = entry.texts("needs", allowed=NEEDS)
    expect = entry.text("expect")
    owner = entry.text("owner", required=False)
    if (
        name is None
        or search_url is None
        or optout_url is None
        or priority is None
        or needs is None
        or expect is None
    ):
        return None
    return Broker(name, search_url, optout_url, priority, needs, expect, owner)


def parse_brokers(data: dict[str, Any], path: Path) -> tuple[Broker, ...]:
    """Validate a decoded broker file; raise ConfigError listing every problem."""
    problems = Problems(path, "data-broker entries")
    brokers = _parse(
        data,
        problems,
        table="broker",
        fields=_BROKER_REQUIRED + _BROKER_OPTIONAL,
        build=_broker,
    )
    problems.raise_if_any()
    return tuple(brokers)


def default_brokers_path() -> Path:
    return resources_dir() / "cleanup" / "brokers.toml"


@lru_cache(maxsize=1)
def _bundled_brokers() -> tuple[Broker, ...]:
    path = default_brokers_path()
    return parse_brokers(read_toml(path, "data-broker entries"), path)


def load_brokers(path: Path | None = None) -> tuple[Broker, ...]:
    """Every broker, in file order (crucial ones first in the bundled file)."""
    if path is None:
        return _bundled_brokers()
    return parse_brokers(read_toml(path, "data-broker entries"), path)


# ----------------------------------------------------------------------------- letters


def letters_dir() -> Path:
    return resources_dir() / "cleanup" / "letters"


def letter_template(kind: str, path: Path | None = None) -> str:
    """The template text for ``kind`` ("gdpr" or "ccpa"), checked for unknown placeholders."""
    if kind not in LETTER_FILES:
        raise InputError(
            f"{kind!r} is not a kind of deletion letter footprint can write.",
            hint=f"Use one of: {', '.join(LETTER_FILES)}.",
        )
    path = path or letters_dir() / LETTER_FILES[kind]
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"The {kind.upper()} letter template is missing: there is no {path.name} "
            f"at {path.parent}.",
            hint="Reinstall footprint.",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"The {kind.upper()} letter template {path} could not be read: {exc}.",
            details=str(exc),
        ) from exc
    problems = Problems(path, "letter placeholders")
    found: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _PLACEHOLDER_RE.finditer(line):
            field = match.group(1)
            if field not in PLACEHOLDERS:
                problems.add(
                    f"line {number}",
                    f"{{{field}}} is not a known placeholder ({', '.join(PLACEHOLDERS)})",
                )
            found.add(field)
        rest = _PLACEHOLDER_RE.sub("", line)
        if "{" in rest or "}" in rest:
            problems.add(f"line {number}", "has an unmatched brace")
    for field in ("company", "name"):
        if field not in found:
            problems.add("the template", f"never uses {{{field}}}")
    problems.raise_if_any()
    return text


def _long_date(day: date, kind: str) -> str:
    month = _MONTHS[day.month - 1]
    if kind == "ccpa":
        return f"{month} {day.day}, {day.year}"  # US style
    return f"{day.day} {month} {day.year}"


def _listing(values: Sequence[str]) -> str:
    lines = [f"  - {v}" for v in (" ".join(str(v).split()) for v in values) if v]
    return "\n".join(lines) if lines else f"  {_NONE_GIVEN}"


def render_letter(
    kind: LetterKind,
    company: str,
    profile: Profile,
    *,
    accounts: Sequence[str] = (),
    today: date | None = None,
) -> str:
    """A deletion-request letter to ``company``, filled from the person's profile.

    ``kind`` is "gdpr" (Article 17 GDPR) or "ccpa" (Cal. Civ. Code § 1798.105).  The letter
    names the person (the profile's first name), lists their emails and usernames, the
    ``accounts`` given (profile URLs or account names at that company), and their places,
    so the company can find the data; phone numbers are left out on purpose.  Lists that are
    empty read "(none given)"; a line holding only an empty value is dropped.  The result
    never contains a ``{placeholder}``.
    """
    company = " ".join(company.split())
    if not company:
        raise InputError(
            "A deletion letter needs the name of the company it goes to.",
            hint="Type the company's name, for example: Example Inc.",
        )
    template = letter_template(kind)
    names = [" ".join(n.split()) for n in profile.of("name") if n.strip()]
    places = [" ".join(p.split()) for p in profile.of("place") if p.strip()]
    values = {
        "date": _long_date(today or date.today(), kind),
        "company": company,
        "name": names[0] if names else _NO_NAME,
        "emails": _listing(profile.of("email")),
        "usernames": _listing(profile.of("username")),
        "accounts": _listing(accounts),
        "address_line": f"Where I live: {'; '.join(places)}" if places else "",
    }
    lines: list[str] = []
    for line in template.splitlines():
        match = _PLACEHOLDER_RE.fullmatch(line.strip())
        if match and not values[match.group(1)]:
            continue  # a line holding only an empty value
        lines.append(_PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], line))
    return "\n".join(lines).rstrip() + "\n"


# ----------------------------------------------------------------------------- progress


def broker_states(store: Any) -> dict[str, str]:
    """Which opt-outs the person has done: broker name -> "done" (others are to do)."""
    return {
        target: state
        for target, state in store.conn.execute(
            "SELECT target, state FROM cleanup_actions WHERE action = 'broker' AND state = 'done'"
        )
    }


def mark_broker(store: Any, name: str, done: bool) -> Broker:
    """Tick (or untick) the opt-out from one people-search site; kept in the audit log."""
    from footprint.store.database import utcnow

    wanted = name.strip().casefold()
    broker = next((b for b in load_brokers() if b.name.casefold() == wanted), None)
    if broker is None:
        raise InputError(
            f"footprint does not know a people-search site called {name!r}.",
            hint="See the list: footprint cleanup brokers",
        )
    now = utcnow()
    state = "done" if done else "cancelled"
    with store.transaction() as db:
        db.conn.execute(
            "INSERT INTO cleanup_actions (key, platform, action, target, state, created_at, "
            "updated_at, done_at) VALUES (?, 'broker', 'broker', ?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET state = excluded.state, "
            "updated_at = excluded.updated_at, done_at = excluded.done_at",
            (f"broker:{broker.name}", broker.name, state, now, now, now if done else None),
        )
        db.conn.execute(
            "INSERT INTO audit_log (at, actor, action, details) VALUES (?, 'user', "
            "'cleanup.broker', ?)",
            (now, json.dumps({"broker": broker.name, "state": state})),
        )
    return broker


def found_accounts(store: Any) -> list[tuple[str, str, str | None, DeletionGuide | None]]:
    """Accounts a sweep found and the person said are theirs: (site, username, url, guide)."""
    rows = store.conn.execute(
        "SELECT COALESCE(display_name, platform), handle, url FROM accounts "
        "WHERE connection = 'sweep' ORDER BY 1"
    ).fetchall()
    return [(site, handle, url, deletion_guide_for(site)) for site, handle, url in rows]
