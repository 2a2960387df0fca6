"""Render the pictures in ``docs/`` from the demo district.

QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qgis.core import QgsProject  # noqa: E402
from qgis.PyQt.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402

from gridgis.app.i18n import install_language  # noqa: E402
from gridgis.qgis.runtime import start_qgis  # noqa: E402

#: The grid shown in the inspector.
GRID = "320599001001003"


def _render(window) -> None:
    loop = QEventLoop()
    window.canvas.mapCanvasRefreshed.connect(loop.quit)
    QTimer.singleShot(30000, loop.quit)
    window.canvas.refresh()
    loop.exec_()


def main_window(path: Path, work: Path) -> None:
    """The main window on the demo district, 1600 × 1000, a grid selected."""
    from gridgis.app.window import MainWindow

    demo = work / "demo.gpkg"
    shutil.copyfile(ROOT / "data" / "demo.gpkg", demo)
    settings = QSettings(str(work / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(QgsProject(), settings)
    window.resize(1600, 1000)
    window.show()
    window.open_project(demo)
    window.hierarchy_dock.show_row("grid", GRID)
    window.hierarchy_dock.expand_community(GRID[:12])
    window.zoom_full()
    window.use_tool("select")
    window.canvas.xyCoordinates.emit(window.canvas.extent().center())
    _render(window)
    window.grab().save(str(path))
    window.canvas.stopRendering()
    window.canvas.waitWhileRendering()
    window.undo_stack.setClean()
    window.close()
    print("wrote", path)


if __name__ == "__main__":
    start_qgis(gui=True)
    install_language("zh")
    (ROOT / "docs").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        main_window(ROOT / "docs" / "main-window.png", Path(tmp))
