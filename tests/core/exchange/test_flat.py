"""Flat shapes read straight from WKB agree with shapely."""

import numpy as np
import pytest
import shapely

from gridgis.core.exchange import flat

HOLE = shapely.box(10, 10, 20, 20).difference(shapely.box(12, 12, 14, 14))
POLYGONS = np.array(
    [
        shapely.box(0, 0, 1, 1),
        None,
        shapely.MultiPolygon([shapely.box(2, 2, 3, 3), HOLE]),
        shapely.Polygon(),
        HOLE,
    ],
    dtype=object,
)


def rebuild(shapes: flat.FlatShapes) -> list:
    """Shapely geometries back from flat shapes (polygons: one polygon per exterior)."""
    out = []
    for k in range(shapes.n):
        p0, p1 = shapes.shape_parts[k], shapes.shape_parts[k + 1]
        rings = [
            shapes.coords[shapes.part_starts[p] : shapes.part_starts[p + 1]]
            for p in range(p0, p1)
        ]
        if not rings:
            out.append(None)
        elif shapes.family == "Polygon":
            polys, current = [], None
            for ring, outer in zip(rings, shapes.exterior[p0:p1], strict=True):
                if outer:
                    current = [ring, []]
                    polys.append(current)
                else:
                    current[1].append(ring)
            out.append(shapely.MultiPolygon([shapely.Polygon(s, h) for s, h in polys]))
        elif shapes.family == "Line":
            out.append(shapely.MultiLineString(rings))
        else:
            out.append(shapely.Point(rings[0][0]))
    return out


def test_polygons_with_holes_and_nulls():
    shapes = flat.from_shapely(POLYGONS, "Polygon")
    assert shapes.parts_per_shape().tolist() == [1, 0, 3, 0, 2]
    assert shapes.null().tolist() == [False, True, False, True, False]
    back = rebuild(shapes)
    for original, again in zip(POLYGONS, back, strict=True):
        if original is None or original.is_empty:
            assert again is None
        else:
            assert shapely.equals(original, again)
    np.testing.assert_array_equal(shapes.bounds()[2], [2, 2, 20, 20])


def test_orientation_follows_the_format():
    shapes = flat.from_shapely(POLYGONS, "Polygon").oriented(exterior_cw=True)
    for k, outer in enumerate(shapes.exterior):
        ring = shapes.coords[shapes.part_starts[k] : shapes.part_starts[k + 1]]
        area = np.sum(ring[:-1, 0] * ring[1:, 1] - ring[1:, 0] * ring[:-1, 1])
        assert (area < 0) == bool(outer)
    assert shapely.equals(rebuild(shapes)[2], POLYGONS[2])


def test_lines_points_and_conversion():
    lines = np.array(
        [
            shapely.LineString([(0, 0), (1, 1)]),
            shapely.MultiLineString([[(0, 0), (1, 0)], [(2, 2), (3, 3), (4, 4)]]),
        ],
        dtype=object,
    )
    shapes = flat.from_shapely(lines, "Line")
    assert shapes.points_per_part().tolist() == [2, 2, 3]
    assert shapely.equals(rebuild(shapes)[1], lines[1])
    moved = shapes.transformed(lambda x, y: (x + 10, y * 2))
    assert moved.coords[-1].tolist() == [14.0, 8.0]
    points = flat.from_shapely(
        np.array([shapely.Point(1, 2), None, shapely.Point()], dtype=object), "Point"
    )
    assert points.null().tolist() == [False, True, True]
    assert points.coords.tolist() == [[1.0, 2.0]]


def test_wkb_of_other_forms_goes_through_shapely():
    import pyarrow as pa

    three_d = shapely.Polygon([(0, 0, 5), (1, 0, 5), (1, 1, 5), (0, 0, 5)])
    big_endian = shapely.to_wkb(shapely.box(0, 0, 2, 2), byte_order=0)
    array = pa.array([shapely.to_wkb(three_d), big_endian, None], type=pa.binary())
    shapes = flat.from_arrow(array, "Polygon")
    assert shapes.parts_per_shape().tolist() == [1, 1, 0]
    assert shapes.coords.shape[1] == 2
    with pytest.raises(ValueError, match="big-endian"):
        data = np.frombuffer(big_endian, dtype=np.uint8)
        flat.from_wkb(data, np.array([0, len(data)]), np.array([True]), "Polygon")
