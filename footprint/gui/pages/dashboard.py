"""Dashboard: the score and what it means, its history, counts, and the next things to fix."""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from footprint.checklist.findings import (
    FindingFilter,
    counts_by_category,
    finding_ids,
    finding_rows,
    severity_counts,
)
from footprint.checklist.score import compute_score, history
from footprint.gui.common import (
    FINDINGS,
    AppContext,
    ScanJob,
    button,
    heading,
    paragraph,
    report_failure,
    severity_color,
    severity_label,
)


class ScoreChart(QWidget):
    """The score after every scan, as a line over time (0-100), drawn with QPainter."""

    def __init__(self) -> None:
        super().__init__()
        self.points: list[tuple[datetime, int]] = []
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Score history chart")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def set_history(self, rows: list[tuple[str, int]]) -> None:
        points = []
        for taken, value in rows:
            try:
                points.append((datetime.fromisoformat(taken.replace("Z", "+00:00")), value))
            except ValueError:
                continue
        self.points = points
        if points:
            first, last = points[0], points[-1]
            self.setAccessibleDescription(
                f"{len(points)} scores from {first[0]:%d %b %Y} ({first[1]}) "
                f"to {last[0]:%d %b %Y} ({last[1]})"
            )
        else:
            self.setAccessibleDescription("No scores yet")
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 190)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        grid = QColor(text)
        grid.setAlpha(50)
        metrics = painter.fontMetrics()
        left = metrics.horizontalAdvance("100") + 10
        area = QRectF(left, 8, self.width() - left - 12, self.height() - metrics.height() - 20)
        painter.setPen(QPen(grid, 1))
        for value in (0, 25, 50, 75, 100):
            y = area.bottom() - area.height() * value / 100
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y - metrics.height() / 2, left - 6, metrics.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                str(value),
            )
            painter.setPen(QPen(grid, 1))
        if not self.points:
            painter.setPen(text)
            painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter), "No scores yet")
            return
        start = self.points[0][0].timestamp()
        span = max(self.points[-1][0].timestamp() - start, 1.0)

        def at(when: datetime, value: int) -> QPointF:
            x = area.left() + area.width() * ((when.timestamp() - start) / span)
            if len(self.points) == 1:
                x = area.center().x()
            return QPointF(x, area.bottom() - area.height() * value / 100)

        accent = pal.color(QPalette.ColorRole.Highlight)
        path = QPainterPath()
        for n, (when, value) in enumerate(self.points):
            point = at(when, value)
            if n == 0:
                path.moveTo(point)
            else:
                path.lineTo(point)
        painter.setPen(QPen(accent, 2.5))
        painter.drawPath(path)
        painter.setBrush(accent)
        for when, value in self.points:
            painter.drawEllipse(at(when, value), 3.5, 3.5)
        painter.setPen(text)
        first, last = self.points[0][0], self.points[-1][0]
        baseline = QRectF(area.left(), area.bottom() + 6, area.width(), metrics.height())
        painter.drawText(baseline, int(Qt.AlignmentFlag.AlignLeft), f"{first:%d %b %Y}")
        if len(self.points) > 1:
            painter.drawText(baseline, int(Qt.AlignmentFlag.AlignRight), f"{last:%d %b %Y}")


class DashboardPage(QWidget):
    title = "Dashboard"
    watches = frozenset({FINDINGS})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAccessibleName("Dashboard")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Your footprint"))
        if ctx.demo:
            banner = paragraph(
                "This is the <b>demo profile</b> of a fictional person, Jordan Reyes. Nothing "
                "here is real, and nothing you do here touches your own data.",
                "Demo profile notice",
            )
            banner.setObjectName("demoBanner")
            banner.setFrameShape(QFrame.Shape.StyledPanel)
            banner.setMargin(8)
            layout.addWidget(banner)

        top = QHBoxLayout()
        score_box = QGroupBox("Footprint score")
        score_layout = QVBoxLayout(score_box)
        self.score_label = QLabel()
        self.score_label.setAccessibleName("Footprint score")
        self.score_label.setTextFormat(Qt.TextFormat.RichText)
        score_layout.addWidget(self.score_label)
        self.explanation = paragraph("", "What the score means")
        score_layout.addWidget(self.explanation)
        self.rescan = button(
            "Check everything again", tip="Runs the checklist over everything footprint holds"
        )
        self.rescan.clicked.connect(self.run_scan)
        score_layout.addWidget(self.rescan, alignment=Qt.AlignmentFlag.AlignLeft)
        score_layout.addStretch(1)
        top.addWidget(score_box, 2)
        chart_box = QGroupBox("Score over time")
        self.chart = ScoreChart()
        QVBoxLayout(chart_box).addWidget(self.chart)
        top.addWidget(chart_box, 3)
        layout.addLayout(top)

        middle = QHBoxLayout()
        severity_box = QGroupBox("Open findings by severity")
        self.severity_grid = QGridLayout(severity_box)
        middle.addWidget(severity_box, 1)
        category_box = QGroupBox("By category")
        self.category_grid = QGridLayout(category_box)
        middle.addWidget(category_box, 2)
        layout.addLayout(middle)

        next_box = QGroupBox("Next things to fix")
        next_layout = QVBoxLayout(next_box)
        self.next_list = QListWidget()
        self.next_list.setAccessibleName("Next things to fix")
        self.next_list.setAlternatingRowColors(True)
        self.next_list.itemActivated.connect(self.open_finding)
        next_layout.addWidget(self.next_list)
        hint = QLabel("Press Enter or double-click to see a finding's evidence and fix it.")
        hint.setEnabled(False)
        next_layout.addWidget(hint)
        layout.addWidget(next_box, 1)
        self.refresh()

    def refresh(self) -> None:
        store = self.ctx.store
        score = compute_score(store, self.ctx.rules)
        self.score_label.setText(
            f"<span style='font-size:34pt; font-weight:600'>{score.value}</span>"
            f"<span style='font-size:14pt'> / 100 — {html.escape(score.band)}</span>"
        )
        self.score_label.setAccessibleDescription(f"{score.value} out of 100, {score.band}")
        self.explanation.setText("<br>".join(html.escape(line) for line in score.explanation[1:]))
        self.chart.set_history(history(store))

        _clear(self.severity_grid)
        for row, (severity, count) in enumerate(severity_counts(store).items()):
            swatch = QLabel("●")
            swatch.setStyleSheet(f"color: {severity_color(severity).name()}")
            swatch.setAccessibleName(severity)
            self.severity_grid.addWidget(swatch, row, 0)
            self.severity_grid.addWidget(QLabel(severity_label(severity).capitalize()), row, 1)
            number = QLabel(str(count))
            number.setAccessibleName(f"{severity}: {count}")
            self.severity_grid.addWidget(number, row, 2, Qt.AlignmentFlag.AlignRight)

        _clear(self.category_grid)
        categories = self.ctx.rules.categories
        items = list(counts_by_category(store).items())
        columns = 2
        for n, (category, count) in enumerate(items):
            name = categories[category].name if category in categories else category
            label = QLabel(f"{html.escape(name)}: <b>{count}</b>")
            label.setAccessibleName(f"{name}: {count}")
            self.category_grid.addWidget(label, n // columns, n % columns)
        if not items:
            self.category_grid.addWidget(QLabel("Nothing open."), 0, 0)

        self.next_list.clear()
        ids = finding_ids(store, FindingFilter(min_severity="low"))[:8]
        rows = finding_rows(store, ids)
        for fid in ids:
            finding = rows[fid]
            where = finding.where
            text = f"{finding.severity.upper()} · {finding.title}" + (
                f" — {where}" if where else ""
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, fid)
            item.setForeground(severity_color(finding.severity))
            item.setToolTip(finding.excerpt)
            self.next_list.addItem(item)
        if not ids:
            self.next_list.addItem("Nothing to fix right now.")

    def open_finding(self, item: QListWidgetItem) -> None:
        fid = item.data(Qt.ItemDataRole.UserRole)
        if fid is not None:
            self.ctx.navigate.emit("findings", fid)

    def run_scan(self) -> None:
        self.rescan.setEnabled(False)
        job = self.ctx.run(
            "Checking everything", ScanJob(self.ctx.home, full=True), changes=frozenset({FINDINGS})
        )
        job.failed.connect(self.scan_failed)
        job.ended.connect(self.scan_ended)

    def scan_failed(self, exc: object) -> None:
        report_failure(self, exc)

    def scan_ended(self) -> None:
        self.rescan.setEnabled(True)


def _clear(layout: QGridLayout) -> None:
    while layout.count():
        child = layout.takeAt(0)
        widget = child.widget() if child is not None else None
        if widget is not None:
            widget.deleteLater()
