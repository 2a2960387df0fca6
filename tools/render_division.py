"""Render a demo community before and after automatic division (docs/divide.png).

The demo district is copied, one community is divided with ``gridgis divide``'s
engine and written, and both states are drawn with GridGIS's own QGIS layer styles.

QT_QPA_PLATFORM=offscreen .venv/bin/python tools/render_division.py [CODE]
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

from qgis.core import (  # noqa: E402
    QgsMapRendererCustomPainterJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QRectF, QSize, Qt  # noqa: E402
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter  # noqa: E402

from gridgis.core.divide import apply_division, divide_community  # noqa: E402
from gridgis.core.i18n import set_language  # noqa: E402
from gridgis.core.store import open_project  # noqa: E402
from gridgis.qgis.layers import load_project  # noqa: E402
from gridgis.qgis.runtime import start_qgis  # noqa: E402

PANEL = 900
TITLE = 56
CAPTION = 64
LAYERS = ("facilities", "buildings", "grids", "roads", "communities")
FONT = "Noto Sans CJK SC"


def render(path: Path, extent: QgsRectangle) -> QImage:
    """The map of ``path`` over ``extent`` as a PANEL × PANEL image."""
    project = QgsProject()
    layers = load_project(path, project, layers=LAYERS, language="zh")
    for name, layer in layers.items():
        if not (layer.isValid() and layer.crs().isValid()):
            raise SystemExit(f"layer {name} of {path} did not open in QGIS")
    settings = QgsMapSettings()
    settings.setLayers([layers[name] for name in LAYERS])
    settings.setDestinationCrs(project.crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(PANEL, PANEL))
    settings.setBackgroundColor(QColor("white"))
    settings.setFlag(QgsMapSettings.Antialiasing, True)
    image = QImage(QSize(PANEL, PANEL), QImage.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    job = QgsMapRendererCustomPainterJob(settings, painter)
    job.start()
    job.waitForFinished()
    painter.end()
    return image


def main(code: str, out: Path) -> None:
    """Divide community ``code`` of a copy of the demo; draw before and after."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.gpkg"
        shutil.copyfile(ROOT / "data" / "demo.gpkg", path)
        store = open_project(path)
        community = store.read("communities", where={"code": code})
        name = str(community["name"].iloc[0])
        minx, miny, maxx, maxy = community.total_bounds
        pad = 0.04 * max(maxx - minx, maxy - miny)
        side = max(maxx - minx, maxy - miny) + 2 * pad
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        extent = QgsRectangle(
            cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2
        )
        before = render(path, extent)
        division = divide_community(store, code)
        apply_division(store, division)
        after = render(path, extent)
        report = division.report

    width = 2 * PANEL + 30
    image = QImage(QSize(width, PANEL + TITLE + CAPTION), QImage.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    titles = (
        f"{name}:划分前(没有网格)",
        f"{name}:自动划分后({report.grids} 个网格)",
    )
    for k, (panel, title) in enumerate(zip((before, after), titles, strict=True)):
        x = k * (PANEL + 30)
        painter.setFont(QFont(FONT, 20, QFont.Bold))
        painter.setPen(QColor("#222222"))
        painter.drawText(QRectF(x, 0, PANEL, TITLE), Qt.AlignCenter, title)
        painter.drawImage(x, TITLE, panel)
        painter.setPen(QColor("#999999"))
        painter.drawRect(QRectF(x, TITLE, PANEL - 1, PANEL - 1))
    caption = (
        f"户数范围 {report.band[0]}–{report.band[1]}:{report.in_band}/"
        f"{report.residential} 个居民网格在范围内 · 每格 {report.households_min}–"
        f"{report.households_max} 户 · 紧凑度中位 {report.compactness_median:.2f} · "
        f"边界沿道路 {report.road_share:.0%} · 切割建筑 {report.buildings_cut} 栋 · "
        f"用时 {report.seconds:.2f} 秒"
    )
    painter.setFont(QFont(FONT, 15))
    painter.setPen(QColor("#333333"))
    painter.drawText(QRectF(0, PANEL + TITLE, width, CAPTION), Qt.AlignCenter, caption)
    painter.end()
    out.parent.mkdir(exist_ok=True)
    image.save(str(out))
    print("wrote", out)


if __name__ == "__main__":
    set_language("zh")
    start_qgis(gui=True)
    main(
        sys.argv[1] if len(sys.argv) > 1 else "320599002002",
        ROOT / "docs" / "divide.png",
    )
