"""What the rules share: the snapshot, the options, and arrays computed once per run."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import shapely

from gridgis.core.definitions import Level
from gridgis.core.i18n import Text
from gridgis.core.link import Linkage
from gridgis.core.settings import Settings
from gridgis.core.snapshot import Snapshot
from gridgis.core.validate.issue import Options

#: The layers of the three levels, with their level and user-visible name.
LEVEL_LAYERS = (
    ("streets", Level.STREET, Text("街道", "street")),
    ("communities", Level.COMMUNITY, Text("社区", "community")),
    ("grids", Level.GRID, Text("网格", "grid")),
)


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """The polygonal part of each geometry (empty polygon where there is none)."""
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    if len(geoms) == 0:
        return out
    missing = shapely.is_missing(geoms)
    out[missing] = shapely.Polygon()
    present = np.flatnonzero(~missing)
    types = shapely.get_type_id(geoms[present])
    mixed = present[~np.isin(types, (3, 6))]  # not Polygon / MultiPolygon
    for k in mixed:  # only the rare results of make_valid or an intersection
        parts = [
            p
            for p in shapely.get_parts(geoms[k])
            if p.geom_type in ("Polygon", "MultiPolygon")
        ]
        out[k] = shapely.union_all(parts) if parts else shapely.Polygon()
    return out


def repaired(geoms: np.ndarray) -> np.ndarray:
    """Geometries fit for overlay operations: invalid ones made valid (a copy)."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return geoms
    missing = shapely.is_missing(geoms)
    bad = ~missing & ~shapely.is_valid(geoms)
    if not bad.any() and not missing.any():
        return geoms
    out = geoms.copy()
    out[missing] = shapely.Polygon()
    if bad.any():
        out[bad] = polygonal(shapely.make_valid(geoms[bad]))
    return out


class Context:
    """One validation run: the snapshot, the options, and shared derived arrays."""

    def __init__(self, snapshot: Snapshot, options: Options | None = None) -> None:
        self.snapshot = snapshot
        self.settings: Settings = snapshot.settings
        self.options = options or Options.from_settings_extra(snapshot.settings.extra)
        self.tolerance = float(snapshot.settings.topology_tolerance)
        #: Results rules share within the run (computed by the first that needs them).
        self.memo: dict[str, Any] = {}

    # -- slivers -----------------------------------------------------------------------

    def substantial(self, pieces: np.ndarray) -> np.ndarray:
        """Which pieces (gaps, overlaps, parts outside) are wider than the tolerance.

        A piece no wider than the project's ``topology_tolerance`` is digitising noise
        (a sliver) and is not reported.
        """
        pieces = np.asarray(pieces, dtype=object)
        if len(pieces) == 0:
            return np.zeros(0, dtype=bool)
        keep = ~(shapely.is_missing(pieces) | shapely.is_empty(pieces))
        area = np.zeros(len(pieces))
        area[keep] = shapely.area(pieces[keep])
        keep &= area > self.tolerance**2
        if keep.any():
            shrunk = shapely.buffer(pieces[keep], -self.tolerance / 2)
            keep[keep] = ~shapely.is_empty(shrunk)
        return keep

    def substantial_parts(self, piece: object) -> list[object]:
        """The parts of ``piece`` wider than the tolerance."""
        parts = shapely.get_parts(np.asarray([piece], dtype=object))
        return list(parts[self.substantial(parts)])

    # -- layers --------------------------------------------------------------------------

    @cached_property
    def grid_geoms(self) -> np.ndarray:
        """Grid polygons, invalid ones repaired (the geometry rules report them)."""
        return repaired(self.snapshot.geoms("grids"))

    @cached_property
    def community_geoms(self) -> np.ndarray:
        """Community polygons, invalid ones repaired."""
        return repaired(self.snapshot.geoms("communities"))

    @cached_property
    def street_geoms(self) -> np.ndarray:
        """Street polygons, invalid ones repaired."""
        return repaired(self.snapshot.geoms("streets"))

    @cached_property
    def grid_codes(self) -> np.ndarray:
        """Grid codes (``None`` where empty)."""
        return self.snapshot.column("grids", "code")

    @cached_property
    def grid_community(self) -> np.ndarray:
        """Each grid's community code field."""
        return self.snapshot.column("grids", "community_code")

    @cached_property
    def grid_community_pos(self) -> np.ndarray:
        """Position of each grid's community in the communities frame (-1: none)."""
        return _positions(
            self.grid_community, self.snapshot.column("communities", "code")
        )

    @cached_property
    def community_street_pos(self) -> np.ndarray:
        """Position of each community's street in the streets frame (-1: none)."""
        return _positions(
            self.snapshot.column("communities", "street_code"),
            self.snapshot.column("streets", "code"),
        )

    @cached_property
    def linkage(self) -> Linkage:
        """Buildings and facilities linked to grids and communities."""
        return self.snapshot.linkage

    @cached_property
    def divided(self) -> np.ndarray:
        """Per community: whether it has grids."""
        return self.snapshot.divided

    @cached_property
    def grid_tree(self) -> shapely.STRtree:
        """Spatial index of the grids."""
        return shapely.STRtree(self.grid_geoms)

    @cached_property
    def grid_area(self) -> np.ndarray:
        """Area of each grid (m²)."""
        return shapely.area(self.grid_geoms)

    @cached_property
    def overlaps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs of grids (i < j) whose interiors share more than a sliver.

        Returns the positions ``i``, ``j`` and the shared pieces.
        """
        geoms = self.grid_geoms
        empty = (
            np.empty(0, dtype=np.int64),
            np.empty(0, dtype=np.int64),
            np.empty(0, dtype=object),
        )
        if len(geoms) < 2:
            return empty
        # Grids whose every edge is matched by a neighbour's (a valid coverage) cannot
        # overlap: only grids with unmatched edges need pairwise checks.
        flagged = np.arange(len(geoms))
        try:
            unmatched = shapely.coverage_invalid_edges(geoms)
            flagged = np.flatnonzero(~shapely.is_empty(unmatched))
        except (AttributeError, shapely.errors.GEOSException):
            pass  # an older GEOS, or input it refuses: check every pair
        if len(flagged) == 0:
            return empty
        local, right = self.grid_tree.query(geoms[flagged], predicate="intersects")
        left = flagged[local]
        pairs = np.unique(
            np.column_stack([np.minimum(left, right), np.maximum(left, right)]), axis=0
        )
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        left, right = pairs[:, 0], pairs[:, 1]
        # Interiors meet: not just a shared edge.
        inner = shapely.relate_pattern(geoms[left], geoms[right], "T********")
        left, right = left[inner], right[inner]
        if len(left) == 0:
            return empty
        pieces = polygonal(shapely.intersection(geoms[left], geoms[right]))
        keep = self.substantial(pieces)
        return left[keep], right[keep], pieces[keep]

    def community_of_grid(self, k: int) -> str | None:
        """The community a finding about grid ``k`` belongs to."""
        value = self.grid_community[k]
        return None if value is None else str(value)

    def community_of(self, layer: str, k: int) -> str | None:
        """The community a finding about row ``k`` of a level layer belongs to."""
        if layer == "grids":
            return self.community_of_grid(k)
        if layer == "communities":
            code = self.snapshot.column("communities", "code")[k]
            return None if code is None else str(code)
        return None

    def level_geometry(self, layer: str, k: int) -> object:
        """The (repaired) boundary of row ``k`` of a level layer."""
        return {
            "grids": self.grid_geoms,
            "communities": self.community_geoms,
            "streets": self.street_geoms,
        }[layer][k]


def _positions(keys: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Position of each key in ``table`` (first occurrence; -1 where absent)."""
    lookup: dict[object, int] = {}
    for pos, value in enumerate(table):
        if value is not None and value not in lookup:
            lookup[value] = pos
    return np.fromiter(
        (lookup.get(k, -1) for k in keys), dtype=np.int64, count=len(keys)
    )


__all__ = ["Context", "polygonal", "repaired"]
