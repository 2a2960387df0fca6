"""A corpus of bad inputs: each class gets its own message, never a traceback.

Every case builds one kind of broken project file or import source, runs the command
a user would run, and expects exit status 2, the message that says what is wrong (and
what to do), no traceback, and the project left exactly as it was — no silent
acceptance.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
import shapefile
from click.testing import CliRunner

from gridgis.cli import main
from tests.conftest import DEMO

RING = [(558000, 3464000), (558000, 3464100), (558100, 3464100), (558100, 3464000),
        (558000, 3464000)]  # fmt: skip
PRJ_4549 = (
    'PROJCS["CGCS2000_3_Degree_GK_CM_120E",GEOGCS["GCS_China_Geodetic_Coordinate_'
    'System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_'
    'Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER['
    '"Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)


def _shp(tmp: Path, name: str, rows, *, encoding="gbk", n=None, fields=None):  # type: ignore[no-untyped-def]
    """A building shapefile; ``rows`` are records, ``n`` shapes (default: as many)."""
    path = tmp / name
    writer = shapefile.Writer(str(path), shapeType=shapefile.POLYGON, encoding=encoding)
    for field in fields or [("ID", "C", 20), ("ADDR", "C", 60), ("HH", "N", 6)]:
        writer.field(*field)
    for k in range(len(rows) if n is None else n):
        writer.poly([[(x + 200 * k, y) for x, y in RING]])
    for row in rows:
        writer.record(*row)
    writer.close()
    (tmp / f"{name}.prj").write_text(PRJ_4549)
    return tmp / f"{name}.shp"


def _rows(n: int) -> list[tuple]:
    return [(f"SV{k}", f"桃花坞大街{k}号", 20 + k) for k in range(n)]


def _csv(tmp: Path, text: str | bytes, name="f.csv") -> Path:  # type: ignore[no-untyped-def]
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _imp(src: Path, layer="buildings", *extra):  # type: ignore[no-untyped-def]
    return ["import", "{p}", str(src), "--layer", layer, *extra]


def _mismatch(tmp, fewer):  # type: ignore[no-untyped-def]
    """A .shp with 5 shapes whose .dbf has 3 or 8 records."""
    path = _shp(tmp, "m", _rows(5))
    other = _shp(tmp, "o", _rows(3 if fewer else 8))
    shutil.copyfile(other.with_suffix(".dbf"), path.with_suffix(".dbf"))
    return _imp(path)


def _latin1(tmp):  # type: ignore[no-untyped-def]
    rows = [(f"SV{k}", f"Ré{k} Élysée çà ö 9{k}", 20) for k in range(3)]
    return _imp(_shp(tmp, "l", rows, encoding="latin-1"))


def _big5(tmp):  # type: ignore[no-untyped-def]
    rows = [(f"SV{k}", f"臺北市中正區重慶南路{k}號", 20) for k in range(3)]
    return _imp(_shp(tmp, "b", rows, encoding="big5"))


def _text_in_number(tmp):  # type: ignore[no-untyped-def]
    path = _shp(tmp, "t", _rows(3), fields=[("ID", "C", 20), ("ADDR", "C", 60),
                                            ("HH", "N", 6)])  # fmt: skip
    data = bytearray(path.with_suffix(".dbf").read_bytes())
    header = int.from_bytes(data[8:10], "little")
    record = int.from_bytes(data[10:12], "little")
    start = header + record * 1 + 1 + 20 + 60  # second record's HH
    data[start : start + 6] = "三十".encode("gbk").rjust(6)
    path.with_suffix(".dbf").write_bytes(bytes(data))
    return _imp(path)


def _gpkg_not_gridgis(tmp):  # type: ignore[no-untyped-def]
    import geopandas as gpd
    from shapely.geometry import Point

    path = tmp / "other.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs=4326).to_file(path)
    return ["info", str(path)]


def _sqlite_not_gpkg(tmp):  # type: ignore[no-untyped-def]
    path = tmp / "plain.gpkg"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (a)")
    return ["info", str(path)]


def _project_variant(tmp, change):  # type: ignore[no-untyped-def]
    path = tmp / "variant.gpkg"
    shutil.copyfile(DEMO, path)
    change(path)
    return ["validate", str(path)]


def _newer(path):  # type: ignore[no-untyped-def]
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE settings SET value = '99' WHERE key = 'schema_version'")


def _corrupt_page(path):  # type: ignore[no-untyped-def]
    data = bytearray(path.read_bytes())
    data[4096 : 4096 * 3] = b"\x13\x00" * 4096
    path.write_bytes(bytes(data))


def _truncate(path):  # type: ignore[no-untyped-def]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 7])


def _gpkg_source(tmp, layers):  # type: ignore[no-untyped-def]
    import geopandas as gpd
    from shapely.geometry import Polygon

    path = tmp / "src.gpkg"
    for name in layers:
        gpd.GeoDataFrame({"ID": ["X1"]}, geometry=[Polygon(RING)], crs=4549).to_file(
            path, layer=name
        )
    return path


def _nan_shapefile(tmp):  # type: ignore[no-untyped-def]
    """Facilities as points, the second at x = NaN."""
    path = tmp / "nan"
    writer = shapefile.Writer(str(path), shapeType=shapefile.POINT, encoding="gbk")
    for field in (("编号", "C", 10), ("名称", "C", 20), ("类别", "C", 10)):
        writer.field(*field)
    for k, x in enumerate([558050.0, float("nan"), 558070.0]):
        writer.point(x, 3464050.0)
        writer.record(f"F{k}", f"设施{k}", "学校")
    writer.close()
    (tmp / "nan.prj").write_text(PRJ_4549)
    return tmp / "nan.shp"


def _points_for_buildings(tmp):  # type: ignore[no-untyped-def]
    return _imp(_csv(tmp, "编号,经度,纬度\nP1,120.61,31.30\n"), "buildings",
                "--crs", "wgs84")  # fmt: skip


CLASSES = {
    # -- the project file -----------------------------------------------------------
    "missing project": (lambda t: ["info", str(t / "nope.gpkg")], r"no project file"),
    "folder as project": (lambda t: ["info", str(t)], r"is a folder"),
    "text file as project": (
        lambda t: ["info", str(_csv(t, "hello\n" * 40, "p.gpkg"))],
        r"not a GeoPackage \(it is not an SQLite database\)",
    ),
    "empty project file": (
        lambda t: ["info", str(_csv(t, b"", "e.gpkg"))],
        r"not a GeoPackage",
    ),
    "sqlite, not geopackage": (
        _sqlite_not_gpkg,
        r"SQLite database but not a GeoPackage",
    ),
    "geopackage, not gridgis": (_gpkg_not_gridgis, r"not a GridGIS project"),
    "newer schema": (lambda t: _project_variant(t, _newer), r"newer GridGIS"),
    "corrupted pages": (
        lambda t: _project_variant(t, _corrupt_page),
        r"is damaged: .*\.recover.*ogr2ogr",
    ),
    "truncated project": (
        lambda t: _project_variant(t, _truncate),
        r"is damaged: .*\.recover",
    ),
    "unknown community": (
        lambda t: ["divide", "{p}", "--community", "320599001099"],
        r"no community 320599001099",
    ),
    "unknown revision": (
        lambda t: ["divide", "{p}", "--restore", "42"],
        r"no revision 42",
    ),
    "divide without a community": (lambda t: ["divide", "{p}"], r"--undivided"),
    # -- shapefiles -----------------------------------------------------------------
    "dbf with fewer records": (
        lambda t: _mismatch(t, True),
        r"5 shapes but .* 3 records",
    ),
    "dbf with more records": (
        lambda t: _mismatch(t, False),
        r"5 shapes but .* 8 records",
    ),
    "latin-1 without cpg": (_latin1, r"--encoding"),
    "big5 without cpg": (_big5, r"does not read as Chinese.*--encoding big5"),
    "text in a numeric field": (_text_in_number, r"not numbers .*三十.*row\(s\): 2"),
    "negative households": (
        lambda t: _imp(_shp(t, "n", [("SV1", "甲", 20), ("SV2", "乙", -5)])),
        r"cannot be negative.*rows?\S* 2|cannot be negative.*: 2",
    ),
    "shapefile without dbf": (
        lambda t: (lambda p: (p.with_suffix(".dbf").unlink(), _imp(p))[1])(
            _shp(t, "d", _rows(1))
        ),
        r"missing its \.dbf",
    ),
    "garbage shp": (
        lambda t: _imp(_csv(t, b"\x00\x01garbage" * 10, "g.shp")),
        r"cannot be read|missing its|not",
    ),
    "unknown encoding name": (
        lambda t: _imp(_shp(t, "u", _rows(1)), "buildings", "--encoding", "klingon"),
        r"klingon",
    ),
    # -- mappings and layers --------------------------------------------------------
    "map onto an unknown field": (
        lambda t: _imp(_shp(t, "x", _rows(1)), "buildings", "--map", "nosuchfield=ID"),
        r"no field 'nosuchfield'",
    ),
    "map from a missing column": (
        lambda t: _imp(_shp(t, "y", _rows(1)), "buildings", "--map", "id=NOPE"),
        r"no column 'NOPE'",
    ),
    "malformed map": (
        lambda t: _imp(_shp(t, "z", _rows(1)), "buildings", "--map", "households"),
        r"not a mapping",
    ),
    "unknown layer": (
        lambda t: _imp(_shp(t, "w", _rows(1)), "nosuchlayer"),
        r"nosuchlayer",
    ),
    "bookkeeping layer": (
        lambda t: _imp(_shp(t, "h", _rows(1)), "grid_history"),
        r"grid_history",
    ),
    "missing source": (lambda t: _imp(t / "absent.shp"), r"absent\.shp"),
    "unsupported format": (
        lambda t: _imp(_csv(t, "a b c\n", "notes.txt")),
        r"notes\.txt",
    ),
    "bad crs": (
        lambda t: _imp(
            _csv(t, "编号,经度,纬度\nB1,120.6,31.3\n"),
            "facilities",
            "--crs",
            "mars2000",
        ),
        r"mars2000",
    ),
    # -- tables and values ----------------------------------------------------------
    "nan coordinate": (
        lambda t: _imp(
            _csv(t, "编号,名称,类别,经度,纬度\nF1,甲,学校,nan,31.30\n"),
            "facilities",
            "--crs",
            "wgs84",
        ),
        r"not numbers in 1 row\(s\).*\[2\]",
    ),
    "nan in a shapefile": (
        lambda t: _imp(_nan_shapefile(t), "facilities"),
        r"not numbers \(NaN\) or are infinite: rows 2",
    ),
    "infinite coordinate": (
        lambda t: _imp(
            _csv(t, "编号,名称,类别,经度,纬度\nF1,甲,学校,inf,31.30\n"),
            "facilities",
            "--crs",
            "wgs84",
        ),
        r"infinite",
    ),
    "coordinates outside china": (
        lambda t: _imp(
            _csv(t, "编号,名称,类别,经度,纬度\nF1,甲,学校,2.35,48.85\n"),
            "facilities",
            "--crs",
            "wgs84",
        ),
        r"do not fall in China",
    ),
    "unknown category": (
        lambda t: _imp(
            _csv(t, "编号,名称,类别,经度,纬度\nF1,甲,火箭发射场,120.6,31.3\n"),
            "facilities",
            "--crs",
            "wgs84",
        ),
        r"火箭发射场",
    ),
    "csv in an unknown encoding": (
        lambda t: _imp(_csv(t, bytes(range(128, 256)) * 4, "bin.csv"), "facilities"),
        r"--encoding",
    ),
    "points into buildings": (_points_for_buildings, r"[Pp]oint|polygon"),
    "required value empty": (
        lambda t: _imp(
            _csv(t, "编码,名称,经度,纬度\n,甲,120.6,31.3\n"),
            "communities",
            "--crs",
            "wgs84",
        ),
        r"required|必填|code",
    ),
    "duplicate keys in the file": (
        lambda t: _imp(_shp(t, "k", [("SV1", "甲", 1), ("SV1", "乙", 2)])),
        r"SV1",
    ),
    "keys already in the project": (
        lambda t: _imp(_shp(t, "a", [("B00001", "甲", 1)])),
        r"already in buildings \(B00001",
    ),
    "several layers, none named": (
        lambda t: _imp(_gpkg_source(t, ["one", "two"])),
        r"several layers",
    ),
    "named layer missing": (
        lambda t: _imp(_gpkg_source(t, ["one"]), "buildings=three"),
        r"no layer 'three'",
    ),
    "broken workbook": (
        lambda t: _imp(_csv(t, b"PK\x03\x04broken", "w.xlsx"), "facilities"),
        r"w\.xlsx",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CLASSES))
def test_bad_input_gets_its_message(name, tmp_path):
    build, expected = CLASSES[name]
    project = tmp_path / "project.gpkg"
    shutil.copyfile(DEMO, project)
    before = hashlib.sha256(project.read_bytes()).hexdigest()
    argv = [str(a).replace("{p}", str(project)) for a in build(tmp_path)]
    result = CliRunner().invoke(main, ["--lang", "en", *argv])
    output = result.output + (getattr(result, "stderr", "") or "")
    assert "Traceback" not in output
    assert isinstance(result.exception, SystemExit), (name, repr(result.exception))
    assert result.exit_code == 2, (name, result.exit_code, output)
    import re

    assert re.search(expected, output, re.S), (name, output)
    assert hashlib.sha256(project.read_bytes()).hexdigest() == before, name


def test_the_corpus_has_at_least_forty_classes():
    assert len(CLASSES) >= 40
