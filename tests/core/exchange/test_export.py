"""Export of every layer, read back by pyshp and GDAL with the same values and text."""

import csv
import json
import zipfile

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapefile
import shapely
from openpyxl import load_workbook

from gridgis.core import schema
from gridgis.core.errors import CrsError, ExportError
from gridgis.core.exchange import DEFAULT_LAYERS, export_project
from gridgis.core.exchange.coords import converter, coord_system
from gridgis.core.store import MemoryStore
from tests.conftest import validate_gpkg

pytestmark = pytest.mark.filterwarnings("ignore:Specified encoding")


def empty(v):
    return v is None or v == "" or (isinstance(v, float) and np.isnan(v))


def same_text(a, b):
    return (empty(a) and empty(b)) or a == b


def assert_values(original: pd.DataFrame, back: pd.DataFrame, lyr, names):
    """Field-by-field equality; empty text and None are the same in dBASE."""
    assert len(original) == len(back)
    for fld, name in zip(lyr.fields, names, strict=True):
        left = original[fld.name].tolist()
        right = back[name].tolist()
        for a, b in zip(left, right, strict=True):
            if fld.type is schema.FieldType.TEXT:
                assert same_text(a, b), (lyr.name, fld.name, a, b)
            elif a is pd.NA or a is None:
                assert b is None or pd.isna(b), (lyr.name, fld.name, a, b)
            else:
                assert a == b, (lyr.name, fld.name, a, b)


def aliases(folder):
    with (folder / "aliases.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_every_layer_to_shapefile_reads_back_with_pyshp_and_gdal(
    demo_store, tmp_path, encoding
):
    out = tmp_path / "shp"
    report = export_project(demo_store, out, fmt="shp", encoding=encoding)
    codec = "utf-8" if encoding == "utf-8" else "gbk"
    rows = aliases(out)
    assert {r["layer"] for r in rows} == set(DEFAULT_LAYERS)
    assert report.counts["buildings"] == demo_store.count("buildings")
    for name in DEFAULT_LAYERS:
        lyr = schema.layer(name)
        original = demo_store.read(name)
        written = [f for f in lyr.fields if f.shp is not None]
        shp_names = [r["shp_field"] for r in rows if r["layer"] == name]
        assert shp_names == [f.shp for f in written]
        assert [r["alias_zh"] for r in rows if r["layer"] == name] == [
            f.zh for f in written
        ]
        sub = schema.Layer(
            lyr.name, lyr.zh, lyr.en, lyr.geometry, tuple(written), lyr.key
        )
        assert (out / f"{name}.cpg").read_text() == (
            "UTF-8" if codec == "utf-8" else "936"
        )
        # pyshp
        path = out / (f"{name}.shp" if lyr.is_spatial else f"{name}.dbf")
        reader = shapefile.Reader(str(out / name), encoding=codec)
        names = [f[0] for f in reader.fields[1:]]
        assert names == shp_names
        back = pd.DataFrame([list(r) for r in reader.records()], columns=names)
        assert_values(original, back, sub, shp_names)
        # GDAL (pyogrio)
        frame = pyogrio.read_dataframe(path, read_geometry=lyr.is_spatial)
        assert_values(original, frame, sub, shp_names)
        if lyr.is_spatial:
            assert (
                (out / f"{name}.prj")
                .read_text()
                .startswith('PROJCS["CGCS2000_3_Degree_GK_CM_120E"')
            )
            a = shapely.normalize(np.asarray(original.geometry.values, dtype=object))
            b = shapely.normalize(np.asarray(frame.geometry.values, dtype=object))
            # Same vertices (shapefiles do not tell one-part multi-polygons apart).
            np.testing.assert_array_equal(
                shapely.get_coordinates(a), shapely.get_coordinates(b)
            )
            shapes = reader.shapes()
            first = shapely.normalize(
                shapely.geometry.shape(shapes[0].__geo_interface__)
            )
            np.testing.assert_array_equal(
                shapely.get_coordinates(first), shapely.get_coordinates(a[0])
            )
    chinese = pyogrio.read_dataframe(out / "communities.shp")["NAME"].tolist()
    assert "幸福里社区" in chinese


def test_geopackage_export_validates_and_keeps_values_and_aliases(demo_store, tmp_path):
    out = tmp_path / "city.gpkg"
    export_project(demo_store, out, fmt="gpkg")
    result = validate_gpkg(out)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in DEFAULT_LAYERS:
        original = demo_store.read(name)
        lyr = schema.layer(name)
        back = pyogrio.read_dataframe(out, layer=name, read_geometry=lyr.is_spatial)
        assert_values(original, back, lyr, lyr.field_names)
    import sqlite3

    with sqlite3.connect(out) as conn:
        alias = conn.execute(
            "SELECT name FROM gpkg_data_columns WHERE table_name = 'grids' "
            "AND column_name = 'households'"
        ).fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
    assert alias == "户数"
    assert "settings" not in tables  # data for others, not a project


@pytest.mark.parametrize("crs", ["cgcs2000", "wgs84", "gcj02", "bd09", "4527"])
def test_coordinates_survive_conversion_within_a_millimetre(demo_store, tmp_path, crs):
    out = tmp_path / f"{crs}.gpkg"
    report = export_project(demo_store, out, fmt="gpkg", layers=["buildings"], crs=crs)
    assert validate_gpkg(out).returncode == 0
    back = pyogrio.read_dataframe(out, layer="buildings")
    project = coord_system("project", project_epsg=4549)
    to_project = converter(report.crs, project)
    original = shapely.get_coordinates(
        np.asarray(demo_store.read("buildings").geometry.values, dtype=object)
    )
    exported = shapely.get_coordinates(np.asarray(back.geometry.values, dtype=object))
    x, y = to_project(exported[:, 0], exported[:, 1])
    error = np.hypot(x - original[:, 0], y - original[:, 1])
    assert float(error.max()) < 1e-3
    if crs in {"gcj02", "bd09"}:
        # The exported coordinates really are shifted by the web-map offset.
        wgs = converter(project, coord_system("wgs84", project_epsg=4549))
        lon, lat = wgs(original[:, 0], original[:, 1])
        assert (
            float(np.median(np.hypot(exported[:, 0] - lon, exported[:, 1] - lat)))
            > 1e-3
        )


def test_geojson_follows_rfc7946(demo_store, tmp_path):
    out = tmp_path / "json"
    export_project(
        demo_store, out, fmt="geojson", layers=["grids", "facilities"], crs="project"
    )
    data = json.loads((out / "grids.geojson").read_text(encoding="utf-8"))
    assert "crs" not in data
    ring = np.array(data["features"][0]["geometry"]["coordinates"][0])
    assert 120 < ring[0, 0] < 121
    assert 31 < ring[0, 1] < 32
    x, y = ring[:, 0], ring[:, 1]
    assert np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]) > 0  # exterior counter-clockwise
    names = [f["properties"]["name"] for f in data["features"]]
    assert names[0] == demo_store.read("grids")["name"].iloc[0]
    with pytest.raises(CrsError, match="RFC 7946"):
        export_project(demo_store, tmp_path / "bad", fmt="geojson", crs="4549")


def test_csv_and_xlsx_open_in_excel_with_chinese_headers_and_text_codes(
    demo_store, tmp_path
):
    export_project(demo_store, tmp_path / "csv", fmt="csv", layers=["grids", "staff"])
    raw = (tmp_path / "csv" / "grids.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    frame = pd.read_csv(tmp_path / "csv" / "grids.csv", encoding="utf-8-sig", dtype=str)
    assert list(frame.columns[:4]) == [
        "网格编码",
        "网格名称",
        "所属社区编码",
        "网格类型",
    ]
    assert set(frame["网格类型"]) <= {"居民网格", "单位网格", "专属网格"}
    assert frame["WKT"].iloc[0].startswith("POLYGON")
    staff = pd.read_csv(tmp_path / "csv" / "staff.csv", encoding="utf-8-sig", dtype=str)
    photo = tmp_path / "csv" / "photos" / staff["照片"].iloc[0]
    assert photo.read_bytes() == demo_store.read("staff")["photo"].iloc[0]

    export_project(
        demo_store,
        tmp_path / "book.xlsx",
        fmt="xlsx",
        layers=["grids", "facilities", "staff"],
    )
    book = load_workbook(tmp_path / "book.xlsx")
    assert book.sheetnames == ["网格", "设施", "工作人员"]
    sheet = book["网格"]
    assert sheet["A1"].value == "网格编码"
    code = sheet["A2"]
    assert code.data_type == "s"
    assert code.number_format == "@"
    assert len(code.value) == 15
    assert sheet.freeze_panes == "A2"
    facilities = book["设施"]
    headers = [c.value for c in facilities[1]]
    assert headers[-2:] == ["X坐标", "Y坐标"]
    assert (tmp_path / "book_photos").is_dir()


def test_privacy_leaves_out_phones_and_photos_in_every_format(demo_store, tmp_path):
    export_project(
        demo_store, tmp_path / "p.gpkg", fmt="gpkg", layers=["staff"], privacy=True
    )
    columns = pyogrio.read_info(tmp_path / "p.gpkg", layer="staff")["fields"]
    assert "phone" not in columns
    assert "photo" not in columns
    assert "name" in columns
    export_project(
        demo_store, tmp_path / "shp", fmt="shp", layers=["staff"], privacy=True
    )
    assert "PHONE" not in shapefile.Reader(str(tmp_path / "shp" / "staff")).fields[1][0]
    export_project(
        demo_store, tmp_path / "csv", fmt="csv", layers=["staff"], privacy=True
    )
    header = (
        (tmp_path / "csv" / "staff.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    )
    assert "手机号码" not in header
    assert "照片" not in header
    assert not (tmp_path / "csv" / "photos").exists()


def test_one_zip_bundle_per_community(demo_store, tmp_path):
    report = export_project(
        demo_store, tmp_path / "bundles", fmt="shp", by="community", crs="cgcs2000"
    )
    zips = sorted(p for p in report.files if p.suffix == ".zip")
    assert len(zips) == demo_store.count("communities")
    assert zips[0].name == "320599001001_幸福里社区.zip"
    total = 0
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            assert all(n.isascii() for n in names)
            assert {"grids.shp", "buildings.dbf", "aliases.csv", "staff.dbf"} <= set(
                names
            )
            archive.extractall(tmp_path / "x" / path.stem)
        folder = tmp_path / "x" / path.stem
        communities = pyogrio.read_dataframe(folder / "communities.shp")
        assert len(communities) == 1
        assert path.stem.startswith(communities["CODE"].iloc[0])
        grids = pyogrio.read_dataframe(folder / "grids.shp")
        assert (grids["COMM_CODE"] == communities["CODE"].iloc[0]).all()
        total += len(
            pyogrio.read_dataframe(folder / "buildings.shp", read_geometry=False)
        )
    assert total == demo_store.count("buildings")


def test_a_failed_export_leaves_nothing_behind(tmp_path, settings):
    store = MemoryStore(settings)
    from gridgis.core.testing import sample_frame

    frame = sample_frame("roads", 3)
    frame.loc[1, "name"] = "𠮷野家路"  # a character GBK cannot hold
    with store.transaction() as tx:
        tx.insert("roads", frame)
    with pytest.raises(ExportError, match="UTF-8"):
        export_project(
            store, tmp_path / "out", fmt="shp", layers=["roads"], encoding="gbk"
        )
    assert list(tmp_path.iterdir()) == []
    report = export_project(store, tmp_path / "out", fmt="shp", layers=["roads"])
    assert (tmp_path / "out" / "roads.shp") in report.files


def test_an_existing_target_is_kept_unless_overwriting(demo_store, tmp_path):
    target = tmp_path / "keep.gpkg"
    target.write_bytes(b"precious")
    with pytest.raises(ExportError, match="already exists"):
        export_project(demo_store, target, fmt="gpkg", layers=["streets"])
    assert target.read_bytes() == b"precious"
    export_project(demo_store, target, fmt="gpkg", layers=["streets"], overwrite=True)
    assert validate_gpkg(target).returncode == 0


def test_bad_choices_say_what_is_possible(demo_store, tmp_path):
    with pytest.raises(ExportError, match="shp, gpkg, geojson, csv, xlsx"):
        export_project(demo_store, tmp_path / "x", fmt="dwg")
    with pytest.raises(CrsError, match="gcj02"):
        export_project(demo_store, tmp_path / "x", crs="mars")
    with pytest.raises(ExportError, match="does not exist"):
        export_project(demo_store, tmp_path / "no" / "x.gpkg")


def test_long_text_from_a_geopackage_is_cut_at_a_character(tmp_path, settings):
    from gridgis.core.store import create_project
    from gridgis.core.testing import sample_frame

    store = create_project(tmp_path / "p.gpkg", settings)
    frame = sample_frame("buildings", 2)
    frame.loc[0, "address"] = "桃花坞大街" * 20  # 100 characters, 300 bytes in UTF-8
    with store.transaction() as tx:
        tx.insert("buildings", frame)
    report = export_project(store, tmp_path / "out", fmt="shp", layers=["buildings"])
    assert any("254 bytes" in w.en for w in report.warnings)
    reader = shapefile.Reader(str(tmp_path / "out" / "buildings"), encoding="utf-8")
    address = reader.records()[0][2]
    assert (
        address == ("桃花坞大街" * 20)[:84]
    )  # 252 bytes: the 85th character would not fit
    assert reader.records()[1][2] == frame.loc[1, "address"]
