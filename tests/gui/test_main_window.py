from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from footprint.demo import seed
from footprint.errors import SchemaTooNewError
from footprint.gui.errors import error_box
from footprint.gui.main_window import MainWindow
from footprint.store import Store
from footprint.store.profile import add_identifiers
from tests.helpers import pretend_newer_footprint_wrote


@pytest.fixture
def window(qtbot, home):
    def make(**kwargs):
        win = MainWindow(home, **kwargs)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        return win

    return make


def test_first_run_offers_the_demo(window):
    win = window()
    page = win.overview
    assert page.demo_button.isVisible()
    assert page.demo_button.accessibleName() == "Open the demo profile"
    assert "stays on this computer" in page.welcome.text()
    assert page.accounts_table.rowCount() == 0
    assert "none yet" in page.sweep_label.text()
    assert win.windowTitle() == "footprint"


def test_demo_profile_shows_accounts_and_items(window, home):
    with Store.open(home) as store:
        seed(store)
    win = window(demo=True)
    page = win.overview
    assert "demo" in win.windowTitle()
    # 7 connected or imported, and the 2 found profiles the demo person confirmed as theirs
    assert page.accounts_table.rowCount() == 9
    platforms = {page.accounts_table.item(r, 0).text() for r in range(9)}
    assert {"Mastodon", "Bluesky", "X (Twitter)", "GitHub"} <= platforms
    kinds = {page.items_table.item(r, 1).text() for r in range(page.items_table.rowCount())}
    assert {"post", "comment", "setting", "profile field", "login ip"} <= kinds
    assert "7 found, 3 missing, 2 unknown" in page.sweep_label.text()


def test_profile_identifiers_are_listed(window, home):
    with Store.open(home) as store:
        add_identifiers(store, "email", ["me@example.org"])
    win = window()
    page = win.overview
    assert not hasattr(page, "demo_button")
    table = page.profile_table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Emails"] == "me@example.org"
    assert rows["Names"] == "-"


def test_every_table_and_button_has_an_accessible_name(window, home):
    from PySide6.QtWidgets import QAbstractButton, QTableWidget

    with Store.open(home) as store:
        seed(store)
    win = window(demo=True)
    for widget in win.findChildren(QTableWidget) + win.findChildren(QAbstractButton):
        if (
            widget.isVisible()
            and widget.parent() is not None
            and type(widget).__name__ in ("QTableWidget", "QPushButton")
        ):
            assert widget.accessibleName(), widget


def test_closing_the_window_closes_the_store(window):
    win = window()
    win.close()
    with pytest.raises(Exception, match="closed"):
        win.store.conn.execute("SELECT 1")


def test_errors_become_readable_dialogs_with_details(qtbot):
    exc = SchemaTooNewError("Data from the future.", hint="Update footprint.", details="format 9")
    box = error_box(None, exc)
    qtbot.addWidget(box)
    assert box.windowTitle() == "Your data is from a newer footprint"
    assert box.text() == "Data from the future.\nUpdate footprint."
    assert box.detailedText() == "format 9"
    assert box.icon() == QMessageBox.Icon.Warning


def test_unexpected_errors_show_a_redacted_traceback(qtbot):
    try:
        raise RuntimeError("failed with Authorization: Bearer leakleakleak123")
    except RuntimeError as exc:
        box = error_box(None, exc)
    qtbot.addWidget(box)
    assert box.icon() == QMessageBox.Icon.Critical
    assert "RuntimeError" in box.detailedText()
    assert "leakleakleak123" not in box.detailedText()


def test_a_newer_database_is_refused_with_a_dialog(qtbot, home, monkeypatch):

    from footprint.gui import app

    Store.open(home).close()
    pretend_newer_footprint_wrote(home)
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    assert app.run(home) == 2
    assert "newer version of footprint" in shown[0]


def test_unexpected_errors_in_slots_show_a_dialog_that_stays(qtbot):
    import sys

    from PySide6.QtWidgets import QApplication

    from footprint.gui import errors as gui_errors

    previous = sys.excepthook
    gui_errors.install_excepthook()
    try:
        try:
            raise RuntimeError("a slot failed")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
        import gc

        gc.collect()
        boxes = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()
        ]
        assert len(boxes) == 1
        assert boxes[0].windowTitle() == "Unexpected error"
        assert "RuntimeError: a slot failed" in boxes[0].detailedText()
        boxes[0].done(0)
        assert gui_errors._open_boxes == []
    finally:
        sys.excepthook = previous


def test_a_startup_crash_becomes_a_dialog(qtbot, home, monkeypatch):
    from footprint.gui import app

    def broken(*args, **kwargs):
        raise RuntimeError("cannot build the window")

    shown = []
    monkeypatch.setattr(app, "MainWindow", broken)
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.detailedText()) or 0)
    assert app.run(home) == 1
    assert "cannot build the window" in shown[0]
