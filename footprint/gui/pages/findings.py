"""Findings: a paged table over the store, filters and search, and a detail pane to act on one.

The model holds only the ordered ids of the findings the filter selects and reads the
columns of the rows on screen in blocks, so 100,000 findings scroll like 100.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from footprint.checklist.findings import (
    STATES,
    Finding,
    FindingFilter,
    FindingRow,
    finding_facets,
    finding_ids,
    finding_rows,
    get_finding,
    item_text,
    set_state,
    snooze,
)
from footprint.checklist.rules import SEVERITIES
from footprint.gui.common import (
    FINDINGS,
    AppContext,
    TableModel,
    button,
    heading,
    open_url,
    report_failure,
    severity_color,
    short_date,
    table_view,
)
from footprint.platforms import display_name

COLUMNS = ("Severity", "Finding", "Where", "Date", "State", "Evidence")
BLOCK = 200
CACHE_ROWS = 5000
STATE_CHOICES = (
    ("To look at", ("open", "in_progress")),
    ("Fixed", ("done", "verified")),
    ("Dismissed", ("dismissed",)),
    ("Snoozed", ("snoozed",)),
    ("All", STATES),
)
STATE_LABELS = {
    "open": "open",
    "in_progress": "in progress",
    "done": "fixed",
    "verified": "fixed, verified",
    "dismissed": "dismissed",
    "snoozed": "snoozed",
}
PERIODS = (
    ("Any time", None, None),
    ("Past 12 months", 365, None),
    ("Past 3 years", 3 * 365, None),
    ("More than 3 years ago", None, 3 * 365),
    ("More than 10 years ago", None, 10 * 365),
)
SNOOZES = (("For a week", 7), ("For a month", 30), ("For 3 months", 91))


class FindingsModel(TableModel):
    """The findings a :class:`FindingFilter` selects, most serious first; rows read in blocks."""

    COLUMNS = COLUMNS

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.ids: list[int] = []
        self.cache: OrderedDict[int, FindingRow] = OrderedDict()
        self.blocks_read = 0
        self.filter = FindingFilter()

    def set_filter(self, flt: FindingFilter) -> None:
        self.beginResetModel()
        self.filter = flt
        self.ids = finding_ids(self.ctx.store, flt)
        self.cache.clear()
        self.endResetModel()

    def reload(self) -> None:
        self.set_filter(self.filter)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def row(self, n: int) -> FindingRow | None:
        if not 0 <= n < len(self.ids):
            return None
        fid = self.ids[n]
        found = self.cache.get(fid)
        if found is None:
            start = (n // BLOCK) * BLOCK
            block = self.ids[start : start + BLOCK]
            rows = finding_rows(self.ctx.store, block)
            self.blocks_read += 1
            for key in block:
                if key in rows:
                    self.cache[key] = rows[key]
            while len(self.cache) > CACHE_ROWS:
                self.cache.popitem(last=False)
            found = self.cache.get(fid)
        return found

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row = self.row(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.severity
            if column == 1:
                return row.title
            if column == 2:
                return row.where
            if column == 3:
                return short_date(row.date)
            if column == 4:
                return STATE_LABELS.get(row.state, row.state)
            return row.excerpt
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            return severity_color(row.severity)
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 5):
            return row.excerpt
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def index_of(self, finding_id: int) -> QModelIndex:
        try:
            return self.index(self.ids.index(finding_id), 0)
        except ValueError:
            return QModelIndex()


def mark(text: str) -> str:
    """Matched words: dark on yellow on either palette (QTextBrowser ignores <mark>)."""
    return (
        "<span style='background-color:#ffd54f; color:#000000; font-weight:600'>"
        f"{html.escape(text)}</span>"
    )


def evidence_html(finding: Finding, text: str | None) -> str:
    """The post with every matched span marked, or the evidence excerpts without a post."""
    spans = [
        (int(e["start"]), int(e["end"]))
        for e in finding.evidence
        if e.get("field") == "text" and isinstance(e.get("start"), int) and text
    ]
    if text and spans:
        out, last = [], 0
        for start, end in sorted(spans):
            if start < last or end > len(text):
                continue
            out.append(html.escape(text[last:start]))
            out.append(mark(text[start:end]))
            last = end
        out.append(html.escape(text[last:]))
        return "<p style='white-space:pre-wrap'>" + "".join(out) + "</p>"
    parts = []
    for span in finding.evidence:
        excerpt = span.get("excerpt") or span.get("match") or ""
        match = str(span.get("match") or "")
        shown = html.escape(str(excerpt))
        if match and match in str(excerpt):
            shown = shown.replace(html.escape(match), mark(match), 1)
        parts.append(f"<p>{shown}</p>")
    return "".join(parts) or "<p>(no text)</p>"


class FindingsPage(QWidget):
    title = "Findings"
    watches = frozenset({FINDINGS})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAccessibleName("Findings")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Findings"))

        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search findings and posts")
        self.search.setAccessibleName("Search findings")
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 2)
        self.platform = self._combo("Platform filter")
        self.category = self._combo("Category filter")
        self.severity = self._combo("Severity filter")
        self.severity.addItem("Any severity", None)
        for severity in reversed(SEVERITIES[1:]):
            self.severity.addItem(f"{severity.capitalize()} or worse", severity)
        self.state = self._combo("State filter")
        for label, states in STATE_CHOICES:
            self.state.addItem(label, states)
        self.period = self._combo("Date filter")
        for label, since, until in PERIODS:
            self.period.addItem(label, (since, until))
        for combo in (self.platform, self.category, self.severity, self.state, self.period):
            bar.addWidget(combo, 1)
        layout.addLayout(bar)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("How many findings are shown")
        layout.addWidget(self.count_label)

        self.model = FindingsModel(ctx)
        self.table = table_view("Findings list")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        for column, width in enumerate((80, 300, 110, 90, 90)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self.current_changed)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        self.detail = QTextBrowser()
        self.detail.setAccessibleName("Finding details")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self.link_clicked)
        detail_layout.addWidget(self.detail, 1)
        actions = QHBoxLayout()
        self.open_button = button("&Open", "Open the post or page", "Opens it in your browser")
        self.open_button.clicked.connect(self.open_current)
        self.fixed_button = button("Mark &fixed", "Mark fixed")
        self.fixed_button.clicked.connect(self.mark_fixed)
        self.dismiss_button = button("&Dismiss…", "Dismiss with a reason")
        self.dismiss_button.clicked.connect(self.dismiss_current)
        self.snooze_button = QToolButton()
        self.snooze_button.setText("&Snooze")
        self.snooze_button.setAccessibleName("Snooze")
        self.snooze_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.snooze_button)
        for label, days in SNOOZES:
            action = menu.addAction(label)
            action.setData(days)
        menu.triggered.connect(self.snooze_current)
        self.snooze_button.setMenu(menu)
        self.reopen_button = button("&Reopen", "Reopen")
        self.reopen_button.clicked.connect(self.reopen_current)
        self.action_buttons = (
            self.open_button,
            self.fixed_button,
            self.dismiss_button,
            self.snooze_button,
            self.reopen_button,
        )
        for widget in self.action_buttons:
            actions.addWidget(widget)
        actions.addStretch(1)
        detail_layout.addLayout(actions)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        for combo in (self.platform, self.category, self.severity, self.state, self.period):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.current: Finding | None = None
        self.refresh()

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        return combo

    # -- loading
    def refresh(self) -> None:
        facets = finding_facets(self.ctx.store)
        categories = self.ctx.rules.categories
        for combo, label, values, names in (
            (self.platform, "All platforms", facets["platforms"], display_name),
            (
                self.category,
                "All categories",
                facets["categories"],
                lambda c: categories[c].name if c in categories else c,
            ),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(label, None)
            for value in values:
                combo.addItem(names(value), value)
            found = combo.findData(chosen)
            combo.setCurrentIndex(max(found, 0))
            combo.blockSignals(False)
        self.apply_filter()

    def current_filter(self) -> FindingFilter:
        since_days, until_days = self.period.currentData() or (None, None)
        now = datetime.now(UTC)
        return FindingFilter(
            states=tuple(self.state.currentData() or ()),
            platform=self.platform.currentData(),
            category=self.category.currentData(),
            min_severity=self.severity.currentData(),
            since=(now - timedelta(days=since_days)).strftime("%Y-%m-%d") if since_days else None,
            until=(now - timedelta(days=until_days)).strftime("%Y-%m-%d") if until_days else None,
            search=self.search.text().strip(),
        )

    def apply_filter(self) -> None:
        keep = self.current.id if self.current else None
        self.model.set_filter(self.current_filter())
        n = self.model.rowCount()
        self.count_label.setText(f"{n:,} finding{'s' if n != 1 else ''}")
        target = self.model.index_of(keep) if keep is not None else QModelIndex()
        if not target.isValid() and n:
            target = self.model.index(0, 0)
        if target.isValid():
            self.select(target)
        else:
            self.show_finding(None)

    def select(self, index: QModelIndex) -> None:
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def show_target(self, finding_id: object) -> None:
        """Select a finding (from the dashboard): widen the filter if it hides it."""
        if not isinstance(finding_id, int):
            return
        index = self.model.index_of(finding_id)
        if not index.isValid():
            for combo in (self.platform, self.category, self.severity, self.period):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self.state.blockSignals(True)
            self.state.setCurrentIndex(len(STATE_CHOICES) - 1)
            self.state.blockSignals(False)
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.model.set_filter(self.current_filter())
            index = self.model.index_of(finding_id)
        if index.isValid():
            self.select(index)
            self.table.setFocus()

    def current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        fid = self.model.data(current, Qt.ItemDataRole.UserRole) if current.isValid() else None
        self.show_finding(get_finding(self.ctx.store, fid) if fid is not None else None)

    def show_finding(self, finding: Finding | None) -> None:
        self.current = finding
        for widget in self.action_buttons:
            widget.setEnabled(finding is not None)
        if finding is None:
            self.detail.setHtml("<p>Select a finding to see its evidence.</p>")
            return
        self.open_button.setEnabled(bool(finding.link))
        active = finding.state in ("open", "in_progress")
        self.fixed_button.setEnabled(active)
        self.dismiss_button.setEnabled(active)
        self.snooze_button.setEnabled(active)
        self.reopen_button.setEnabled(not active)
        categories = self.ctx.rules.categories
        category = categories[finding.category].name if finding.category in categories else ""
        where = display_name(finding.platform) if finding.platform else ""
        facts = [finding.severity, category or finding.category, where]
        if finding.item_created_at:
            facts.append(f"posted {short_date(finding.item_created_at)}")
        if finding.visibility:
            facts.append(f"visible to: {finding.visibility}")
        state = STATE_LABELS.get(finding.state, finding.state)
        if finding.state_reason:
            state += f" ({finding.state_reason})"
        link = finding.link
        parts = [
            f"<h2>{html.escape(finding.title or finding.rule)}</h2>",
            f"<p>{html.escape(' · '.join(f for f in facts if f))}<br>State: "
            f"{html.escape(state)}</p>",
            "<h3>What was found</h3>",
            evidence_html(finding, item_text(self.ctx.store, finding.id)),
        ]
        if finding.why:
            parts += ["<h3>Why it matters</h3>", f"<p>{html.escape(finding.why)}</p>"]
        if link:
            parts.append(f"<p><a href='{html.escape(link)}'>{html.escape(link)}</a></p>")
        self.detail.setHtml("".join(parts))

    # -- actions
    def link_clicked(self, url: Any) -> None:
        open_url(url.toString())

    def open_current(self) -> None:
        if self.current and (link := self.current.link):
            open_url(link)

    def _change(self, state: str, **kwargs: Any) -> None:
        if self.current is None:
            return
        try:
            if state == "snoozed":
                snooze(self.ctx.store, self.current.id, kwargs["until"])
            else:
                set_state(self.ctx.store, self.current.id, state, reason=kwargs.get("reason"))
        except Exception as exc:
            report_failure(self, exc)
            return
        row = self.table.currentIndex().row()
        self.current = None
        self.ctx.notify({FINDINGS})  # reloads this page (and the dashboard when shown)
        if self.model.rowCount():
            target = self.model.index(min(row, self.model.rowCount() - 1), 0)
            self.table.setCurrentIndex(target)

    def mark_fixed(self) -> None:
        self._change("done")
        self.ctx.status.emit("Marked fixed. A later check confirms it when it can.")

    def dismiss_current(self) -> None:
        reason, ok = QInputDialog.getText(
            self,
            "Dismiss finding",
            "Why is this not a problem? (kept with the finding; later scans respect it)",
        )
        if ok and reason.strip():
            self._change("dismissed", reason=reason.strip())

    def snooze_current(self, action: Any) -> None:
        days = int(action.data())
        until = (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d")
        self._change("snoozed", until=until)
        self.ctx.status.emit(f"Snoozed until {until}.")

    def reopen_current(self) -> None:
        self._change("open")
