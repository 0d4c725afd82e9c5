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


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    box = error_box(parent, exc)
    box.open()


def install_excepthook() -> None:
    """Unexpected errors on the GUI thread become a dialog instead of a silent crash."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, exc, tb))
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        show_error(None, exc)

    sys.excepthook = hook
