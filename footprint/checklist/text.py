"""Text handling for the checklist: tokens with offsets, obfuscation, inflections.

Everything works on a lower-cased copy of the text with the same length as the original, so
a span found in the copy is the span to highlight in the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Letters, digits and the symbols people put inside words to dodge filters.
TOKEN_RE = re.compile(r"[\w@$!*'\u2019]+")
# "f u c k", "f.u.c.k", "f-u-c-k": single letters joined by one separator, 3 or more.
SPACED_RE = re.compile(r"(?<![\w@$])(?:[a-z][ ._\-]){2,}[a-z](?![\w@$])")
# "fuuuuck": three or more of one letter.
REPEAT_RE = re.compile(r"([a-z])\1{2,}")
MENTION_RE = re.compile(r"@\w{2,}")
URL_RE = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)

LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "9": "g",
    }
)


def lower_same_length(text: str) -> str:
    """``text.lower()``, unless that would change the length (a few Unicode letters do)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    raw: str  # as written, lower-cased, apostrophes dropped ("i'm" -> "im")
    norm: str  # leetspeak undone ("sh1t" -> "shit"); the same as raw for plain words
    mention: bool = False


def plain(word: str) -> str:
    """A word as the rule files spell it: apostrophes dropped, hyphens as spaces."""
    return word.replace("'", "").replace("\u2019", "").replace("-", " ")


def normalise_token(raw: str) -> str:
    """The word a token stands for with leetspeak undone ("sh1t", "a$$", "b!tch")."""
    if raw.isalpha() or raw.isdigit() or not any(c.isalpha() for c in raw):
        return raw
    return raw.translate(LEET)


def squeeze(word: str, keep: int) -> str:
    """Runs of three or more of one letter cut down to ``keep`` letters."""
    return REPEAT_RE.sub(lambda m: m.group(1) * keep, word)


def tokenize(low: str) -> list[Token]:
    tokens = []
    for m in TOKEN_RE.finditer(low):
        raw = m.group()
        start, end = m.start(), m.end()
        # Keep the span on the word itself, not on quotes or a trailing "!!".
        stripped = raw.lstrip("'\u2019!*")
        start += len(raw) - len(stripped)
        core = stripped.rstrip("'\u2019!")
        end -= len(stripped) - len(core)
        if not core:
            continue
        mention = core.startswith("@") and len(core) > 2 and core[1:].replace("_", "a").isalnum()
        word = core.replace("'", "").replace("\u2019", "")
        tokens.append(Token(start, end, word, normalise_token(word), mention))
    return tokens


def spaced_words(low: str) -> list[tuple[int, int, str]]:
    """Words spelled out with separators: ("f.u.c.k" -> "fuck") with their spans."""
    return [
        (m.start(), m.end(), re.sub(r"[ ._\-]", "", m.group())) for m in SPACED_RE.finditer(low)
    ]


def masked_match(token: str, candidates: list[str]) -> str | None:
    """A word that ``token`` spells with ``*`` standing for hidden letters ("f**k")."""
    for word in candidates:
        if len(word) == len(token) and all(t in ("*", w) for t, w in zip(token, word, strict=True)):
            return word
    return None


_VOWELS = set("aeiou")


def inflections(word: str) -> set[str]:
    """Common English forms of a word: plural, past, -ing, -er, and the clipped "-in'".

    Over-generation is harmless (the extra strings are rarely words); the rule files list
    anything irregular themselves and mark words that must match exactly.
    """
    forms = {word}
    if " " in word or not word.isalpha() or len(word) < 3:
        return forms
    stems = [word]
    if word.endswith("e"):
        base = word[:-1]
        forms.update({word + "s", word + "d", word + "r", word + "rs", base + "ing", base + "in"})
    elif word.endswith("y") and word[-2] not in _VOWELS:
        base = word[:-1]
        forms.update({base + "ies", base + "ied", word + "ing", base + "ier"})
    else:
        if word.endswith(("s", "x", "z", "ch", "sh")):
            forms.add(word + "es")
        else:
            forms.add(word + "s")
        # stab -> stabbed, stabbing; not for "kill" or "rape"
        if (
            len(word) <= 5
            and word[-1] not in _VOWELS | {"w", "x", "y"}
            and word[-2] in _VOWELS
            and word[-3] not in _VOWELS
        ):
            stems.append(word + word[-1])
        for stem in stems:
            forms.update({stem + "ed", stem + "ing", stem + "in", stem + "er", stem + "ers"})
    return forms
