"""Blocks: the community cut by its roads, with every building placed in one block.

Roads clipped to the community, the community boundary and (when asked) the boundaries
of overlays are noded and polygonised. Roads that stop a few metres short of another
line are extended to meet it first; faces without buildings that are tiny or thin
(slivers between nearly coincident lines) join their neighbour; faces that a building
straddles (a road drawn through a building) are joined, so a block boundary never cuts
a building.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from gridgis.core.link import CUT_AREA, CUT_SHARE, assign_points, inside_points

#: Blocks sharing less boundary than this (metres) do not count as neighbours.
MIN_SHARED = 1.0
#: Slivers are faces whose mean width (area / perimeter × 2) is below this (metres).
SLIVER_WIDTH = 4.0
#: Precision grid (metres) for shared boundaries: a vertex a hair off its
#: neighbour's edge (where a cut met a road) is snapped onto it, so the boundary the
#: two share is found as a line rather than a point.
SHARED_GRID = 1e-3


@dataclass
class BuildingSet:
    """The buildings of a community as arrays (positions are building numbers)."""

    ids: np.ndarray
    footprints: np.ndarray
    households: np.ndarray
    population: np.ndarray
    use: np.ndarray
    points: np.ndarray
    xy: np.ndarray
    coords: np.ndarray
    starts: np.ndarray
    orientation: np.ndarray
    _extents: dict[float, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> BuildingSet:
        """Arrays from a buildings frame (``id``, ``households``, …, ``geometry``)."""
        footprints = np.asarray(frame.geometry.values, dtype=object)
        points = inside_points(footprints)
        coords, index = shapely.get_coordinates(footprints, return_index=True)
        starts = np.searchsorted(index, np.arange(len(footprints)))
        return cls(
            ids=frame["id"].to_numpy(dtype=object),
            footprints=footprints,
            households=frame["households"].fillna(0).to_numpy(dtype=np.int64),
            population=frame["population"].fillna(0).to_numpy(dtype=np.int64),
            use=frame["use"].to_numpy(dtype=object),
            points=points,
            xy=shapely.get_coordinates(points).reshape(-1, 2),
            coords=coords,
            starts=starts,
            orientation=_orientations(footprints),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def extents(
        self, angle: float, members: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lowest and highest projection of footprints on direction ``angle``.

        For every building, or for ``members`` only (in their order).
        """
        u = np.array([np.cos(angle), np.sin(angle)])
        if members is None:
            key = round(angle % (2 * np.pi), 9)
            if key not in self._extents:
                if len(self.ids) == 0:
                    empty = np.empty(0)
                    self._extents[key] = (empty, empty)
                else:
                    proj = self.coords @ u
                    self._extents[key] = (
                        np.minimum.reduceat(proj, self.starts),
                        np.maximum.reduceat(proj, self.starts),
                    )
            return self._extents[key]
        members = np.asarray(members, dtype=np.int64)
        if len(members) == 0:
            empty = np.empty(0)
            return empty, empty
        ends = np.append(self.starts[1:], len(self.coords))
        counts = ends[members] - self.starts[members]
        offsets = np.cumsum(counts) - counts
        index = np.arange(counts.sum()) - np.repeat(offsets, counts)
        index += np.repeat(self.starts[members], counts)
        proj = self.coords[index] @ u
        return np.minimum.reduceat(proj, offsets), np.maximum.reduceat(proj, offsets)


def _orientations(footprints: np.ndarray) -> np.ndarray:
    """Direction of each footprint's longer side, modulo 90° (radians)."""
    if len(footprints) == 0:
        return np.empty(0)
    boxes = shapely.oriented_envelope(footprints)
    out = np.zeros(len(footprints))
    for k, env in enumerate(boxes):
        if env.geom_type != "Polygon":
            continue
        ring = np.asarray(env.exterior.coords)
        sides = np.diff(ring[:3], axis=0)
        longest = sides[int(np.argmax(np.hypot(sides[:, 0], sides[:, 1])))]
        out[k] = np.arctan2(longest[1], longest[0]) % (np.pi / 2)
    return out


def dominant_orientation(buildings: BuildingSet, members: np.ndarray) -> float | None:
    """The prevailing direction of buildings (modulo 90°), weighted by footprint."""
    if len(members) == 0:
        return None
    weights = shapely.area(buildings.footprints[members])
    angles = 4 * buildings.orientation[members]
    x, y = (weights * np.cos(angles)).sum(), (weights * np.sin(angles)).sum()
    if np.hypot(x, y) < 1e-9:
        return None
    return float(np.arctan2(y, x) / 4 % (np.pi / 2))


def line_parts(geoms: np.ndarray | list[BaseGeometry]) -> list[LineString]:
    """The non-empty line strings inside ``geoms`` (points and polygons dropped)."""
    out: list[LineString] = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        for part in shapely.get_parts(geom):
            if part.geom_type == "LineString" and part.length > 0:
                out.append(part)
            elif part.geom_type in ("MultiLineString", "GeometryCollection"):
                out.extend(line_parts([part]))
    return out


def _end_key(point: np.ndarray) -> tuple[float, float]:
    return (round(float(point[0]), 6), round(float(point[1]), 6))


def _end_counts(edges: list[LineString]) -> dict[tuple[float, float], int]:
    """How many of ``edges`` end at each end point (keyed by :func:`_end_key`)."""
    ends: dict[tuple[float, float], int] = {}
    for edge in edges:
        coords = np.asarray(edge.coords)
        for point in (coords[0], coords[-1]):
            ends[_end_key(point)] = ends.get(_end_key(point), 0) + 1
    return ends


def close_dangles(edges: list[LineString], distance: float) -> list[LineString]:
    """Short extensions that join roads stopping short of another line.

    A dangling end is an end point no other edge shares. Its last segment is extended
    by up to ``distance``; where the extension meets another edge, the piece up to the
    first meeting point is returned.
    """
    if distance <= 0 or not edges:
        return []

    ends = _end_counts(edges)
    key = _end_key
    tree = shapely.STRtree(edges)
    out: list[LineString] = []
    for k, edge in enumerate(edges):
        coords = np.asarray(edge.coords)
        if len(coords) < 2:
            continue
        for end, before in ((coords[-1], coords[-2]), (coords[0], coords[1])):
            if ends[key(end)] != 1:
                continue
            step = end - before
            norm = float(np.hypot(*step))
            if norm < 1e-9:
                continue
            ray = LineString([end, end + step / norm * distance])
            best: np.ndarray | None = None
            best_d = np.inf
            for j in tree.query(ray, predicate="intersects"):
                if j == k:
                    continue
                hit = shapely.intersection(ray, edges[j])
                pts = shapely.get_coordinates(hit)
                if len(pts) == 0:
                    continue
                d = np.hypot(*(pts - end).T)
                ok = d > 1e-6
                if ok.any() and d[ok].min() < best_d:
                    best_d = float(d[ok].min())
                    best = pts[ok][int(np.argmin(d[ok]))]
            if best is not None:
                out.append(LineString([end, best]))
    return out


def loose_ends(
    lines: list[LineString], boundary: list[LineString]
) -> list[tuple[np.ndarray, np.ndarray, int, list[LineString]]]:
    """The ends of ``lines`` that meet no other line nor ``boundary``.

    Each as ``(end, the vertex before it, its edge, the noded edges of lines)``:
    the edges are ``lines`` noded with each other and with ``boundary``, without
    the boundary's own.
    """
    if not lines:
        return []
    border = shapely.union_all(np.asarray(boundary, dtype=object))
    noded = line_parts([shapely.union_all(np.asarray(lines + boundary, dtype=object))])
    edges = [e for e in noded if not _on(e, border)]

    ends = _end_counts(noded)
    key = _end_key
    out = []
    for k, edge in enumerate(edges):
        coords = np.asarray(edge.coords)
        for end, before in ((coords[0], coords[1]), (coords[-1], coords[-2])):
            if ends[key(end)] == 1:
                out.append((end, before, k, edges))
    return out


#: A closure may turn at most this far (degrees) from the direction of the road it
#: continues: one that would run back along the road closes nothing.
MAX_TURN = 120.0


def gap_lines(
    end: np.ndarray,
    before: np.ndarray,
    edge: int,
    edges: list[LineString],
    border: BaseGeometry,
    ray: float,
) -> tuple[LineString | None, LineString | None]:
    """The shortest straight lines from a loose end to ``border`` and to an edge.

    The edge is the nearest one that does not touch the loose end's own. A line
    turning more than :data:`MAX_TURN` from the road's direction is replaced by the
    road continued straight for up to ``ray`` metres to where it meets the same
    target; either line may be missing.
    """
    point = shapely.Point(end)
    step = (end - before) / max(float(np.hypot(*(end - before))), 1e-9)
    limit = np.cos(np.radians(MAX_TURN))

    def towards(target: BaseGeometry) -> LineString | None:
        line = shapely.shortest_line(point, target)
        far = np.asarray(line.coords)[-1] - end
        if float(far @ step) >= limit * float(np.hypot(*far)):
            return line
        hit = shapely.get_coordinates(
            shapely.intersection(LineString([end, end + ray * step]), target)
        )
        if len(hit) == 0:
            return None
        far_hit = hit[int(np.argmin(np.hypot(*(hit - end).T)))]
        return LineString([end, far_hit])

    to_border = None
    if not border.is_empty:
        if border.distance(point) < 1e-6:
            # On the boundary but not noded with it: a hair longer, it is.
            to_border = LineString([end - 0.01 * step, end])
        else:
            to_border = towards(border)
    to_edge = None
    others = np.asarray(
        [e for j, e in enumerate(edges) if j != edge and not e.intersects(edges[edge])],
        dtype=object,
    )
    if len(others):
        dist = shapely.distance(point, others)
        best = int(np.argmin(dist))
        if dist[best] > 1e-6:
            to_edge = towards(others[best])
    return to_border, to_edge


def close_gaps(
    lines: list[LineString], boundary: list[LineString], reach: float
) -> list[LineString]:
    """Straight closures from the loose ends of ``lines`` to the nearest line.

    A loose end (see :func:`loose_ends`) is closed by the shortest straight line to
    ``boundary`` when that is at most ``reach`` long, and also to the nearest other
    edge of ``lines`` (one that does not touch the loose edge) when that is nearer
    still; ends farther from both stay open (see :func:`gap_lines`).
    """
    if reach <= 0:
        return []
    border = shapely.union_all(np.asarray(boundary, dtype=object))
    out: list[LineString] = []
    for end, before, edge, edges in loose_ends(lines, boundary):
        to_border, to_edge = gap_lines(end, before, edge, edges, border, reach)
        border_gap = to_border.length if to_border is not None else np.inf
        if to_border is not None and border_gap <= reach:
            out.append(_overshoot(to_border))
        if to_edge is not None and to_edge.length <= min(reach, border_gap):
            out.append(_overshoot(to_edge))
    return out


def _overshoot(line: BaseGeometry, by: float = 0.01) -> LineString:
    """``line`` made ``by`` metres longer at its far end.

    Noding then finds where it meets the line it was drawn to; the dangling tip is
    dropped by polygonising.
    """
    coords = np.asarray(line.coords)
    step = coords[-1] - coords[0]
    norm = float(np.hypot(*step))
    if norm < 1e-9:
        return LineString(coords)
    return LineString([coords[0], coords[-1] + step / norm * by])


def _on(edge: LineString, border: BaseGeometry) -> bool:
    """Whether ``edge`` runs along ``border`` (its middle lies on it)."""
    return bool(
        not border.is_empty
        and border.distance(edge.interpolate(0.5, normalized=True)) < 1e-6
    )


def near_mask(segments: np.ndarray, targets: np.ndarray, distance: float) -> np.ndarray:
    """Which segments have their middle within ``distance`` of a target segment.

    Both are arrays of segments, shape ``(n, 2, 2)``.
    """
    mask = np.zeros(len(segments), dtype=bool)
    if len(segments) == 0 or len(targets) == 0:
        return mask
    # Short straight pieces make a tree whose distance tests are cheap.
    pieces = split_segments(targets, 50.0)
    middles = shapely.points((segments[:, 0] + segments[:, 1]) / 2)
    found = shapely.STRtree(shapely.linestrings(pieces)).query(
        middles, predicate="dwithin", distance=distance
    )[0]
    mask[found] = True
    return mask


def split_segments(segments: np.ndarray, step: float) -> np.ndarray:
    """Segments cut into pieces no longer than ``step``."""
    if len(segments) == 0:
        return segments
    a, b = segments[:, 0], segments[:, 1]
    counts = np.maximum(1, np.ceil(np.hypot(*(b - a).T) / step).astype(int))
    owner = np.repeat(np.arange(len(segments)), counts)
    k = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    t0 = (k / counts[owner])[:, None]
    t1 = ((k + 1) / counts[owner])[:, None]
    start = a[owner] + t0 * (b[owner] - a[owner])
    stop = a[owner] + t1 * (b[owner] - a[owner])
    return np.stack([start, stop], axis=1)


@dataclass
class Blocks:
    """The blocks of an area and where its buildings are."""

    #: Block polygons.
    geoms: np.ndarray
    #: Building positions in each block.
    members: list[np.ndarray]
    #: Block position of every building (-1: outside the area).
    building_block: np.ndarray
    #: Lines the blocks were cut along (roads, boundary, overlay boundaries, extensions).
    linework: BaseGeometry
    #: Road extensions added to close blocks.
    extensions: list[LineString]
    #: Slivers joined to a neighbour.
    slivers: int
    #: Faces joined because a building straddles the line between them.
    straddled: int


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def shared_lengths(
    geoms: np.ndarray, grid_size: float | None = None
) -> dict[tuple[int, int], float]:
    """Length of boundary shared by every pair of neighbouring polygons (i < j).

    Exact for a conforming coverage (neighbours have the same vertices along their
    shared boundary); ``grid_size`` snaps to a precision grid for other polygons.
    """
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) < 2:
        return {}
    boundaries = shapely.boundary(geoms)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    lengths = shapely.length(
        shapely.intersection(boundaries[left], boundaries[right], grid_size=grid_size)
    )
    return {
        (int(i), int(j)): float(d)
        for i, j, d in zip(left, right, lengths, strict=True)
        if d > 0
    }


def shared_segments(geoms: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    """The boundary segments every pair of polygons has in common (i < j).

    Found by matching identical segments, which is exact and fast for a conforming
    coverage — polygons that have the same vertices along the boundaries they share,
    as faces from polygonising and blocks cut by the division are.
    """
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) < 2:
        return {}
    rings, owner = shapely.get_parts(shapely.boundary(geoms), return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    start, stop = coords[:-1][same], coords[1:][same]
    whose = owner[ring[:-1][same]]
    a = np.round(start * 1e6).astype(np.int64)
    b = np.round(stop * 1e6).astype(np.int64)
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    low = np.where(swap[:, None], b, a)
    high = np.where(swap[:, None], a, b)
    keys = np.concatenate([low, high], axis=1)
    _, group, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    group = group.ravel()
    twice = np.flatnonzero(counts[group] == 2)
    order = twice[np.argsort(group[twice], kind="stable")]
    first, second = order[0::2], order[1::2]
    i, j = whose[first], whose[second]
    keep = i != j
    first, i, j = first[keep], i[keep], j[keep]
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    segments = np.stack([start[first], stop[first]], axis=1)
    out: dict[tuple[int, int], list[np.ndarray]] = {}
    pair_order = np.lexsort((hi, lo))
    lo, hi, segments = lo[pair_order], hi[pair_order], segments[pair_order]
    bounds = np.flatnonzero((np.diff(lo) != 0) | (np.diff(hi) != 0)) + 1
    for chunk_lo, chunk_hi, chunk in zip(
        np.split(lo, bounds),
        np.split(hi, bounds),
        np.split(segments, bounds),
        strict=True,
    ):
        if len(chunk):
            out.setdefault((int(chunk_lo[0]), int(chunk_hi[0])), []).append(chunk)
    return {key: np.concatenate(parts) for key, parts in out.items()}


def conform(geoms: np.ndarray) -> np.ndarray:
    """Polygons that add each neighbour's vertices lying on their shared boundary.

    Afterwards neighbours have identical vertices along the boundary they share, so
    unions of them leave no seam.
    """
    from gridgis.core.divide.split import insert_vertices

    geoms = np.asarray(geoms, dtype=object).copy()
    pairs = shared_lengths(geoms, grid_size=SHARED_GRID)
    coords = [shapely.get_coordinates(shapely.boundary(g)) for g in geoms]
    for i, j in pairs:
        geoms[i] = insert_vertices(geoms[i], coords[j])
        geoms[j] = insert_vertices(geoms[j], coords[i])
    return geoms


def make_blocks(
    area: BaseGeometry,
    roads: np.ndarray,
    buildings: BuildingSet,
    *,
    extra_lines: list[LineString] | None = None,
    snap_distance: float = 25.0,
    sliver_area: float = 500.0,
) -> Blocks:
    """Cut ``area`` into blocks along ``roads`` and place ``buildings`` in them.

    Parameters
    ----------
    area
        The part of the community to divide (the community less locked grids).
    roads
        Road lines (any extent; they are clipped to ``area``).
    buildings
        The buildings whose inside point lies in ``area``.
    extra_lines
        More cut lines (overlay boundaries to respect).
    snap_distance, sliver_area
        See :class:`~gridgis.core.divide.DivisionOptions`.
    """
    clipped = line_parts(
        list(shapely.intersection(np.asarray(roads, dtype=object), area))
    )
    boundary = line_parts([area.boundary])
    extra = line_parts(
        [shapely.intersection(line, area) for line in (extra_lines or [])]
    )
    noded = shapely.union_all(np.asarray(boundary + clipped + extra, dtype=object))
    edges = line_parts([noded])
    extensions = close_dangles(edges, snap_distance)
    if extensions:
        noded = shapely.union_all(np.asarray([noded, *extensions], dtype=object))
        edges = line_parts([noded])
    faces = np.asarray(
        list(shapely.get_parts(shapely.polygonize(np.asarray(edges, dtype=object)))),
        dtype=object,
    )
    if len(faces):
        probe = shapely.point_on_surface(faces)
        faces = faces[shapely.contains(area, probe)]
    n = len(faces)

    # Buildings → faces, by a point inside each footprint.
    located = assign_points(buildings.points, faces).index
    lost = np.flatnonzero(located < 0)
    if len(lost) and n:
        near = shapely.STRtree(faces).nearest(buildings.points[lost])
        located[lost] = near

    union = _Union(n)
    straddled = 0
    if n and len(buildings):
        tree = shapely.STRtree(faces)
        b_pos, f_pos = tree.query(buildings.footprints, predicate="intersects")
        other = f_pos != located[b_pos]
        b_pos, f_pos = b_pos[other], f_pos[other]
        if len(b_pos):
            areas = shapely.area(
                shapely.intersection(buildings.footprints[b_pos], faces[f_pos])
            )
            total = shapely.area(buildings.footprints[b_pos])
            cut = (areas > CUT_AREA) & (areas > CUT_SHARE * total)
            for b, f in zip(b_pos[cut], f_pos[cut], strict=True):
                if union.find(int(located[b])) != union.find(int(f)):
                    straddled += 1
                union.join(int(located[b]), int(f))

    # Slivers: faces without buildings that are small or thin join a neighbour.
    occupied = np.zeros(n, dtype=bool)
    occupied[located[located >= 0]] = True
    areas = shapely.area(faces) if n else np.empty(0)
    widths = 2 * areas / np.maximum(shapely.length(faces), 1e-9) if n else areas
    sliver = (~occupied) & ((areas < sliver_area) | (widths < SLIVER_WIDTH))
    slivers = 0
    if sliver.any():
        shared = shared_lengths(faces)
        best: dict[int, tuple[float, int]] = {}
        for (i, j), d in shared.items():
            for a, b in ((i, j), (j, i)):
                if sliver[a] and d > best.get(a, (0.0, -1))[0]:
                    best[a] = (d, b)
        for a, (_, b) in best.items():
            union.join(a, b)
            slivers += 1

    roots = np.array([union.find(i) for i in range(n)], dtype=np.int64)
    unique, group = np.unique(roots, return_inverse=True)
    geoms = np.empty(len(unique), dtype=object)
    for g in range(len(unique)):
        parts = faces[group == g]
        geoms[g] = parts[0] if len(parts) == 1 else shapely.union_all(parts)
    building_block = np.where(located >= 0, group[np.maximum(located, 0)], -1)
    members = [np.flatnonzero(building_block == g) for g in range(len(unique))]
    return Blocks(
        geoms=geoms,
        members=members,
        building_block=building_block,
        linework=noded,
        extensions=extensions,
        slivers=slivers,
        straddled=straddled,
    )
