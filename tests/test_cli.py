from __future__ import annotations

import io
import json

import pytest

from footprint import __version__
from footprint.cli import main
from footprint.secrets import SERVICE
from footprint.store import LATEST_VERSION
from tests.helpers import pretend_newer_footprint_wrote


def run(capsys, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"footprint {__version__}"


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("profile", "doctor", "export-data", "wipe", "--demo"):
        assert command in out


def test_profile_starts_empty_and_says_how_to_fill_it(capsys):
    code, out, _ = run(capsys, "profile", "show")
    assert code == 0
    assert "profile is empty" in out and "footprint profile add username" in out


def test_profile_add_set_remove_show(capsys):
    assert run(capsys, "profile", "add", "username", "@JaneDoe", "jdoe_99")[0] == 0
    assert run(capsys, "profile", "add", "usernames", "janedoe")[1] == "Added 0 username(s).\n"
    assert run(capsys, "profile", "add", "email", "Jane@Example.org")[0] == 0
    assert run(capsys, "profile", "add", "phone", "+1 (415) 555-0100")[0] == 0
    assert run(capsys, "profile", "set", "name", "Jane Doe", "Jane Q. Doe")[0] == 0
    assert run(capsys, "profile", "add", "place", "Leeds")[0] == 0
    code, out, _ = run(capsys, "profile", "show", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "names": ["Jane Doe", "Jane Q. Doe"],
        "usernames": ["JaneDoe", "jdoe_99"],
        "emails": ["Jane@Example.org"],
        "phones": ["+1 (415) 555-0100"],
        "places": ["Leeds"],
    }
    assert run(capsys, "profile", "remove", "username", "janedoe")[0] == 0
    code, out, _ = run(capsys, "profile", "show")
    assert "Usernames: jdoe_99" in out and "Names:     Jane Doe, Jane Q. Doe" in out
    assert run(capsys, "profile", "set", "name")[0] == 0  # clears
    assert "Names:     -" in run(capsys, "profile", "show")[1]


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("email", "not-an-email", "does not look like an email address"),
        ("phone", "call me maybe", "does not look like a phone number"),
        ("username", "two words", "is not a username"),
        ("shoe-size", "42", "is not something footprint keeps"),
    ],
)
def test_bad_profile_values_exit_2_with_a_clear_message(capsys, kind, value, message):
    code, _out, err = run(capsys, "profile", "add", kind, value)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert run(capsys, "profile", "show", "--format", "json")[1].count("[]") == 5


def test_doctor_reports_every_part(capsys, home):
    code, out, _ = run(capsys, "doctor")
    assert code == 0, out
    for part in ("data folder", "database", "keyring", "Qt"):
        assert part in out
    assert str(home) in out
    assert f"data format {LATEST_VERSION} of {LATEST_VERSION}" in out
    assert "platform plugin 'offscreen'" in out
    assert "All good." in out


def test_doctor_flags_a_database_from_a_newer_version(capsys, home):
    run(capsys, "profile", "show")
    pretend_newer_footprint_wrote(home)
    code, out, _ = run(capsys, "doctor")
    assert code == 1
    assert "[FAIL] database" in out and "newer version of footprint" in out


def test_newer_database_is_a_clear_error_not_a_traceback(capsys, home):
    run(capsys, "profile", "show")
    pretend_newer_footprint_wrote(home)
    code, _, err = run(capsys, "profile", "show")
    assert code == 2
    assert "newer version of footprint" in err and "Traceback" not in err
    code, _, err = run(capsys, "--debug", "profile", "show")
    assert code == 2 and "Traceback" in err


def test_export_data_to_stdout_has_everything(capsys):
    run(capsys, "profile", "add", "username", "jdoe")
    code, out, _ = run(capsys, "--demo", "export-data")
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "footprint-export" and data["schema_version"] == LATEST_VERSION
    tables = data["tables"]
    assert {"items", "accounts", "person_identifiers", "findings", "site_checks"} <= set(tables)
    assert len(tables["items"]) == 41
    assert isinstance(tables["items"][0]["raw"], dict)  # JSON columns embedded as JSON
    # the demo ran on its own data: the real profile is untouched
    assert run(capsys, "profile", "show", "--format", "json")[1].count("jdoe") == 1


def test_export_data_to_a_file(capsys, tmp_path):
    run(capsys, "profile", "add", "email", "me@example.org")
    target = tmp_path / "out" / "export.json"
    target.parent.mkdir()
    code, _, err = run(capsys, "export-data", "--out", str(target))
    assert code == 0 and "Exported" in err
    data = json.loads(target.read_text())
    assert data["tables"]["person_identifiers"][0]["value"] == "me@example.org"
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    code, _, err = run(capsys, "export-data", "--out", str(target))
    assert code == 2 and "already exists" in err
    assert run(capsys, "export-data", "--out", str(target), "--force")[0] == 0
    assert [p.name for p in target.parent.iterdir()] == ["export.json"]


def test_export_to_a_missing_folder_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, "export-data", "--out", str(tmp_path / "nope" / "x.json"))
    assert code == 2 and "does not exist" in err


def test_wipe_erases_data_and_keyring_entries(capsys, home, memory_keyring):
    from footprint.secrets import SecretStore
    from footprint.store import Store
    from footprint.store.accounts import upsert_account

    with Store.open(home) as store:
        upsert_account(store, "github", "jdoe", connection="api", secret_ref="github:jdoe")
    SecretStore().set("github:jdoe", "ghp_tokentokentokentoken")
    (home / "backups").mkdir()
    (home / "backups" / "my-own-copy.txt").write_text("not footprint's")
    code, out, _ = run(capsys, "wipe", "--yes")
    assert code == 0
    assert "1 secret(s)" in out and "backups" in out
    assert (SERVICE, "github:jdoe") not in memory_keyring.passwords
    assert sorted(p.name for p in home.iterdir()) == [".footprint-data", "backups"]
    assert [p.name for p in (home / "backups").iterdir()] == ["my-own-copy.txt"]
    (home / "backups" / "my-own-copy.txt").unlink()
    run(capsys, "profile", "show")  # recreates an empty store
    assert run(capsys, "wipe", "--yes")[0] == 0
    assert not home.exists()


def test_a_folder_of_other_files_is_never_adopted_or_wiped(capsys, home):
    (home / "backups").mkdir(parents=True)
    (home / "backups" / "thesis.docx").write_text("years of work")
    (home / "notes.txt").write_text("mine")
    home.chmod(0o755)
    code, _, err = run(capsys, "profile", "show")
    assert code == 2 and "already holds other files" in err
    code, _, err = run(capsys, "wipe", "--yes")
    assert code == 2
    assert (home / "backups" / "thesis.docx").read_text() == "years of work"
    assert oct(home.stat().st_mode & 0o777) == "0o755"
    assert not (home / "footprint.db").exists()


def test_wipe_keeps_everything_when_the_keyring_cannot_delete(capsys, home):
    import keyring
    from keyring.backends import fail

    from footprint.store import Store
    from footprint.store.accounts import upsert_account

    with Store.open(home) as store:
        upsert_account(store, "github", "jdoe", connection="api", secret_ref="github:jdoe")
    keyring.set_keyring(fail.Keyring())
    code, _, err = run(capsys, "wipe", "--yes")
    assert code == 2
    assert "could not delete 1 secret(s)" in err and "github:jdoe" in err
    assert (home / "footprint.db").exists()
    code, _out, _ = run(capsys, "wipe", "--yes", "--leave-secrets")
    assert code == 0 and not home.exists()


def test_wipe_works_on_a_database_it_cannot_open(capsys, home):
    run(capsys, "profile", "show")
    pretend_newer_footprint_wrote(home)
    assert run(capsys, "wipe", "--yes")[0] == 0
    assert not home.exists()


def test_wipe_needs_confirmation(capsys, home, monkeypatch):
    run(capsys, "profile", "add", "username", "jdoe")
    code, _, err = run(capsys, "wipe", stdin="", monkeypatch=monkeypatch)
    assert code == 2 and "needs confirmation" in err
    code, _, err = run(capsys, "wipe", "--stdin-confirm", stdin="no\n", monkeypatch=monkeypatch)
    assert code == 1 and "Nothing was erased" in err
    assert (home / "footprint.db").exists()
    code, _out, err = run(
        capsys, "wipe", "--stdin-confirm", stdin="wipe\n", monkeypatch=monkeypatch
    )
    assert code == 0 and "cannot be undone" in err
    assert not (home / "footprint.db").exists()


def test_demo_runs_on_a_temporary_copy(capsys, home):
    code, out, _ = run(capsys, "--demo", "profile", "show")
    assert code == 0 and "Jordan Reyes" in out
    assert not (home / "footprint.db").exists()


def test_unexpected_errors_say_so_and_hide_the_traceback(capsys, monkeypatch):
    def explode(args, ctx):
        raise RuntimeError("boom with password=hunter2hunter2")

    monkeypatch.setattr("footprint.cli.cmd_doctor", explode)
    code, _, err = run(capsys, "doctor")
    assert code == 1
    assert "unexpected error" in err and "--debug" in err and "Traceback" not in err
    code, _, err = run(capsys, "--debug", "doctor")
    assert "Traceback" in err and "hunter2hunter2" not in err


def test_sigterm_on_the_app_removes_the_demo_data(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "footprint", "--demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(tmp_path.glob("footprint-demo-*/logs")):
        time.sleep(0.1)
    time.sleep(1.0)
    assert list(tmp_path.glob("footprint-demo-*")), "the demo did not start"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0, proc.stderr.read()
    assert list(tmp_path.glob("footprint-demo-*")) == []


def _footprint(home, *argv, **env_changes):
    import os
    import subprocess
    import sys

    env = dict(os.environ, FOOTPRINT_HOME=str(home))
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-m", "footprint", *argv],
        env=env,
        capture_output=True,
        check=False,
        timeout=120,
    )


def test_exports_are_utf8_whatever_the_locale(home):
    assert _footprint(home, "profile", "add", "name", "Zoë 李").returncode == 0
    proc = _footprint(home, "export-data", PYTHONIOENCODING="cp1252")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout.decode("utf-8"))
    assert data["tables"]["person_identifiers"][0]["value"] == "Zoë 李"
    shown = _footprint(home, "profile", "show", PYTHONIOENCODING="cp1252")
    assert shown.returncode == 0 and "Zoë 李".encode() in shown.stdout


def test_no_display_is_a_clear_message_not_a_crash(home):
    proc = _footprint(home, QT_QPA_PLATFORM=None, DISPLAY=None, WAYLAND_DISPLAY=None)
    assert proc.returncode == 2
    assert b"no display" in proc.stderr and b"footprint --help" in proc.stderr


@pytest.mark.skipif(not __import__("os").path.isdir("/proc/self"), reason="needs Linux /proc")
def test_export_into_an_unwritable_folder_is_a_clear_error(capsys):
    code, _, err = run(capsys, "export-data", "--out", "/proc/footprint-export.json")
    assert code == 2 and "Could not write to /proc" in err and "unexpected" not in err
