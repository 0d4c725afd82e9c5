"""Manual tasks: the bundled file, its validation, ticking them off, and verification."""

from __future__ import annotations

import json

import pytest

from footprint.checklist.privacy import confirm_setting
from footprint.checklist.rules import load_ruleset
from footprint.cleanup.manual import (
    default_path,
    load_manual_tasks,
    mark_done,
    mark_todo,
    parse_manual_tasks,
    refresh_verification,
    tasks_for,
)
from footprint.errors import ConfigError, InputError
from footprint.store.accounts import upsert_account

REQUIRED_COVERAGE = {
    "facebook.limit-past-posts",
    "facebook.lookup-by-email-phone",
    "facebook.search-engine-linking",
    "instagram.private-account",
    "linkedin.public-profile",
    "linkedin.share-profile-updates",
    "x.protect-posts",
    "x.discoverability",
    "tiktok.private-account",
    "youtube.private-subscriptions",
    "google.results-about-you",
    "google.activity-controls",
}


@pytest.fixture(scope="module")
def rules():
    return load_ruleset()


def _good(**changes):
    entry = {
        "id": "x.protect-posts",
        "platform": "x",
        "title": "Protect your posts",
        "why": "Anyone can read them.",
        "steps": ["Open the page.", "Switch it on.", "Tick this task."],
        "url": "https://x.com/settings/audience_and_tagging",
        "setting": "protected",
    }
    entry.update(changes)
    return {key: value for key, value in entry.items() if value is not None}


def _problems(data, rules, tmp_path) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_manual_tasks(data, tmp_path / "manual.toml", rules)
    return caught.value.message


def _row(store, task_id):
    return store.conn.execute(
        "SELECT state, action, platform, target, account_id, done_at, verified_at "
        "FROM cleanup_actions WHERE key = ?",
        (f"manual:{task_id}",),
    ).fetchone()


def _backdate(store, platform, key, at="2000-01-01T00:00:00Z"):
    store.conn.execute(
        "UPDATE items SET updated_at = ? WHERE kind = 'setting' AND platform = ? "
        "AND platform_id = ?",
        (at, platform, key),
    )
    store.conn.commit()


# -- the task file -----------------------------------------------------------------------


def test_the_bundled_file_loads_and_covers_the_manual_only_settings(rules):
    tasks = load_manual_tasks()
    ids = {t.id for t in tasks}
    assert ids >= REQUIRED_COVERAGE
    for task in tasks:
        assert 3 <= len(task.steps) <= 6
        assert task.link().startswith("https://")
        assert task.id.startswith(task.platform + ".")
    by_id = {t.id: t for t in tasks}
    assert by_id["x.protect-posts"].setting == "protected"
    assert by_id["instagram.private-account"].setting == "private_account"
    assert by_id["tiktok.private-account"].setting == "private_account"
    assert by_id["google.results-about-you"].when == "always"
    assert by_id["google.activity-controls"].when == "always"
    assert by_id["facebook.limit-past-posts"].when == "account"
    # Loading it explicitly, against explicit rules, gives the same tasks.
    assert load_manual_tasks(default_path(), rules) == tasks


def test_a_valid_entry_parses(rules, tmp_path):
    (task,) = parse_manual_tasks({"task": [_good(when="always")]}, tmp_path / "m.toml", rules)
    assert task.steps == ("Open the page.", "Switch it on.", "Tick this task.")
    assert task.when == "always"
    assert task.key == "manual:x.protect-posts"


def test_every_problem_is_reported_at_once(rules, tmp_path):
    data = {
        "tasks": [],
        "task": [
            _good(colour="red"),  # unknown field
            _good(id="x.no-title", title=None),  # missing field
            _good(id="x.bad-when", when="sometimes"),
            _good(id="x.plain-http", url="http://x.com/settings"),
            _good(id="x.fine"),  # valid: reported problems are only the others
            _good(id="x.no-such-setting", setting="private_account"),  # an Instagram key
            _good(id="x.too-few", steps=["Just one."]),
            _good(id="facebook.wrong-prefix"),
            _good(id="x.braces", url="https://x.com/{handle}"),
            "not a table",
        ],
    }
    message = _problems(data, rules, tmp_path)
    assert "manual.toml" in message
    assert "top level, key 'tasks': is not known" in message
    assert "field 'colour' is not a known field" in message
    assert "field 'title' is missing" in message
    assert "field 'when' is 'sometimes'" in message
    assert "field 'url' should be an https:// address" in message
    assert "field 'setting' 'private_account' is not a settings rule key of platform 'x'" in message
    assert "field 'steps' has 1 steps" in message
    assert "field 'id' should be 'x.'" in message
    assert "placeholder {handle}" in message
    assert "should be a [[task]] table" in message
    assert "(10 problems)" in message
    # An id is a duplicate when a valid task already has it.
    dup = _problems({"task": [_good(), _good(title="Again")]}, rules, tmp_path)
    assert "task #2 ('x.protect-posts'): field 'id' repeats task #1" in dup


def test_an_empty_or_broken_file_is_a_config_error(rules, tmp_path):
    assert "there are no [[task]] tables" in _problems({}, rules, tmp_path)
    path = tmp_path / "manual.toml"
    path.write_text("[[task]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_manual_tasks(path, rules)
    with pytest.raises(ConfigError, match="missing"):
        load_manual_tasks(tmp_path / "absent.toml", rules)


def test_mastodon_tasks_link_to_the_persons_server(store):
    upsert_account(store, "mastodon", "@jo@social.example", connection="import")
    links = {s.task.id: s.link for s in tasks_for(store)}
    assert links["mastodon.search-engine-opt-out"] == "https://social.example/settings/privacy"


# -- applicability and state -------------------------------------------------------------


def test_tasks_apply_by_account_or_always(store):
    ids = {s.task.id for s in tasks_for(store)}
    assert ids == {"google.results-about-you", "google.activity-controls"}
    upsert_account(store, "facebook", "jo", connection="import")
    upsert_account(store, "x", "jo", connection="sweep")
    statuses = tasks_for(store)
    ids = {s.task.id for s in statuses}
    assert {"facebook.limit-past-posts", "x.protect-posts", "x.discoverability"} <= ids
    assert not any(i.startswith(("instagram.", "tiktok.", "linkedin.")) for i in ids)
    assert all(s.state == "todo" and s.ticked_at is None for s in statuses)
    # File order is kept.
    order = [t.id for t in load_manual_tasks() if t.id in ids]
    assert [s.task.id for s in statuses] == order


def test_tick_then_untick_writes_state_and_the_audit_log(store):
    account = upsert_account(store, "facebook", "jo", connection="import")
    status = mark_done(store, "facebook.limit-past-posts")
    assert status.state == "done" and status.ticked_at
    state, action, platform, target, account_id, done_at, _ = _row(
        store, "facebook.limit-past-posts"
    )
    assert (state, action, platform, target, account_id) == (
        "done",
        "manual",
        "facebook",
        "facebook.limit-past-posts",
        account,
    )
    assert done_at == status.ticked_at
    # Ticking again changes nothing and logs nothing.
    assert mark_done(store, "facebook.limit-past-posts").ticked_at == status.ticked_at
    status = mark_todo(store, "facebook.limit-past-posts")
    assert status.state == "todo" and status.ticked_at is None
    assert _row(store, "facebook.limit-past-posts")[0] == "cancelled"
    mark_todo(store, "facebook.limit-past-posts")  # not ticked: nothing to log
    log = [
        (actor, action, json.loads(details))
        for actor, action, details in store.conn.execute(
            "SELECT actor, action, details FROM audit_log ORDER BY id"
        )
    ]
    assert log == [
        (
            "user",
            "cleanup.manual",
            {"task": "facebook.limit-past-posts", "platform": "facebook", "state": "done"},
        ),
        (
            "user",
            "cleanup.manual",
            {"task": "facebook.limit-past-posts", "platform": "facebook", "state": "todo"},
        ),
    ]


def test_an_always_task_can_be_ticked_without_an_account(store):
    status = mark_done(store, "google.results-about-you")
    assert status.state == "done"
    assert _row(store, "google.results-about-you")[4] is None  # no Google account


def test_manual_rows_are_never_queued(store):
    from footprint.cleanup.actions import cancel_pending, queue_planned

    mark_done(store, "google.activity-controls")
    assert queue_planned(store) == 0
    assert cancel_pending(store) == 0
    assert _row(store, "google.activity-controls")[0] == "done"


def test_unknown_task_ids_are_an_input_error(store):
    for act in (mark_done, mark_todo):
        with pytest.raises(InputError) as caught:
            act(store, "myspace.delete-everything")
        assert "myspace.delete-everything" in caught.value.message
        assert "x.protect-posts" in (caught.value.hint or "")


# -- verification ------------------------------------------------------------------------


def test_a_confirmed_safe_setting_verifies_and_a_loose_one_demotes(store):
    upsert_account(store, "x", "jo", connection="import")
    mark_done(store, "x.protect-posts")
    assert refresh_verification(store) == 0  # nothing observed yet
    confirm_setting(store, "x", "protected", "true")
    assert refresh_verification(store) == 1
    (status,) = [s for s in tasks_for(store) if s.task.id == "x.protect-posts"]
    assert status.state == "verified" and status.verified_at and status.observed == "true"
    assert refresh_verification(store) == 0  # stable
    confirm_setting(store, "x", "protected", "false")
    assert refresh_verification(store) == 1
    (status,) = [s for s in tasks_for(store) if s.task.id == "x.protect-posts"]
    assert status.state == "done" and status.verified_at is None and status.ticked_at
    # Safe again: verified again.
    confirm_setting(store, "x", "protected", "True ")
    assert refresh_verification(store) == 1
    assert _row(store, "x.protect-posts")[0] == "verified"


def test_an_observation_older_than_the_tick_proves_nothing(store):
    upsert_account(store, "instagram", "jo", connection="import")
    confirm_setting(store, "instagram", "private_account", "true")
    _backdate(store, "instagram", "private_account")
    mark_done(store, "instagram.private-account")
    assert refresh_verification(store) == 0
    assert _row(store, "instagram.private-account")[0] == "done"


def test_untick_forgets_verification_and_todo_tasks_are_not_verified(store):
    upsert_account(store, "tiktok", "jo", connection="import")
    confirm_setting(store, "tiktok", "private_account", "true")
    assert refresh_verification(store) == 0  # not ticked: a safe value does not tick it
    (status,) = [s for s in tasks_for(store) if s.task.id == "tiktok.private-account"]
    assert status.state == "todo" and status.observed == "true"
    mark_done(store, "tiktok.private-account")
    assert refresh_verification(store) == 1
    status = mark_todo(store, "tiktok.private-account")
    assert status.state == "todo" and status.verified_at is None
    assert _row(store, "tiktok.private-account")[6] is None


def test_the_rules_safe_value_is_used_not_just_true(store):
    upsert_account(store, "youtube", "jo", connection="import")
    mark_done(store, "youtube.private-subscriptions")
    confirm_setting(store, "youtube", "subscriptions_public", "true")  # loose
    assert refresh_verification(store) == 0
    confirm_setting(store, "youtube", "subscriptions_public", "false")  # safe
    assert refresh_verification(store) == 1
