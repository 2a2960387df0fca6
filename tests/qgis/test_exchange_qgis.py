"""Exported files open in QGIS 3.22 with the same values, Chinese text and CRS."""

import shutil

import pandas as pd
import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsVectorLayer

from gridgis.core import schema
from gridgis.core.exchange import DEFAULT_LAYERS, export_project
from gridgis.core.store import open_project

pytestmark = pytest.mark.qgis


def empty(value):
    return value is None or value == "" or (hasattr(value, "isNull") and value.isNull())


def check_layer(layer, store, name, columns):
    """``columns``: stored field name → field name in the file."""
    original = store.read(name)
    assert layer.isValid(), name
    assert layer.featureCount() == len(original)
    features = list(layer.getFeatures())
    lyr = schema.layer(name)
    for fld in lyr.fields:
        if fld.name not in columns:
            continue
        for feature, value in zip(features, original[fld.name], strict=True):
            got = feature[columns[fld.name]]
            if value is None or value is pd.NA:
                assert empty(got), (name, fld.name, got)
            elif fld.type is schema.FieldType.BOOLEAN:
                assert bool(got) == bool(value)
            elif fld.type is schema.FieldType.BLOB:
                assert bytes(got) == value
            else:
                assert got == value, (name, fld.name, got, value)
    return features


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_shapefiles_open_in_qgis_with_chinese_text(demo_copy, tmp_path, encoding):
    store = open_project(demo_copy)
    export_project(
        store, tmp_path / "shp", fmt="shp", encoding=encoding, crs="cgcs2000"
    )
    for name in DEFAULT_LAYERS:
        lyr = schema.layer(name)
        file = tmp_path / "shp" / (f"{name}.shp" if lyr.is_spatial else f"{name}.dbf")
        layer = QgsVectorLayer(str(file), name, "ogr")
        columns = {f.name: f.shp for f in lyr.fields if f.shp is not None}
        check_layer(layer, store, name, columns)
        if lyr.is_spatial:
            assert layer.crs().isValid()
            assert layer.crs().authid() == "EPSG:4490"
    names = [
        f["NAME"]
        for f in QgsVectorLayer(
            str(tmp_path / "shp" / "communities.shp"), "c", "ogr"
        ).getFeatures()
    ]
    assert "幸福里社区" in names


def test_geopackage_opens_in_qgis_with_aliases(demo_copy, tmp_path):
    store = open_project(demo_copy)
    out = tmp_path / "city.gpkg"
    export_project(store, out, fmt="gpkg", crs="project")
    for name in DEFAULT_LAYERS:
        layer = QgsVectorLayer(f"{out}|layername={name}", name, "ogr")
        lyr = schema.layer(name)
        check_layer(layer, store, name, {f.name: f.name for f in lyr.fields})
        if lyr.is_spatial:
            assert layer.crs().authid() == "EPSG:4549"


def test_web_map_exports_open_in_qgis_as_longitude_latitude(demo_copy, tmp_path):
    store = open_project(demo_copy)
    export_project(
        store, tmp_path / "g.gpkg", fmt="gpkg", layers=["facilities"], crs="gcj02"
    )
    layer = QgsVectorLayer(f"{tmp_path / 'g.gpkg'}|layername=facilities", "f", "ogr")
    assert layer.isValid()
    assert layer.crs().isValid()
    assert layer.crs().isGeographic()
    point = next(layer.getFeatures()).geometry().asPoint()
    assert 120 < point.x() < 121
    assert 31 < point.y() < 32
    export_project(store, tmp_path / "json", fmt="geojson", layers=["grids"])
    grids = QgsVectorLayer(str(tmp_path / "json" / "grids.geojson"), "g", "ogr")
    assert grids.isValid()
    assert grids.crs() == QgsCoordinateReferenceSystem("EPSG:4326")
    check_layer(
        grids, store, "grids", {f: f for f in schema.layer("grids").field_names}
    )


def test_gbk_shapefile_without_cpg_after_import_is_readable_in_qgis(
    demo_copy, tmp_path
):
    """The trap end to end: QGIS alone garbles it; after import it is clean text."""
    store = open_project(demo_copy)
    export_project(store, tmp_path / "shp", fmt="shp", layers=["roads"], encoding="gbk")
    folder = tmp_path / "shp"
    (folder / "roads.cpg").unlink()
    data = bytearray((folder / "roads.dbf").read_bytes())
    data[29] = 0  # and no language driver ID: as many Chinese tools write them
    (folder / "roads.dbf").write_bytes(bytes(data))
    raw = QgsVectorLayer(str(folder / "roads.shp"), "raw", "ogr")
    assert "人民路" not in [f["NAME"] for f in raw.getFeatures()]
    from gridgis.core.exchange import import_layer

    report = import_layer(store, folder / "roads.shp", "roads", mode="replace")
    assert "GBK" in report.encoding.en
    shutil.rmtree(tmp_path / "again", ignore_errors=True)
    export_project(store, tmp_path / "again", fmt="gpkg", layers=["roads"])
    clean = QgsVectorLayer(f"{tmp_path / 'again.gpkg'}|layername=roads", "r", "ogr")
    assert "人民路" in [f["name"] for f in clean.getFeatures()]
