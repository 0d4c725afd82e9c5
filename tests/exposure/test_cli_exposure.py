"""``footprint exposure …`` end to end, against the loopback fakes."""

from __future__ import annotations

import io
import json

import pytest

from footprint.cli import main
from footprint.exposure import checks
from footprint.secrets import SecretStore
from footprint.store import Store

KEY = "fedcba9876543210fedcba9876543210"


@pytest.fixture
def endpoints(monkeypatch, fake_hibp, fake_gravatar):
    monkeypatch.setitem(checks.ENDPOINTS, "hibp", fake_hibp.url + "/api/v3")
    monkeypatch.setitem(checks.ENDPOINTS, "passwords", fake_hibp.url)
    monkeypatch.setitem(checks.ENDPOINTS, "gravatar", fake_gravatar.url + "/v3")
    monkeypatch.setattr(checks, "ACCOUNT_INTERVAL", 0.0)
    return fake_hibp, fake_gravatar


def run(capsys, monkeypatch, *argv, stdin=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_key_breaches_and_gravatar_from_the_terminal(capsys, monkeypatch, endpoints, home):
    hibp, gravatar = endpoints
    hibp.add_key(KEY)
    hibp.add_breach("LinkedIn", Title="LinkedIn", BreachDate="2012-05-05", PwnCount=164611595)
    hibp.add_account("jane@example.com", ["LinkedIn"])
    gravatar.add_profile("jane@example.com", display_name="Jane Doe", location="Leeds")
    assert run(capsys, monkeypatch, "profile", "add", "email", "jane@example.com")[0] == 0

    code, out, err = run(capsys, monkeypatch, "exposure", "breaches")
    assert code == 2 and "needs your own Have I Been Pwned API key" in err  # no key yet
    assert "footprint exposure key" in err

    code, out, _ = run(capsys, monkeypatch, "exposure", "key", "--stdin", stdin=KEY + "\n")
    assert code == 0 and KEY not in out
    assert SecretStore().get("hibp:api-key") == KEY

    code, out, _ = run(capsys, monkeypatch, "exposure", "breaches", "--exit-code")
    assert code == 1
    assert "jane@example.com: in 1 breach(es)" in out
    assert "LinkedIn (2012-05, 164,611,595 accounts): email addresses, passwords" in out
    assert "Open findings:" in out and "security 1" in out

    code, out, _ = run(capsys, monkeypatch, "exposure", "gravatar")
    assert code == 0
    assert "shows: Display name, Location" in out

    code, out, _ = run(capsys, monkeypatch, "exposure")
    assert "Have I Been Pwned key: saved in your keyring" in out
    assert "jane@example.com: 1 breach(es)" in out and "public Gravatar profile" in out

    with Store.open(home) as store:
        dump = "\n".join(store.conn.iterdump())
    assert KEY not in dump
    code, out, _ = run(capsys, monkeypatch, "export-data", "--out", "-")
    assert KEY not in out

    assert run(capsys, monkeypatch, "exposure", "key", "--forget")[0] == 0
    assert SecretStore().get("hibp:api-key") is None


def test_password_check_never_echoes_the_password(capsys, monkeypatch, endpoints):
    hibp, _ = endpoints
    hibp.add_password("hunter2", 17_043)
    code, out, err = run(
        capsys,
        monkeypatch,
        "exposure",
        "password",
        "--stdin",
        "--exit-code",
        stdin="hunter2\nsomething-long-and-unbreached-42\n",
    )
    assert code == 1
    assert "Password 1: seen 17,043 times" in out
    assert "Password 2: not found" in out
    assert "hunter2" not in out + err
    assert len(hibp.requests) == 2


def test_search_lists_links_and_records_a_search(capsys, monkeypatch, home):
    run(capsys, monkeypatch, "profile", "add", "name", "Jane Doe")
    code, out, _ = run(capsys, monkeypatch, "exposure", "search")
    assert code == 0
    assert 'Your name: "Jane Doe"  (not yet searched)' in out
    assert "Google: https://www.google.com/search?q=%22Jane+Doe%22" in out
    assert "Results about you" in out
    code, out, _ = run(
        capsys, monkeypatch, "exposure", "search", "--done", '"Jane Doe"', "--nothing"
    )
    assert code == 0 and "asks again in 90 days" in out
    code, out, _ = run(capsys, monkeypatch, "exposure", "search")
    assert "last searched" in out
    with Store.open(home) as store:
        (result,) = store.conn.execute(
            "SELECT result FROM exposure_checks WHERE kind = 'search'"
        ).fetchone()
    assert json.loads(result) == {"found": False, "note": ""}


def test_wipe_removes_the_hibp_key_too(capsys, monkeypatch, home):
    code, _, _ = run(capsys, monkeypatch, "exposure", "key", "--stdin", stdin=KEY + "\n")
    assert code == 0 and SecretStore().get("hibp:api-key") == KEY
    code, _, err = run(capsys, monkeypatch, "wipe", "--yes")
    assert code == 0, err
    assert SecretStore().get("hibp:api-key") is None


def test_a_check_that_fails_half_way_still_updates_the_findings(
    capsys, monkeypatch, endpoints, home
):
    hibp, _ = endpoints
    hibp.add_key(KEY)
    hibp.add_breach("Dropbox")
    hibp.add_account("a@example.com", ["Dropbox"])
    hibp.fail("/api/v3/breachedaccount/b@", 401, times=None)
    run(capsys, monkeypatch, "profile", "add", "email", "a@example.com", "b@example.com")
    run(capsys, monkeypatch, "exposure", "key", "--stdin", stdin=KEY + "\n")
    code, out, err = run(capsys, monkeypatch, "exposure", "breaches")
    assert code == 2 and "did not accept your API key" in err
    assert "security 1" in out  # a@ was saved before b@ failed, and the scan ran
    code, _, err = run(capsys, monkeypatch, "exposure", "breaches", "stranger@example.com")
    assert code == 2 and "not in your profile" in err
