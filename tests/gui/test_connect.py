"""Connecting, syncing and disconnecting accounts from the Accounts page (loopback servers)."""

from __future__ import annotations

import pytest

from footprint.connectors.github import GitHubConnector
from footprint.gui.connect import ConnectDialog
from footprint.secrets import SecretStore
from tests.connectors.fakes import (
    fake_github,  # noqa: F401
    fake_reddit,  # noqa: F401
)
from tests.connectors.mastodon_server import MastodonServer
from tests.connectors.test_reddit_oauth import browser, reddit  # noqa: F401

pytest_plugins = ["tests.connectors.mastodon_server"]


@pytest.fixture
def github(fake_github, monkeypatch):  # noqa: F811
    fake_github.add_user("octo", name="Octo Cat", location="Springfield", hireable=True)
    fake_github.add_token("ghp_" + "c" * 36, "octo", scopes=("user",))
    fake_github.add_email("octo", "octo@example.org", primary=True, visibility="public")
    fake_github.add_event(
        "octo",
        "IssueCommentEvent",
        "octo/tool",
        {"comment": {"id": 5, "body": "what a stupid idea", "html_url": "https://x.test/5"}},
    )
    monkeypatch.setitem(GitHubConnector.endpoints, "api", fake_github.url)
    return fake_github


def test_connect_sync_and_disconnect_from_the_accounts_page(window, qtbot, github, monkeypatch):
    win = window()
    win.go("accounts")
    page = win.page("accounts")
    assert not page.sync_button.isEnabled()
    dialog = ConnectDialog(win.ctx, page)
    qtbot.addWidget(dialog)
    dialog.choose("github")
    assert not dialog.secret.isHidden() and dialog.code.isHidden()
    assert dialog.secret_label.text() == "Personal access token (optional)"
    dialog.who.setText("octo")
    dialog.secret.setText("ghp_" + "c" * 36)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.result() == ConnectDialog.DialogCode.Accepted, timeout=20000)
    assert dialog.handle == "octo" and dialog.secret.text() == ""
    assert SecretStore().get("github:octo") == "ghp_" + "c" * 36

    page.start_sync("github")
    qtbot.waitUntil(lambda: page.sync_job is None, timeout=30000)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=5000)
    assert page.table.item(0, 2).text() == "connected"
    assert int(page.table.item(0, 4).text()) >= 4
    assert int(page.table.item(0, 5).text()) >= 1  # the public email / the insult
    page.table.selectRow(0)
    assert page.disconnect_button.isEnabled()
    assert page.sync_button.text() == "&Sync GitHub"
    assert "Signed in: footprint can also fix things" in page.holds.text()

    monkeypatch.setattr("footprint.gui.pages.accounts.confirm", lambda *a, **k: True)
    page.disconnect_selected()
    qtbot.waitUntil(lambda: page.table.item(0, 2).text() == "added by you", timeout=20000)
    assert SecretStore().get("github:octo") is None
    assert not page.sync_button.isEnabled()


def test_a_failed_connect_says_why_in_the_dialog(window, qtbot, github):
    win = window()
    dialog = ConnectDialog(win.ctx)
    qtbot.addWidget(dialog)
    dialog.choose("github")
    dialog.who.setText("nobody-here")
    dialog.start()
    qtbot.waitUntil(lambda: "no user named" in dialog.message.text(), timeout=20000)
    assert dialog.result() != ConnectDialog.DialogCode.Accepted
    # "failed" (the message) arrives just before "ended" (the button comes back).
    qtbot.waitUntil(dialog.ok.isEnabled, timeout=5000)


def test_mastodon_sign_in_from_the_dialog(
    window, qtbot, mastodon_server: MastodonServer, monkeypatch
):
    mastodon_server.create_account("alice")
    mastodon_server.post_status("alice", "hello")
    opened: list[str] = []
    monkeypatch.setattr("footprint.gui.connect.open_url", opened.append)
    monkeypatch.setattr("footprint.gui.connect.instance_url", lambda host: mastodon_server.url)
    win = window()
    dialog = ConnectDialog(win.ctx)
    qtbot.addWidget(dialog)
    dialog.choose("mastodon")
    dialog.who.setText(f"@alice@{mastodon_server.host}")
    dialog.start()  # no sign-in yet: the dialog says what to do
    assert "Open the sign-in page first" in dialog.message.text()
    dialog.begin_login()
    qtbot.waitUntil(lambda: bool(opened), timeout=20000)
    dialog.code.setText(mastodon_server.consent(opened[0], "alice"))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.result() == ConnectDialog.DialogCode.Accepted, timeout=20000)
    assert dialog.handle == f"@alice@{mastodon_server.host}"
    assert SecretStore().get(f"mastodon:@alice@{mastodon_server.host}")


def test_reddit_sign_in_with_own_app_from_the_dialog(window, qtbot, reddit, monkeypatch):  # noqa: F811
    monkeypatch.setattr("footprint.gui.connect.open_url", browser(reddit))
    win = window()
    dialog = ConnectDialog(win.ctx)
    qtbot.addWidget(dialog)
    dialog.choose("reddit")
    assert dialog.public.isChecked() and dialog.redirect.isHidden()  # few have an app
    dialog.signin.setChecked(True)
    assert not dialog.redirect.isHidden()
    dialog.who.setText("Jo_R")
    dialog.secret.setText("my-app-id")
    dialog.redirect.setText(reddit.redirect)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.result() == ConnectDialog.DialogCode.Accepted, timeout=20000)
    assert SecretStore().get("reddit:Jo_R")


def test_cancelling_while_waiting_for_the_browser_saves_nothing(
    window,
    qtbot,
    reddit,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setattr("footprint.gui.connect.open_url", lambda url: True)  # never signs in
    win = window()
    dialog = ConnectDialog(win.ctx)
    qtbot.addWidget(dialog)
    dialog.choose("reddit")
    dialog.signin.setChecked(True)
    dialog.who.setText("Jo_R")
    dialog.secret.setText("my-app-id")
    dialog.redirect.setText(reddit.redirect)
    dialog.start()
    job = dialog.job
    qtbot.wait(300)
    dialog.reject()
    qtbot.waitUntil(lambda: not job.running, timeout=10000)
    assert win.ctx.store.conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 0
