"""Linking: which grid every building and facility belongs to, and the roll-ups.

A building belongs to the grid that contains a point inside its footprint; a building
whose footprint is split between grids is reported as cut (never silently split). A
facility belongs to the grid that contains it. Households and population roll up from
buildings to grids, communities (the buildings inside the community, divided or not) and
streets.

Everything is vectorised with shapely 2: one STRtree query of all footprints against the
polygons' boxes gives the candidate pairs, and one array call of ``contains_xy`` on the
prepared polygons keeps the pairs whose polygon holds the building's point. Buildings
whose box meets only one grid's box cannot be cut, so the (costly) intersections are
computed only for the few that lie across a boundary.

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

from gridgis.core.errors import SchemaError
from gridgis.core.progress import Feedback, check
from gridgis.core.snapshot import Snapshot
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


def _candidates(
    probes: np.ndarray, polygons: np.ndarray, tree: shapely.STRtree | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (probe, polygon) whose boxes meet, sorted by probe then polygon."""
    if len(probes) == 0 or len(polygons) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    tree = tree if tree is not None else shapely.STRtree(polygons)
    probe_pos, polygon_pos = tree.query(probes)
    order = np.lexsort((polygon_pos, probe_pos))
    return probe_pos[order].astype(np.int64), polygon_pos[order].astype(np.int64)


def _assign_xy(
    x: np.ndarray,
    y: np.ndarray,
    probe_pos: np.ndarray,
    polygon_pos: np.ndarray,
    polygons: np.ndarray,
    n: int,
) -> Assignment:
    """Keep the candidate pairs whose polygon contains the point; first one wins."""
    index = np.full(n, -1, dtype=np.int64)
    hits = np.zeros(n, dtype=np.int64)
    if len(probe_pos) == 0:
        return Assignment(index, hits)
    shapely.prepare(polygons)
    inside = shapely.contains_xy(polygons[polygon_pos], x[probe_pos], y[probe_pos])
    probe_pos, polygon_pos = probe_pos[inside], polygon_pos[inside]
    first = np.ones(len(probe_pos), dtype=bool)
    first[1:] = probe_pos[1:] != probe_pos[:-1]
    index[probe_pos[first]] = polygon_pos[first]
    hits = np.bincount(probe_pos, minlength=n).astype(np.int64)
    return Assignment(index, hits)


def assign_points(points: np.ndarray, polygons: np.ndarray) -> Assignment:
    """Assign each point to the polygon that contains it (vectorised).

    Where polygons overlap, a point goes to the lowest polygon position and ``hits``
    counts every polygon that holds it. A point on a boundary is in neither polygon.
    """
    points = np.asarray(points, dtype=object)
    polygons = np.asarray(polygons, dtype=object)
    if len(points) == 0:
        return Assignment(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    xy = shapely.get_coordinates(points)
    present = ~(shapely.is_missing(points) | shapely.is_empty(points))
    x = np.full(len(points), np.nan)
    y = np.full(len(points), np.nan)
    x[present], y[present] = xy[:, 0], xy[:, 1]
    probe_pos, polygon_pos = _candidates(points, polygons)
    return _assign_xy(x, y, probe_pos, polygon_pos, polygons, len(points))


def inside_xy(footprints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of a point inside each footprint (NaN for empty ones).

    The centre of the footprint's box where that lies inside it (most buildings), a
    point on its surface elsewhere (L- and U-shaped footprints).
    """
    footprints = np.asarray(footprints, dtype=object)
    bounds = shapely.bounds(footprints)
    x = (bounds[:, 0] + bounds[:, 2]) / 2
    y = (bounds[:, 1] + bounds[:, 3]) / 2
    present = np.isfinite(x)
    outside = present.copy()
    outside[present] = ~shapely.contains_xy(footprints[present], x[present], y[present])
    if outside.any():
        fallback = shapely.get_coordinates(
            shapely.point_on_surface(footprints[outside])
        )
        x[outside], y[outside] = fallback[:, 0], fallback[:, 1]
    return x, y


def inside_points(footprints: np.ndarray) -> np.ndarray:
    """A point inside each footprint (see :func:`inside_xy`)."""
    x, y = inside_xy(footprints)
    return shapely.points(x, y)


def cut_buildings(
    footprints: np.ndarray,
    grids: np.ndarray,
    assigned: np.ndarray,
    candidates: tuple[np.ndarray, np.ndarray] | None = None,
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
    candidates
        Pairs (building, grid) whose boxes meet, if already known.

    Returns
    -------
    DataFrame
        One row per cut building and other grid: ``building`` (position), ``grid`` (the
        other grid's position) and ``area`` (m² of the footprint inside that other
        grid).
    """
    footprints = np.asarray(footprints, dtype=object)
    grids = np.asarray(grids, dtype=object)
    empty = pd.DataFrame(
        {
            "building": np.empty(0, dtype=np.int64),
            "grid": np.empty(0, dtype=np.int64),
            "area": np.empty(0, dtype=float),
        }
    )
    if candidates is None:
        candidates = _candidates(footprints, grids)
    building_pos, grid_pos = candidates
    if len(building_pos) == 0:
        return empty
    # Only a building whose box meets two grids' boxes can be cut.
    per_building = np.bincount(building_pos, minlength=len(footprints))
    several = per_building[building_pos] > 1
    building_pos, grid_pos = building_pos[several], grid_pos[several]
    if len(building_pos) == 0:
        return empty
    # ... and only if a part of it lies outside its own grid (a building inside an
    # overlap of two grids lies wholly in both: it is ambiguous, not cut).
    candidates_b = np.unique(building_pos)
    shapes = shapely.make_valid(footprints[candidates_b])
    total = shapely.area(shapes)
    own = assigned[candidates_b]
    inside = np.zeros(len(candidates_b))
    has_own = own >= 0
    inside[has_own] = shapely.area(
        shapely.intersection(shapes[has_own], grids[own[has_own]])
    )
    outside = total - inside
    sticking_out = (outside > CUT_AREA) & (outside > CUT_SHARE * total)
    keep = np.isin(building_pos, candidates_b[sticking_out]) & (
        grid_pos != assigned[building_pos]
    )
    building_pos, grid_pos = building_pos[keep], grid_pos[keep]
    if len(building_pos) == 0:
        return empty
    slot = np.searchsorted(candidates_b, building_pos)
    areas = shapely.area(shapely.intersection(shapes[slot], grids[grid_pos]))
    cut = (areas > CUT_AREA) & (areas > CUT_SHARE * total[slot])
    return pd.DataFrame(
        {"building": building_pos[cut], "grid": grid_pos[cut], "area": areas[cut]}
    )


@dataclass(frozen=True)
class Linkage:
    """Where every building and facility of a snapshot lies, and the totals.

    Positions refer to the rows of the snapshot's frames (-1: none).
    """

    #: Inside point of every building.
    building_x: np.ndarray
    building_y: np.ndarray
    #: Buildings → grids (``index``: the first grid, ``hits``: how many grids).
    building_grid: Assignment
    #: Buildings → communities.
    building_community: Assignment
    #: Facilities → grids and communities.
    facility_grid: Assignment
    facility_community: Assignment
    #: Cut buildings: ``building``, ``grid`` (the other grid), ``area``.
    cut: pd.DataFrame
    #: Households and population per grid and per community (from the buildings).
    grid_households: np.ndarray
    grid_population: np.ndarray
    community_households: np.ndarray
    community_population: np.ndarray


def _sum_positions(positions: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    found = positions >= 0
    return np.bincount(positions[found], weights=values[found], minlength=n).astype(
        np.int64
    )


def _counts(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64)
    return frame[name].fillna(0).to_numpy(dtype=np.int64)


def building_counts(buildings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Households and population of each building.

    Where a building's houses are in the information base (``reg_households`` set),
    its households and population come from the register; elsewhere from the stated
    ``households`` and ``population``.
    """
    households = _counts(buildings, "households")
    population = _counts(buildings, "population")
    if "reg_households" in buildings.columns:
        registered = buildings["reg_households"].notna().to_numpy(dtype=bool)
        households = np.where(
            registered, _counts(buildings, "reg_households"), households
        )
        population = np.where(
            registered, _counts(buildings, "reg_population"), population
        )
    return households, population


def compute_linkage(snapshot: Snapshot) -> Linkage:
    """Link the buildings and facilities of ``snapshot`` to its grids and communities."""
    grids = snapshot.geoms("grids")
    communities = snapshot.geoms("communities")
    footprints = snapshot.geoms("buildings")
    points = snapshot.geoms("facilities")
    buildings = snapshot.frame("buildings")

    valid_grids = _usable(grids)
    valid_communities = _usable(communities)
    x, y = inside_xy(footprints)
    grid_tree = shapely.STRtree(valid_grids) if len(valid_grids) else None
    pairs = _candidates(footprints, valid_grids, grid_tree)
    building_grid = _assign_xy(x, y, *pairs, valid_grids, len(footprints))
    building_community = _assign_xy(
        x, y, *_candidates(footprints, valid_communities), valid_communities, len(x)
    )
    cut = cut_buildings(footprints, valid_grids, building_grid.index, pairs)

    fxy = shapely.get_coordinates(points) if len(points) else np.empty((0, 2))
    fx = np.full(len(points), np.nan)
    fy = np.full(len(points), np.nan)
    present = ~(shapely.is_missing(points) | shapely.is_empty(points))
    fx[present], fy[present] = fxy[:, 0], fxy[:, 1]
    facility_grid = _assign_xy(
        fx, fy, *_candidates(points, valid_grids, grid_tree), valid_grids, len(points)
    )
    facility_community = _assign_xy(
        fx, fy, *_candidates(points, valid_communities), valid_communities, len(points)
    )

    households, population = building_counts(buildings)
    return Linkage(
        building_x=x,
        building_y=y,
        building_grid=building_grid,
        building_community=building_community,
        facility_grid=facility_grid,
        facility_community=facility_community,
        cut=cut,
        grid_households=_sum_positions(building_grid.index, households, len(grids)),
        grid_population=_sum_positions(building_grid.index, population, len(grids)),
        community_households=_sum_positions(
            building_community.index, households, len(communities)
        ),
        community_population=_sum_positions(
            building_community.index, population, len(communities)
        ),
    )


def _usable(polygons: np.ndarray) -> np.ndarray:
    """Polygons fit for containment tests: invalid ones are repaired (a copy)."""
    polygons = np.asarray(polygons, dtype=object)
    if len(polygons) == 0:
        return polygons
    missing = shapely.is_missing(polygons)
    bad = ~missing & ~shapely.is_valid(polygons)
    if not bad.any() and not missing.any():
        return polygons
    out = polygons.copy()
    out[missing] = shapely.Polygon()
    if bad.any():
        repaired = shapely.make_valid(polygons[bad])
        # keep the polygonal part of what make_valid returns
        out[bad] = [
            shapely.union_all(
                [
                    p
                    for p in shapely.get_parts(g)
                    if p.geom_type in ("Polygon", "MultiPolygon")
                ]
            )
            for g in repaired
        ]
    return out


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
    #: The snapshot the link was computed on, updated with what was written.
    snapshot: Snapshot | None = None


def _changed(old: pd.Series, new: pd.Series) -> np.ndarray:
    """Where two text columns differ (empty equals empty)."""
    old_v = old.astype(object).where(old.notna(), "\0").to_numpy()
    new_v = new.astype(object).where(new.notna(), "\0").to_numpy()
    return np.asarray(old_v != new_v, dtype=bool)


def _totals_changed(frame: pd.DataFrame, totals: pd.DataFrame) -> np.ndarray:
    changed = np.zeros(len(frame), dtype=bool)
    for name in ("households", "population"):
        old = frame[name].to_numpy(dtype=float, na_value=np.nan)
        changed |= old != totals[name].to_numpy(dtype=float)
    return changed


@dataclass
class LinkPlan:
    """What linking will write: computed from a snapshot, not yet stored."""

    #: Layer → frame of the rows and fields to update (indexed by fid).
    updates: list[tuple[str, pd.DataFrame]]
    #: The report of the link (``written`` filled in when applied); its snapshot
    #: already holds the values the file will hold.
    report: LinkReport
    #: The community revisions read before the data (see
    #: :meth:`~gridgis.core.store.Store.revisions`): the plan is not written over a
    #: change made since.
    revisions: dict[str, int] | None = None


def plan_link(
    store: Store,
    *,
    community: str | None = None,
    snapshot: Snapshot | None = None,
    feedback: Feedback | None = None,
    revisions: dict[str, int] | None = None,
) -> LinkPlan:
    """Compute the grid codes and totals a link writes, without writing them.

    See :func:`link_project`; :func:`apply_link` writes the plan. ``revisions``: those
    read before ``snapshot`` was (read here when the snapshot is).
    """
    if snapshot is None:
        revisions = {c: r.number for c, r in store.revisions().items()}
        snapshot = Snapshot.load(store, community=community)
    elif snapshot.community != community:
        raise ValueError("the snapshot must have the scope that is linked")
    check(feedback)
    communities = snapshot.frame("communities")
    if community is not None:
        communities = communities[communities["code"] == community]
        if communities.empty:
            raise SchemaError(
                f"There is no community {community} in {store.location}.",
                f"{store.location} 中没有社区 {community}。",
            )
    grids = snapshot.frame("grids")
    buildings = snapshot.frame("buildings")
    facilities = snapshot.frame("facilities")
    link = snapshot.linkage
    if feedback is not None:
        feedback.set_progress(50.0)
    check(feedback)

    building_keep = np.ones(len(buildings), dtype=bool)
    facility_keep = np.ones(len(facilities), dtype=bool)
    community_rows = np.ones(len(snapshot.frame("communities")), dtype=bool)
    grid_rows = np.ones(len(grids), dtype=bool)
    if community is not None:
        # A scoped snapshot also holds what lies around the community: write only
        # what belongs to it.
        community_rows = snapshot.column("communities", "code") == community
        inside = np.flatnonzero(community_rows)
        building_keep = np.isin(link.building_community.index, inside)
        facility_keep = np.isin(link.facility_community.index, inside)
        grid_rows = snapshot.column("grids", "community_code") == community

    grid_codes = snapshot.column("grids", "code")
    building_grid = pd.Series(
        link.building_grid.codes(grid_codes), index=buildings.index, dtype=object
    )
    facility_grid = pd.Series(
        link.facility_grid.codes(grid_codes), index=facilities.index, dtype=object
    )
    cut_pos = link.cut["building"].to_numpy(dtype=np.int64)
    keep_cut = building_keep[cut_pos]
    cut = pd.DataFrame(
        {
            "id": buildings["id"].to_numpy(dtype=object)[cut_pos[keep_cut]],
            "grid_code": building_grid.to_numpy()[cut_pos[keep_cut]],
            "other": grid_codes[link.cut["grid"].to_numpy(dtype=np.int64)[keep_cut]],
        }
    )
    ambiguous = pd.concat(
        [
            pd.DataFrame(
                {
                    "layer": "buildings",
                    "id": buildings["id"].to_numpy(dtype=object)[
                        (link.building_grid.hits > 1) & building_keep
                    ],
                }
            ),
            pd.DataFrame(
                {
                    "layer": "facilities",
                    "id": facilities["id"].to_numpy(dtype=object)[
                        (link.facility_grid.hits > 1) & facility_keep
                    ],
                }
            ),
        ],
        ignore_index=True,
    )

    grid_totals = pd.DataFrame(
        {
            "code": grid_codes,
            "households": link.grid_households,
            "population": link.grid_population,
        },
        index=grids.index,
    )[grid_rows]
    all_communities = snapshot.frame("communities")
    community_totals = pd.DataFrame(
        {
            "code": all_communities["code"].to_numpy(dtype=object),
            "households": link.community_households,
            "population": link.community_population,
        },
        index=all_communities.index,
    )[community_rows]

    streets = store.read("streets", columns=["code", "households", "population"])
    stored = store.read(
        "communities", columns=["code", "street_code", "households", "population"]
    ).drop(columns="geometry")
    stored.loc[community_totals.index, ["households", "population"]] = community_totals[
        ["households", "population"]
    ].to_numpy()
    street_sums = stored.groupby("street_code")[["households", "population"]].sum()
    street_totals = pd.DataFrame(
        {
            "code": streets["code"].to_numpy(),
            "households": street_sums["households"]
            .reindex(streets["code"], fill_value=0)
            .to_numpy(dtype=np.int64),
            "population": street_sums["population"]
            .reindex(streets["code"], fill_value=0)
            .to_numpy(dtype=np.int64),
        },
        index=streets.index,
    )

    updates: list[tuple[str, pd.DataFrame]] = []
    written: dict[str, int] = {}
    for layer, frame, key, keep in (
        ("buildings", buildings, building_grid, building_keep),
        ("facilities", facilities, facility_grid, facility_keep),
    ):
        changed = _changed(frame["grid_code"], key) & keep
        written[layer] = int(changed.sum())
        if changed.any():
            updates.append((layer, pd.DataFrame({"grid_code": key[changed]})))
    for layer, totals in (
        ("grids", grid_totals),
        ("communities", community_totals),
        ("streets", street_totals),
    ):
        updates.append((layer, totals[["households", "population"]]))
        written[layer] = len(totals)

    # The snapshot now holds what the file holds.
    new_buildings = buildings.copy(deep=False)
    new_buildings.loc[building_keep, "grid_code"] = building_grid[building_keep]
    new_facilities = facilities.copy(deep=False)
    new_facilities.loc[facility_keep, "grid_code"] = facility_grid[facility_keep]
    new_grids = grids.copy(deep=False)
    new_grids.loc[grid_totals.index, ["households", "population"]] = grid_totals[
        ["households", "population"]
    ].to_numpy()
    new_communities = all_communities.copy(deep=False)
    new_communities.loc[community_totals.index, ["households", "population"]] = (
        community_totals[["households", "population"]].to_numpy()
    )
    updated = snapshot.with_frames(
        same_geometry=True,
        buildings=new_buildings,
        facilities=new_facilities,
        grids=new_grids,
        communities=new_communities,
    )
    if snapshot.has("streets"):
        new_streets = snapshot.frame("streets").copy(deep=False)
        by_code = street_totals.set_index("code")
        present = new_streets["code"].isin(by_code.index).to_numpy()
        new_streets.loc[present, ["households", "population"]] = by_code.loc[
            new_streets["code"][present], ["households", "population"]
        ].to_numpy()
        updated = updated.with_frames(same_geometry=True, streets=new_streets)
    report = LinkReport(
        building_grid=building_grid[building_keep],
        facility_grid=facility_grid[facility_keep],
        cut=cut,
        ambiguous=ambiguous,
        grids=grid_totals.reset_index(drop=True),
        communities=community_totals.reset_index(drop=True),
        streets=street_totals.reset_index(drop=True),
        written=written,
        snapshot=updated,
    )
    return LinkPlan(updates=updates, report=report, revisions=revisions)


def apply_link(
    store: Store, plan: LinkPlan, *, feedback: Feedback | None = None
) -> LinkReport:
    """Write a :class:`LinkPlan` in one transaction; return its report.

    Raises
    ------
    ConflictError
        A community changed after the plan's data were read; link again.
    """
    check(feedback)
    with store.transaction(tool="gridgis link") as tx:
        if plan.revisions is not None:
            tx.expect_revisions(plan.revisions)
        for layer, frame in plan.updates:
            tx.update(layer, frame)
    if feedback is not None:
        feedback.set_progress(100.0)
    return plan.report


def link_project(
    store: Store,
    *,
    community: str | None = None,
    snapshot: Snapshot | None = None,
    feedback: Feedback | None = None,
) -> LinkReport:
    """Link buildings and facilities to grids and roll totals up; write it all at once.

    Parameters
    ----------
    store
        The project.
    community
        Only this community (after an edit); ``None`` links the whole project.
    snapshot
        The project already read (:meth:`Snapshot.load`), to read it only once when
        validation follows; the report's snapshot holds what was written.
    feedback
        Progress and cancellation.

    Returns
    -------
    LinkReport
        The assignment, the cut and ambiguous buildings, and the totals written.
    """
    plan = plan_link(store, community=community, snapshot=snapshot, feedback=feedback)
    return apply_link(store, plan, feedback=feedback)


__all__ = [
    "Assignment",
    "LinkPlan",
    "LinkReport",
    "Linkage",
    "apply_link",
    "assign_points",
    "building_counts",
    "compute_linkage",
    "cut_buildings",
    "inside_points",
    "inside_xy",
    "link_project",
    "plan_link",
]
