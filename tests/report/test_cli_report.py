"""``footprint report --out FILE``."""

from __future__ import annotations

from footprint.cli import main
from footprint.demo import seed
from footprint.store import Store


def test_report_from_the_terminal(capsys, home, tmp_path):
    with Store.open(home) as store:
        seed(store)
    target = tmp_path / "me.html"
    assert main(["report", "--out", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"Wrote the report (with the evidence) to {target}" in out
    page = target.read_text(encoding="utf-8")
    assert "What an employer sees" in page and "counting down the days" in page
    assert main(["report", "--out", str(target), "--redact"]) == 0
    assert "counting down the days" not in target.read_text(encoding="utf-8")
    assert main(["report", "--out", str(tmp_path / "me.docx")]) == 2
    assert "Name the file .html" in capsys.readouterr().err
