"""The checklist from the command line: scan, findings, dismiss, check --stdin, score."""

from __future__ import annotations

import json

from footprint.store import Store
from footprint.store.items import Item, upsert_items
from tests.test_cli import run


def _seed(home):
    with Store.open(home) as store:
        upsert_items(
            store,
            [
                Item(
                    "x",
                    "post",
                    "1",
                    text="so drunk lmao",
                    created_at="2024-01-01T00:00:00+00:00",
                    url="https://x.com/me/status/1",
                    visibility="public",
                    source="t",
                ),
                Item(
                    "x", "post", "2", text="text me 415-555-0132", visibility="public", source="t"
                ),
                Item("x", "post", "3", text="a quiet day", visibility="public", source="t"),
            ],
        )


def test_scan_then_findings_jsonl(capsys, home):
    _seed(home)
    code, out, _ = run(capsys, "scan")
    assert code == 0 and "checked 3 item(s)" in out and "/100" in out
    code, out, _ = run(capsys, "findings", "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 2
    required = {
        "id",
        "rule",
        "category",
        "severity",
        "platform",
        "item_key",
        "created_at",
        "url",
        "evidence",
        "state",
    }
    assert all(required <= row.keys() for row in rows)
    drunk = next(r for r in rows if r["category"] == "alcohol")
    assert drunk["item_key"] == "x/post/1" and drunk["url"] == "https://x.com/me/status/1"
    assert drunk["evidence"][0]["match"] == "drunk"


def test_findings_filters_and_table(capsys, home):
    _seed(home)
    run(capsys, "scan")
    code, out, _ = run(capsys, "findings", "--category", "alcohol")
    assert code == 0 and "alcohol" in out and "personal_data" not in out
    code, out, _ = run(capsys, "findings", "--min-severity", "high", "--format", "jsonl")
    assert out == ""
    code, out, _ = run(capsys, "findings", "--state", "nonsense")
    assert code == 2


def test_dismiss_needs_a_reason_and_sticks(capsys, home):
    _seed(home)
    run(capsys, "scan")
    _, out, _ = run(capsys, "findings", "--format", "jsonl", "--category", "alcohol")
    fid = json.loads(out)["id"]
    code, _, err = run(capsys, "dismiss", str(fid))
    assert code == 2 and "reason" in err
    code, out, _ = run(capsys, "dismiss", str(fid), "--reason", "a joke")
    assert code == 0 and "stays dismissed" in out
    run(capsys, "scan", "--full")
    _, out, _ = run(capsys, "findings", "--format", "jsonl", "--state", "dismissed")
    assert json.loads(out)["state_reason"] == "a joke"
    code, _, err = run(capsys, "dismiss", "999", "--reason", "x")
    assert code == 2 and "no finding 999" in err


def test_check_stdin(capsys, monkeypatch):
    code, out, _ = run(
        capsys,
        "check",
        "--stdin",
        "--no-model",
        stdin="this bug is killing me\nf**k this\n",
        monkeypatch=monkeypatch,
    )
    first, second = (json.loads(line) for line in out.splitlines())
    assert code == 0
    assert first == {"text": "this bug is killing me", "categories": [], "findings": []}
    assert second["categories"] == ["profanity"]
    assert second["findings"][0]["evidence"][0] == {"start": 0, "end": 4, "match": "f**k"}


def test_score_history(capsys, home):
    _seed(home)
    run(capsys, "scan")
    run(capsys, "scan")
    code, out, _ = run(capsys, "score", "--history")
    assert code == 0 and out.count("#") >= 2 and "Your footprint score is" in out
