"""Exposure checks over the person's own emails: breaches (HIBP) and Gravatar profiles.

Each email's answer is saved as it arrives (``exposure_checks``), so a check that is
stopped keeps what it learned; the checklist turns the saved answers into findings
(``footprint/checklist/scan.py``: ``breached_email`` and ``gravatar_profile``).  Only the
person's own emails are looked up, and only at the services named here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from footprint.connectors.gravatar import email_hash, profile_items
from footprint.errors import InputError
from footprint.exposure.hibp import (
    ACCOUNT_INTERVAL,
    HIBP_URL,
    KEY_NAME,
    PASSWORDS_URL,
    Breach,
    BreachClient,
    check_key,
    load_breach,
    no_key_error,
    pwned_count,
)
from footprint.store.database import utcnow
from footprint.store.profile import get_profile

if TYPE_CHECKING:
    from footprint.net import NetworkOptions
    from footprint.progress import CancelToken
    from footprint.secrets import SecretStore
    from footprint.store.database import Store

GRAVATAR_URL = "https://api.gravatar.com/v3"
# Where each check goes; tests point these at servers on this computer.
ENDPOINTS: dict[str, str] = {
    "passwords": PASSWORDS_URL,
    "hibp": HIBP_URL,
    "gravatar": GRAVATAR_URL,
}
BREACH_RULE = "exposure.breach"
# app_settings rows named "secret_ref.*" hold the names of keyring entries that belong to
# no account (footprint wipe deletes them with the accounts' ones).
SECRET_REF_SETTING = "secret_ref.hibp"
GRAVATAR_RULE = "exposure.gravatar"


@dataclass
class CheckProgress:
    done: int
    total: int
    target: str = ""


ProgressCallback = Callable[[CheckProgress], None]


@dataclass
class EmailResult:
    email: str
    found: bool
    names: list[str] = field(default_factory=list)  # breach names, or Gravatar field titles
    url: str | None = None
    error: str | None = None  # this email could not be checked (the others were)
    partial: bool = False  # Gravatar without a key: contact details and wallets unseen


def _endpoint(endpoints: dict[str, str] | None, name: str) -> str:
    return (endpoints or {}).get(name) or ENDPOINTS[name]


def profile_emails(store: Store) -> list[str]:
    return [e.strip().lower() for e in get_profile(store).of("email") if "@" in e]


def _emails(store: Store, emails: Iterable[str] | None) -> list[str]:
    """The emails to check: the profile's, or those of them named.  Only the person's own
    addresses are ever looked up (HIBP's acceptable use, and footprint's own rule)."""
    own = profile_emails(store)
    chosen = [e.strip().lower() for e in emails] if emails is not None else own
    chosen = list(dict.fromkeys(e for e in chosen if e))
    strangers = [e for e in chosen if e not in own]
    if strangers:
        raise InputError(
            f"{strangers[0]} is not in your profile; footprint only checks your own addresses.",
            hint=f"If it is yours, add it first: footprint profile add email {strangers[0]}",
        )
    if not chosen:
        raise InputError(
            "Your profile has no email address to check.",
            hint="Add one: footprint profile add email you@example.com (or Profile in the app).",
        )
    return chosen


def _save(store: Store, kind: str, target: str, found: bool, result: dict[str, Any]) -> None:
    with store.transaction() as db:
        db.conn.execute(
            "INSERT INTO exposure_checks (kind, target, status, result, checked_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, target) DO UPDATE SET "
            "status = excluded.status, result = excluded.result, checked_at = excluded.checked_at",
            (
                kind,
                target,
                "found" if found else "clear",
                json.dumps(result, ensure_ascii=False, sort_keys=True),
                utcnow(),
            ),
        )
        db.conn.execute(
            "INSERT INTO audit_log (at, actor, action, details) VALUES (?, 'user', ?, ?)",
            (utcnow(), f"exposure.{kind}", json.dumps({"found": found})),
        )


def _move(
    store: Store, rule_id: str, subject: str, states: tuple[str, ...], to: str, note: str
) -> None:
    """Move the finding about ``subject`` from any of ``states`` to ``to``, with an event
    (actor "check": an exposure check saw it)."""
    now = utcnow()
    with store.transaction() as db:
        rows = db.conn.execute(
            "SELECT id, state FROM findings WHERE rule_id = ? AND subject = ? "
            f"AND state IN ({','.join('?' * len(states))})",
            (rule_id, subject, *states),
        ).fetchall()
        for finding_id, state in rows:
            db.conn.execute(
                "UPDATE findings SET state = ?, state_reason = NULL, snoozed_until = NULL, "
                "updated_at = ? WHERE id = ?",
                (to, now, finding_id),
            )
            db.conn.execute(
                "INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, note) "
                "VALUES (?, ?, 'check', ?, ?, ?)",
                (finding_id, now, state, to, note),
            )


def _confirm_gone(store: Store, rule_id: str, subject: str, note: str) -> None:
    """A later check no longer shows what a finding was about: the fix is confirmed."""
    _move(store, rule_id, subject, ("open", "in_progress", "done", "snoozed"), "verified", note)


def _reopen(store: Store, rule_id: str, subject: str, note: str) -> None:
    """A check still (or again) sees what a finding the person fixed was about: reopen it."""
    _move(store, rule_id, subject, ("done", "verified"), "open", note)


def key_status(store: Store, secrets: SecretStore) -> bool:
    """Whether the person saved an HIBP key (the key itself is never returned here).

    Read from the database's note of the keyring entry, so that showing a page never waits
    on the keyring (which may be locked and ask for a password)."""
    from footprint.store.database import get_setting

    if secrets.session_only:  # kept in memory (and gone after a restart)
        return bool(secrets.get(KEY_NAME))
    return get_setting(store, SECRET_REF_SETTING) is not None


def save_key(store: Store, secrets: SecretStore, key: str) -> None:
    """Keep the person's HIBP key in the keyring, and note its entry's name (never the key)
    in the database so that ``footprint wipe`` removes it too."""
    from footprint.logs import register_secret
    from footprint.store.database import set_setting

    key = check_key(key)
    register_secret(key)
    secrets.set(KEY_NAME, key)
    if not secrets.session_only:  # a key kept in memory is gone after a restart anyway
        set_setting(store, SECRET_REF_SETTING, KEY_NAME)


def forget_key(store: Store, secrets: SecretStore) -> bool:
    from footprint.store.database import set_setting

    gone = secrets.delete(KEY_NAME)
    set_setting(store, SECRET_REF_SETTING, None)
    return gone


def cached_breaches(conn: sqlite3.Connection, names: Iterable[str]) -> dict[str, Breach]:
    """The catalogue's description of each named breach that footprint has saved."""
    wanted = list(dict.fromkeys(names))
    out: dict[str, Breach] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for name, data in conn.execute(
            f"SELECT name, data FROM breach_catalog WHERE name IN ({','.join('?' * len(chunk))})",
            chunk,
        ):
            breach = load_breach(data)
            if breach:
                out[name] = breach
    return out


def _complete(obj: dict[str, Any]) -> bool:
    try:
        return Breach.from_json(obj).complete
    except (ValueError, TypeError):
        return False


def _remember(store: Store, objects: list[dict[str, Any]]) -> None:
    now = utcnow()
    with store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO breach_catalog (name, data, fetched_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET data = excluded.data, "
            "fetched_at = excluded.fetched_at",
            [(o["Name"], json.dumps(o, ensure_ascii=False, sort_keys=True), now) for o in objects],
        )


async def check_breaches(
    store: Store,
    secrets: SecretStore,
    *,
    emails: Iterable[str] | None = None,
    endpoints: dict[str, str] | None = None,
    options: NetworkOptions | None = None,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    interval: float | None = None,
    max_wait: float = 120.0,
) -> list[EmailResult]:
    """Look up each email in Have I Been Pwned with the person's key; save each answer."""
    from footprint.connectors import api_client
    from footprint.connectors.http import Api

    targets = _emails(store, emails)
    key = secrets.get(KEY_NAME)
    if not key:
        raise no_key_error()
    from footprint.logs import register_secret

    register_secret(key)
    results: list[EmailResult] = []
    async with api_client(options) as client:
        pace = ACCOUNT_INTERVAL if interval is None else interval
        api = Api(client, "hibp", token=token, min_interval=pace, max_wait=max_wait)
        breaches = BreachClient(api, key, base=_endpoint(endpoints, "hibp"))
        for index, email in enumerate(targets):
            if progress:
                progress(CheckProgress(index, len(targets), email))
            if token:
                token.check("The breach check")
            try:
                found = await breaches.breaches_for(email)
            except InputError as exc:  # HIBP finds this address malformed: skip it
                results.append(EmailResult(email, False, error=exc.message))
                continue
            objects = [b for b in found if isinstance(b.get("Name"), str) and b["Name"]]
            known = {
                name
                for name, breach in cached_breaches(
                    store.conn, [o["Name"] for o in objects]
                ).items()
                if breach.complete
            }
            complete: list[dict[str, Any]] = []
            for obj in objects:
                if _complete(obj):
                    complete.append(obj)
                elif obj["Name"] not in known:
                    # A truncated answer names the breach only: the catalogue explains it.
                    described = await breaches.breach(obj["Name"])
                    if described and _complete(described):
                        complete.append(described)
            if complete:
                _remember(store, complete)
            names = sorted({o["Name"] for o in objects})
            _save(store, "breaches", email, bool(names), {"breaches": names})
            results.append(EmailResult(email, bool(names), names))
    if progress:
        progress(CheckProgress(len(targets), len(targets)))
    return results


def gravatar_key(store: Store, secrets: SecretStore) -> str | None:
    """The API key of a connected Gravatar account, if the person gave one."""
    from footprint.errors import KeyringUnavailableError

    row = store.conn.execute(
        "SELECT secret_ref FROM accounts WHERE platform = 'gravatar' AND secret_ref IS NOT NULL "
        "ORDER BY id LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    try:
        return secrets.get(row[0])
    except KeyringUnavailableError:
        return None


async def check_gravatar(
    store: Store,
    *,
    emails: Iterable[str] | None = None,
    key: str | None = None,
    endpoints: dict[str, str] | None = None,
    options: NetworkOptions | None = None,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    max_wait: float = 120.0,
) -> list[EmailResult]:
    """Look up the public Gravatar profile of each email (by its SHA-256; the address
    itself is never sent) and save which fields anyone can read.

    Without an API key Gravatar leaves out contact details, links and wallets (anyone can
    get a key, so they are public all the same): the result says so (``partial``)."""
    from footprint.connectors import api_client
    from footprint.connectors.errors import ConnectorError
    from footprint.connectors.http import Api

    targets = _emails(store, emails)
    base = _endpoint(endpoints, "gravatar").rstrip("/")
    headers = {"Authorization": f"Bearer {key}"} if key else None
    if key:
        from footprint.logs import register_secret

        register_secret(key)
    results: list[EmailResult] = []
    async with api_client(options) as client:
        api = Api(client, "gravatar", token=token, min_interval=1.0, max_wait=max_wait)
        for index, email in enumerate(targets):
            if progress:
                progress(CheckProgress(index, len(targets), email))
            if token:
                token.check("The Gravatar check")
            subject = f"gravatar:{email}"
            response = await api.request(
                "GET",
                f"{base}/profiles/{email_hash(email)}",
                headers=headers,
                signed_in=bool(key),
                missing_ok=True,
            )
            if response.status_code == 404:  # only a 404 means there is no profile
                _save(store, "gravatar", email, False, {"keyed": bool(key)})
                _confirm_gone(
                    store,
                    GRAVATAR_RULE,
                    subject,
                    "Gravatar no longer has a profile for this email.",
                )
                results.append(EmailResult(email, False, partial=not key))
                continue
            profile = api.decode(response)
            if not isinstance(profile, dict) or not ({"hash", "profile_url"} & set(profile)):
                raise ConnectorError(
                    "Gravatar answered in a shape footprint does not know; nothing was changed.",
                    hint="Its API may have changed; try again later.",
                    details=f"profiles: {type(profile).__name__}",
                )
            link = profile.get("profile_url")
            url = link if isinstance(link, str) else None
            fields = [
                {"key": i.platform_id, "title": i.title or i.platform_id, "value": i.text}
                for i in profile_items(profile, url)
            ]
            result = {"profile_url": url, "fields": fields, "keyed": bool(key)}
            _save(store, "gravatar", email, bool(fields), result)
            if fields:
                _reopen(store, GRAVATAR_RULE, subject, "Gravatar still shows this profile.")
            else:
                _confirm_gone(
                    store, GRAVATAR_RULE, subject, "The Gravatar profile no longer shows any field."
                )
            titles = [str(f["title"]) for f in fields]
            results.append(EmailResult(email, bool(fields), titles, url, partial=not key))
    if progress:
        progress(CheckProgress(len(targets), len(targets)))
    return results


async def check_password(
    password: str,
    *,
    endpoints: dict[str, str] | None = None,
    options: NetworkOptions | None = None,
    token: CancelToken | None = None,
) -> int:
    """How often a password appears in known breaches.  Nothing is stored or logged: only
    the first 5 characters of its SHA-1 hash leave this computer."""
    from footprint.connectors import api_client
    from footprint.connectors.http import Api

    async with api_client(options) as client:
        api = Api(client, "hibp", token=token, max_wait=60.0)
        return await pwned_count(api, password, base=_endpoint(endpoints, "passwords"))


def latest_checks(store: Store, kind: str) -> dict[str, tuple[str, dict[str, Any], str]]:
    """target -> (status, result, checked_at) of the saved checks of one kind."""
    out = {}
    for target, status, result, checked_at in store.conn.execute(
        "SELECT target, status, result, checked_at FROM exposure_checks WHERE kind = ?", (kind,)
    ):
        try:
            parsed = json.loads(result)
        except ValueError:
            parsed = {}
        out[target] = (status, parsed if isinstance(parsed, dict) else {}, checked_at)
    return out
