"""How to request each platform's data export: guides read from TOML and validated on load.

The guides live in ``resources/guides/exports.toml``, one ``[[export]]`` table per platform
footprint can import.  They are data, not code: every problem in the file (an unknown key,
a missing or mistyped field, no steps, a page that is not https, a platform listed twice,
a placeholder other than ``{instance}``) is collected and reported at once in a
:class:`~footprint.errors.ConfigError` naming the file, the entry and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from footprint.datafiles import Problems, kind_name, read_toml
from footprint.errors import InputError
from footprint.paths import resources_dir
from footprint.platforms import platform_for

INSTANCE = "{instance}"
DEFAULT_INSTANCE = "mastodon.social"
_REQUIRED = ("platform", "name", "url", "steps", "format", "wait")
_OPTIONAL = ("notes",)
_FIELDS = _REQUIRED + _OPTIONAL
_CAN_BE_EMPTY = ("format", "notes")
_PLATFORM_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER_RE = re.compile(r"\{[^{}]*\}")
# A server name as people type it: letters (any script), digits, dots, hyphens, a port.
_HOST_RE = re.compile(r"^[\w.-]+(:\d{1,5})?$")
_SHOWN = 20  # problems listed in the message; the rest are counted


@dataclass(frozen=True)
class ExportGuide:
    """One platform's steps for requesting the data export footprint imports."""

    platform: str
    name: str
    url: str
    steps: tuple[str, ...]
    format: str  # what to choose when asked ("JSON"), or "" when there is no choice
    wait: str  # the typical wait until the download is ready
    notes: str

    def link(self, instance: str | None = None) -> str:
        """The request page, with ``{instance}`` filled (mastodon.social when none is given).

        ``instance`` may be typed as people do: ``mastodon.social``,
        ``https://mastodon.social/``, or a handle such as ``@me@mastodon.social``.
        """
        if INSTANCE not in self.url:
            return self.url
        return self.url.replace(INSTANCE, _host(instance))


def _host(instance: str | None) -> str:
    text = (instance or "").strip()
    if "://" in text:
        text = text.split("://", 1)[1]
    text = text.split("/", 1)[0].rsplit("@", 1)[-1].strip().lower()
    if not text:
        return DEFAULT_INSTANCE
    if not _HOST_RE.fullmatch(text) or text.startswith(".") or ".." in text:
        raise InputError(
            f"{instance!r} does not look like the address of a Mastodon server.",
            hint="Type your server's address, for example mastodon.social.",
        )
    return text


def _placeholders(where: str, label: str, value: str, problems: Problems, allowed: bool) -> None:
    """Complain about placeholders in ``value`` (``label`` names the field, e.g. "field 'url'")."""
    for found in _PLACEHOLDER_RE.findall(value):
        if found != INSTANCE:
            problems.add(where, f"{label} has the placeholder {found}; only {INSTANCE} is known")
        elif not allowed:
            problems.add(where, f"{label} has {INSTANCE}, which is only filled in 'url'")
    rest = _PLACEHOLDER_RE.sub("", value)
    if "{" in rest or "}" in rest:
        problems.add(where, f"{label} has an unmatched brace")


def _text(raw: dict[str, Any], key: str, where: str, problems: Problems) -> str | None:
    """A string field, stripped; ``None`` (with a problem added) when it is wrong."""
    if key not in raw:
        if key in _REQUIRED:
            problems.add(where, f"field '{key}' is missing")
            return None
        return ""
    value = raw[key]
    if not isinstance(value, str):
        problems.add(where, f"field '{key}' should be text, not {kind_name(value)}")
        return None
    value = value.strip()
    if not value and key not in _CAN_BE_EMPTY:
        problems.add(where, f"field '{key}' is empty")
        return None
    _placeholders(where, f"field '{key}'", value, problems, allowed=key == "url")
    return value


def _steps(raw: dict[str, Any], where: str, problems: Problems) -> tuple[str, ...] | None:
    if "steps" not in raw:
        problems.add(where, "field 'steps' is missing")
        return None
    value = raw["steps"]
    if not isinstance(value, list):
        problems.add(where, f"field 'steps' should be a list of text, not {kind_name(value)}")
        return None
    if not value:
        problems.add(where, "field 'steps' is empty; a guide needs at least one step")
        return None
    steps: list[str] = []
    for number, step in enumerate(value, start=1):
        if not isinstance(step, str) or not step.strip():
            problems.add(where, f"field 'steps' item {number} should be non-empty text")
            continue
        _placeholders(where, f"field 'steps' item {number}", step, problems, allowed=False)
        steps.append(step.strip())
    return tuple(steps) if len(steps) == len(value) else None


def _guide(raw: Any, index: int, problems: Problems) -> ExportGuide | None:
    where = f"entry #{index + 1}"
    if not isinstance(raw, dict):
        problems.add(where, f"should be an [[export]] table, not {kind_name(raw)}")
        return None
    platform = raw.get("platform")
    if isinstance(platform, str) and platform.strip():
        where = f"entry #{index + 1} (platform {platform.strip()!r})"
    before = len(problems.items)
    for key in raw:
        if key not in _FIELDS:
            problems.add(where, f"field '{key}' is not a known field ({', '.join(_FIELDS)})")
    values = {key: _text(raw, key, where, problems) for key in _FIELDS if key != "steps"}
    steps = _steps(raw, where, problems)
    platform_id = values["platform"]
    if platform_id is not None and not _PLATFORM_RE.fullmatch(platform_id):
        problems.add(where, "field 'platform' should be a platform id such as 'x' or 'youtube'")
    url = values["url"]
    if url is not None:
        parts = urlsplit(url.replace(INSTANCE, DEFAULT_INSTANCE))
        if parts.scheme != "https" or not parts.hostname:
            problems.add(where, f"field 'url' should be an https:// address, not {url!r}")
    if len(problems.items) > before or steps is None:
        return None
    return ExportGuide(
        platform=str(values["platform"]),
        name=str(values["name"]),
        url=str(url),
        steps=steps,
        format=str(values["format"]),
        wait=str(values["wait"]),
        notes=str(values["notes"]),
    )


def parse_export_guides(data: dict[str, Any], path: Path) -> tuple[ExportGuide, ...]:
    """Validate a decoded guide file; raise ConfigError listing every problem."""
    problems = Problems(path, "export guides")
    for key in data:
        if key != "export":
            problems.add(f"top level, key '{key}'", "is not known; guides go in [[export]] tables")
    entries = data.get("export")
    if not isinstance(entries, list) or not entries:
        problems.add("top level", "there are no [[export]] tables")
        entries = []
    guides: list[ExportGuide] = []
    first: dict[str, int] = {}
    for index, raw in enumerate(entries):
        guide = _guide(raw, index, problems)
        if guide is None:
            continue
        if guide.platform in first:
            problems.add(
                f"entry #{index + 1} (platform {guide.platform!r})",
                f"field 'platform' repeats entry #{first[guide.platform] + 1}; "
                "each platform has one guide",
            )
            continue
        first[guide.platform] = index
        guides.append(guide)
    problems.raise_if_any()
    return tuple(guides)


def default_path() -> Path:
    return resources_dir() / "guides" / "exports.toml"


@lru_cache(maxsize=1)
def _bundled() -> tuple[ExportGuide, ...]:
    path = default_path()
    return parse_export_guides(read_toml(path, "export guides"), path)


def load_export_guides(path: Path | None = None) -> tuple[ExportGuide, ...]:
    """Every export guide, in file order (the bundled file, read once, by default)."""
    if path is None:
        return _bundled()
    return parse_export_guides(read_toml(path, "export guides"), path)


def export_guide(platform: str) -> ExportGuide | None:
    """The bundled guide for ``platform`` (an id such as "x", or a name such as "Twitter")."""
    guides = {g.platform: g for g in load_export_guides()}
    return guides.get(platform) or guides.get(platform_for(platform))
