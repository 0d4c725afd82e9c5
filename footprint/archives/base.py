"""What every export importer implements, and what the import engine gives it."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from footprint.archives.source import ExportFiles, Limits, Member
from footprint.progress import CancelToken
from footprint.store import Item
from footprint.store.accounts import upsert_account

if TYPE_CHECKING:
    from footprint.store import Store


@dataclass
class ImportProgress:
    member: str  # the file being read
    files_done: int
    files_total: int
    bytes_done: int  # of the files footprint reads (declared sizes)
    bytes_total: int
    items: int  # items read so far


ProgressCallback = Callable[[ImportProgress], None]


@dataclass
class ImportContext:
    store: Store
    files: ExportFiles
    limits: Limits
    cancel: CancelToken | None = None
    notes: list[str] = field(default_factory=list)
    _accounts: dict[tuple[str, str], int] = field(default_factory=dict)

    def account(
        self, platform: str, handle: str, *, url: str | None = None, display_name: str | None = None
    ) -> int:
        """The id of the account this export belongs to (created as 'imported')."""
        key = (platform, handle)
        if key not in self._accounts:
            self._accounts[key] = upsert_account(
                self.store,
                platform,
                handle,
                connection="import",
                url=url,
                display_name=display_name,
            )
        return self._accounts[key]

    def skip(self, reason: str, example: str) -> None:
        self.files.skip(reason, example)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


class Importer(ABC):
    """One platform's export format."""

    platform: str
    label: str

    @abstractmethod
    def claim(self, members: list[Member]) -> list[Member]:
        """The members this importer reads (empty when the export is not this platform's)."""

    @abstractmethod
    def items(self, ctx: ImportContext, members: list[Member]) -> Iterator[Item]:
        """Normalised items, streamed."""


def by_basename(members: list[Member], pattern: str) -> list[Member]:
    regex = re.compile(pattern, re.IGNORECASE)
    return [m for m in members if regex.fullmatch(m.basename)]


def natural_key(member: Member) -> tuple[object, ...]:
    """Sort tweets-part2 before tweets-part10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", member.name.lower()))
