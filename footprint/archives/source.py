"""Read the members of an export in place: a .zip, a .tar(.gz), a folder or a single file.

Nothing is extracted to disk except a nested zip, which is copied (size-limited) into a
private temporary directory under a generated name; member names are never used as
paths.  Every read goes through :class:`LimitedReader`, which enforces the size limits
(zip bombs lie about their sizes) and turns low-level corruption errors into one clear
:class:`ArchiveError` naming the file.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO

from footprint.archives.errors import ArchiveError
from footprint.progress import CancelToken

# What zipfile, tarfile and zlib raise for damaged data (zipfile says NotImplementedError
# for a corrupted "version needed" field, ValueError for some bad headers).
_DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    tarfile.TarError,
    NotImplementedError,
    ValueError,
)
GiB = 1024**3
MiB = 1024**2


@dataclass(frozen=True)
class Limits:
    """Ceilings that keep a hostile or broken archive from exhausting the machine."""

    max_total_bytes: int = 64 * GiB  # declared uncompressed size of one archive
    max_member_bytes: int = 4 * GiB  # one file that footprint parses
    max_ratio: float = 200.0  # uncompressed / compressed, for members over ratio_floor
    ratio_floor: int = 8 * MiB
    max_line_bytes: int = 16 * MiB  # one CSV/JSONL line or field
    max_nesting: int = 2  # zips inside zips
    max_members: int = 250_000  # files in one import (a real Takeout has tens of thousands)


ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


class Meter:
    """Bytes read so far across an import, the file being read, and the cancel check.

    Every read passes through it, so a cancel is honoured within one buffer even while a
    parser skips over data that yields nothing.
    """

    def __init__(self) -> None:
        self.total = 0
        self.current = ""
        self.cancel: CancelToken | None = None


class LimitedReader(io.RawIOBase):
    """A binary reader that stops at ``limit`` bytes and names the file in every error."""

    def __init__(self, raw: IO[bytes], where: str, limit: int, meter: Meter | None = None) -> None:
        super().__init__()
        self._raw = raw
        self._where = where
        self._limit = limit
        self._meter = meter
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer)
        try:
            data = self._raw.read(len(view))
        except _DAMAGE as exc:
            raise ArchiveError(self._where, f"is damaged or incomplete ({exc}).") from exc
        except OSError as exc:
            raise ArchiveError(self._where, f"could not be read: {exc.strerror or exc}.") from exc
        count = len(data)
        self.consumed += count
        if self._meter is not None:
            self._meter.total += count
            if self._meter.cancel is not None:
                self._meter.cancel.check("The import")
        if self.consumed > self._limit:
            raise ArchiveError(
                self._where,
                f"is larger than the {self._limit:,} bytes footprint will read from one file "
                "(it may be a zip bomb).",
            )
        view[:count] = data
        return count

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._raw.close()
        super().close()


@dataclass
class Member:
    """One file of an export."""

    name: str  # '/'-separated path inside the export
    size: int  # declared uncompressed size
    origin: str  # the archive or folder it came from, for messages
    opener: Callable[[], IO[bytes]] = field(repr=False)
    limit: int = field(repr=False, default=4 * GiB)
    meter: Meter | None = field(repr=False, default=None)

    @property
    def where(self) -> str:
        return f"{self.origin}: {self.name}" if self.origin != self.name else self.name

    @property
    def basename(self) -> str:
        return PurePosixPath(self.name).name

    def open(self) -> io.BufferedReader:
        if self.meter is not None:
            self.meter.current = self.where
        try:
            raw = self.opener()
        except _DAMAGE as exc:
            raise ArchiveError(self.where, f"is damaged or incomplete ({exc}).") from exc
        except RuntimeError as exc:  # zipfile: encrypted member
            raise ArchiveError(self.where, f"cannot be read ({exc}).") from exc
        except OSError as exc:
            raise ArchiveError(self.where, f"could not be read: {exc.strerror or exc}.") from exc
        reader = LimitedReader(raw, self.where, self.limit, self.meter)
        return io.BufferedReader(reader, 256 * 1024)


@dataclass
class Skipped:
    reason: str
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str) -> None:
        self.count += 1
        if len(self.examples) < 3:
            self.examples.append(example)


class ExportFiles:
    """Every member of every path given to one import, opened lazily, closed together."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.members: list[Member] = []
        self.skipped: dict[str, Skipped] = {}
        self.meter = Meter()
        self._stack = contextlib.ExitStack()
        self._tempdir: Path | None = None

    # -- building

    def add_path(self, path: Path) -> None:
        if not path.exists():
            raise ArchiveError(str(path), "does not exist.", hint="Check the path.")
        if path.is_dir():
            self._add_folder(path)
        elif is_archive_name(path.name) or zipfile.is_zipfile(path):
            self._add_archive(path, path.name, depth=0)
        else:
            self._add_member(path.name, path.stat().st_size, str(path), partial(_open_file, path))

    def skip(self, reason: str, example: str) -> None:
        self.skipped.setdefault(reason, Skipped(reason)).add(example)

    def _too_many(self, label: str) -> ArchiveError:
        return ArchiveError(
            label,
            f"holds more than {self.limits.max_members:,} files, more "
            "than any real export; it may be an archive bomb.",
        )

    def _add_member(
        self, name: str, size: int, origin: str, opener: Callable[[], IO[bytes]]
    ) -> None:
        if len(self.members) >= self.limits.max_members:
            raise self._too_many(origin)
        self.members.append(
            Member(name, size, origin, opener, self.limits.max_member_bytes, self.meter)
        )

    def _add_folder(self, root: Path) -> None:
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            for filename in sorted(filenames):
                full = Path(dirpath) / filename
                name = full.relative_to(root).as_posix()
                if full.is_symlink():
                    self.skip("links inside the folder (not followed)", name)
                    continue
                if is_archive_name(filename):
                    self._add_archive(full, f"{root.name}/{name}", depth=1)
                    continue
                self._add_member(name, full.stat().st_size, root.name, partial(_open_file, full))

    def _add_archive(self, path: Path, label: str, depth: int) -> None:
        if depth > self.limits.max_nesting:
            raise ArchiveError(label, "nests archives deeper than footprint will open.")
        lower = path.name.lower()
        if lower.endswith((".tar.gz", ".tgz", ".tar")) and not zipfile.is_zipfile(path):
            self._add_tar(path, label)
        else:
            self._add_zip(path, label, depth)

    def _add_zip(self, path: Path, label: str, depth: int) -> None:
        try:
            archive = zipfile.ZipFile(path)
        except _DAMAGE as exc:
            raise ArchiveError(
                label, f"is not a readable zip file; it may be damaged or incomplete ({exc})."
            ) from exc
        except OSError as exc:
            raise ArchiveError(label, f"could not be read: {exc.strerror or exc}.") from exc
        self._stack.callback(archive.close)
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > self.limits.max_members:
            raise self._too_many(label)
        declared = sum(info.file_size for info in infos)
        if declared > self.limits.max_total_bytes:
            raise ArchiveError(
                label,
                f"claims to unpack to {declared:,} bytes, more than "
                "footprint accepts (it may be a zip bomb).",
            )
        if any(info.flag_bits & 0x1 for info in infos):
            raise ArchiveError(
                label,
                "is password-protected; footprint cannot read encrypted archives.",
                hint="Download the export again without a "
                "password, or unpack it yourself and import the folder.",
            )
        for info in infos:
            name = info.filename
            if not _safe_name(name):
                self.skip("files with unsafe paths (ignored, never extracted)", name)
                continue
            if (
                info.file_size > self.limits.ratio_floor
                and info.compress_size
                and (info.file_size / info.compress_size > self.limits.max_ratio)
            ):
                raise ArchiveError(
                    f"{label}: {name}",
                    "compresses suspiciously well "
                    f"({info.file_size / info.compress_size:,.0f} to 1); it looks "
                    "like a zip bomb.",
                )
            if is_archive_name(name) and name.lower().endswith(".zip"):
                nested = self._copy_out(archive, info, f"{label}: {name}")
                self._add_archive(nested, f"{label}/{name}", depth + 1)
                continue
            self._add_member(name, info.file_size, label, partial(archive.open, info))

    def _add_tar(self, path: Path, label: str) -> None:
        try:
            archive = tarfile.open(path, "r:*")  # noqa: SIM115 - closed by the ExitStack
            self._stack.callback(archive.close)
            infos = []
            for info in archive:  # headers are read lazily: stop early on a bomb of entries
                infos.append(info)
                if len(infos) > self.limits.max_members:
                    raise self._too_many(label)
        except (*_DAMAGE, OSError) as exc:
            raise ArchiveError(
                label, f"is not a readable tar archive; it may be damaged or incomplete ({exc})."
            ) from exc
        declared = sum(info.size for info in infos if info.isfile())
        if declared > self.limits.max_total_bytes:
            raise ArchiveError(
                label, f"claims to unpack to {declared:,} bytes, more than footprint accepts."
            )
        compressed = max(path.stat().st_size, 1)
        if declared > self.limits.ratio_floor and declared / compressed > self.limits.max_ratio:
            raise ArchiveError(
                label, "compresses suspiciously well; it looks like an archive bomb."
            )
        for info in infos:
            if not info.isfile():
                if not info.isdir():
                    self.skip("links and special files in the archive (ignored)", info.name)
                continue
            if not _safe_name(info.name):
                self.skip("files with unsafe paths (ignored, never extracted)", info.name)
                continue
            self._add_member(
                info.name.removeprefix("./"), info.size, label, partial(_tar_open, archive, info)
            )

    def _copy_out(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Path:
        if self._tempdir is None:
            self._tempdir = Path(tempfile.mkdtemp(prefix="footprint-import-"))
            self._stack.callback(shutil.rmtree, self._tempdir, True)
        fd, target = tempfile.mkstemp(suffix=".zip", dir=self._tempdir)
        member = Member(
            info.filename,
            info.file_size,
            where,
            partial(archive.open, info),
            self.limits.max_member_bytes,
        )
        with os.fdopen(fd, "wb") as out, member.open() as source:
            try:
                shutil.copyfileobj(source, out, 1024 * 1024)
            except OSError as exc:
                raise ArchiveError(where, f"could not be unpacked: {exc.strerror or exc}.") from exc
        return Path(target)

    # -- using

    def __iter__(self) -> Iterator[Member]:
        return iter(self.members)

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> ExportFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_file(path: Path) -> IO[bytes]:
    return open(path, "rb")


def _tar_open(archive: tarfile.TarFile, info: tarfile.TarInfo) -> IO[bytes]:
    handle = archive.extractfile(info)
    if handle is None:
        raise tarfile.TarError(f"{info.name} is not a regular file")
    return handle


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    if not path.parts or path.is_absolute() or ".." in path.parts:
        return False
    return ":" not in path.parts[0]
