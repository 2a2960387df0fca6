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


def import_dialog(path: Path) -> None:
    """The import dialog on a GBK survey shapefile without .cpg, checked."""
    import shapefile
    from pyproj import CRS

    from gridgis.app.dialogs import ImportDialog
    from gridgis.core.store import open_project

    work = Path(tempfile.mkdtemp())
    shutil.copyfile(ROOT / "data" / "demo.gpkg", work / "demo.gpkg")
    writer = shapefile.Writer(
        str(work / "楼栋调查"), shapeType=shapefile.POLYGON, encoding="gbk"
    )
    for name, size in (
        ("楼栋编号", 20),
        ("幢号", 10),
        ("门牌地址", 80),
        ("户数", 6),
        ("层数", 4),
        ("使用性质", 10),
    ):
        writer.field(name, "C" if size > 6 else "N", size=size)
    for k in range(12):
        x, y = 558200 + 30 * k, 3463400
        writer.poly([[(x, y), (x, y + 20), (x + 18, y + 20), (x + 18, y), (x, y)]])
        writer.record(
            f"SV{k + 1:04d}", f"{k + 1}幢", f"十全街{101 + 2 * k}号", 24 + k, 6, "住宅"
        )
    writer.close()
    (work / "楼栋调查.prj").write_text(CRS.from_epsg(4549).to_wkt("WKT1_ESRI"))
    dialog = ImportDialog(
        open_project(work / "demo.gpkg"), work / "楼栋调查.shp", layer="buildings"
    )
    dialog.show()
    dialog.check()
    dialog.grab().save(str(path))
    shutil.rmtree(work)
    print("wrote", path)


if __name__ == "__main__":
    start_qgis(gui=True)
    install_language("zh")
    (ROOT / "docs").mkdir(exist_ok=True)
    if "--only-import" not in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            main_window(ROOT / "docs" / "main-window.png", Path(tmp))
    import_dialog(ROOT / "docs" / "import-dialog.png")
