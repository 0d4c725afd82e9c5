"""Reading footprint's data files (``resources/**.toml``): one way to fail, clearly.

Every loader of a bundled data file (export guides, manual tasks, deletion guides, broker
lists...) collects every problem it finds in a :class:`Problems` and reports them together
in one :class:`~footprint.errors.ConfigError` naming the file, the entry and the field.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from footprint.errors import ConfigError

SHOWN = 20  # problems listed in the message; the rest are counted
FIX_HINT = "Fix the file, or reinstall footprint to restore the bundled one."


class Problems:
    """Every problem found in one data file, reported together."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        self.what = what  # "export guides", "manual tasks"...
        self.items: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.items.append(f"{where}: {problem}")

    def raise_if_any(self) -> None:
        if not self.items:
            return
        count = len(self.items)
        shown = "\n".join(f"  - {p}" for p in self.items[:SHOWN])
        more = f"\n  ... and {count - SHOWN} more" if count > SHOWN else ""
        raise ConfigError(
            f"The {self.what} in {self.path.name} are invalid "
            f"({count} problem{'s' if count != 1 else ''}):\n{shown}{more}",
            hint=FIX_HINT,
            details=str(self.path),
        )


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The file's tables; a missing, unreadable or malformed file is a ConfigError."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(
            f"The {what} are missing: there is no {path.name} at {path.parent}.",
            hint="Reinstall footprint.",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"The {what} in {path.name} are not valid TOML ({exc}).",
            hint=FIX_HINT,
            details=str(path),
        ) from exc
    except OSError as exc:
        raise ConfigError(
            f"The {what} in {path} could not be read: {exc.strerror or exc}.",
            details=str(exc),
        ) from exc


def kind_name(value: object) -> str:
    """How a TOML value's type is named in a message."""
    return {dict: "a table", list: "a list", bool: "true/false"}.get(
        type(value), type(value).__name__
    )
