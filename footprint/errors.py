"""The one family of errors footprint shows to people.

Every error a person can meet derives from :class:`FootprintError`.  It carries a
plain-language ``message`` (what went wrong, in words a non-programmer can act on), an
optional ``hint`` (what to do about it) and optional ``details`` (technical context for
a bug report; never a secret).  :func:`present` is the single place that turns any
exception into what the CLI prints and what the GUI shows in a dialog.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass


class FootprintError(Exception):
    """Base class: an error with a message meant for the person using footprint."""

    title = "Something went wrong"

    def __init__(
        self, message: str, *, hint: str | None = None, details: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details

    def user_text(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class ConfigError(FootprintError):
    title = "footprint cannot start"


class InputError(FootprintError):
    """The person gave footprint something it cannot use (a bad value, a missing file)."""

    title = "Please check your input"


class StoreError(FootprintError):
    title = "footprint's data could not be read or written"


class SchemaTooNewError(StoreError):
    title = "Your data is from a newer footprint"


class MigrationError(StoreError):
    title = "footprint could not upgrade your data"


class KeyringUnavailableError(FootprintError):
    title = "No keyring to keep secrets in"


class CancelledError(FootprintError):
    title = "Cancelled"


@dataclass(frozen=True)
class Presentation:
    """What a person is shown for an error: a title, the text, and copyable details."""

    title: str
    text: str
    details: str
    expected: bool


def present(exc: BaseException) -> Presentation:
    """Turn any exception into what the CLI prints and the GUI dialog shows.

    Expected errors (the :class:`FootprintError` family) show their own message;
    anything else is a bug, so the text says so and the details carry the traceback.
    """
    if isinstance(exc, FootprintError):
        details = exc.details or ""
        return Presentation(exc.title, exc.user_text(), details, expected=True)
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    from footprint.logs import redact

    return Presentation(
        "Unexpected error",
        "footprint hit an unexpected error. Your data is safe: unfinished changes were "
        "rolled back. The details below can help fix it.",
        redact(trace),
        expected=False,
    )
