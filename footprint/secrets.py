"""Secrets (tokens, app passwords, API keys) live only in the operating system's keyring.

The keyring backend is resolved on every operation, so a keyring that appears after
start-up is used at once.  When there is none (typical on a headless Linux box), footprint
says so plainly and, only if the person agrees, keeps secrets in memory for the running
session.  A secret is never written to SQLite, a log, a file, an exception message or the
CLI's output; every value that passes through here is registered with the log redactor.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass

import keyring
import keyring.backend
import keyring.errors

from footprint.errors import KeyringUnavailableError
from footprint.logs import register_secret

SERVICE = "footprint"
log = logging.getLogger(__name__)

NO_KEYRING_MESSAGE = (
    "No system keyring was found (such as GNOME Keyring, KWallet, macOS Keychain or "
    "Windows Credential Manager), so footprint has nowhere safe to keep this secret."
)
NO_KEYRING_HINT = (
    "Install and unlock a keyring, or choose to keep secrets for this session only: "
    "they are then forgotten when footprint quits, and never written to disk."
)


def protect(secret: str) -> None:
    """Mask ``secret`` in logs, and each part of it when it is a JSON object of several
    (a token with its client secret, an app password with its refresh token)."""
    register_secret(secret)
    if secret.startswith("{"):
        try:
            parts = json.loads(secret)
        except ValueError:
            return
        if isinstance(parts, dict):
            for value in parts.values():
                if isinstance(value, str):
                    register_secret(value)


@dataclass(frozen=True)
class KeyringStatus:
    available: bool
    backend: str
    message: str


def _backend_usable(backend: keyring.backend.KeyringBackend) -> bool:
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    try:
        priority = float(backend.priority)
    except Exception:
        return False
    return priority > 0


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    name = getattr(backend, "name", None)
    return str(name) if name else f"{type(backend).__module__}.{type(backend).__qualname__}"


class SecretStore:
    """set / get / delete a secret per account name (for example ``mastodon:@me@example``)."""

    def __init__(self, *, session_only: bool = False) -> None:
        self._session_only = session_only
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def session_only(self) -> bool:
        return self._session_only

    def use_session_only(self) -> None:
        """Keep secrets in memory for this session (the person chose this explicitly)."""
        self._session_only = True
        log.info("secrets will be kept in memory for this session only")

    def status(self) -> KeyringStatus:
        backend = keyring.get_keyring()
        name = _backend_name(backend)
        if _backend_usable(backend):
            return KeyringStatus(True, name, f"Secrets are kept in your system keyring ({name}).")
        if self._session_only:
            return KeyringStatus(
                False, name, "No system keyring: secrets are kept in memory for this session only."
            )
        return KeyringStatus(
            False,
            name,
            "No system keyring was found: connecting accounts will offer to keep "
            "secrets for the session only (never written to disk).",
        )

    def _keyring(self) -> keyring.backend.KeyringBackend | None:
        """The usable system backend, or None when secrets must stay in memory."""
        backend = keyring.get_keyring()
        if _backend_usable(backend):
            return backend
        if self._session_only:
            return None
        raise KeyringUnavailableError(NO_KEYRING_MESSAGE, hint=NO_KEYRING_HINT)

    def set(self, account: str, secret: str) -> None:
        if not account:
            raise ValueError("a secret needs an account name")
        protect(secret)
        backend = self._keyring()
        if backend is None:
            with self._lock:
                self._memory[account] = secret
            return
        try:
            backend.set_password(SERVICE, account, secret)
        except keyring.errors.KeyringError as exc:
            raise self._failure("save", account, exc) from None

    def get(self, account: str) -> str | None:
        with self._lock:
            if account in self._memory:
                return self._memory[account]
        backend = self._keyring()
        if backend is None:
            return None
        try:
            value = backend.get_password(SERVICE, account)
        except keyring.errors.KeyringError as exc:
            raise self._failure("read", account, exc) from None
        if value:
            protect(value)
        return value

    def delete(self, account: str) -> bool:
        """Forget the secret; returns whether there was one."""
        with self._lock:
            had_memory = self._memory.pop(account, None) is not None
        try:
            backend = self._keyring()
        except KeyringUnavailableError:
            if had_memory:
                return True
            raise
        if backend is None:
            return had_memory
        try:
            backend.delete_password(SERVICE, account)
        except keyring.errors.PasswordDeleteError:
            return had_memory
        except keyring.errors.KeyringError as exc:
            raise self._failure("delete", account, exc) from None
        return True

    @staticmethod
    def _failure(verb: str, account: str, exc: Exception) -> KeyringUnavailableError:
        # The backend's own message may echo what it was given; keep only its type.
        log.warning(
            "keyring could not %s the secret for %s (%s)", verb, account, type(exc).__name__
        )
        return KeyringUnavailableError(
            f"Your system keyring could not {verb} the secret for {account}.",
            hint="Make sure the keyring is unlocked, then try again.",
            details=type(exc).__name__,
        )
