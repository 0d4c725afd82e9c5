"""``python -m footprint.gui.qtcheck``: load Qt's platform plugin and report it (used by doctor)."""

import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtGui import QGuiApplication


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    screen = app.primaryScreen()
    size = screen.size() if screen is not None else None
    where = f", screen {size.width()}x{size.height()}" if size is not None else ""
    print(f"PySide6 {pyside_version}, platform plugin '{app.platformName()}'{where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
