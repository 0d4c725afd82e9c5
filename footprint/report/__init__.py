"""The "what an employer sees" report: HTML (self-contained) or PDF (through Qt).

:func:`write_report` is what the CLI and the GUI call.  The report holds personal data, so
the file is written owner-only (0600) and atomically: a complete report or no file at all.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from footprint.errors import FootprintError, InputError
from footprint.report.html import render_html
from footprint.report.model import Report, build_report

if TYPE_CHECKING:
    from footprint.store.database import Store

__all__ = [
    "DEFAULT_LIMIT",
    "FORMATS",
    "Report",
    "ReportError",
    "build_report",
    "render_html",
    "render_pdf",
    "write_private",
    "write_report",
]

FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf"}
# Findings listed per part of a written report, most serious first; the rest are counted
# (a report is read by a person: the findings list in the app shows every one).
DEFAULT_LIMIT = 150


class ReportError(FootprintError):
    title = "The report could not be made"


def report_format(path: Path) -> str:
    """``"html"`` or ``"pdf"`` from the file name, or an InputError saying what works."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        shown = path.suffix or "no extension"
        raise InputError(
            f"footprint cannot write a report as {shown} ({path.name}).",
            hint="Name the file .html (a page any browser opens) or .pdf (to print or send).",
        )
    return kind


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and owner-only; no half file on any error."""
    path = Path(path).expanduser()
    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"{path} is a folder.", hint="Give a file name, such as report.html.")
    if not directory.is_dir():
        raise InputError(
            f"The folder {directory} does not exist.",
            hint="Create it first, or choose another folder for the report.",
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise InputError(
            f"footprint cannot write in {directory}: {exc.strerror or exc}.",
            hint="Choose a folder you can write to.",
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise InputError(
            f"footprint could not write the report to {path}: {exc.strerror or exc}.",
            hint="Check that there is free disk space and that you may write there.",
        ) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes (needs the desktop part: PySide6)."""
    try:
        from footprint.gui.pdf import render_pdf as qt_render
    except ImportError as exc:
        raise ReportError(
            "A PDF report needs footprint's desktop part (Qt), which is not installed.",
            hint="Install footprint with its desktop part, or name the file .html: the HTML "
            "report works everywhere and prints well.",
            details=str(exc),
        ) from exc
    return qt_render(report)


def write_report(
    store: Store,
    path: Path,
    *,
    redact: bool = False,
    now: datetime | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> Path:
    """Build the report from ``store`` and write it to ``path`` (.html, .htm or .pdf).

    ``redact`` hides the evidence itself (for sharing); ``limit`` caps the findings listed
    per part (None: all).  Returns the path written.
    """
    path = Path(path).expanduser()
    kind = report_format(path)
    report = build_report(store, redact=redact, now=now, limit=limit)
    data = render_html(report).encode("utf-8") if kind == "html" else render_pdf(report)
    return write_private(path, data)
