"""The core tier imports neither Qt nor qgis, as the import-linter contract says."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_linter_contracts_hold():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_the_whole_core_loads_no_qt():
    code = (
        "import pkgutil, importlib, sys, gridgis.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'gridgis.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('qgis', 'PyQt5', 'PyQt6', 'PySide6', 'qtpy')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_core_passes_strict_type_checking():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "mypy"), "gridgis/core"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_passes_the_linter():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ruff"), "check", "--quiet", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
