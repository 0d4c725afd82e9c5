"""Cleanup: the walk-through, one finding at a time, most serious first, with overall progress."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from footprint.checklist.findings import (
    Finding,
    FindingFilter,
    finding_ids,
    get_finding,
    item_text,
    set_state,
    snooze,
)
from footprint.cleanup.walkthrough import steps_for, walkthrough_progress
from footprint.gui.common import (
    FINDINGS,
    AppContext,
    button,
    heading,
    open_url,
    paragraph,
    report_failure,
    short_date,
)
from footprint.gui.pages.findings import evidence_html
from footprint.platforms import display_name


class CleanupPage(QWidget):
    title = "Cleanup"
    watches = frozenset({FINDINGS})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.queue: list[int] = []
        self.position = 0
        self.current: Finding | None = None
        self.setAccessibleName("Cleanup")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Clean up, step by step"))
        layout.addWidget(
            paragraph(
                "One finding at a time, the most serious first. Open it, follow the steps, "
                "and say when it is done; or dismiss it if it is fine as it is. You can stop "
                "at any time: your progress is kept.",
                "About the walk-through",
            )
        )
        overall = QHBoxLayout()
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Overall cleanup progress")
        self.bar.setFormat("%v of %m handled")
        overall.addWidget(self.bar, 1)
        self.summary = QLabel()
        self.summary.setAccessibleName("Cleanup summary")
        overall.addWidget(self.summary)
        layout.addLayout(overall)

        self.step_box = QGroupBox()
        step_layout = QVBoxLayout(self.step_box)
        self.position_label = QLabel()
        self.position_label.setAccessibleName("Position in the walk-through")
        step_layout.addWidget(self.position_label)
        self.detail = QTextBrowser()
        self.detail.setAccessibleName("The finding and the steps to fix it")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self.link_clicked)
        self.detail.setMinimumHeight(320)
        step_layout.addWidget(self.detail, 1)
        actions = QHBoxLayout()
        self.back_button = button("← &Back", "Previous finding")
        self.back_button.clicked.connect(self.back)
        self.open_button = button("&Open it", "Open the post or page in your browser")
        self.open_button.clicked.connect(self.open_current)
        self.done_button = button("&I fixed it", "I fixed it")
        self.done_button.clicked.connect(self.mark_done)
        self.dismiss_button = button("&Dismiss…", "Dismiss with a reason")
        self.dismiss_button.clicked.connect(self.dismiss_current)
        self.later_button = button("Remind me in a &month", "Snooze for a month")
        self.later_button.clicked.connect(self.later)
        self.skip_button = button("&Skip →", "Skip to the next finding")
        self.skip_button.clicked.connect(self.skip)
        self.decisions = (self.done_button, self.dismiss_button, self.later_button)
        actions.addWidget(self.back_button)
        actions.addStretch(1)
        for widget in (self.open_button, *self.decisions):
            actions.addWidget(widget)
        actions.addStretch(1)
        actions.addWidget(self.skip_button)
        step_layout.addLayout(actions)
        layout.addWidget(self.step_box, 1)
        self.refresh()

    def refresh(self) -> None:
        keep = self.current.id if self.current else None
        self.queue = finding_ids(self.ctx.store, FindingFilter(min_severity="low"))
        progress = walkthrough_progress(self.ctx.store)
        self.bar.setRange(0, max(progress.total, 1))
        self.bar.setValue(progress.handled)
        self.summary.setText(
            f"{progress.open} to go" + (f", {progress.snoozed} snoozed" if progress.snoozed else "")
        )
        if keep in self.queue:
            self.position = self.queue.index(keep)
        self.position = min(self.position, max(len(self.queue) - 1, 0))
        self.show_current()

    def show_current(self) -> None:
        if not self.queue:
            self.current = None
            self.position_label.setText("")
            self.step_box.setTitle("All done")
            self.detail.setHtml(
                "<h2>Nothing left to fix</h2><p>Every finding is fixed, dismissed or snoozed. "
                "Check again after your next import or sweep.</p>"
            )
            for widget in (self.back_button, self.open_button, self.skip_button, *self.decisions):
                widget.setEnabled(False)
            return
        finding = get_finding(self.ctx.store, self.queue[self.position])
        self.current = finding
        self.step_box.setTitle(finding.title or finding.rule)
        self.position_label.setText(f"Finding {self.position + 1} of {len(self.queue)}")
        steps = steps_for(finding, self.ctx.rules)
        link = finding.link
        where = display_name(finding.platform) if finding.platform else ""
        facts = [finding.severity, where]
        if finding.item_created_at:
            facts.append(f"posted {short_date(finding.item_created_at)}")
        parts = [
            f"<p>{html.escape(' · '.join(f for f in facts if f))}</p>",
            evidence_html(finding, item_text(self.ctx.store, finding.id)),
        ]
        if finding.why:
            parts.append(f"<p><i>{html.escape(finding.why)}</i></p>")
        parts.append("<h3>What to do</h3><ol>")
        parts += [f"<li>{html.escape(step)}</li>" for step in steps]
        parts.append("</ol>")
        if link:
            parts.append(f"<p><a href='{html.escape(link)}'>{html.escape(link)}</a></p>")
        self.detail.setHtml("".join(parts))
        self.open_button.setEnabled(bool(link))
        self.back_button.setEnabled(self.position > 0)
        self.skip_button.setEnabled(self.position < len(self.queue) - 1)
        for widget in self.decisions:
            widget.setEnabled(True)

    def link_clicked(self, url: object) -> None:
        open_url(str(getattr(url, "toString", lambda: "")()))

    def open_current(self) -> None:
        if self.current and (link := self.current.link):
            open_url(link)

    def back(self) -> None:
        if self.position > 0:
            self.position -= 1
            self.show_current()

    def skip(self) -> None:
        if self.position < len(self.queue) - 1:
            self.position += 1
            self.show_current()

    def _decide(self, state: str, reason: str | None = None, until: str | None = None) -> None:
        if self.current is None:
            return
        try:
            if state == "snoozed" and until:
                snooze(self.ctx.store, self.current.id, until)
            else:
                set_state(self.ctx.store, self.current.id, state, reason=reason)
        except Exception as exc:
            report_failure(self, exc)
            return
        self.current = None  # the next one moves up into this position
        self.ctx.notify({FINDINGS})

    def mark_done(self) -> None:
        self._decide("done")

    def dismiss_current(self) -> None:
        reason, ok = QInputDialog.getText(
            self, "Dismiss finding", "Why is this fine as it is? (kept with the finding)"
        )
        if ok and reason.strip():
            self._decide("dismissed", reason=reason.strip())

    def later(self) -> None:
        until = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d")
        self._decide("snoozed", until=until)
        self.ctx.status.emit(f"It comes back on {until}.")
