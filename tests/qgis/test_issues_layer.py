"""Findings written by ``gridgis validate --write-layer`` show on the map in QGIS."""

import gc

import pytest
from click.testing import CliRunner
from qgis.core import QgsMapRendererSequentialJob, QgsMapSettings, QgsRectangle
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

from gridgis.cli import main
from gridgis.qgis.layers import open_layer

pytestmark = pytest.mark.qgis


def test_the_issues_layer_opens_and_draws_the_findings(demo_copy, tmp_path):
    result = CliRunner().invoke(
        main, ["--lang", "zh", "validate", str(demo_copy), "--write-layer"]
    )
    assert result.exit_code == 1, result.output
    issues = open_layer(demo_copy, "issues", language="zh")
    grids = open_layer(demo_copy, "grids", language="zh")
    assert issues.isValid()
    assert issues.crs().authid() == "EPSG:4549"
    assert issues.featureCount() == 4
    names = [issues.attributeDisplayName(i) for i in range(issues.fields().count())]
    assert "所属社区编码" in names
    assert {f["rule"] for f in issues.getFeatures()} == {
        "topology.gap", "topology.overlap", "capacity.above_band",
        "staffing.missing_role",
    }  # fmt: skip
    gap = next(f for f in issues.getFeatures() if f["rule"] == "topology.gap")
    assert "请把这块区域并入相邻网格" in gap["message_zh"]
    # Drawn over the grids, the gap shows in the issues' red.
    box = gap.geometry().boundingBox()
    view = QgsRectangle(box)
    view.grow(60)
    settings = QgsMapSettings()
    settings.setLayers([issues, grids])
    settings.setDestinationCrs(issues.crs())
    settings.setExtent(view)
    settings.setOutputSize(QSize(600, 600))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(str(tmp_path / "gap.png"))
    reds = sum(
        1
        for x in range(0, 600, 3)
        for y in range(0, 600, 3)
        if _reddish(QColor(image.pixel(x, y)))
    )
    # Release the renderer and the layers while QGIS is still running.
    del job, settings, image, issues, grids, gap
    gc.collect()
    assert reds > 50


def _reddish(colour: QColor) -> bool:
    return colour.red() > 180 and colour.green() < 120 and colour.blue() < 120
