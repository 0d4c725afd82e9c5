"""The checklist's rules, read from TOML files in resources/checklist and validated on load.

Every mistake in a rule file becomes a ConfigError naming the file, the rule and the key, so
a rule author (or a person adding their own keywords) knows exactly what to fix.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from footprint.checklist.text import plain
from footprint.errors import ConfigError
from footprint.paths import resources_dir

SEVERITIES = ("info", "low", "medium", "high", "critical")
GROUPS = ("content", "personal_data", "protected_trait", "account", "settings", "security")
CONTEXT_EFFECTS = ("ignore", "downgrade", "suppress")
CONTEXTS = ("negated", "quoted", "lyrics", "news")
# Built-in detectors that personal_data.toml can configure.
DETECTORS = (
    "phone",
    "email",
    "street_address",
    "postcode",
    "birthdate",
    "card_number",
    "us_ssn",
    "uk_nino",
    "iban",
    "licence_plate",
    "booking_code",
    "boarding_pass",
    "coordinates",
    "ip_address",
    "checkin",
    "login_ips",
    "own_identifier",
)
ACCOUNT_CHECKS = (
    "dormant",
    "forgotten_profile",
    "possible_profile",
    "real_name_linked",
    "username_links_sites",
    "breached_email",
    "gravatar_profile",
    "search_yourself",
)
WORD_RE = re.compile(r"^[a-z0-9]+$")

T = TypeVar("T")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


class _Table:
    """One TOML table being read: typed getters and a complaint about leftover keys."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected a table, found {type(data).__name__}.")
        self.data = dict(data)
        self.where = where

    def error(self, message: str) -> ConfigError:
        return ConfigError(
            f"Checklist rules are invalid: {self.where}: {message}",
            hint="Fix the rule file, or remove it to use the built-in rules.",
        )

    def get(self, key: str, kind: type[T], default: T | None = None, required: bool = False) -> T:
        if key not in self.data:
            if required or default is None:
                raise self.error(f"'{key}' is missing.")
            return default
        value = self.data.pop(key)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(f"'{key}' should be a {kind.__name__}, not {type(value).__name__}.")
        return value

    def strings(self, key: str) -> list[str]:
        values = self.get(key, list, [])
        for value in values:
            if not isinstance(value, str) or not value.strip():
                raise self.error(f"'{key}' should list non-empty strings; found {value!r}.")
        return [v.strip() for v in values]

    def choice(self, key: str, options: Iterable[str], default: str | None = None) -> str:
        value = self.get(key, str, default)
        if value not in options:
            raise self.error(f"'{key}' is {value!r}; expected one of {', '.join(options)}.")
        return value

    def regex(self, pattern: str, key: str) -> re.Pattern[str]:
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise self.error(
                f"'{key}' is not a valid regular expression ({exc}): {pattern!r}"
            ) from exc

    def done(self) -> None:
        if self.data:
            raise self.error(f"unknown key(s): {', '.join(sorted(self.data))}.")


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    group: str
    why: str
    vendor: str = ""
    gentle: bool = False  # self-harm: wording that points to help, never "delete this"
    # False: shown and tracked, but not part of the score (which is about what a screener
    # sees; a leaked password is a danger to you, not something an employer reads).
    scored: bool = True
    effects: dict[str, str] = field(default_factory=dict)  # context -> effect


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    anchors: tuple[str, ...]


@dataclass(frozen=True)
class Near:
    words: frozenset[str]
    window: int


@dataclass(frozen=True)
class ContentRule:
    id: str
    category: str
    severity: str
    why: str
    terms: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    near: Near | None = None
    source: str = ""


@dataclass(frozen=True)
class Detector:
    id: str
    kind: str
    severity: str
    why: str
    own_severity: str | None = None
    title: str = ""


@dataclass(frozen=True)
class SettingRule:
    id: str
    platform: str
    key: str
    loose: tuple[str, ...]
    safe: str
    severity: str
    title: str
    exposes: str
    auto_fix: bool
    deep_link: str
    label: str = ""  # the setting's name as the platform shows it

    @property
    def name(self) -> str:
        return self.label or self.key


@dataclass(frozen=True)
class AccountRule:
    id: str
    check: str
    severity: str
    why: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    negators: frozenset[str]
    negation_window: int
    lyrics_markers: tuple[str, ...]
    news_markers: tuple[str, ...]
    second_person: frozenset[str]


@dataclass(frozen=True)
class ScoreModel:
    weights: dict[str, float]
    visibility: dict[str, float]
    recency: tuple[tuple[float, float], ...]  # (max age in years, factor), ascending
    scale: float


@dataclass
class RuleSet:
    categories: dict[str, Category]
    content: list[ContentRule]
    allow: dict[str, list[re.Pattern[str]]]
    detectors: dict[str, Detector]
    phone_regions: tuple[str, ...]
    settings: list[SettingRule]
    accounts: list[AccountRule]
    context: Context
    score: ScoreModel
    model_threshold: float
    model_category: str
    fingerprint: str
    files: list[Path]

    def category(self, category_id: str) -> Category:
        return self.categories[category_id]


def _parse_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"Checklist rules are invalid: {path.name} is not valid TOML ({exc}).",
            hint="Fix the rule file, or remove it to use the built-in rules.",
        ) from exc
    except OSError as exc:
        raise ConfigError(f"Checklist rules could not be read: {path}", details=str(exc)) from exc


def _categories(data: dict[str, Any], name: str) -> dict[str, Category]:
    out: dict[str, Category] = {}
    for index, raw in enumerate(data.pop("category", [])):
        t = _Table(raw, f"{name} category #{index + 1}")
        cid = t.get("id", str, required=True)
        t.where = f"{name} category '{cid}'"
        effects = {c: t.choice(c, CONTEXT_EFFECTS, "ignore") for c in CONTEXTS}
        category = Category(
            id=cid,
            name=t.get("name", str, required=True),
            group=t.choice("group", GROUPS),
            why=t.get("why", str, required=True),
            vendor=t.get("vendor", str, ""),
            gentle=t.get("gentle", bool, False),
            scored=t.get("scored", bool, True),
            effects=effects,
        )
        t.done()
        if cid in out:
            raise t.error("defined twice.")
        out[cid] = category
    if data:
        raise _Table({}, name).error(f"unknown key(s): {', '.join(sorted(data))}.")
    return out


def _words(t: _Table, key: str, phrase: bool) -> list[str]:
    words = [" ".join(plain(w.lower()).split()) for w in t.strings(key)]
    for word in words:
        parts = word.split()
        if (len(parts) > 1) != phrase or not all(WORD_RE.match(p) for p in parts):
            kind = "phrases of two or more plain words" if phrase else "single words (a-z, 0-9)"
            raise t.error(f"'{key}' should list {kind}; {word!r} is not one.")
    return words


def _content_file(
    data: dict[str, Any], name: str, categories: dict[str, Category], rule_ids: set[str]
) -> tuple[str, list[ContentRule], list[re.Pattern[str]]]:
    top = _Table(data, name)
    category_id = top.get("category", str, required=True)
    if category_id not in categories:
        raise top.error(f"category {category_id!r} is not defined in categories.toml.")
    category = categories[category_id]
    rules = []
    for index, raw in enumerate(top.get("rule", list, [])):
        t = _Table(raw, f"{name} rule #{index + 1}")
        rid = t.get("id", str, required=True)
        t.where = f"{name} rule '{rid}'"
        if rid in rule_ids:
            raise t.error("this rule id is used twice.")
        rule_ids.add(rid)
        severity = t.choice("severity", SEVERITIES)
        if category.group == "protected_trait" and severity != "info":
            raise t.error("protected-trait rules are informational: severity must be 'info'.")
        patterns = []
        for p_index, p_raw in enumerate(t.get("patterns", list, [])):
            pt = _Table(p_raw, f"{t.where} pattern #{p_index + 1}")
            regex = pt.regex(pt.get("regex", str, required=True), "regex")
            anchors = tuple(_words(pt, "anchors", phrase=False))
            if not anchors:
                raise pt.error(
                    "'anchors' needs at least one word the pattern cannot match without."
                )
            pt.done()
            patterns.append(Pattern(regex, anchors))
        near = None
        if "near" in t.data:
            nt = _Table(t.data.pop("near"), f"{t.where} near")
            near_words = [w.lower() for w in nt.strings("words")]
            near = Near(frozenset(near_words), nt.get("window", int, 4))
            nt.done()
        rule = ContentRule(
            id=rid,
            category=category_id,
            severity=severity,
            why=t.get("why", str, required=True),
            terms=tuple(_words(t, "terms", phrase=False)),
            exact=tuple(_words(t, "exact", phrase=False)),
            phrases=tuple(_words(t, "phrases", phrase=True)),
            patterns=tuple(patterns),
            near=near,
            source=name,
        )
        t.done()
        if not (rule.terms or rule.exact or rule.phrases or rule.patterns):
            raise t.error("a rule needs terms, exact, phrases or patterns.")
        rules.append(rule)
    allow = []
    for index, raw in enumerate(top.get("allow", list, [])):
        at = _Table(raw, f"{name} allow #{index + 1}")
        allow.append(at.regex(at.get("regex", str, required=True), "regex"))
        at.get("note", str, "")
        at.done()
    top.done()
    return category_id, rules, allow


def _detectors(data: dict[str, Any], name: str) -> tuple[dict[str, Detector], tuple[str, ...]]:
    top = _Table(data, name)
    phone = _Table(top.get("phone", dict, {}), f"{name} [phone]")
    regions = tuple(r.upper() for r in phone.strings("regions"))
    phone.done()
    detectors: dict[str, Detector] = {}
    for index, raw in enumerate(top.get("detector", list, [])):
        t = _Table(raw, f"{name} detector #{index + 1}")
        did = t.get("id", str, required=True)
        t.where = f"{name} detector '{did}'"
        kind = t.choice("kind", DETECTORS)
        own = t.get("own_severity", str, "")
        if own and own not in SEVERITIES:
            raise t.error(f"'own_severity' is {own!r}; expected one of {', '.join(SEVERITIES)}.")
        detector = Detector(
            id=did,
            kind=kind,
            severity=t.choice("severity", SEVERITIES),
            why=t.get("why", str, required=True),
            own_severity=own or None,
            title=t.get("title", str, required=True),
        )
        t.done()
        if kind in detectors:
            raise t.error(f"a second detector of kind {kind!r}.")
        detectors[kind] = detector
    top.done()
    return detectors, regions


def _settings(data: dict[str, Any], name: str) -> list[SettingRule]:
    top = _Table(data, name)
    out = []
    for index, raw in enumerate(top.get("setting", list, [])):
        t = _Table(raw, f"{name} setting #{index + 1}")
        sid = t.get("id", str, required=True)
        t.where = f"{name} setting '{sid}'"
        out.append(
            SettingRule(
                id=sid,
                platform=t.get("platform", str, required=True),
                key=t.get("key", str, required=True),
                loose=tuple(v.lower() for v in t.strings("loose")),
                safe=t.get("safe", str, required=True),
                severity=t.choice("severity", SEVERITIES),
                title=t.get("title", str, required=True),
                exposes=t.get("exposes", str, required=True),
                auto_fix=t.get("auto_fix", bool, False),
                deep_link=t.get("deep_link", str, required=True),
                label=t.get("label", str, ""),
            )
        )
        t.done()
        if not out[-1].loose:
            raise t.error("'loose' needs at least one value.")
    top.done()
    return out


def _accounts(data: dict[str, Any], name: str) -> list[AccountRule]:
    top = _Table(data, name)
    out = []
    for index, raw in enumerate(top.get("rule", list, [])):
        t = _Table(raw, f"{name} rule #{index + 1}")
        rid = t.get("id", str, required=True)
        t.where = f"{name} rule '{rid}'"
        check = t.choice("check", ACCOUNT_CHECKS)
        severity = t.choice("severity", SEVERITIES)
        why = t.get("why", str, required=True)
        params = t.get("params", dict, {})
        t.done()
        out.append(AccountRule(rid, check, severity, why, params))
    top.done()
    return out


def _context(data: dict[str, Any], name: str) -> tuple[Context, ScoreModel, float, str]:
    top = _Table(data, name)
    t = _Table(top.get("context", dict, required=True), f"{name} [context]")
    context = Context(
        negators=frozenset(w.lower() for w in t.strings("negators")),
        negation_window=t.get("negation_window", int, 3),
        lyrics_markers=tuple(m.lower() for m in t.strings("lyrics_markers")),
        news_markers=tuple(m.lower() for m in t.strings("news_markers")),
        second_person=frozenset(w.lower() for w in t.strings("second_person")),
    )
    t.done()
    s = _Table(top.get("score", dict, required=True), f"{name} [score]")
    weights = s.get("severity_weight", dict, required=True)
    visibility = s.get("visibility", dict, required=True)
    recency_raw = s.get("recency", list, required=True)
    scale = s.get("scale", float, required=True)
    s.done()
    if set(weights) != set(SEVERITIES) or not all(
        isinstance(v, int | float) and v >= 0 for v in weights.values()
    ):
        raise s.error("'severity_weight' needs a number >= 0 for each of " + ", ".join(SEVERITIES))
    if "unknown" not in visibility or not all(
        isinstance(v, int | float) and 0 <= v <= 1 for v in visibility.values()
    ):
        raise s.error("'visibility' needs factors between 0 and 1, including 'unknown'.")
    try:
        recency = tuple(sorted((float(a), float(f)) for a, f in recency_raw))
    except (TypeError, ValueError) as exc:
        raise s.error("'recency' should list [max_age_years, factor] pairs.") from exc
    if scale <= 0:
        raise s.error("'scale' must be positive.")
    score = ScoreModel(
        {k: float(v) for k, v in weights.items()},
        {k: float(v) for k, v in visibility.items()},
        recency,
        scale,
    )
    m = _Table(top.get("model", dict, required=True), f"{name} [model]")
    threshold = m.get("threshold", float, required=True)
    model_category = m.get("category", str, required=True)
    m.done()
    if not 0.5 <= threshold < 1:
        raise m.error("'threshold' should be between 0.5 and 1.")
    top.done()
    return context, score, threshold, model_category


def _checked(path: Path, reader: Callable[[dict[str, Any], str], T], name: str | None = None) -> T:
    return reader(_parse_toml(path), name or path.name)


def load_ruleset(root: Path | None = None, extra: Iterable[Path] = ()) -> RuleSet:
    """Read and validate every rule file under ``root`` (the bundled rules by default).

    ``extra`` adds content rule files of the person's own (custom keywords)."""
    root = root or resources_dir() / "checklist"
    if not (root / "categories.toml").is_file():
        raise ConfigError(
            f"The checklist rules are missing from {root}.", hint="Reinstall footprint."
        )
    files = [root / "categories.toml", root / "context.toml"]
    categories = _checked(files[0], _categories)
    context, score, threshold, model_category = _checked(files[1], _context)
    if model_category not in categories:
        raise ConfigError(f"context.toml [model]: unknown category {model_category!r}.")
    content: list[ContentRule] = []
    allow: dict[str, list[re.Pattern[str]]] = {}
    rule_ids: set[str] = set()
    content_files = sorted((root / "content").glob("*.toml")) + sorted(extra)
    for path in content_files:
        name = f"content/{path.name}" if path.parent == root / "content" else str(path)
        data = _parse_toml(path)
        category_id, rules, allowed = _content_file(data, name, categories, rule_ids)
        content.extend(rules)
        allow.setdefault(category_id, []).extend(allowed)
        files.append(path)
    detectors, regions = _checked(root / "personal_data.toml", _detectors)
    settings = _checked(root / "settings.toml", _settings)
    accounts = _checked(root / "accounts.toml", _accounts)
    files += [root / "personal_data.toml", root / "settings.toml", root / "accounts.toml"]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    model_path = root / "model" / "offensive.tsv.gz"
    digest.update(model_path.read_bytes() if model_path.exists() else b"")
    return RuleSet(
        categories=categories,
        content=content,
        allow=allow,
        detectors=detectors,
        phone_regions=regions or ("US",),
        settings=settings,
        accounts=accounts,
        context=context,
        score=score,
        model_threshold=threshold,
        model_category=model_category,
        fingerprint=digest.hexdigest()[:16],
        files=files,
    )
