"""Scanning the store: findings with evidence, incremental re-scans, decisions that survive,
resumable batches, account and settings rules, and the score history."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from footprint.checklist.findings import dismiss, list_findings, reopen, set_state
from footprint.checklist.scan import make_checker, scan
from footprint.errors import InputError
from footprint.progress import CancelToken
from footprint.store.accounts import upsert_account
from footprint.store.items import Item, upsert_items
from footprint.store.profile import add_identifiers


def post(pid, text, **kw):
    kw.setdefault("created_at", "2025-06-01T12:00:00+00:00")
    kw.setdefault("visibility", "public")
    return Item("x", "post", pid, text=text, source="test", **kw)


def by_item(store):
    return {(f.item_key, f.category): f for f in list_findings(store, states=None)}


def test_scan_finds_and_stores_evidence(store):
    upsert_items(
        store,
        [
            post("1", "so drunk lmao"),
            post("2", "lovely walk today"),
            post("3", "call me 415-555-0132"),
        ],
    )
    summary = scan(store)
    assert summary.full and summary.checked == 3
    found = by_item(store)
    drunk = found[("x/post/1", "alcohol")]
    assert drunk.state == "open" and drunk.evidence[0]["match"] == "drunk"
    assert drunk.evidence[0]["start"] == 3
    assert ("x/post/2", "alcohol") not in found
    assert found[("x/post/3", "personal_data")].rule == "pii.phone"


def test_rescans_are_incremental(store):
    upsert_items(store, [post(str(i), f"post number {i}") for i in range(50)])
    assert scan(store).checked == 50
    again = scan(store)
    assert not again.full and again.checked == 0
    upsert_items(store, [post("7", "fuck mondays")])
    third = scan(store)
    assert third.checked == 1 and third.new == 1


def test_dismissal_survives_rescans_and_rule_changes(store):
    upsert_items(store, [post("1", "f*ck yeah, we won")])
    scan(store)
    (finding,) = list_findings(store)
    with pytest.raises(InputError, match="needs a reason"):
        dismiss(store, finding.id, "  ")
    dismiss(store, finding.id, "celebrating a win, fine by me")
    scan(store, full=True)
    (after,) = list_findings(store, states=None)
    assert after.id == finding.id and after.state == "dismissed"
    assert after.state_reason == "celebrating a win, fine by me"
    assert list_findings(store) == []
    events = store.conn.execute(
        "SELECT actor, from_state, to_state FROM finding_events WHERE finding_id = ? ORDER BY id",
        (finding.id,),
    ).fetchall()
    assert events == [("scan", None, "open"), ("user", "open", "dismissed")]
    assert reopen(store, finding.id).state == "open"


def test_edited_post_drops_its_open_finding(store):
    upsert_items(store, [post("1", "what the fuck"), post("2", "shit happens")])
    scan(store)
    (kept,) = [f for f in list_findings(store) if f.item_key == "x/post/2"]
    set_state(store, kept.id, "done")
    upsert_items(store, [post("1", "what the heck"), post("2", "stuff happens")])
    summary = scan(store)
    assert summary.removed == 1
    remaining = by_item(store)
    assert ("x/post/1", "profanity") not in remaining
    assert remaining[("x/post/2", "profanity")].state == "done"  # a decision is kept


def test_cancelled_scan_resumes_where_it_stopped(store):
    upsert_items(store, [post(str(i), f"so drunk {i}") for i in range(30)])
    cancel = CancelToken()
    seen = []

    def progress(p):
        seen.append(p.done)
        if p.done >= 10:
            cancel.cancel()

    from footprint.progress import Cancelled

    with pytest.raises(Cancelled):
        scan(store, batch_size=10, progress=progress, cancel=cancel)
    assert len(list_findings(store)) == 10  # the first batch committed with its marks
    summary = scan(store, batch_size=10)
    assert summary.checked == 20 and not summary.full
    assert len(list_findings(store)) == 30


def test_profile_change_triggers_a_full_rescan_with_own_identifiers(store):
    upsert_items(store, [post("1", "text me at 415-555-0132")])
    scan(store)
    (before,) = list_findings(store)
    assert before.severity == "medium"
    add_identifiers(store, "phone", ["+1 415 555 0132"])
    summary = scan(store)
    assert summary.full
    (after,) = list_findings(store)
    assert after.id == before.id and after.severity == "high"
    assert after.evidence[0]["notes"] == ["yours"]


def test_settings_rules_use_setting_items(store):
    account = upsert_account(store, "mastodon", "@jo@social.example", connection="import")
    upsert_items(
        store,
        [
            Item("mastodon", "setting", "indexable", text="true", account_id=account, source="t"),
            Item(
                "mastodon", "setting", "discoverable", text="false", account_id=account, source="t"
            ),
        ],
    )
    scan(store)
    (finding,) = list_findings(store, category="settings")
    assert finding.rule == "settings.mastodon.indexable"
    assert finding.details["deep_link"] == "https://social.example/settings/privacy"
    assert finding.details["safe"] == "false" and finding.details["auto_fix"] is True


def test_account_rules(store):
    add_identifiers(store, "name", ["Jordan Reyes"])
    account = upsert_account(
        store, "x", "jojo_rey", connection="import", display_name="Jordan Reyes"
    )
    upsert_items(
        store, [post("1", "hello", created_at="2019-01-01T00:00:00+00:00", account_id=account)]
    )
    upsert_items(
        store,
        [
            Item("x", "login_ip", "a", text="203.0.113.1", source="t"),
            Item("x", "login_ip", "b", text="203.0.113.2", source="t"),
        ],
    )
    now = datetime(2026, 11, 1, tzinfo=UTC).isoformat()
    conn = store.conn
    with store.transaction():
        sweep = conn.execute(
            "INSERT INTO sweeps (username, catalog, state, total, started_at, finished_at) "
            "VALUES ('jojo_rey', 'test', 'finished', 3, ?, ?)",
            (now, now),
        ).lastrowid
        for site, category in (("OkCupid", "dating"), ("Steam", "gaming"), ("Tumblr", "social")):
            conn.execute(
                "INSERT INTO site_checks "
                "(sweep_id, site, username, category, url, status, checked_at) "
                "VALUES (?, ?, 'jojo_rey', ?, ?, 'found', ?)",
                (sweep, site, category, f"https://{site.lower()}.example/jojo_rey", now),
            )
        conn.execute(
            "INSERT INTO site_claims (site, username, claim, decided_at) "
            "VALUES ('Tumblr', 'jojo_rey', 'not_mine', ?)",
            (now,),
        )
    from footprint.discovery.sweep import set_claim

    set_claim(store, "OkCupid", "jojo_rey", "mine")
    scan(store, now=datetime(2026, 11, 1, tzinfo=UTC))
    rules = {f.rule: f for f in list_findings(store, states=None)}
    assert rules["account.dormant"].severity == "info"
    assert rules["account.real-name-linked"].platform == "x"
    forgotten = [
        f for f in list_findings(store, category="account") if f.rule == "account.forgotten-profile"
    ]
    # Confirmed "mine": an old profile to review (dating counts higher); undecided: a
    # question (info, not scored); "not mine": nothing.
    assert {f.details["site"]: f.severity for f in forgotten} == {"OkCupid": "medium"}
    assert forgotten[0].platform == "okcupid"  # the confirmed profile became an account
    possible = [
        f for f in list_findings(store, states=None) if f.rule == "account.possible-profile"
    ]
    assert {f.details["site"]: f.severity for f in possible} == {"Steam": "info"}
    assert rules["account.username-links-sites"].details["sites"] == [
        "OkCupid",
        "Steam",
        "X (Twitter)",
    ]
    assert rules["pii.login-ips"].evidence[0]["match"] == "x: 2 logins from 2 addresses"


def test_score_is_snapshotted_and_explained(store):
    upsert_items(store, [post("1", "lovely day")])
    first = scan(store).score
    assert first.value == 100
    upsert_items(
        store,
        [
            post("2", "I'm gonna kill you @dave"),
            post("3", "so drunk"),
            post("4", "so drunk", visibility="private", created_at="2012-01-01T00:00:00+00:00"),
        ],
    )
    second = scan(store).score
    assert second.value < first.value
    assert "Threats and violence" in " ".join(second.explanation)
    rows = store.conn.execute("SELECT score, details FROM score_snapshots ORDER BY id").fetchall()
    assert [r[0] for r in rows] == [first.value, second.value]
    assert json.loads(rows[1][1])["counts"]["high"] >= 1


def test_private_and_old_posts_weigh_less(store):
    from footprint.checklist.score import compute_score

    checker = make_checker(store)
    upsert_items(store, [post("1", "so drunk")])
    scan(store, checker=checker)
    public_now = compute_score(store, checker.rules).risk
    upsert_items(
        store, [post("1", "so drunk", visibility="private", created_at="2010-01-01T00:00:00+00:00")]
    )
    scan(store, checker=checker)
    assert compute_score(store, checker.rules).risk < public_now / 5
