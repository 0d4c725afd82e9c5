"""Fixes made by hand are confirmed only on evidence: a later sweep, a 404."""

from __future__ import annotations

import asyncio

from footprint.checklist.findings import set_state
from footprint.checklist.scan import scan
from footprint.cleanup.verify import verify_found_accounts, verify_post_urls
from footprint.store import Item, upsert_items
from footprint.store.accounts import upsert_account
from tests.connectors.fakes import fake_github  # noqa: F401


def _sweep(store, site: str, username: str, status: str, at: str) -> None:
    sweep_id = store.conn.execute(
        "INSERT INTO sweeps (username, catalog, state, started_at) VALUES (?, 'test', "
        "'finished', ?)",
        (username, at),
    ).lastrowid
    store.conn.execute(
        "INSERT INTO site_checks (sweep_id, site, username, status, checked_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (sweep_id, site, username, status, at),
    )


def test_an_old_account_is_confirmed_gone_only_by_a_later_sweep(store):
    account_id = upsert_account(store, "tumblr", "jojo", connection="sweep", display_name="Tumblr")
    finding_id = store.conn.execute(
        "INSERT INTO findings (rule_id, category, severity, subject, account_id, first_seen_at, "
        "last_seen_at, updated_at) VALUES ('account.forgotten-profile', 'accounts', 'low', "
        "'account:tumblr/jojo', ?, '2020-01-01', '2020-01-01', '2020-01-01')",
        (account_id,),
    ).lastrowid
    _sweep(store, "Tumblr", "jojo", "found", "2020-01-01T00:00:00Z")
    set_state(store, finding_id, "done")
    assert verify_found_accounts(store).accounts_gone == 0  # no sweep since
    _sweep(store, "Tumblr", "jojo", "unknown", "2999-01-01T00:00:00Z")
    assert verify_found_accounts(store).unsure == 1  # "unknown" proves nothing
    _sweep(store, "Tumblr", "jojo", "missing", "2999-01-02T00:00:00Z")
    assert verify_found_accounts(store).accounts_gone == 1
    state = store.conn.execute("SELECT state FROM findings WHERE id = ?", (finding_id,))
    assert state.fetchone()[0] == "verified"


def test_a_post_is_confirmed_gone_by_a_404_and_nothing_else(store, fake_github):  # noqa: F811
    fake_github.add_user("octo")
    account = upsert_account(store, "x", "octo", connection="import", url=fake_github.url + "/x")
    elsewhere = "http://localhost:9/users/someone-else"  # not the account's site: not asked
    upsert_items(
        store,
        [
            Item(
                "x",
                "post",
                "1",
                text="fuck my job",
                url=fake_github.url + "/users/gone-user",
                visibility="public",
                account_id=account,
            ),
            Item(
                "x",
                "post",
                "2",
                text="fuck my boss",
                url=fake_github.url + "/users/octo",
                visibility="public",
                account_id=account,
            ),
            Item(
                "x",
                "post",
                "3",
                text="fuck them all",
                url=elsewhere,
                visibility="public",
                account_id=account,
            ),
        ],
    )
    scan(store)
    ids = [fid for (fid,) in store.conn.execute("SELECT id FROM findings")]
    assert len(ids) >= 2
    for fid in ids:
        set_state(store, fid, "done")
    result = asyncio.run(verify_post_urls(store))
    assert result.posts_gone >= 1 and result.still_there >= 1
    states = dict(
        store.conn.execute(
            "SELECT i.platform_id, f.state FROM findings f JOIN items i ON i.id = f.item_id"
        ).fetchall()
    )
    assert states == {"1": "verified", "2": "done", "3": "done"}
    assert not any("someone-else" in r.path for r in fake_github.requests)
