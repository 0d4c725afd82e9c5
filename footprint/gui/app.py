"""Start the desktop app."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from footprint import APP_NAME, __version__
from footprint.errors import FootprintError
from footprint.gui.errors import error_box, install_excepthook
from footprint.gui.main_window import MainWindow

APP_ID = "org.footprint_app.Footprint"


def application() -> QApplication:
    """The QApplication, created once with footprint's identity (name, desktop file)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    QCoreApplication.setOrganizationDomain("footprint-app.org")
    QApplication.setDesktopFileName(APP_ID)
    app = QApplication(sys.argv[:1])
    app.setApplicationDisplayName("footprint")
    return app


def run(home: Path, *, demo: bool = False) -> int:
    app = application()
    install_excepthook()
    try:
        window = MainWindow(home, demo=demo)
    except Exception as exc:  # a desktop launcher shows no stderr: always a dialog
        error_box(None, exc).exec()
        return 2 if isinstance(exc, FootprintError) else 1
    window.show()
    if os.environ.get("FOOTPRINT_STARTUP_PROBE"):  # benchmarks/gui_responsiveness.py
        QTimer.singleShot(0, _Quitter.first_window)
    elif window.needs_setup():
        window.show_wizard()
    _quit_on_signals(app)
    return app.exec()


def _quit_on_signals(app: QApplication) -> None:
    """Ctrl+C and SIGTERM close the app cleanly (so the demo's temporary data is removed).

    Python runs signal handlers only between bytecodes; a slow timer gives it the chance
    while Qt's event loop is waiting.
    """
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _Quitter.handle)
    timer = QTimer(app)
    timer.setInterval(300)
    timer.timeout.connect(_Quitter.tick)
    timer.start()


class _Quitter:
    @staticmethod
    def handle(signum: int, frame: object) -> None:
        QApplication.quit()

    @staticmethod
    def first_window() -> None:
        """The window has been shown and its first events handled: say so and quit."""
        print("first-window", flush=True)
        QApplication.quit()

    @staticmethod
    def tick() -> None:
        """Nothing to do: the timer only lets Python run pending signal handlers."""
