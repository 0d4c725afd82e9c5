"""The core stays Qt-free: PySide6 is imported only under footprint/gui/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "footprint"


def _qt_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        else:
            continue
        if any(name == "PySide6" or name.startswith(("PySide6.", "shiboken6")) for name in names):
            lines.append(node.lineno)
    return lines


def test_pyside6_is_imported_only_under_gui():
    offenders = []
    modules = list(PACKAGE.rglob("*.py"))
    assert len(modules) > 10
    for path in modules:
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "gui":
            continue
        offenders += [f"{relative}:{line}" for line in _qt_imports(path)]
    assert offenders == [], f"PySide6 imported outside footprint/gui/: {offenders}"


def test_the_scanner_itself_catches_an_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import os\nfrom PySide6.QtCore import QObject\n"
        "import importlib\nimportlib.import_module('PySide6.QtWidgets')\n"
    )
    assert _qt_imports(bad) == [2, 4]


def test_core_modules_load_without_qt():
    core = sorted(
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for path in PACKAGE.rglob("*.py")
        if "gui" not in path.relative_to(PACKAGE).parts and path.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
