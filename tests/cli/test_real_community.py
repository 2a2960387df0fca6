"""A real community from a survey office's GBK shapefile through the whole pipeline.

new → import (streets, communities, roads from a GeoPackage; buildings from a GBK
shapefile without .cpg) → divide → validate → boards → export.
"""

import json

import numpy as np
import pyogrio
import pytest
import shapefile
import shapely
from click.testing import CliRunner

from gridgis.cli import main
from gridgis.core.definitions import BuildingUse
from gridgis.core.demo.realdata import real_area
from gridgis.core.link import assign_points, cut_buildings, inside_points
from gridgis.core.store import open_project
from tests.qgis import pdftools

pytest.importorskip("pyrosm")
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Specified encoding")]


def cli(*args):
    result = CliRunner().invoke(main, ["--lang", "en", *map(str, args)])
    assert result.exit_code in (0, 1), result.output
    return result


def survey_files(area, folder):
    """The street as a survey office hands it over: a GBK shapefile of buildings."""
    folder.mkdir()
    base = folder / "others.gpkg"
    for layer in ("streets", "communities", "roads"):
        pyogrio.write_dataframe(getattr(area, layer), base, layer=layer)
    path = folder / "楼栋"
    writer = shapefile.Writer(str(path), shapeType=shapefile.POLYGON, encoding="gbk")
    for name, kind, size in (
        ("楼栋编号", "C", 20),
        ("户数", "N", 6),
        ("人口", "N", 7),
        ("层数", "N", 3),
        ("用途", "C", 10),
    ):
        writer.field(name, kind, size=size)
    oriented = shapely.orient_polygons(
        np.asarray(area.buildings.geometry.values), exterior_cw=True
    )
    for geom, row in zip(oriented, area.buildings.itertuples(), strict=True):
        rings = [list(geom.exterior.coords)] + [list(r.coords) for r in geom.interiors]
        writer.poly(rings)
        writer.record(
            row.id,
            int(row.households),
            int(row.population),
            int(row.floors),
            BuildingUse(row.use).label.zh,
        )
    writer.close()
    (folder / "楼栋.prj").write_text(pyogrio_prj(area))
    assert not (folder / "楼栋.cpg").exists()
    return base, path.with_suffix(".shp")


def pyogrio_prj(area):
    return area.buildings.crs.to_wkt(version="WKT1_ESRI")


@pytest.mark.parametrize("density", ["survey", "highrise"])
def test_a_real_community_from_survey_files_to_export(tmp_path, density):
    area = real_area("kouvola", density=density)
    code = area.communities["code"].iloc[0]
    others, buildings = survey_files(area, tmp_path / "survey")
    project = tmp_path / "project.gpkg"
    assert cli("new", project, "--county", "330105", "--lon", 120.15).exit_code == 0
    imported = cli(
        "import",
        project,
        others,
        "--layer",
        "streets",
        "--layer",
        "communities",
        "--layer",
        "roads",
    )
    assert imported.exit_code == 0, imported.output
    imported = cli("import", project, buildings, "--layer", "buildings")
    assert imported.exit_code == 0, imported.output
    assert "GBK" in imported.output

    divided = cli("divide", project, "--community", code, "--json")
    assert divided.exit_code == 0, divided.output
    store = open_project(project)
    grids = store.read("grids", where={"community_code": code})
    footprints = np.asarray(store.read("buildings").geometry.values)
    geoms = np.asarray(grids.geometry.values)
    assert all(g.geom_type == "Polygon" and g.is_valid for g in geoms)
    where = assign_points(inside_points(footprints), geoms).index
    assert (where >= 0).all()
    assert cut_buildings(footprints, geoms, where).empty
    hh = grids["households"].to_numpy()
    oversize = int((area.buildings["households"] > 500).sum())
    in_band = int(((hh >= 300) & (hh <= 500)).sum())
    if density == "survey":
        assert in_band == len(grids)
    else:
        assert in_band >= len(grids) - oversize - 0.05 * len(grids)

    checked = cli("validate", project, "--community", code, "--format", "json")
    report = json.loads(checked.output)
    errors = [
        i
        for i in report["issues"]
        if i["severity"] == "error"
        and i["rule"].split(".")[0] in ("topology", "linkage")
    ]
    assert errors == []

    if density == "survey":
        out = tmp_path / "boards"
        printed = cli("boards", project, "--community", code, "--out", out)
        assert printed.exit_code == 0, printed.output
        assert pdftools.page_count(out / "boards.pdf") == len(grids)
        assert grids["code"].iloc[0] in pdftools.text(out / "boards.pdf", 1)

    target = tmp_path / "export"
    exported = cli(
        "export", project, "--layers", "grids", "--format", "shp", "--out", target
    )
    assert exported.exit_code == 0, exported.output
    back = pyogrio.read_dataframe(next(target.rglob("*.shp")))
    assert len(back) == len(grids)
    assert shapely.is_valid(np.asarray(back.geometry.values)).all()
    assert sorted(back.iloc[:, 0]) == sorted(grids["code"])
