"""The Exposure page: breach, Gravatar and password checks on the worker; searching yourself."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from footprint.checklist.findings import list_findings
from footprint.exposure import checks
from footprint.exposure.checks import save_key
from footprint.gui.pages import exposure
from footprint.store import Store
from footprint.store.profile import add_identifiers
from tests.gui.conftest import wait_job

KEY = "00112233445566778899aabbccddeeff"


@pytest.fixture
def page(window, home, monkeypatch, fake_hibp, fake_gravatar):
    monkeypatch.setitem(checks.ENDPOINTS, "hibp", fake_hibp.url + "/api/v3")
    monkeypatch.setitem(checks.ENDPOINTS, "passwords", fake_hibp.url)
    monkeypatch.setitem(checks.ENDPOINTS, "gravatar", fake_gravatar.url + "/v3")
    monkeypatch.setattr(checks, "ACCOUNT_INTERVAL", 0.0)
    with Store.open(home) as store:
        add_identifiers(store, "email", ["jane@example.com"])
        add_identifiers(store, "name", ["Jane Doe"])
    win = window()
    win.go("exposure")
    return win, win.page("exposure")


def test_without_a_key_the_page_says_where_to_get_one(page):
    _, p = page
    assert not p.check_breaches.isEnabled()
    assert "needs your own API key" in p.key_label.text()
    assert "haveibeenpwned.com" in p.key_label.text()
    assert "not checked yet" in p.breach_list.text()


def test_breaches_and_gravatar_run_on_the_worker_and_show_results(
    page, qtbot, fake_hibp, fake_gravatar
):
    win, p = page
    fake_hibp.add_key(KEY)
    fake_hibp.add_breach("Dropbox", BreachDate="2012-07-01", PwnCount=68648009)
    fake_hibp.add_account("jane@example.com", ["Dropbox"])
    fake_gravatar.add_profile("jane@example.com", display_name="Jane Doe", location="Leeds")
    save_key(win.ctx.store, win.ctx.secrets, KEY)
    p.refresh()
    assert p.check_breaches.isEnabled() and p.drop_key.isVisible()
    p.check_breaches.click()
    assert not p.check_breaches.isEnabled()  # one check at a time
    wait_job(qtbot, p.jobs.get("breaches") or win.ctx.worker.busy[0])
    qtbot.waitUntil(lambda: "Dropbox" in p.breach_list.text(), timeout=10000)
    assert "68,648,009 accounts" in p.breach_list.text()
    assert "Passwords leaked" in p.breach_list.text()
    p.check_gravatar.click()
    qtbot.waitUntil(lambda: "public profile shows" in p.gravatar_list.text(), timeout=10000)
    assert "Location: Leeds" in p.gravatar_list.text()
    qtbot.waitUntil(lambda: not any(j.running for j in win.ctx.worker._jobs), timeout=10000)
    rules = {f.rule for f in list_findings(win.ctx.store)}
    assert {"exposure.breach", "exposure.gravatar"} <= rules


def test_a_password_is_checked_and_never_kept_in_the_field(page, qtbot, fake_hibp):
    _, p = page
    fake_hibp.add_password("letmein", 4_000)
    p.password.setText("letmein")
    p.check_pw.click()
    assert p.password.text() == ""
    qtbot.waitUntil(lambda: "seen 4,000 times" in p.password_result.text(), timeout=10000)
    assert "letmein" not in p.password_result.text()
    assert fake_hibp.requests[0].path.startswith("/range/")


def test_searching_yourself_is_recorded(page, qtbot, monkeypatch):
    win, p = page
    assert p.searches[0].query == '"Jane Doe"'
    monkeypatch.setattr(exposure.SearchedDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    [done] = [w for w in p.search_widgets if w.accessibleName() == 'I searched "Jane Doe"']
    done.click()
    qtbot.waitUntil(lambda: p.searches[0].last_done is not None, timeout=5000)
    label = p.search_widgets[0]
    assert "not searched yet" not in label.text() and "searched" in label.text()
    assert p.searches[0].found is False  # "nothing I need to fix" is the default answer
    # The scan it started (submitted jobs count too, not only launched ones).
    qtbot.waitUntil(lambda: not any(j.running for j in win.ctx.worker._jobs), timeout=20000)


def test_without_a_keyring_the_page_still_opens_and_offers_the_session(
    window, home, monkeypatch, qtbot
):
    from footprint.errors import KeyringUnavailableError
    from footprint.secrets import SecretStore

    def no_keyring(self, account):
        if not self.session_only:
            raise KeyringUnavailableError("No system keyring was found.")
        return self._memory.get(account)

    def set_in_memory(self, account, secret):
        if not self.session_only:
            raise KeyringUnavailableError("No system keyring was found.")
        self._memory[account] = secret

    monkeypatch.setattr(SecretStore, "get", no_keyring)
    monkeypatch.setattr(SecretStore, "set", set_in_memory)
    win = window()
    win.go("exposure")
    p = win.page("exposure")
    assert "needs your own API key" in p.key_label.text()
    monkeypatch.setattr(exposure.QInputDialog, "getText", lambda *a, **k: (KEY, True))
    monkeypatch.setattr(exposure, "confirm", lambda *a, **k: True)
    p.ask_key()
    assert win.ctx.secrets.session_only
    assert "in memory for this session" in p.key_label.text()
