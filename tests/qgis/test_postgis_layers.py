"""A PostGIS project in QGIS: the same layers as the file, through QGIS's provider."""

import re
import subprocess

import pyogrio
import pytest
from click.testing import CliRunner
from qgis.core import QgsProject

from gridgis.cli import main
from gridgis.core import schema
from gridgis.core.store import open_project
from gridgis.core.store.pgaccess import grant
from gridgis.qgis.layers import MAP_ORDER, load_project, open_layer

pytestmark = pytest.mark.qgis


def test_every_layer_of_a_postgis_project_opens_in_qgis(pg_demo, demo_copy):
    store = open_project(pg_demo)
    for name in schema.LAYER_NAMES:
        layer = open_layer(pg_demo, name, language="zh")
        assert layer.isValid(), name
        assert layer.providerType() == "postgres"
        assert layer.featureCount() == store.count(name), name
        if schema.layer(name).is_spatial:
            assert layer.crs().authid() == "EPSG:4549"
    grids = open_layer(pg_demo, "grids", language="zh")
    assert grids.fields().field("households").alias() == "户数"
    names = sorted(f["name"] for f in grids.getFeatures())
    assert names == sorted(open_project(demo_copy).read("grids")["name"])
    project = QgsProject()
    opened = load_project(pg_demo, project)
    assert set(opened) == set(MAP_ORDER)
    assert project.layerTreeRoot().findGroup(pg_demo.rsplit("/", 1)[1]) is not None


def test_qgis_shows_a_street_planner_only_their_street(pg_demo):
    grant(open_project(pg_demo), "planner_q", street="320599003", role="planner")
    mine = re.sub(r"//[^@]+@", "//planner_q@", pg_demo)
    layer = open_layer(mine, "grids")
    assert layer.isValid()
    codes = {f["community_code"][:9] for f in layer.getFeatures()}
    assert codes == {"320599003"}
    assert "password" not in layer.source()


@pytest.mark.slow
def test_export_and_boards_work_from_a_postgis_project(pg_demo, tmp_path):
    runner = CliRunner()
    out = tmp_path / "export"
    result = runner.invoke(
        main, ["export", pg_demo, "--out", str(out), "--format", "gpkg"]
    )
    assert result.exit_code == 0, result.output
    exported = open_project(pg_demo).read("buildings")
    back = pyogrio.read_dataframe(out.with_suffix(".gpkg"), layer="buildings")
    assert sorted(back["id"]) == sorted(exported["id"])
    boards = tmp_path / "boards"
    result = runner.invoke(
        main, ["boards", pg_demo, "--out", str(boards), "--community", "320599001003"]
    )
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", str(boards / "boards.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    grids = open_project(pg_demo).read(
        "grids", where={"community_code": "320599001003"}
    )
    assert all(code in text for code in grids["code"])
