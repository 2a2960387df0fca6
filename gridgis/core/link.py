"""Linking: which grid every building and facility belongs to, and the roll-ups.

A building belongs to the grid that contains a point inside its footprint; a building
whose footprint is split between grids is reported as cut (never silently split). A
facility belongs to the grid that contains it. Households and population roll up from
buildings to grids, communities (the buildings inside the community, divided or not) and
streets. Everything is vectorised with shapely 2 (STRtree queries on arrays).

Examples
--------
>>> import numpy as np
>>> from shapely.geometry import Point, box
>>> grids = np.array([box(0, 0, 10, 10), box(10, 0, 20, 10)])
>>> assign_points(np.array([Point(5, 5), Point(15, 5), Point(30, 5)]), grids).index
array([ 0,  1, -1])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from gridgis.core.store import Store

#: A building counts as cut when more than this share of its footprint lies outside the
#: grid that holds its inside point.
CUT_SHARE = 0.01
#: ... and that outside part is larger than this many square metres.
CUT_AREA = 1.0


@dataclass(frozen=True)
class Assignment:
    """Which polygon each point falls in.

    Attributes
    ----------
    index
        Position of the polygon holding each point, or -1 for none.
    hits
        How many polygons hold each point (0, 1, or more where polygons overlap).
    """

    index: np.ndarray
    hits: np.ndarray

    def codes(self, keys: Sequence[object] | np.ndarray) -> np.ndarray:
        """The key of the holding polygon per point (``None`` where there is none)."""
        keys = np.asarray(keys, dtype=object)
        out = np.full(len(self.index), None, dtype=object)
        found = self.index >= 0
        out[found] = keys[self.index[found]]
        return out


def assign_points(points: np.ndarray, polygons: np.ndarray) -> Assignment:
    """Assign each point to the polygon that contains it (vectorised).

    Where polygons overlap, a point goes to the lowest polygon position and ``hits``
    counts every polygon that holds it.
    """
    points = np.asarray(points, dtype=object)
    polygons = np.asarray(polygons, dtype=object)
    index = np.full(len(points), -1, dtype=np.int64)
    hits = np.zeros(len(points), dtype=np.int64)
    if len(points) == 0 or len(polygons) == 0:
        return Assignment(index, hits)
    tree = shapely.STRtree(polygons)
    point_pos, polygon_pos = tree.query(points, predicate="within")
    if len(point_pos):
        order = np.lexsort((polygon_pos, point_pos))
        point_pos, polygon_pos = point_pos[order], polygon_pos[order]
        first = np.ones(len(point_pos), dtype=bool)
        first[1:] = point_pos[1:] != point_pos[:-1]
        index[point_pos[first]] = polygon_pos[first]
        hits = np.bincount(point_pos, minlength=len(points)).astype(np.int64)
    return Assignment(index, hits)


def inside_points(footprints: np.ndarray) -> np.ndarray:
    """A point inside each footprint: its centroid, or a point on its surface."""
    footprints = np.asarray(footprints, dtype=object)
    centroids = shapely.centroid(footprints)
    inside = shapely.contains_properly(footprints, centroids)
    if not inside.all():
        centroids[~inside] = shapely.point_on_surface(footprints[~inside])
    return centroids


def cut_buildings(
    footprints: np.ndarray, grids: np.ndarray, assigned: np.ndarray
) -> pd.DataFrame:
    """Buildings whose footprint crosses a grid boundary.

    Parameters
    ----------
    footprints
        Building polygons.
    grids
        Grid polygons.
    assigned
        Position of each building's grid (from :func:`assign_points`), -1 for none.

    Returns
    -------
    DataFrame
        One row per cut building: ``building`` (position), ``grid`` (the other grid's
        position) and ``area`` (m² of the footprint inside that other grid).
    """
    footprints = np.asarray(footprints, dtype=object)
    grids = np.asarray(grids, dtype=object)
    empty = pd.DataFrame({"building": [], "grid": [], "area": []})
    if len(footprints) == 0 or len(grids) == 0:
        return empty.astype({"building": int, "grid": int, "area": float})
    # Only buildings that touch a grid boundary can be cut.
    boundaries = shapely.STRtree(shapely.boundary(grids))
    crossing = np.unique(boundaries.query(footprints, predicate="intersects")[0])
    if len(crossing) == 0:
        return empty.astype({"building": int, "grid": int, "area": float})
    tree = shapely.STRtree(grids)
    local, grid_pos = tree.query(footprints[crossing], predicate="intersects")
    building_pos = crossing[local]
    other = grid_pos != assigned[building_pos]
    building_pos, grid_pos = building_pos[other], grid_pos[other]
    areas = shapely.area(
        shapely.intersection(footprints[building_pos], grids[grid_pos])
    )
    total = shapely.area(footprints[building_pos])
    cut = (areas > CUT_AREA) & (areas > CUT_SHARE * total)
    return pd.DataFrame(
        {"building": building_pos[cut], "grid": grid_pos[cut], "area": areas[cut]}
    )


@dataclass
class LinkReport:
    """What :func:`link_project` found and wrote."""

    #: Building fid → grid code (``None`` outside every grid).
    building_grid: pd.Series
    #: Facility fid → grid code.
    facility_grid: pd.Series
    #: Cut buildings: building ``id``, ``grid_code`` (its grid) and ``other`` grid code.
    cut: pd.DataFrame
    #: Buildings and facilities inside more than one grid (overlaps): ``layer``, ``id``.
    ambiguous: pd.DataFrame
    #: Grid totals: ``code``, ``households``, ``population``.
    grids: pd.DataFrame
    #: Community totals: ``code``, ``households``, ``population``.
    communities: pd.DataFrame
    #: Street totals: ``code``, ``households``, ``population``.
    streets: pd.DataFrame
    #: Rows written per layer.
    written: dict[str, int] = field(default_factory=dict)


def _sum_by(keys: np.ndarray, values: pd.Series, codes: pd.Series) -> pd.Series:
    index = pd.Index(codes)
    frame = pd.DataFrame(
        {"key": keys, "value": values.fillna(0).to_numpy(dtype=np.int64)}
    )
    sums = frame.dropna(subset=["key"]).groupby("key")["value"].sum()
    return sums.reindex(index, fill_value=0).astype("Int64")


def _changed(old: pd.Series, new: pd.Series) -> np.ndarray:
    old_v = old.astype(object).where(old.notna(), None).to_numpy()
    new_v = new.astype(object).where(new.notna(), None).to_numpy()
    return np.array([a != b for a, b in zip(old_v, new_v, strict=True)], dtype=bool)


def link_project(store: Store, *, community: str | None = None) -> LinkReport:
    """Link buildings and facilities to grids and roll totals up; write it all at once.

    Parameters
    ----------
    store
        The project.
    community
        Only this community (after an edit); ``None`` links the whole project.

    Returns
    -------
    LinkReport
        The assignment, the cut and ambiguous buildings, and the totals written.
    """
    communities = store.read("communities")
    if community is not None:
        communities = communities[communities["code"] == community]
        if communities.empty:
            from gridgis.core.errors import SchemaError

            raise SchemaError(
                f"There is no community {community} in {store.location}.",
                f"{store.location} 中没有社区 {community}。",
            )
        bbox = tuple(communities.total_bounds)
        grids = store.read("grids", where={"community_code": community})
        buildings = store.read(
            "buildings",
            bbox=bbox,
            columns=["id", "households", "population", "grid_code"],
        )
        facilities = store.read("facilities", bbox=bbox, columns=["id", "grid_code"])
    else:
        grids = store.read("grids")
        buildings = store.read(
            "buildings", columns=["id", "households", "population", "grid_code"]
        )
        facilities = store.read("facilities", columns=["id", "grid_code"])

    grid_geoms = np.asarray(grids.geometry.values, dtype=object)
    footprints = np.asarray(buildings.geometry.values, dtype=object)
    points = inside_points(footprints)
    in_community = assign_points(
        points, np.asarray(communities.geometry.values, dtype=object)
    )
    if community is not None:
        keep = in_community.index >= 0
        buildings, points, footprints = buildings[keep], points[keep], footprints[keep]
        in_community = Assignment(in_community.index[keep], in_community.hits[keep])
        facility_keep = (
            assign_points(
                np.asarray(facilities.geometry.values, dtype=object),
                np.asarray(communities.geometry.values, dtype=object),
            ).index
            >= 0
        )
        facilities = facilities[facility_keep]

    building_in = assign_points(points, grid_geoms)
    grid_codes = grids["code"].to_numpy(dtype=object)
    building_grid = pd.Series(building_in.codes(grid_codes), index=buildings.index)
    facility_in = assign_points(
        np.asarray(facilities.geometry.values, dtype=object), grid_geoms
    )
    facility_grid = pd.Series(facility_in.codes(grid_codes), index=facilities.index)

    cut_rows = cut_buildings(footprints, grid_geoms, building_in.index)
    cut = pd.DataFrame(
        {
            "id": buildings["id"].to_numpy()[cut_rows["building"].to_numpy(dtype=int)],
            "grid_code": building_grid.to_numpy()[
                cut_rows["building"].to_numpy(dtype=int)
            ],
            "other": grid_codes[cut_rows["grid"].to_numpy(dtype=int)],
        }
    )
    ambiguous = pd.concat(
        [
            pd.DataFrame(
                {"layer": "buildings", "id": buildings["id"][building_in.hits > 1]}
            ),
            pd.DataFrame(
                {"layer": "facilities", "id": facilities["id"][facility_in.hits > 1]}
            ),
        ],
        ignore_index=True,
    )

    grid_totals = pd.DataFrame(
        {
            "code": grids["code"].to_numpy(),
            "households": _sum_by(
                building_grid.to_numpy(), buildings["households"], grids["code"]
            ).to_numpy(),
            "population": _sum_by(
                building_grid.to_numpy(), buildings["population"], grids["code"]
            ).to_numpy(),
        },
        index=grids.index,
    )
    community_keys = in_community.codes(communities["code"].to_numpy(dtype=object))
    community_totals = pd.DataFrame(
        {
            "code": communities["code"].to_numpy(),
            "households": _sum_by(
                community_keys, buildings["households"], communities["code"]
            ).to_numpy(),
            "population": _sum_by(
                community_keys, buildings["population"], communities["code"]
            ).to_numpy(),
        },
        index=communities.index,
    )
    streets = store.read("streets", columns=["code", "households", "population"])
    all_communities = store.read(
        "communities", columns=["code", "street_code", "households", "population"]
    )
    all_communities = all_communities.drop(columns="geometry")
    all_communities.loc[community_totals.index, ["households", "population"]] = (
        community_totals[["households", "population"]]
    )
    street_sums = all_communities.groupby("street_code")[
        ["households", "population"]
    ].sum()
    street_totals = pd.DataFrame(
        {
            "code": streets["code"].to_numpy(),
            "households": street_sums["households"]
            .reindex(streets["code"], fill_value=0)
            .to_numpy(),
            "population": street_sums["population"]
            .reindex(streets["code"], fill_value=0)
            .to_numpy(),
        },
        index=streets.index,
    )

    written: dict[str, int] = {}
    with store.transaction() as tx:
        for layer, frame, key in (
            ("buildings", buildings, building_grid),
            ("facilities", facilities, facility_grid),
        ):
            changed = _changed(frame["grid_code"], key)
            written[layer] = int(changed.sum())
            if changed.any():
                tx.update(layer, pd.DataFrame({"grid_code": key[changed]}))
        for layer, totals in (
            ("grids", grid_totals),
            ("communities", community_totals),
            ("streets", street_totals),
        ):
            tx.update(layer, totals[["households", "population"]])
            written[layer] = len(totals)
    return LinkReport(
        building_grid=building_grid,
        facility_grid=facility_grid,
        cut=cut,
        ambiguous=ambiguous,
        grids=grid_totals.reset_index(drop=True),
        communities=community_totals.reset_index(drop=True),
        streets=street_totals.reset_index(drop=True),
        written=written,
    )


__all__ = [
    "Assignment",
    "LinkReport",
    "assign_points",
    "cut_buildings",
    "inside_points",
    "link_project",
]
