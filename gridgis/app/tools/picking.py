"""Finding the grid, community or building an edit on the map is about."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from gridgis.core.store import Store


def grid_crossed(
    store: Store, line: BaseGeometry, prefer: list[int] | None = None
) -> int | None:
    """The grid most of ``line`` runs through (a selected one in ``prefer`` first)."""
    grids = store.read("grids", bbox=tuple(line.bounds), columns=["code"])
    if grids.empty:
        return None
    lengths = shapely.length(
        shapely.intersection(np.asarray(grids.geometry.values, dtype=object), line)
    )
    lengths = np.where(lengths > 1e-6, lengths, 0.0)
    if prefer:
        chosen = [
            k for k, fid in enumerate(grids.index) if fid in prefer and lengths[k] > 0
        ]
        if chosen:
            return int(grids.index[max(chosen, key=lambda k: lengths[k])])
    if lengths.max() <= 0:
        return None
    return int(grids.index[int(np.argmax(lengths))])


def grid_at(store: Store, x: float, y: float) -> int | None:
    """The grid under the point ``(x, y)``."""
    point = Point(x, y)
    grids = store.read("grids", bbox=(x, y, x, y), columns=["code"])
    hits = [
        fid
        for fid, geom in zip(grids.index, grids.geometry, strict=False)
        if geom.covers(point)
    ]
    return int(hits[0]) if hits else None


def grid_code_at(store: Store, x: float, y: float) -> str | None:
    """The code of the grid under ``(x, y)``."""
    point = Point(x, y)
    grids = store.read("grids", bbox=(x, y, x, y), columns=["code"])
    for code, geom in zip(grids["code"], grids.geometry, strict=False):
        if geom.covers(point):
            return str(code)
    return None


def building_at(store: Store, x: float, y: float, tolerance: float = 0.0) -> int | None:
    """The building under ``(x, y)`` (or within ``tolerance`` metres of it)."""
    point = Point(x, y)
    box = (x - tolerance, y - tolerance, x + tolerance, y + tolerance)
    buildings = store.read("buildings", bbox=box, columns=["id"])
    best, best_distance = None, tolerance
    for fid, geom in zip(buildings.index, buildings.geometry, strict=False):
        distance = geom.distance(point)
        if distance <= best_distance:
            best, best_distance = int(fid), distance
    return best


def community_covering(store: Store, shape: BaseGeometry) -> str | None:
    """The community that holds most of ``shape``."""
    communities = store.read("communities", bbox=tuple(shape.bounds), columns=["code"])
    if communities.empty:
        return None
    areas = shapely.area(
        shapely.intersection(
            np.asarray(communities.geometry.values, dtype=object), shape
        )
    )
    if areas.max() <= 0:
        return None
    return str(communities["code"].iloc[int(np.argmax(areas))])


def community_at(store: Store, x: float, y: float) -> str | None:
    """The code of the community under ``(x, y)``."""
    point = Point(x, y)
    communities = store.read("communities", bbox=(x, y, x, y), columns=["code"])
    for code, geom in zip(communities["code"], communities.geometry, strict=False):
        if geom.covers(point):
            return str(code)
    return None
