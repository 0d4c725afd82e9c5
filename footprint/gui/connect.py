"""Connecting accounts in the app: the dialog, and the connect / sync / disconnect jobs.

Every network call runs on the worker (:mod:`footprint.gui.worker`); the dialog only
collects what the person types and shows what came back.  Secrets go from the password
field straight to the keyring through the core; they are never kept by a widget longer
than the dialog lives.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from footprint.checklist.scan import scan
from footprint.connectors import (
    begin_mastodon_login,
    begin_reddit_login,
    connect,
    disconnect,
    finish_mastodon_login,
    finish_reddit_login,
    sync_accounts,
)
from footprint.connectors.guides import ConnectGuide, load_connect_guides
from footprint.connectors.mastodon import LoginRequest, instance_url, split_handle
from footprint.connectors.reddit import DEFAULT_REDIRECT, RedditLoginRequest
from footprint.connectors.sync import (
    ConnectedAccount,
    SyncProgress,
    SyncResult,
    connected_accounts,
)
from footprint.errors import FootprintError, KeyringUnavailableError
from footprint.gui.common import (
    ACCOUNTS,
    FINDINGS,
    ITEMS,
    SETTINGS,
    AppContext,
    button,
    confirm,
    open_url,
    paragraph,
)
from footprint.gui.errors import show_error
from footprint.gui.worker import Job, Reporter
from footprint.net import options_from_store
from footprint.platforms import display_name
from footprint.progress import CancelToken
from footprint.secrets import SecretStore, protect
from footprint.store import Store

SYNC_CHANGES = frozenset({ACCOUNTS, ITEMS, FINDINGS, SETTINGS})
T = TypeVar("T")


class ConnectJob:
    """Check the account (and sign-in) on the worker and remember it."""

    def __init__(
        self,
        home: Path,
        secrets: SecretStore,
        platform: str,
        who: str,
        *,
        secret: str | None = None,
        endpoints: dict[str, str] | None = None,
        login: LoginRequest | None = None,
        code: str = "",
        reddit_login: RedditLoginRequest | None = None,
    ) -> None:
        self.home = home
        self.secrets = secrets
        self.platform = platform
        self.who = who
        self.secret = secret
        if secret:
            protect(secret)  # masked in logs from the moment it is typed
        self.endpoints = endpoints or {}
        self.login = login
        self.code = code
        self.reddit_login = reddit_login

    async def __call__(self, reporter: Reporter, cancel: CancelToken) -> str:
        with Store.open(self.home) as store:
            options = options_from_store(store)
            secret = self.secret
            if self.login is not None:
                reporter.report("Exchanging the code for a sign-in…")
                secret = await finish_mastodon_login(self.login, self.code, options)
            if self.reddit_login is not None:
                reporter.report("Waiting for Reddit to send your browser back…")
                secret = await until_cancelled(
                    finish_reddit_login(self.reddit_login, options=options), cancel
                )
            reporter.report("Checking the account…")
            _, identity = await connect(
                store,
                self.secrets,
                self.platform,
                self.who,
                secret=secret,
                endpoints=self.endpoints,
                options=options,
                token=cancel,
            )
        return identity.handle


async def until_cancelled(work: Coroutine[Any, Any, T], cancel: CancelToken) -> T:
    """Await ``work`` (e.g. waiting for a browser), stopping it when the job is cancelled."""
    task = asyncio.ensure_future(work)
    while not task.done():
        if cancel.cancelled:
            task.cancel()
            cancel.check("The sign-in")
        await asyncio.wait({task}, timeout=0.2)
    return task.result()


class LoginJob:
    """Register footprint on a Mastodon server and build the sign-in page address."""

    def __init__(self, home: Path, instance: str) -> None:
        self.home = home
        self.instance = instance

    async def __call__(self, reporter: Reporter, cancel: CancelToken) -> LoginRequest:
        with Store.open(self.home) as store:
            options = options_from_store(store)
        request: LoginRequest = await begin_mastodon_login(self.instance, options)
        return request


class SyncJob:
    """Sync connected accounts (all, or one platform's), then check what is new."""

    def __init__(
        self, home: Path, secrets: SecretStore, platform: str | None = None, *, full: bool = False
    ) -> None:
        self.home = home
        self.secrets = secrets
        self.platform = platform
        self.full = full

    async def __call__(self, reporter: Reporter, cancel: CancelToken) -> list[SyncResult]:
        with Store.open(self.home) as store:
            accounts = connected_accounts(store, self.platform)
            options = options_from_store(store)

            def progress(p: SyncProgress) -> None:
                reporter.report(f"{p.account}: {p.stream}, {p.items:,} fetched, {p.inserted:,} new")

            try:
                results = await sync_accounts(
                    store,
                    self.secrets,
                    accounts,
                    full=self.full,
                    options=options,
                    progress=progress,
                    token=cancel,
                )
            finally:
                scan(store, cancel=cancel)
        return results


class DisconnectJob:
    def __init__(
        self, home: Path, secrets: SecretStore, account: ConnectedAccount, forget: bool
    ) -> None:
        self.home = home
        self.secrets = secrets
        self.account = account
        self.forget = forget

    async def __call__(self, reporter: Reporter, cancel: CancelToken) -> int:
        with Store.open(self.home) as store:
            removed = await disconnect(
                store,
                self.secrets,
                self.account,
                forget_items=self.forget,
                options=options_from_store(store),
            )
            if self.forget:
                scan(store, cancel=cancel)
        return removed


def guide_text(guide: ConnectGuide) -> str:
    parts = [f"<p><b>footprint reads:</b> {html.escape(guide.reads)}</p>"]
    if guide.changes:
        parts.append(f"<p><b>It can change:</b> {html.escape(guide.changes)}</p>")
    else:
        parts.append("<p>Read-only: this platform offers no way for apps to change things.</p>")
    if guide.secret_help:
        link = (
            f' <a href="{html.escape(guide.secret_url)}">Open that page</a>.'
            if guide.secret_url
            else ""
        )
        parts.append(f"<p>{html.escape(guide.secret_help)}{link}</p>")
    return "".join(parts)


class ConnectDialog(QDialog):
    """Pick a platform, name the account, sign in if wanted; the check runs in the background."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Connect an account")
        self.setAccessibleName("Connect an account")
        self.setMinimumWidth(560)
        self.guides = {guide.platform: guide for guide in load_connect_guides()}
        self.login: LoginRequest | None = None
        self.job: Job | None = None
        self.handle = ""

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.platform = QComboBox()
        self.platform.setAccessibleName("Platform")
        for platform in self.guides:
            self.platform.addItem(display_name(platform), platform)
        form.addRow("&Platform:", self.platform)
        self.who = QLineEdit()
        self.who.setAccessibleName("Account")
        self.who_label = QLabel("&Account:")
        self.who_label.setBuddy(self.who)
        form.addRow(self.who_label, self.who)
        self.signin = QRadioButton("&Sign in (read everything; allow changes you ask for)")
        self.public = QRadioButton("Public &data only (no sign-in)")
        self.signin.setChecked(True)
        form.addRow("", self.signin)
        form.addRow("", self.public)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName("Secret")
        self.secret_label = QLabel("Secret:")
        self.secret_label.setBuddy(self.secret)
        form.addRow(self.secret_label, self.secret)
        self.redirect = QLineEdit(DEFAULT_REDIRECT)
        self.redirect.setAccessibleName("Your app's redirect address")
        self.redirect_label = QLabel("&Redirect address:")
        self.redirect_label.setBuddy(self.redirect)
        form.addRow(self.redirect_label, self.redirect)
        self.open_signin = button("&Open the sign-in page", "Open the server's sign-in page")
        self.open_signin.clicked.connect(self.begin_login)
        form.addRow("", self.open_signin)
        self.code = QLineEdit()
        self.code.setAccessibleName("Authorization code")
        self.code_label = QLabel("&Code from the server:")
        self.code_label.setBuddy(self.code)
        form.addRow(self.code_label, self.code)
        layout.addLayout(form)
        self.about = paragraph("", "What footprint reads and changes")
        layout.addWidget(self.about)
        self.message = paragraph("", "Connection status")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Connect")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.platform.currentIndexChanged.connect(self.platform_changed)
        self.signin.toggled.connect(self.update_fields)
        self.platform_changed()

    # -- form ------------------------------------------------------------------------

    def current(self) -> ConnectGuide:
        return self.guides[self.platform.currentData()]

    def choose(self, platform: str) -> None:
        index = self.platform.findData(platform)
        if index >= 0:
            self.platform.setCurrentIndex(index)

    def platform_changed(self) -> None:
        guide = self.current()
        self.who_label.setText(f"&{guide.who}:")
        self.who.setPlaceholderText(guide.example)
        self.secret_label.setText(guide.secret_label or "Secret:")
        self.about.setText(guide_text(guide))
        self.login = None
        self.message.setText("")
        # Signing in is the point on Mastodon; on Reddit it needs an app few people have.
        (self.public if guide.secret == "app" else self.signin).setChecked(True)
        if guide.platform == "gravatar" and not self.who.text():
            from footprint.store.profile import get_profile

            emails = get_profile(self.ctx.store).of("email")
            if emails:
                self.who.setText(emails[0])
        self.update_fields()

    def update_fields(self) -> None:
        guide = self.current()
        choice = guide.secret in ("oauth", "app")
        self.signin.setVisible(choice)
        self.public.setVisible(choice)
        signing_in = choice and self.signin.isChecked()
        oauth = guide.secret == "oauth" and signing_in
        self.open_signin.setVisible(oauth)
        self.code.setVisible(oauth)
        self.code_label.setVisible(oauth)
        own_app = guide.secret == "app" and signing_in
        self.redirect.setVisible(own_app)
        self.redirect_label.setVisible(own_app)
        has_secret = guide.secret == "optional" or own_app
        self.secret.setVisible(has_secret)
        self.secret_label.setVisible(has_secret)
        # A client id is not a secret: show it as typed.
        self.secret.setEchoMode(
            QLineEdit.EchoMode.Normal if own_app else QLineEdit.EchoMode.Password
        )

    def endpoints(self) -> dict[str, str]:
        if self.current().platform != "mastodon":
            return {}
        _, host = split_handle(self.who.text())
        if not host:
            raise FootprintError(
                "Give your full address, with your server: @you@your.server",
            )
        return {"instance": instance_url(host)}

    # -- Mastodon sign-in ------------------------------------------------------------

    def begin_login(self) -> None:
        try:
            instance = self.endpoints()["instance"]
        except FootprintError as exc:
            self.message.setText(html.escape(exc.message))
            return
        self.message.setText("Registering footprint with your server…")
        self.open_signin.setEnabled(False)
        job = self.ctx.run(
            "Preparing the sign-in", LoginJob(self.ctx.home, instance), changes=frozenset()
        )
        job.succeeded.connect(self.login_ready)
        job.failed.connect(self.failed)
        job.ended.connect(self.login_ended)

    def login_ready(self, request: LoginRequest) -> None:
        self.login = request
        open_url(request.authorize_url)
        self.message.setText(
            "Your browser shows your server's sign-in page. Allow footprint there, then "
            "paste the code it shows into the field above. If no browser opened, visit: "
            f"{html.escape(request.authorize_url)}"
        )
        self.code.setFocus()

    def login_ended(self) -> None:
        self.open_signin.setEnabled(True)

    # -- connecting ------------------------------------------------------------------

    def start(self) -> None:
        guide = self.current()
        who = self.who.text().strip()
        if not who:
            self.message.setText(f"Give {guide.who.lower()} first, e.g. {guide.example}.")
            return
        login = None
        reddit_login = None
        secret = self.secret.text().strip() or None if guide.secret == "optional" else None
        try:
            endpoints = self.endpoints()
        except FootprintError as exc:
            self.message.setText(html.escape(exc.message))
            return
        if guide.secret == "oauth" and self.signin.isChecked():
            if self.login is None or not self.code.text().strip():
                self.message.setText(
                    "Open the sign-in page first and paste the code it shows, or choose "
                    "public data only."
                )
                return
            login = self.login
        if guide.secret == "app" and self.signin.isChecked():
            try:
                reddit_login = begin_reddit_login(
                    self.secret.text(), self.redirect.text().strip() or None
                )
            except FootprintError as exc:
                self.message.setText(html.escape(exc.user_text()))
                return
            open_url(reddit_login.authorize_url)
        job_function = ConnectJob(
            self.ctx.home,
            self.ctx.secrets,
            guide.platform,
            who,
            secret=secret,
            endpoints=endpoints,
            login=login,
            code=self.code.text(),
            reddit_login=reddit_login,
        )
        self.ok.setEnabled(False)
        self.message.setText(
            "Sign in on the page your browser shows and allow your app; footprint waits for "
            "the browser to come back."
            if reddit_login
            else "Checking…"
        )
        self.job = self.ctx.run(
            f"Connecting {display_name(guide.platform)}",
            job_function,
            changes=frozenset({ACCOUNTS}),
        )
        self.job.succeeded.connect(self.connected)
        self.job.failed.connect(self.failed)
        self.job.ended.connect(self.ended)

    def connected(self, handle: str) -> None:
        self.handle = handle
        self.secret.clear()
        self.accept()

    def failed(self, exc: object) -> None:
        if isinstance(exc, KeyringUnavailableError) and not self.ctx.secrets.session_only:
            if confirm(
                self,
                "No keyring",
                exc.user_text(),
                "Keep for this session only",
            ):
                self.ctx.secrets.use_session_only()
                self.message.setText("Secrets are kept in memory until you quit. Connect again.")
            return
        if isinstance(exc, FootprintError):
            self.message.setText(html.escape(exc.user_text()).replace("\n", "<br>"))
        elif isinstance(exc, BaseException):
            show_error(self, exc)

    def ended(self) -> None:
        self.ok.setEnabled(True)
        self.job = None

    def done(self, result: int) -> None:
        """Closing (Connect, Cancel or Esc) forgets what was typed and stops a check that is
        still running, so a cancelled connection is never saved."""
        if self.job is not None and result != QDialog.DialogCode.Accepted:
            self.job.cancel()
        self.secret.clear()
        self.code.clear()
        self.login = None
        super().done(result)
