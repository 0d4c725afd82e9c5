"""The person: the identifiers they want footprint to look for.

Kinds: names, usernames, emails, phones and places (city or neighbourhood).  Values are
validated and normalised so that ``@Alice`` and ``alice`` are one username.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from footprint.errors import InputError
from footprint.store.database import utcnow

if TYPE_CHECKING:
    from footprint.store.database import Store

KINDS: tuple[str, ...] = ("name", "username", "email", "phone", "place")
PLURALS = {
    "names": "name",
    "usernames": "username",
    "emails": "email",
    "phones": "phone",
    "places": "place",
}
MAX_LENGTH = 200

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-/]+$")
_USERNAME_BAD = re.compile(r"[\s/\\?#]")


@dataclass
class Profile:
    identifiers: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def of(self, kind: str) -> list[str]:
        return list(self.identifiers.get(kind, []))

    @property
    def is_empty(self) -> bool:
        return not any(self.identifiers.values())

    def as_dict(self) -> dict[str, list[str]]:
        return {f"{kind}s": list(values) for kind, values in self.identifiers.items()}


def canonical_kind(kind: str) -> str:
    kind = kind.strip().lower()
    kind = PLURALS.get(kind, kind)
    if kind not in KINDS:
        raise InputError(
            f"'{kind}' is not something footprint keeps in a profile.",
            hint=f"Use one of: {', '.join(KINDS)}.",
        )
    return kind


def normalize(kind: str, value: str) -> tuple[str, str]:
    """Validate ``value`` and return (value as shown, value as compared)."""
    kind = canonical_kind(kind)
    shown = " ".join(value.split())
    if not shown:
        raise InputError(f"An empty {kind} cannot be added.")
    if len(shown) > MAX_LENGTH:
        raise InputError(f"That {kind} is longer than {MAX_LENGTH} characters.")
    if kind == "username":
        shown = shown.lstrip("@")
        if not shown or _USERNAME_BAD.search(shown):
            raise InputError(
                f"'{value}' is not a username: usernames have no spaces or slashes.",
                hint="Give just the name, for example: jdoe",
            )
        return shown, shown.casefold()
    if kind == "email":
        if not _EMAIL.match(shown):
            raise InputError(
                f"'{value}' does not look like an email address.",
                hint="For example: name@example.org",
            )
        return shown, shown.casefold()
    if kind == "phone":
        digits = re.sub(r"\D", "", shown)
        if not _PHONE_CHARS.match(shown) or not 6 <= len(digits) <= 15:
            raise InputError(
                f"'{value}' does not look like a phone number.",
                hint="Include the country code, for example: +1 415 555 0100",
            )
        return shown, ("+" if shown.startswith("+") else "") + digits
    return shown, shown.casefold()


def get_profile(store: Store) -> Profile:
    profile = Profile()
    rows = store.conn.execute("SELECT kind, value FROM person_identifiers ORDER BY id")
    for kind, value in rows:
        profile.identifiers.setdefault(kind, []).append(value)
    return profile


def add_identifiers(store: Store, kind: str, values: Iterable[str]) -> list[str]:
    """Add values (ignoring ones already there); returns the values that were new."""
    kind = canonical_kind(kind)
    checked = [normalize(kind, value) for value in values]  # validate all before writing
    added = []
    with store.transaction() as db:
        for shown, normalized in checked:
            cursor = db.conn.execute(
                "INSERT OR IGNORE INTO person_identifiers (kind, value, normalized, added_at) "
                "VALUES (?, ?, ?, ?)",
                (kind, shown, normalized, utcnow()),
            )
            if cursor.rowcount:
                added.append(shown)
    return added


def remove_identifiers(store: Store, kind: str, values: Iterable[str]) -> list[str]:
    kind = canonical_kind(kind)
    removed = []
    with store.transaction() as db:
        for value in values:
            _, normalized = normalize(kind, value)
            cursor = db.conn.execute(
                "DELETE FROM person_identifiers WHERE kind = ? AND normalized = ?",
                (kind, normalized),
            )
            if cursor.rowcount:
                removed.append(value)
    return removed


def set_identifiers(store: Store, kind: str, values: Iterable[str]) -> None:
    """Replace every identifier of ``kind`` with ``values`` (an empty list clears them)."""
    kind = canonical_kind(kind)
    values = list(values)
    for value in values:
        normalize(kind, value)
    with store.transaction() as db:
        db.conn.execute("DELETE FROM person_identifiers WHERE kind = ?", (kind,))
        add_identifiers(store, kind, values)
