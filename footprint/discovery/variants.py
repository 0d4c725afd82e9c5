"""Usernames a person might have picked, made from their name (only on request)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from footprint.catalog.schema import valid_username


def _ascii_parts(name: str) -> list[str]:
    """'Zoë O'Brien-Smith' -> ['zoe', 'obriensmith']: lowercase, accents and marks dropped."""
    folded = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    parts = []
    for word in plain.split():
        cleaned = "".join(ch for ch in word.lower() if ch.isalnum())
        if cleaned:
            parts.append(cleaned)
    return parts


def name_variants(names: Iterable[str], usernames: Iterable[str] = ()) -> list[str]:
    """first.last, firstlast, first_last, first-last, flast, firstl, lastfirst, last.first...

    Middle names are skipped (people rarely use them in handles); names with a single
    word give just that word.  Existing usernames are left out; order is stable.
    """
    out: list[str] = []
    taken = {u.lower() for u in usernames}
    for name in names:
        parts = _ascii_parts(name)
        if not parts:
            continue
        if len(parts) == 1:
            candidates = [parts[0]]
        else:
            first, last = parts[0], parts[-1]
            candidates = [
                f"{first}.{last}",
                f"{first}{last}",
                f"{first}_{last}",
                f"{first}-{last}",
                f"{first[0]}{last}",
                f"{first}{last[0]}",
                f"{first[0]}.{last}",
                f"{last}{first}",
                f"{last}.{first}",
                f"{last}{first[0]}",
            ]
        for candidate in candidates:
            if candidate not in taken and valid_username(candidate) and candidate not in out:
                out.append(candidate)
    return out
