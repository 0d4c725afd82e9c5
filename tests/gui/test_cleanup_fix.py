"""'Fix it for me' on the Cleanup page: a real deletion on mastodon-mock, confirmed."""

from __future__ import annotations

from footprint.checklist.scan import scan
from footprint.store import Store
from tests.cleanup.test_actions import Counting, counting  # noqa: F401
from tests.connectors.helpers import connect_signed_in_mastodon
from tests.connectors.mastodon_server import MastodonServer

pytest_plugins = ["tests.connectors.mastodon_server"]


def test_fix_it_for_me_deletes_after_a_backup(
    window, qtbot, home, mastodon_server: MastodonServer, monkeypatch
):
    mastodon_server.create_account("alice", locked=True)
    bad = mastodon_server.post_status("alice", "fuck this job, my boss is a fucking idiot")
    with Store.open(home) as store:
        connect_signed_in_mastodon(store, mastodon_server)
        scan(store)
    monkeypatch.setattr("footprint.gui.pages.cleanup.confirm", lambda *a, **k: True)
    win = window()
    win.go("cleanup")
    page = win.page("cleanup")
    while page.current is not None and page.current.item_key != f"mastodon/post/{bad['id']}":
        if not page.skip_button.isEnabled():
            break
        page.skip()
    assert page.fix_button.isEnabled(), page.fix_button.toolTip()
    assert "Back up this post, delete it on Mastodon" in page.fix_text
    page.fix_current()
    qtbot.waitUntil(lambda: page.fix_job is None, timeout=30000)
    assert mastodon_server.http.get(f"/api/v1/statuses/{bad['id']}").status_code == 404
    store = win.ctx.store
    assert store.conn.execute("SELECT COUNT(*) FROM backups").fetchone()[0] == 1
    states = {
        s
        for (s,) in store.conn.execute(
            "SELECT f.state FROM findings f JOIN items i ON i.id = f.item_id "
            "WHERE i.platform_id = ?",
            (bad["id"],),
        )
    }
    assert states == {"verified"}
    assert "confirmed by the platform" in page.queue_label.text()


def test_manual_tasks_are_ticked_in_the_page(window, qtbot):
    from PySide6.QtCore import Qt

    from footprint.cleanup.manual import tasks_for

    win = window(seeded=True)
    win.go("cleanup")
    page = win.page("cleanup")
    assert page.tasks.count() == len(page.task_rows) > 0
    index = next(i for i, s in enumerate(page.task_rows) if s.task.id == "x.protect-posts")
    page.tasks.setCurrentRow(index)
    assert "Protect your posts" in page.task_steps.text() or page.task_steps.text()
    page.tasks.item(index).setCheckState(Qt.CheckState.Checked)
    states = {s.task.id: s.state for s in tasks_for(win.ctx.store)}
    assert states["x.protect-posts"] == "done"
    assert page.tasks.item(index).text().endswith("(done)")


def test_privacy_page_fixes_a_setting_through_the_api(
    window, qtbot, home, mastodon_server: MastodonServer
):
    from PySide6.QtWidgets import QPushButton

    mastodon_server.create_account("alice", locked=False)
    with Store.open(home) as store:
        grant = connect_signed_in_mastodon(store, mastodon_server)
        scan(store)
    win = window()
    win.go("privacy")
    page = win.page("privacy")
    [fix] = [
        b
        for b in page.findChildren(QPushButton)
        if b.text() == "Fix" and b.property("setting") == "mastodon\x1flocked"
    ]
    fix.click()
    qtbot.waitUntil(lambda: page.fix_job is None, timeout=30000)
    me = mastodon_server.http.get(
        "/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {grant.access_token}"},
    ).json()
    assert me["locked"] is True
    qtbot.waitUntil(lambda: page.rows[("mastodon", "locked")].value == "true", timeout=5000)


def test_old_accounts_brokers_and_letters_tabs(window):
    from PySide6.QtCore import Qt

    from footprint.cleanup.directory import broker_states

    win = window(seeded=True)
    win.go("cleanup")
    page = win.page("cleanup")
    texts = [page.old_accounts.item(i).text() for i in range(page.old_accounts.count())]
    assert any(t.startswith("Tumblr (jojo_rey): easy") for t in texts)
    assert page.brokers.count() == len(page.broker_list) >= 20
    page.brokers.item(0).setCheckState(Qt.CheckState.Checked)
    assert page.broker_list[0].name in broker_states(win.ctx.store)
    page.letter_company.setText("Acme Data Ltd")
    page.write_letter()
    assert "Acme Data Ltd" in page.letter.toPlainText()
    assert "Article 17" in page.letter.toPlainText()


def test_bulk_delete_plans_asks_and_runs(window, qtbot, store, counting, monkeypatch):  # noqa: F811
    from footprint.gui.pages.cleanup import BulkDialog

    store.conn.execute("DELETE FROM items WHERE platform_id IN ('29', '30')")  # within budget
    monkeypatch.setattr(BulkDialog, "exec", lambda self: BulkDialog.DialogCode.Accepted)
    asked: list[str] = []

    def confirm(parent, title, text, action, **kwargs):
        asked.append(text)
        return True

    monkeypatch.setattr("footprint.gui.pages.cleanup.confirm", confirm)
    win = window()
    win.go("cleanup")
    page = win.page("cleanup")
    page.plan_bulk()  # planned on the worker, then the person is asked
    qtbot.waitUntil(lambda: bool(asked), timeout=20000)
    assert asked[0].startswith("29 post(s) planned")
    qtbot.waitUntil(lambda: page.fix_job is None, timeout=30000)
    assert len(Counting.deleted) == 29
    assert "29 confirmed by the platform" in page.queue_label.text()
