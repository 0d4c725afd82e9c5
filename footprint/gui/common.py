"""What every page shares: the app context (store, worker, change notices) and small widgets."""

from __future__ import annotations

import html
import logging
import re
from functools import cached_property
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from footprint.checklist.rules import RuleSet, load_ruleset
from footprint.checklist.scan import ScanSummary, scan
from footprint.errors import CancelledError
from footprint.gui.errors import show_error
from footprint.gui.worker import Job, JobFunction, Reporter, Worker
from footprint.progress import CancelToken
from footprint.secrets import SecretStore
from footprint.store import Store

log = logging.getLogger(__name__)

# What a job changed, so the pages showing it reload (and only those).
PROFILE, ACCOUNTS, ITEMS, FINDINGS, SWEEPS, SETTINGS = (
    "profile",
    "accounts",
    "items",
    "findings",
    "sweeps",
    "settings",
)
EVERYTHING = frozenset({PROFILE, ACCOUNTS, ITEMS, FINDINGS, SWEEPS, SETTINGS})


class AppContext(QObject):
    """The window's shared state: the GUI thread's store, the worker, and change notices."""

    changed = Signal(object)  # a frozenset of what changed
    status = Signal(str)  # a short line for the status bar
    navigate = Signal(str, object)  # page name, and what to show there (e.g. a finding id)
    job_started = Signal(object)  # a Job, for the status bar

    def __init__(self, home: Path, *, demo: bool = False) -> None:
        super().__init__()
        self.home = home
        self.demo = demo
        self.store = Store.open(home)
        self.worker = Worker(self)
        # One secret store for the window: it remembers a "this session only" choice.
        self.secrets = SecretStore()
        self._changes: dict[Job, frozenset[str]] = {}

    @cached_property
    def rules(self) -> RuleSet:
        return load_ruleset()

    def run(self, name: str, function: JobFunction, *, changes: frozenset[str] = EVERYTHING) -> Job:
        """Run ``function`` on the worker; when it succeeds, pages showing ``changes`` reload."""
        job = self.worker.submit(name, function)
        self._changes[job] = changes
        job.succeeded.connect(self._job_succeeded)
        job.ended.connect(self._job_ended)
        self.job_started.emit(job)
        return job

    def _job_succeeded(self) -> None:
        job = self.sender()
        if isinstance(job, Job):
            self.notify(self._changes.get(job, EVERYTHING))

    def _job_ended(self) -> None:
        job = self.sender()
        if isinstance(job, Job):
            self._changes.pop(job, None)

    def notify(self, changes: frozenset[str] | set[str]) -> None:
        self.changed.emit(frozenset(changes))

    def close(self) -> None:
        self.worker.stop()
        self.store.close()


class ScanJob:
    """A checklist scan on the worker, with its own store connection."""

    def __init__(self, home: Path, *, full: bool = False) -> None:
        self.home = home
        self.full = full

    def __call__(self, reporter: Reporter, cancel: CancelToken) -> ScanSummary:
        with Store.open(self.home) as store:
            return scan(store, full=self.full, progress=reporter.report, cancel=cancel)


class TableModel(QAbstractTableModel):
    """A flat table model: subclasses set COLUMNS and implement ``rowCount`` and ``data``."""

    COLUMNS: tuple[str, ...] = ()

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None


def report_failure(parent: QWidget, exc: object) -> None:
    """A job's failure: a cancel is a status line; anything else a dialog with details."""
    if isinstance(exc, CancelledError):
        return
    if isinstance(exc, BaseException):
        show_error(parent, exc)


def open_url(url: str) -> bool:
    """Open a web page in the default browser (only http and https links, never files)."""
    target = QUrl(url)
    if target.scheme() not in ("http", "https"):
        log.warning("refused to open a link that is not a web page")
        return False
    return QDesktopServices.openUrl(target)


def confirm(parent: QWidget, title: str, text: str, action: str, *, details: str = "") -> bool:
    """Ask before something that cannot be undone; the button says exactly what happens."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    if details:
        box.setInformativeText(details)
    go = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setAccessibleName(title)
    box.exec()
    return box.clickedButton() is go


def heading(text: str, level: int = 1) -> QLabel:
    label = QLabel(f"<h{level}>{html.escape(text)}</h{level}>")
    label.setAccessibleName(text)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def paragraph(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setOpenExternalLinks(False)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    label.linkActivated.connect(open_url)
    label.setAccessibleName(name or html.unescape(re.sub(r"<[^>]+>", "", text))[:80])
    return label


def button(text: str, name: str = "", tip: str = "") -> QPushButton:
    widget = QPushButton(text)
    widget.setAccessibleName(name or text.replace("&", "").rstrip("…."))
    if tip:
        widget.setToolTip(tip)
        widget.setAccessibleDescription(tip)
    return widget


def table_view(name: str) -> QTableView:
    view = QTableView()
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


def dark_palette() -> bool:
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


# Severity colours readable on both palettes (chosen per palette at paint time).
_SEVERITY = {
    "critical": ("#b3261e", "#ff8a80"),
    "high": ("#c4510a", "#ffb74d"),
    "medium": ("#8a6d00", "#ffe082"),
    "low": ("#1f6feb", "#90caf9"),
    "info": ("#5f6368", "#bdbdbd"),
}


def severity_color(severity: str) -> QColor:
    light, dark = _SEVERITY.get(severity, _SEVERITY["info"])
    return QColor(dark if dark_palette() else light)


def severity_label(severity: str) -> str:
    return {"info": "for your judgement"}.get(severity, severity)


def short_date(value: str | None) -> str:
    return (value or "")[:10]
