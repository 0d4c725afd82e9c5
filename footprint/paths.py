"""Where footprint keeps its files.

Everything footprint stores lives in one data directory: the platformdirs user data
directory, or ``$FOOTPRINT_HOME`` when that is set (tests always set it).  The
directory is created owner-only (0700) and tightened if it was left looser.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from footprint.errors import ConfigError

ENV_HOME = "FOOTPRINT_HOME"
DB_FILENAME = "footprint.db"

log = logging.getLogger(__name__)


def data_dir(create: bool = True) -> Path:
    """Return the data directory, creating it owner-only when ``create`` is true."""
    override = os.environ.get(ENV_HOME)
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("footprint", appauthor=False))
    if create:
        prepare_home(path)
    return path


MARKER = ".footprint-data"
# What footprint may find in its own folder before the marker exists (older or demo folders).
_KNOWN = {
    MARKER,
    DB_FILENAME,
    f"{DB_FILENAME}-wal",
    f"{DB_FILENAME}-shm",
    "logs",
    "backups",
    "catalog",
    ".demo-pid",
}


def prepare_home(path: Path) -> Path:
    """Make ``path`` footprint's owner-only data folder, refusing a folder of other files.

    The marker file tells footprint (and ``wipe``) that the folder is its own; a non-empty
    folder without it is left untouched, so FOOTPRINT_HOME can never adopt a folder of
    documents.
    """
    marker = path / MARKER
    if path.is_dir() and not marker.exists():
        foreign = sorted(p.name for p in path.iterdir() if p.name not in _KNOWN)
        if foreign:
            raise ConfigError(
                f"{path} already holds other files ({', '.join(foreign[:3])}), so footprint "
                "will not keep its data there.",
                hint=f"Set {ENV_HOME} to a new or empty folder.",
            )
    ensure_private_dir(path)
    if not marker.exists():
        try:
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path
        except OSError as exc:
            raise ConfigError(
                f"footprint cannot write to its data folder {path}: {exc.strerror or exc}."
            ) from exc
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("This folder holds footprint's data. 'footprint wipe' erases it.\n")
    return path


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make sure only its owner can enter it."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != 0o700:
            log.info("tightening permissions of %s from %o to 700", path, mode)
            path.chmod(0o700)
    except OSError as exc:
        raise ConfigError(
            f"footprint cannot use its data folder {path}: {exc.strerror or exc}.",
            hint=f"Check that the folder is writable, or set {ENV_HOME} to another folder.",
        ) from exc
    return path


def db_path(home: Path) -> Path:
    return home / DB_FILENAME


def backups_dir(home: Path) -> Path:
    return home / "backups"


def logs_dir(home: Path) -> Path:
    return home / "logs"


def resources_dir() -> Path:
    """The bundled data files (``resources/`` in a checkout, ``_resources`` in a wheel)."""
    package = Path(__file__).resolve().parent
    installed = package / "_resources"
    if installed.is_dir():
        return installed
    checkout = package.parent / "resources"
    if checkout.is_dir():
        return checkout
    raise ConfigError(
        "footprint's bundled data files are missing; the installation looks incomplete.",
        hint="Reinstall footprint.",
    )
