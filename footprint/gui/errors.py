"""Errors as readable dialogs with copyable details (the GUI side of errors.present)."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from footprint.errors import present

log = logging.getLogger(__name__)


def error_box(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """Build (not show) the dialog for ``exc``: its title, text, and details to copy."""
    shown = present(exc)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if shown.expected else QMessageBox.Icon.Critical)
    box.setWindowTitle(shown.title)
    box.setText(shown.text)
    if shown.details:
        box.setDetailedText(shown.details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAccessibleName(shown.title)
    return box


_open_boxes: list[QMessageBox] = []  # keeps parentless dialogs alive while they are shown


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """Show the dialog for ``exc`` without blocking; it stays until the person closes it."""
    box = error_box(parent, exc)
    _open_boxes.append(box)
    box.finished.connect(_forget_closed)
    box.open()
    return box


def _forget_closed() -> None:
    _open_boxes[:] = [box for box in _open_boxes if box.isVisible()]


def install_excepthook() -> None:
    """Unexpected errors on the GUI thread become a dialog instead of a silent crash."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, exc, tb))
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        show_error(None, exc)

    sys.excepthook = hook
