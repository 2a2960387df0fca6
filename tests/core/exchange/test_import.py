"""Imports: every format read back into a project, and every bad input refused cleanly."""

import json

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapefile
import shapely

from gridgis.core import schema
from gridgis.core.errors import CrsError, GeometryError, InputFileError, SchemaError
from gridgis.core.exchange import (
    DEFAULT_LAYERS,
    apply_imports,
    create_project_for,
    export_project,
    import_layer,
    plan_import,
)
from gridgis.core.exchange.coords import converter, coord_system, transform_geometries
from gridgis.core.geometry import POLYGONAL, clean_polygons
from gridgis.core.store import open_project
from tests.core.exchange.conftest import digest

pytestmark = pytest.mark.filterwarnings("ignore:Specified encoding")

SQUARE = [
    (558000, 3464000),
    (558000, 3464100),
    (558100, 3464100),
    (558100, 3464000),
    (558000, 3464000),
]
ESRI_4549 = (
    'PROJCS["CGCS2000_3_Degree_GK_CM_120E",GEOGCS["GCS_China_Geodetic_Coordinate_'
    'System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_'
    'Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER['
    '"Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)


def survey_shapefile(path, rings, *, encoding="gbk", prj=ESRI_4549, records=None):
    """A building shapefile as a survey office's software writes it (GBK, no .cpg)."""
    writer = shapefile.Writer(str(path), shapeType=shapefile.POLYGON, encoding=encoding)
    writer.field("楼栋编号", "C", size=20)
    writer.field("门牌地址", "C", size=80)
    writer.field("户数", "N", size=6)
    writer.field("用途", "C", size=10)
    for k, ring in enumerate(rings):
        writer.poly([ring])
        writer.record(
            *(
                records[k]
                if records
                else (f"SV{k + 1:03d}", f"桃花坞大街{k + 1}号", 20 + k, "住宅")
            )
        )
    writer.close()
    if prj is not None:
        path.with_suffix(".prj").write_text(prj)
    return path.with_suffix(".shp")


def shifted(ring, dx):
    return [(x + dx, y) for x, y in ring]


@pytest.fixture
def empty_project(tmp_path):
    return create_project_for(tmp_path / "new.gpkg", county="320599", lon=120.6)


def values_equal(a, b):
    def empty(v):
        return (
            v is None or v is pd.NA or v == "" or (isinstance(v, float) and np.isnan(v))
        )

    return (empty(a) and empty(b)) or a == b


@pytest.mark.parametrize(
    ("fmt", "crs", "tolerance"),
    [
        ("shp", "project", 1e-6),
        ("gpkg", "gcj02", 1e-3),
        ("geojson", "wgs84", 0.02),
        ("csv", "cgcs2000", 0.002),
    ],
)
def test_every_layer_comes_back_through_each_format(
    demo_store, empty_project, tmp_path, fmt, crs, tolerance
):
    out = tmp_path / ("x.gpkg" if fmt == "gpkg" else "x")
    export_project(demo_store, out, fmt=fmt, crs=crs)
    plans = []
    for name in DEFAULT_LAYERS:
        if fmt == "gpkg":
            path, source_layer = out, name
        else:
            ext = {"shp": ".shp", "geojson": ".geojson", "csv": ".csv"}[fmt]
            path, source_layer = out / f"{name}{ext}", None
            if not path.exists():
                path = path.with_suffix(".dbf")
        declared = crs if fmt == "csv" or crs == "gcj02" else None
        plans.append(
            plan_import(
                empty_project, path, name, source_layer=source_layer, crs=declared
            )
        )
    apply_imports(empty_project, plans)
    for name in DEFAULT_LAYERS:
        lyr = schema.layer(name)
        original = demo_store.read(name)
        back = empty_project.read(name)
        assert len(back) == len(original), name
        for fld in lyr.fields:
            if fld.type is schema.FieldType.BLOB and fmt in {"shp", "geojson"}:
                continue
            for a, b in zip(original[fld.name], back[fld.name], strict=True):
                assert values_equal(a, b), (fmt, name, fld.name, a, b)
        if lyr.is_spatial:
            a = np.asarray(original.geometry.values, dtype=object)
            if lyr.geometry in POLYGONAL:
                # Exports are cleaned: a demo grid's fold of zero width, which turns
                # into a crossing in degrees, is dropped there.
                project = coord_system("project", project_epsg=4549)
                target = coord_system(crs, project_epsg=4549)
                a = transform_geometries(
                    clean_polygons(
                        a,
                        convert=converter(project, target),
                        geographic=target.is_geographic,
                    ),
                    converter(target, project),
                )
            b = np.asarray(back.geometry.values, dtype=object)
            assert float(shapely.hausdorff_distance(a, b).max()) < tolerance, name
    assert "幸福里社区" in set(empty_project.read("communities")["name"])


def test_a_gbk_shapefile_without_cpg_reads_correctly(empty_project, tmp_path):
    path = survey_shapefile(tmp_path / "楼栋", [SQUARE, shifted(SQUARE, 200)])
    assert not path.with_suffix(".cpg").exists()
    # GDAL alone shows mojibake for such a file:
    assert "门牌地址" not in pyogrio.read_info(path)["fields"]
    report = import_layer(empty_project, path, "buildings")
    assert "GBK" in report.encoding.en
    assert report.mapping["id"] == "楼栋编号"
    assert report.mapping["address"] == "门牌地址"
    buildings = empty_project.read("buildings")
    assert buildings["address"].tolist() == ["桃花坞大街1号", "桃花坞大街2号"]
    assert buildings["use"].tolist() == ["residential", "residential"]
    assert buildings["households"].tolist() == [20, 21]


def test_web_map_points_in_gcj02_land_where_they_belong(
    demo_store, empty_project, tmp_path
):
    facilities = demo_store.read("facilities").head(20)
    to_gcj = converter(
        coord_system("project", project_epsg=4549),
        coord_system("gcj02", project_epsg=4549),
    )
    lon, lat = to_gcj(
        np.asarray(facilities.geometry.x), np.asarray(facilities.geometry.y)
    )
    table = pd.DataFrame(
        {"名称": facilities["name"], "类型": ["学校"] * 20, "经度": lon, "纬度": lat}
    )
    path = tmp_path / "高德采集.csv"
    table.to_csv(path, index=False, encoding="gbk")
    with pytest.raises(CrsError, match="gcj02") as info:
        plan_import(empty_project, path, "facilities")
    assert "longitude/latitude" in str(info.value)
    report = import_layer(empty_project, path, "facilities", crs="gcj02")
    assert "GBK" in report.encoding.en
    assert any("generated" in n.en for n in report.notes)  # no IDs in the file
    back = empty_project.read("facilities")
    error = shapely.distance(
        np.asarray(back.geometry.values, dtype=object),
        np.asarray(facilities.geometry.values, dtype=object),
    )
    assert float(error.max()) < 1e-3
    assert set(back["category"]) == {"school"}


def test_survey_xy_in_northing_easting_order_is_swapped(empty_project, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(
        "编号,名称,类别,X,Y\nP1,警务室,警务室,3464050.0,558050.0\n", encoding="utf-8"
    )
    report = import_layer(empty_project, path, "facilities", crs="4549")
    assert any("swapped" in n.en for n in report.notes)
    point = empty_project.read("facilities").geometry.iloc[0]
    assert (point.x, point.y) == (558050.0, 3464050.0)


def test_a_kml_from_a_web_map(empty_project, tmp_path):
    kml = tmp_path / "poi.kml"
    kml.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>幸福里幼儿园</name><ExtendedData><Data name="类别"><value>幼儿园</value></Data></ExtendedData>
<Point><coordinates>120.6124912,31.3009196</coordinates></Point></Placemark>
</Document></kml>""",
        encoding="utf-8",
    )
    report = import_layer(empty_project, kml, "facilities")
    assert report.mapping["name"] == "Name"
    assert report.mapping["category"] == "类别"
    assert "WGS 84" in report.crs.en
    row = empty_project.read("facilities").iloc[0]
    assert row["name"] == "幸福里幼儿园"
    assert row["category"] == "kindergarten"


def test_mapping_can_be_changed_and_labels_become_values(empty_project, tmp_path):
    path = survey_shapefile(
        tmp_path / "b",
        [SQUARE],
        records=[("SV1", "人民路1号", 5, "商住")],
    )
    report = import_layer(
        empty_project,
        path,
        "buildings",
        mapping={"address": None, "number": "门牌地址"},
    )
    assert "门牌地址" not in report.unused_columns
    row = empty_project.read("buildings").iloc[0]
    assert row["number"] == "人民路1号"
    assert row["address"] is None
    assert row["use"] == "mixed"


def test_modes_add_update_replace(empty_project, tmp_path):
    first = survey_shapefile(tmp_path / "a", [SQUARE, shifted(SQUARE, 200)])
    import_layer(empty_project, first, "buildings")
    before = digest(empty_project.path)
    with pytest.raises(SchemaError, match="already in buildings") as info:
        import_layer(empty_project, first, "buildings")
    assert "update" in str(info.value)
    assert digest(empty_project.path) == before
    changed = survey_shapefile(
        tmp_path / "b",
        [SQUARE, shifted(SQUARE, 400)],
        records=[("SV001", "改过的地址", 99, "住宅"), ("SV999", "新楼", 1, "住宅")],
    )
    report = import_layer(empty_project, changed, "buildings", mode="update")
    assert (report.inserted, report.updated) == (1, 1)
    frame = empty_project.read("buildings").set_index("id")
    assert frame.loc["SV001", "address"] == "改过的地址"
    assert len(frame) == 3
    report = import_layer(empty_project, changed, "buildings", mode="replace")
    assert report.removed == 3
    assert sorted(empty_project.read("buildings")["id"]) == ["SV001", "SV999"]


# -- bad input: a clear error and an unchanged project ---------------------------------


@pytest.fixture
def project(demo_copy):
    return open_project(demo_copy)


def refuse(project, error, match, *args, **kwargs):
    before = digest(project.path)
    with pytest.raises(error, match=match) as info:
        import_layer(project, *args, **kwargs)
    assert digest(project.path) == before
    return info.value


def test_a_shapefile_missing_its_dbf(project, tmp_path):
    path = survey_shapefile(tmp_path / "b", [SQUARE])
    path.with_suffix(".dbf").unlink()
    error = refuse(project, InputFileError, r"missing its \.dbf", path, "buildings")
    assert "b.dbf" in error.text.zh


def test_a_file_in_an_unknown_crs(project, tmp_path):
    no_prj = survey_shapefile(tmp_path / "a", [SQUARE], prj=None)
    error = refuse(project, CrsError, "--crs", no_prj, "buildings")
    assert "Gauss–Krüger 3° metres without a zone number" in str(error)
    local = survey_shapefile(
        tmp_path / "b", [SQUARE], prj='LOCAL_CS["工地坐标",UNIT["metre",1]]'
    )
    refuse(project, CrsError, "not one GridGIS can convert", local, "buildings")
    garbage = survey_shapefile(tmp_path / "c", [SQUARE], prj="this is not WKT")
    refuse(project, CrsError, "PROJ can read", garbage, "buildings")
    refuse(project, CrsError, "do not fall in China", no_prj, "buildings", crs="wgs84")
    prefixed = survey_shapefile(tmp_path / "d", [shifted(SQUARE, 40_000_000)], prj=None)
    refuse(project, CrsError, "use --crs 4528", prefixed, "buildings")


def test_points_where_polygons_are_expected(project, tmp_path):
    export_project(project, tmp_path / "f", fmt="shp", layers=["facilities"])
    error = refuse(
        project,
        GeometryError,
        "are points",
        tmp_path / "f" / "facilities.shp",
        "buildings",
    )
    assert "选错" in error.text.zh


def test_a_self_intersecting_polygon_is_refused_with_its_row(project, tmp_path):
    bowtie = [
        (558000, 3464000),
        (558100, 3464100),
        (558100, 3464000),
        (558000, 3464100),
        (558000, 3464000),
    ]
    path = survey_shapefile(tmp_path / "b", [SQUARE, bowtie])
    error = refuse(project, GeometryError, "cross themselves", path, "buildings")
    assert "rows 2 (Self-intersection" in str(error)


def test_small_defects_are_repaired_and_reported(empty_project, tmp_path):
    spike = [
        (558000, 3464000),
        (558000, 3464100),
        (558050, 3464100),
        (558050, 3464150),
        (558050, 3464100),
        (558100, 3464100),
        (558100, 3464000),
        (558000, 3464000),
    ]
    path = survey_shapefile(tmp_path / "b", [SQUARE, spike])
    report = import_layer(empty_project, path, "buildings", mode="add")
    assert any("row 2: invalid shape" in n.en for n in report.notes)
    geoms = np.asarray(empty_project.read("buildings").geometry.values, dtype=object)
    assert shapely.is_valid(geoms).all()
    assert geoms[1].area == pytest.approx(10000)


def test_empty_files(project, tmp_path):
    zero = tmp_path / "empty.geojson"
    zero.write_bytes(b"")
    refuse(project, InputFileError, "is empty", zero, "buildings")
    no_features = tmp_path / "none.geojson"
    no_features.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    refuse(project, InputFileError, "no rows", no_features, "buildings")
    header_only = tmp_path / "staff.csv"
    header_only.write_text("人员编号,姓名\n", encoding="utf-8")
    refuse(project, InputFileError, "no rows", header_only, "staff")
    writer = shapefile.Writer(str(tmp_path / "nothing"), shapeType=shapefile.POLYGON)
    writer.field("ID", "C")
    writer.close()
    refuse(project, InputFileError, "no rows", tmp_path / "nothing.shp", "buildings")


def test_duplicates_are_reported(project, empty_project, tmp_path):
    twice = survey_shapefile(
        tmp_path / "a",
        [SQUARE, shifted(SQUARE, 200), shifted(SQUARE, 400)],
        records=[
            ("X1", "a", 1, "住宅"),
            ("X2", "b", 1, "住宅"),
            ("X1", "c", 1, "住宅"),
        ],
    )
    error = refuse(project, SchemaError, "more than once", twice, "buildings")
    assert "X1 (rows 1/3)" in str(error)
    same_shape = survey_shapefile(
        tmp_path / "b",
        [SQUARE, SQUARE],
        records=[("Y1", "a", 1, "住宅"), ("Y2", "b", 1, "住宅")],
    )
    report = import_layer(empty_project, same_shape, "buildings")
    assert any("rows 1/2 have identical shapes" in n.en for n in report.notes)


def test_text_in_an_encoding_that_cannot_be_told(project, tmp_path):
    path = survey_shapefile(tmp_path / "b", [SQUARE])
    data = bytearray(path.with_suffix(".dbf").read_bytes())
    start = data.index("桃花坞大街1号".encode("gbk"))
    data[start : start + 4] = b"\xff\xfe\xff\xfe"  # neither UTF-8 nor GBK
    path.with_suffix(".dbf").write_bytes(bytes(data))
    refuse(project, InputFileError, "--encoding", path, "buildings")


def test_a_wrong_encoding_given_by_the_user(project, tmp_path):
    path = survey_shapefile(tmp_path / "b", [SQUARE])
    error = refuse(
        project, InputFileError, "is not utf-8", path, "buildings", encoding="utf-8"
    )
    assert "GBK" in str(error)
    refuse(
        project,
        InputFileError,
        "not a text encoding",
        path,
        "buildings",
        encoding="klingon",
    )


def test_a_path_that_does_not_exist(project, tmp_path):
    refuse(
        project, InputFileError, "There is no file", tmp_path / "nope.shp", "buildings"
    )


def test_values_that_do_not_convert_name_their_rows(project, tmp_path):
    path = tmp_path / "b.csv"
    path.write_text(
        "编号,名称,类别,经度,纬度\nF1,甲,学校,120.61,31.30\nF2,乙,火箭发射场,120.62,31.30\n",
        encoding="utf-8",
    )
    error = refuse(project, SchemaError, "rows 3", path, "facilities", crs="wgs84")
    assert "火箭发射场" in str(error)


def test_a_cancelled_import_keeps_every_layer_out(project, tmp_path):
    from gridgis.core.progress import Cancelled, Recorder

    survey = survey_shapefile(tmp_path / "a", [SQUARE])
    export_project(project, tmp_path / "x.gpkg", fmt="gpkg", layers=["roads"])
    plans = [
        plan_import(project, survey, "buildings"),
        plan_import(project, tmp_path / "x.gpkg", "roads", source_layer="roads"),
    ]
    before = digest(project.path)
    with pytest.raises(Cancelled):
        # Cancelled after the buildings were written, before the roads.
        apply_imports(project, plans, mode="update", feedback=Recorder(cancel_after=0))
    assert digest(project.path) == before
    assert "SV001" not in set(project.read("buildings")["id"])


def test_settings_and_bookkeeping_layers_cannot_be_imported(project, tmp_path):
    refuse(project, SchemaError, "kept by GridGIS", tmp_path / "x.csv", "issues")
