from __future__ import annotations

import json
import shutil

import pytest

from footprint.demo import load_demo, make_demo_home, seed
from footprint.errors import ConfigError
from footprint.store import Store


def test_bundled_demo_is_valid_and_fictional():
    data = load_demo()
    assert len(data["items"]) >= 40
    assert all("example" in email for email in data["person"]["emails"])
    assert all("555" in phone for phone in data["person"]["phones"])


def test_seed_is_idempotent(store):
    seed(store)
    seed(store)
    assert store.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 41
    assert (
        store.conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 9
    )  # 7 connected or imported + 2 confirmed found profiles
    linked = store.conn.execute("SELECT COUNT(*) FROM items WHERE account_id IS NULL").fetchone()
    assert linked[0] == 0


def test_demo_home_is_private_and_separate(home):
    demo = make_demo_home()
    try:
        assert oct(demo.stat().st_mode & 0o777) == "0o700"
        assert demo != home
        with Store.open(demo) as store:
            assert store.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 41
    finally:
        shutil.rmtree(demo)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot be read"),
        ('{"items": []}', "no 'person' object"),
        (
            '{"person": {}, "accounts": [{"platform": "x"}], "items": []}',
            "accounts[0] lacks handle",
        ),
    ],
)
def test_a_broken_demo_file_is_named(tmp_path, content, message):
    path = tmp_path / "demo.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_demo(path)


def test_demo_items_are_json_serialisable():
    json.dumps(load_demo())


def test_demo_dirs_of_killed_runs_are_removed(tmp_path):
    import subprocess
    import sys

    from footprint.demo import PID_FILE, remove_stale_demo_homes

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    stale = tmp_path / "footprint-demo-old"
    stale.mkdir()
    (stale / PID_FILE).write_text(dead)
    live = tmp_path / "footprint-demo-live"
    live.mkdir()
    (live / PID_FILE).write_text(str(__import__("os").getpid()))
    other = tmp_path / "footprint-demo-nopid"
    other.mkdir()
    assert remove_stale_demo_homes(tmp_path) == [stale]
    assert live.exists() and other.exists() and not stale.exists()
