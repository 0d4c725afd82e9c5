"""footprint cleanup plan / run / status / cancel, verify and log, against mastodon-mock."""

from __future__ import annotations

import json

import pytest

from footprint.checklist.scan import scan
from footprint.cleanup.actions import KeepRules, plan_bulk
from footprint.cli import main
from footprint.cli_cleanup import parse_age
from footprint.errors import InputError
from footprint.store import Item, upsert_items
from tests.cleanup.test_actions import counting  # noqa: F401
from tests.connectors.helpers import connect_signed_in_mastodon
from tests.connectors.mastodon_server import MastodonServer

pytest_plugins = ["tests.connectors.mastodon_server"]


def test_ages():
    assert parse_age("30d") == 30 and parse_age("2y") == 730 and parse_age("6w") == 42
    with pytest.raises(InputError):
        parse_age("soon")


def test_well_liked_posts_are_kept(store, counting):  # noqa: F811
    upsert_items(
        store,
        [
            Item(
                "mastodon",
                "post",
                "7",
                text="post 7",
                likes=50,
                account_id=counting,
                created_at="2020-01-01T00:00:00Z",
            )
        ],
    )
    assert store.conn.execute("SELECT likes FROM items WHERE platform_id = '7'").fetchone() == (50,)
    # Post 7 has 50 likes; the others' likes are unknown (kept too, when the rule is on).
    assert plan_bulk(store, "mastodon", KeepRules(older_than_days=30, min_likes=10)) == []
    store.conn.execute("UPDATE items SET likes = 0 WHERE platform_id != '7'")
    assert len(plan_bulk(store, "mastodon", KeepRules(older_than_days=30, min_likes=10))) == 30


def test_plan_review_run_status_verify_and_log(store, mastodon_server: MastodonServer, capsys):
    mastodon_server.create_account("alice", locked=False)
    bad = mastodon_server.post_status("alice", "fuck this job, my boss is a fucking idiot")
    connect_signed_in_mastodon(store, mastodon_server)
    scan(store)

    assert main(["cleanup", "plan", "--platform", "mastodon"]) == 0
    out = capsys.readouterr().out
    assert "Mastodon: 1 deletions" in out and "Nothing was changed" in out
    assert "fuck this job" in out
    assert main(["cleanup", "run", "--dry-run"]) == 0
    assert "would run; nothing was changed" in capsys.readouterr().out
    assert mastodon_server.http.get(f"/api/v1/statuses/{bad['id']}").status_code == 200

    assert main(["cleanup", "run"]) == 0
    out = capsys.readouterr().out
    assert "0 failed, 0 left" in out
    assert mastodon_server.http.get(f"/api/v1/statuses/{bad['id']}").status_code == 404
    assert main(["cleanup", "status"]) == 0
    status = capsys.readouterr().out
    assert "verified" in status and "1 backup(s)" in status

    assert main(["verify", "--all"]) == 0
    assert "confirmed, 0 not (yet)" in capsys.readouterr().out
    assert main(["log", "--format", "jsonl"]) == 0
    actions = [json.loads(line)["action"] for line in capsys.readouterr().out.splitlines()]
    assert "cleanup.delete" in actions and "cleanup.verify" in actions and "connect" in actions
    # A setting changed back on the platform is caught by the next verify.
    mastodon_server.update_profile("alice", locked=False)
    assert main(["verify"]) == 0  # not due for 30 days
    assert "0 confirmed, 0 not (yet)" in capsys.readouterr().out
    assert main(["verify", "--all"]) == 0
    assert "1 not (yet)" in capsys.readouterr().out


def test_nothing_to_plan_or_run(store, capsys):
    assert main(["cleanup", "plan"]) == 2
    assert "Plan what?" in capsys.readouterr().err
    assert main(["cleanup", "run"]) == 0
    assert "Nothing to run" in capsys.readouterr().out
    assert main(["cleanup", "cancel"]) == 0


def test_manual_tasks_tick_and_untick(store, capsys):
    from footprint.store.accounts import upsert_account

    upsert_account(store, "x", "jo", connection="import")
    assert main(["cleanup", "tasks", "--done", "x.protect-posts"]) == 0
    out = capsys.readouterr().out
    assert "[x] x.protect-posts" in out and "[ ] google.results-about-you" in out
    assert main(["cleanup", "tasks", "--undo", "x.protect-posts"]) == 0
    assert "[ ] x.protect-posts" in capsys.readouterr().out
    assert main(["cleanup", "tasks", "--done", "nope"]) == 2


def test_brokers_letters_and_found_accounts(store, tmp_path, capsys):
    from footprint.store.profile import add_identifiers

    add_identifiers(store, "name", ["Jo Rey"])
    add_identifiers(store, "email", ["jo@example.org"])
    assert main(["cleanup", "brokers", "--done", "spokeo"]) == 0
    out = capsys.readouterr().out
    assert "[x] Spokeo" in out and "1 of" in out
    assert main(["cleanup", "brokers", "--done", "nobody-search"]) == 2
    capsys.readouterr()

    target = tmp_path / "letter.txt"
    assert (
        main(["cleanup", "letter", "--to", "Acme Data Ltd", "--law", "ccpa", "--out", str(target)])
        == 0
    )
    letter = target.read_text()
    assert "Acme Data Ltd" in letter and "jo@example.org" in letter and "1798.105" in letter
    assert "{" not in letter
    assert main(["cleanup", "letter", "--to", "Acme", "--out", str(target)]) == 2
    capsys.readouterr()

    from footprint.store.accounts import upsert_account

    upsert_account(
        store,
        "tumblr",
        "jojo_rey",
        connection="sweep",
        display_name="Tumblr",
        url="https://jojo_rey.tumblr.com",
    )
    assert main(["cleanup", "accounts"]) == 0
    out = capsys.readouterr().out
    assert "Tumblr (jojo_rey)" in out and "tumblr.com/settings/account" in out
    assert main(["log"]) == 0
    assert "cleanup.broker" in capsys.readouterr().out
