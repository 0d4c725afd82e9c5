"""A loopback fake of Have I Been Pwned: the breach API v3 and Pwned Passwords.

It answers the documented shapes (shared reference platforms.md A7, audit-and-cleanup.md
section 4) at the real paths:

=====================================  =======================================
real                                   fake
=====================================  =======================================
``https://haveibeenpwned.com/api/v3``  ``server.url + "/api/v3"``
``https://api.pwnedpasswords.com``     ``server.url``  (``/range/{prefix}``)
=====================================  =======================================

Breach search: ``hibp-api-key`` of an added key (else 401), a ``user-agent`` (else 403),
404 for an account in no breach, ``truncateResponse`` (default true: names only), a per-key
rate limit answering 429 with ``retry-after`` in whole seconds.  The catalogue
(``/breach/{name}``, ``/breaches``) needs no key.  Range search: text/plain
``SUFFIX:COUNT`` lines ending in CRLF; with ``Add-Padding: true`` it pads to 800-1,000
lines with random suffixes of count 0.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import pytest

from tests.connectors.fakes import FakeApi, RecordedRequest, Reply

_PREFIX_RE = re.compile(r"^[0-9A-Fa-f]{5}$")


def sha1(password: str) -> str:
    return hashlib.sha1(password.encode("utf-8")).hexdigest().upper()


def breach(name: str, **fields: Any) -> dict[str, Any]:
    """A full breach object as the API sends it."""
    return {
        "Name": name,
        "Title": fields.pop("Title", name),
        "Domain": fields.pop("Domain", f"{name.lower()}.example"),
        "BreachDate": fields.pop("BreachDate", "2019-05-01"),
        "AddedDate": fields.pop("AddedDate", "2019-06-01T10:00:00Z"),
        "ModifiedDate": fields.pop("ModifiedDate", "2019-06-01T10:00:00Z"),
        "PwnCount": fields.pop("PwnCount", 1234567),
        "Description": fields.pop(
            "Description",
            f'In 2019, <a href="https://{name.lower()}.example" target="_blank">{name}</a> '
            "suffered a data breach &amp; the data was sold online.",
        ),
        "LogoPath": f"https://logos.haveibeenpwned.com/{name}.png",
        "Attribution": None,
        "DataClasses": fields.pop("DataClasses", ["Email addresses", "Passwords"]),
        "IsVerified": fields.pop("IsVerified", True),
        "IsFabricated": fields.pop("IsFabricated", False),
        "IsSensitive": fields.pop("IsSensitive", False),
        "IsRetired": fields.pop("IsRetired", False),
        "IsSpamList": fields.pop("IsSpamList", False),
        "IsMalware": fields.pop("IsMalware", False),
        "IsSubscriptionFree": fields.pop("IsSubscriptionFree", False),
        "IsStealerLog": fields.pop("IsStealerLog", False),
        **fields,
    }


class FakeHibp(FakeApi):
    ROUTES: ClassVar[list[tuple[str, str, str]]] = [
        ("GET", r"/api/v3/breachedaccount/(?P<account>[^/]+)", "_account"),
        ("GET", r"/api/v3/breach/(?P<name>[^/]+)", "_breach"),
        ("GET", r"/api/v3/breaches", "_breaches"),
        ("GET", r"/range/(?P<prefix>[^/]+)", "_range"),
    ]

    def __init__(self, *, per_minute: int = 1000) -> None:
        super().__init__()
        self.breaches: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, list[str]] = {}
        self.keys: set[str] = set()
        self.passwords: dict[str, int] = {}  # full SHA-1 -> count
        self.per_minute = per_minute
        self._used: dict[str, list[float]] = {}
        self.random = random.Random(7)

    # -- seeding

    def add_breach(self, name: str, **fields: Any) -> dict[str, Any]:
        self.breaches[name] = breach(name, **fields)
        return self.breaches[name]

    def add_account(self, email: str, names: Iterable[str]) -> None:
        self.accounts[email.strip().lower()] = list(names)

    def add_key(self, key: str) -> None:
        self.keys.add(key)

    def add_password(self, password: str, count: int) -> str:
        digest = sha1(password)
        self.passwords[digest] = count
        return digest

    # -- routes

    def error(self, req: RecordedRequest, status: int, message: str | None = None) -> Reply:
        return Reply(status, {"statusCode": status, "message": message or "error"})

    def _account(self, req: RecordedRequest, account: str) -> Reply:
        if not req.headers.get("user-agent"):
            return self.error(req, 403, "Requests must include a user agent.")
        key = req.headers.get("hibp-api-key")
        if not key or key not in self.keys:
            return self.error(req, 401, "Access denied due to missing or invalid hibp-api-key.")
        now = self.clock()
        used = [t for t in self._used.get(key, []) if now - t < 60]
        if len(used) >= self.per_minute:
            wait = int(60 - (now - used[0])) + 1
            return Reply(
                429,
                {"statusCode": 429, "message": f"Rate limit is exceeded. Try again in {wait} s."},
                {"retry-after": str(wait)},
            )
        used.append(now)
        self._used[key] = used
        if "@" not in account:
            return self.error(req, 400, "Bad request")
        names = self.accounts.get(account.strip().lower())
        if not names:
            return Reply(404, raw=b"")
        if req.query.get("truncateResponse", "true").lower() == "false":
            return Reply(200, [self.breaches[n] for n in names])
        return Reply(200, [{"Name": n} for n in names])

    def _breach(self, req: RecordedRequest, name: str) -> Reply:
        found = self.breaches.get(name)
        return Reply(200, found) if found else Reply(404, raw=b"")

    def _breaches(self, req: RecordedRequest) -> Reply:
        return Reply(200, list(self.breaches.values()))

    def _range(self, req: RecordedRequest, prefix: str) -> Reply:
        if not _PREFIX_RE.match(prefix):
            return Reply(
                400,
                raw=b"The hash prefix was not in a valid format",
                headers={"Content-Type": "text/plain"},
            )
        prefix = prefix.upper()
        lines = [f"{h[5:]}:{n}" for h, n in self.passwords.items() if h.startswith(prefix)]
        # Real answers always hold hundreds of suffixes.
        lines += [f"{self._suffix()}:{self.random.randint(1, 50)}" for _ in range(300)]
        if req.headers.get("add-padding", "").lower() == "true":
            target = self.random.randint(800, 1000)
            lines += [f"{self._suffix()}:0" for _ in range(max(0, target - len(lines)))]
        self.random.shuffle(lines)
        return Reply(
            200,
            raw=("\r\n".join(lines)).encode("ascii"),
            headers={"Content-Type": "text/plain"},
        )

    def _suffix(self) -> str:
        return "".join(self.random.choice("0123456789ABCDEF") for _ in range(35))


@pytest.fixture
def fake_hibp() -> Iterator[FakeHibp]:
    with FakeHibp() as server:
        yield server
