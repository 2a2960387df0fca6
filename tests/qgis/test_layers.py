"""GridGIS files in QGIS 3.22: every layer valid, CRS kept, Chinese intact, aliases set."""

import subprocess

import geopandas as gpd
import pytest
from pyproj import Transformer
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
)
from shapely.geometry import Point

from gridgis.core import schema
from gridgis.core.store import open_project
from gridgis.qgis.layers import MAP_ORDER, load_project, open_layer
from tests.conftest import SYSTEM_PYTHON

pytestmark = pytest.mark.qgis


def test_pypi_geo_stack_and_system_qgis_share_one_process(tmp_path):
    path = tmp_path / "wheels.gpkg"
    frame = gpd.GeoDataFrame(
        {"name": ["幸福里社区", "桃园社区"]},
        geometry=[Point(120.62, 31.30), Point(120.65, 31.28)],
        crs=4490,
    ).to_crs(4549)
    frame.to_file(path, layer="sites", engine="pyogrio", VERSION="1.2")
    layer = QgsVectorLayer(f"{path}|layername=sites", "sites", "ogr")
    assert layer.isValid()
    assert layer.crs().authid() == "EPSG:4549"
    assert [f["name"] for f in layer.getFeatures()] == ["幸福里社区", "桃园社区"]
    ours = Transformer.from_crs(4490, 4549, always_xy=True).transform(120.62, 31.30)
    qgis = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4490"),
        QgsCoordinateReferenceSystem("EPSG:4549"),
        QgsProject.instance(),
    ).transform(QgsPointXY(120.62, 31.30))
    assert abs(qgis.x() - ours[0]) < 0.01
    assert abs(qgis.y() - ours[1]) < 0.01
    first = next(layer.getFeatures()).geometry().asPoint()
    assert abs(first.x() - frame.geometry[0].x) < 1e-6


@pytest.mark.parametrize("name", schema.LAYER_NAMES)
def test_every_demo_layer_opens_valid_in_qgis(demo_copy, name):
    layer = open_layer(demo_copy, name, language="zh")
    store = open_project(demo_copy)
    assert layer.isValid()
    assert layer.featureCount() == store.count(name)
    lyr = schema.layer(name)
    if lyr.is_spatial:
        assert layer.crs().isValid()
        assert layer.crs().authid() == "EPSG:4549"
        assert "CGCS2000" in layer.crs().description()
    for fld in lyr.fields:
        index = layer.fields().indexOf(fld.name)
        assert index >= 0, fld.name
        assert layer.attributeAlias(index) == fld.zh


def test_chinese_text_is_intact_in_qgis(demo_copy):
    layer = open_layer(demo_copy, "communities")
    names = sorted(f["name"] for f in layer.getFeatures())
    expected = sorted(open_project(demo_copy).read("communities")["name"])
    assert names == expected
    assert all(n.endswith("社区") for n in names)


def test_load_project_adds_styled_layers_and_band_variables(demo_copy):
    project = QgsProject()
    layers = load_project(demo_copy, project)
    assert list(layers) == list(MAP_ORDER)
    assert project.crs().authid() == "EPSG:4549"
    assert all(layer.isValid() for layer in layers.values())
    assert layers["grids"].renderer().type() == "categorizedSymbol"
    assert layers["grids"].labelsEnabled()
    from qgis.core import QgsExpressionContextUtils

    scope = QgsExpressionContextUtils.projectScope(project)
    assert scope.variable("gridgis_max_residential") == 500
    # The grids layer carries the bands too, so the status colours do not depend on
    # which project a canvas takes its variables from.
    grids = layers["grids"]
    layer_scope = QgsExpressionContextUtils.layerScope(grids)
    assert int(layer_scope.variable("gridgis_min_residential")) == 300
    from qgis.core import QgsExpression, QgsExpressionContext

    context = QgsExpressionContext()
    context.appendScope(QgsExpressionContextUtils.layerScope(grids))
    status = QgsExpression(grids.renderer().classAttribute())
    found = {}
    for feature in grids.getFeatures():
        context.setFeature(feature)
        found[feature["code"]] = status.evaluate(context)
    assert found["320599001003001"] == "over"
    assert list(found.values()).count("over") == 1
    tree_layer = project.layerTreeRoot().findLayer(layers["overlays"].id())
    assert not tree_layer.isVisible()


def test_system_gdal_reads_the_demo_without_warnings(demo_copy):
    script = (
        "import sys\n"
        "from osgeo import gdal, ogr\n"
        "messages = []\n"
        "gdal.PushErrorHandler(lambda c, n, m: messages.append(m))\n"
        "ds = ogr.Open(sys.argv[1])\n"
        "assert ds is not None\n"
        "for i in range(ds.GetLayerCount()):\n"
        "    lyr = ds.GetLayer(i)\n"
        "    for f in lyr: pass\n"
        "print(gdal.__version__, ds.GetLayerCount())\n"
        "assert not messages, messages\n"
    )
    result = subprocess.run(
        [SYSTEM_PYTHON, "-c", script, str(demo_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == str(len(schema.LAYER_NAMES))
