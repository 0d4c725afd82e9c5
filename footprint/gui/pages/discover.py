"""Discover: sweep usernames across the site catalog with live progress; say what is yours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from footprint.checklist.scan import scan
from footprint.discovery.engine import REASON_TEXT, SweepCounts, SweepOptions
from footprint.discovery.sweep import (
    SweepProgress,
    SweepRun,
    check_usernames,
    latest_results,
    set_claim,
    site_category,
    sweep_async,
)
from footprint.discovery.variants import name_variants
from footprint.errors import InputError
from footprint.gui.common import (
    ACCOUNTS,
    FINDINGS,
    SWEEPS,
    AppContext,
    ScanJob,
    TableModel,
    button,
    heading,
    open_url,
    paragraph,
    report_failure,
    table_view,
)
from footprint.gui.worker import Job, Progress, Reporter
from footprint.progress import CancelToken
from footprint.store import Store
from footprint.store.profile import get_profile

COLUMNS = ("Site", "Username", "Category", "Verdict", "Yours?", "Link")
CLAIM_LABELS = {"mine": "yours", "not_mine": "not yours", None: ""}
VERDICTS = (
    ("Found", ("found",)),
    ("Unknown", ("unknown",)),
    ("Missing", ("missing",)),
    ("Everything", ("found", "missing", "unknown")),
)


class ResultsModel(TableModel):
    """Verdicts in the order they arrive; a later verdict for the same site replaces one."""

    COLUMNS = COLUMNS

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, object]] = []
        self._where: dict[tuple[str, str], int] = {}

    def set_rows(self, rows: list[dict[str, object]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._where = {(str(r["site"]), str(r["username"])): n for n, r in enumerate(self.rows)}
        self.endResetModel()

    def add(self, records: list[dict[str, object]]) -> None:
        fresh: list[dict[str, object]] = []
        for record in records:
            key = (str(record["site"]), str(record["username"]))
            at = self._where.get(key)
            if at is None:
                fresh.append(record)
                continue
            record.setdefault("claim", self.rows[at].get("claim"))
            self.rows[at] = record
            self.dataChanged.emit(self.index(at, 0), self.index(at, len(COLUMNS) - 1))
        if fresh:
            start = len(self.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            for n, record in enumerate(fresh, start):
                self._where[(str(record["site"]), str(record["username"]))] = n
                self.rows.append(record)
            self.endInsertRows()

    def set_claim(self, site: str, username: str, claim: str | None) -> None:
        at = self._where.get((site, username))
        if at is not None:
            self.rows[at]["claim"] = claim
            self.dataChanged.emit(self.index(at, 4), self.index(at, 4))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        record = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return record["site"]
            if column == 1:
                return record["username"]
            if column == 2:
                return str(record.get("category") or "").replace("_", " ")
            if column == 3:
                if record["status"] == "unknown":
                    return f"unknown: {str(record.get('reason') or '').replace('_', ' ')}"
                return record["status"]
            if column == 4:
                return CLAIM_LABELS.get(record.get("claim"), "")  # type: ignore[call-overload]
            return record.get("url") or ""
        if role == Qt.ItemDataRole.ToolTipRole and column == 3 and record["status"] == "unknown":
            return REASON_TEXT.get(str(record.get("reason")), str(record.get("reason")))
        if role == Qt.ItemDataRole.UserRole:
            return record
        return None


class VerdictFilter(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.statuses: tuple[str, ...] = ("found",)
        self.text = ""

    def set(self, statuses: tuple[str, ...], text: str) -> None:
        self.beginFilterChange()
        self.statuses, self.text = statuses, text.casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self,
        source_row: int,
        source_parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        model = self.sourceModel()
        assert isinstance(model, ResultsModel)
        record = model.rows[source_row]
        if record["status"] not in self.statuses:
            return False
        if self.text:
            hay = f"{record['site']} {record['username']} {record.get('category') or ''}"
            return self.text in hay.casefold()
        return True


class SweepJob:
    """One sweep on the worker's event loop, then a scan so found profiles become findings."""

    def __init__(self, home: Path, usernames: list[str], catalog_files: list[Path]) -> None:
        self.home = home
        self.usernames = usernames
        self.catalog_files = catalog_files

    async def __call__(self, reporter: Reporter, cancel: CancelToken) -> SweepRun:
        from footprint.catalog.sources import default_catalog
        from footprint.net import options_from_store

        def progress(p: SweepProgress) -> None:
            if p.last is not None:
                reporter.add(p.last.record(site_category(p.last.site)), p)
            else:
                reporter.report(p)

        with Store.open(self.home) as store:
            catalog = default_catalog(self.home, self.catalog_files or None)
            options = SweepOptions(network=options_from_store(store))
            run = await sweep_async(
                store, self.usernames, catalog, options, progress=progress, cancel=cancel
            )
            scan(store)
        return run


class DiscoverPage(QWidget):
    title = "Discover"
    watches = frozenset({SWEEPS})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.catalog_files: list[Path] = []  # tests point the sweep at a loopback catalog
        self.job: Job | None = None
        self.setAccessibleName("Discover")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Discover old accounts"))
        layout.addWidget(
            paragraph(
                "footprint asks each site in its catalog whether a profile with your username "
                "exists: <b>found</b>, <b>missing</b>, or <b>unknown</b> when the site did not "
                "give a clear answer. Only those sites are contacted. Say which found profiles "
                "are yours: they join your accounts and the checklist.",
                "How discovery works",
            )
        )
        row = QHBoxLayout()
        label = QLabel("&Usernames:")
        self.usernames = QLineEdit()
        self.usernames.setAccessibleName("Usernames to look for")
        self.usernames.setPlaceholderText("jdoe, jane.doe")
        label.setBuddy(self.usernames)
        row.addWidget(label)
        row.addWidget(self.usernames, 1)
        self.variants = QCheckBox("Also try names made from mine (first.last, flast…)")
        self.variants.setAccessibleName("Also try username variants")
        row.addWidget(self.variants)
        self.start_button = button("&Start sweep", "Start sweep")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = button("&Cancel", "Cancel sweep")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        row.addWidget(self.start_button)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self.usernames.returnPressed.connect(self.start)

        progress_row = QHBoxLayout()
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Sweep progress")
        self.bar.setValue(0)
        progress_row.addWidget(self.bar, 1)
        self.counts = QLabel()
        self.counts.setAccessibleName("Sweep counts")
        progress_row.addWidget(self.counts)
        layout.addLayout(progress_row)

        filters = QHBoxLayout()
        self.verdict = QComboBox()
        self.verdict.setAccessibleName("Verdict filter")
        for text, statuses in VERDICTS:
            self.verdict.addItem(text, statuses)
        self.search = QLineEdit()
        self.search.setAccessibleName("Filter sites")
        self.search.setPlaceholderText("Filter by site, username or category")
        self.search.setClearButtonEnabled(True)
        filters.addWidget(QLabel("Show:"))
        filters.addWidget(self.verdict)
        filters.addWidget(self.search, 1)
        layout.addLayout(filters)

        self.model = ResultsModel()
        self.proxy = VerdictFilter()
        self.proxy.setSourceModel(self.model)
        self.table = table_view("Sweep results")
        self.table.setModel(self.proxy)
        header = self.table.horizontalHeader()
        for column, width in enumerate((170, 130, 120, 190, 80)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self.open_selected)
        self.table.selectionModel().currentRowChanged.connect(self.selection_changed)
        layout.addWidget(self.table, 1)

        actions = QHBoxLayout()
        self.mine_button = button("&Mine", "This profile is mine")
        self.mine_button.clicked.connect(self.claim_mine)
        self.not_mine_button = button("&Not mine", "This profile is not mine")
        self.not_mine_button.clicked.connect(self.claim_not_mine)
        self.undecided_button = button("Not &sure", "Not sure whose profile this is")
        self.undecided_button.clicked.connect(self.claim_undecided)
        self.open_button = button("&Open profile page", "Open the profile page")
        self.open_button.clicked.connect(self.open_selected)
        for widget in (self.mine_button, self.not_mine_button, self.undecided_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        actions.addWidget(self.open_button)
        layout.addLayout(actions)

        self.verdict.currentIndexChanged.connect(self.apply_filter)
        self.search.textChanged.connect(self.apply_filter)
        self.refresh()

    # -- loading
    def refresh(self) -> None:
        if self.job is not None:
            return  # the running sweep fills the table
        if not self.usernames.text().strip():
            self.usernames.setText(", ".join(get_profile(self.ctx.store).of("username")))
        rows = latest_results(self.ctx.store)
        self.model.set_rows(rows)
        self._show_counts(rows)
        self.apply_filter()

    def _show_counts(self, rows: list[dict[str, object]]) -> None:
        counts = SweepCounts(total=len(rows))
        for row in rows:
            counts.add(str(row["status"]))
        self.bar.setRange(0, max(counts.total, 1))
        self.bar.setValue(counts.done)
        self.counts.setText(
            f"{counts.found} found · {counts.missing} missing · {counts.unknown} unknown"
            if counts.total
            else "No sweep yet."
        )

    def apply_filter(self) -> None:
        self.proxy.set(tuple(self.verdict.currentData()), self.search.text())
        self.selection_changed()

    # -- the sweep
    def start(self) -> None:
        if self.job is not None:
            return
        try:
            names = [n for n in self.usernames.text().replace(",", " ").split() if n]
            if self.variants.isChecked():
                names += name_variants(get_profile(self.ctx.store).of("name"), names)
            if not names:
                raise InputError(
                    "Which username should footprint look for?",
                    hint="Type one or more usernames, separated by commas.",
                )
            names = check_usernames(names)
        except InputError as exc:
            report_failure(self, exc)
            return
        self.model.set_rows([r for r in self.model.rows if r["username"] not in names])
        self.bar.setRange(0, 0)
        self.counts.setText(f"Starting: {', '.join(names)}…")
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.job = self.ctx.run(
            f"Looking for {', '.join(names)}",
            SweepJob(self.ctx.home, names, self.catalog_files),
            changes=frozenset({SWEEPS, ACCOUNTS, FINDINGS}),
        )
        self.job.progress.connect(self.sweep_progress)
        self.job.succeeded.connect(self.sweep_done)
        self.job.failed.connect(self.sweep_failed)
        self.job.ended.connect(self.sweep_ended)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.counts.setText("Stopping… the verdicts so far are kept.")

    def sweep_progress(self, progress: Progress) -> None:
        if progress.items:
            self.model.add(progress.items)
        value = progress.value
        if isinstance(value, SweepProgress):
            self.bar.setRange(0, max(value.total, 1))
            self.bar.setValue(value.done)
            self.counts.setText(
                f"{value.done}/{value.total} · {value.found} found · {value.missing} missing · "
                f"{value.unknown} unknown"
            )

    def sweep_done(self, run: SweepRun) -> None:
        c = run.counts
        stopped = "Stopped" if run.cancelled else "Done"
        self.ctx.status.emit(
            f"{stopped}: {c.found} found, {c.missing} missing, {c.unknown} unknown "
            f"in {run.elapsed_s:.1f} s."
        )

    def sweep_failed(self, exc: object) -> None:
        report_failure(self, exc)

    def sweep_ended(self) -> None:
        self.job = None
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.refresh()

    # -- mine / not mine
    def selected(self) -> dict[str, object] | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        record = self.proxy.data(index, Qt.ItemDataRole.UserRole)
        return record if isinstance(record, dict) else None

    def selection_changed(self, *_args: object) -> None:
        record = self.selected()
        found = record is not None and record["status"] == "found"
        for widget in (self.mine_button, self.not_mine_button, self.undecided_button):
            widget.setEnabled(found and self.job is None)
        self.open_button.setEnabled(bool(record and record.get("url")))

    def _claim(self, claim: str) -> None:
        record = self.selected()
        if record is None:
            return
        site, username = str(record["site"]), str(record["username"])
        try:
            set_claim(self.ctx.store, site, username, claim)
        except Exception as exc:
            report_failure(self, exc)
            return
        self.model.set_claim(site, username, None if claim == "undecided" else claim)
        self.ctx.notify({ACCOUNTS})
        self.ctx.run("Checking", ScanJob(self.ctx.home), changes=frozenset({FINDINGS}))
        words = {"mine": "added to your accounts", "not_mine": "hidden", "undecided": "undecided"}
        self.ctx.status.emit(f"{site}: {words[claim]}.")

    def claim_mine(self) -> None:
        self._claim("mine")

    def claim_not_mine(self) -> None:
        self._claim("not_mine")

    def claim_undecided(self) -> None:
        self._claim("undecided")

    def open_selected(self, *_args: object) -> None:
        record = self.selected()
        if record and record.get("url"):
            open_url(str(record["url"]))
