"""Render the pictures in ``docs/`` from the demo district.

QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qgis.PyQt.QtCore import QEventLoop, QTimer  # noqa: E402

from gridgis.core.i18n import set_language  # noqa: E402
from gridgis.qgis.runtime import start_qgis  # noqa: E402


def main_window(path: Path) -> None:
    """The main window on the demo district, 1600 × 1000."""
    from gridgis.app.window import MainWindow

    window = MainWindow()
    window.open_project(ROOT / "data" / "demo.gpkg")
    window.resize(1600, 1000)
    window.show()
    loop = QEventLoop()
    window.canvas.mapCanvasRefreshed.connect(loop.quit)
    QTimer.singleShot(30000, loop.quit)
    window.canvas.refresh()
    loop.exec_()
    window.grab().save(str(path))
    print("wrote", path)


if __name__ == "__main__":
    set_language("zh")
    start_qgis(gui=True)
    (ROOT / "docs").mkdir(exist_ok=True)
    main_window(ROOT / "docs" / "main-window.png")
