"""Accounts: every account footprint knows, what it holds from each, and how to get the rest."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from footprint.archives.engine import ImportSummary, import_paths
from footprint.archives.guides import ExportGuide, load_export_guides
from footprint.checklist.scan import scan
from footprint.connectors.sync import SyncResult, load_account
from footprint.gui.common import (
    ACCOUNTS,
    FINDINGS,
    ITEMS,
    SETTINGS,
    AppContext,
    button,
    confirm,
    heading,
    open_url,
    paragraph,
    report_failure,
    short_date,
)
from footprint.gui.connect import SYNC_CHANGES, ConnectDialog, DisconnectJob, SyncJob
from footprint.gui.worker import Job, Reporter
from footprint.platforms import display_name
from footprint.progress import CancelToken
from footprint.store import Store
from footprint.store.accounts import Account, list_accounts

CONNECTION_LABELS = {
    "api": "connected",
    "import": "imported export",
    "sweep": "found by a sweep, yours",
    "manual": "added by you",
}
EXPORT_FILTER = "Data exports (*.zip *.tar.gz *.tgz *.json *.js *.csv *.jsonl);;All files (*)"


class ImportJob:
    """Import exports on the worker (one transaction), then check what is new."""

    def __init__(self, home: Path, paths: list[Path]) -> None:
        self.home = home
        self.paths = paths

    def __call__(self, reporter: Reporter, cancel: CancelToken) -> ImportSummary:
        with Store.open(self.home) as store:
            summary = import_paths(store, self.paths, progress=reporter.report, cancel=cancel)
            scan(store, cancel=cancel)
        return summary


def start_import(ctx: AppContext, parent: QWidget) -> Job | None:
    """Ask for export files and import them in the background; None if the person cancels."""
    files, _ = QFileDialog.getOpenFileNames(
        parent, "Import a data export", str(Path.home()), EXPORT_FILTER
    )
    if not files:
        return None
    job = ctx.run(
        "Importing " + ", ".join(Path(f).name for f in files[:2]) + ("…" if len(files) > 2 else ""),
        ImportJob(ctx.home, [Path(f) for f in files]),
        changes=frozenset({ACCOUNTS, ITEMS, FINDINGS, SETTINGS}),
    )
    return job


def guide_html(guide: ExportGuide) -> str:
    steps = "".join(f"<li>{html.escape(step)}</li>" for step in guide.steps)
    parts = [f"<b>{html.escape(guide.name)}</b><ol>{steps}</ol>"]
    if guide.format:
        parts.append(f"<p>Choose the <b>{html.escape(guide.format)}</b> format.</p>")
    parts.append(f"<p>How long: {html.escape(guide.wait)}.</p>")
    if guide.notes:
        parts.append(f"<p>{html.escape(guide.notes)}</p>")
    return "".join(parts)


class AccountsPage(QWidget):
    title = "Accounts"
    watches = frozenset({ACCOUNTS, ITEMS})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.accounts: list[Account] = []
        self.sync_job: Job | None = None
        self.setAccessibleName("Accounts")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Accounts"))
        layout.addWidget(
            paragraph(
                "The accounts footprint knows about: connected through the platform's API, "
                "imported from a data export, or found by a sweep and confirmed as yours. "
                "A data export is the complete record of an account, and the backup to keep "
                "before deleting anything.",
                "About accounts",
            )
        )
        self.table = QTableWidget(0, 6)
        self.table.setAccessibleName("Accounts list")
        self.table.setHorizontalHeaderLabels(
            [
                "Platform",
                "Account",
                "How footprint knows it",
                "Last update",
                "Items",
                "Open findings",
            ]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.selection_changed)
        self.table.itemActivated.connect(self.open_selected)
        layout.addWidget(self.table, 2)

        actions = QHBoxLayout()
        self.import_button = button(
            "&Import a data export…", "Import a data export", "Choose the zip a platform gave you"
        )
        self.import_button.clicked.connect(self.import_export)
        self.connect_button = button(
            "&Connect an account…",
            "Connect an account",
            "Read posts, profile and settings through the platform's API",
        )
        self.connect_button.clicked.connect(self.connect_account)
        self.sync_button = button(
            "&Sync", "Sync connected accounts", "Fetch what is new from connected accounts"
        )
        self.sync_button.clicked.connect(self.sync_accounts)
        self.disconnect_button = button(
            "&Disconnect…",
            "Disconnect the selected account",
            "Stop syncing it and delete its sign-in from the keyring",
        )
        self.disconnect_button.clicked.connect(self.disconnect_selected)
        self.open_button = button("&Open profile", "Open the profile page")
        self.open_button.clicked.connect(self.open_selected)
        self.holds = QLabel()
        self.holds.setAccessibleName("What footprint holds from this account")
        self.holds.setWordWrap(True)
        actions.addWidget(self.connect_button)
        actions.addWidget(self.sync_button)
        actions.addWidget(self.disconnect_button)
        actions.addWidget(self.import_button)
        actions.addWidget(self.open_button)
        actions.addWidget(self.holds, 1)
        layout.addLayout(actions)

        guides_box = QGroupBox("Get your complete history: request a data export")
        guides_layout = QVBoxLayout(guides_box)
        row = QHBoxLayout()
        self.guide_choice = QComboBox()
        self.guide_choice.setAccessibleName("Platform to request an export from")
        self.guides = {guide.platform: guide for guide in load_export_guides()}
        for guide in self.guides.values():
            self.guide_choice.addItem(guide.name, guide.platform)
        label = QLabel("&Platform:")
        label.setBuddy(self.guide_choice)
        row.addWidget(label)
        row.addWidget(self.guide_choice)
        self.request_button = button("Open the request &page", "Open the export request page")
        self.request_button.clicked.connect(self.open_request_page)
        row.addWidget(self.request_button)
        row.addStretch(1)
        guides_layout.addLayout(row)
        self.guide_text = paragraph("", "How to request the export")
        guides_layout.addWidget(self.guide_text)
        self.guide_choice.currentIndexChanged.connect(self.show_guide)
        layout.addWidget(guides_box, 1)
        self.show_guide()
        self.refresh()

    def refresh(self) -> None:
        store = self.ctx.store
        self.accounts = list_accounts(store)
        held = {
            account_id: (count, latest)
            for account_id, count, latest in store.conn.execute(
                "SELECT account_id, COUNT(*), MAX(first_seen_at) FROM items "
                "WHERE account_id IS NOT NULL GROUP BY account_id"
            )
        }
        findings = dict(
            store.conn.execute(
                "SELECT COALESCE(f.account_id, i.account_id), COUNT(*) FROM findings f "
                "LEFT JOIN items i ON i.id = f.item_id WHERE f.state IN ('open', 'in_progress') "
                "GROUP BY 1"
            ).fetchall()
        )
        self.table.setRowCount(len(self.accounts))
        for r, account in enumerate(self.accounts):
            count, latest = held.get(account.id, (0, None))
            when = account.last_sync_at or latest
            values = [
                account.label,
                account.handle,
                CONNECTION_LABELS.get(account.connection, account.connection),
                short_date(when) or "—",
                str(count),
                str(findings.get(account.id, 0)),
            ]
            for c, value in enumerate(values):
                cell = QTableWidgetItem(value)
                if c >= 4:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, cell)
        if self.accounts and not self.table.selectedItems():
            self.table.selectRow(0)
        self.selection_changed()

    def selected(self) -> Account | None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        return self.accounts[rows.pop()] if len(rows) == 1 else None

    def selection_changed(self) -> None:
        account = self.selected()
        self.open_button.setEnabled(bool(account and account.url))
        connected = any(a.connection == "api" for a in self.accounts) and not self.ctx.demo
        self.sync_button.setEnabled(connected and self.sync_job is None)
        self.connect_button.setEnabled(not self.ctx.demo)
        self.sync_button.setText(
            f"&Sync {account.label}"
            if account and account.connection == "api"
            else "&Sync all connected"
        )
        self.disconnect_button.setEnabled(
            bool(account and account.connection == "api") and not self.ctx.demo
        )
        if account is None:
            self.holds.setText("")
            return
        kinds = self.ctx.store.conn.execute(
            "SELECT kind, COUNT(*) FROM items WHERE account_id = ? GROUP BY kind ORDER BY 2 DESC",
            (account.id,),
        ).fetchall()
        held = ", ".join(
            f"{n} {kind.replace('_', ' ')}{'s' if n != 1 else ''}" for kind, n in kinds
        )
        text = f"Holds {held}." if held else "Nothing read from it yet."
        if self.ctx.demo and account.connection == "api":
            text = "A fictional demo account: footprint does not contact any site for it. " + text
        if account.connection == "api" and not self.ctx.demo:
            text += (
                " Signed in: footprint can also fix things there when you ask."
                if account.secret_ref
                else " Public data only (no sign-in)."
            )
        if account.status == "reconnect":
            text = "Its sign-in expired or was revoked: connect it again. " + text
        if account.platform in self.guides and account.connection != "import":
            text += " Its data export would give the complete history."
        self.holds.setText(text)
        index = self.guide_choice.findData(account.platform)
        if index >= 0:
            self.guide_choice.setCurrentIndex(index)

    def show_guide(self) -> None:
        guide = self.guides.get(self.guide_choice.currentData())
        self.guide_text.setText(guide_html(guide) if guide else "")

    def open_request_page(self) -> None:
        guide = self.guides.get(self.guide_choice.currentData())
        if guide is None:
            return
        instance = None
        if guide.platform == "mastodon":
            handle = next((a.handle for a in self.accounts if a.platform == "mastodon"), None)
            instance = handle.rsplit("@", 1)[-1] if handle and handle.count("@") >= 2 else None
        open_url(guide.link(instance))

    def open_selected(self, *_args: object) -> None:
        account = self.selected()
        if account and account.url:
            open_url(account.url)

    def import_export(self) -> None:
        job = start_import(self.ctx, self)
        if job is None:
            return
        self.import_button.setEnabled(False)
        job.succeeded.connect(self.import_done)
        job.failed.connect(self.import_failed)
        job.ended.connect(self.import_ended)

    def import_done(self, summary: ImportSummary) -> None:
        self.ctx.status.emit(" ".join(summary.lines()[:2]))

    def import_failed(self, exc: object) -> None:
        report_failure(self, exc)

    def import_ended(self) -> None:
        self.import_button.setEnabled(True)

    # -- API connections ---------------------------------------------------------------

    def connect_account(self) -> None:
        dialog = ConnectDialog(self.ctx, self)
        account = self.selected()
        if account is not None and account.platform in dialog.guides:
            dialog.choose(account.platform)
            if account.connection == "api":  # connecting it again (e.g. to sign in anew)
                dialog.who.setText(account.handle)
        accepted = dialog.exec() == ConnectDialog.DialogCode.Accepted
        handle, platform = dialog.handle, dialog.current().platform
        dialog.deleteLater()
        if accepted:
            self.ctx.status.emit(f"Connected {handle}; fetching its posts…")
            self.start_sync(platform)

    def sync_accounts(self) -> None:
        account = self.selected()
        self.start_sync(account.platform if account and account.connection == "api" else None)

    def start_sync(self, platform: str | None) -> None:
        if self.sync_job is not None:
            return
        name = "Syncing " + (display_name(platform) if platform else "connected accounts")
        self.sync_job = self.ctx.run(
            name, SyncJob(self.ctx.home, self.ctx.secrets, platform), changes=SYNC_CHANGES
        )
        self.sync_button.setEnabled(False)
        self.sync_job.succeeded.connect(self.sync_done)
        self.sync_job.failed.connect(self.sync_failed)
        self.sync_job.ended.connect(self.sync_ended)

    def sync_done(self, results: list[SyncResult]) -> None:
        new = sum(r.inserted for r in results)
        changed = sum(r.updated for r in results)
        self.ctx.status.emit(f"Synced {len(results)} account(s): {new:,} new, {changed:,} changed.")

    def sync_failed(self, exc: object) -> None:
        self.ctx.notify(SYNC_CHANGES)  # pages fetched before the failure are saved
        report_failure(self, exc)

    def sync_ended(self) -> None:
        self.sync_job = None
        self.selection_changed()

    def disconnect_selected(self) -> None:
        account = self.selected()
        if account is None or account.connection != "api":
            return
        if not confirm(
            self,
            "Disconnect",
            f"Disconnect {account.label} {account.handle}?",
            "Disconnect",
            details="footprint stops syncing it and deletes its sign-in from your keyring "
            "(and revokes it on the platform where possible). What was fetched stays, and "
            "stays checked.",
        ):
            return
        connected = load_account(self.ctx.store, account.platform, account.handle)
        job = self.ctx.run(
            f"Disconnecting {account.label}",
            DisconnectJob(self.ctx.home, self.ctx.secrets, connected, forget=False),
            changes=SYNC_CHANGES,
        )
        job.failed.connect(self.import_failed)
