"""Cutting a block between its buildings, never through one.

The preferred cut is a straight line through a gap between buildings: the footprints
are projected on a direction (the buildings' own axes first, then the direction the
division sweeps in); wherever the projections leave free space, a line across the block
there cuts no building. Where buildings stand so close or staggered that no straight
line fits, the block is cut along the edges of the buildings' Voronoi cells instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from gridgis.core.divide.blocks import SHARED_GRID, BuildingSet

#: Free space a straight cut needs between two buildings (metres, both sides together).
CLEARANCE = 2.0
#: Parts of a cut smaller than this (m²) are numerical crumbs, not parts.
CRUMB = 1.0
#: Tolerance (m) the buildings' cells are simplified with.
CELL_SIMPLIFY = 1.0
#: Grid (m) the cells' vertices are rounded to where GEOS's diagram needs repair.
CELL_GRID = 1e-6
#: Width (m) below which a part's waist is a neck, not a passage: fifty times the
#: millimetre grid polygons are written on. Two lobes of a part joined only by a neck
#: (or at a point) are not one contiguous grid: written on that grid they can fall
#: apart. (The project's topology tolerance, 0.5 m, would also forbid the narrow
#: passages cells leave between buildings standing close, which are real.)
NECK = 0.05


@dataclass(frozen=True)
class Gap:
    """A straight line between buildings: ``x·u = position`` with ``u`` at ``angle``."""

    angle: float
    position: float
    #: Households on the low side (``x·u < position``) and on the high side.
    low: int
    high: int


@dataclass(frozen=True)
class GapTable:
    """Every straight line between some buildings across one direction, as arrays.

    ``position[i]`` is where line ``i`` crosses the direction; ``low[i]`` and
    ``high[i]`` the households on either side of it.
    """

    angle: float
    position: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def __len__(self) -> int:
        return len(self.position)

    def gap(self, i: int) -> Gap:
        """Line ``i`` as a :class:`Gap`."""
        return Gap(
            self.angle, float(self.position[i]), int(self.low[i]), int(self.high[i])
        )


def gap_table(buildings: BuildingSet, members: np.ndarray, angle: float) -> GapTable:
    """Every straight line across direction ``angle`` that passes between ``members``.

    The footprints' extents on the direction, sorted: n log n in the buildings.
    """
    none = np.empty(0)
    if len(members) < 2:
        return GapTable(angle, none, none.astype(np.int64), none.astype(np.int64))
    lo, hi = buildings.extents(angle, members)
    order = np.argsort(lo, kind="stable")
    reach = np.maximum.accumulate(hi[order])
    free = lo[order][1:] - reach[:-1]
    below = np.cumsum(buildings.households[members][order])
    total = int(below[-1])
    at = np.flatnonzero(free >= CLEARANCE)
    return GapTable(
        angle,
        (reach[at] + lo[order][at + 1]) / 2,
        below[at].astype(np.int64),
        total - below[at].astype(np.int64),
    )


def gaps(buildings: BuildingSet, members: np.ndarray, angle: float) -> list[Gap]:
    """Every straight line across direction ``angle`` that passes between ``members``."""
    table = gap_table(buildings, members, angle)
    return [table.gap(i) for i in range(len(table))]


def halfplane(angle: float, position: float, bounds: tuple[float, ...]) -> Polygon:
    """The half-plane ``x·u ≤ position``, as a polygon large enough to hold ``bounds``."""
    u = np.array([np.cos(angle), np.sin(angle)])
    v = np.array([-u[1], u[0]])
    minx, miny, maxx, maxy = bounds
    centre = np.array([(minx + maxx) / 2, (miny + maxy) / 2])
    reach = float(np.hypot(maxx - minx, maxy - miny)) + 10.0
    base = centre + (position - centre @ u) * u
    reach += abs(position - centre @ u)
    corners = [
        base + reach * v,
        base - reach * v,
        base - reach * v - 2 * reach * u,
        base + reach * v - 2 * reach * u,
    ]
    return Polygon(corners)


def _single(geom: BaseGeometry) -> Polygon | None:
    """``geom`` as one polygon, crumbs dropped; ``None`` if it has several real parts."""
    if geom.is_empty:
        return None
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    real = [p for p in parts if p.area > CRUMB]
    if len(real) != 1:
        return None
    return real[0]


def _halves(
    ring: np.ndarray, first: int, second: int, points: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """The two rings a line crossing edges ``first`` < ``second`` of ``ring`` makes.

    ``ring`` is closed; ``points`` are the crossing points on those two edges. The
    first ring runs from the first crossing along the ring to the second.
    """
    open_ring = ring[:-1]
    c1, c2 = points
    inner = np.vstack([c1, open_ring[first + 1 : second + 1], c2, c1])
    outer = np.vstack([c2, open_ring[second + 1 :], open_ring[: first + 1], c1, c2])
    return inner, outer


def cut_straight(
    geom: BaseGeometry, angle: float, position: float
) -> tuple[Polygon, Polygon] | None:
    """Cut ``geom`` along a line; the low and the high part, or ``None``.

    ``None`` when either side is empty or falls apart into several pieces (the line
    crosses a bend of the block twice). A line that crosses the outline exactly twice
    and no hole is cut exactly and quickly (the crossing points are computed once and
    shared by both parts, so they meet without a seam); other cases go through GEOS.
    """
    if geom.geom_type != "Polygon":
        return _cut_overlay(geom, angle, position)
    u = np.array([np.cos(angle), np.sin(angle)])
    ring = np.asarray(geom.exterior.coords)[:, :2]
    d = ring @ u - position
    low = d <= 0
    changes = np.flatnonzero(low[:-1] != low[1:])
    if len(changes) != 2:
        return None if len(changes) == 0 else _cut_overlay(geom, angle, position)
    holes = [np.asarray(h.coords)[:, :2] for h in geom.interiors]
    hole_low = []
    for hole in holes:
        side = hole @ u - position <= 0
        if side.any() and not side.all():
            return _cut_overlay(geom, angle, position)
        hole_low.append(bool(side[0]))
    first, second = int(changes[0]), int(changes[1])
    points = []
    for i in (first, second):
        t = d[i] / (d[i] - d[i + 1])
        points.append(ring[i] + t * (ring[i + 1] - ring[i]))
    inner, outer = _halves(ring, first, second, (points[0], points[1]))
    # The ring between the crossings lies on the side of the vertex after the first.
    shells = (inner, outer) if low[first + 1] else (outer, inner)
    parts = []
    for keep, shell in zip((True, False), shells, strict=True):
        holes_here = [h for h, lo in zip(holes, hole_low, strict=True) if lo == keep]
        part = Polygon(shell, holes_here)
        if part.area <= CRUMB:
            return None
        parts.append(part)
    # A line running along an edge of the block crosses it at points that need not
    # be in ring order: then a part comes out with a spike along that edge. The
    # parts' outlines exceed the block's by twice the cut exactly when they have
    # none; otherwise GEOS cuts it.
    cut = float(np.hypot(*(points[1] - points[0])))
    excess = parts[0].length + parts[1].length - geom.length - 2 * cut
    if abs(excess) > SHARED_GRID:
        return _cut_overlay(geom, angle, position)
    return parts[0], parts[1]


def simple_cut(geom: BaseGeometry, angle: float, position: float) -> bool:
    """Whether a line cuts ``geom`` exactly as :func:`cut_straight`'s fast path does.

    Then each part lies wholly on its side of the line, and the boundary the parts
    share with neighbours can be split at the line.
    """
    if geom.geom_type != "Polygon":
        return False
    u = np.array([np.cos(angle), np.sin(angle)])
    low = np.asarray(geom.exterior.coords)[:, :2] @ u - position <= 0
    if int((low[:-1] != low[1:]).sum()) != 2:
        return False
    for hole in geom.interiors:
        side = np.asarray(hole.coords)[:, :2] @ u - position <= 0
        if side.any() and not side.all():
            return False
    return True


def two_parts(
    geom: BaseGeometry, side_a: BaseGeometry
) -> tuple[Polygon, Polygon] | None:
    """``geom`` as side A (the one real part of ``side_a``) and the rest, or ``None``.

    Both must be single polygons. Crumbs (numerical slivers under :data:`CRUMB` m²)
    that fall off either side join side A when that keeps it one polygon, so the two
    parts always cover ``geom`` with nothing lost; otherwise there is no such cut.
    """
    part_a = _single(side_a)
    if part_a is None:
        return None
    rest = [
        p
        for p in shapely.get_parts(shapely.difference(geom, part_a))
        if p.geom_type == "Polygon" and not p.is_empty
    ]
    real = [p for p in rest if p.area > CRUMB]
    if len(real) != 1:
        return None
    crumbs = [p for p in rest if p.area <= CRUMB]
    if crumbs:
        joined = shapely.union_all(np.asarray([part_a, *crumbs], dtype=object))
        if joined.geom_type != "Polygon":
            return None
        part_a = joined
    return part_a, real[0]


def _cut_overlay(
    geom: BaseGeometry, angle: float, position: float
) -> tuple[Polygon, Polygon] | None:
    low = shapely.intersection(geom, halfplane(angle, position, geom.bounds))
    return two_parts(geom, low)


def clip_segments(
    segments: np.ndarray, angle: float, position: float
) -> tuple[np.ndarray, np.ndarray]:
    """Split segments (shape ``(n, 2, 2)``) at the line ``x·u = position``.

    Returns the pieces on the low side and on the high side.
    """
    if len(segments) == 0:
        return segments, segments
    u = np.array([np.cos(angle), np.sin(angle)])
    a, b = segments[:, 0], segments[:, 1]
    da, db = a @ u - position, b @ u - position
    if (da <= 0).all() and (db <= 0).all():
        return segments, segments[:0]
    if (da > 0).all() and (db > 0).all():
        return segments[:0], segments
    denom = np.where(da == db, 1.0, da - db)
    t = np.clip(da / denom, 0.0, 1.0)[:, None]
    cross = a + t * (b - a)
    low_parts: list[np.ndarray] = []
    high_parts: list[np.ndarray] = []
    for lo_a, lo_b, keep in ((da <= 0, db <= 0, True), (da > 0, db > 0, False)):
        both = lo_a & lo_b
        first = lo_a & ~lo_b
        second = ~lo_a & lo_b
        pieces = [
            segments[both],
            np.stack([a[first], cross[first]], axis=1),
            np.stack([cross[second], b[second]], axis=1),
        ]
        (low_parts if keep else high_parts).extend(pieces)
    return np.concatenate(low_parts), np.concatenate(high_parts)


def segment_length(segments: np.ndarray) -> float:
    """Total length of segments of shape ``(n, 2, 2)``."""
    if len(segments) == 0:
        return 0.0
    return float(np.hypot(*(segments[:, 1] - segments[:, 0]).T).sum())


def line_segments(geom: BaseGeometry) -> np.ndarray:
    """The straight segments of a (multi)line or polygon boundary, shape ``(n, 2, 2)``."""
    parts = shapely.get_parts(np.asarray([geom], dtype=object))
    while True:
        multi = shapely.get_num_geometries(parts) > 1
        collection = np.isin(
            shapely.get_type_id(parts), (4, 5, 6, 7)
        )  # multi-part types
        if not (multi | collection).any():
            break
        parts = shapely.get_parts(parts)
    lines = parts[np.isin(shapely.get_type_id(parts), (1, 2))]
    if len(lines) == 0:
        return np.empty((0, 2, 2))
    coords, index = shapely.get_coordinates(lines, return_index=True)
    same = index[1:] == index[:-1]
    return np.stack([coords[:-1][same], coords[1:][same]], axis=1)


@dataclass(frozen=True)
class Cells:
    """The buildings' cells of one piece: which part of it is nearest to which.

    ``cover`` holds the cells of the block the piece was cut from (one per building
    of the block, made once): a coverage (neighbouring cells share their edges
    exactly), so any group of cells merges in time linear in its size. ``owner``
    says which of the piece's buildings each cell now belongs to (``-1``: none).
    ``footprints`` and ``spill`` (the few footprints that reach out of their own
    cell) follow the piece's buildings.
    """

    cover: np.ndarray
    owner: np.ndarray
    footprints: np.ndarray
    spill: np.ndarray
    tree: shapely.STRtree

    def __len__(self) -> int:
        return len(self.footprints)

    def region(self, mine: np.ndarray) -> BaseGeometry:
        """The cells of the buildings ``mine`` (a mask over the piece's) merged."""
        held = self.owner >= 0
        chosen = np.zeros(len(self.owner), dtype=bool)
        chosen[held] = mine[self.owner[held]]
        return shapely.coverage_union_all(self.cover[chosen])

    def part(self, mask: np.ndarray, geom: BaseGeometry) -> Cells:
        """The cells of a part ``geom`` of the piece that holds the buildings ``mask``.

        No new diagram: the cells are the piece's. Cells of the other part's
        buildings that reach into ``geom`` (across the cut, where it does not run
        exactly midway between buildings) go to the part's building whose cell they
        share most boundary with, so that the part's cells still cover it.
        """
        index = np.full(len(mask), -1, dtype=np.int64)
        index[mask] = np.arange(int(mask.sum()))
        held = self.owner >= 0
        owner = np.full(len(self.owner), -1, dtype=np.int64)
        owner[held] = index[self.owner[held]]
        # Cells of the other part's buildings whose box meets the part: those
        # that really reach into it (by more than a crumb) change hands.
        near = self.tree.query(geom)
        near = near[held[near] & (owner[near] < 0)]
        if len(near):
            shapely.prepare(geom)
            near = near[shapely.intersects(geom, self.cover[near])]
        if len(near):
            reach = shapely.area(shapely.intersection(self.cover[near], geom))
            near = near[reach > CRUMB * 1e-3]
        todo = [int(j) for j in near]
        while todo:
            left = []
            for j in todo:
                around = self.tree.query(self.cover[j], predicate="intersects")
                around = around[(owner[around] >= 0) & (around != j)]
                shared = (
                    shapely.length(
                        shapely.intersection(
                            shapely.boundary(self.cover[j]),
                            shapely.boundary(self.cover[around]),
                        )
                    )
                    if len(around)
                    else np.empty(0)
                )
                if len(shared) and shared.max() > 0:
                    owner[j] = owner[around[int(np.argmax(shared))]]
                else:
                    left.append(j)
            if len(left) == len(todo):
                break  # cut off from the part's cells: it stays with the other part
            todo = left
        return Cells(
            self.cover, owner, self.footprints[mask], self.spill[mask], self.tree
        )


def _merged(
    diagram: np.ndarray, whose: np.ndarray, cell_pos: np.ndarray, n: int
) -> np.ndarray:
    """The diagram's cells merged per building (``whose``, sorted), one per building.

    ``None`` for a building without a cell. One call merges every building's cells:
    a row per building, its cells in order, padded with ``None`` (ignored).
    """
    counts = np.bincount(whose, minlength=n)
    if len(whose) == 0:
        return np.full(n, None, dtype=object)
    rank = np.arange(len(whose)) - (np.cumsum(counts) - counts)[whose]
    rows = np.full((n, int(counts.max())), None, dtype=object)
    rows[whose, rank] = diagram[cell_pos]
    cover = np.asarray(shapely.coverage_union_all(rows, axis=1), dtype=object)
    cover[counts == 0] = None
    return cover


def building_cells(
    area: BaseGeometry, buildings: BuildingSet, members: np.ndarray
) -> Cells | None:
    """The cells of the buildings ``members`` of a piece ``area``.

    One Voronoi diagram of the footprints' outlines (vertices every 5 m), its cells
    merged per building and simplified as a coverage: n log n in the buildings, once
    per block; the parts of the block cut later keep these cells (see
    :meth:`Cells.part`), and every cut along the cells only merges cells. ``None``
    when there are too few outline points.
    """
    members = np.asarray(members, dtype=np.int64)
    footprints = buildings.footprints[members]
    if len(members) < 2:
        return None
    outlines = shapely.segmentize(shapely.boundary(footprints), 5.0)
    coords, owner = shapely.get_coordinates(outlines, return_index=True)
    coords = np.round(coords, 3)
    coords, first = np.unique(coords, axis=0, return_index=True)
    owner = owner[first]
    if len(coords) < 3:
        return None
    envelope = shapely.envelope(area).buffer(50.0)
    sites = shapely.points(coords)
    diagram = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(sites), extend_to=envelope)
    )
    cell_pos, site_pos = shapely.STRtree(sites).query(diagram, predicate="contains")
    whose = owner[site_pos]
    order = np.argsort(whose, kind="stable")
    whose, cell_pos = whose[order], cell_pos[order]
    try:
        cover = _merged(diagram, whose, cell_pos, len(members))
    except shapely.errors.GEOSException:
        # Now and then GEOS's diagram has a cell folded on a vertex doubled a hair
        # apart, and cannot be merged cell by cell. Every vertex rounded to
        # CELL_GRID (the same vertex alike in every cell) and doubles dropped, the
        # cells are valid again and still share their edges exactly.
        diagram = shapely.remove_repeated_points(
            shapely.set_precision(diagram, CELL_GRID, mode="pointwise"), 0.0
        )
        cover = _merged(diagram, whose, cell_pos, len(members))
    missing = np.asarray([c is None for c in cover])
    if missing.any():
        return None
    # The cells' shared edges zigzag between outline vertices: simplified as a
    # coverage (neighbours stay flush) they keep a fraction of their vertices.
    cover = shapely.coverage_simplify(cover, CELL_SIMPLIFY, simplify_boundary=False)
    spill = ~shapely.within(footprints, cover)
    return Cells(
        cover,
        np.arange(len(members), dtype=np.int64),
        footprints,
        spill,
        shapely.STRtree(cover),
    )


def cut_cells(
    geom: BaseGeometry, cells: Cells | None, side_a: np.ndarray
) -> tuple[Polygon, Polygon] | None:
    """Cut ``geom`` between the buildings ``side_a`` and the rest, along their cells.

    ``cells`` belong to the buildings in the order of ``side_a`` (a mask). The line
    passes midway between neighbouring buildings of the two sides and never through
    a footprint; only the smaller side's cells are merged.
    """
    if cells is None or side_a.all() or not side_a.any():
        return None
    flip = int(side_a.sum()) * 2 > len(side_a)
    mine = ~side_a if flip else side_a
    region = cells.region(mine)
    spilled = cells.footprints[mine & cells.spill]
    if len(spilled):
        region = shapely.union(region, shapely.union_all(spilled))
    others = cells.footprints[~mine]
    shapely.prepare(region)
    hit = others[shapely.intersects(region, others)]
    if len(hit):
        region = shapely.difference(region, shapely.union_all(hit))
    parts = whole_parts(geom, shapely.intersection(geom, region))
    if parts is None:
        return None
    return (parts[1], parts[0]) if flip else parts


def lobes(polygon: BaseGeometry, width: float = NECK) -> list[Polygon]:
    """``polygon`` split where its waist is narrower than ``width``, largest first.

    A polygon without such a neck comes back as it is (alone in the list). The lobes
    cover ``polygon`` exactly: each lesser lobe is what the opening of the polygon
    (shrunk by half the width and grown again) keeps of it, with the neck it hangs by.
    """
    if polygon.geom_type != "Polygon" or polygon.area <= CRUMB:
        return [polygon]
    shrunk = shapely.buffer(polygon, -width / 2, join_style="mitre")
    if shapely.get_num_geometries(shrunk) <= 1:
        # Shrunk in one piece (or none), it grows back in one: no neck.
        return [polygon]
    opened = shapely.buffer(shrunk, width / 2, join_style="mitre")
    kept = sorted(
        (p for p in shapely.get_parts(opened) if p.area > CRUMB),
        key=lambda p: -p.area,
    )
    if len(kept) <= 1:
        return [polygon]
    rest = [
        p
        for p in shapely.get_parts(shapely.difference(polygon, kept[0]))
        if p.geom_type == "Polygon" and p.area > 0
    ]
    lesser = []
    for lobe in kept[1:]:
        inside = lobe.representative_point()
        lesser += [p for p in rest if p.intersects(inside) and p not in lesser]
    if not lesser:
        return [polygon]
    main = shapely.difference(polygon, shapely.union_all(lesser))
    if main.geom_type != "Polygon" or any(p.geom_type != "Polygon" for p in lesser):
        return [polygon]
    return [main, *lesser]


def solid(geoms: BaseGeometry | np.ndarray) -> Any:
    """Polygons without their tails and spikes of no width.

    A cut whose line runs a hair inside a piece's outline leaves the other part a
    tail along that stretch of outline, thinner than a millimetre, which
    must not pass for boundary shared with the neighbour across the outline.
    Snapped to the :data:`SHARED_GRID`, such tails collapse and go.
    """
    return shapely.set_precision(geoms, SHARED_GRID)


def necked(polygon: BaseGeometry, width: float = NECK) -> bool:
    """Whether ``polygon`` has lobes joined only by a neck narrower than ``width``."""
    return len(lobes(polygon, width)) > 1


def _move_lobes(
    give: Polygon, take: Polygon, found: list[Polygon] | None = None
) -> tuple[Polygon, Polygon] | None:
    """``give`` without its lesser lobes, which join ``take`` (``None``: no change).

    ``found``: ``lobes(give)`` when already known.
    """
    if found is None:
        found = lobes(give)
    if len(found) <= 1:
        return None
    joined = shapely.union_all(np.asarray([take, *found[1:]], dtype=object))
    if joined.geom_type != "Polygon":
        return None
    return found[0], joined


def whole_parts(
    geom: BaseGeometry, region: BaseGeometry
) -> tuple[Polygon, Polygon] | None:
    """``geom`` cut into the largest piece of ``region`` and the rest, both whole.

    Where cells clipped to a bent block fall apart, the smaller pieces of ``region``
    stay with the rest, and pieces of the rest cut off from its largest one join
    the first part; both parts are then single polygons. Which buildings each holds
    follows from where they are, not from the side asked for.
    """
    parts = [
        p
        for p in shapely.get_parts(region)
        if p.geom_type == "Polygon" and p.area > CRUMB
    ]
    if not parts:
        return None
    part_a = max(parts, key=lambda p: p.area)
    rest = [
        p
        for p in shapely.get_parts(shapely.difference(geom, part_a))
        if p.geom_type == "Polygon" and not p.is_empty
    ]
    if not rest:
        return None
    main = max(rest, key=lambda p: p.area)
    if main.area <= CRUMB:
        return None
    others = [p for p in rest if p is not main]
    if others:
        joined = shapely.union_all(np.asarray([part_a, *others], dtype=object))
        if joined.geom_type != "Polygon":
            return None
        part_a = joined
    # Lobes hanging by a neck (cells meeting at a corner) go to the other part,
    # which they share a real edge with: neither part is joined through a point.
    # The lobes of each polygon are found once (the same polygon, the same lobes).
    known: dict[int, tuple[BaseGeometry, list[Polygon]]] = {}

    def lobes_of(polygon: BaseGeometry) -> list[Polygon]:
        if id(polygon) not in known:
            known[id(polygon)] = (polygon, lobes(polygon))
        return known[id(polygon)][1]

    for _ in range(2):
        moved = _move_lobes(main, part_a, lobes_of(main))
        if moved is not None:
            main, part_a = moved
        moved = _move_lobes(part_a, main, lobes_of(part_a))
        if moved is not None:
            part_a, main = moved
    if len(lobes_of(part_a)) > 1 or len(lobes_of(main)) > 1:
        return None
    return part_a, main


def insert_vertices(
    geom: BaseGeometry, points: np.ndarray, tolerance: float = 1e-6
) -> BaseGeometry:
    """``geom`` with ``points`` that lie on its boundary added as vertices.

    When a cut puts a vertex on a block's edge, the block across that edge gets the
    same vertex, so the two keep identical vertices along the boundary they share
    (a conforming coverage) and their union never leaves a seam.
    """
    if geom.geom_type != "Polygon" or len(points) == 0:
        return geom
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    minx, miny, maxx, maxy = geom.bounds
    inside = (
        (points[:, 0] >= minx - tolerance)
        & (points[:, 0] <= maxx + tolerance)
        & (points[:, 1] >= miny - tolerance)
        & (points[:, 1] <= maxy + tolerance)
    )
    points = points[inside]
    if len(points) == 0:
        return geom
    rings = [np.asarray(geom.exterior.coords)[:, :2]]
    rings += [np.asarray(r.coords)[:, :2] for r in geom.interiors]
    changed = False
    out = []
    for ring in rings:
        a, b = ring[:-1], ring[1:]
        ab = b - a
        length2 = np.maximum((ab * ab).sum(axis=1), 1e-24)
        rel = points[:, None, :] - a[None, :, :]
        is_vertex = np.hypot(rel[..., 0], rel[..., 1]).min(axis=1) <= tolerance
        t = np.clip((rel * ab[None]).sum(axis=2) / length2[None], 0.0, 1.0)
        off = rel - t[..., None] * ab[None]
        dist = np.hypot(off[..., 0], off[..., 1])
        nearest = dist.argmin(axis=1)
        rows = np.arange(len(points))
        on = (
            ~is_vertex
            & (dist[rows, nearest] < tolerance)
            & (t[rows, nearest] > 0.0)
            & (t[rows, nearest] < 1.0)
        )
        if on.any():
            changed = True
            segment = nearest[on]
            order = np.lexsort((t[rows[on], segment], segment))
            extra = points[on][order]
            where = segment[order] + 1
            ring = np.insert(ring, where, extra, axis=0)
        out.append(ring)
    if not changed:
        return geom
    result = Polygon(out[0], out[1:])
    # A point a hair off the edge can fold the ring; then the edge stays as it was.
    return result if result.is_valid else geom
