"""Logging: a rotating, owner-only log file in the data directory, with secrets redacted.

Every record passes through :class:`RedactingFilter` before any handler writes it.  It
removes Authorization headers, bearer tokens, JWTs, well-known token formats, values of
secret-looking keys and query parameters, and the exact value of every secret footprint
has handled in this process (see :func:`register_secret`).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import threading
from pathlib import Path

from footprint.paths import ensure_private_dir, logs_dir

MASK = "[REDACTED]"
LOG_FILENAME = "footprint.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5

# A key names a secret when any part of it does: oauth_token, accessJwt, csrftoken, ct0,
# X-Api-Key, app_password, sessionToken... ("auth" but not "author").
_KEY = (
    r"[A-Za-z0-9_.-]*(?:token|secret|passw(?:or)?d?|passphrase|cookie|session|api[_-]?key|"
    r"apikey|jwt|csrf|ct0|auth(?!or)|code_verifier|private[_-]?key)[A-Za-z0-9_.-]*"
)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Cookie / Set-Cookie headers: every cookie on the line
    (re.compile(r"(?i)(\b(?:set-)?cookie[\"']?\s*[:=]\s*)[^\n]+"), r"\1" + MASK),
    # Authorization: Bearer abc / 'authorization': 'token abc' (value may contain a space)
    (re.compile(r"(?i)(\bauthorization[\"']?\s*[:=,]\s*b?[\"']?)[^\"'\n,}]+"), r"\1" + MASK),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + MASK),
    (re.compile(r"(?i)\b(basic)\s+[A-Za-z0-9+/]{8,}={0,2}"), r"\1 " + MASK),
    # user:password@ in URLs (proxies)
    (re.compile(r"(://[^/\s:@]+:)[^@\s/]+@"), r"\1" + MASK + "@"),
    # JSON Web Tokens (AT Protocol sessions, OAuth id tokens)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), MASK),
    # GitHub and Slack tokens
    (re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})"), MASK),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), MASK),
    # OAuth authorization codes in query strings and form bodies ("code=404" stays)
    (re.compile(r"(?i)\b(code=)(?!\d{1,5}\b)[^&\s\"']+"), r"\1" + MASK),
    # "password": "x", 'token': b'x', ('password', 'x'); escaped quotes inside stay inside
    (
        re.compile(rf"(?i)([\"']{_KEY}[\"']\s*[:=,]\s*b?)([\"'])((?:\\.|(?!\2).)*)\2"),
        r"\1\2" + MASK + r"\2",
    ),
    # password=x, oauth_token=x&..., api_key: x
    (re.compile(rf"(?i)(\b{_KEY}\s*[:=]\s*)(?![\"'\s\[{{])[^\s,;&}}]+"), r"\1" + MASK),
]

_known_secrets: set[str] = set()
_known_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Remember a secret value so that it is masked wherever it shows up in a log."""
    if value and len(value) >= 4:
        with _known_lock:
            _known_secrets.add(value)


def redact(text: str) -> str:
    """Return ``text`` with everything that looks like a secret masked."""
    if not text:
        return text
    with _known_lock:
        known = sorted(_known_secrets, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets in the message, its arguments, the traceback and stack info."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are created owner-only (0600)."""

    def _open(self):  # type: ignore[no-untyped-def]  # noqa: ANN202 - stdlib signature
        os.close(os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        os.chmod(self.baseFilename, 0o600)
        return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors)


_installed: list[logging.Handler] = []


def setup_logging(home: Path, *, debug: bool = False, console: bool = False) -> Path:
    """Send footprint's log records to ``<home>/logs/footprint.log`` (and stderr if asked).

    Calling it again replaces the handlers it installed before (tests and the demo mode
    switch data directories within one process).
    """
    directory = ensure_private_dir(logs_dir(home))
    path = directory / LOG_FILENAME
    root = logging.getLogger("footprint")
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()

    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    file_handler = _PrivateRotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
    )
    file_handler.setFormatter(fmt)
    file_handler.addFilter(RedactingFilter())
    _installed.append(file_handler)
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        stream.addFilter(RedactingFilter())
        stream.setLevel(logging.DEBUG if debug else logging.WARNING)
        _installed.append(stream)
    for handler in _installed:
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    root.propagate = False
    return path


def shutdown_logging() -> None:
    """Close footprint's log files (before the data directory is erased or removed)."""
    root = logging.getLogger("footprint")
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()
