"""Property-based checks: random valid divisions are clean, random faults are found.

A community (a rotated rectangle) is cut again and again into random grids; each grid
gets buildings well inside it whose households keep it inside its band. Such a division
has no findings. A gap (a grid pulled back from an edge), an overlap (a grid pushed
into its neighbour), a building moved onto a shared boundary, or a duplicated grid code
is always found.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import affinity
from shapely.geometry import box

from gridgis.core.settings import Settings
from gridgis.core.validate import validate_frames

SETTINGS = Settings.default(crs_epsg=4549, code_prefix="320508")
COMMUNITY = "320508001001"
ORIGIN = (500_000.0, 3_460_000.0)
MARGIN = 8.0  # buildings stay this far from their grid's edges
RULES = ["geometry", "coding", "topology", "capacity", "linkage"]


@st.composite
def divisions(draw):
    """A community, its grids (rectangles before rotation) and buildings."""
    width = draw(st.integers(200, 600))
    height = draw(st.integers(200, 600))
    cells = [(0.0, 0.0, float(width), float(height))]
    for _ in range(draw(st.integers(1, 7))):
        cells.sort(key=lambda c: (c[2] - c[0]) * (c[3] - c[1]))
        x0, y0, x1, y1 = cells.pop()
        share = draw(st.floats(0.35, 0.65))
        if (x1 - x0) >= (y1 - y0):
            cut = round(x0 + share * (x1 - x0))
            cells += [(x0, y0, cut, y1), (cut, y0, x1, y1)]
        else:
            cut = round(y0 + share * (y1 - y0))
            cells += [(x0, y0, x1, cut), (x0, cut, x1, y1)]
    angle = draw(st.floats(0, 90))
    per_grid = [draw(st.integers(1, 4)) for _ in cells]
    households = [draw(st.integers(320, 480)) for _ in cells]
    return width, height, cells, angle, per_grid, households


def _place(geom, angle):
    return affinity.translate(
        affinity.rotate(geom, angle, origin=(0, 0)), ORIGIN[0], ORIGIN[1]
    )


def build(division):
    """Frames of a clean division (stored links and totals as the map gives)."""
    width, height, cells, angle, per_grid, households = division
    community = _place(box(0, 0, width, height), angle)
    codes = [f"{COMMUNITY}{k + 1:03d}" for k in range(len(cells))]
    grids = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": [f"第{k + 1}网格" for k in range(len(cells))],
            "community_code": COMMUNITY,
            "kind": "residential",
            "households": households,
            "population": [2 * h for h in households],
        },
        geometry=[_place(box(*c), angle) for c in cells],
        crs=4549,
    )
    rows, geoms = [], []
    for k, ((x0, y0, x1, y1), n) in enumerate(zip(cells, per_grid, strict=True)):
        size = min((x1 - x0 - 2 * MARGIN) / n, (y1 - y0 - 2 * MARGIN) / 2, 20.0)
        shares = np.full(n, households[k] // n)
        shares[0] += households[k] - shares.sum()
        for j in range(n):
            bx = x0 + MARGIN + j * (x1 - x0 - 2 * MARGIN) / n
            rows.append({"id": f"B{len(rows) + 1:04d}", "households": int(shares[j]),
                         "population": int(2 * shares[j]), "grid_code": codes[k]})  # fmt: skip
            geoms.append(
                _place(box(bx, y0 + MARGIN, bx + size, y0 + MARGIN + size), angle)
            )
    buildings = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=4549)
    communities = gpd.GeoDataFrame(
        {"code": [COMMUNITY], "name": ["幸福里社区"], "street_code": ["320508001"],
         "households": [sum(households)], "population": [2 * sum(households)]},
        geometry=[community], crs=4549,
    )  # fmt: skip
    return {"communities": communities, "grids": grids, "buildings": buildings}


def found(frames):
    return {i.rule for i in validate_frames(frames, SETTINGS, rules=RULES)}


PROPERTY = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY
@given(divisions())
def test_random_valid_divisions_have_no_findings(division):
    assert found(build(division)) == set()


def _neighbours(grids):
    """Pairs of grids sharing a boundary stretch, and the stretch."""
    geoms = grids.geometry.values
    out = []
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            shared = geoms[i].boundary.intersection(geoms[j].buffer(0.01))
            if shared.length > 30:
                out.append((i, j, shared))
    return out


@PROPERTY
@given(divisions(), st.integers(0, 7), st.floats(1.0, 5.0), st.integers(0, 3))
def test_a_grid_pulled_back_leaves_a_gap_that_is_found(division, pick, depth, side):
    frames = build(division)
    grids = frames["grids"]
    k = pick % len(grids)
    x0, y0, x1, y1 = division[2][k]
    pulled = [(x0 + depth, y0, x1, y1), (x0, y0 + depth, x1, y1),
              (x0, y0, x1 - depth, y1), (x0, y0, x1, y1 - depth)][side]  # fmt: skip
    grids.loc[k, "geometry"] = _place(box(*pulled), division[3])
    assert "topology.gap" in found(frames)


@PROPERTY
@given(divisions(), st.integers(0, 50), st.floats(1.0, 5.0))
def test_a_grid_pushed_into_its_neighbour_is_an_overlap_that_is_found(
    division, pick, depth
):
    frames = build(division)
    grids = frames["grids"]
    pairs = _neighbours(grids)
    i, j, shared = pairs[pick % len(pairs)]
    grids.loc[i, "geometry"] = grids.geometry[i].union(
        shared.buffer(depth, cap_style="flat").intersection(grids.geometry[j])
    )
    assert "topology.overlap" in found(frames)


@PROPERTY
@given(divisions(), st.integers(0, 50), st.integers(0, 50))
def test_a_building_moved_onto_a_boundary_is_found_cut(division, pick, which):
    frames = build(division)
    pairs = _neighbours(frames["grids"])
    _, _, shared = pairs[pick % len(pairs)]
    middle = shapely.line_interpolate_point(
        shapely.line_merge(shared), 0.5, normalized=True
    )
    buildings = frames["buildings"]
    b = which % len(buildings)
    buildings.loc[b, "geometry"] = middle.buffer(6, cap_style="square")
    assert "linkage.building_cut" in found(frames)


@PROPERTY
@given(divisions(), st.integers(0, 50), st.integers(1, 50))
def test_a_duplicated_grid_code_is_found(division, pick, offset):
    frames = build(division)
    grids = frames["grids"]
    i = pick % len(grids)
    j = (i + offset) % len(grids)
    if i == j:
        j = (i + 1) % len(grids)
    grids.loc[j, "code"] = grids.loc[i, "code"]
    assert "coding.duplicate" in found(frames)
