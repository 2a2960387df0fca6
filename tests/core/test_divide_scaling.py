"""The division's steps that must not grow faster than n log n, checked on what they do."""

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import affinity
from shapely.geometry import box

from gridgis.core.divide import regions, split
from gridgis.core.divide.blocks import BuildingSet
from gridgis.core.divide.regions import Partition, side_sizes


def staggered_buildings(cols, rows, seed=0):
    """Footprints in rows, turned and moved at random so few straight lines fit."""
    rng = np.random.default_rng(seed)
    footprints = []
    for i in range(cols):
        for j in range(rows):
            footprint = box(i * 20.0, j * 24.0, i * 20.0 + 11.0, j * 24.0 + 13.0)
            footprint = affinity.rotate(footprint, rng.uniform(-30, 30))
            footprints.append(affinity.translate(footprint, *rng.uniform(-2, 2, 2)))
    n = len(footprints)
    frame = gpd.GeoDataFrame(
        {
            "id": [f"B{k}" for k in range(n)],
            "households": rng.integers(2, 9, n),
            "population": np.zeros(n, dtype=int),
            "use": ["residential"] * n,
        },
        geometry=footprints,
    )
    block = box(-15.0, -15.0, cols * 20.0 + 10.0, rows * 24.0 + 10.0)
    return BuildingSet.from_frame(frame), block


def test_a_part_keeps_its_blocks_cells_and_they_cover_it():
    buildings, block = staggered_buildings(16, 12)
    members = np.arange(len(buildings))
    cells = split.building_cells(block, buildings, members)
    assert cells is not None
    # A straight cut through the free space between two columns near the middle.
    lines = split.gap_table(buildings, members, 0.0)
    middle = lines.position[np.argmin(np.abs(lines.low - lines.high))]
    cut = split.cut_straight(block, 0.0, float(middle))
    assert cut is not None
    for part in cut:
        held = shapely.contains(part, buildings.points)
        mine = cells.part(held, part)
        # The part's buildings own cells that cover the whole part: a cut along
        # them leaves nothing unassigned, and no other building owns any.
        assert len(mine) == held.sum()
        covered = mine.region(np.ones(len(mine), dtype=bool))
        assert shapely.difference(part, covered).area < 1e-6
        assert set(np.unique(mine.owner[mine.owner >= 0])) <= set(range(held.sum()))
        # A cut along the part's cells gives two whole polygons, no footprint cut.
        side = np.zeros(len(mine), dtype=bool)
        side[: len(mine) // 2] = True
        halves = split.cut_cells(part, mine, side)
        assert halves is not None
        assert all(h.geom_type == "Polygon" for h in halves)
        footprints = buildings.footprints[held]
        for half in halves:
            crossed = shapely.intersects(half.boundary, footprints)
            assert not crossed.any()


def test_every_building_is_in_one_large_diagram_at_most(monkeypatch):
    buildings, block = staggered_buildings(30, 24)
    sizes = []
    made = split.building_cells

    def counting(area, people, members):
        sizes.append(len(members))
        return made(area, people, members)

    monkeypatch.setattr(regions, "building_cells", counting)
    part = Partition(buildings)
    part.add(block, np.arange(len(buildings)))
    total = int(buildings.households.sum())
    k = max(2, round(total / 400))
    groups, missing = part.divide([0], k, (300.0, 500.0))
    assert missing == 0
    assert len(groups) == k
    # Diagrams of more than OWN_CELLS buildings never overlap: their sizes add up
    # to no more than the buildings there are.
    large = [n for n in sizes if n > regions.OWN_CELLS]
    assert sum(large) <= len(buildings)
    hh = [part.households(g) for g in groups]
    assert all(300 <= h <= 500 for h in hh)


@pytest.mark.parametrize("k", [2, 3, 7, 20, 110, 1000])
def test_side_sizes_grow_with_the_log_of_the_grids(k):
    sizes = side_sizes(k)
    assert sizes == sorted(set(sizes))
    assert all(1 <= n <= k - 1 for n in sizes)
    # The smallest sides one by one, and every size's complement.
    assert set(range(1, min(4, k - 1) + 1)) <= set(sizes)
    assert {k - n for n in sizes} == set(sizes)
    assert len(sizes) <= 8 + 2 * math.log(max(k, 2)) / math.log(1.25)


def test_hubs_are_the_articulation_points():
    # A star of blocks round a hub, and a chain hanging off one arm.
    buildings, _ = staggered_buildings(2, 2)
    part = Partition(buildings)
    for _ in range(7):
        part.add(box(0, 0, 1, 1), np.empty(0, dtype=np.int64))
    for a, b in [(0, 1), (0, 2), (0, 3), (3, 4), (4, 5), (1, 6), (2, 6)]:
        part.connect(a, b, 10.0, 0.0)
    found = dict(part._separations(list(range(7))))
    # Brute force: the pieces whose removal leaves the rest in several parts.
    expected = {}
    for h in range(7):
        rest = [p for p in range(7) if p != h]
        groups = part.components(rest, same_zone=False)
        if len(groups) > 1:
            expected[h] = sorted(groups)
    assert {h: sorted(g) for h, g in found.items()} == expected


def test_a_diagram_geos_folds_on_a_doubled_vertex_still_makes_cells():
    # In this layout GEOS's Voronoi diagram has two cells folded on a vertex
    # doubled a hair apart: merged cell by cell, they used to raise "CoverageUnion
    # cannot process incorrectly noded inputs".
    buildings, block = staggered_buildings(16, 12, seed=5)
    members = np.arange(len(buildings))
    cells = split.building_cells(block, buildings, members)
    assert cells is not None
    assert len(cells) == len(buildings)
    # Still a coverage: one valid cell per building, edges shared exactly, the
    # whole block covered, each footprint in its own building's cell.
    assert shapely.is_valid(cells.cover).all()
    assert shapely.coverage_is_valid(cells.cover)
    covered = cells.region(np.ones(len(cells), dtype=bool))
    assert shapely.difference(block, covered).area < 1e-6
    inside = shapely.contains(cells.cover, buildings.points)
    assert inside.all()
    side = np.zeros(len(members), dtype=bool)
    side[: len(members) // 2] = True
    halves = split.cut_cells(block, cells, side)
    assert halves is not None
    assert all(h.geom_type == "Polygon" for h in halves)
    assert not shapely.intersects(halves[0].boundary, buildings.footprints).any()


def test_a_part_never_hangs_on_by_a_neck():
    # Cells meeting a hair apart: the region's two squares are joined by a neck a
    # millimetre wide. The lesser square goes to the rest, which it shares a real
    # edge with, and neither part is joined through the neck.
    block = box(0.0, 0.0, 30.0, 10.0)
    neck = box(10.0, 0.0, 20.0, 0.001)
    region = shapely.union_all([box(0.0, 0.0, 10.0, 10.0), neck, box(20, 0, 26, 6)])
    assert region.geom_type == "Polygon"
    assert [round(p.area) for p in split.lobes(region)] == [100, 36]
    parts = split.whole_parts(block, region)
    assert parts is not None
    a, b = parts
    assert a.geom_type == b.geom_type == "Polygon"
    assert not split.necked(a)
    assert not split.necked(b)
    assert a.area + b.area == pytest.approx(block.area)
    assert a.area == pytest.approx(100.0, abs=0.1)
    # A waist wider than the neck width is a passage, and stays.
    wide = box(0.0, 0.0, 10.0, 10.0).union(box(10.0, 4.0, 20.0, 4.2))
    assert not split.necked(wide)
