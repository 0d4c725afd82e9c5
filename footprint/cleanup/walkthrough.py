"""The guided walk-through: plain-language steps to fix each finding by hand.

Steps are data (``resources/cleanup/steps.toml``), validated on load.  The most specific
guide wins: the finding's rule id, then a rule prefix ending in ".", then its category,
then the category's group.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from footprint.errors import ConfigError
from footprint.paths import resources_dir

if TYPE_CHECKING:
    from footprint.checklist.findings import Finding
    from footprint.checklist.rules import RuleSet
    from footprint.store.database import Store


@dataclass(frozen=True)
class Guides:
    steps: dict[str, tuple[str, ...]]  # match -> steps
    delete: dict[str, str]  # platform -> how to delete a post there


def default_path() -> Path:
    return resources_dir() / "cleanup" / "steps.toml"


def _problem(path: Path, problems: list[str]) -> ConfigError:
    return ConfigError(
        f"The cleanup guides in {path.name} are invalid: " + "; ".join(problems),
        hint="Fix the file, or reinstall footprint to get the bundled one.",
        details=str(path),
    )


def parse_guides(data: dict[str, Any], path: Path) -> Guides:
    problems: list[str] = []
    extra = set(data) - {"guide", "platform"}
    if extra:
        problems.append(f"unknown tables {sorted(extra)}")
    steps: dict[str, tuple[str, ...]] = {}
    for n, entry in enumerate(data.get("guide", []), start=1):
        where = f"guide #{n}"
        if not isinstance(entry, dict):
            problems.append(f"{where} is not a table")
            continue
        unknown = set(entry) - {"match", "steps"}
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        match, lines = entry.get("match"), entry.get("steps")
        if not isinstance(match, str) or not match.strip():
            problems.append(f"{where}: 'match' must be a rule id, prefix, category or group")
            continue
        if (
            not isinstance(lines, list)
            or not lines
            or not all(isinstance(s, str) and s.strip() for s in lines)
        ):
            problems.append(f"{where} ({match}): 'steps' must be a list of non-empty texts")
            continue
        if match in steps:
            problems.append(f"{where}: a second guide for {match!r}")
        steps[match] = tuple(lines)
    delete: dict[str, str] = {}
    for n, entry in enumerate(data.get("platform", []), start=1):
        where = f"platform #{n}"
        if not isinstance(entry, dict) or set(entry) != {"id", "delete"}:
            problems.append(f"{where}: needs exactly 'id' and 'delete'")
            continue
        if not all(isinstance(entry[k], str) and entry[k].strip() for k in ("id", "delete")):
            problems.append(f"{where}: 'id' and 'delete' must be non-empty texts")
            continue
        if entry["id"] in delete:
            problems.append(f"{where}: a second note for {entry['id']!r}")
        delete[entry["id"]] = entry["delete"]
    if problems:
        raise _problem(path, problems)
    return Guides(steps, delete)


def load_guides(path: Path | None = None) -> Guides:
    if path is None:
        return _bundled()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise _problem(path, [str(exc)]) from exc
    return parse_guides(data, path)


@lru_cache(maxsize=1)
def _bundled() -> Guides:
    return load_guides(default_path())


def steps_for(finding: Finding, rules: RuleSet, guides: Guides | None = None) -> list[str]:
    """The steps to fix ``finding`` by hand, most specific guide first found."""
    guides = guides or load_guides()
    category = rules.categories.get(finding.category)
    candidates = [finding.rule]
    parts = finding.rule.split(".")
    candidates += [".".join(parts[:n]) + "." for n in range(len(parts) - 1, 0, -1)]
    candidates.append(finding.category)
    if category is not None:
        candidates.append(category.group)
    steps: list[str] = []
    for key in candidates:
        if key in guides.steps:
            steps = list(guides.steps[key])
            break
    if (
        steps
        and finding.item_key
        and finding.platform in guides.delete
        and category is not None
        and category.group in ("content", "personal_data")
        and finding.rule != "pii.login-ips"
    ):
        steps.insert(len(steps) - 1, guides.delete[finding.platform])
    return steps or [
        "Open it with the button below, and remove or change what the finding shows.",
        'Press "I fixed it" when it is done.',
    ]


@dataclass(frozen=True)
class Progress:
    handled: int  # fixed, verified or dismissed
    open: int  # still to do (open, in progress; snoozed ones wait)
    snoozed: int

    @property
    def total(self) -> int:
        return self.handled + self.open + self.snoozed


def walkthrough_progress(store: Store) -> Progress:
    counts = dict(
        store.conn.execute(
            "SELECT state, COUNT(*) FROM findings WHERE severity != 'info' GROUP BY state"
        ).fetchall()
    )
    return Progress(
        handled=sum(counts.get(s, 0) for s in ("done", "verified", "dismissed")),
        open=sum(counts.get(s, 0) for s in ("open", "in_progress")),
        snoozed=counts.get("snoozed", 0),
    )
