"""The shapefile writer: geometry, attributes and sidecars read back by pyshp and GDAL."""

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapefile
import shapely

from gridgis.core.exchange import dbf
from gridgis.core.exchange.shapefile import write_shapefile
from gridgis.core.schema import FieldType

# pyshp warns that "gbk" is not literally the code page "936" the .cpg names.
pytestmark = pytest.mark.filterwarnings("ignore:Specified encoding")

HOLE = shapely.box(10, 10, 20, 20).difference(shapely.box(12, 12, 14, 14))
GEOMS = np.array(
    [
        shapely.box(0, 0, 1, 1),
        shapely.MultiPolygon([shapely.box(2, 2, 3, 3), HOLE]),
        None,
        shapely.Polygon(),
        shapely.box(5, 5, 6, 7, ccw=False),
    ],
    dtype=object,
)


def columns():
    return [
        dbf.Column(
            "NAME",
            FieldType.TEXT,
            pd.Series(["幸福里", "新华社区", None, "", "x" * 300]),
        ),
        dbf.Column(
            "HH",
            FieldType.INTEGER,
            pd.Series([1, -200, None, 0, 123456789], dtype="Int64"),
        ),
        dbf.Column(
            "OK",
            FieldType.BOOLEAN,
            pd.Series([True, False, None, True, False], dtype="boolean"),
        ),
        dbf.Column(
            "SHARE", FieldType.REAL, pd.Series([1.5, np.nan, 1e10 / 3, -2.0, 0.1])
        ),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_polygons_and_attributes_read_back_with_pyshp_and_gdal(tmp_path, encoding):
    enc = dbf.ENCODINGS[encoding]
    path = tmp_path / "a.shp"
    warnings = write_shapefile(
        path, columns(), GEOMS, "MultiPolygon", encoding=enc, prj=""
    )
    assert len(warnings) == 1
    assert "254" in warnings[0].en
    assert path.with_suffix(".cpg").read_text() == enc.cpg
    reader = shapefile.Reader(str(path), encoding=enc.codec)
    records = reader.records()
    assert [r[0] for r in records[:2]] == ["幸福里", "新华社区"]
    assert len(records[4][0].encode(enc.codec)) == 254
    assert [r[1] for r in records] == [1, -200, None, 0, 123456789]
    assert [r[2] for r in records] == [1, 0, None, 1, 0]  # booleans as 1/0
    shapes = reader.shapes()
    assert [s.shapeType for s in shapes] == [5, 5, 0, 0, 5]
    assert list(shapes[1].parts) == [0, 5, 10]  # two outer rings and a hole
    frame = pyogrio.read_dataframe(path, encoding=enc.codec)
    assert frame["NAME"].tolist()[:2] == ["幸福里", "新华社区"]
    back = np.asarray(frame.geometry.values, dtype=object)
    for k in (0, 1, 4):
        assert shapely.equals(back[k], GEOMS[k])
    assert back[2] is None
    assert back[3] is None


def test_outer_rings_run_clockwise_and_holes_counterclockwise(tmp_path):
    path = tmp_path / "a.shp"
    write_shapefile(
        path,
        columns(),
        GEOMS,
        "MultiPolygon",
        encoding=dbf.ENCODINGS["utf-8"],
        prj=None,
    )
    shape = shapefile.Reader(str(path)).shapes()[1]
    points = np.array(shape.points)
    rings = np.split(points, shape.parts[1:])

    def signed_area(ring):
        x, y = ring[:, 0], ring[:, 1]
        return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))

    areas = [signed_area(r) for r in rings]
    assert areas[0] < 0
    assert areas[1] < 0
    assert areas[2] > 0


def test_lines_and_points(tmp_path):
    lines = np.array(
        [
            shapely.LineString([(0, 0), (1, 1)]),
            shapely.LineString(),
            shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3), (4, 4)]]),
        ],
        dtype=object,
    )
    text = dbf.Column("NAME", FieldType.TEXT, pd.Series(["人民路", None, "解放路"]))
    write_shapefile(
        tmp_path / "l.shp",
        [text],
        lines,
        "LineString",
        encoding=dbf.ENCODINGS["utf-8"],
        prj=None,
    )
    back = pyogrio.read_dataframe(tmp_path / "l.shp")
    assert shapely.equals(back.geometry.iloc[2], lines[2])
    assert back.geometry.iloc[1] is None
    points = np.array([shapely.Point(1, 2), None, shapely.Point(3, 4)], dtype=object)
    write_shapefile(
        tmp_path / "p.shp",
        [text],
        points,
        "Point",
        encoding=dbf.ENCODINGS["utf-8"],
        prj=None,
    )
    reader = shapefile.Reader(str(tmp_path / "p.shp"))
    assert reader.shapes()[2].points == [(3.0, 4.0)]
    assert reader.shapes()[1].shapeType == 0


def test_a_long_chinese_column_name_is_never_cut_inside_a_character(tmp_path):
    """A column outside the schema: GDAL would cut it at 10 bytes, mid-character."""
    long_name = "所属社区网格员联系电话"
    for key in ("utf-8", "gbk"):
        enc = dbf.ENCODINGS[key]
        (name,) = dbf.field_names([long_name], enc.codec)
        path = tmp_path / f"{key}.shp"
        write_shapefile(
            path,
            [dbf.Column(name, FieldType.TEXT, pd.Series(["13812345678"]))],
            np.array([shapely.Point(0, 0)], dtype=object),
            "Point",
            encoding=enc,
            prj=None,
        )
        header = path.with_suffix(".dbf").read_bytes()[32:43].split(b"\x00")[0]
        assert header.decode(enc.codec) == name  # strict decode: whole characters
        assert long_name.startswith(name)
        pyshp_name = shapefile.Reader(str(path), encoding=enc.codec).fields[1][0]
        assert pyshp_name == name
        info = pyogrio.read_info(path, encoding=enc.codec)
        assert list(info["fields"]) == [name]


def test_a_table_without_geometry_is_a_lone_dbf(tmp_path):
    path = tmp_path / "staff.shp"
    write_shapefile(
        path,
        [dbf.Column("NAME", FieldType.TEXT, pd.Series(["王磊", "韩静桂"]))],
        None,
        None,
        encoding=dbf.ENCODINGS["utf-8"],
        prj=None,
    )
    assert not path.exists()
    frame = pyogrio.read_dataframe(tmp_path / "staff.dbf", read_geometry=False)
    assert frame["NAME"].tolist() == ["王磊", "韩静桂"]
