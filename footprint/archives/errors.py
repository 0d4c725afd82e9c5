"""Errors about export files: each names the file and says what is wrong with it."""

from __future__ import annotations

from footprint.errors import FootprintError


class ArchiveError(FootprintError):
    title = "This export cannot be imported"

    def __init__(self, where: str, problem: str, *, hint: str | None = None) -> None:
        super().__init__(
            f"{where}: {problem}",
            hint=hint
            or "Nothing was imported. Request a fresh export from the platform, "
            "or check that the download finished.",
        )
        self.where = where
        self.problem = problem
