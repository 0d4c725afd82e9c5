"""GUI fixtures: a main window over a fresh (or demo) data folder, closed after the test."""

from __future__ import annotations

import pytest

from footprint.demo import seed
from footprint.gui.main_window import MainWindow
from footprint.store import Store
from tests.connectors.fakes import fake_gravatar  # noqa: F401  (fixtures)
from tests.exposure.fakes import fake_hibp  # noqa: F401


@pytest.fixture
def window(qtbot, home):
    made: list[MainWindow] = []

    def make(*, demo: bool = False, seeded: bool = False) -> MainWindow:
        if seeded:
            with Store.open(home) as store:
                seed(store)
        win = MainWindow(home, demo=demo)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        made.append(win)
        return win

    yield make
    for win in made:
        win.ctx.worker.stop()


def wait_job(qtbot, job, timeout: int = 20000):
    """Process events until ``job`` has ended and its signals have arrived."""
    qtbot.waitUntil(lambda: not job.running, timeout=timeout)
    qtbot.wait(120)  # the queued progress / ended signals
    return job
