from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from footprint.errors import SchemaTooNewError
from footprint.gui.errors import error_box
from footprint.gui.main_window import PAGES
from footprint.store import Store
from tests.helpers import pretend_newer_footprint_wrote


def test_first_run_asks_who_you_are(window):
    win = window()
    assert win.needs_setup()
    assert win.windowTitle() == "footprint"
    win.show_wizard()
    assert win.wizard.isVisible()
    assert "stays on this computer" in win.wizard.welcome.findChildren(QLabel)[0].text()


def test_the_demo_never_asks_and_says_it_is_a_demo(window):
    win = window(demo=True, seeded=True)
    assert not win.needs_setup()
    assert "demo" in win.windowTitle()
    assert "fictional person" in win.page("dashboard").findChild(QLabel, "demoBanner").text()


def test_pages_are_built_on_first_use_and_reached_by_keyboard(window, qtbot):
    win = window(seeded=True)
    assert set(win.pages) == {"dashboard"}  # the first window costs one page
    shortcuts = {a.shortcut().toString(): a for a in win.actions() if not a.shortcut().isEmpty()}
    for n, (key, *_rest) in enumerate(PAGES, start=1):
        shortcuts[f"Ctrl+{n}"].trigger()  # (offscreen windows never become active for keys)
        assert win.current_key() == key
        assert win.stack.currentWidget() is win._slots[key]
    assert set(win.pages) == {key for key, *_ in PAGES}
    win.sidebar.setFocus()
    qtbot.keyClick(win.sidebar, Qt.Key.Key_Home)
    assert win.current_key() == "dashboard"
    qtbot.keyClick(win.sidebar, Qt.Key.Key_Down)
    assert win.current_key() == "discover"


def test_every_control_on_every_page_has_an_accessible_name(window):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QHeaderView,
        QLineEdit,
        QProgressBar,
        QTextBrowser,
    )

    win = window(demo=True, seeded=True)
    kinds = (QAbstractButton, QAbstractItemView, QComboBox, QLineEdit, QProgressBar, QTextBrowser)
    checked = 0
    for key, *_rest in PAGES:
        win.go(key)
        for kind in kinds:
            for widget in win.pages[key].findChildren(kind):
                if not widget.isVisible() or type(widget).__module__ != "PySide6.QtWidgets":
                    continue
                if isinstance(widget, QHeaderView) or widget.objectName().startswith("qt_"):
                    continue  # a table's own header and scroll buttons
                if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QComboBox):
                    continue
                assert widget.accessibleName(), f"{key}: {type(widget).__name__} {widget}"
                checked += 1
    assert checked > 60


def test_closing_the_window_closes_the_store_and_the_worker(window, qtbot):
    win = window()
    job = win.ctx.worker.submit("nothing", lambda reporter, cancel: None)
    qtbot.waitUntil(lambda: not job.running)
    win.close()
    assert not win.ctx.worker.isRunning()
    with pytest.raises(Exception, match="closed"):
        win.ctx.store.conn.execute("SELECT 1")


def test_quitting_while_busy_asks_and_cancels_the_work(window, qtbot, monkeypatch):
    import threading

    win = window()
    started = threading.Event()

    def endless(reporter, cancel):
        started.set()
        while True:
            cancel.check("The test job")
            threading.Event().wait(0.01)

    job = win.ctx.run("Testing", endless)
    qtbot.waitUntil(started.is_set)
    asked = []
    answer = QMessageBox.StandardButton.No
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or answer)
    win.close()
    assert win.isVisible() and job.running and "testing" in asked[0]
    answer = QMessageBox.StandardButton.Yes
    win.close()
    assert not win.isVisible() and not job.running
    assert not win.ctx.worker.isRunning()


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
