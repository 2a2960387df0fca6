"""The Processing algorithms on a PostGIS project: the same runs as on its GeoPackage."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProcessingException, QgsProject

from gridgis.core.divide import division_history
from gridgis.core.store import open_project, postgis
from gridgis.qgis.processing.provider import GridGisProvider

pytestmark = pytest.mark.qgis

UNDIVIDED = "320599002002"  # 康乐社区: no grids in the demo


@pytest.fixture(autouse=True)
def english():
    from gridgis.core.i18n import set_language

    set_language("en")
    yield
    set_language(None)


@pytest.fixture(scope="module")
def run(qgis_processing):
    import processing

    registry = QgsApplication.processingRegistry()
    ours = GridGisProvider()
    assert registry.addProvider(ours)
    yield processing.run
    registry.removeProvider(ours)


def findings(run, project: str | Path) -> tuple[dict, list[tuple]]:
    result = run("gridgis:validate", {"PROJECT": str(project), "OUTPUT": "memory:"})
    rows = sorted(
        (f["rule"], f["code"], f["message_en"], round(f.geometry().area()))
        for f in result["OUTPUT"].getFeatures()
    )
    return result, rows


def test_validate_finds_the_same_on_the_database_as_on_the_file(
    run, demo_copy, pg_demo
):
    on_file, file_rows = findings(run, demo_copy)
    on_db, db_rows = findings(run, pg_demo)
    assert (on_db["ERRORS"], on_db["WARNINGS"]) == (4, 0)
    assert (on_file["ERRORS"], on_file["WARNINGS"]) == (4, 0)
    assert db_rows == file_rows
    assert on_db["OUTPUT"].crs().authid() == "EPSG:4549"


def test_a_service_name_is_a_project_too(
    run, pg_demo, pg_cluster, tmp_path, monkeypatch
):
    dbname = postgis.keywords(pg_demo)["dbname"]
    services = tmp_path / "pg_service.conf"
    services.write_text(
        f"[dongyuan]\nhost=127.0.0.1\nport={pg_cluster.port}\ndbname={dbname}\n"
        "user=postgres\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    result = run(
        "gridgis:validate",
        {
            "PROJECT": "service=dongyuan",
            "COMMUNITY": "320599001002",
            "OUTPUT": "memory:",
        },
    )
    assert [f["rule"] for f in result["OUTPUT"].getFeatures()] == ["topology.overlap"]


def test_link_and_divide_write_into_the_database(run, pg_demo, tmp_path):
    store = open_project(pg_demo)
    buildings = store.read("buildings", columns=["id", "grid_code"])
    linked = buildings.set_index("id")["grid_code"]
    cleared = buildings.loc[buildings["grid_code"].notna(), []].iloc[:120]
    with store.transaction() as tx:
        tx.update("buildings", cleared.assign(grid_code=None))

    result = run("gridgis:link", {"PROJECT": pg_demo})
    assert result["BUILDINGS"] == 120
    assert result["OUTPUT"] == pg_demo
    after = open_project(pg_demo).read("buildings", columns=["id", "grid_code"])
    assert after.set_index("id")["grid_code"].sort_index().equals(linked.sort_index())

    result = run(
        "gridgis:divide",
        {
            "PROJECT": pg_demo,
            "COMMUNITY": UNDIVIDED,
            "WRITE": True,
            "OUTPUT": "memory:",
            "REPORT": str(tmp_path / "report.html"),
        },
    )
    assert result["REVISION"] == 1
    store = open_project(pg_demo)
    written = store.read("grids", where={"community_code": UNDIVIDED})
    assert len(written) == result["GRID_COUNT"] >= 8
    homes = written.loc[written["kind"] == "residential", "households"]
    assert homes.between(300, 500).all()
    assert list(division_history(store)["revision"]) == [1]


def test_layers_of_the_database_are_redrawn_after_a_write(run, pg_demo, tmp_path):
    from gridgis.qgis.layers import open_layer

    project = QgsProject.instance()
    grids = open_layer(pg_demo, "grids")
    project.addMapLayer(grids)
    try:
        assert grids.featureCount() == 57
        run(
            "gridgis:divide",
            {
                "PROJECT": pg_demo,
                "COMMUNITY": UNDIVIDED,
                "WRITE": True,
                "OUTPUT": "memory:",
                "REPORT": str(tmp_path / "r.html"),
            },
        )
        assert grids.featureCount() > 57
    finally:
        project.removeMapLayer(grids.id())


def test_export_one_bundle_named_after_the_database(run, pg_demo, tmp_path):
    out = tmp_path / "all"
    result = run(
        "gridgis:export",
        {"PROJECT": pg_demo, "BY": 2, "LAYERS": [2], "OUTPUT": str(out)},
    )
    assert result["FILES"] == 1
    dbname = postgis.keywords(pg_demo)["dbname"]
    with zipfile.ZipFile(out / f"{dbname}.zip") as archive:
        assert "grids.shp" in archive.namelist()


def test_boards_print_from_the_database(run, pg_demo, tmp_path):
    from tests.qgis import pdftools

    out = tmp_path / "boards"
    result = run(
        "gridgis:boards",
        {"PROJECT": pg_demo, "COMMUNITY": "320599003002", "OUTPUT": str(out)},
    )
    assert result["GRIDS"] == 8
    assert pdftools.page_count(out / "boards.pdf") == 8
    assert "网格长" in pdftools.text(out / "boards.pdf", page=1)


def test_a_database_that_cannot_be_reached_says_so(run, pg_cluster):
    with pytest.raises(QgsProcessingException, match="Cannot connect"):
        run(
            "gridgis:validate",
            {
                "PROJECT": pg_cluster.uri("no_such_database"),
                "OUTPUT": "memory:",
            },
        )


def test_other_text_is_still_refused(run, tmp_path):
    with pytest.raises(QgsProcessingException, match="Incorrect parameter value"):
        run("gridgis:validate", {"PROJECT": "notes.txt", "OUTPUT": "memory:"})


def test_the_toolbox_project_field_takes_a_typed_database_address(run, qgis_iface):
    from qgis.core import QgsProcessingContext
    from qgis.gui import QgsGui, QgsProcessingGui

    algorithm = QgsApplication.processingRegistry().createAlgorithmById(
        "gridgis:validate"
    )
    parameter = algorithm.parameterDefinition("PROJECT")
    context = QgsProcessingContext()
    wrapper = QgsGui.processingGuiRegistry().createParameterWidgetWrapper(
        parameter, QgsProcessingGui.Standard
    )
    widget = wrapper.createWrappedWidget(context)
    assert widget is not None
    address = "service=dongyuan authcfg=ab12cd3"
    wrapper.setParameterValue(address, context)
    assert wrapper.parameterValue() == address
    values = {"PROJECT": wrapper.parameterValue(), "OUTPUT": "memory:"}
    assert algorithm.checkParameterValues(values, context)[0]
    values["PROJECT"] = "notes.txt"
    assert not algorithm.checkParameterValues(values, context)[0]
    assert parameter.clone().checkValueIsAcceptable(address)
