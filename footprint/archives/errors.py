"""Errors about export files: each names the file and says what is wrong with it."""

from __future__ import annotations

from footprint.errors import FootprintError

DEFAULT_HINT = "Request a fresh export from the platform, or check that the download finished."


class ArchiveError(FootprintError):
    title = "This export cannot be imported"

    def __init__(self, where: str, problem: str, *, hint: str | None = None) -> None:
        hint = hint or DEFAULT_HINT
        if "Nothing was imported" not in hint:
            hint = f"{hint} Nothing was imported."
        super().__init__(f"{where}: {problem}", hint=hint)
        self.where = where
        self.problem = problem
