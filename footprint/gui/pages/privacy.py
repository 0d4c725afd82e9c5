"""Privacy settings: per platform, each setting's current value, the safer value, and where to
change it.  Values footprint could not read can be confirmed by the person."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QInputDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from footprint.checklist.privacy import SettingStatus, confirm_setting, privacy_overview
from footprint.cleanup.actions import RunResult, automated_fix
from footprint.gui.common import (
    FINDINGS,
    SETTINGS,
    AppContext,
    ScanJob,
    button,
    heading,
    open_url,
    paragraph,
    report_failure,
    severity_color,
)
from footprint.gui.pages.cleanup import FIX_CHANGES, FixJob
from footprint.gui.worker import Job
from footprint.platforms import display_name

WORDS = {"true": "on", "false": "off"}


def shown(value: str) -> str:
    """A setting's value as people read it: on / off rather than true / false."""
    return WORDS.get(value.strip().lower(), value)


def status_text(status: SettingStatus) -> tuple[str, str]:
    """(symbol, words) for a setting's state."""
    if status.loose is None:
        return "?", "not known yet"
    if status.loose:
        return "✗", "loose"
    return "✓", "as recommended"


class PrivacyPage(QWidget):
    title = "Privacy settings"
    watches = frozenset({SETTINGS, FINDINGS})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAccessibleName("Privacy settings")
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(heading("Privacy settings"))
        self.layout_.addWidget(
            paragraph(
                "Each setting that decides who sees your posts and profile, on the platforms "
                "you use: what it is now, what we recommend, and where to change it. Values come "
                "from your data exports; where footprint could not read one, open the page, "
                "look, and tell footprint what it shows.",
                "About privacy settings",
            )
        )
        self.boxes: list[QGroupBox] = []
        self.rows: dict[tuple[str, str], SettingStatus] = {}
        self.fix_job: Job | None = None
        self.refresh()

    def refresh(self) -> None:
        for box in self.boxes:
            self.layout_.removeWidget(box)
            box.deleteLater()
        self.boxes = []
        self.rows = {}
        overview = privacy_overview(self.ctx.store, self.ctx.rules)
        if not overview:
            box = QGroupBox("No platforms yet")
            QVBoxLayout(box).addWidget(
                QLabel("Import an export or confirm a found account first (Accounts page).")
            )
            self.boxes.append(box)
        for platform, statuses in sorted(overview.items()):
            box = QGroupBox(display_name(platform))
            box.setAccessibleName(f"{display_name(platform)} settings")
            grid = QGridLayout(box)
            grid.setColumnStretch(1, 1)
            for col, text in enumerate(("", "Setting", "Now", "Recommended", "", "")):
                if text:
                    grid.addWidget(QLabel(f"<b>{text}</b>"), 0, col)
            for r, status in enumerate(statuses, start=1):
                self._row(grid, r, platform, status)
            self.boxes.append(box)
        for box in self.boxes:
            self.layout_.addWidget(box)
        self.layout_.addStretch(0)

    def _row(self, grid: QGridLayout, r: int, platform: str, status: SettingStatus) -> None:
        rule = status.rule
        symbol, words = status_text(status)
        mark = QLabel(symbol)
        mark.setAccessibleName(words)
        if status.loose:
            mark.setStyleSheet(f"color: {severity_color(rule.severity).name()}; font-weight: 600")
        grid.addWidget(mark, r, 0)
        title = rule.name
        what = QLabel(
            f"{html.escape(title)}<br><small>{html.escape(rule.exposes)}</small>"
            if status.loose
            else html.escape(title)
        )
        what.setWordWrap(True)
        what.setToolTip(rule.exposes)
        what.setAccessibleName(title)
        grid.addWidget(what, r, 1)
        now = (
            f"{html.escape(shown(status.value))} "
            f"<small>({html.escape(status.source_label)})</small>"
            if status.value is not None
            else "<i>not known</i>"
        )
        now_label = QLabel(now)
        now_label.setAccessibleName(f"{title}: now {status.value or 'not known'}")
        grid.addWidget(now_label, r, 2)
        grid.addWidget(QLabel(html.escape(shown(rule.safe))), r, 3)
        key = f"{platform}\x1f{rule.key}"
        self.rows[(platform, rule.key)] = status
        open_button = button("Open", f"Open the {title} setting", status.link)
        open_button.setProperty("setting", key)
        open_button.clicked.connect(self.open_setting)
        grid.addWidget(open_button, r, 4)
        tell = button("Tell footprint…", f"Tell footprint what {title} shows")
        tell.setProperty("setting", key)
        tell.clicked.connect(self.confirm)
        grid.addWidget(tell, r, 5)
        fix = status.finding_id is not None and automated_fix(self.ctx.store, status.finding_id)
        if fix:
            fix_button = button("Fix", f"Let footprint fix {title}", fix)
            fix_button.setProperty("setting", key)
            fix_button.clicked.connect(self.fix)
            fix_button.setEnabled(self.fix_job is None)
            grid.addWidget(fix_button, r, 6)
        grid.setRowMinimumHeight(r, 28)
        grid.setAlignment(Qt.AlignmentFlag.AlignTop)

    def _status(self) -> tuple[str, SettingStatus] | None:
        key = str(self.sender().property("setting") or "")
        platform, _, name = key.partition("\x1f")
        status = self.rows.get((platform, name))
        return (platform, status) if status else None

    def fix(self) -> None:
        found = self._status()
        if not found or found[1].finding_id is None or self.fix_job is not None:
            return
        self.fix_job = self.ctx.run(
            f"Changing {found[1].rule.name}",
            FixJob(self.ctx.home, self.ctx.secrets, [found[1].finding_id]),
            changes=FIX_CHANGES,
        )
        self.fix_job.succeeded.connect(self.fix_done)
        self.fix_job.failed.connect(self.fix_failed)
        self.fix_job.ended.connect(self.fix_ended)

    def fix_done(self, result: RunResult) -> None:
        if result.verified:
            self.ctx.status.emit("Changed, and the platform confirms the new value.")
        elif result.errors:
            self.ctx.status.emit(f"Not changed: {result.errors[0]}")
        else:
            self.ctx.status.emit("Queued: it runs when the platform's limit allows.")

    def fix_failed(self, exc: object) -> None:
        report_failure(self, exc)

    def fix_ended(self) -> None:
        self.fix_job = None
        self.refresh()  # the Fix buttons come back (and the value shown is the new one)

    def open_setting(self) -> None:
        found = self._status()
        if found:
            open_url(found[1].link)

    def confirm(self) -> None:
        found = self._status()
        if not found:
            return
        platform, status = found
        rule = status.rule
        values = list(dict.fromkeys([rule.safe, *rule.loose]))
        choices = [shown(v) for v in values]
        current = values.index(status.value) if status.value in values else 0
        picked, ok = QInputDialog.getItem(
            self,
            "What does the setting show?",
            f"{rule.name}\n\nOpen the page, look at the setting, and pick what it shows now:",
            choices,
            current,
            False,
        )
        if not ok:
            return
        value = values[choices.index(picked)]
        try:
            confirm_setting(self.ctx.store, platform, rule.key, value)
        except Exception as exc:
            report_failure(self, exc)
            return
        self.ctx.run("Checking", ScanJob(self.ctx.home), changes=frozenset({FINDINGS, SETTINGS}))
        self.ctx.status.emit(f"Recorded: {rule.name} = {picked}.")
