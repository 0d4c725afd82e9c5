"""First run: who you are, where your data is, and a first audit."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from footprint.archives.guides import load_export_guides
from footprint.errors import InputError
from footprint.gui.common import PROFILE, AppContext, button, open_url, paragraph, report_failure
from footprint.gui.pages.accounts import guide_html, start_import
from footprint.store.profile import get_profile, normalize, set_identifiers

FIELDS = (
    ("name", "&Names", "Jordan Reyes, Jo Reyes", "The names people know you by"),
    ("username", "&Usernames", "jreyes, jojo_rey", "Handles you use or used online"),
    ("email", "&Emails", "jordan@example.org", "Email addresses, old ones too"),
    ("phone", "&Phones", "+1 503 555 0100", "Phone numbers"),
    ("place", "&City", "Portland", "Your city or neighbourhood"),
)


def split_values(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class WelcomePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Welcome to footprint")
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                "footprint shows you what an employer's screening, or a recruiter's search, "
                "would find about you online, and helps you clean it up.<br><br>"
                "<b>Everything stays on this computer.</b> What you enter and what footprint "
                "finds is kept in one database in your data folder, readable only by you. "
                "Passwords and tokens go to your system's keyring. footprint has no account "
                "and sends no telemetry; it contacts only the sites you ask it to check.",
                "What footprint does and what it stores",
            )
        )
        self.demo_button = button("Look at the &demo first", "Open the demo profile")
        self.demo_button.clicked.connect(self.open_demo)
        layout.addWidget(self.demo_button)
        layout.addStretch(1)

    def open_demo(self) -> None:
        subprocess.Popen([sys.executable, "-m", "footprint", "--demo"])


class IdentityPage(QWizardPage):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setTitle("Who you are")
        self.setSubTitle(
            "footprint looks for you the way a screening does: by name, username, email and "
            "phone. Separate several with commas. Fill in what you like; you can change it later."
        )
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        profile = get_profile(ctx.store)
        for kind, label, example, description in FIELDS:
            edit = QLineEdit(", ".join(profile.of(kind)))
            edit.setPlaceholderText(example)
            edit.setAccessibleName(description)
            form.addRow(label + ":", edit)
            self.edits[kind] = edit
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem with what you entered")
        form.addRow(self.error)

    def validatePage(self) -> bool:
        values = {kind: split_values(edit.text()) for kind, edit in self.edits.items()}
        try:
            for kind, items in values.items():
                for item in items:
                    normalize(kind, item)
        except InputError as exc:
            self.error.setText(f"<b>{exc.user_text()}</b>")
            return False
        try:
            with self.ctx.store.transaction():
                for kind, items in values.items():
                    set_identifiers(self.ctx.store, kind, items)
        except Exception as exc:
            report_failure(self, exc)
            return False
        self.error.setText("")
        self.ctx.notify({PROFILE})
        return True


class ExportsPage(QWizardPage):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setTitle("Your data exports")
        self.setSubTitle(
            "Each platform gives you a complete copy of your posts on request. It takes from "
            "minutes to days to arrive; import it whenever it does (Accounts page)."
        )
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.choice = QComboBox()
        self.choice.setAccessibleName("Platform")
        self.guides = {g.platform: g for g in load_export_guides()}
        for guide in self.guides.values():
            self.choice.addItem(guide.name, guide.platform)
        row.addWidget(self.choice, 1)
        self.request = button("Open the request &page", "Open the export request page")
        self.request.clicked.connect(self.open_request)
        row.addWidget(self.request)
        self.import_button = button("&Import an export now…", "Import an export now")
        self.import_button.clicked.connect(self.import_now)
        row.addWidget(self.import_button)
        layout.addLayout(row)
        self.text = paragraph("", "How to request the export")
        layout.addWidget(self.text, 1)
        self.choice.currentIndexChanged.connect(self.show_guide)
        self.show_guide()

    def show_guide(self) -> None:
        guide = self.guides.get(self.choice.currentData())
        self.text.setText(guide_html(guide) if guide else "")

    def open_request(self) -> None:
        guide = self.guides.get(self.choice.currentData())
        if guide:
            open_url(guide.link())

    def import_now(self) -> None:
        job = start_import(self.ctx, self)
        if job is not None:
            job.failed.connect(self.import_failed)

    def import_failed(self, exc: object) -> None:
        report_failure(self, exc)


class AuditPage(QWizardPage):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setTitle("A first audit")
        layout = QVBoxLayout(self)
        self.sweep = QCheckBox("Look for my usernames on every site in the catalog now")
        self.sweep.setAccessibleName("Look for my usernames now")
        layout.addWidget(self.sweep)
        layout.addWidget(
            paragraph(
                "footprint asks each site whether a profile with your username exists, then "
                "you say which found profiles are yours. It takes about a minute. Everything "
                "else you import is checked as it arrives.",
                "About the first audit",
            )
        )
        layout.addStretch(1)

    def initializePage(self) -> None:
        has_usernames = bool(get_profile(self.ctx.store).of("username"))
        self.sweep.setEnabled(has_usernames)
        self.sweep.setChecked(has_usernames)
        if not has_usernames:
            self.sweep.setText("Look for my usernames now (add a username first)")


class FirstRunWizard(QWizard):
    finished_setup = Signal(bool)  # True: start a sweep

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set up footprint")
        self.setAccessibleName("Set up footprint")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.welcome = WelcomePage()
        self.identity = IdentityPage(ctx)
        self.exports = ExportsPage(ctx)
        self.audit = AuditPage(ctx)
        for page in (self.welcome, self.identity, self.exports, self.audit):
            self.addPage(page)
        self.resize(720, 520)
        self.accepted.connect(self.done_setup)

    def done_setup(self) -> None:
        self.finished_setup.emit(self.audit.sweep.isChecked() and self.audit.sweep.isEnabled())
