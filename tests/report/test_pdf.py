"""The PDF report: rendered by Qt offscreen, read back with pypdf."""

from __future__ import annotations

import io
import os
import stat
import threading
import unicodedata

import pytest

from footprint.report import write_report
from footprint.report.model import build_report
from tests.report.conftest import EMAIL, HIDDEN_SECRET, KEYRING_SECRET, NOW, PHRASE, SECRET_REF

pypdf = pytest.importorskip("pypdf")


@pytest.fixture
def render(qapp):
    # qapp: the tests' QApplication exists before footprint would create one of its own.
    from footprint.gui.pdf import render_pdf

    return render_pdf


def pdf_text(data: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    # Ligatures (fi, fl) come back as single characters; spacing varies by line.
    return " ".join(unicodedata.normalize("NFKC", text).split()), reader


def test_the_pdf_holds_the_score_the_sections_and_the_flagged_words(full_store, render):
    report = build_report(full_store, now=NOW)
    data = render(report)
    assert data.startswith(b"%PDF")
    text, reader = pdf_text(data)
    assert reader.metadata.title == "footprint report"
    assert f"Your footprint score is {report.score.value}/100" in text
    assert "What a screener would flag" in text
    assert "Protected traits (may invite bias)" in text
    assert "How to read this" in text
    assert f"So DRUNK at the {PHRASE} party" in text
    assert "Page 1 of" in text
    assert "Adobe breach (2013)" in text
    for secret in (KEYRING_SECRET, HIDDEN_SECRET, SECRET_REF):
        assert secret not in text
    # A4 portrait.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_a_redacted_pdf_has_no_evidence(full_store, render):
    text, _ = pdf_text(render(build_report(full_store, now=NOW, redact=True)))
    assert "What a screener would flag" in text
    assert "Alcohol and partying" in text
    assert "evidence hidden" in text
    assert PHRASE not in text
    assert "DRUNK" not in text
    assert EMAIL not in text


def test_the_chart_is_an_image_in_the_pdf(full_store, render):
    data = render(build_report(full_store, now=NOW))
    _, reader = pdf_text(data)
    sizes = []
    for page in reader.pages:
        objects = page["/Resources"].get("/XObject") or {}
        for ref in objects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                sizes.append((int(obj["/Width"]), int(obj["/Height"])))
    assert sizes, "the score chart should be embedded as an image"
    # Drawn at 3x its size on the page, so it prints sharp.
    assert (640 * 3, 220 * 3) in sizes


def test_an_empty_store_makes_a_one_page_pdf(store, render):
    text, reader = pdf_text(render(build_report(store, now=NOW)))
    assert "Nothing found yet" in text
    assert len(reader.pages) == 1


def test_the_demo_pdf(store, render):
    from footprint.demo import seed

    seed(store)
    text, reader = pdf_text(render(build_report(store)))
    assert len(reader.pages) >= 3
    assert "so drunk right now" in text
    assert "Jordan Reyes" in text


def test_write_report_writes_an_owner_only_pdf(full_store, qapp, tmp_path):
    path = write_report(full_store, tmp_path / "report.PDF", now=NOW)
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_pdf_can_be_made_on_a_worker_thread(full_store, render):
    report = build_report(full_store, now=NOW)
    result: dict[str, object] = {}

    def work():
        try:
            result["data"] = render(report)
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert "error" not in result, result.get("error")
    data = result["data"]
    assert isinstance(data, bytes) and data.startswith(b"%PDF")
    assert PHRASE in pdf_text(data)[0]


def test_long_findings_stay_on_one_page(full_store, render):
    """Findings are not cut by a page end (each is kept whole when it fits on a page)."""
    from tests.report.conftest import add_finding

    with full_store.transaction():
        for n in range(40):
            add_finding(
                full_store,
                rule="content.profanity",
                category="profanity",
                severity="low",
                subject=f"item:many{n}",
                evidence=[{"field": "text", "match": "darn", "excerpt": f"darn number {n} " * 8}],
                title=f"Finding number {n:02d}",
            )
    data = render(build_report(full_store, now=NOW))
    _, reader = pdf_text(data)
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    for n in range(40):
        title = f"Finding number {n:02d}"
        (page,) = [i for i, text in enumerate(pages) if title in text]
        # Its "why" (the last line of the finding) is on the same page as its title.
        after = pages[page][pages[page].index(title) :]
        assert "Why this matters." in after, title


def test_making_pdfs_does_not_wear_out_none(full_store, render):
    """Some PySide6 builds drop a reference to None per void call (tests/gui/test_binding.py);
    many PDFs in one process must not run None's count down."""
    import sys

    report = build_report(full_store, now=NOW)
    render(report)
    before = sys.getrefcount(None)
    for _ in range(5):
        render(report)
    assert sys.getrefcount(None) >= before - 50


def test_a_command_line_run_makes_its_own_qt_application(tmp_path):
    """No Qt application and no display (a CLI run on a server): the PDF is still made,
    and the process exits cleanly."""
    import subprocess
    import sys

    target = tmp_path / "out" / "demo.pdf"
    target.parent.mkdir()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from footprint.demo import seed\n"
        "from footprint.report import write_report\n"
        "from footprint.store import Store\n"
        "with Store.open() as store:\n"
        "    seed(store)\n"
        "    write_report(store, Path(sys.argv[1]))\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "print(type(QCoreApplication.instance()).__name__)\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }
    env["FOOTPRINT_HOME"] = str(tmp_path / "home")
    proc = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "QGuiApplication"
    text, _ = pdf_text(target.read_bytes())
    assert "What a screener would flag" in text and "Jordan Reyes" in text


def test_pages_render_as_images_for_a_preview(full_store):
    from footprint.gui.pdf import page_images

    report = build_report(full_store, now=NOW)
    [first, second] = page_images(report, first=2, dpi=60)
    # A4 at 60 dpi: 8.27 x 11.69 inches.
    assert abs(first.width() - 496) <= 1 and abs(first.height() - 701) <= 1
    assert not second.isNull()
    # Not a blank page: some pixels are dark (the text).
    dark = sum(
        1
        for x in range(0, first.width(), 4)
        for y in range(0, first.height(), 4)
        if first.pixelColor(x, y).lightness() < 100
    )
    assert dark > 200
