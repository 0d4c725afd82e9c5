"""The checker: every signal over one text (content rules, the trained model, personal-data
detectors), turned into finding drafts with evidence spans."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers

from footprint.checklist.content import ContentMatcher
from footprint.checklist.model import OffensiveModel
from footprint.checklist.pii import PiiDetector
from footprint.checklist.rules import DETECTORS, SEVERITIES, RuleSet, load_ruleset
from footprint.checklist.text import lower_same_length, tokenize
from footprint.paths import resources_dir

# Detectors that read one text; the others look at the store as a whole (scan.py).
ITEM_DETECTORS = frozenset(DETECTORS) - {"login_ips"}
EXCERPT = 60
# Where the trained model would only repeat what a rule already said.
OFFENSIVE = frozenset({"profanity", "harassment", "hate", "threats", "sexual", "extremism"})


@dataclass
class Draft:
    """A finding as the checker proposes it, before the store decides new / same / gone."""

    rule_id: str
    category: str
    severity: str
    why: str
    title: str
    evidence: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Person:
    """The person's own identifiers, to tell "a phone number" from "your phone number"."""

    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()  # E.164
    names: tuple[str, ...] = ()
    usernames: frozenset[str] = frozenset()
    places: tuple[str, ...] = ()
    region: str | None = None

    def digest(self) -> str:
        parts = [*sorted(self.emails), *sorted(self.phones), *self.names, *sorted(self.usernames)]
        parts += [*self.places, self.region or ""]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def default_region() -> str:
    """The region phone numbers without a country code are read in: from the locale."""
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = os.environ.get(var, "")
        match = re.match(r"[a-z]{2,3}_([A-Z]{2})", value)
        if match:
            return match.group(1)
    return "US"


def person_from_profile(profile: dict[str, list[str]]) -> Person:
    phones = set()
    region = None
    for raw in profile.get("phone", []):
        try:
            number = phonenumbers.parse(raw, default_region())
        except phonenumbers.NumberParseException:
            continue
        phones.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
        region = region or phonenumbers.region_code_for_number(number)
    return Person(
        emails=frozenset(e.strip().lower() for e in profile.get("email", [])),
        phones=frozenset(phones),
        names=tuple(profile.get("name", [])),
        usernames=frozenset(u.lower().lstrip("@") for u in profile.get("username", [])),
        places=tuple(profile.get("place", [])),
        region=region,
    )


def _excerpt(text: str, start: int, end: int) -> str:
    a = max(0, start - EXCERPT)
    b = min(len(text), end + EXCERPT)
    return ("…" if a else "") + text[a:b].replace("\n", " ") + ("…" if b < len(text) else "")


class Checker:
    def __init__(
        self,
        rules: RuleSet | None = None,
        model: OffensiveModel | None = None,
        person: Person | None = None,
        use_model: bool = True,
    ) -> None:
        self.rules = rules or load_ruleset()
        self.person = person or Person()
        self.content = ContentMatcher(self.rules)
        if use_model and model is None:
            model = load_model()
        self.model = model if use_model else None
        self._model_strong: frozenset[str] = (
            self.model.strong_terms() if self.model else frozenset()
        )
        regions = [self.person.region or default_region()]
        regions += [r for r in self.rules.phone_regions if r not in regions]
        detectors = self.rules.detectors
        self.pii = PiiDetector(set(detectors) & ITEM_DETECTORS, tuple(regions))
        self._categories = self.rules.categories
        self._model_category = self.rules.model_category
        self._threshold = self.rules.model_threshold
        self.fingerprint = f"{self.rules.fingerprint}-{self.person.digest()}"

    def check(self, text: str, field_name: str = "text") -> list[Draft]:
        """Everything the checklist finds in one text."""
        if not text:
            return []
        low = lower_same_length(text)
        drafts: list[Draft] = []
        content = self.content
        groups = []
        words = content.words_of(low)
        if content.candidate(low, words):
            tokens = tokenize(low)
            groups = content.match(low, tokens)
        categories = self._categories
        for group in groups:
            category = categories[group.category]
            if category.group == "protected_trait":
                if any(g.category == "hate" for g in groups):
                    continue  # a bigoted post names groups; it reveals nothing about the poster
                # One finding per trait: religion and health are different conversations.
                by_rule: dict[str, list[Any]] = {}
                for hit in group.hits:
                    trait = ".".join(
                        hit.rule.id.split(".")[:2]
                    )  # trait.health.self -> trait.health
                    by_rule.setdefault(trait, []).append(hit)
                for rule_id, hits in by_rule.items():
                    rule = hits[0].rule
                    drafts.append(
                        Draft(
                            rule_id,
                            group.category,
                            "info",
                            f"{rule.why} {category.why}",
                            category.name,
                            [
                                self._span(text, field_name, h.start, h.end, h.notes, h.rule.id)
                                for h in hits
                            ],
                        )
                    )
                continue
            top = max(group.hits, key=lambda h: SEVERITIES.index(h.severity))
            drafts.append(
                Draft(
                    f"content.{group.category}",
                    group.category,
                    group.severity,
                    top.rule.why,
                    category.name,
                    [
                        self._span(text, field_name, h.start, h.end, h.notes, h.rule.id)
                        for h in group.hits
                    ],
                )
            )
        if self.model is not None and not any(d.category in OFFENSIVE for d in drafts):
            strong = self._model_strong.intersection(words)
            if strong:
                drafts.extend(self._model_draft(text, low, field_name, strong))
        drafts.extend(self._pii(text, field_name))
        return drafts

    def _model_draft(
        self, text: str, low: str, field_name: str, strong: frozenset[str]
    ) -> list[Draft]:
        assert self.model is not None
        score = self.model.score(low)
        if score.probability < self._threshold:
            return []
        category = self._categories[self._model_category]
        evidence = []
        allowed = self.content.allowed_spans(low)
        for term in score.top_terms:
            if term not in strong:
                continue
            for m in re.finditer(rf"\b{re.escape(term)}\b", low):
                if any(a <= m.start() and m.end() <= b for a, b in allowed):
                    continue  # "kill -9", "killing me": a trap the rules already know
                span = self._span(text, field_name, m.start(), m.end(), ("model",), "model")
                evidence.append(span)
        if not evidence:
            return []
        severity = "medium" if score.probability >= 0.98 else "low"
        why = (
            "A trained offensive-language model rates this text "
            f"{score.probability:.0%} likely to read as offensive, even without a listed word."
        )
        return [
            Draft(
                f"content.{self._model_category}",
                self._model_category,
                severity,
                why,
                category.name,
                evidence,
                {"model": self.model.source, "probability": round(score.probability, 4)},
            )
        ]

    def _pii(self, text: str, field_name: str) -> list[Draft]:
        hits = self.pii.find(text)
        if not hits:
            return []
        person = self.person
        by_kind: dict[str, Draft] = {}
        for hit in hits:
            detector = self.rules.detectors[hit.kind]
            own = (hit.kind == "email" and hit.key in person.emails) or (
                hit.kind == "phone" and hit.key in person.phones
            )
            severity = detector.own_severity if own and detector.own_severity else detector.severity
            draft = by_kind.get(hit.kind)
            if draft is None:
                draft = Draft(detector.id, "personal_data", severity, detector.why, detector.title)
                by_kind[hit.kind] = draft
            elif SEVERITIES.index(severity) > SEVERITIES.index(draft.severity):
                draft.severity = severity
            notes = ("yours",) if own else ()
            span = self._span(text, field_name, hit.start, hit.end, notes, detector.id)
            span["match"] = hit.shown
            draft.evidence.append(span)
            if own:
                draft.details["own"] = True
            if hit.kind == "birthdate" and re.search(r"(?:19|20)\d\d|[/.-]\d\d$", hit.key):
                by_kind.setdefault("age", self._age_draft()).evidence.append(span)
        return list(by_kind.values())

    def _age_draft(self) -> Draft:
        category = self._categories["protected_trait"]
        rule = next((r for r in self.rules.content if r.id == "trait.age"), None)
        why = rule.why if rule else category.why
        return Draft("trait.age", "protected_trait", "info", why, category.name)

    @staticmethod
    def _span(
        text: str, field_name: str, start: int, end: int, notes: tuple[str, ...], rule: str
    ) -> dict[str, Any]:
        span: dict[str, Any] = {
            "field": field_name,
            "start": start,
            "end": end,
            "match": text[start:end],
            "rule": rule,
            "excerpt": _excerpt(text, start, end),
        }
        if notes:
            span["notes"] = list(notes)
        return span


_MODEL: OffensiveModel | None = None


def load_model(path: Path | None = None) -> OffensiveModel:
    """The bundled model, loaded once per process."""
    global _MODEL
    if path is not None:
        return OffensiveModel.load(path)
    if _MODEL is None:
        _MODEL = OffensiveModel.load(resources_dir() / "checklist" / "model" / "offensive.tsv.gz")
    return _MODEL
