"""Reports & data: where the data lives, the keyring, the network, the site catalog,
exporting everything, and wiping everything."""

from __future__ import annotations

import asyncio
import html
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from footprint.catalog.sources import (
    WMN_ATTRIBUTION,
    UpdateResult,
    configured_url,
    default_catalog,
    download,
    install_upstream,
    upstream_info,
)
from footprint.gui.common import (
    ACCOUNTS,
    FINDINGS,
    ITEMS,
    AppContext,
    button,
    confirm,
    heading,
    paragraph,
    report_failure,
)
from footprint.gui.worker import Reporter
from footprint.net import options_from_store, save_proxy
from footprint.paths import db_path
from footprint.progress import CancelToken
from footprint.report import write_report
from footprint.secrets import SecretStore
from footprint.store import Store
from footprint.store.export import export_to_file, read_secret_refs, wipe


class ExportJob:
    """Everything footprint holds, as one JSON file, written atomically (owner-only)."""

    def __init__(self, home: Path, target: Path) -> None:
        self.home = home
        self.target = target

    def __call__(self, reporter: Reporter, cancel: CancelToken) -> dict[str, int]:
        with Store.open(self.home) as store:
            return export_to_file(store, self.target)


class ReportJob:
    """The "what an employer sees" report, built and written (HTML, or PDF through Qt) on
    the worker."""

    def __init__(self, home: Path, target: Path, redact: bool) -> None:
        self.home = home
        self.target = target
        self.redact = redact

    def __call__(self, reporter: Reporter, cancel: CancelToken) -> Path:
        with Store.open(self.home) as store:
            return write_report(store, self.target, redact=self.redact)


class CatalogUpdateJob:
    def __init__(self, home: Path) -> None:
        self.home = home

    async def __call__(self, reporter: Reporter, cancel: CancelToken) -> UpdateResult:
        with Store.open(self.home) as store:
            url = configured_url(store)
            network = options_from_store(store)
        raw = await download(url, network)
        return await asyncio.get_running_loop().run_in_executor(
            None, install_upstream, self.home, raw, url
        )


class DataPage(QWidget):
    title = "Reports & data"
    watches = frozenset({ACCOUNTS, ITEMS, FINDINGS})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAccessibleName("Reports and data")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Reports & data"))

        report_box = QGroupBox("Report: what an employer sees")
        report_layout = QVBoxLayout(report_box)
        report_layout.addWidget(
            paragraph(
                "What a screener or recruiter would find, most serious first: profiles, flagged "
                "posts with the words that were flagged, personal data on show, loose settings, "
                "breaches, what you fixed and what remains, and your score over time. HTML is "
                "one file any browser opens; PDF is ready to print. It is made on this "
                "computer and never contains a password or token.",
                "About the report",
            )
        )
        self.redact = QCheckBox(
            "&Hide the evidence (post text, flagged words, links) to share it with a career coach"
        )
        self.redact.setAccessibleName("Hide the evidence in the report")
        report_layout.addWidget(self.redact)
        self.open_after = QCheckBox("&Open the report when it is saved")
        self.open_after.setAccessibleName("Open the report when it is saved")
        self.open_after.setChecked(True)
        report_layout.addWidget(self.open_after)
        report_buttons = QHBoxLayout()
        self.pdf_button = button("Save as &PDF…", "Save the report as PDF")
        self.pdf_button.setProperty("suffix", ".pdf")
        self.pdf_button.clicked.connect(self.save_report)
        self.html_button = button("Save as &HTML…", "Save the report as HTML")
        self.html_button.setProperty("suffix", ".html")
        self.html_button.clicked.connect(self.save_report)
        report_buttons.addWidget(self.pdf_button)
        report_buttons.addWidget(self.html_button)
        report_buttons.addStretch(1)
        report_layout.addLayout(report_buttons)
        layout.addWidget(report_box)

        where = QGroupBox("Your data")
        form = QFormLayout(where)
        self.location = QLabel()
        self.location.setAccessibleName("Data folder")
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location.setWordWrap(True)
        open_folder = button("Open the &folder", "Open the data folder")
        open_folder.clicked.connect(self.open_folder)
        row = QHBoxLayout()
        row.addWidget(self.location, 1)
        row.addWidget(open_folder)
        form.addRow("Stored in:", row)
        self.keyring = QLabel()
        self.keyring.setAccessibleName("Keyring status")
        self.keyring.setWordWrap(True)
        form.addRow("Secrets:", self.keyring)
        self.sizes = QLabel()
        self.sizes.setAccessibleName("What footprint holds")
        form.addRow("Holds:", self.sizes)
        layout.addWidget(where)

        export_box = QGroupBox("Export and erase")
        export_layout = QVBoxLayout(export_box)
        export_layout.addWidget(
            paragraph(
                "Export everything footprint holds (profile, accounts, posts, findings, "
                "decisions) as one JSON file. It never contains a password or token.",
                "About exporting",
            )
        )
        buttons = QHBoxLayout()
        self.export_button = button("&Export all data…", "Export all data")
        self.export_button.clicked.connect(self.export_data)
        self.wipe_button = button("&Wipe all data…", "Wipe all data")
        self.wipe_button.clicked.connect(self.wipe_data)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.wipe_button)
        buttons.addStretch(1)
        export_layout.addLayout(buttons)
        layout.addWidget(export_box)

        network = QGroupBox("Network")
        net_layout = QVBoxLayout(network)
        self.proxy = QLineEdit()
        self.proxy.setAccessibleName("Proxy address")
        self.proxy.setPlaceholderText("none (direct); e.g. socks5h://127.0.0.1:9050 for Tor")
        save = button("&Save", "Save the proxy")
        save.clicked.connect(self.save_proxy)
        proxy_row = QHBoxLayout()
        proxy_row.addWidget(self.proxy, 1)
        proxy_row.addWidget(save)
        proxy_label = QLabel("&Proxy:")
        proxy_label.setBuddy(self.proxy)
        proxy_row.insertWidget(0, proxy_label)
        net_layout.addLayout(proxy_row)
        net_layout.addWidget(
            paragraph(
                "Sweeps and catalog downloads go through it. footprint contacts only the sites "
                "you ask about; it sends no telemetry.",
                "About the network",
            )
        )
        layout.addWidget(network)

        catalog = QGroupBox("Site catalog")
        cat_layout = QVBoxLayout(catalog)
        self.catalog_info = paragraph("", "Site catalog information")
        cat_layout.addWidget(self.catalog_info)
        self.update_button = button(
            "&Update the site catalog",
            "Update the site catalog",
            "Downloads the WhatsMyName catalog (CC BY-SA 4.0)",
        )
        self.update_button.clicked.connect(self.update_catalog)
        cat_layout.addWidget(self.update_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(catalog)

        layout.addStretch(1)
        self.refresh()
        self.show_catalog()

    def refresh(self) -> None:
        home = self.ctx.home
        suffix = " (a temporary copy of the demo, deleted when you close footprint)"
        self.location.setText(str(home) + (suffix if self.ctx.demo else ""))
        self.keyring.setText(SecretStore().status().message)
        store = self.ctx.store
        counts = [
            ("account", store.conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0]),
            ("item", store.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]),
            ("finding", store.conn.execute("SELECT COUNT(*) FROM findings").fetchone()[0]),
        ]
        size = db_path(home).stat().st_size if db_path(home).exists() else 0
        self.sizes.setText(
            ", ".join(f"{n:,} {word}{'s' if n != 1 else ''}" for word, n in counts)
            + f" — database {size / 1e6:.1f} MB"
        )
        self.proxy.setText(options_from_store(store).proxy or "")

    def show_catalog(self) -> None:
        """What the sweep checks (parsing the catalogs: only on first show and after updates)."""
        home = self.ctx.home
        catalog = default_catalog(home)
        info = upstream_info(home)
        lines = [f"{len(catalog.usable)} sites to check."]
        if info:
            lines.append(
                f"WhatsMyName copy fetched {html.escape(str(info.get('fetched_at', ''))[:10])}. "
                + html.escape(WMN_ATTRIBUTION)
            )
        else:
            lines.append("footprint's own catalog only; updating adds WhatsMyName's sites.")
        self.catalog_info.setText("<br>".join(lines))

    def open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.home)))

    def save_proxy(self) -> None:
        try:
            save_proxy(self.ctx.store, self.proxy.text())
        except Exception as exc:
            report_failure(self, exc)
            return
        self.ctx.status.emit("Proxy saved." if self.proxy.text().strip() else "No proxy.")

    def export_data(self) -> None:
        target, _ = QFileDialog.getSaveFileName(
            self,
            "Export all data",
            str(Path.home() / "footprint-export.json"),
            "JSON (*.json)",
        )
        if not target:
            return
        self.export_button.setEnabled(False)
        job = self.ctx.run("Exporting", ExportJob(self.ctx.home, Path(target)), changes=frozenset())
        job.succeeded.connect(self.export_done)
        job.failed.connect(self.job_failed)
        job.ended.connect(self.export_ended)
        self.export_target = target

    def export_done(self, counts: dict[str, int]) -> None:
        rows = sum(counts.values())
        self.ctx.status.emit(f"Exported {rows:,} records to {self.export_target}.")

    def export_ended(self) -> None:
        self.export_button.setEnabled(True)

    def job_failed(self, exc: object) -> None:
        report_failure(self, exc)

    def save_report(self) -> None:
        suffix = str(self.sender().property("suffix") or ".pdf")
        kind = "PDF (*.pdf)" if suffix == ".pdf" else "HTML (*.html *.htm)"
        name = "footprint-report" + ("-shared" if self.redact.isChecked() else "") + suffix
        target, _ = QFileDialog.getSaveFileName(
            self, "Save the report", str(Path.home() / name), kind
        )
        if not target:
            return
        path = Path(target)
        if not path.suffix:
            path = path.with_suffix(suffix)
        self.pdf_button.setEnabled(False)
        self.html_button.setEnabled(False)
        job = self.ctx.run(
            "Making the report",
            ReportJob(self.ctx.home, path, self.redact.isChecked()),
            changes=frozenset(),
        )
        job.succeeded.connect(self.report_done)
        job.failed.connect(self.job_failed)
        job.ended.connect(self.report_ended)

    def report_done(self, path: Path) -> None:
        self.ctx.status.emit(f"Saved the report to {path}.")
        if self.open_after.isChecked():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def report_ended(self) -> None:
        self.pdf_button.setEnabled(True)
        self.html_button.setEnabled(True)

    def update_catalog(self) -> None:
        self.update_button.setEnabled(False)
        job = self.ctx.run(
            "Updating the site catalog",
            CatalogUpdateJob(self.ctx.home),
            changes=frozenset(),
        )
        job.succeeded.connect(self.catalog_updated)
        job.failed.connect(self.job_failed)
        job.ended.connect(self.catalog_ended)

    def catalog_updated(self, result: UpdateResult) -> None:
        self.show_catalog()
        self.ctx.status.emit(f"Site catalog updated: {result.sites} sites.")

    def catalog_ended(self) -> None:
        self.update_button.setEnabled(True)

    def wipe_data(self) -> None:
        refs = read_secret_refs(self.ctx.home) or []
        what = (
            f"This erases the database in {self.ctx.home} (every account, post, finding and "
            f"decision), its backups and logs"
            + (f", and {len(refs)} saved password(s) or token(s) in the keyring" if refs else "")
            + ". It cannot be undone; export your data first if you may want it."
        )
        if not confirm(
            self, "Wipe all data?", "Erase everything footprint holds?", "Erase", details=what
        ):
            return
        if self.ctx.worker.busy:
            QMessageBox.information(
                self, "Busy", "Wait for the work in progress to finish (or cancel it) first."
            )
            return
        self.ctx.store.close()
        try:
            wipe(self.ctx.home, SecretStore())
        except Exception as exc:
            report_failure(self, exc)
            return
        QMessageBox.information(
            self, "Erased", "Everything footprint held is erased. footprint will now close."
        )
        QApplication.quit()
