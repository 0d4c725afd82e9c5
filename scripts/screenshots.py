"""Render every page of the demo profile to PNG (offscreen), for the README and docs.

python scripts/screenshots.py [OUT_DIR]     (default: docs/screenshots)
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    from footprint.demo import make_demo_home
    from footprint.gui.app import application
    from footprint.gui.main_window import PAGES, MainWindow

    home = make_demo_home()
    try:
        app = application()
        window = MainWindow(home, demo=True)
        window.resize(1100, 800)
        window.show()
        app.processEvents()
        for key, *_rest in PAGES:
            window.go(key)
            for _ in range(3):
                app.processEvents()
            target = out / f"{key}.png"
            window.grab().save(str(target))
            print(target)
        from footprint.gui.connect import ConnectDialog

        dialog = ConnectDialog(window.ctx, window)
        dialog.choose("bluesky")
        dialog.show()
        app.processEvents()
        target = out / "connect.png"
        dialog.grab().save(str(target))
        print(target)
        dialog.reject()
        window.show_wizard()
        window.wizard.next()
        app.processEvents()
        target = out / "first-run.png"
        window.wizard.grab().save(str(target))
        print(target)
        window.wizard.reject()
        from footprint.gui.pdf import page_images
        from footprint.report import build_report
        from footprint.store import Store

        with Store.open(home) as store:
            report = build_report(store, limit=150)
        target = out / "report.png"
        page_images(report, first=1, dpi=80)[0].save(str(target))
        print(target)
        window.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
