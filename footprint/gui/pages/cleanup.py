"""Cleanup: the walk-through, one finding at a time, most serious first, with overall progress."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QSpinBox,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
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
from footprint.cleanup.actions import (
    DELETES_ON,
    KeepRules,
    RunResult,
    automated_fix,
    counts,
    drop_actions,
    estimate_seconds,
    plan_bulk,
    plan_findings,
    queue_actions,
    run_queue,
)
from footprint.cleanup.directory import (
    broker_states,
    found_accounts,
    load_brokers,
    mark_broker,
    render_letter,
)
from footprint.cleanup.manual import (
    TaskStatus,
    mark_done,
    mark_todo,
    refresh_verification,
    tasks_for,
)
from footprint.cleanup.walkthrough import steps_for, walkthrough_progress
from footprint.gui.common import (
    ACCOUNTS,
    FINDINGS,
    ITEMS,
    PROFILE,
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
from footprint.gui.pages.findings import evidence_html
from footprint.gui.worker import Job, Reporter
from footprint.net import options_from_store
from footprint.platforms import display_name
from footprint.progress import CancelToken
from footprint.secrets import SecretStore
from footprint.store import Store
from footprint.store.profile import get_profile

FIX_CHANGES = frozenset({FINDINGS, ITEMS, SETTINGS})


class FixJob:
    """Run automated fixes on the worker (backup, fix, confirm): those of ``finding_ids``
    (planned and queued here, the person having confirmed), the reviewed actions
    ``action_ids``, or, with neither, everything already queued."""

    def __init__(
        self,
        home: Path,
        secrets: SecretStore,
        finding_ids: list[int],
        *,
        wait: bool = False,
        action_ids: list[int] | None = None,
    ) -> None:
        self.home = home
        self.secrets = secrets
        self.finding_ids = finding_ids
        self.wait = wait
        self.action_ids = action_ids

    async def __call__(self, reporter: Reporter, cancel: CancelToken) -> RunResult:
        with Store.open(self.home) as store:
            only = self.action_ids
            if self.finding_ids:
                only, _ = plan_findings(store, self.finding_ids)
            if only is not None:
                queue_actions(store, only)

            def progress(p: object) -> None:
                reporter.report(getattr(p, "last", "") or "Fixing…")

            return await run_queue(
                store,
                self.secrets,
                options=options_from_store(store),
                progress=progress,
                token=cancel,
                wait=self.wait,
                only=only,
            )


class BulkPlanJob:
    """Plan a bulk deletion on the worker; returns the planned action ids."""

    def __init__(self, home: Path, platform: str, keep: KeepRules) -> None:
        self.home = home
        self.platform = platform
        self.keep = keep

    def __call__(self, reporter: Reporter, cancel: CancelToken) -> list[int]:
        with Store.open(self.home) as store:
            return plan_bulk(store, self.platform, self.keep)


class BulkDialog(QDialog):
    """Keep rules for a bulk deletion: platform, age, what to keep."""

    def __init__(self, platforms: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete old posts")
        self.setAccessibleName("Delete old posts")
        form = QFormLayout(self)
        self.platform = QComboBox()
        self.platform.setAccessibleName("Platform")
        for platform in platforms:
            self.platform.addItem(display_name(platform), platform)
        form.addRow("&Platform:", self.platform)
        self.months = QSpinBox()
        self.months.setAccessibleName("Older than, in months")
        self.months.setRange(1, 600)
        self.months.setValue(24)
        self.months.setSuffix(" months")
        form.addRow("Older than:", self.months)
        self.keep_replies = QCheckBox("Keep &replies")
        form.addRow("", self.keep_replies)
        self.only_flagged = QCheckBox("Only posts with &findings")
        form.addRow("", self.only_flagged)
        self.min_likes = QSpinBox()
        self.min_likes.setAccessibleName("Keep posts with at least this many likes")
        self.min_likes.setRange(0, 1_000_000)
        self.min_likes.setSpecialValueText("no")
        form.addRow("Keep posts with at least this many likes:", self.min_likes)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Plan (nothing runs yet)")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def rules(self) -> KeepRules:
        return KeepRules(
            older_than_days=self.months.value() * 30,
            keep_replies=self.keep_replies.isChecked(),
            only_flagged=self.only_flagged.isChecked(),
            min_likes=self.min_likes.value() or None,
        )


class CleanupPage(QWidget):
    title = "Cleanup"
    watches = frozenset({FINDINGS, ACCOUNTS, PROFILE, SETTINGS})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.queue: list[int] = []
        self.position = 0
        self.fix_job: Job | None = None
        self.bulk_ids: list[int] = []
        self.bulk_platform = ""
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
        self.fix_button = button(
            "&Fix it for me…",
            "Fix it for me",
            "footprint does it through the platform's API, after a backup, and checks it",
        )
        self.fix_button.clicked.connect(self.fix_current)
        self.skip_button = button("&Skip →", "Skip to the next finding")
        self.skip_button.clicked.connect(self.skip)
        self.decisions = (self.done_button, self.dismiss_button, self.later_button)
        actions.addWidget(self.back_button)
        actions.addStretch(1)
        for widget in (self.open_button, self.fix_button, *self.decisions):
            actions.addWidget(widget)
        actions.addStretch(1)
        actions.addWidget(self.skip_button)
        step_layout.addLayout(actions)
        layout.addWidget(self.step_box, 1)
        queue_row = QHBoxLayout()
        self.queue_label = QLabel()
        self.queue_label.setAccessibleName("Automated fixes")
        self.queue_label.setWordWrap(True)
        self.run_button = button(
            "&Run queued fixes",
            "Run queued fixes",
            "Runs them at each platform's pace; you can quit and it continues next time",
        )
        self.run_button.clicked.connect(self.run_queued)
        self.bulk_button = button(
            "Delete &old posts…",
            "Delete old posts in bulk",
            "Plan deleting posts older than an age, with keep rules; you review it first",
        )
        self.bulk_button.clicked.connect(self.plan_bulk)
        queue_row.addWidget(self.queue_label, 1)
        queue_row.addWidget(self.bulk_button)
        queue_row.addWidget(self.run_button)
        layout.addLayout(queue_row)

        self.more = QTabWidget()
        self.more.setAccessibleName("More to clean up")
        tasks_box = QWidget()
        tasks_layout = QVBoxLayout(tasks_box)
        self.tasks = QListWidget()
        self.tasks.setAccessibleName("Tasks to do by hand")
        self.tasks.setToolTip("Tick a task when you have done it; double-click to open its page")
        self.tasks.itemChanged.connect(self.task_ticked)
        self.tasks.itemActivated.connect(self.task_opened)
        self.tasks.currentItemChanged.connect(self.task_selected)
        tasks_layout.addWidget(self.tasks)
        self.task_steps = paragraph("", "Steps of the selected task")
        tasks_layout.addWidget(self.task_steps)
        self.more.addTab(tasks_box, "By &hand")
        self.more.addTab(self._accounts_tab(), "Old &accounts")
        self.more.addTab(self._brokers_tab(), "&People-search sites")
        self.more.addTab(self._letters_tab(), "Deletion &letters")
        layout.addWidget(self.more)
        self.task_rows: list[TaskStatus] = []
        self.refresh()

    def _accounts_tab(self) -> QWidget:
        tab = QWidget()
        box = QVBoxLayout(tab)
        box.addWidget(
            paragraph(
                "Accounts a sweep found and you marked as yours. Delete the ones you no "
                "longer use: each line says where and how hard it is.",
                "About old accounts",
            )
        )
        self.old_accounts = QListWidget()
        self.old_accounts.setAccessibleName("Old accounts and how to delete them")
        self.old_accounts.setToolTip("Double-click to open the deletion page")
        self.old_accounts.itemActivated.connect(self.account_opened)
        # The notes are sentences: wrap them rather than scroll sideways.
        self.old_accounts.setWordWrap(True)
        self.old_accounts.setResizeMode(QListView.ResizeMode.Adjust)
        self.old_accounts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        box.addWidget(self.old_accounts)
        self.account_links: list[str] = []
        return tab

    def _brokers_tab(self) -> QWidget:
        tab = QWidget()
        box = QVBoxLayout(tab)
        box.addWidget(
            paragraph(
                "US people-search sites sell your address and phone number. Search for "
                "yourself first; opt out where you are listed, then tick it here.",
                "About people-search sites",
            )
        )
        self.brokers = QListWidget()
        self.brokers.setAccessibleName("People-search sites to opt out of")
        self.brokers.setToolTip("Tick when done; double-click to open the opt-out page")
        self.brokers.itemChanged.connect(self.broker_ticked)
        self.brokers.itemActivated.connect(self.broker_opened)
        box.addWidget(self.brokers)
        self.broker_list = load_brokers()
        return tab

    def _letters_tab(self) -> QWidget:
        tab = QWidget()
        box = QVBoxLayout(tab)
        row = QHBoxLayout()
        self.letter_company = QLineEdit()
        self.letter_company.setAccessibleName("Company the letter goes to")
        self.letter_company.setPlaceholderText("Company")
        self.letter_law = QComboBox()
        self.letter_law.setAccessibleName("Law")
        self.letter_law.addItem("GDPR (EU, UK): Article 17", "gdpr")
        self.letter_law.addItem("CCPA (California)", "ccpa")
        write = button("&Write the letter", "Write the deletion letter")
        write.clicked.connect(self.write_letter)
        row.addWidget(self.letter_company, 1)
        row.addWidget(self.letter_law)
        row.addWidget(write)
        box.addLayout(row)
        self.letter = QTextEdit()
        self.letter.setAccessibleName("The deletion request letter")
        self.letter.setPlaceholderText(
            "A letter asking the company to delete what it holds about you, filled in from "
            "your profile. Copy it into an email or the company's privacy form."
        )
        box.addWidget(self.letter)
        return tab

    def show_directory(self) -> None:
        self.old_accounts.clear()
        self.account_links = []
        for site, handle, url, guide in found_accounts(self.ctx.store):
            if guide is None:
                text = f"{site} ({handle}): no guide; look in the site's account settings"
                link = url or ""
            else:
                how = f"by email to {guide.email}" if guide.email else guide.difficulty
                text = f"{site} ({handle}): {how}. {guide.notes}"
                link = guide.url
            item = QListWidgetItem(text)
            item.setToolTip(link)
            self.old_accounts.addItem(item)
            self.account_links.append(link)
        done = broker_states(self.ctx.store)
        self.brokers.blockSignals(True)
        self.brokers.clear()
        for broker in self.broker_list:
            needs = f" (needs {', '.join(broker.needs)})" if broker.needs else ""
            item = QListWidgetItem(f"{broker.name}: {broker.priority}{needs}")
            item.setToolTip(broker.expect)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = broker.name in done
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.brokers.addItem(item)
        self.brokers.blockSignals(False)

    def account_opened(self, item: QListWidgetItem) -> None:
        row = self.old_accounts.row(item)
        if 0 <= row < len(self.account_links) and self.account_links[row]:
            open_url(self.account_links[row])

    def broker_ticked(self, item: QListWidgetItem) -> None:
        row = self.brokers.row(item)
        if not 0 <= row < len(self.broker_list):
            return
        try:
            mark_broker(
                self.ctx.store,
                self.broker_list[row].name,
                item.checkState() == Qt.CheckState.Checked,
            )
        except Exception as exc:
            report_failure(self, exc)

    def broker_opened(self, item: QListWidgetItem) -> None:
        row = self.brokers.row(item)
        if 0 <= row < len(self.broker_list):
            open_url(self.broker_list[row].optout_url)

    def write_letter(self) -> None:
        try:
            text = render_letter(
                self.letter_law.currentData(),
                self.letter_company.text(),
                get_profile(self.ctx.store),
            )
        except Exception as exc:
            report_failure(self, exc)
            return
        self.letter.setPlainText(text)

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
        self.show_queue()
        self.show_tasks()
        self.show_directory()
        self.show_current()

    def show_tasks(self) -> None:
        refresh_verification(self.ctx.store)
        self.task_rows = tasks_for(self.ctx.store)
        marks = {"todo": "", "done": "  (done)", "verified": "  (done, confirmed)"}
        self.tasks.blockSignals(True)
        self.tasks.clear()
        for status in self.task_rows:
            item = QListWidgetItem(
                f"{display_name(status.task.platform)}: {status.task.title}{marks[status.state]}"
            )
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = status.state != "todo"
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            item.setToolTip(status.task.why)
            self.tasks.addItem(item)
        self.tasks.blockSignals(False)

    def _task_at(self, item: QListWidgetItem | None) -> TaskStatus | None:
        row = self.tasks.row(item) if item is not None else -1
        return self.task_rows[row] if 0 <= row < len(self.task_rows) else None

    def task_ticked(self, item: QListWidgetItem) -> None:
        status = self._task_at(item)
        if status is None:
            return
        try:
            if item.checkState() == Qt.CheckState.Checked:
                mark_done(self.ctx.store, status.task.id)
            else:
                mark_todo(self.ctx.store, status.task.id)
        except Exception as exc:
            report_failure(self, exc)
        self.show_tasks()

    def task_selected(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        status = self._task_at(item)
        if status is None:
            self.task_steps.setText("")
            return
        steps = "".join(f"<li>{html.escape(step)}</li>" for step in status.task.steps)
        link = html.escape(status.link)
        self.task_steps.setText(
            f"<i>{html.escape(status.task.why)}</i><ol>{steps}</ol><a href='{link}'>{link}</a>"
        )

    def task_opened(self, item: QListWidgetItem) -> None:
        status = self._task_at(item)
        if status is not None:
            open_url(status.link)

    def show_queue(self) -> None:
        by_state = counts(self.ctx.store)
        waiting = by_state.get("queued", 0) + by_state.get("running", 0)
        parts = []
        if waiting:
            parts.append(f"{waiting} automated fix(es) waiting")
        if by_state.get("verified"):
            parts.append(f"{by_state['verified']} confirmed by the platform")
        if by_state.get("failed"):
            parts.append(f"{by_state['failed']} failed (see footprint cleanup status)")
        self.queue_label.setText("Automated fixes: " + ", ".join(parts) + "." if parts else "")
        self.run_button.setVisible(bool(waiting))
        self.run_button.setEnabled(self.fix_job is None)

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
            self.fix_button.setEnabled(False)
            self.fix_button.setToolTip("")
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
        self.fix_text = automated_fix(self.ctx.store, finding.id)
        self.fix_button.setEnabled(bool(self.fix_text) and self.fix_job is None)
        self.fix_button.setToolTip(self.fix_text or "No automated fix: follow the steps.")

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

    # -- automated fixes ---------------------------------------------------------------

    def fix_current(self) -> None:
        if self.current is None or not self.fix_text or self.fix_job is not None:
            return
        if not confirm(
            self,
            "Fix it for me",
            self.fix_text,
            "Do it",
            details="A copy is kept in footprint before anything is deleted. The platform's "
            "own limits set the pace; if one is reached, the fix waits in the queue.",
        ):
            return
        self.start_fixes([self.current.id], wait=False)

    def plan_bulk(self) -> None:
        platforms = sorted(
            {
                platform
                for (platform,) in self.ctx.store.conn.execute(
                    "SELECT platform FROM accounts WHERE connection = 'api' "
                    "AND secret_ref IS NOT NULL"
                )
                if platform in DELETES_ON
            }
        )
        if not platforms:
            self.ctx.status.emit(
                "Connect a Mastodon, Bluesky or Reddit account with a sign-in first "
                "(Accounts → Connect an account)."
            )
            return
        dialog = BulkDialog(platforms, self)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        keep, platform = dialog.rules(), dialog.platform.currentData()
        dialog.deleteLater()
        if not accepted or self.fix_job is not None:
            return
        self.bulk_platform = platform
        self.fix_job = self.ctx.run(
            "Planning the deletion",
            BulkPlanJob(self.ctx.home, platform, keep),
            changes=frozenset(),
        )
        self.fix_job.succeeded.connect(self.bulk_planned)
        self.fix_job.failed.connect(self.fixes_failed)
        self.fix_job.ended.connect(self.bulk_plan_ended)

    def bulk_planned(self, ids: list[int]) -> None:
        self.bulk_ids = ids

    def bulk_plan_ended(self) -> None:
        self.fix_job = None
        ids, self.bulk_ids = self.bulk_ids, []
        if not ids:
            self.show_queue()
            return
        took = estimate_seconds(self.bulk_platform, len(ids))
        name = display_name(self.bulk_platform)
        pace = f" At {name}'s limits this takes at least {took / 3600:.1f} h." if took else ""
        if confirm(
            self,
            "Delete old posts",
            f"{len(ids)} post(s) planned for deletion.{pace}",
            "Queue and run",
            details="Each post is backed up in footprint before it is deleted. You can quit "
            "at any time; the queue continues next time. Cancel drops this plan.",
        ):
            self.start_fixes([], wait=True, action_ids=ids)
        else:
            drop_actions(self.ctx.store, ids)
            self.show_queue()

    def run_queued(self) -> None:
        self.start_fixes([], wait=True)

    def start_fixes(
        self, finding_ids: list[int], *, wait: bool, action_ids: list[int] | None = None
    ) -> None:
        self.fix_job = self.ctx.run(
            "Fixing" if finding_ids else "Running queued fixes",
            FixJob(self.ctx.home, self.ctx.secrets, finding_ids, wait=wait, action_ids=action_ids),
            changes=FIX_CHANGES,
        )
        self.fix_button.setEnabled(False)
        self.run_button.setEnabled(False)
        self.fix_job.succeeded.connect(self.fixes_done)
        self.fix_job.failed.connect(self.fixes_failed)
        self.fix_job.ended.connect(self.fixes_ended)

    def fixes_done(self, result: RunResult) -> None:
        text = f"{result.verified} fix(es) confirmed by the platform"
        if result.left and result.next_at:
            text += f"; {result.left} wait for the platform's limit (next at {result.next_at})"
        if result.errors:
            text += f"; problem: {result.errors[0]}"
        self.ctx.status.emit(text + ".")

    def fixes_failed(self, exc: object) -> None:
        self.ctx.notify(FIX_CHANGES)
        report_failure(self, exc)

    def fixes_ended(self) -> None:
        self.fix_job = None
        self.show_queue()
        self.show_current()
