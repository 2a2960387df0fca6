"""``gridgis export``, ``gridgis import`` and ``gridgis new`` on the command line."""

import hashlib

import pyogrio
from click.testing import CliRunner

from gridgis.cli import main
from gridgis.core.store import open_project
from tests.conftest import validate_gpkg


def run(*args):
    return CliRunner().invoke(main, ["--lang", "en", *map(str, args)])


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_export_then_new_then_import_round_trip(demo_copy, tmp_path):
    out = tmp_path / "shp"
    result = run(
        "export",
        demo_copy,
        "--layers",
        "grids,buildings",
        "--format",
        "shp",
        "--crs",
        "gcj02",
        "--encoding",
        "gbk",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 11 file(s)" in result.output
    assert (out / "buildings.cpg").read_text() == "936"

    project = tmp_path / "new.gpkg"
    result = run(
        "new",
        project,
        "--county",
        "320599",
        "--like",
        out / "buildings.shp",
        "--crs",
        "gcj02",
    )
    assert result.exit_code == 0, result.output
    assert "EPSG:4549" in result.output

    result = run(
        "import",
        project,
        out / "buildings.shp",
        "--layer",
        "buildings",
        "--crs",
        "gcj02",
        "--map",
        "number=",
    )
    assert result.exit_code == 0, result.output
    assert "added 3022" in result.output
    assert "CRS GCJ-02 (Amap, Tencent) (as given" in result.output
    store = open_project(project)
    assert store.count("buildings") == 3022
    assert store.read("buildings")["number"].isna().all()
    assert validate_gpkg(project).returncode == 0


def test_import_several_layers_of_a_geopackage_in_one_go(demo_copy, tmp_path):
    gpkg = tmp_path / "x.gpkg"
    assert (
        run(
            "export",
            demo_copy,
            "--layers",
            "streets,communities,grids",
            "--crs",
            "wgs84",
            "--out",
            gpkg,
        ).exit_code
        == 0
    )
    project = tmp_path / "new.gpkg"
    assert run("new", project, "--county", "320599", "--lon", "120.6").exit_code == 0
    result = run(
        "import",
        project,
        gpkg,
        "--layer",
        "streets",
        "--layer",
        "communities",
        "--layer",
        "grids=grids",
    )
    assert result.exit_code == 0, result.output
    store = open_project(project)
    assert (
        store.count("streets"),
        store.count("communities"),
        store.count("grids"),
    ) == (3, 12, 57)


def test_a_bad_import_exits_2_and_changes_nothing(demo_copy, tmp_path):
    assert (
        run(
            "export",
            demo_copy,
            "--layers",
            "facilities",
            "--format",
            "shp",
            "--out",
            tmp_path / "f",
        ).exit_code
        == 0
    )
    before = digest(demo_copy)
    result = run(
        "import", demo_copy, tmp_path / "f" / "facilities.shp", "--layer", "buildings"
    )
    assert result.exit_code == 2
    assert "are points" in result.output
    assert "Traceback" not in result.output
    result = run("import", demo_copy, tmp_path / "nope.shp", "--layer", "buildings")
    assert result.exit_code == 2
    assert "There is no file" in result.output
    assert digest(demo_copy) == before


def test_dry_run_checks_and_writes_nothing(demo_copy, tmp_path):
    assert (
        run(
            "export",
            demo_copy,
            "--layers",
            "roads",
            "--format",
            "geojson",
            "--out",
            tmp_path / "j",
        ).exit_code
        == 0
    )
    before = digest(demo_copy)
    result = run(
        "import",
        demo_copy,
        tmp_path / "j" / "roads.geojson",
        "--layer",
        "roads",
        "--mode",
        "update",
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    assert "nothing was written" in result.output
    assert digest(demo_copy) == before


def test_export_bundles_and_privacy(demo_copy, tmp_path):
    result = run(
        "export",
        demo_copy,
        "--format",
        "gpkg",
        "--by",
        "street",
        "--privacy",
        "--out",
        tmp_path / "b",
    )
    assert result.exit_code == 0, result.output
    zips = sorted((tmp_path / "b").glob("*.zip"))
    assert len(zips) == 3
    import zipfile

    with zipfile.ZipFile(zips[0]) as archive:
        archive.extractall(tmp_path / "x")
    (gpkg,) = (tmp_path / "x").glob("*.gpkg")
    assert validate_gpkg(gpkg).returncode == 0
    assert "phone" not in pyogrio.read_info(gpkg, layer="staff")["fields"]


def test_export_refuses_an_unknown_crs(demo_copy, tmp_path):
    result = run("export", demo_copy, "--crs", "mars", "--out", tmp_path / "x.gpkg")
    assert result.exit_code == 2
    assert "gcj02" in result.output
