"""Exposure: breaches that hold the person's emails, a password check, what Gravatar shows
for each email, and the guided "search yourself" step.  Every network check runs on the
worker; the page only reads saved answers."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from footprint.checklist.scan import scan
from footprint.errors import KeyringUnavailableError
from footprint.exposure.checks import (
    EmailResult,
    cached_breaches,
    check_breaches,
    check_gravatar,
    check_password,
    forget_key,
    gravatar_key,
    key_status,
    latest_checks,
    profile_emails,
    save_key,
)
from footprint.exposure.hibp import KEY_PAGE, MONITOR_PAGE, SEARCH_PAGE, describe_classes
from footprint.exposure.search import Search, load_guide, planned_searches, record_search
from footprint.gui.common import (
    FINDINGS,
    PROFILE,
    AppContext,
    ScanJob,
    button,
    confirm,
    heading,
    open_url,
    paragraph,
    report_failure,
    short_date,
)
from footprint.gui.worker import Job, Reporter
from footprint.net import options_from_store
from footprint.progress import CancelToken
from footprint.secrets import SecretStore
from footprint.store import Store

EXPOSURE = "exposure"  # a change notice: saved exposure checks changed


class BreachJob:
    """Look up the profile's emails in Have I Been Pwned, then update the findings."""

    def __init__(self, home: Path, secrets: SecretStore) -> None:
        self.home = home
        self.secrets = secrets

    async def __call__(self, reporter: Reporter, cancel: CancelToken) -> list[EmailResult]:
        with Store.open(self.home) as store:
            try:
                return await check_breaches(
                    store,
                    self.secrets,
                    options=options_from_store(store),
                    progress=reporter.report,
                    token=cancel,
                )
            finally:
                scan(store)  # what was learned before a failure becomes findings too


class GravatarJob:
    """Look up the Gravatar profile of each email (with a connected account's key, if any)."""

    def __init__(self, home: Path, secrets: SecretStore) -> None:
        self.home = home
        self.secrets = secrets

    async def __call__(self, reporter: Reporter, cancel: CancelToken) -> list[EmailResult]:
        with Store.open(self.home) as store:
            try:
                return await check_gravatar(
                    store,
                    key=gravatar_key(store, self.secrets),
                    options=options_from_store(store),
                    progress=reporter.report,
                    token=cancel,
                )
            finally:
                scan(store)


class PasswordJob:
    """One password check; the job forgets the password as soon as it has been hashed."""

    def __init__(self, home: Path, password: str) -> None:
        self.home = home
        self._password: str | None = password

    async def __call__(self, reporter: Reporter, cancel: CancelToken) -> int:
        password, self._password = self._password or "", None
        with Store.open(self.home) as store:
            options = options_from_store(store)
        return await check_password(password, options=options, token=cancel)


class SearchedDialog(QDialog):
    """ "I searched": did the person find anything to fix, and a note for later."""

    def __init__(self, parent: QWidget, search: Search) -> None:
        super().__init__(parent)
        self.setWindowTitle("You searched")
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(f"What did the search for <b>{html.escape(search.query)}</b> show?")
        )
        self.found = QRadioButton("Something I want to fix")
        self.nothing = QRadioButton("Nothing I need to fix")
        self.nothing.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.found)
        group.addButton(self.nothing)
        layout.addWidget(self.found)
        layout.addWidget(self.nothing)
        layout.addWidget(QLabel("Note (kept on this computer):"))
        self.note = QPlainTextEdit(search.note)
        self.note.setAccessibleName("Note")
        self.note.setMaximumHeight(90)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class ExposurePage(QWidget):
    title = "Exposure"
    watches = frozenset({PROFILE, FINDINGS, EXPOSURE})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAccessibleName("Exposure")
        self.jobs: dict[str, Job] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Exposure"))
        layout.addWidget(
            paragraph(
                "Beyond your own posts: data breaches that hold your email addresses or "
                "passwords, what your Gravatar profile shows to anyone with your address, and "
                "what a recruiter finds when they search your name. Only the services named "
                "here are asked, and only about your own details.",
                "About exposure",
            )
        )

        # -- breaches
        self.breach_box = QGroupBox("Data breaches (Have I Been Pwned)")
        box = QVBoxLayout(self.breach_box)
        self.key_label = paragraph("", "Have I Been Pwned key")
        box.addWidget(self.key_label)
        row = QHBoxLayout()
        self.check_breaches = button(
            "Check my &emails", "Check my emails for breaches", "Needs your own API key"
        )
        self.check_breaches.clicked.connect(self.run_breaches)
        self.set_key = button("Set API &key…", "Set the Have I Been Pwned API key")
        self.set_key.clicked.connect(self.ask_key)
        self.drop_key = button("Forget the key", "Forget the Have I Been Pwned API key")
        self.drop_key.clicked.connect(self.forget_key)
        for widget in (self.check_breaches, self.set_key, self.drop_key):
            row.addWidget(widget)
        row.addStretch(1)
        box.addLayout(row)
        self.breach_list = paragraph("", "Breach results")
        box.addWidget(self.breach_list)
        layout.addWidget(self.breach_box)

        # -- password
        pw_box = QGroupBox("Is a password known to criminals?")
        pw = QVBoxLayout(pw_box)
        pw.addWidget(
            paragraph(
                "Type a password to check it against Pwned Passwords. footprint hashes it here "
                "and sends only the first 5 characters of the hash; the answer is compared on "
                "this computer. The password is never stored or shown.",
                "About the password check",
            )
        )
        pw_row = QHBoxLayout()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password to check")
        self.password.setPlaceholderText("Password")
        self.password.returnPressed.connect(self.run_password)
        self.check_pw = button("&Check", "Check the password")
        self.check_pw.clicked.connect(self.run_password)
        pw_row.addWidget(self.password, 1)
        pw_row.addWidget(self.check_pw)
        pw.addLayout(pw_row)
        self.password_result = paragraph("", "Password check result")
        pw.addWidget(self.password_result)
        layout.addWidget(pw_box)

        # -- gravatar
        g_box = QGroupBox("Gravatar profiles")
        g = QVBoxLayout(g_box)
        g.addWidget(
            paragraph(
                "A Gravatar profile is found from an email address alone (its SHA-256, which is "
                "all footprint sends), and sites that show Gravatar pictures link it to your "
                "comments.",
                "About Gravatar",
            )
        )
        g_row = QHBoxLayout()
        self.check_gravatar = button("Check &Gravatar", "Check Gravatar for my emails")
        self.check_gravatar.clicked.connect(self.run_gravatar)
        g_row.addWidget(self.check_gravatar)
        g_row.addStretch(1)
        g.addLayout(g_row)
        self.gravatar_list = paragraph("", "Gravatar results")
        g.addWidget(self.gravatar_list)
        layout.addWidget(g_box)

        # -- search yourself
        s_box = QGroupBox("Search yourself as a recruiter would")
        self.search_layout = QVBoxLayout(s_box)
        guide = load_guide()
        self.search_layout.addWidget(
            paragraph(
                "footprint never runs these searches itself (no scraping of search engines): "
                "the buttons open them in your browser.<ol>"
                + "".join(f"<li>{html.escape(step)}</li>" for step in guide.steps)
                + "</ol>",
                "How to search yourself",
            )
        )
        self.search_grid = QGridLayout()
        self.search_layout.addLayout(self.search_grid)
        self.search_widgets: list[QWidget] = []
        removals = "".join(
            f'<li><a href="{html.escape(r.url)}">{html.escape(r.name)}</a>: '
            f"{html.escape(r.why)}</li>"
            for r in guide.removals
        )
        self.search_layout.addWidget(
            paragraph(f"To have results removed:<ul>{removals}</ul>", "Removal tools")
        )
        layout.addWidget(s_box)
        layout.addStretch(1)
        self.searches: list[Search] = []
        self.refresh()

    # -- reading what is saved
    def refresh(self) -> None:
        store = self.ctx.store
        emails = profile_emails(store)
        has_key = key_status(store, self.ctx.secrets)
        if has_key:
            where = (
                "in memory for this session" if self.ctx.secrets.session_only else "in your keyring"
            )
            self.key_label.setText(f"Your Have I Been Pwned API key is saved {where}.")
        else:
            self.key_label.setText(
                "Searching breaches by email needs your own API key from "
                f'<a href="{KEY_PAGE}">haveibeenpwned.com</a> (footprint cannot ship one). '
                f'Without a key, search your address on <a href="{SEARCH_PAGE}">Have I Been '
                f'Pwned</a> or <a href="{MONITOR_PAGE}">Mozilla Monitor</a>.'
            )
        self.drop_key.setVisible(has_key)
        self.check_breaches.setEnabled(has_key and bool(emails) and "breaches" not in self.jobs)
        self.check_gravatar.setEnabled(bool(emails) and "gravatar" not in self.jobs)
        self.check_pw.setEnabled("password" not in self.jobs)
        no_email = "Add an email address to your profile to check it."
        self.breach_list.setText(self._breach_text(emails) if emails else no_email)
        self.gravatar_list.setText(self._gravatar_text(emails) if emails else no_email)
        self._searches()

    def _breach_text(self, emails: list[str]) -> str:
        saved = latest_checks(self.ctx.store, "breaches")
        names = [str(n) for s in saved.values() for n in s[1].get("breaches", [])]
        catalogue = cached_breaches(self.ctx.store.conn, names)
        parts = []
        for email in emails:
            if email not in saved:
                parts.append(f"<p><b>{html.escape(email)}</b>: not checked yet.</p>")
                continue
            _status, result, checked_at = saved[email]
            found = [str(n) for n in result.get("breaches", [])]
            when = short_date(checked_at)
            if not found:
                parts.append(
                    f"<p><b>{html.escape(email)}</b>: in no known breach (checked {when}).</p>"
                )
                continue
            items = []
            for name in found:
                b = catalogue.get(name)
                if b is None:
                    items.append(f"<li>{html.escape(name)}</li>")
                    continue
                warn = " <b>Passwords leaked.</b>" if b.leaked_passwords else ""
                leaked = html.escape(describe_classes(b.data_classes, 8))
                items.append(
                    f"<li><b>{html.escape(b.title)}</b> ({html.escape(b.breach_date[:7])}, "
                    f"{b.pwn_count:,} accounts): {leaked}.{warn}</li>"
                )
            parts.append(
                f"<p><b>{html.escape(email)}</b>: in {len(found)} breach"
                f"{'es' if len(found) != 1 else ''} (checked {when}). What to do is on the "
                f"Findings page, under Breaches and account security.</p><ul>{''.join(items)}</ul>"
            )
        return "".join(parts)

    def _gravatar_text(self, emails: list[str]) -> str:
        saved = latest_checks(self.ctx.store, "gravatar")
        parts = []
        for email in emails:
            if email not in saved:
                parts.append(f"<p><b>{html.escape(email)}</b>: not checked yet.</p>")
                continue
            status, result, checked_at = saved[email]
            when = short_date(checked_at)
            fields = [f for f in result.get("fields", []) if isinstance(f, dict)]
            if status != "found" or not fields:
                parts.append(
                    f"<p><b>{html.escape(email)}</b>: no public profile (checked {when}).</p>"
                )
                continue
            url = str(result.get("profile_url") or "")
            if not result.get("keyed"):
                when += "; without an API key, so contact details, links and wallets were not seen"
            link = (
                f' <a href="{html.escape(url)}">Open it</a>.' if url.startswith("https://") else ""
            )
            shown = "".join(
                f"<li>{html.escape(str(f.get('title')))}: {html.escape(str(f.get('value')))}</li>"
                for f in fields
            )
            parts.append(
                f"<p><b>{html.escape(email)}</b>: a public profile shows (checked {when}):{link}"
                f"</p><ul>{shown}</ul>"
            )
        return "".join(parts)

    def _searches(self) -> None:
        for widget in self.search_widgets:
            self.search_grid.removeWidget(widget)
            widget.deleteLater()
        self.search_widgets = []
        self.searches = planned_searches(self.ctx.store.conn)
        if not self.searches:
            note = paragraph("Add your name to your profile to get the searches a recruiter runs.")
            self.search_grid.addWidget(note, 0, 0)
            self.search_widgets.append(note)
            return
        for r, search in enumerate(self.searches):
            when = (
                f"searched {short_date(search.last_done)}"
                if search.last_done
                else "not searched yet"
            )
            label = QLabel(
                f"<b>{html.escape(search.label)}</b>: {html.escape(search.query)}"
                f"<br><small>{html.escape(when)}</small>"
            )
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setAccessibleName(f"{search.label}: {search.query}, {when}")
            self.search_grid.addWidget(label, r, 0)
            self.search_widgets.append(label)
            for c, (engine, url) in enumerate(search.links, start=1):
                open_button = button(engine, f"Search {search.query} on {engine}", url)
                open_button.setProperty("url", url)
                open_button.clicked.connect(self.open_search)
                self.search_grid.addWidget(open_button, r, c)
                self.search_widgets.append(open_button)
            done = button("I searched…", f"I searched {search.query}")
            done.setProperty("search", r)
            done.clicked.connect(self.searched)
            self.search_grid.addWidget(done, r, len(search.links) + 1)
            self.search_widgets.append(done)
        self.search_grid.setColumnStretch(0, 1)

    # -- actions
    def open_search(self) -> None:
        open_url(str(self.sender().property("url") or ""))

    def searched(self) -> None:
        index = self.sender().property("search")
        if not isinstance(index, int) or not 0 <= index < len(self.searches):
            return
        search = self.searches[index]
        dialog = SearchedDialog(self, search)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            record_search(
                self.ctx.store,
                search.query,
                found=dialog.found.isChecked(),
                note=dialog.note.toPlainText(),
            )
        except Exception as exc:
            report_failure(self, exc)
            return
        self.ctx.status.emit(f"Noted: you searched {search.query}.")
        self.ctx.run("Checking", ScanJob(self.ctx.home), changes=frozenset({FINDINGS}))
        self.refresh()

    def ask_key(self) -> None:
        key, ok = QInputDialog.getText(
            self,
            "Have I Been Pwned API key",
            f"Paste your own API key (from {KEY_PAGE}).\nIt is kept in your system keyring.",
            QLineEdit.EchoMode.Password,
        )
        if not ok or not key.strip():
            return
        try:
            save_key(self.ctx.store, self.ctx.secrets, key)
        except KeyringUnavailableError as exc:
            if self.ctx.secrets.session_only or not confirm(
                self, "No keyring", exc.user_text(), "Keep for this session only"
            ):
                return
            self.ctx.secrets.use_session_only()
            save_key(self.ctx.store, self.ctx.secrets, key)
        except Exception as exc:
            report_failure(self, exc)
            return
        where = "in memory until you quit" if self.ctx.secrets.session_only else "in your keyring"
        self.ctx.status.emit(f"Saved the key {where}.")
        self.refresh()

    def forget_key(self) -> None:
        try:
            forget_key(self.ctx.store, self.ctx.secrets)
        except Exception as exc:
            report_failure(self, exc)
        self.refresh()

    def _start(self, kind: str, name: str, function: object) -> Job:
        job = self.ctx.run(name, function, changes=frozenset({FINDINGS, EXPOSURE}))  # type: ignore[arg-type]
        self.jobs[kind] = job
        job.failed.connect(self.job_failed)
        job.ended.connect(self.job_ended)
        job.setProperty("kind", kind)
        self.refresh()
        return job

    def run_breaches(self) -> None:
        if "breaches" not in self.jobs:
            self._start("breaches", "Checking breaches", BreachJob(self.ctx.home, self.ctx.secrets))

    def run_gravatar(self) -> None:
        if "gravatar" not in self.jobs:
            self._start(
                "gravatar", "Checking Gravatar", GravatarJob(self.ctx.home, self.ctx.secrets)
            )

    def run_password(self) -> None:
        password = self.password.text()
        if not password or "password" in self.jobs:
            return
        self.password.clear()
        self.password_result.setText("Checking…")
        job = self._start("password", "Checking a password", PasswordJob(self.ctx.home, password))
        del password
        job.succeeded.connect(self.password_done)

    def password_done(self, count: int) -> None:
        if count:
            self.password_result.setText(
                f"<b>This password has been seen {count:,} times in data breaches.</b> Do not "
                "use it anywhere; change it wherever you do, starting with your email account."
            )
        else:
            self.password_result.setText(
                "Not found in known breaches. That is good, but a strong password is also long "
                "and used for one account only."
            )

    def job_failed(self, exc: object) -> None:
        if self.sender().property("kind") == "password":
            self.password_result.setText("The check did not finish.")
        else:
            self.ctx.notify({FINDINGS})  # what was checked before the failure is saved
        report_failure(self, exc)

    def job_ended(self) -> None:
        kind = self.sender().property("kind")
        self.jobs.pop(str(kind), None)
        self.refresh()
