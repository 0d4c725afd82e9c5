"""The Qt binding must not wear out None (PySide6 6.12.0 on Python 3.11 does).

That build drops one reference to ``None`` on every call of a Qt method that returns
nothing; after a few thousand calls the interpreter aborts with "deallocating None".  A
desktop app makes that many calls in minutes, so pyproject.toml excludes it; this test
fails loudly if such a build is ever installed again.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QRectF


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_void_qt_calls_keep_none_alive():
    rect = QRectF()
    before = sys.getrefcount(None)
    for _ in range(2000):
        rect.setWidth(1.0)
    assert sys.getrefcount(None) > before - 100, (
        "This PySide6 build loses a reference to None per call; install the version "
        "pyproject.toml pins."
    )
