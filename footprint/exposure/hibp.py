"""Have I Been Pwned: is a password known to criminals, and which breaches hold an email.

*Pwned Passwords* is free and needs no key.  The password is hashed here (SHA-1) and only
the first five characters of the hash are sent (k-anonymity); the server answers with
every known hash that starts with them, padded with decoys of count 0 so the size of the
answer says nothing either.  The comparison happens on this computer.  Neither the
password nor its full hash is ever stored, logged or sent.

*Breached account* needs the person's own API key (HIBP sells them; footprint cannot ship
one).  The key lives in the keyring.  Each email of the person's profile is looked up;
the answer names the breaches, and the public breach catalogue explains each one (what
leaked, when, how many accounts).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from footprint.connectors.errors import ConnectorError, PermissionMissing
from footprint.errors import InputError

if TYPE_CHECKING:
    from footprint.connectors.http import Api

PASSWORDS_URL = "https://api.pwnedpasswords.com"
HIBP_URL = "https://haveibeenpwned.com/api/v3"
KEY_NAME = "hibp:api-key"  # the keyring entry that holds the person's own API key
KEY_PAGE = "https://haveibeenpwned.com/API/Key"
SEARCH_PAGE = "https://haveibeenpwned.com/"
MONITOR_PAGE = "https://monitor.mozilla.org/"
# The cheapest subscription allows about 10 searches a minute (unconfirmed): stay under it.
ACCOUNT_INTERVAL = 6.5
# With Add-Padding every answer holds 800-1,000 lines; far fewer means it was cut off.
MIN_RANGE_LINES = 100
_SUFFIX_RE = re.compile(r"^[0-9A-F]{35}$")
_KEY_RE = re.compile(r"^[0-9a-fA-F]{32}$")
_TAG_RE = re.compile(r"<[^>]+>")


def password_hash(password: str) -> str:
    """The upper-case SHA-1 hex of the password's UTF-8 bytes."""
    return hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def count_in_range(body: str, suffix: str) -> int:
    """How often ``suffix`` appears in a range answer; padding lines (count 0) count as 0."""
    suffix = suffix.upper()
    for line in body.splitlines():
        head, sep, tail = line.strip().partition(":")
        if not sep or head.upper() != suffix:
            continue
        try:
            return max(0, int(tail.strip()))
        except ValueError:
            return 0
    return 0


def check_range_answer(body: str) -> None:
    """A range answer must look like one: hundreds of ``SUFFIX:COUNT`` lines.  Anything
    else (an empty body, a block page, a cut-off answer) is an error, never "not found"."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    good = sum(1 for line in lines if _SUFFIX_RE.match(line.partition(":")[0].upper()))
    if good < MIN_RANGE_LINES or good < len(lines) // 2 + 1:
        raise ConnectorError(
            "Pwned Passwords answered with something that is not a list of hashes.",
            hint="A proxy or captive portal may be in the way; try again later.",
            details=f"{len(lines)} lines, {good} of them hash suffixes",
        )


async def pwned_count(api: Api, password: str, *, base: str = PASSWORDS_URL) -> int:
    """How many times the password appears in known breaches (0: not found)."""
    if not password:
        raise InputError("There is no password to check.")
    digest = password_hash(password)
    response = await api.request(
        "GET", f"{base.rstrip('/')}/range/{digest[:5]}", headers={"Add-Padding": "true"}
    )
    body = response.content.decode("utf-8", errors="replace")
    check_range_answer(body)
    return count_in_range(body, digest[5:])


def no_key_error() -> PermissionMissing:
    return PermissionMissing(
        "Searching breaches by email needs your own Have I Been Pwned API key.",
        hint=f"Get one at {KEY_PAGE}, then: footprint exposure key --stdin. "
        f"Without a key, search your address at {SEARCH_PAGE} or {MONITOR_PAGE}.",
    )


def check_key(key: str) -> str:
    key = key.strip()
    if not _KEY_RE.match(key):
        raise InputError(
            "That does not look like a Have I Been Pwned API key (32 letters and digits).",
            hint=f"Copy it from {KEY_PAGE}.",
        )
    return key


def plain_text(html: str) -> str:
    """A breach description (HTML from HIBP) as plain text for findings and reports."""
    import html as html_module

    text = _TAG_RE.sub("", html or "")
    return " ".join(html_module.unescape(text).split())


@dataclass(frozen=True)
class Breach:
    """One breach, as the catalogue describes it."""

    name: str
    title: str
    domain: str
    breach_date: str
    added_date: str
    pwn_count: int
    description: str  # plain text
    data_classes: tuple[str, ...]
    verified: bool
    fabricated: bool
    sensitive: bool
    spam_list: bool
    malware: bool
    stealer_log: bool

    @property
    def url(self) -> str:
        return f"https://haveibeenpwned.com/PwnedWebsites#{quote(self.name)}"

    @property
    def leaked_passwords(self) -> bool:
        return any(c.lower() == "passwords" for c in self.data_classes)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Breach:
        name = data.get("Name")
        if not isinstance(name, str) or not name:
            raise ValueError("a breach without a Name")
        classes = data.get("DataClasses")
        if not isinstance(classes, list):
            classes = []
        return cls(
            name=name,
            title=str(data.get("Title") or name),
            domain=str(data.get("Domain") or ""),
            breach_date=str(data.get("BreachDate") or ""),
            added_date=str(data.get("AddedDate") or ""),
            pwn_count=int(data.get("PwnCount") or 0),
            description=plain_text(str(data.get("Description") or "")),
            data_classes=tuple(str(c) for c in classes if isinstance(c, str)),
            verified=bool(data.get("IsVerified", True)),
            fabricated=bool(data.get("IsFabricated")),
            sensitive=bool(data.get("IsSensitive")),
            spam_list=bool(data.get("IsSpamList")),
            malware=bool(data.get("IsMalware")),
            stealer_log=bool(data.get("IsStealerLog")),
        )

    @property
    def complete(self) -> bool:
        return bool(self.breach_date and self.data_classes)


class BreachClient:
    """The breach search (with the person's key) and the public catalogue."""

    def __init__(self, api: Api, key: str | None, *, base: str = HIBP_URL) -> None:
        self.api = api
        self.key = key
        self.base = base.rstrip("/")

    def _headers(self) -> dict[str, str]:
        return {"hibp-api-key": self.key} if self.key else {}

    async def breaches_for(self, email: str) -> list[dict[str, Any]]:
        """The breaches ``email`` is in, as full breach objects ([] when it is in none)."""
        if not self.key:
            raise no_key_error()
        response = await self.api.request(
            "GET",
            f"{self.base}/breachedaccount/{quote(email, safe='')}",
            params={"truncateResponse": "false", "includeUnverified": "true"},
            headers=self._headers(),
            missing_ok=True,
            accept=frozenset({400, 401, 403}),
        )
        status = response.status_code
        if status == 404:
            return []  # not pwned: the good answer, not an error
        if status == 401:
            raise PermissionMissing(
                "Have I Been Pwned did not accept your API key.",
                hint=f"Check it (or your subscription) at {KEY_PAGE}, then set it again: "
                "footprint exposure key --stdin.",
                details="breachedaccount -> HTTP 401",
            )
        if status == 403:
            raise ConnectorError(
                "Have I Been Pwned refused the request.",
                hint="It blocks requests without a proper user agent; if you changed "
                "footprint's user agent (footprint config), set a descriptive one.",
                details="breachedaccount -> HTTP 403",
            )
        if status == 400:
            raise InputError(f"Have I Been Pwned says {email!r} is not a valid email address.")
        data = self.api.decode(response)
        if not isinstance(data, list) or not all(isinstance(b, dict) for b in data):
            raise ConnectorError(
                "Have I Been Pwned answered in a shape footprint does not know.",
                hint="Its API may have changed; try again later.",
                details=f"breachedaccount: {type(data).__name__}",
            )
        return data

    async def breach(self, name: str) -> dict[str, Any] | None:
        """One breach from the public catalogue (no key needed)."""
        found = await self.api.get(f"{self.base}/breach/{quote(name, safe='')}", missing_ok=True)
        if not isinstance(found, dict) or found.get("Name") != name:
            return None
        return found


def load_breach(data: str) -> Breach | None:
    try:
        return Breach.from_json(json.loads(data))
    except (ValueError, TypeError):
        return None


def describe_classes(classes: Iterable[str], limit: int = 4) -> str:
    # "Passwords" reads "passwords" mid-sentence; "IP addresses" keeps its capitals.
    items = [c[:1].lower() + c[1:] if c[1:2].islower() else c for c in classes]
    if not items:
        return "details unknown"
    shown = items[:limit]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")
