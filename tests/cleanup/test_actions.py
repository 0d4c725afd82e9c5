"""The cleanup queue: backups first, paced by budgets, resumable, verified on real servers."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import pytest

from footprint.checklist.scan import scan
from footprint.cleanup import actions
from footprint.cleanup.actions import KeepRules, plan_bulk, plan_findings, queue_planned, run_queue
from footprint.connectors.base import Connector, Identity
from footprint.connectors.http import Api
from footprint.connectors.sync import save_connection
from footprint.secrets import SecretStore
from footprint.store import Item, upsert_items
from tests.connectors.helpers import connect_signed_in_mastodon, run_connect, run_sync
from tests.connectors.mastodon_server import MastodonServer
from tests.connectors.pds import Pds

pytest_plugins = ["tests.connectors.mastodon_server", "tests.connectors.pds"]


def _run(store, **kwargs):
    return asyncio.run(run_queue(store, SecretStore(), pace=0.0, **kwargs))


def _findings(store, kind: str) -> list[int]:
    return [
        fid
        for (fid,) in store.conn.execute(
            "SELECT f.id FROM findings f JOIN items i ON i.id = f.item_id WHERE i.kind = ?",
            (kind,),
        )
    ]


def test_a_flagged_mastodon_post_is_backed_up_deleted_and_verified(
    store, mastodon_server: MastodonServer
):
    mastodon_server.create_account("alice", locked=False)
    bad = mastodon_server.post_status("alice", "fuck this job, my boss is a fucking idiot")
    mastodon_server.post_status("alice", "a lovely walk today")
    grant = connect_signed_in_mastodon(store, mastodon_server)
    scan(store)
    posts = _findings(store, "post")
    settings = _findings(store, "setting")
    assert posts and settings
    ids, _ = plan_findings(store, posts + settings)
    planned = len(ids)
    assert planned >= 2
    assert actions.counts(store) == {"planned": planned}
    assert _run(store).done == 0  # nothing runs before the plan is reviewed and queued
    queue_planned(store)
    result = _run(store)
    assert result.failed == 0 and result.verified == planned
    backup = store.conn.execute("SELECT platform_id, text FROM backups").fetchone()
    assert backup == (bad["id"], "fuck this job, my boss is a fucking idiot")
    gone = mastodon_server.http.get(f"/api/v1/statuses/{bad['id']}")
    assert gone.status_code == 404
    states = {
        s
        for (s,) in store.conn.execute(
            f"SELECT state FROM findings WHERE id IN ({','.join(map(str, posts))})"
        )
    }
    assert states == {"verified"}
    me = mastodon_server.http.get(
        "/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {grant.access_token}"},
    ).json()
    assert me["locked"] is True
    assert (
        store.conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'cleanup.%'"
        ).fetchone()[0]
        == planned
    )


def test_old_bluesky_posts_go_in_bulk_except_the_kept_ones(store, bluesky_pds: Pds):
    handle = Pds.new_handle("bulk")
    session = bluesky_pds.create_account(handle, "main-password-123")
    old = [
        bluesky_pds.create_post(session, f"old {n}", created_at=f"2020-01-0{n + 1}T00:00:00Z")
        for n in range(3)
    ]
    recent = bluesky_pds.create_post(session, "recent")
    app_password = bluesky_pds.create_app_password(session, "footprint")
    endpoints = {"resolver": bluesky_pds.url, "plc": bluesky_pds.plc}
    run_connect(store, "bluesky", handle, endpoints, secret=app_password)
    run_sync(store, "bluesky", endpoints)
    planned = plan_bulk(
        store, "bluesky", KeepRules(older_than_days=365, keep_ids=frozenset({old[0]["uri"]}))
    )
    assert len(planned) == 2
    queue_planned(store)
    result = _run(store, endpoints={"bluesky": endpoints})
    assert result.verified == 2
    left = {r["uri"] for r in bluesky_pds.list_records(session["did"], "app.bsky.feed.post")}
    assert left == {old[0]["uri"], recent["uri"]}


class Counting(Connector):
    """A platform that counts what it is asked to do (for pacing and resume tests)."""

    platform = "mastodon"
    deleted: ClassVar[list[str]] = []
    present: ClassVar[set[str]] = set()

    async def delete_item(self, identity, item):
        type(self).deleted.append(item["platform_id"])
        type(self).present.discard(item["platform_id"])

    async def item_exists(self, identity, item):
        return item["platform_id"] in type(self).present


@pytest.fixture
def counting(store, monkeypatch):
    Counting.deleted = []
    Counting.present = set()
    save_connection(
        store,
        SecretStore(),
        Identity("mastodon", "@me@example.test", meta={"signed_in": True}, secret="{}"),
    )
    account_id = store.conn.execute("SELECT id FROM accounts").fetchone()[0]
    items = [
        Item(
            "mastodon",
            "post",
            str(n),
            text=f"post {n}",
            account_id=account_id,
            created_at="2020-01-01T00:00:00Z",
        )
        for n in range(31)
    ]
    upsert_items(store, items)
    Counting.present = {str(n) for n in range(31)}
    monkeypatch.setattr(
        "footprint.connectors.build",
        lambda client, platform, **kw: Counting(Api(client, platform)),
    )
    return account_id


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_mastodon_budget_holds_across_runs(store, counting):
    plan_bulk(store, "mastodon", KeepRules(older_than_days=30))
    queue_planned(store)
    clock = Clock()
    first = _run(store, clock=clock, sleep=clock.sleep, wait=False)
    assert first.done == 30 and first.left == 1  # 30 per 30 minutes
    again = _run(store, clock=clock, sleep=clock.sleep, wait=False)  # a restart: still full
    assert again.done == 0 and again.next_at is not None
    waited = _run(store, clock=clock, sleep=clock.sleep, wait=True)
    assert waited.done == 1 and waited.left == 0
    assert clock.now >= 1_900_000_000.0 + 1800
    assert len(Counting.deleted) == 31 == len(set(Counting.deleted))


def test_a_run_killed_after_sending_a_delete_does_not_send_it_twice(store, counting):
    plan_bulk(store, "mastodon", KeepRules(older_than_days=30))
    queue_planned(store)
    # The run died right after the platform deleted post 0, before footprint wrote it down.
    store.conn.execute("UPDATE cleanup_actions SET state = 'running' WHERE target = '0'")
    Counting.present.discard("0")
    clock = Clock()
    _run(store, clock=clock, sleep=clock.sleep)
    assert "0" not in Counting.deleted
    assert sorted(Counting.deleted, key=int) == [str(n) for n in range(1, 31)]
    state = store.conn.execute("SELECT state FROM cleanup_actions WHERE target = '0'").fetchone()[0]
    assert state == "verified"


def test_no_backup_no_delete(store, counting):
    plan_bulk(store, "mastodon", KeepRules(older_than_days=30))
    store.conn.execute("DELETE FROM items WHERE platform_id = '5'")  # nothing to back up
    queue_planned(store)
    clock = Clock()
    result = _run(store, clock=clock, sleep=clock.sleep)
    assert "5" not in Counting.deleted
    assert result.failed == 1 and any("cannot back it up" in e for e in result.errors)
    backed = {pid for (pid,) in store.conn.execute("SELECT platform_id FROM backups")}
    assert backed == set(Counting.deleted)


def test_a_check_that_fails_after_the_delete_never_sends_it_again(store, counting):
    plan_bulk(store, "mastodon", KeepRules(older_than_days=30))
    queue_planned(store)
    failures = {"left": 1}
    original = Counting.item_exists

    async def flaky(self, identity, item):
        if failures["left"] and item["platform_id"] in Counting.deleted:
            failures["left"] -= 1
            raise actions.ConnectorError("the platform did not answer")
        return await original(self, identity, item)

    Counting.item_exists = flaky
    try:
        clock = Clock()
        _run(store, clock=clock, sleep=clock.sleep)
        _run(store, clock=clock, sleep=clock.sleep)
    finally:
        Counting.item_exists = original
    assert sorted(Counting.deleted) == sorted(set(Counting.deleted))  # none twice


def test_fixing_one_thing_runs_only_that(store, counting):
    ids = plan_bulk(store, "mastodon", KeepRules(older_than_days=30))  # not reviewed
    actions.queue_actions(store, ids[:1])
    clock = Clock()
    result = _run(store, clock=clock, sleep=clock.sleep, only=ids[:1])
    assert result.done == 1 and Counting.deleted == ["0"]
    assert actions.counts(store)["planned"] == 30


def test_only_one_run_at_a_time_and_a_cancelled_plan_can_be_made_again(store, counting):
    from footprint.errors import InputError as FootprintInputError
    from footprint.store.database import set_setting

    ids = plan_bulk(store, "mastodon", KeepRules(older_than_days=30))
    assert actions.cancel_pending(store) == 31
    assert sorted(plan_bulk(store, "mastodon", KeepRules(older_than_days=30))) == sorted(ids)
    queue_planned(store)
    set_setting(store, actions.LEASE_KEY, f"other-run {1e12}")
    with pytest.raises(FootprintInputError, match="Another cleanup run"):
        _run(store)
    assert Counting.deleted == []
