"""Progress reporting and cancellation shared by every long job (imports, sweeps, syncs).

The core reports progress through plain callbacks and checks a :class:`CancelToken`
between units of work; the CLI draws a bar from the callback and the GUI turns it into
Qt signals.  A cancelled job raises :class:`Cancelled`, which rolls its transaction back.
"""

from __future__ import annotations

import threading

from footprint.errors import CancelledError


class Cancelled(CancelledError):
    def __init__(self, what: str = "The job") -> None:
        super().__init__(f"{what} was cancelled; nothing was changed.")


class CancelToken:
    """Set from any thread (a Cancel button, Ctrl+C); checked by the job between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self, what: str = "The job") -> None:
        if self._event.is_set():
            raise Cancelled(what)
