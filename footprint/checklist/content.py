"""Word, phrase and pattern matching for the content categories, with the context rules
that cut false flags (allow-lists, negation, quotation, lyrics, news headlines).

Speed comes from one dictionary of trigger words: a text whose words miss it (and that shows
no sign of obfuscation) is done after one C-level scan; only texts with a candidate get the
token-by-token pass that records spans.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

from footprint.checklist.rules import SEVERITIES, ContentRule, RuleSet
from footprint.checklist.text import (
    REPEAT_RE,
    SPACED_RE,
    Token,
    inflections,
    masked_match,
    spaced_words,
    squeeze,
    tokenize,
)

WORDS_RE = re.compile(r"[^\W_]+")
# A letter next to a digit or symbol inside a word (sh1t, f*ck, a$$, @ss, $hit, b!tch).
OBFUSCATED_RE = re.compile(
    r"[a-z][0-9@$*!|]+[a-z0-9*$]|(?<![\w@$*])[$*][a-z]{2}|(?<![\w@$*])@[a-z]{2,4}\b(?!_)|[a-z][$*]{2}"
)
QUOTE_RE = re.compile(r"\"[^\"\n]{3,}\"|“[^”\n]{3,}”|«[^»\n]{3,}»|^>.*$", re.MULTILINE)

_TERM, _PHRASE, _ANCHOR = 0, 1, 2
# Words too common to index a phrase by: a phrase is looked up by its rarest word, so that
# "my boss is" does not send every post containing "my" down the slow path.
COMMON = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "back",
        "be",
        "because",
        "been",
        "being",
        "but",
        "by",
        "can",
        "come",
        "could",
        "day",
        "did",
        "do",
        "does",
        "doing",
        "dont",
        "even",
        "every",
        "first",
        "for",
        "from",
        "get",
        "go",
        "going",
        "gonna",
        "got",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "him",
        "his",
        "how",
        "i",
        "if",
        "im",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "know",
        "like",
        "make",
        "me",
        "more",
        "most",
        "much",
        "my",
        "new",
        "no",
        "not",
        "now",
        "of",
        "off",
        "on",
        "one",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "people",
        "really",
        "said",
        "say",
        "see",
        "she",
        "so",
        "some",
        "still",
        "take",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "thing",
        "think",
        "this",
        "time",
        "to",
        "too",
        "two",
        "up",
        "us",
        "very",
        "want",
        "was",
        "way",
        "we",
        "well",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "year",
        "you",
        "your",
        "youre",
        "ur",
        "u",
    ]
)


@dataclass(frozen=True, slots=True)
class Hit:
    rule: ContentRule
    start: int
    end: int
    severity: str
    notes: tuple[str, ...] = ()


@dataclass
class CategoryHits:
    category: str
    severity: str
    hits: list[Hit] = field(default_factory=list)

    @property
    def rule_ids(self) -> list[str]:
        return sorted({h.rule.id for h in self.hits})


def _downgrade(severity: str) -> str:
    return SEVERITIES[max(0, SEVERITIES.index(severity) - 1)]


class ContentMatcher:
    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.context = rules.context
        self._vocab: dict[str, list[tuple[int, ContentRule, object]]] = {}
        self._by_length: dict[int, list[str]] = {}
        for rule in rules.content:
            for term in rule.terms:
                for form in inflections(term):
                    self._add(form, _TERM, rule, term)
            for term in rule.exact:
                self._add(term, _TERM, rule, term)
            for phrase in rule.phrases:
                words = phrase.split()
                # Index by the rarest (longest uncommon) word; check the others around it.
                at = max(range(len(words)), key=lambda i: (words[i] not in COMMON, len(words[i])))
                forms = tuple(frozenset(inflections(w)) for w in words)
                for form in forms[at]:
                    self._add(form, _PHRASE, rule, (at, forms))
            for pattern in rule.patterns:
                for anchor in pattern.anchors:
                    for form in inflections(anchor):
                        self._add(form, _ANCHOR, rule, pattern)
        for word in self._vocab:
            self._by_length.setdefault(len(word), []).append(word)
        # For the quick test: which words alone are enough, which need their phrase's other
        # words present too, and which need their pattern to match.
        self._term_words = frozenset(
            w for w, entries in self._vocab.items() if any(k == _TERM for k, _, _ in entries)
        )
        self._phrase_words: dict[str, list[tuple[frozenset[str], ...]]] = {}
        self._pattern_words: dict[str, list[re.Pattern[str]]] = {}
        for word, entries in self._vocab.items():
            for kind, _, payload in entries:
                if kind == _PHRASE:
                    forms = payload[1]  # type: ignore[index]
                    self._phrase_words.setdefault(word, []).append(forms)
                elif kind == _ANCHOR:
                    self._pattern_words.setdefault(word, []).append(payload.regex)  # type: ignore[attr-defined]
        self._phrase_keys = frozenset(self._phrase_words)
        self._pattern_keys = frozenset(self._pattern_words)
        self._allow = {
            cat: re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
            for cat, patterns in rules.allow.items()
            if patterns
        }

    def _add(self, word: str, kind: int, rule: ContentRule, payload: object) -> None:
        entries = self._vocab.setdefault(word, [])
        if not any(k == kind and r is rule and p == payload for k, r, p in entries):
            entries.append((kind, rule, payload))

    @property
    def vocabulary_size(self) -> int:
        return len(self._vocab)

    def candidate(self, low: str, words: set[str] | None = None) -> bool:
        """Cheap test: could this text match anything at all? (``words``: see words_of)"""
        plain = low.replace("'", "").replace("\u2019", "")
        if words is None:
            words = set(WORDS_RE.findall(plain))
        if not self._term_words.isdisjoint(words):
            return True
        for word in self._phrase_keys.intersection(words):
            for forms in self._phrase_words[word]:
                # Compiled on first need: most phrases never come this far.
                if all(not f.isdisjoint(words) for f in forms) and _phrase_regex(forms).search(
                    plain
                ):
                    return True
        for word in self._pattern_keys.intersection(words):
            if any(regex.search(low) for regex in self._pattern_words[word]):
                return True
        return bool(OBFUSCATED_RE.search(low) or REPEAT_RE.search(low) or SPACED_RE.search(low))

    @staticmethod
    def words_of(low: str) -> set[str]:
        """The distinct words of a lower-cased text, apostrophes dropped ("don't" -> "dont")."""
        return set(WORDS_RE.findall(low.replace("'", "").replace("\u2019", "")))

    def allowed_spans(self, low: str) -> list[tuple[int, int]]:
        """Spans any category's allow-list covers (used to vet the model's evidence)."""
        return [m.span() for allow in self._allow.values() for m in allow.finditer(low)]

    def _lookup(self, token: Token) -> tuple[str, list[tuple[int, ContentRule, object]]] | None:
        vocab = self._vocab
        entries = vocab.get(token.raw)
        if entries:
            return token.raw, entries
        if token.mention:
            return None
        norm = token.norm
        entries = vocab.get(norm)
        if entries:
            return norm, entries
        if REPEAT_RE.search(norm):
            for keep in (1, 2):
                word = squeeze(norm, keep)
                if word in vocab:
                    return word, vocab[word]
        if "*" in norm and norm[0] != "*":
            masked = masked_match(norm, self._by_length.get(len(norm), []))
            if masked:
                return masked, vocab[masked]
        return None

    def match(self, low: str, tokens: list[Token] | None = None) -> list[CategoryHits]:
        """Every category the (lower-cased) text hits, with evidence, after context rules."""
        if tokens is None:
            tokens = tokenize(low)
        raw_hits: list[tuple[int, Hit]] = []  # (token index, hit)
        seen_patterns: set[int] = set()
        norms = [t.norm for t in tokens]
        raws = [t.raw for t in tokens]
        starts = [t.start for t in tokens]
        for index, token in enumerate(tokens):
            found = self._lookup(token)
            if not found:
                continue
            _, entries = found
            for kind, rule, payload in entries:
                if kind == _TERM:
                    raw_hits.append((index, Hit(rule, token.start, token.end, rule.severity)))
                elif kind == _PHRASE:
                    at: int
                    forms: tuple[frozenset[str], ...]
                    at, forms = payload  # type: ignore[misc]
                    first = index - at
                    last = first + len(forms) - 1
                    if (
                        first >= 0
                        and last < len(tokens)
                        and all(
                            raws[first + i] in f or norms[first + i] in f
                            for i, f in enumerate(forms)
                            if i != at
                        )
                    ):
                        hit = Hit(rule, tokens[first].start, tokens[last].end, rule.severity)
                        raw_hits.append((first, hit))
                elif id(payload) not in seen_patterns:
                    seen_patterns.add(id(payload))
                    regex = payload.regex  # type: ignore[attr-defined]
                    for m in regex.finditer(low):
                        at = max(0, bisect.bisect_right(starts, m.start()) - 1)
                        raw_hits.append((at, Hit(rule, m.start(), m.end(), rule.severity)))
        for start, end, word in spaced_words(low):
            for kind, rule, _ in self._vocab.get(word, ()):
                if kind == _TERM:
                    at = bisect.bisect_left(starts, start)
                    raw_hits.append((at, Hit(rule, start, end, rule.severity)))
        if not raw_hits:
            return []
        return self._apply_context(low, tokens, raw_hits)

    def _apply_context(
        self, low: str, tokens: list[Token], raw_hits: list[tuple[int, Hit]]
    ) -> list[CategoryHits]:
        context = self.context
        categories = self.rules.categories
        quoted_spans: list[tuple[int, int]] | None = None
        whole_text: set[str] = set()
        if low.startswith("rt @"):
            whole_text.add("quoted")
        if any(marker in low for marker in context.lyrics_markers):
            whole_text.add("lyrics")
        if ("http" in low or "www." in low) and any(m in low for m in context.news_markers):
            whole_text.add("news")
        allow_spans: dict[str, list[tuple[int, int]]] = {}
        results: dict[str, CategoryHits] = {}
        for index, hit in raw_hits:
            rule = hit.rule
            category = categories[rule.category]
            if rule.near and not self._near(tokens, index, hit, rule.near.words, rule.near.window):
                continue
            spans = allow_spans.get(rule.category)
            if spans is None:
                allow = self._allow.get(rule.category)
                spans = [m.span() for m in allow.finditer(low)] if allow else []
                allow_spans[rule.category] = spans
            if any(a <= hit.start and hit.end <= b for a, b in spans):
                continue
            notes = set(whole_text)
            if self._negated(tokens, index, hit):
                notes.add("negated")
            if "quoted" not in notes:
                if quoted_spans is None:
                    quoted_spans = [m.span() for m in QUOTE_RE.finditer(low)]
                if any(a <= hit.start and hit.end <= b for a, b in quoted_spans):
                    notes.add("quoted")
            severity = hit.severity
            suppressed = False
            for note in notes:
                effect = category.effects.get(note, "ignore")
                if effect == "suppress":
                    suppressed = True
                elif effect == "downgrade":
                    severity = _downgrade(severity)
            if suppressed:
                continue
            kept = Hit(rule, hit.start, hit.end, severity, tuple(sorted(notes)))
            group = results.get(rule.category)
            if group is None:
                results[rule.category] = CategoryHits(rule.category, severity, [kept])
            else:
                group.hits.append(kept)
                if SEVERITIES.index(severity) > SEVERITIES.index(group.severity):
                    group.severity = severity
        for group in results.values():
            group.hits = _dedupe(group.hits)
        return list(results.values())

    def _negated(self, tokens: list[Token], index: int, hit: Hit) -> bool:
        window = self.context.negation_window
        negators = self.context.negators
        first = index
        while first < len(tokens) and tokens[first].end <= hit.start:
            first += 1
        for token in tokens[max(0, first - window) : first]:
            if token.norm in negators or token.raw in negators:
                return True
        return False

    def _near(
        self, tokens: list[Token], index: int, hit: Hit, words: frozenset[str], window: int
    ) -> bool:
        last = index
        while last + 1 < len(tokens) and tokens[last + 1].start < hit.end:
            last += 1
        lo, hi = max(0, index - window), min(len(tokens), last + window + 1)
        for token in tokens[lo:hi]:
            if token.start >= hit.start and token.end <= hit.end:
                continue
            if token.norm in words or (token.mention and "@mention" in words):
                return True
        return False


@functools.cache
def _phrase_regex(forms: tuple[frozenset[str], ...]) -> re.Pattern[str]:
    """The phrase's words in order, any inflection, separated by anything but letters."""
    parts = [
        "(?:" + "|".join(sorted(map(re.escape, f), key=len, reverse=True)) + ")" for f in forms
    ]
    return re.compile(r"(?<![^\W_])" + r"[\W_]+".join(parts) + r"(?![^\W_])")


def _dedupe(hits: list[Hit]) -> list[Hit]:
    """One hit per span: where hits overlap, keep the longer (then the more severe) one."""
    ordered = sorted(
        hits, key=lambda h: (h.start, -(h.end - h.start), -SEVERITIES.index(h.severity))
    )
    kept: list[Hit] = []
    for hit in ordered:
        if kept and hit.start < kept[-1].end:
            last = kept[-1]
            if SEVERITIES.index(hit.severity) > SEVERITIES.index(last.severity) and (
                hit.end <= last.end
            ):
                kept[-1] = Hit(last.rule, last.start, last.end, hit.severity, last.notes)
            continue
        kept.append(hit)
    return kept
