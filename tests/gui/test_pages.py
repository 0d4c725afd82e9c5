"""Each page's main flows, driven like a person would, against the store (and loopback sites)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from footprint.checklist.findings import FindingFilter, finding_ids, get_finding
from footprint.store import Store
from tests.sitesim import SimSite, ThreadedSimulator, catalog_document


def test_dashboard_shows_the_score_history_and_what_to_fix_next(window):
    win = window(demo=True, seeded=True)
    page = win.page("dashboard")
    assert "/ 100" in page.score_label.text()
    assert len(page.chart.points) == 5  # four earlier audits in the demo, and today's
    assert page.next_list.count() == 8
    first = page.next_list.item(0)
    assert first.text().startswith("HIGH")
    page.open_finding(first)
    assert win.current_key() == "findings"
    assert win.page("findings").current.id == first.data(Qt.ItemDataRole.UserRole)


def test_findings_filter_search_and_highlighted_evidence(window, qtbot):
    win = window(seeded=True)
    win.go("findings")
    page = win.page("findings")
    total = page.model.rowCount()
    assert total == len(finding_ids(win.ctx.store)) > 20
    page.platform.setCurrentIndex(page.platform.findData("x"))
    assert 0 < page.model.rowCount() < total
    assert all(page.model.row(n).platform == "x" for n in range(page.model.rowCount()))
    page.platform.setCurrentIndex(0)
    page.search.setText("Clinton")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    html = page.detail.toHtml()
    assert "2340 SE Clinton St" in html and "#ffd54f" in html  # the address, highlighted
    assert "strangers" in page.detail.toPlainText()  # why it matters


def test_dismiss_needs_a_reason_and_snooze_hides_until_the_date(window, monkeypatch):
    win = window(seeded=True)
    win.go("findings")
    page = win.page("findings")
    first = page.current.id
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", True))
    page.dismiss_current()
    assert get_finding(win.ctx.store, first).state == "open"  # no reason, no dismissal
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("a friend's address", True))
    page.dismiss_current()
    dismissed = get_finding(win.ctx.store, first)
    assert dismissed.state == "dismissed" and dismissed.state_reason == "a friend's address"
    assert first not in page.model.ids and page.current.id != first
    second = page.current.id
    page.snooze_current(page.snooze_button.menu().actions()[1])
    assert get_finding(win.ctx.store, second).state == "snoozed"
    page.state.setCurrentIndex(page.state.findText("Dismissed"))
    assert page.model.ids == [first]
    page.reopen_current()
    assert get_finding(win.ctx.store, first).state == "open"


def test_the_findings_model_reads_only_the_rows_it_shows(window, home):
    with Store.open(home) as store, store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO findings (rule_id, category, severity, subject, evidence, title, "
            "first_seen_at, last_seen_at, updated_at) VALUES (?, 'profanity', ?, ?, ?, ?, "
            "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            [
                (
                    "content.profanity",
                    ("low", "medium", "high")[n % 3],
                    f"item:{n}",
                    json.dumps([{"field": "text", "excerpt": f"post number {n}"}]),
                    f"Finding {n}",
                )
                for n in range(30000)
            ],
        )
    win = window()
    win.go("findings")
    page = win.page("findings")
    assert page.model.rowCount() == 30000
    assert page.model.blocks_read <= 3  # the first screen, not 30,000 rows
    page.table.scrollToBottom()
    last = page.model.index(29999, 1)
    assert page.model.data(last).startswith("Finding")
    assert page.model.blocks_read <= 8
    assert len(page.model.cache) <= 5000


def test_discover_runs_a_live_sweep_and_claims_a_profile(window, qtbot, tmp_path):
    sites = [
        SimSite("Alpha", "status", frozenset({"jrtest"}), host="127.0.3.1"),
        SimSite("Beta", "text", frozenset(), host="127.0.3.2"),
        SimSite("Gamma", "status", frozenset({"jrtest"}), host="127.0.3.3"),
    ]
    with ThreadedSimulator(sites):
        catalog = tmp_path / "sites.json"
        catalog.write_text(json.dumps(catalog_document(sites)))
        win = window()
        win.go("discover")
        page = win.page("discover")
        page.catalog_files = [catalog]
        page.usernames.setText("jrtest")
        page.start()
        assert not page.start_button.isEnabled() and page.cancel_button.isEnabled()
        qtbot.waitUntil(lambda: page.job is None, timeout=30000)
    assert {(r["site"], r["status"]) for r in page.model.rows} == {
        ("Alpha", "found"),
        ("Beta", "missing"),
        ("Gamma", "found"),
    }
    assert page.proxy.rowCount() == 2  # "Found" is the default view
    assert "2 found" in page.counts.text()
    page.table.setCurrentIndex(page.proxy.index(0, 0))
    assert page.mine_button.isEnabled()
    page.claim_mine()
    qtbot.waitUntil(lambda: not win.ctx.worker._jobs)  # the scan it starts
    handles = win.ctx.store.conn.execute("SELECT display_name, handle FROM accounts").fetchall()
    assert handles == [("Alpha", "jrtest")]
    assert page.model.rows[0]["claim"] == "mine"
    win.go("accounts")
    assert win.page("accounts").table.rowCount() == 1


def test_accounts_import_an_export_in_the_background(window, qtbot, tmp_path, monkeypatch):
    from tests.archives.builders import x_archive

    archive = x_archive(tmp_path)
    win = window()
    win.go("accounts")
    page = win.page("accounts")
    assert page.table.rowCount() == 0
    assert "Request archive" in page.guide_text.text()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(archive)], ""))
    page.import_export()
    qtbot.waitUntil(lambda: page.import_button.isEnabled(), timeout=30000)
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == "X (Twitter)"
    assert int(page.table.item(0, 4).text()) > 0


def test_a_bad_export_becomes_a_dialog_and_changes_nothing(window, qtbot, tmp_path, monkeypatch):
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    shown = []
    monkeypatch.setattr("footprint.gui.common.show_error", lambda parent, exc: shown.append(exc))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(bad)], ""))
    win = window()
    win.go("accounts")
    page = win.page("accounts")
    page.import_export()
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    assert "broken.zip" in str(shown[0])
    assert win.ctx.store.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 0


def test_privacy_settings_confirmed_by_hand_are_judged(window, qtbot, monkeypatch):
    win = window(seeded=True)
    win.go("privacy")
    page = win.page("privacy")
    status = page.rows[("mastodon", "locked")]
    assert status.value is None
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("off", True))
    monkeypatch.setattr(page, "sender", lambda: _Sender("mastodon\x1flocked"))
    page.confirm()
    qtbot.waitUntil(lambda: page.rows[("mastodon", "locked")].finding_id is not None)
    qtbot.waitUntil(lambda: not win.ctx.worker._jobs)
    assert page.rows[("mastodon", "locked")].value == "false"


class _Sender:
    def __init__(self, key: str) -> None:
        self.key = key

    def property(self, name: str) -> str:
        return self.key


def test_cleanup_walks_through_and_counts_progress(window, monkeypatch):
    win = window(seeded=True)
    win.go("cleanup")
    page = win.page("cleanup")
    before = page.bar.value()
    first = page.current
    assert "What to do" in page.detail.toPlainText()
    page.mark_done()
    assert get_finding(win.ctx.store, first.id).state == "done"
    assert page.bar.value() == before + 1
    assert page.current.id != first.id and page.position == 0
    page.skip()
    assert page.position == 1 and page.back_button.isEnabled()
    page.later()
    assert len(page.queue) == len(finding_ids(win.ctx.store, FindingFilter(min_severity="low")))


def test_data_page_exports_refuses_proxy_passwords_and_wipes(
    window, qtbot, tmp_path, monkeypatch, home
):
    win = window(seeded=True)
    win.go("data")
    page = win.page("data")
    target = tmp_path / "everything.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    page.export_data()
    qtbot.waitUntil(lambda: page.export_button.isEnabled() and target.exists(), timeout=20000)
    assert json.loads(target.read_text())["tables"]["items"]
    shown = []
    monkeypatch.setattr("footprint.gui.pages.data.report_failure", lambda p, e: shown.append(e))
    page.proxy.setText("http://user:secret@proxy.example:3128")
    page.save_proxy()
    assert "does not save proxy passwords" in str(shown[0])
    page.proxy.setText("socks5h://127.0.0.1:9050")
    page.save_proxy()
    page.refresh()
    assert page.proxy.text() == "socks5h://127.0.0.1:9050"
    monkeypatch.setattr("footprint.gui.pages.data.confirm", lambda *a, **k: True)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    page.wipe_data()
    assert not (home / "footprint.db").exists()


def test_the_wizard_saves_who_you_are_and_refuses_bad_values(window):
    win = window()
    win.show_wizard()
    identity = win.wizard.identity
    identity.edits["email"].setText("not-an-email")
    assert not identity.validatePage()
    assert identity.error.text()
    identity.edits["email"].setText("me@example.org, old@example.net")
    identity.edits["username"].setText("jrtest")
    assert identity.validatePage()
    from footprint.store.profile import get_profile

    profile = get_profile(win.ctx.store)
    assert profile.of("email") == ["me@example.org", "old@example.net"]
    win.wizard.audit.initializePage()
    assert win.wizard.audit.sweep.isChecked()
