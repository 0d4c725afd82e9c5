"""Manual tasks: privacy changes a person makes by hand where no API exists.

The tasks are data (``resources/cleanup/manual.toml``), validated on load: every problem in
the file (an unknown or missing field, a bad ``when``, a page that is not https, an id used
twice, a ``setting`` that no settings rule of that platform has) is collected and reported
at once in a :class:`~footprint.errors.ConfigError`.

The person ticks a task off when they have done it.  Its state is a row of
``cleanup_actions`` (action "manual", key ``manual:<task id>``): "done" when ticked,
"cancelled" when unticked again, "verified" when a settings observation read (or confirmed)
after the tick holds the safe value of the task's ``setting``.  Such rows are never queued,
so the automated queue never runs them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from footprint.checklist.rules import RuleSet, load_ruleset
from footprint.datafiles import Problems, kind_name, read_toml
from footprint.errors import InputError
from footprint.paths import resources_dir
from footprint.store.database import utcnow

if TYPE_CHECKING:
    from footprint.store.database import Store

TaskState = Literal["todo", "done", "verified"]
WHEN = ("account", "always")
ACTION = "manual"
INSTANCE = "{instance}"
DEFAULT_INSTANCE = "mastodon.social"
MIN_STEPS, MAX_STEPS = 3, 6
_REQUIRED = ("id", "platform", "title", "why", "steps", "url")
_OPTIONAL = ("setting", "when")
_FIELDS = _REQUIRED + _OPTIONAL
_PLATFORM_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PLACEHOLDER_RE = re.compile(r"\{[^{}]*\}")
_SHOWN = 20  # problems listed in the message; the rest are counted


@dataclass(frozen=True)
class ManualTask:
    """One thing to do by hand on a platform's own settings pages."""

    id: str  # "<platform>.<what>", e.g. "facebook.limit-past-posts"
    platform: str
    title: str
    why: str
    steps: tuple[str, ...]
    url: str  # may hold {instance} (the person's Mastodon server)
    setting: str | None = None  # a settings.toml key whose safe value proves it done
    when: str = "account"  # "account": only with an account there; "always": for everyone

    @property
    def key(self) -> str:
        """The task's key in ``cleanup_actions``."""
        return f"{ACTION}:{self.id}"

    def link(self, handle: str | None = None) -> str:
        """The page to open, ``{instance}`` filled from a handle such as ``@me@example.org``."""
        if INSTANCE not in self.url:
            return self.url
        instance = handle.rsplit("@", 1)[-1] if handle and handle.count("@") >= 2 else ""
        return self.url.replace(INSTANCE, instance or DEFAULT_INSTANCE)


@dataclass(frozen=True)
class TaskStatus:
    task: ManualTask
    state: TaskState
    ticked_at: str | None  # when the person ticked it (None while "todo")
    verified_at: str | None  # when footprint saw the safe value ("verified" only)
    link: str  # the task's page for this person's account
    observed: str | None  # the setting's last known value (tasks with a setting only)


# -- the task file -----------------------------------------------------------------------


def _text(raw: dict[str, Any], key: str, where: str, problems: Problems) -> str | None:
    """A text field, stripped; ``None`` when absent (optional) or wrong (problem added)."""
    if key not in raw:
        if key in _REQUIRED:
            problems.add(where, f"field '{key}' is missing")
        return None
    value = raw[key]
    if not isinstance(value, str):
        problems.add(where, f"field '{key}' should be text, not {kind_name(value)}")
        return None
    value = value.strip()
    if not value:
        problems.add(where, f"field '{key}' is empty")
        return None
    for found in _PLACEHOLDER_RE.findall(value):
        if key != "url" or found != INSTANCE:
            problems.add(
                where,
                f"field '{key}' has the placeholder {found}; only {INSTANCE} in 'url' is known",
            )
    return value


def _steps(raw: dict[str, Any], where: str, problems: Problems) -> tuple[str, ...] | None:
    if "steps" not in raw:
        problems.add(where, "field 'steps' is missing")
        return None
    value = raw["steps"]
    if not isinstance(value, list):
        problems.add(where, f"field 'steps' should be a list of text, not {kind_name(value)}")
        return None
    if not MIN_STEPS <= len(value) <= MAX_STEPS:
        problems.add(
            where, f"field 'steps' has {len(value)} steps; a task needs {MIN_STEPS} to {MAX_STEPS}"
        )
        return None
    steps = []
    for number, step in enumerate(value, start=1):
        if not isinstance(step, str) or not step.strip():
            problems.add(where, f"field 'steps' item {number} should be non-empty text")
            return None
        steps.append(step.strip())
    return tuple(steps)


def _task(
    raw: Any, index: int, settings: dict[str, set[str]], problems: Problems
) -> ManualTask | None:
    where = f"task #{index + 1}"
    if not isinstance(raw, dict):
        problems.add(where, f"should be a [[task]] table, not {kind_name(raw)}")
        return None
    if isinstance(raw.get("id"), str) and raw["id"].strip():
        where = f"task #{index + 1} ({raw['id'].strip()!r})"
    before = len(problems.items)
    for key in raw:
        if key not in _FIELDS:
            problems.add(where, f"field '{key}' is not a known field ({', '.join(_FIELDS)})")
    values = {key: _text(raw, key, where, problems) for key in _FIELDS if key != "steps"}
    steps = _steps(raw, where, problems)
    task_id, platform = values["id"], values["platform"]
    if platform is not None and not _PLATFORM_RE.fullmatch(platform):
        problems.add(where, "field 'platform' should be a platform id such as 'x' or 'youtube'")
    elif task_id is not None and platform is not None:
        prefix, _, slug = task_id.partition(".")
        if prefix != platform or not _SLUG_RE.fullmatch(slug):
            problems.add(
                where,
                f"field 'id' should be '{platform}.' and a short name in lowercase words "
                "joined by hyphens, e.g. 'facebook.limit-past-posts'",
            )
    url = values["url"]
    if url is not None:
        parts = urlsplit(url.replace(INSTANCE, DEFAULT_INSTANCE))
        if parts.scheme != "https" or not parts.hostname:
            problems.add(where, f"field 'url' should be an https:// address, not {url!r}")
    when = values["when"] or "account"
    if when not in WHEN:
        problems.add(where, f"field 'when' is {when!r}; expected one of {', '.join(WHEN)}")
    setting = values["setting"]
    if setting is not None and platform is not None and setting not in settings.get(platform, ()):
        known = ", ".join(sorted(settings.get(platform, ()))) or "none"
        problems.add(
            where,
            f"field 'setting' {setting!r} is not a settings rule key of platform {platform!r} "
            f"(known: {known})",
        )
    if len(problems.items) > before or steps is None:
        return None
    return ManualTask(
        id=str(task_id),
        platform=str(platform),
        title=str(values["title"]),
        why=str(values["why"]),
        steps=steps,
        url=str(url),
        setting=setting,
        when=when,
    )


def parse_manual_tasks(
    data: dict[str, Any], path: Path, rules: RuleSet | None = None
) -> tuple[ManualTask, ...]:
    """Validate a decoded task file; raise ConfigError listing every problem."""
    rules = rules or load_ruleset()
    settings: dict[str, set[str]] = {}
    for rule in rules.settings:
        settings.setdefault(rule.platform, set()).add(rule.key)
    problems = Problems(path, "manual tasks")
    for key in data:
        if key != "task":
            problems.add(f"top level, key '{key}'", "is not known; tasks go in [[task]] tables")
    entries = data.get("task")
    if not isinstance(entries, list) or not entries:
        problems.add("top level", "there are no [[task]] tables")
        entries = []
    tasks: list[ManualTask] = []
    first: dict[str, int] = {}
    for index, raw in enumerate(entries):
        task = _task(raw, index, settings, problems)
        if task is None:
            continue
        if task.id in first:
            problems.add(
                f"task #{index + 1} ({task.id!r})",
                f"field 'id' repeats task #{first[task.id] + 1}; each id is used once",
            )
            continue
        first[task.id] = index
        tasks.append(task)
    problems.raise_if_any()
    return tuple(tasks)


def default_path() -> Path:
    return resources_dir() / "cleanup" / "manual.toml"


@lru_cache(maxsize=1)
def _bundled() -> tuple[ManualTask, ...]:
    path = default_path()
    return parse_manual_tasks(read_toml(path, "manual tasks"), path)


def load_manual_tasks(
    path: Path | None = None, rules: RuleSet | None = None
) -> tuple[ManualTask, ...]:
    """Every manual task, in file order (the bundled file, read once, by default).

    ``setting`` fields are checked against ``rules`` (the bundled checklist rules by default).
    """
    if path is None and rules is None:
        return _bundled()
    path = path or default_path()
    return parse_manual_tasks(read_toml(path, "manual tasks"), path, rules)


# -- state -------------------------------------------------------------------------------


def _find(task_id: str, tasks: Sequence[ManualTask]) -> ManualTask:
    for task in tasks:
        if task.id == task_id:
            return task
    raise InputError(
        f"There is no manual task {task_id!r}.",
        hint="Known tasks: " + ", ".join(t.id for t in tasks),
    )


def _accounts(store: Store) -> dict[str, tuple[int, str]]:
    """Each platform's account (id, handle): a connected one before one found by a sweep."""
    out: dict[str, tuple[int, str]] = {}
    for account_id, platform, handle in store.conn.execute(
        "SELECT id, platform, handle FROM accounts ORDER BY connection = 'sweep', id"
    ):
        out.setdefault(platform, (account_id, handle))
    return out


def _rows(store: Store) -> dict[str, tuple[str, str | None, str | None]]:
    """Task id -> (row state, done_at, verified_at) of every manual row."""
    return {
        target: (state, done_at, verified_at)
        for target, state, done_at, verified_at in store.conn.execute(
            "SELECT target, state, done_at, verified_at FROM cleanup_actions WHERE action = ?",
            (ACTION,),
        )
    }


def _observations(store: Store) -> dict[tuple[str, str], tuple[str | None, str]]:
    """(platform, key) -> (value, when it was last read as changed) of every setting."""
    return {
        (platform, key): (text, updated)
        for platform, key, text, updated in store.conn.execute(
            "SELECT platform, platform_id, text, updated_at FROM items "
            "WHERE kind = 'setting' AND gone_at IS NULL"
        )
    }


def _state(row_state: str | None) -> TaskState:
    if row_state == "done":
        return "done"
    if row_state == "verified":
        return "verified"
    return "todo"  # no row yet, or unticked ("cancelled")


def _statuses(
    store: Store, tasks: Sequence[ManualTask], *, applicable_only: bool
) -> list[TaskStatus]:
    accounts = _accounts(store)
    rows = _rows(store)
    observations = _observations(store)
    out = []
    for task in tasks:
        account = accounts.get(task.platform)
        if applicable_only and account is None and task.when != "always":
            continue
        row_state, done_at, verified_at = rows.get(task.id, (None, None, None))
        state = _state(row_state)
        observed = None
        if task.setting is not None:
            observed = observations.get((task.platform, task.setting), (None, ""))[0]
        out.append(
            TaskStatus(
                task=task,
                state=state,
                ticked_at=done_at if state != "todo" else None,
                verified_at=verified_at if state == "verified" else None,
                link=task.link(account[1] if account else None),
                observed=observed,
            )
        )
    return out


def tasks_for(store: Store, tasks: Sequence[ManualTask] | None = None) -> list[TaskStatus]:
    """The tasks that apply to this person, in file order, each with its state.

    A task applies when the person has an account on its platform, or when its ``when`` is
    "always".  Call :func:`refresh_verification` first for up-to-date "verified" states.
    """
    return _statuses(store, load_manual_tasks() if tasks is None else tasks, applicable_only=True)


def _audit(store: Store, task: ManualTask, state: TaskState, now: str) -> None:
    store.conn.execute(
        "INSERT INTO audit_log (at, actor, action, details) VALUES (?, 'user', ?, ?)",
        (
            now,
            "cleanup.manual",
            json.dumps({"task": task.id, "platform": task.platform, "state": state}),
        ),
    )


def _status(store: Store, task: ManualTask) -> TaskStatus:
    return _statuses(store, [task], applicable_only=False)[0]


def mark_done(store: Store, task_id: str, tasks: Sequence[ManualTask] | None = None) -> TaskStatus:
    """The person did the task: tick it ("done").  Ticking a ticked task changes nothing."""
    task = _find(task_id, load_manual_tasks() if tasks is None else tasks)
    with store.transaction():
        row = store.conn.execute(
            "SELECT state FROM cleanup_actions WHERE key = ?", (task.key,)
        ).fetchone()
        if row is None or _state(row[0]) == "todo":
            now = utcnow()
            account = _accounts(store).get(task.platform)
            store.conn.execute(
                "INSERT INTO cleanup_actions (key, account_id, platform, action, target, "
                "state, created_at, updated_at, done_at) "
                "VALUES (?, ?, ?, ?, ?, 'done', ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET state = 'done', "
                "account_id = COALESCE(excluded.account_id, account_id), "
                "done_at = excluded.done_at, verified_at = NULL, last_error = NULL, "
                "updated_at = excluded.updated_at",
                (
                    task.key,
                    account[0] if account else None,
                    task.platform,
                    ACTION,
                    task.id,
                    now,
                    now,
                    now,
                ),
            )
            _audit(store, task, "done", now)
    return _status(store, task)


def mark_todo(store: Store, task_id: str, tasks: Sequence[ManualTask] | None = None) -> TaskStatus:
    """Untick the task (back to "todo").  Unticking a task that is not ticked changes nothing."""
    task = _find(task_id, load_manual_tasks() if tasks is None else tasks)
    with store.transaction():
        row = store.conn.execute(
            "SELECT state FROM cleanup_actions WHERE key = ?", (task.key,)
        ).fetchone()
        if row is not None and _state(row[0]) != "todo":
            now = utcnow()
            store.conn.execute(
                "UPDATE cleanup_actions SET state = 'cancelled', done_at = NULL, "
                "verified_at = NULL, updated_at = ? WHERE key = ?",
                (now, task.key),
            )
            _audit(store, task, "todo", now)
    return _status(store, task)


def refresh_verification(
    store: Store,
    tasks: Sequence[ManualTask] | None = None,
    rules: RuleSet | None = None,
) -> int:
    """Check ticked tasks against the settings footprint knows; returns how many changed.

    A "done" task becomes "verified" when its setting's value, read (or confirmed by the
    person) no earlier than the tick, is the rule's safe value.  A "verified" task goes back
    to "done" when a later observation shows a loose value again.
    """
    tasks = load_manual_tasks() if tasks is None else tasks
    rules = rules or load_ruleset()
    by_id = {t.id: t for t in tasks if t.setting is not None}
    by_key = {(r.platform, r.key): r for r in rules.settings}
    changed = 0
    with store.transaction():
        observations = _observations(store)
        for task_id, (row_state, done_at, _) in _rows(store).items():
            task = by_id.get(task_id)
            if task is None or task.setting is None or row_state not in ("done", "verified"):
                continue
            rule = by_key.get((task.platform, task.setting))
            seen = observations.get((task.platform, task.setting))
            if rule is None or seen is None or seen[0] is None:
                continue
            value, observed_at = seen[0].strip().lower(), seen[1]
            now = utcnow()
            if (
                row_state == "done"
                and value == rule.safe.strip().lower()
                and observed_at >= (done_at or "")
            ):
                store.conn.execute(
                    "UPDATE cleanup_actions SET state = 'verified', verified_at = ?, "
                    "updated_at = ? WHERE key = ?",
                    (now, now, task.key),
                )
                changed += 1
            elif row_state == "verified" and value in {v.lower() for v in rule.loose}:
                store.conn.execute(
                    "UPDATE cleanup_actions SET state = 'done', verified_at = NULL, "
                    "updated_at = ? WHERE key = ?",
                    (now, task.key),
                )
                changed += 1
    return changed
