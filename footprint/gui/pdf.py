"""The report as PDF, laid out and printed by Qt (QTextDocument onto a QPdfWriter).

No browser engine.  The report's "qt" HTML comes in blocks (the header, the score, each
finding, each table...); each block is laid out by its own ``QTextDocument`` at the width
of an A4 page, and the pages are composed here: a block that fits on a page is never cut
by a page end, a section heading is never left alone at the foot of a page, and only a
block taller than a whole page (a very long table) is split, by Qt, across pages.  The
score chart is the report's SVG drawn into an image (``QSvgRenderer``) and handed to its
block as the resource its HTML names.  Each page gets a footer with "Page n of N".

Threads: nothing here creates a widget, so it may run on a worker thread (the GUI runs it
on its job thread).  Qt needs a ``QGuiApplication`` for fonts, though.  Inside the desktop
app one exists already; a command-line run has none, so :func:`ensure_gui_application`
creates one, only on the main thread and only if no Qt application exists at all (with the
"offscreen" platform when there is no display, so no window system is needed).
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QMarginsF,
    QPointF,
    QRectF,
    QSizeF,
    Qt,
    QUrl,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPdfWriter,
    QPen,
    QTextDocument,
)
from PySide6.QtSvg import QSvgRenderer

from footprint import __version__
from footprint.report import ReportError, write_private
from footprint.report.chart import history_svg
from footprint.report.html import (
    CHART_HEIGHT,
    CHART_RESOURCE,
    CHART_WIDTH,
    QtBlock,
    qt_blocks,
    qt_document,
)
from footprint.report.model import Report

PDF_TITLE = "footprint report"
RESOLUTION = 300  # dots per inch of the PDF's drawing grid
LAYOUT_DPI = 96.0  # blocks are laid out in 1/96 inch units, then scaled to the page
MARGINS_MM = QMarginsF(16, 15, 16, 12)  # left, top, right, bottom
FOOTER = 26.0  # layout units kept free at the foot of each page for the page number
CHART_SCALE = 3  # the chart image is drawn at 3x its size on the page, so it prints sharp
FONT_FAMILIES = ["Noto Sans", "DejaVu Sans", "Segoe UI", "Helvetica Neue", "Helvetica", "Arial"]
FONT_POINTS = 9.5
KEEP_WITH_HEADING = 0.4  # a heading needs this share of a page (at most) of what follows

_app: QGuiApplication | None = None  # the application created here (kept alive)


def ensure_gui_application() -> None:
    """Make sure a QGuiApplication exists (fonts need one); create it only when safe."""
    global _app
    existing = QCoreApplication.instance()
    if isinstance(existing, QGuiApplication):
        return
    if existing is not None:
        raise ReportError(
            "The PDF report cannot be made in this process (Qt runs without its graphics "
            "part here).",
            hint="Save the report as .html instead.",
        )
    if threading.current_thread() is not threading.main_thread():
        raise ReportError(
            "The PDF report could not be started from a background task.",
            hint="Save the report as .html, or make the PDF from the footprint window.",
        )
    args = [sys.argv[0] if sys.argv and sys.argv[0] else "footprint"]
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if headless and not os.environ.get("QT_QPA_PLATFORM"):
        args += ["-platform", "offscreen"]
    _app = QGuiApplication(args)


def chart_image(report: Report) -> QImage:
    """The score-history chart (the same SVG the web page shows) as a sharp image."""
    svg = history_svg(report.history, width=CHART_WIDTH, height=CHART_HEIGHT)
    image = QImage(
        CHART_WIDTH * CHART_SCALE, CHART_HEIGHT * CHART_SCALE, QImage.Format.Format_RGB32
    )
    image.fill(QColor("#ffffff"))
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    finally:
        painter.end()
    return image


def _font(points: float | None = None, pixels: int | None = None) -> QFont:
    font = QFont()
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setFamilies(FONT_FAMILIES)
    if pixels:
        font.setPixelSize(pixels)
    else:
        font.setPointSizeF(points or FONT_POINTS)
    return font


@dataclass
class _Piece:
    """Part of a laid-out block on one page: its document, which slice, and where."""

    doc: QTextDocument
    page: int
    y: float  # top on the page
    source_top: float  # top of the slice within the document
    height: float


def _laid_out(block: QtBlock, width: float, chart: QImage | None) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultFont(_font(FONT_POINTS))
    doc.setDocumentMargin(0)
    doc.setHtml(qt_document(block.html))
    if block.chart and chart is not None:
        # After setHtml (loading HTML clears the document); images are fetched at layout.
        doc.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(CHART_RESOURCE), chart)
    doc.setTextWidth(width)
    return doc


def compose(
    blocks: list[QtBlock], width: float, height: float, chart: QImage | None
) -> list[_Piece]:
    """Place the blocks on pages of ``width`` x ``height`` (layout units)."""
    docs = []
    for block in blocks:
        docs.append(_laid_out(block, width, chart))
    sizes = [doc.size().height() for doc in docs]
    pieces: list[_Piece] = []
    page, y = 0, 0.0
    for index, (block, doc, size) in enumerate(zip(blocks, docs, sizes, strict=True)):
        gap = block.space_before if y > 0 else 0.0
        need = gap + size
        if block.keep_with_next and index + 1 < len(docs):
            need += blocks[index + 1].space_before + min(
                sizes[index + 1], height * KEEP_WITH_HEADING
            )
        if y > 0 and y + min(need, height) > height:
            page, y, gap = page + 1, 0.0, 0.0
        y += gap
        if y + size <= height:
            pieces.append(_Piece(doc, page, y, 0.0, size))
            y += size
            continue
        # Taller than a page: it starts a page, and Qt splits it (by lines, by table rows)
        # at each page end.
        if y > 0:
            page, y = page + 1, 0.0
        doc.setPageSize(QSizeF(width, height))
        end = doc.documentLayout().blockBoundingRect(doc.lastBlock()).bottom()
        top = 0.0
        while True:
            part = min(height, end - top)
            pieces.append(_Piece(doc, page, 0.0, top, part))
            top += height
            if top >= end - 0.5:
                y = part
                break
            page += 1
    return pieces


def _footer(painter: QPainter, width: float, top: float, page: int, pages: int, label: str) -> None:
    painter.setPen(QPen(QColor("#d5dae1"), 0.75))
    painter.drawLine(QPointF(0, top + 6), QPointF(width, top + 6))
    painter.setFont(_font(pixels=10))
    painter.setPen(QColor("#5b6675"))
    box = QRectF(0, top + 9, width, FOOTER - 9)
    painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), label)
    painter.drawText(
        box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), f"Page {page} of {pages}"
    )


def _page_layout() -> QPageLayout:
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        MARGINS_MM,
        QPageLayout.Unit.Millimeter,
    )


@dataclass
class _Pages:
    """The report composed into pages at one resolution."""

    pieces: list[_Piece]
    count: int
    width: float  # layout units
    height: float  # layout units, without the footer
    scale: float  # device pixels per layout unit
    label: str


def _compose_pages(report: Report, resolution: int) -> _Pages:
    scale = resolution / LAYOUT_DPI
    paint = _page_layout().paintRectPixels(resolution)
    width = paint.width() / scale
    height = paint.height() / scale - FOOTER
    chart = chart_image(report) if report.history else None
    pieces = compose(qt_blocks(report), width, height, chart)
    count = max(1, pieces[-1].page + 1 if pieces else 1)
    label = f"footprint report \u00b7 {report.title}"
    if report.redacted:
        label += " \u00b7 evidence hidden"
    return _Pages(pieces, count, width, height, scale, label)


def _paint_page(painter: QPainter, pages: _Pages, page: int) -> None:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Text, QColor("#1f2933"))
    painter.save()
    painter.scale(pages.scale, pages.scale)
    for piece in (p for p in pages.pieces if p.page == page):
        painter.save()
        painter.translate(0, piece.y - piece.source_top)
        clip = QRectF(0, piece.source_top, pages.width, piece.height)
        painter.setClipRect(clip)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.clip = clip
        context.palette = palette
        piece.doc.documentLayout().draw(painter, context)
        painter.restore()
    _footer(painter, pages.width, pages.height, page + 1, pages.count, pages.label)
    painter.restore()


def render_pdf(report: Report) -> bytes:
    """The report as the bytes of an A4 PDF (title metadata "footprint report")."""
    ensure_gui_application()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(_page_layout())
    writer.setTitle(PDF_TITLE)
    writer.setCreator(f"footprint {__version__}")
    pages = _compose_pages(report, writer.resolution())
    painter = QPainter()
    if not painter.begin(writer):
        raise ReportError("Qt could not start writing the PDF.", hint="Save it as .html.")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for page in range(pages.count):
            if page:
                writer.newPage()
            _paint_page(painter, pages, page)
    finally:
        painter.end()
    buffer.close()
    return bytes(buffer.data().data())


def page_images(report: Report, *, first: int = 1, dpi: int = 110) -> list[QImage]:
    """The first ``first`` pages as images, exactly as the PDF lays them out (for a preview
    or a screenshot): white A4 pages with the margins."""
    ensure_gui_application()
    layout = _page_layout()
    pages = _compose_pages(report, dpi)
    full = layout.fullRectPixels(dpi)
    paint = layout.paintRectPixels(dpi)
    images = []
    for page in range(min(first, pages.count)):
        image = QImage(full.width(), full.height(), QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.translate(paint.left(), paint.top())
            _paint_page(painter, pages, page)
        finally:
            painter.end()
        images.append(image)
    return images


def write_pdf(report: Report, path: Path) -> Path:
    """Render ``report`` and write it to ``path`` (atomically, owner-only)."""
    return write_private(Path(path), render_pdf(report))
