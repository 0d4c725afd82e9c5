"""Reports & data: the report is written on the worker, as PDF or HTML, redacted on request."""

from __future__ import annotations

from pypdf import PdfReader
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

# A phrase of one of the demo person's flagged posts (resources/demo/demo.json).
PHRASE = "counting down the days"


def test_the_report_is_saved_as_pdf_and_html_and_opened(window, qtbot, tmp_path, monkeypatch):
    win = window(demo=True, seeded=True)
    win.go("data")
    page = win.page("data")
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    pdf = tmp_path / "report.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(pdf), ""))
    page.pdf_button.click()
    assert not page.pdf_button.isEnabled()  # one report at a time
    qtbot.waitUntil(lambda: page.pdf_button.isEnabled(), timeout=30000)
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages)
    assert "What an employer sees" in text and PHRASE in text
    assert opened == [str(pdf)]

    page.redact.setChecked(True)
    page.open_after.setChecked(False)
    html_file = tmp_path / "shared"  # no suffix given: the button's format is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(html_file), ""))
    page.html_button.click()
    qtbot.waitUntil(lambda: page.html_button.isEnabled(), timeout=30000)
    written = (tmp_path / "shared.html").read_text(encoding="utf-8")
    assert "What an employer sees" in written
    assert PHRASE not in written and "evidence hidden" in written
    assert opened == [str(pdf)]
    assert (tmp_path / "shared.html").stat().st_mode & 0o777 == 0o600
