"""Geometry hygiene: the defects QGIS's checker finds, and a cleaner that removes them."""

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from gridgis.core.exchange.coords import converter, coord_system
from gridgis.core.geometry import (
    GRID_DEGREES,
    clean_polygons,
    is_clean,
    qgis_defects,
)

X0, Y0 = 560_000.0, 3_464_000.0


def _at(coords):
    return [(X0 + x, Y0 + y) for x, y in coords]


#: One polygon per defect class QGIS's method finds (and GEOS accepts).
SEEDED = {
    "duplicate-node": Polygon(_at([(0, 0), (100, 0), (100, 0), (100, 100), (0, 100)])),
    "near-duplicate-node": Polygon(
        _at([(0, 0), (100, 0), (100 + 4e-9, 0), (100, 100), (0, 100)])
    ),
    # A vertex touching another segment of the same ring (GEOS: self-intersection).
    "ring-self-touch": Polygon(
        _at(
            [
                (0, 0),
                (100, 0),
                (100, 100),
                (50, 100),
                (60, 50),
                (40, 50),
                (50, 100),
                (0, 100),
            ]
        )
    ),
    # A hole touching the shell at one point (valid for GEOS, not for QGIS).
    "hole-touching-shell": Polygon(
        _at([(0, 0), (100, 0), (100, 100), (0, 100)]),
        [_at([(50, 0), (60, 20), (40, 20)])],
    ),
    # A fold 30 nanometres wide: GEOS calls it valid, QGIS sees segments touch.
    "near-touch-fold": Polygon(
        _at(
            [
                (0, 0),
                (100, 0),
                (100, 100),
                (50, 100),
                (50, 50),
                (50 + 3e-8, 100),
                (0, 100),
            ]
        )
    ),
}
KIND = {
    "duplicate-node": "duplicate-node",
    "near-duplicate-node": "duplicate-node",
    "ring-self-touch": "ring-self-intersection",
    "hole-touching-shell": "ring-intersection",
    "near-touch-fold": "ring-self-intersection",
}


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_each_seeded_defect_is_found_and_cleaned(name):
    geom = SEEDED[name]
    found = qgis_defects([geom])[0]
    assert KIND[name] in {d.kind for d in found}
    zh, en = found[0].describe()
    assert zh
    assert en
    cleaned = clean_polygons([geom])
    assert qgis_defects(cleaned) == [[]]
    assert shapely.is_valid(cleaned[0])
    assert cleaned[0].geom_type == "Polygon"
    # Only slivers go: the area stays within a square metre.
    assert abs(cleaned[0].area - geom.area) < 1.0


def test_clean_shapes_have_no_defects_and_stay_bit_for_bit():
    squares = np.array(
        [
            box(X0, Y0, X0 + 100.123456789, Y0 + 100),
            box(X0 + 100.123456789, Y0, X0 + 200, Y0 + 100),
        ]
    )
    assert is_clean(squares).all()
    cleaned = clean_polygons(squares)
    assert all(a is b for a, b in zip(squares, cleaned, strict=True))


def test_missing_empty_and_multipolygons_keep_their_kind():
    multi = shapely.MultiPolygon([SEEDED["duplicate-node"]])
    out = clean_polygons(np.array([None, Polygon(), multi], dtype=object))
    assert out[0] is None
    assert out[1].is_empty
    assert out[2].geom_type == "MultiPolygon"
    assert is_clean(out[2:]).all()


def _overlap(geoms):
    return float(shapely.area(geoms).sum() - shapely.union_all(geoms).area)


def test_a_t_junction_is_noded_and_stays_shared_after_reprojection():
    # Grid a's edge x = 100 has no vertex where b and c meet (a T-junction).
    a = Polygon(_at([(0, 0), (100, 0), (100, 200), (0, 200)]))
    b = Polygon(_at([(100, 0), (200, 0), (200, 100.0000001), (100, 100.0000001)]))
    c = Polygon(_at([(100, 100.0000001), (200, 100.0000001), (200, 200), (100, 200)]))
    source = np.array([a, b, c])
    project = coord_system("project", project_epsg=4549)
    for key in ("cgcs2000", "wgs84", "gcj02", "bd09"):
        target = coord_system(key, project_epsg=4549)
        out = clean_polygons(
            source, convert=converter(project, target), geographic=True
        )
        assert is_clean(out).all()
        # The vertex where b and c meet is now a vertex of a too.
        meet = shapely.get_coordinates(out[1])
        assert len(shapely.get_coordinates(out[0])) == 6
        assert any(
            np.all(np.abs(shapely.get_coordinates(out[0]) - p) < 1e-15, axis=1).any()
            for p in meet
        )
        back = shapely.transform(
            out, lambda x, y, t=target: converter(t, project)(x, y), interleaved=False
        )
        # Shared edges shared: no overlap, and together they cover what they did.
        assert _overlap(back) < 1e-6
        union = shapely.union_all(back)
        assert shapely.get_num_interior_rings(union) == 0
        # Rounding moves a vertex by under 0.7 mm: the outline by at most that much.
        assert abs(union.area - 40_000) < 800 * 0.7e-3


def test_degrees_are_rounded_coarser_than_qgis_duplicate_nodes_and_under_a_millimetre():
    assert GRID_DEGREES > 1e-8
    # Half a grid step of latitude, the furthest a vertex moves, is under 1 mm.
    assert GRID_DEGREES / 2 * 111_320 < 1e-3
