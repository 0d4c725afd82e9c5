"""Site catalogs in the WhatsMyName schema: load, validate, merge.

A catalog is a JSON object with ``sites`` (and, in WhatsMyName's own file, ``license``,
``authors`` and ``categories``).  Every site carries a two-sided check: the account
exists iff the response status equals ``e_code`` and the body contains ``e_string``; it
is missing iff the status equals ``m_code`` and the body contains ``m_string``; an empty
string means the status code alone decides.  Validation follows WhatsMyName's JSON
Schema (``additionalProperties: false``) and names the site and the field at fault.

footprint's own catalog adds one object per site, ``footprint``, with our category, how
much an employer would care, and the deletion and privacy pages the cleanup guides use.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from footprint.errors import FootprintError

# WhatsMyName's category enum (wmn-data-schema.json).
WMN_CATEGORIES = (
    "archived",
    "art",
    "blog",
    "business",
    "coding",
    "dating",
    "finance",
    "gaming",
    "health",
    "hobby",
    "images",
    "misc",
    "music",
    "news",
    "political",
    "search",
    "shopping",
    "social",
    "tech",
    "video",
    "xx NSFW xx",
)
PROTECTIONS = (
    "anubis",
    "captcha",
    "cloudflare",
    "cloudfront",
    "ddos-guard",
    "multiple",
    "other",
    "user-agent",
    "user-auth",
)
# footprint's extension: what kind of site it is for our users, and how much it matters.
FP_CATEGORIES = (
    "social",
    "professional",
    "creative",
    "developer",
    "gaming",
    "dating",
    "forum",
    "video",
    "music",
    "writing",
    "shopping",
    "finance",
    "adult",
    "people_search",
    "q_and_a",
    "fitness",
    "photo",
    "other",
)
RELEVANCE = ("high", "medium", "low")
DIFFICULTY = ("easy", "medium", "hard", "impossible")

_SITE_KEYS = (
    "name",
    "uri_check",
    "uri_pretty",
    "post_body",
    "headers",
    "strip_bad_char",
    "e_code",
    "e_string",
    "m_string",
    "m_code",
    "known",
    "cat",
    "valid",
    "protection",
    "footprint",
)
_REQUIRED = ("name", "uri_check", "e_code", "e_string", "m_string", "m_code", "known", "cat")
_META_KEYS = ("category", "relevance", "delete_url", "privacy_url", "deletion")
PLACEHOLDER = "{account}"
# What a username may contain: letters and digits in any script plus a few punctuation
# marks sites allow.  Nothing that could break out of a URL path or a request body.
USERNAME_RE = re.compile(r"^[\w.\-+@~!$']{1,64}$")


class CatalogError(FootprintError):
    title = "The site catalog is not valid"


@dataclass(frozen=True)
class SiteMeta:
    """footprint's extension: our category, employer relevance, cleanup pages."""

    category: str = "other"
    relevance: str = "low"
    delete_url: str | None = None
    privacy_url: str | None = None
    difficulty: str | None = None
    notes: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"category": self.category, "relevance": self.relevance}
        if self.delete_url:
            out["delete_url"] = self.delete_url
        if self.privacy_url:
            out["privacy_url"] = self.privacy_url
        if self.difficulty or self.notes:
            deletion: dict[str, str] = {}
            if self.difficulty:
                deletion["difficulty"] = self.difficulty
            if self.notes:
                deletion["notes"] = self.notes
            out["deletion"] = deletion
        return out


@dataclass(frozen=True)
class Site:
    name: str
    uri_check: str
    e_code: int
    e_string: str
    m_code: int
    m_string: str
    known: tuple[str, ...]
    cat: str
    uri_pretty: str | None = None
    post_body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    strip_bad_char: str = ""
    valid: bool = True
    protection: tuple[str, ...] = ()
    meta: SiteMeta | None = None
    source: str = ""

    @property
    def key(self) -> str:
        return site_key(self.name)

    @property
    def host(self) -> str:
        return urlsplit(self.uri_check).netloc.lower()

    @property
    def method(self) -> str:
        return "POST" if self.post_body is not None else "GET"

    @property
    def check_hash(self) -> str:
        """A digest of everything that decides a verdict: canary results are cached by it."""
        fields = [
            self.uri_check,
            self.post_body or "",
            json.dumps(self.headers),
            self.strip_bad_char,
            str(self.e_code),
            self.e_string,
            str(self.m_code),
            self.m_string,
        ]
        return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:16]

    def account(self, username: str) -> str:
        """The username as this site wants it (``strip_bad_char`` removed)."""
        if not self.strip_bad_char:
            return username
        return username.translate({ord(c): None for c in self.strip_bad_char})

    def check_url(self, username: str) -> str:
        return self.uri_check.replace(PLACEHOLDER, quote(self.account(username), safe="@~!$'"))

    def pretty_url(self, username: str) -> str:
        template = self.uri_pretty or self.uri_check
        return template.replace(PLACEHOLDER, quote(self.account(username), safe="@~!$'"))

    def body(self, username: str) -> bytes | None:
        if self.post_body is None:
            return None
        return self.post_body.replace(PLACEHOLDER, self.account(username)).encode()

    def as_wmn(self) -> dict[str, Any]:
        """The site as a WhatsMyName-schema object (with our extension when present)."""
        out: dict[str, Any] = {"name": self.name, "uri_check": self.uri_check}
        if self.uri_pretty:
            out["uri_pretty"] = self.uri_pretty
        if self.post_body is not None:
            out["post_body"] = self.post_body
        if self.headers:
            out["headers"] = dict(self.headers)
        if self.strip_bad_char:
            out["strip_bad_char"] = self.strip_bad_char
        out.update(
            e_code=self.e_code,
            e_string=self.e_string,
            m_string=self.m_string,
            m_code=self.m_code,
            known=list(self.known),
            cat=self.cat,
        )
        if not self.valid:
            out["valid"] = False
        if self.protection:
            out["protection"] = list(self.protection)
        if self.meta:
            out["footprint"] = self.meta.as_dict()
        return out


@dataclass(frozen=True)
class Source:
    """Where a catalog came from, and the attribution it must be shown with."""

    label: str
    path: str | None
    sha256: str
    site_count: int
    license: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalog:
    sites: tuple[Site, ...]
    sources: tuple[Source, ...] = ()
    _index: dict[str, Site] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({s.key: s for s in self.sites})

    def __len__(self) -> int:
        return len(self.sites)

    def get(self, name: str) -> Site | None:
        return self._index.get(site_key(name))

    @property
    def usable(self) -> tuple[Site, ...]:
        """Sites a sweep checks: those not marked ``valid: false``."""
        return tuple(s for s in self.sites if s.valid)

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for site in sorted(self.sites, key=lambda s: s.key):  # order does not matter
            digest.update(site.name.encode() + b"\0" + site.check_hash.encode())
        return digest.hexdigest()[:16]

    def select(self, names: Iterable[str] = (), categories: Iterable[str] = ()) -> tuple[Site, ...]:
        wanted = {site_key(n) for n in names}
        cats = set(categories)
        chosen = []
        for site in self.usable:
            if wanted and site.key not in wanted:
                continue
            if cats and not ({site.cat, site.meta.category if site.meta else ""} & cats):
                continue
            chosen.append(site)
        return tuple(chosen)


def site_key(name: str) -> str:
    """Names match across catalogs ignoring case, spaces and punctuation."""
    return "".join(ch for ch in name.casefold() if ch.isalnum()) or name.casefold()


def valid_username(username: str) -> bool:
    return bool(USERNAME_RE.fullmatch(username))


# ----------------------------------------------------------------- validation


class _Errors:
    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, site: str, fieldname: str, problem: str) -> None:
        self.items.append(f"site {site!r}, field {fieldname!r}: {problem}")

    def raise_if_any(self) -> None:
        if not self.items:
            return
        shown = "\n".join(f"  - {e}" for e in self.items[:10])
        more = f"\n  ... and {len(self.items) - 10} more" if len(self.items) > 10 else ""
        raise CatalogError(
            f"{self.source} is not a valid site catalog "
            f"({len(self.items)} problem{'s' if len(self.items) != 1 else ''}):\n{shown}{more}",
            hint="Fix the file or use another one; nothing was changed.",
        )


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _code(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599


def _parse_meta(raw: Any, name: str, errors: _Errors) -> SiteMeta | None:
    if not isinstance(raw, dict):
        errors.add(name, "footprint", "must be an object")
        return None
    for key in raw:
        if key not in _META_KEYS:
            errors.add(name, f"footprint.{key}", "is not a known field")
    category = raw.get("category", "other")
    if category not in FP_CATEGORIES:
        errors.add(name, "footprint.category", f"must be one of {', '.join(FP_CATEGORIES)}")
    relevance = raw.get("relevance", "low")
    if relevance not in RELEVANCE:
        errors.add(name, "footprint.relevance", "must be high, medium or low")
    urls: dict[str, str | None] = {}
    for key in ("delete_url", "privacy_url"):
        value = raw.get(key)
        if value is not None and not (isinstance(value, str) and _is_url(value)):
            errors.add(name, f"footprint.{key}", "must be an http(s) URL")
            value = None
        urls[key] = value
    deletion = raw.get("deletion", {})
    difficulty = notes = None
    if not isinstance(deletion, dict):
        errors.add(name, "footprint.deletion", "must be an object")
    else:
        for key in deletion:
            if key not in ("difficulty", "notes"):
                errors.add(name, f"footprint.deletion.{key}", "is not a known field")
        difficulty = deletion.get("difficulty")
        if difficulty is not None and difficulty not in DIFFICULTY:
            errors.add(name, "footprint.deletion.difficulty", f"must be one of {DIFFICULTY}")
        notes = deletion.get("notes")
        if notes is not None and not isinstance(notes, str):
            errors.add(name, "footprint.deletion.notes", "must be text")
    return SiteMeta(
        category=str(category),
        relevance=str(relevance),
        delete_url=urls["delete_url"],
        privacy_url=urls["privacy_url"],
        difficulty=difficulty,
        notes=notes,
    )


def parse_site(
    raw: Any, index: int, errors: _Errors, categories: Sequence[str], source: str
) -> Site | None:
    """One site object -> :class:`Site`, or ``None`` with its problems added to ``errors``."""
    if not isinstance(raw, dict):
        errors.add(f"#{index + 1}", "(site)", "must be an object")
        return None
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.add(f"#{index + 1}", "name", "is required and must be text")
        return None
    before = len(errors.items)
    for key in raw:
        if key not in _SITE_KEYS:
            errors.add(name, key, "is not a field of the WhatsMyName schema")
    for key in _REQUIRED:
        if key not in raw:
            errors.add(name, key, "is required")
    if len(errors.items) > before:
        return None

    for key in ("uri_check", "uri_pretty"):
        value = raw.get(key)
        if value is None and key == "uri_pretty":
            continue
        if not isinstance(value, str) or not _is_url(value):
            errors.add(name, key, "must be an http(s) URL")
    post_body = raw.get("post_body")
    headers_raw = raw.get("headers")
    if post_body is not None:
        if not isinstance(post_body, str):
            errors.add(name, "post_body", "must be text")
        elif headers_raw is None:
            errors.add(name, "headers", "is required when post_body is given")
    uri_check = raw.get("uri_check")
    body_has_it = isinstance(post_body, str) and PLACEHOLDER in post_body
    if isinstance(uri_check, str) and PLACEHOLDER not in uri_check and not body_has_it:
        errors.add(name, "uri_check", "must contain {account} (or post_body must)")
    uri_pretty = raw.get("uri_pretty")
    if isinstance(uri_pretty, str) and PLACEHOLDER not in uri_pretty:
        errors.add(name, "uri_pretty", "must contain {account}")
    headers: tuple[tuple[str, str], ...] = ()
    if headers_raw is not None:
        if (
            not isinstance(headers_raw, dict)
            or not headers_raw
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers_raw.items())
        ):
            errors.add(name, "headers", "must be a non-empty object of text values")
        else:
            bad = [k for k, v in headers_raw.items() if "\n" in k + v or "\r" in k + v]
            if bad:
                errors.add(name, "headers", f"contains a line break ({bad[0]!r})")
            headers = tuple(sorted(headers_raw.items()))
    for key in ("e_code", "m_code"):
        if not _code(raw.get(key)):
            errors.add(name, key, f"must be an HTTP status from 100 to 599 (got {raw.get(key)!r})")
    for key in ("e_string", "m_string"):
        if not isinstance(raw.get(key), str):
            errors.add(name, key, "must be text (an empty string means the status decides)")
    strip = raw.get("strip_bad_char", "")
    if not isinstance(strip, str):
        errors.add(name, "strip_bad_char", "must be text")
    known = raw.get("known")
    if not isinstance(known, list) or not known or not all(isinstance(k, str) and k for k in known):
        errors.add(name, "known", "must be a non-empty list of usernames")
    elif len(set(known)) != len(known):
        errors.add(name, "known", "has duplicates")
    cat = raw.get("cat")
    if cat not in categories:
        errors.add(name, "cat", f"{cat!r} is not one of the catalog's categories")
    valid = raw.get("valid", True)
    if not isinstance(valid, bool):
        errors.add(name, "valid", "must be true or false")
    protection = raw.get("protection", [])
    if not isinstance(protection, list) or not all(p in PROTECTIONS for p in protection):
        errors.add(name, "protection", f"must be a list drawn from {', '.join(PROTECTIONS)}")
    elif len(set(protection)) != len(protection):
        errors.add(name, "protection", "has duplicates")
    if (
        _code(raw.get("e_code"))
        and raw.get("e_code") == raw.get("m_code")
        and raw.get("e_string") == raw.get("m_string")
    ):
        errors.add(
            name, "m_string", "equals e_string with the same status: the check cannot decide"
        )
    meta = _parse_meta(raw["footprint"], name, errors) if "footprint" in raw else None
    if len(errors.items) > before:
        return None
    return Site(
        name=name.strip(),
        uri_check=str(uri_check),
        e_code=int(raw["e_code"]),
        e_string=raw["e_string"],
        m_code=int(raw["m_code"]),
        m_string=raw["m_string"],
        known=tuple(known or ()),
        cat=str(cat),
        uri_pretty=uri_pretty,
        post_body=post_body,
        headers=headers,
        strip_bad_char=strip,
        valid=valid,
        protection=tuple(protection),
        meta=meta,
        source=source,
    )


def parse_catalog(data: Any, *, label: str, path: str | None = None, sha256: str = "") -> Catalog:
    """Validate a decoded catalog document; raise :class:`CatalogError` naming every problem."""
    errors = _Errors(label)
    if isinstance(data, list):  # a bare list of sites is accepted too
        data = {"sites": data}
    if not isinstance(data, dict) or not isinstance(data.get("sites"), list):
        raise CatalogError(
            f"{label} is not a site catalog: it needs a list called 'sites'.",
            hint="Use a file in the WhatsMyName format (wmn-data.json).",
        )
    for key in data:
        if key not in ("license", "authors", "categories", "sites", "$schema"):
            errors.add("(catalog)", key, "is not a top-level field of the WhatsMyName schema")
    declared = data.get("categories")
    categories: Sequence[str] = WMN_CATEGORIES
    if declared is not None:
        if not isinstance(declared, list) or not all(isinstance(c, str) for c in declared):
            errors.add("(catalog)", "categories", "must be a list of names")
        else:
            categories = declared
    license_ = data.get("license", [])
    authors = data.get("authors", [])
    for key, value in (("license", license_), ("authors", authors)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors.add("(catalog)", key, "must be a list of text lines")
    sites: list[Site] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(data["sites"]):
        site = parse_site(raw, index, errors, categories, label)
        if site is None:
            continue
        if site.key in seen:
            errors.add(site.name, "name", f"duplicates the site {seen[site.key]!r}")
            continue
        seen[site.key] = site.name
        sites.append(site)
    errors.raise_if_any()
    source = Source(
        label=label,
        path=path,
        sha256=sha256,
        site_count=len(sites),
        license=tuple(license_) if isinstance(license_, list) else (),
        authors=tuple(authors) if isinstance(authors, list) else (),
    )
    return Catalog(tuple(sites), (source,))


def parse_bytes(raw: bytes, *, label: str, path: str | None = None) -> Catalog:
    sha = hashlib.sha256(raw).hexdigest()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{label} is not UTF-8 text ({exc.reason}).") from None
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"{label} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    return parse_catalog(data, label=label, path=path, sha256=sha)


def load_catalog(path: Path | str, *, label: str | None = None) -> Catalog:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(f"There is no catalog file at {path}.") from None
    except OSError as exc:
        raise CatalogError(f"The catalog {path} could not be read: {exc.strerror}.") from None
    return parse_bytes(raw, label=label or path.name, path=str(path))


def merge(catalogs: Sequence[Catalog]) -> Catalog:
    """Combine catalogs: later ones win for a site's check; footprint's notes are kept.

    Sites match by name ignoring case and punctuation.  When a later catalog redefines
    a site without our ``footprint`` extension, the earlier extension stays attached.
    """
    merged: dict[str, Site] = {}
    for catalog in catalogs:
        for site in catalog.sites:
            old = merged.get(site.key)
            if old is not None and site.meta is None and old.meta is not None:
                site = replace(site, meta=old.meta)
            merged[site.key] = site
    sources = tuple(s for c in catalogs for s in c.sources)
    ordered = sorted(merged.values(), key=lambda s: s.name.casefold())
    return Catalog(tuple(ordered), sources)
