"""The main window: a sidebar of pages over one shared context.

Pages are built the first time they are shown (the first window appears before the
others cost anything) and reload when a job changes what they show.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from footprint import __version__
from footprint.gui.common import AppContext
from footprint.gui.worker import Job, Progress
from footprint.store.accounts import list_accounts
from footprint.store.profile import get_profile

# (key, sidebar label, module under footprint.gui.pages, class)
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("dashboard", "Dashboard", "dashboard", "DashboardPage"),
    ("discover", "Discover", "discover", "DiscoverPage"),
    ("accounts", "Accounts", "accounts", "AccountsPage"),
    ("findings", "Findings", "findings", "FindingsPage"),
    ("privacy", "Privacy settings", "privacy", "PrivacyPage"),
    ("exposure", "Exposure", "exposure", "ExposurePage"),
    ("cleanup", "Cleanup", "cleanup", "CleanupPage"),
    ("data", "Reports && data", "data", "DataPage"),
)
SCROLLING = {"dashboard", "privacy", "exposure", "data", "cleanup"}  # pages taller than the window


class MainWindow(QMainWindow):
    def __init__(self, home: Path, *, demo: bool = False) -> None:
        super().__init__()
        self.ctx = AppContext(home, demo=demo)
        self.setWindowTitle("footprint — demo profile" if demo else "footprint")
        self.resize(1100, 760)
        self.pages: dict[str, Any] = {}
        self._stale: set[str] = set()

        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName("Pages")
        self.sidebar.setFixedWidth(180)
        self.sidebar.setSpacing(2)
        for n, (key, label, _module, _cls) in enumerate(PAGES, start=1):
            item = QListWidgetItem(label.replace("&&", "&"))
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{label.replace('&&', '&')} (Ctrl+{n})")
            self.sidebar.addItem(item)
        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Page")
        self._slots: dict[str, QWidget] = {}
        for key, *_ in PAGES:
            placeholder = QWidget()
            self._slots[key] = placeholder
            self.stack.addWidget(placeholder)
        container = QWidget()
        row = QHBoxLayout(container)
        row.setContentsMargins(6, 6, 6, 6)
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(container)
        self.sidebar.currentRowChanged.connect(self.show_row)

        self._menus()
        self.job_label = QLabel()
        self.job_label.setAccessibleName("Background work")
        self.job_bar = QProgressBar()
        self.job_bar.setAccessibleName("Background work progress")
        self.job_bar.setMaximumWidth(220)
        self.job_bar.hide()
        self.statusBar().addPermanentWidget(self.job_label)
        self.statusBar().addPermanentWidget(self.job_bar)
        self.statusBar().showMessage("Everything stays on this computer.")
        self.ctx.changed.connect(self.data_changed)
        self.ctx.status.connect(self.show_status)
        self.ctx.navigate.connect(self.go)
        self.ctx.job_started.connect(self.track)
        self.ctx.worker.started.connect(self.worker_started)
        self.sidebar.setCurrentRow(0)

    # -- pages
    def page(self, key: str) -> Any:
        """The page ``key``, built on first use."""
        if key not in self.pages:
            _key, _label, module, cls = next(p for p in PAGES if p[0] == key)
            page_class = getattr(importlib.import_module(f"footprint.gui.pages.{module}"), cls)
            page = page_class(self.ctx)
            widget: QWidget = page
            if key in SCROLLING:
                scroll = QScrollArea()
                scroll.setWidgetResizable(True)
                scroll.setFrameShape(QScrollArea.Shape.NoFrame)
                scroll.setWidget(page)
                widget = scroll
            index = self.stack.indexOf(self._slots[key])
            self.stack.removeWidget(self._slots[key])
            self._slots[key].deleteLater()
            self._slots[key] = widget
            self.stack.insertWidget(index, widget)
            self.pages[key] = page
        return self.pages[key]

    def show_row(self, row: int) -> None:
        if row < 0:
            return
        key = PAGES[row][0]
        page = self.page(key)
        if key in self._stale:
            self._stale.discard(key)
            page.refresh()
        self.stack.setCurrentWidget(self._slots[key])

    def go(self, key: str, target: object = None) -> None:
        """Show page ``key``; ``target`` (a finding id...) goes to the page's ``show``."""
        row = next(n for n, p in enumerate(PAGES) if p[0] == key)
        self.sidebar.setCurrentRow(row)
        page = self.page(key)
        if target is not None and hasattr(page, "show_target"):
            page.show_target(target)

    def current_key(self) -> str:
        return PAGES[max(0, self.sidebar.currentRow())][0]

    def data_changed(self, changes: frozenset[str]) -> None:
        current = self.current_key()
        for key, page in self.pages.items():
            if changes & getattr(page, "watches", frozenset()):
                if key == current:
                    page.refresh()
                else:
                    self._stale.add(key)

    # -- status bar: what runs in the background
    def worker_started(self) -> None:
        self.statusBar().showMessage("Working in the background…", 3000)

    def track(self, job: Job) -> None:
        """Show ``job`` in the status bar while it runs."""
        self.job_label.setText(job.name + "…")
        self.job_bar.setRange(0, 0)
        self.job_bar.show()
        job.progress.connect(self.job_progress)
        job.ended.connect(self.job_ended)

    def job_progress(self, progress: Progress) -> None:
        value = progress.value
        done = getattr(value, "done", getattr(value, "bytes_done", None))
        total = getattr(value, "total", getattr(value, "bytes_total", None))
        if isinstance(done, int) and isinstance(total, int) and total > 0:
            self.job_bar.setRange(0, total)
            self.job_bar.setValue(min(done, total))

    def job_ended(self) -> None:
        if not self.ctx.worker.busy:
            self.job_label.setText("")
            self.job_bar.hide()

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # -- menus
    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu("&View")
        for n, (key, label, _m, _c) in enumerate(PAGES, start=1):
            action = QAction(label.replace("&&", "&&"), self)
            action.setShortcut(QKeySequence(f"Ctrl+{n}"))
            action.setData(key)
            action.triggered.connect(self.view_action)
            view_menu.addAction(action)
            self.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        wizard = QAction("&Set up footprint…", self)
        wizard.triggered.connect(self.show_wizard)
        help_menu.addAction(wizard)
        about = QAction("&About footprint", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def view_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.go(str(action.data()))

    def needs_setup(self) -> bool:
        """A first run: nothing about the person yet (the demo never asks)."""
        if self.ctx.demo:
            return False
        store = self.ctx.store
        return get_profile(store).is_empty and not list_accounts(store)

    def show_wizard(self) -> None:
        from footprint.gui.wizard import FirstRunWizard

        wizard = FirstRunWizard(self.ctx, self)
        wizard.finished_setup.connect(self.wizard_done)
        wizard.open()
        self.wizard = wizard

    def wizard_done(self, sweep: bool) -> None:
        if sweep:
            self.go("discover")
            self.page("discover").start()
        else:
            self.go("dashboard")

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About footprint",
            f"<b>footprint {__version__}</b><p>See what an employer's screening would find "
            "about you online, and clean it up. Local, private, open source.</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        busy = self.ctx.worker.busy
        if busy:
            names = ", ".join(job.name.lower() for job in busy)
            answer = QMessageBox.question(
                self,
                "Quit footprint?",
                f"footprint is still busy ({names}). Quit anyway? What is finished is kept; "
                "an unfinished import is undone, and a sweep carries on where it stopped "
                "next time.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.ctx.close()
        super().closeEvent(event)
