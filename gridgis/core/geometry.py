"""Geometry hygiene: polygons that GEOS and QGIS's own checker both accept.

GEOS (shapely) and QGIS judge polygons differently. GEOS ignores repeated vertices and
decides with exact predicates; QGIS's checker (``qgis:checkvalidity``, method QGIS)
also reports *duplicate nodes* (consecutive vertices closer than 1e-8 in both
coordinates) and *segments of one ring that touch or cross* (a vertex on another
segment of the same ring, even a few nanometres off, and a hole touching the shell).
A shape can therefore be valid for one and invalid for the other; after a
reprojection a fold a few nanometres wide can even turn into a real self-intersection.

:func:`clean_polygons` makes a layer of polygons right for both, and keeps shared
boundaries shared:

1. vertices of one polygon that lie on an edge of a neighbour are inserted into the
   neighbour (the edges of a tiling then match vertex for vertex);
2. every vertex is converted once, the same way wherever it occurs (reprojection);
3. every vertex is rounded to a grid of :data:`GRID_METRES` (projected) or
   :data:`GRID_DEGREES` (longitude/latitude), vertices that meet are merged, and the
   shapes still rejected (near-touching folds, spikes) are repaired with GEOS's
   snap-rounding on the same grid; shared vertices land on the same grid point on
   both sides, so no gap or overlap opens;
4. pieces and holes smaller than a sliver (:data:`SLIVER_AREA`) are dropped.

:func:`qgis_defects` finds what QGIS's checker finds, without QGIS.

Examples
--------
>>> from shapely import Polygon
>>> doubled = Polygon([(0, 0), (10, 0), (10, 0), (10, 10), (0, 10)])
>>> bool(doubled.is_valid), qgis_defects([doubled])[0][0].kind
(True, 'duplicate-node')
>>> qgis_defects(clean_polygons([doubled]))[0]
[]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

from gridgis.core import schema
from gridgis.core.store import Store

#: Grid coordinates are snapped to in projected CRSs: one millimetre.
GRID_METRES = 1e-3
#: Grid in longitude/latitude: 1.2e-8 degree. QGIS calls vertices duplicates when they
#: are within 1e-8 in both coordinates, so the grid is a little coarser; a vertex then
#: moves by less than a millimetre (0.6e-8° is 0.67 mm of latitude).
GRID_DEGREES = 1.2e-8
#: Pieces and holes below this area (m²) left by snapping are slivers, and dropped.
SLIVER_AREA = 0.01
#: QGIS's checker: consecutive vertices within this distance in x and y are duplicates.
QGIS_DUPLICATE = 1e-8
#: Square metres per square degree, roughly, for sliver areas in longitude/latitude.
_M2_PER_DEG2 = 111_000.0**2

#: Geometry types of polygon layers, which :func:`clean_polygons` is for.
POLYGONAL = frozenset({"Polygon", "MultiPolygon"})

XY = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Defect:
    """One thing QGIS's validity check (method QGIS) reports about a polygon."""

    kind: str
    """``duplicate-node``, ``ring-self-intersection``, ``ring-intersection``,
    ``too-few-points``, ``not-closed`` or ``geos`` (invalid for GEOS as well)."""
    ring: int
    """0 for the shell, 1… for the holes (of the first polygon with the defect)."""
    where: tuple[float, float]
    """A point at the defect."""

    def describe(self) -> tuple[str, str]:
        """What is wrong, in Chinese and English."""
        x, y = self.where
        at = f"({x:.3f}, {y:.3f})"
        texts = {
            "duplicate-node": ("重复节点", "duplicate nodes"),
            "ring-self-intersection": ("边界线自身相接或相交", "ring touches itself"),
            "ring-intersection": ("内外边界相接或相交", "rings touch each other"),
            "too-few-points": ("边界点数不足", "ring with fewer than four points"),
            "not-closed": ("边界未闭合", "ring not closed"),
            "geos": ("自相交", "self-intersection"),
        }
        zh, en = texts[self.kind]
        return f"{zh} {at}", f"{en} at {at}"


def _ring_defects(polygon: shapely.Geometry) -> list[Defect]:
    """Defects of one polygon, looked at ring by ring (the slow, exact path)."""
    found: list[Defect] = []
    rings = [polygon.exterior, *polygon.interiors]
    for r, ring in enumerate(rings):
        coords = np.asarray(ring.coords)[:, :2]
        if len(coords) < 4:
            where = (
                (float(coords[0, 0]), float(coords[0, 1]))
                if len(coords)
                else (0.0, 0.0)
            )
            found.append(Defect("too-few-points", r, where))
            continue
        step = np.abs(np.diff(coords, axis=0))
        dup = np.flatnonzero(
            (step[:, 0] <= QGIS_DUPLICATE) & (step[:, 1] <= QGIS_DUPLICATE)
        )
        if len(dup):
            x, y = coords[dup[0]]
            found.append(Defect("duplicate-node", r, (float(x), float(y))))
        if not shapely.is_simple(ring):
            found.append(Defect("ring-self-intersection", r, _self_touch(coords)))
    for a in range(len(rings)):
        for b in range(a + 1, len(rings)):
            touch = shapely.intersection(rings[a], rings[b])
            if not touch.is_empty:
                x, y = shapely.get_coordinates(touch)[0]
                found.append(Defect("ring-intersection", b, (float(x), float(y))))
    return found


def _self_touch(coords: np.ndarray) -> tuple[float, float]:
    """A point where a ring touches or crosses itself."""
    segments = shapely.linestrings(np.stack([coords[:-1], coords[1:]], axis=1))
    n = len(segments)
    tree = shapely.STRtree(segments)
    left, right = tree.query(segments, predicate="intersects")
    apart = (np.abs(left - right) > 1) & (np.abs(left - right) != n - 1)
    if apart.any():
        k = int(np.flatnonzero(apart)[0])
        xy = shapely.get_coordinates(
            shapely.intersection(segments[left[k]], segments[right[k]])
        )[0]
        return float(xy[0]), float(xy[1])
    return float(coords[0, 0]), float(coords[0, 1])


def _valid(polygons: np.ndarray) -> np.ndarray:
    """``shapely.is_valid`` of many shapes, on every core (GEOS runs without the GIL)."""
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(polygons) < _PARALLEL_FROM:
        return np.asarray(shapely.is_valid(polygons), dtype=bool)
    from concurrent.futures import ThreadPoolExecutor

    chunks = np.array_split(polygons, workers)
    with ThreadPoolExecutor(workers) as pool:
        return np.concatenate(list(pool.map(shapely.is_valid, chunks))).astype(bool)


#: From this many shapes on, validity is checked on several threads.
_PARALLEL_FROM = 50_000


def _suspects(polygons: np.ndarray) -> np.ndarray:
    """Which polygons may have a defect (a quick, vectorised look at all of them).

    A polygon without holes that GEOS accepts has simple rings of at least four
    points, so only its duplicate nodes remain to be looked for; polygons with holes
    are all looked at one by one (a hole may touch the shell at a point, which GEOS
    allows and QGIS does not).
    """
    coords, owner = shapely.get_coordinates(polygons, return_index=True)
    step = np.abs(np.diff(coords, axis=0))
    same = owner[1:] == owner[:-1]
    dup = same & (step[:, 0] <= QGIS_DUPLICATE) & (step[:, 1] <= QGIS_DUPLICATE)
    suspect = np.zeros(len(polygons), dtype=bool)
    suspect[owner[1:][dup]] = True
    suspect |= shapely.get_num_interior_rings(polygons) > 0
    suspect |= ~_valid(polygons)
    return suspect


def _suspect_shapes(arr: np.ndarray) -> np.ndarray:
    """Positions in ``arr`` of the polygonal shapes that may have a defect."""
    if len(arr) == 0:
        return np.zeros(0, dtype=np.int64)
    kinds = np.full(len(arr), -1)
    present = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    kinds[present] = shapely.get_type_id(arr[present])
    polygonal = np.flatnonzero((kinds == 3) | (kinds == 6))
    if len(polygonal) == 0:
        return polygonal
    multi = kinds[polygonal] == 6
    if multi.any():
        parts, owner = shapely.get_parts(arr[polygonal], return_index=True)
    else:
        parts, owner = arr[polygonal], np.arange(len(polygonal))
    suspect = np.zeros(len(polygonal), dtype=bool)
    suspect[owner[_suspects(parts)]] = True
    # Parts valid one by one can still overlap each other.
    suspect[multi] |= ~shapely.is_valid(arr[polygonal][multi])
    return polygonal[suspect]


def qgis_defects(geoms: Sequence[shapely.Geometry] | np.ndarray) -> list[list[Defect]]:
    """What QGIS's validity check (method QGIS) finds in each polygon.

    Duplicate nodes (consecutive vertices within 1e-8 in x and y), rings touching or
    crossing themselves, rings of one polygon touching each other, rings with fewer
    than four points, and whatever GEOS finds. Empty and missing shapes, and shapes
    that are not polygons, have no defects here.
    """
    arr = np.asarray(geoms, dtype=object)
    out: list[list[Defect]] = [[] for _ in range(len(arr))]
    for k in _suspect_shapes(arr):
        out[k] = _defects(arr[k])
    return out


def _defects(geom: shapely.Geometry) -> list[Defect]:
    """What QGIS's checker finds in one polygonal shape (see :func:`qgis_defects`)."""
    found: list[Defect] = []
    for polygon in shapely.get_parts(geom):
        found += _ring_defects(polygon)
    if not shapely.is_valid(geom) and not any(
        d.kind in ("ring-self-intersection", "ring-intersection") for d in found
    ):
        reason = shapely.is_valid_reason(geom)
        found.append(Defect("geos", 0, _reason_point(reason, geom)))
    return found


def _reason_point(reason: str, geom: shapely.Geometry) -> tuple[float, float]:
    if "[" in reason:
        try:
            x, y = reason.split("[", 1)[1].rstrip("]").split()[:2]
            return float(x), float(y)
        except ValueError:
            pass
    point = geom.representative_point()
    return float(point.x), float(point.y)


def is_clean(geoms: Sequence[shapely.Geometry] | np.ndarray) -> np.ndarray:
    """Whether each shape is accepted by GEOS and by QGIS's checker."""
    arr = np.asarray(geoms, dtype=object)
    clean = np.ones(len(arr), dtype=bool)
    for k in _suspect_shapes(arr):
        clean[k] = not _defects(arr[k])
    return clean


def _node_shared(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Insert into each polygon the vertices of others that lie on its edges."""
    present = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    if len(present) < 2:
        return geoms
    # Only polygons that touch another can have its vertices on their edges.
    pairs = shapely.STRtree(geoms[present]).query(
        geoms[present], predicate="dwithin", distance=tolerance
    )
    touching = np.unique(pairs[:, pairs[0] != pairs[1]])
    if len(touching) == 0:
        return geoms
    present = present[touching]
    coords, owner = shapely.get_coordinates(geoms[present], return_index=True)
    keys = coords[:, 0] + 1j * coords[:, 1]
    _, first, which = np.unique(keys, return_index=True, return_inverse=True)
    unique = coords[first]
    points = shapely.points(unique)
    tree = shapely.STRtree(points)
    near_geom, near_point = tree.query(
        shapely.boundary(geoms[present]), predicate="dwithin", distance=tolerance
    )
    n = len(unique)
    own = np.unique(owner.astype(np.int64) * n + which.ravel())
    foreign = ~np.isin(near_geom.astype(np.int64) * n + near_point, own)
    out = geoms.copy()
    for k in np.unique(near_geom[foreign]):
        refs = shapely.multipoints(points[near_point[foreign & (near_geom == k)]])
        out[present[k]] = shapely.snap(geoms[present[k]], refs, tolerance)
    return out


def _drop_repeats(geom: shapely.Geometry) -> shapely.Geometry:
    """``geom`` without repeated vertices (as it is when that is not possible)."""
    try:
        return shapely.remove_repeated_points(geom, 0.0)
    except shapely.errors.GEOSException:
        return geom


def _untouch(geom: shapely.Geometry, grid: float) -> shapely.Geometry:
    """``geom`` with holes drawn in by two grid steps where they touch.

    GEOS allows a hole to touch the shell or another hole at a point; QGIS does not.
    """
    if shapely.get_num_interior_rings(geom) == 0 and geom.geom_type == "Polygon":
        return geom
    out = []
    for polygon in shapely.get_parts(geom):
        holes = []
        others = [polygon.exterior, *polygon.interiors]
        for k, hole in enumerate(polygon.interiors):
            rest = shapely.union_all([r for j, r in enumerate(others) if j != k + 1])
            coords = np.asarray(hole.coords)
            touching = shapely.dwithin(shapely.points(coords), rest, grid / 2)
            if touching.any():
                inside = (
                    hole.centroid
                    if Polygon(hole).contains(hole.centroid)
                    else (Polygon(hole).representative_point())
                )
                toward = np.array([inside.x, inside.y]) - coords[touching]
                length = np.hypot(toward[:, 0], toward[:, 1])[:, None]
                coords[touching] += 2 * grid * toward / np.maximum(length, grid)
                coords = np.round(coords / grid) * grid
                coords[-1] = coords[0]
            holes.append(coords)
        out.append(Polygon(polygon.exterior, holes))
    return out[0] if len(out) == 1 else shapely.MultiPolygon(out)


def _polygonal(geom: shapely.Geometry, sliver: float) -> shapely.Geometry:
    """The polygons of ``geom`` without slivers, and without sliver holes."""
    parts = [
        p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")
    ]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    if not polygons:
        return shapely.Polygon()
    big = [p for p in polygons if p.area >= sliver] or [
        max(polygons, key=lambda p: p.area)
    ]
    kept = []
    for p in big:
        holes = [h for h in p.interiors if shapely.Polygon(h).area >= sliver]
        kept.append(shapely.Polygon(p.exterior, holes))
    return kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)


def clean_polygons(
    geoms: Sequence[shapely.Geometry] | np.ndarray,
    *,
    convert: XY | None = None,
    geographic: bool = False,
) -> np.ndarray:
    """A layer of polygons made valid for GEOS and QGIS, shared boundaries kept shared.

    Parameters
    ----------
    geoms
        Polygons of one layer (the grids of a project, say) in a projected CRS (metres),
        or in longitude/latitude when ``geographic`` and no ``convert`` is given.
    convert
        A conversion of coordinates (:func:`gridgis.core.exchange.coords.converter`)
        to apply on the way; every vertex is converted once, consistently.
    geographic
        Whether the result is in longitude/latitude (snapped to :data:`GRID_DEGREES`
        instead of :data:`GRID_METRES`).

    A layer that needs no conversion and that GEOS and QGIS already accept is
    returned bit for bit. Otherwise every shape is cleaned, all the same way (so that
    shared vertices stay shared): vertices of neighbours lying on an edge are first
    inserted (in the source CRS), so that shared edges match vertex for vertex.

    Returns
    -------
    numpy.ndarray
        The cleaned shapes, position for position; missing and empty ones as given.
    """
    arr = np.asarray(geoms, dtype=object).copy()
    if len(arr) == 0:
        return arr
    present = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    if convert is None and is_clean(arr[present]).all():
        return arr  # nothing to convert, nothing to repair: kept bit for bit
    multi = np.zeros(len(arr), dtype=bool)
    multi[present] = shapely.get_type_id(arr[present]) == 6
    source_degrees = geographic and convert is None
    arr = _node_shared(arr, (GRID_DEGREES if source_degrees else GRID_METRES) / 10)
    if convert is not None:
        arr[present] = shapely.transform(
            arr[present],
            lambda x, y: convert(np.asarray(x, float), np.asarray(y, float)),
            interleaved=False,
        )
    grid = GRID_DEGREES if geographic else GRID_METRES
    sliver = SLIVER_AREA / _M2_PER_DEG2 if geographic else SLIVER_AREA
    # Every vertex is rounded on its own (the same vertex the same way, so shared
    # edges stay shared, and in order); vertices that meet are merged.
    snapped = shapely.set_precision(arr[present], grid, mode="pointwise")
    try:
        snapped = shapely.remove_repeated_points(snapped, 0.0)
    except shapely.errors.GEOSException:  # a ring collapsed: one by one
        snapped = np.array([_drop_repeats(g) for g in snapped], dtype=object)
    # Shapes still rejected (folds and touches) are repaired by snap-rounding on the
    # same grid, which rounds each vertex just as above and nodes what then meets.
    bad = ~is_clean(snapped) | (shapely.area(snapped) < sliver)
    bad |= shapely.get_num_interior_rings(snapped) > 0
    if bad.any():
        fixed = shapely.set_precision(arr[present][bad], grid, mode="valid_output")
        snapped[bad] = [_untouch(_polygonal(g, sliver), grid) for g in fixed]
    arr[present] = snapped
    single = multi & (shapely.get_type_id(arr) == 3)
    arr[single] = [shapely.MultiPolygon([g]) for g in arr[single]]
    return arr


def clean_coverage(geoms: Sequence[shapely.Geometry] | np.ndarray) -> np.ndarray:
    """Polygons meant to tile an area (a division's grids), cleaned as a coverage.

    Where their edges do not match vertex for vertex, or they overlap by a sliver,
    GEOS's coverage cleaner (shapely 2.2 and later) first makes every shared edge one
    and the same line, snapping within :data:`GRID_METRES`; then
    :func:`clean_polygons`.
    """
    arr = np.asarray(geoms, dtype=object).copy()
    present = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    cleaner = getattr(shapely, "coverage_clean", None)
    if (
        cleaner is not None
        and present.sum() > 1
        and not shapely.coverage_is_valid(arr[present])
    ):
        arr[present] = cleaner(arr[present], snapping_distance=GRID_METRES)
    return clean_polygons(arr)


def with_clean_polygons(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a division's grids cleaned as a coverage (:func:`clean_coverage`).

    Rows without a geometry column are returned as they are.
    """
    if "geometry" not in frame or len(frame) == 0:
        return frame
    out = frame.copy()
    geoms = np.asarray(frame["geometry"].values, dtype=object)
    out["geometry"] = gpd.GeoSeries(
        clean_coverage(geoms), index=frame.index, crs=getattr(frame, "crs", None)
    )
    return out


def clean_project_polygons(
    store: Store, layers: Sequence[str] | None = None
) -> dict[str, int]:
    """Clean the polygon layers of a project in place, in one transaction.

    Each layer is cleaned as a whole by :func:`clean_polygons`; only rows whose shape
    changes are written. Returns the number of rows changed per layer.

    Parameters
    ----------
    layers
        Layer names (default: every polygon layer a user keeps: streets,
        communities, grids, buildings, overlays).
    """
    names = (
        list(layers)
        if layers
        else [
            name
            for name, lyr in schema.LAYERS.items()
            if lyr.user_data and lyr.geometry in POLYGONAL
        ]
    )
    updates: dict[str, pd.DataFrame] = {}
    for name in names:
        if schema.layer(name).geometry not in POLYGONAL:
            continue
        frame = store.read(name, columns=[])
        geoms = np.asarray(frame.geometry.values, dtype=object)
        cleaned = clean_polygons(geoms)
        changed = np.array(
            [
                a is not b and not shapely.equals_exact(a, b, 0.0)
                for a, b in zip(geoms, cleaned, strict=True)
            ],
            dtype=bool,
        )
        updates[name] = gpd.GeoDataFrame(
            geometry=list(cleaned[changed]), index=frame.index[changed], crs=store.crs
        )
    with store.transaction() as tx:
        for name, rows in updates.items():
            if len(rows):
                tx.update(name, rows)
    return {name: len(rows) for name, rows in updates.items()}
