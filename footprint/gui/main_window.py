"""The main window.  For now one overview page; the GUI issue grows it page by page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from footprint import __version__
from footprint.platforms import display_name
from footprint.secrets import SecretStore
from footprint.store import Store
from footprint.store.accounts import list_accounts
from footprint.store.profile import KINDS, get_profile

CONNECTION_LABELS = {
    "api": "connected",
    "import": "imported export",
    "sweep": "found by sweep",
    "manual": "added by you",
}


def _table(name: str, headers: list[str], rows: list[list[str]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(min(1, len(headers) - 1), QHeaderView.ResizeMode.Stretch)
    # Show every row: the page scrolls, the tables do not.
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.resizeRowsToContents()
    height = header.sizeHint().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(r) for r in range(len(rows)))
    table.setFixedHeight(height)
    return table


class OverviewPage(QWidget):
    """Who you are, which accounts footprint knows, and what it holds."""

    def __init__(self, store: Store, home: Path, demo: bool) -> None:
        super().__init__()
        self.setAccessibleName("Overview")
        layout = QVBoxLayout(self)
        layout.setSpacing(14)

        title = QLabel("<h1>Your footprint</h1>")
        title.setAccessibleName("Your footprint")
        layout.addWidget(title)
        if demo:
            banner = QLabel(
                "This is the <b>demo profile</b> of a fictional person, Jordan Reyes. "
                "Nothing here is real and nothing you do touches your own data."
            )
            banner.setObjectName("demoBanner")
            banner.setWordWrap(True)
            banner.setFrameShape(QFrame.Shape.StyledPanel)
            banner.setMargin(8)
            banner.setAccessibleName("Demo profile notice")
            layout.addWidget(banner)

        profile = get_profile(store)
        self.profile_box = QGroupBox("Who you are")
        self.profile_box.setAccessibleName("Who you are")
        profile_layout = QVBoxLayout(self.profile_box)
        if profile.is_empty:
            self.welcome = QLabel(
                "footprint looks for you the way an employer's screening would: by your "
                "names, usernames, emails and phone numbers. Tell it who you are with "
                "<tt>footprint profile add username YOURNAME</tt>, or look around the demo "
                "first. What you enter stays on this computer."
            )
            self.welcome.setWordWrap(True)
            profile_layout.addWidget(self.welcome)
            self.demo_button = QPushButton("Open the demo profile")
            self.demo_button.setAccessibleName("Open the demo profile")
            self.demo_button.clicked.connect(self.open_demo)
            profile_layout.addWidget(self.demo_button, alignment=Qt.AlignmentFlag.AlignLeft)
        else:
            rows = [[f"{kind.capitalize()}s", ", ".join(profile.of(kind)) or "-"] for kind in KINDS]
            self.profile_table = _table("Profile identifiers", ["What", "Values"], rows)
            profile_layout.addWidget(self.profile_table)
        layout.addWidget(self.profile_box)

        counts = dict(
            store.conn.execute(
                "SELECT account_id, COUNT(*) FROM items WHERE account_id IS NOT NULL "
                "GROUP BY account_id"
            ).fetchall()
        )
        accounts = list_accounts(store)
        self.accounts_table = _table(
            "Accounts",
            ["Platform", "Account", "How footprint knows it", "Items"],
            [
                [
                    display_name(a.platform),
                    a.handle,
                    CONNECTION_LABELS.get(a.connection, a.connection),
                    str(counts.get(a.id, 0)),
                ]
                for a in accounts
            ],
        )
        accounts_box = QGroupBox(f"Accounts ({len(accounts)})")
        QVBoxLayout(accounts_box).addWidget(self.accounts_table)
        layout.addWidget(accounts_box)

        kinds = store.conn.execute(
            "SELECT platform, kind, COUNT(*), MIN(created_at), MAX(created_at) FROM items "
            "GROUP BY platform, kind ORDER BY platform, kind"
        ).fetchall()
        self.items_table = _table(
            "What footprint holds",
            ["Platform", "Kind", "Count", "From", "To"],
            [
                [display_name(p), k.replace("_", " "), str(n), (lo or "")[:10], (hi or "")[:10]]
                for p, k, n, lo, hi in kinds
            ],
        )
        items_box = QGroupBox("What footprint holds")
        QVBoxLayout(items_box).addWidget(self.items_table)
        layout.addWidget(items_box)

        sweep = store.conn.execute(
            "SELECT status, COUNT(*) FROM site_checks WHERE sweep_id = "
            "(SELECT MAX(id) FROM sweeps) GROUP BY status"
        ).fetchall()
        verdicts = dict(sweep)
        self.sweep_label = QLabel(
            "Last username sweep: "
            + (
                ", ".join(f"{verdicts.get(v, 0)} {v}" for v in ("found", "missing", "unknown"))
                if verdicts
                else "none yet"
            )
        )
        self.sweep_label.setAccessibleName("Last username sweep")
        layout.addWidget(self.sweep_label)

        keyring = SecretStore().status()
        footer = QLabel(f"Data folder: {home}<br>{keyring.message}")
        footer.setWordWrap(True)
        footer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        footer.setAccessibleName("Data location and keyring status")
        layout.addWidget(footer)
        layout.addStretch(1)

    def open_demo(self) -> None:
        subprocess.Popen([sys.executable, "-m", "footprint", "--demo"])


class MainWindow(QMainWindow):
    def __init__(self, home: Path, *, demo: bool = False) -> None:
        super().__init__()
        self.home = home
        self.demo = demo
        self.store = Store.open(home)
        self.setWindowTitle("footprint — demo profile" if demo else "footprint")
        self.resize(960, 720)

        self.overview = OverviewPage(self.store, home, demo)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.overview)
        container = QWidget()
        row = QHBoxLayout(container)
        row.addWidget(scroll)
        self.setCentralWidget(container)

        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About footprint", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)
        self.statusBar().showMessage("Everything stays on this computer.")

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About footprint",
            f"<b>footprint {__version__}</b><p>See what an employer's screening would find "
            "about you online, and clean it up. Local, private, open source.</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.store.close()
        super().closeEvent(event)
