"""Divide a community into grids: read, cut, group, number, measure. Nothing is written.

:func:`divide_community` returns a :class:`Division` — the new grids and their quality
report — that the planner looks at before accepting it;
:func:`~gridgis.core.divide.history.apply_division` writes an accepted one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from gridgis.core import codes as codes_mod
from gridgis.core import schema
from gridgis.core.definitions import (
    BuildingUse,
    FacilityCategory,
    GridKind,
    Level,
    RoadClass,
)
from gridgis.core.divide.balance import (
    Miss,
    explain_misses,
    join_strays,
    missed_text,
    rebalance,
    shared_with,
)
from gridgis.core.divide.blocks import (
    MIN_SHARED,
    SHARED_GRID,
    Blocks,
    BuildingSet,
    close_gaps,
    conform,
    gap_lines,
    line_parts,
    loose_ends,
    make_blocks,
    near_mask,
    shared_segments,
    split_segments,
)
from gridgis.core.divide.options import DivisionOptions
from gridgis.core.divide.regions import Partition
from gridgis.core.divide.report import ON_LINE, QualityReport, measure
from gridgis.core.divide.split import NECK, line_segments, lobes, segment_length
from gridgis.core.errors import GeometryError, SchemaError
from gridgis.core.geometry import clean_coverage
from gridgis.core.i18n import Text
from gridgis.core.link import assign_points, inside_points
from gridgis.core.progress import Feedback, check
from gridgis.core.settings import HouseholdBand, Settings
from gridgis.core.store import Store
from gridgis.core.validate.issue import Options

#: Precision grid (metres) of the grids a division writes.
TIDY_GRID = 1e-3
#: :data:`~gridgis.core.divide.split.NECK` in centimetres, as the report says it.
NECK_CM = round(NECK * 100)
#: Facility categories that make a block a campus (a unit grid of its own).
CAMPUS_FACILITIES = (FacilityCategory.SCHOOL.value, FacilityCategory.HOSPITAL.value)
#: Building uses of a campus.
CAMPUS_USES = (BuildingUse.EDUCATION.value, BuildingUse.MEDICAL.value)
#: An arterial road that stops short of the community boundary or of another
#: arterial closes the land between arterials when the gap is at most this share of
#: the width of a typical block (the square root of the median area of blocks with
#: households).
CLOSE_SHARE = 0.75


@dataclass
class Division:
    """A computed division of one community, not yet written.

    Attributes
    ----------
    community_code, community_name
        The community divided.
    grids
        Every grid of the community after the division (locked grids included, as they
        are), with the fields of the ``grids`` layer; ``households`` and ``population``
        are filled in.
    building_grid
        Building ``id`` → the code of the grid it falls in.
    report
        The quality report.
    options
        The options the division was made with.
    basis
        The community's grids when the division was computed (code → WKB), so that
        :func:`~gridgis.core.divide.history.apply_division` can refuse to write over
        grids someone changed in the meantime.
    revisions
        The community's revision read before the division read its data (see
        :meth:`~gridgis.core.store.Store.revisions`): a write made since refuses it.
    """

    community_code: str
    community_name: str
    grids: gpd.GeoDataFrame
    building_grid: pd.Series
    report: QualityReport
    options: DivisionOptions
    basis: dict[str, bytes] = field(default_factory=dict)
    revisions: dict[str, int] = field(default_factory=dict)

    @property
    def new_grids(self) -> gpd.GeoDataFrame:
        """The grids the division makes (without the locked ones)."""
        return self.grids[~self.grids["code"].isin(self.options.locked)]


def short_name(community_name: str) -> str:
    """The community's name without the word 社区 (``幸福里社区`` → ``幸福里``)."""
    return community_name.removesuffix("社区") or community_name


def _compass(dx: float, dy: float, size: float) -> Text:
    if math.hypot(dx, dy) < 0.15 * size:
        return Text("中部", "centre")
    angle = math.degrees(math.atan2(dy, dx)) % 360
    names = [
        Text("东部", "east"),
        Text("东北部", "north-east"),
        Text("北部", "north"),
        Text("西北部", "north-west"),
        Text("西部", "west"),
        Text("西南部", "south-west"),
        Text("南部", "south"),
        Text("东南部", "south-east"),
    ]
    return names[int(((angle + 22.5) % 360) // 45)]


@dataclass
class _Inputs:
    community: BaseGeometry
    name: str
    existing: gpd.GeoDataFrame
    locked: gpd.GeoDataFrame
    area: BaseGeometry
    buildings: pd.DataFrame
    all_buildings: pd.DataFrame
    all_footprints: np.ndarray
    roads: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    overlays: gpd.GeoDataFrame


def _read(store: Store, code: str, options: DivisionOptions) -> _Inputs:
    problem = codes_mod.code_problem(code, Level.COMMUNITY)
    if problem is not None:
        raise SchemaError(problem.en, problem.zh)
    communities = store.read("communities", where={"code": code})
    if communities.empty:
        raise SchemaError(
            f"There is no community {code} in {store.location}; "
            "check the code with `gridgis info` or the communities layer.",
            f"{store.location} 中没有社区 {code};请在社区图层中核对编码。",
        )
    community = shapely.make_valid(communities.geometry.iloc[0])
    if community.is_empty or community.area <= 0:
        raise GeometryError(
            f"Community {code} has no area; draw its boundary first.",
            f"社区 {code} 的边界为空;请先绘制社区边界。",
        )
    existing = store.read("grids", where={"community_code": code})
    unknown = sorted(set(options.locked) - set(existing["code"]))
    if unknown:
        raise SchemaError(
            f"Grid(s) {', '.join(unknown)} to keep are not grids of community {code}; "
            f"its grids are {', '.join(sorted(existing['code'])) or 'none'}.",
            f"要保留的网格 {', '.join(unknown)} 不属于社区 {code};该社区的网格:"
            f"{', '.join(sorted(existing['code'])) or '无'}。",
        )
    locked = existing[existing["code"].isin(options.locked)]
    area = community
    if len(locked):
        area = shapely.difference(
            community, shapely.union_all(np.asarray(locked.geometry.values))
        )
    minx, miny, maxx, maxy = community.bounds
    pad = options.snap_distance + 1.0
    bbox = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    buildings = store.read(
        "buildings", bbox=bbox, columns=["id", "households", "population", "use"]
    )
    footprints = np.asarray(buildings.geometry.values, dtype=object)
    points = inside_points(footprints)
    in_community = (
        shapely.contains(community, points) if len(points) else np.zeros(0, bool)
    )
    all_footprints = footprints[in_community]
    in_area = in_community.copy()
    if len(locked) and len(points):
        in_area &= shapely.contains(area, points)
    roads = store.read("roads", bbox=bbox)
    facilities = store.read("facilities", bbox=bbox, columns=["name", "category"])
    overlays = store.read("overlays", bbox=bbox)
    return _Inputs(
        community=community,
        name=str(communities["name"].iloc[0]),
        existing=existing,
        locked=locked,
        area=area,
        buildings=buildings[in_area],
        all_buildings=buildings[in_community],
        all_footprints=all_footprints,
        roads=roads,
        facilities=facilities,
        overlays=overlays,
    )


def _campuses(
    blocks_geoms: np.ndarray,
    members: list[np.ndarray],
    buildings: BuildingSet,
    facilities: gpd.GeoDataFrame,
    unit_band: HouseholdBand,
) -> dict[int, str]:
    """Blocks that are school or hospital campuses → the campus's name."""
    campus = facilities[facilities["category"].isin(CAMPUS_FACILITIES)]
    if campus.empty or len(blocks_geoms) == 0:
        return {}
    located = assign_points(np.asarray(campus.geometry.values), blocks_geoms).index
    out: dict[int, str] = {}
    for pos in np.argsort(campus["name"].to_numpy(dtype=str), kind="stable"):
        block = int(located[pos])
        if block < 0 or block in out:
            continue
        mine = members[block]
        if len(mine) == 0:
            continue
        area = shapely.area(buildings.footprints[mine])
        share = area[np.isin(buildings.use[mine], CAMPUS_USES)].sum() / area.sum()
        if share >= 0.5 and buildings.households[mine].sum() <= unit_band.max:
            out[block] = str(campus["name"].iloc[pos])
    return out


def _grid_count(total: int, band: HouseholdBand, target: float) -> tuple[int, bool]:
    """Grids for ``total`` households and whether the band can hold them."""
    low = max(1, math.ceil(total / band.max)) if band.max > 0 else 1
    high = total // band.min if band.min > 0 else max(low, total)
    if low <= high:
        return min(max(round(total / target), low), high), True
    if high < 1:
        return 1, False
    over = (total / high - band.max) / band.max
    under = (band.min - total / low) / band.min
    return (high if over <= under else low), False


def _infeasible_text(where: Text, total: int, band: HouseholdBand) -> Text:
    if total < band.min:
        return Text(
            f"{where.zh}只有 {total} 户,不足一个网格的下限 {band.min} 户,只能单独成为一个"
            f"低于范围的网格。可把下限降到 {total} 户,或手工把它并入相邻网格。",
            f"The {where.en} holds only {total} households, fewer than one grid's "
            f"minimum of {band.min}; it is left as one grid below the band. Lower the "
            f"minimum to {total} or join it to a neighbouring grid by hand.",
        )
    low = max(1, math.ceil(total / band.max))
    high = total // band.min
    return Text(
        f"{where.zh}有 {total} 户,无法分成每格 {band.min}–{band.max} 户的网格:"
        f"分成 {high} 格每格约 {total / high:.0f} 户,分成 {low} 格每格约 "
        f"{total / low:.0f} 户。请把范围放宽到 {math.floor(total / low)}–"
        f"{math.ceil(total / high)} 户左右,或手工调整这一片。",
        f"The {where.en} holds {total} households, which cannot make grids of "
        f"{band.min}–{band.max}: {high} grid(s) would hold about {total / high:.0f} "
        f"each, {low} would hold about {total / low:.0f}. Widen the band to about "
        f"{math.floor(total / low)}–{math.ceil(total / high)} or adjust this part by "
        "hand.",
    )


def _distribute(
    totals: list[int],
    band: HouseholdBand,
    target: float,
    hint: int | None,
) -> tuple[list[int], list[bool], Text | None]:
    """Grids per part: from the target, or spread to meet the hint within the band."""
    counts, feasible = [], []
    for total in totals:
        k, ok = _grid_count(total, band, target)
        counts.append(k)
        feasible.append(ok)
    if hint is None:
        return counts, feasible, None
    lows = [
        max(1, math.ceil(t / band.max)) if ok else k
        for t, k, ok in zip(totals, counts, feasible, strict=True)
    ]
    highs = [
        t // band.min if ok and band.min > 0 else (k if not ok else max(1, t))
        for t, k, ok in zip(totals, counts, feasible, strict=True)
    ]
    counts = list(lows)
    spare = hint - sum(counts)
    while spare > 0:
        room = [i for i in range(len(counts)) if counts[i] < highs[i]]
        if not room:
            break
        i = max(room, key=lambda i: totals[i] / counts[i])
        counts[i] += 1
        spare -= 1
    made = sum(counts)
    note = None
    if made != hint:
        note = Text(
            f"要求 {hint} 个居民网格,但户数范围 {band.min}–{band.max} 只允许 "
            f"{sum(lows)}–{sum(highs)} 个;已划分为 {made} 个。",
            f"{hint} residential grids were asked for, but the band {band.min}–"
            f"{band.max} allows {sum(lows)}–{sum(highs)}; made {made}.",
        )
    return counts, feasible, note


def divide_community(
    store: Store,
    community_code: str,
    options: DivisionOptions | None = None,
    feedback: Feedback | None = None,
) -> Division:
    """Divide a community into grids inside the household band, along roads.

    Nothing is written: look at ``division.report``, then write the division with
    :func:`~gridgis.core.divide.apply_division`.

    Parameters
    ----------
    store
        The project.
    community_code
        The 12-digit code of the community to divide.
    options
        Band, grid-count hint, locked grids, overlays to respect, unit grids.
    feedback
        Progress and cancellation (:mod:`gridgis.core.progress`).

    Returns
    -------
    Division
        The grids of the community after the division and the quality report.

    Raises
    ------
    SchemaError
        No such community, or a grid to keep is not one of its grids.
    gridgis.core.progress.Cancelled
        The user cancelled.
    """
    started = time.perf_counter()
    options = options or DivisionOptions()
    settings = store.settings
    band = options.band(settings, GridKind.RESIDENTIAL)
    _progress(feedback, 0.0)
    revisions = {c: r.number for c, r in store.revisions([community_code]).items()}
    inputs = _read(store, community_code, options)
    _progress(feedback, 10.0)
    buildings = BuildingSet.from_frame(inputs.buildings)
    report = QualityReport(community_code, inputs.name, (band.min, band.max))
    respect = list(options.respect)
    overlays = inputs.overlays[inputs.overlays["kind"].isin(respect)]
    overlays = overlays[
        shapely.intersects(np.asarray(overlays.geometry.values), inputs.area)
    ]
    road_lines = np.asarray(inputs.roads.geometry.values, dtype=object)
    overlay_lines = line_parts(
        list(shapely.boundary(np.asarray(overlays.geometry.values)))
    )

    def cut(extra: list[shapely.LineString]) -> Blocks:
        return make_blocks(
            inputs.area,
            road_lines,
            buildings,
            extra_lines=overlay_lines + extra,
            snap_distance=options.snap_distance,
            sliver_area=options.sliver_area,
        )

    blocks = cut([])
    # Arterials that stop a short gap before the boundary or another arterial are
    # closed across it, so that the land between arterials is closed too. The roads
    # grids are not to cross are those the validator warns about.
    rules = Options.from_settings_extra(settings.extra)
    arterials = _arterials(inputs.roads, inputs.area, rules.crossing_road_classes)
    reach = max(options.snap_distance, CLOSE_SHARE * _block_width(blocks, buildings))
    closures = _arterial_closures(arterials, inputs.area, reach)
    if closures:
        blocks = cut(closures)
    roads_inside = shapely.union_all(
        np.asarray(
            line_parts(list(shapely.intersection(road_lines, inputs.community)))
            or [shapely.LineString()],
            dtype=object,
        )
    )
    _note_blocks(report, blocks, options)
    _note_closures(report, closures)
    _progress(feedback, 25.0)

    zones, zone_names = _zones(blocks.geoms, overlays, respect)
    zones, zone_names = _arterial_zones(
        blocks.geoms, inputs.area, arterials, closures, zones, zone_names
    )
    separate = bool(respect) or len(set(zones.tolist())) > 1
    partition = _graph(blocks, buildings, zones, roads_inside, feedback)
    fixed = _fixed_grids(
        partition, blocks, buildings, inputs, options, settings, report
    )
    taken = {p for f in fixed for p in f["pieces"]}
    pool = [
        p for p, piece in enumerate(partition.pieces) if piece.alive and p not in taken
    ]
    check(feedback)

    # Parts to divide: connected, inside one zone; zones too small join a neighbour.
    parts = partition.components(pool, same_zone=separate)
    lands = _lands(partition, parts)
    if separate:
        parts = _join_small_zones(partition, parts, band, zone_names, report.notes)
    describe = _Describer(partition, inputs.community, zone_names, len(parts))
    misses: list[Miss] = []
    leaves = _divide_parts(
        partition, parts, band, options, report, describe, feedback, misses
    )
    grids_pieces: list[dict[str, Any]] = [
        {"pieces": g, "kind": GridKind.RESIDENTIAL.value, "name": None} for g in leaves
    ] + fixed
    _attach_empty(partition, parts, grids_pieces, report, describe)
    _count_cuts(partition, grids_pieces, report)
    grids = _assemble(
        community_code,
        inputs,
        partition,
        grids_pieces,
        buildings,
        band,
        settings.band(GridKind.RESIDENTIAL),
        report,
    )
    _progress(feedback, 90.0)
    explain_misses(report, misses, partition, grids, band)

    # The report, measured on the result.
    bands = {
        k.value: (options.band(settings, k).min, options.band(settings, k).max)
        for k in GridKind
    }
    report.locked = len(inputs.locked)
    measure(report, grids, inputs.community, roads_inside, inputs.all_footprints, bands)
    if respect:
        report.overlay_crossings = _crossings(grids, inputs.overlays, respect)
    crossings = _arterial_crossings(
        grids,
        _arterials(inputs.roads, inputs.community, rules.crossing_road_classes),
        max(settings.topology_tolerance, 1.0),
        rules.crossing_road_length,
    )
    report.arterial_crossings = len(crossings)
    if crossings:
        why = _Crossings(blocks, buildings, lands, band, arterials, inputs.area, reach)
        by_code = grids.set_index("code").geometry
        for code, roads, metres in crossings:
            called = "、".join(roads[:3])
            called_en = ", ".join(roads[:3])
            reason = (
                Text("该网格按要求保留原样。", "the grid was kept as it was, as asked.")
                if code in options.locked
                else why(by_code[code])
            )
            report.notes.append(
                Text(
                    f"网格 {code} 有主干路 {called} 穿过(约 {metres:.0f} 米):"
                    f"{reason.zh}",
                    f"Grid {code} is crossed by the arterial road {called_en} (about "
                    f"{metres:.0f} m): {reason.en}",
                )
            )
    building_grid = _building_grid(buildings, grids)
    report.seconds = time.perf_counter() - started
    _progress(feedback, 100.0)
    return Division(
        community_code=community_code,
        community_name=inputs.name,
        grids=grids,
        building_grid=building_grid,
        report=report,
        options=options,
        basis={
            str(c): shapely.to_wkb(g)
            for c, g in zip(
                inputs.existing["code"], inputs.existing.geometry.values, strict=True
            )
        },
        revisions=revisions,
    )


def partition_blocks(
    blocks: gpd.GeoSeries | np.ndarray,
    buildings: gpd.GeoDataFrame,
    band: HouseholdBand,
    *,
    roads: gpd.GeoSeries | np.ndarray | None = None,
    target: float | None = None,
    grids: int | None = None,
    feedback: Feedback | None = None,
) -> gpd.GeoDataFrame:
    """Group given blocks (and cut them between buildings where needed) into grids.

    The core of :func:`divide_community` on blocks the caller already has — a
    parcel layer, or blocks made some other way: no polygonising, campuses, locked
    grids or overlays, nothing read or written.

    Parameters
    ----------
    blocks
        Polygons that tile the area to divide.
    buildings
        ``id``, ``households``, ``population``, ``use`` and footprints; each is
        placed in the block holding a point inside it.
    band
        Households per grid.
    roads
        Road lines, to prefer cuts along them between blocks.
    target, grids
        Households to aim at per grid; a hint for the number of grids.

    Returns
    -------
    GeoDataFrame
        One row per grid: ``households``, ``population`` and the polygon.
    """
    geoms = conform(np.asarray(blocks, dtype=object))
    people = BuildingSet.from_frame(buildings)
    located = assign_points(people.points, geoms).index
    members = [np.flatnonzero(located == b) for b in range(len(geoms))]
    made = Blocks(
        geoms=geoms,
        members=members,
        building_block=located,
        linework=shapely.LineString(),
        extensions=[],
        slivers=0,
        straddled=0,
    )
    road_lines = (
        line_parts(list(np.asarray(roads, dtype=object))) if roads is not None else []
    )
    lines = (
        shapely.union_all(np.asarray(road_lines, dtype=object))
        if road_lines
        else shapely.LineString()
    )
    partition = _graph(
        made, people, np.zeros(len(geoms), dtype=np.int64), lines, feedback
    )
    parts = partition.components(range(len(geoms)), same_zone=False)
    report = QualityReport("", "", (band.min, band.max))
    describe = _Describer(partition, shapely.union_all(geoms), {}, len(parts))
    options = DivisionOptions(
        target=None if target is None else int(target), grids=grids
    )
    leaves = _divide_parts(partition, parts, band, options, report, describe, feedback)
    groups: list[dict[str, Any]] = [
        {"pieces": g, "kind": GridKind.RESIDENTIAL.value, "name": None} for g in leaves
    ]
    _attach_empty(partition, parts, groups, report, describe)
    rows = []
    shapes = []
    for g in groups:
        inside = partition.members(g["pieces"])
        rows.append(
            {
                "households": int(people.households[inside].sum()),
                "population": int(people.population[inside].sum()),
            }
        )
        shapes.append(_one_polygon(partition.union(g["pieces"])))
    crs = getattr(blocks, "crs", None) or getattr(buildings, "crs", None)
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=shapes, crs=crs)


def _progress(feedback: Feedback | None, percent: float) -> None:
    check(feedback)
    if feedback is not None:
        feedback.set_progress(percent)


def _note_blocks(
    report: QualityReport, blocks: Blocks, options: DivisionOptions
) -> None:
    report.blocks = len(blocks.geoms)
    report.road_extensions = len(blocks.extensions)
    report.slivers = blocks.slivers
    if blocks.extensions:
        report.notes.append(
            Text(
                f"{len(blocks.extensions)} 处道路端点未与其他道路相接,已延长(不超过 "
                f"{options.snap_distance:g} 米)使其闭合成街坊。",
                f"{len(blocks.extensions)} road end(s) stopped short of another line "
                f"and were extended (at most {options.snap_distance:g} m) to close "
                "blocks.",
            )
        )
    if blocks.straddled:
        report.notes.append(
            Text(
                f"{blocks.straddled} 处道路穿过建筑,两侧街坊按一个街坊处理。",
                f"{blocks.straddled} road(s) run through a building; the blocks on "
                "both sides were treated as one.",
            )
        )


def _zones(
    blocks: np.ndarray, overlays: gpd.GeoDataFrame, respect: list[str]
) -> tuple[np.ndarray, dict[int, list[str]]]:
    """Zone of every block and the overlay names of every zone.

    A zone is a combination of one overlay of each respected kind.
    """
    zone_names: dict[int, list[str]] = {0: []}
    zones = np.zeros(len(blocks), dtype=np.int64)
    if len(overlays) == 0 or len(blocks) == 0:
        return zones, zone_names
    probes = shapely.point_on_surface(blocks)
    keys: list[tuple[int, ...]] = [() for _ in range(len(blocks))]
    labels: dict[str, np.ndarray] = {}
    for kind in respect:
        of_kind = overlays[overlays["kind"] == kind]
        labels[kind] = of_kind["name"].fillna(kind).to_numpy(dtype=object)
        holder = assign_points(probes, np.asarray(of_kind.geometry.values)).index
        keys = [(*key, int(h)) for key, h in zip(keys, holder, strict=True)]
    ids: dict[tuple[int, ...], int] = {}
    for b, key in enumerate(keys):
        if key not in ids:
            ids[key] = len(ids)
            zone_names[ids[key]] = [
                str(labels[kind][h])
                for kind, h in zip(respect, key, strict=True)
                if h >= 0
            ]
        zones[b] = ids[key]
    return zones, zone_names


def _arterials(
    roads: gpd.GeoDataFrame,
    area: BaseGeometry,
    classes: tuple[str, ...] = (RoadClass.ARTERIAL.value,),
) -> gpd.GeoDataFrame:
    """The roads of ``classes`` (arterial) inside ``area``, clipped, with names."""
    chosen = roads[roads["class"].isin(classes)]
    if chosen.empty:
        return chosen
    clipped = shapely.intersection(np.asarray(chosen.geometry.values), area)
    keep = shapely.length(clipped) > 0
    return gpd.GeoDataFrame(
        {
            "name": chosen["name"].to_numpy(dtype=object)[keep],
            "id": chosen["id"].to_numpy(dtype=object)[keep],
        },
        geometry=list(clipped[keep]),
        crs=roads.crs,
    )


def _road_names(roads: gpd.GeoDataFrame) -> list[str]:
    """Each road's name, or its id where it has none."""
    return [
        str(n) if isinstance(n, str) and n.strip() else str(i)
        for n, i in zip(roads["name"], roads["id"], strict=True)
    ]


def _arterial_zones(
    blocks: np.ndarray,
    area: BaseGeometry,
    arterials: gpd.GeoDataFrame,
    closures: list[shapely.LineString],
    zones: np.ndarray,
    zone_names: dict[int, list[str]],
) -> tuple[np.ndarray, dict[int, list[str]]]:
    """Zones refined by the land between arterial roads.

    Grids are not to cross an arterial road, so the land each encloses is divided on
    its own; :func:`_join_small_zones` joins land too small for a grid to a
    neighbour and the report says where and why. ``closures`` close the gaps
    where an arterial stops short (:func:`_arterial_closures`).
    """
    if arterials.empty or len(blocks) == 0:
        return zones, zone_names
    lines = line_parts([area.boundary, *arterials.geometry.values]) + closures
    faces = np.asarray(
        list(
            shapely.get_parts(
                shapely.polygonize(
                    shapely.get_parts(
                        shapely.union_all(np.asarray(lines, dtype=object))
                    )
                )
            )
        ),
        dtype=object,
    )
    if len(faces) < 2:
        return zones, zone_names
    face = assign_points(shapely.point_on_surface(blocks), faces).index
    names = _road_names(arterials)
    tree = shapely.STRtree(np.asarray(arterials.geometry.values))
    keys: dict[tuple[int, int], int] = {}
    out = np.zeros(len(blocks), dtype=np.int64)
    new_names: dict[int, list[str]] = {}
    for b in range(len(blocks)):
        key = (int(zones[b]), int(face[b]))
        if key not in keys:
            keys[key] = len(keys)
            around = sorted(
                {
                    names[j]
                    for j in tree.query(
                        faces[key[1]] if key[1] >= 0 else blocks[b],
                        predicate="dwithin",
                        distance=ON_LINE,
                    )
                }
            )
            label = [f"{' / '.join(around[:3])}"] if around else []
            new_names[keys[key]] = list(zone_names.get(key[0]) or []) + label
        out[b] = keys[key]
    return out, new_names


def _arterial_closures(
    arterials: gpd.GeoDataFrame, area: BaseGeometry, reach: float
) -> list[shapely.LineString]:
    """Lines closing the gaps where an arterial stops short (at most ``reach``).

    From an arterial's loose end to the boundary or another arterial, see
    :func:`~gridgis.core.divide.blocks.close_gaps`.
    """
    if arterials.empty:
        return []
    return close_gaps(
        line_parts(list(arterials.geometry.values)), line_parts([area.boundary]), reach
    )


def _note_closures(report: QualityReport, closures: list[shapely.LineString]) -> None:
    if not closures:
        return
    longest = max(line.length for line in closures)
    report.notes.append(
        Text(
            f"{len(closures)} 处主干路在社区边界或另一条主干路前中断(最长 {longest:.0f} 米),"
            "已按最短距离连通,使主干路之间的地块闭合、分别划分。",
            f"{len(closures)} arterial road end(s) stopped short of the community "
            f"boundary or another arterial (at most {longest:.0f} m); each gap was "
            "closed by the shortest line, so the land between arterials is divided "
            "on its own.",
        )
    )


def _block_width(blocks: Blocks, buildings: BuildingSet) -> float:
    """The width of a typical block: √ of the median area of blocks with homes."""
    homes = [
        b for b, m in enumerate(blocks.members) if buildings.households[m].sum() > 0
    ]
    if not homes:
        return 0.0
    return float(np.sqrt(np.median(shapely.area(blocks.geoms[homes]))))


def _lands(partition: Partition, parts: list[list[int]]) -> dict[int, tuple[int, int]]:
    """Block → (its land between arterials, the land's households).

    The lands are the parts the community is divided in before parts too small
    for a grid join a neighbour.
    """
    out: dict[int, tuple[int, int]] = {}
    for k, part in enumerate(parts):
        total = partition.households(part)
        for p in part:
            out.setdefault(partition.pieces[p].block, (k, total))
    return out


class _Crossings:
    """Why a grid holds an arterial road: plain words for the report."""

    def __init__(
        self,
        blocks: Blocks,
        buildings: BuildingSet,
        lands: dict[int, tuple[int, int]],
        band: HouseholdBand,
        arterials: gpd.GeoDataFrame,
        area: BaseGeometry,
        reach: float,
    ) -> None:
        self.blocks = blocks
        self.buildings = buildings
        self.lands = lands
        self.band = band
        self.reach = reach
        roads = line_parts(list(arterials.geometry.values))
        border = line_parts([area.boundary])
        edge = shapely.union_all(np.asarray(border, dtype=object))
        self.ends: list[tuple[BaseGeometry, float]] = []
        size = float(np.sqrt(area.area))
        for end, before, k, edges in loose_ends(roads, border):
            gaps = [g for g in gap_lines(end, before, k, edges, edge, size) if g]
            if gaps:
                self.ends.append((shapely.Point(end), min(g.length for g in gaps)))
        self.roads = shapely.union_all(np.asarray(roads, dtype=object))

    def __call__(self, grid: BaseGeometry) -> Text:
        band = self.band
        geoms = self.blocks.geoms
        touched = np.flatnonzero(shapely.area(shapely.intersection(geoms, grid)) > 10.0)
        small: dict[int, int] = {}
        for b in touched:
            land, total = self.lands.get(int(b), (-1, 0))
            if land >= 0 and not _grid_count(total, band, band.min)[1]:
                small[land] = total
        held = sorted(small.values())
        if held and held[-1] == 0:
            return Text(
                "路另一侧两条主干路之间的地块没有住户(如双向车道之间的隔离带),"
                "不能单独成为网格,已并入相邻网格。",
                "the land on the road's other side, between arterials, holds no "
                "households (a strip such as the one between the two carriageways of "
                "a road) and cannot be a grid of its own; it was joined to this grid.",
            )
        if held:
            shown = "、".join(str(h) for h in held if h)
            shown_en = ", ".join(str(h) for h in held if h)
            return Text(
                f"路另一侧两条主干路之间的地块有 {shown} 户,不能单独分成户数范围"
                f"({band.min}–{band.max} 户)内的网格,已与相邻地块合并。",
                f"the land between arterials on the road's other side holds {shown_en} "
                f"households, which cannot form grids in the band ({band.min}–"
                f"{band.max}) on their own; it was joined to its neighbour.",
            )
        core = shapely.intersection(self.roads, grid)
        for point, gap in self.ends:
            if grid.contains(point) and gap > self.reach:
                return Text(
                    f"路在网格内中断,距另一条主干路或社区边界 {gap:.0f} 米,"
                    f"超过可自动连通的 {self.reach:.0f} 米,两侧地块在路端相连,"
                    "不能沿路分开。",
                    f"the road ends inside the grid, {gap:.0f} m short of another "
                    "arterial or the community boundary (gaps up to "
                    f"{self.reach:.0f} m are closed), so the land on its two sides "
                    "joins around its end.",
                )
        through = shapely.intersects(self.buildings.footprints, core)
        if through.any():
            return Text(
                f"路穿过建筑({self.buildings.ids[np.flatnonzero(through)[0]]}),"
                "两侧地块只能作为一个街坊。",
                "the road runs through a building "
                f"({self.buildings.ids[np.flatnonzero(through)[0]]}), so the land on "
                "its two sides is one block.",
            )
        return Text(
            "路两侧的地块各自都能单独成为网格,但划分没有把它们分开。",
            "the land on each side could hold grids of its own, but the division "
            "did not keep them apart.",
        )


def _arterial_crossings(
    grids: gpd.GeoDataFrame,
    arterials: gpd.GeoDataFrame,
    margin: float = 1.0,
    length: float = 20.0,
) -> list[tuple[str, list[str], float]]:
    """Grids an arterial road runs through: code, road names, metres inside.

    As the validator's rule ``shape.road_crossing`` counts them: ``length`` metres
    or more of the road inside the grid, more than ``margin`` from its boundary.
    """
    if arterials.empty or grids.empty:
        return []
    geoms = np.asarray(grids.geometry.values, dtype=object)
    cores = shapely.buffer(geoms, -margin)
    lines = np.asarray(arterials.geometry.values, dtype=object)
    names = _road_names(arterials)
    g, r = shapely.STRtree(lines).query(cores, predicate="intersects")
    inside = shapely.length(shapely.intersection(cores[g], lines[r]))
    out = []
    for k in np.unique(g):
        mine = (g == k) & (inside > 0)
        total = float(inside[mine].sum())
        if total >= length:
            roads = sorted({names[j] for j in r[mine]})
            out.append((str(grids["code"].iloc[k]), roads, total))
    return out


def _graph(
    blocks: Blocks,
    buildings: BuildingSet,
    zones: np.ndarray,
    roads: BaseGeometry,
    feedback: Feedback | None,
) -> Partition:
    """The block graph: blocks, and the boundary each pair shares (on roads or not)."""
    partition = Partition(buildings, feedback=feedback)
    for b, geom in enumerate(blocks.geoms):
        partition.add(geom, blocks.members[b], int(zones[b]))
    pairs = shared_segments(blocks.geoms)
    shared = list(pairs.values())
    pieces = [split_segments(segments, 5.0) for segments in shared]
    pair_of = np.repeat(np.arange(len(pieces)), [len(p) for p in pieces])
    flat = np.concatenate(pieces) if pieces else np.empty((0, 2, 2))
    on_road = near_mask(flat, line_segments(roads), ON_LINE)
    lengths = np.hypot(*(flat[:, 1] - flat[:, 0]).T) if len(flat) else np.empty(0)
    road = np.bincount(
        pair_of[on_road], weights=lengths[on_road], minlength=len(pieces)
    )
    for k, (i, j) in enumerate(pairs):
        length = segment_length(shared[k])
        partition.connect(i, j, length, min(float(road[k]), length), shared[k])
    return partition


def _fixed_grids(
    partition: Partition,
    blocks: Blocks,
    buildings: BuildingSet,
    inputs: _Inputs,
    options: DivisionOptions,
    settings: Settings,
    report: QualityReport,
) -> list[dict[str, Any]]:
    """Grids made before dividing: campuses, and buildings above the band alone."""
    band = options.band(settings, GridKind.RESIDENTIAL)
    fixed: list[dict[str, Any]] = []
    campus = (
        _campuses(
            blocks.geoms,
            blocks.members,
            buildings,
            inputs.facilities,
            options.band(settings, GridKind.UNIT),
        )
        if options.unit_grids
        else {}
    )
    for block, name in campus.items():
        fixed.append({"pieces": [block], "kind": GridKind.UNIT.value, "name": name})
    for block in range(len(blocks.geoms)):
        if block in campus:
            continue
        mine = blocks.members[block]
        for b in mine[buildings.households[mine] > band.max]:
            holder = next(
                p
                for p, piece in enumerate(partition.pieces)
                if piece.alive and b in piece.members
            )
            alone, _ = partition.isolate(holder, int(b))
            fixed.append(
                {"pieces": [alone], "kind": GridKind.RESIDENTIAL.value, "name": None}
            )
            report.oversize_buildings.append(
                (str(buildings.ids[b]), int(buildings.households[b]))
            )
    if report.oversize_buildings:
        report.notes.append(
            Text(
                f"{len(report.oversize_buildings)} 栋建筑单栋户数超过上限 {band.max} 户,"
                "各自单独成为一个网格。",
                f"{len(report.oversize_buildings)} building(s) hold more than "
                f"{band.max} households on their own; each became a grid of its own.",
            )
        )
    return fixed


class _Describer:
    """Plain words for where a part of the community is."""

    def __init__(
        self,
        partition: Partition,
        community: BaseGeometry,
        zone_names: dict[int, list[str]],
        parts: int,
    ) -> None:
        self.partition = partition
        self.size = math.sqrt(max(community.area, 1.0))
        self.centre = shapely.get_coordinates(shapely.centroid(community))[0]
        self.zone_names = zone_names
        self.whole = parts == 1

    def __call__(self, part: list[int]) -> Text:
        if self.whole:
            return Text("本社区", "community")
        geom = self.partition.union(part)
        xy = shapely.get_coordinates(shapely.point_on_surface(geom))[0]
        compass = _compass(xy[0] - self.centre[0], xy[1] - self.centre[1], self.size)
        zone = self.zone_names.get(self.partition.pieces[part[0]].zone) or []
        if zone:
            return Text(
                f"社区{compass.zh}({'、'.join(zone)})",
                f"{compass.en} part of the community ({', '.join(zone)})",
            )
        return Text(f"社区{compass.zh}", f"{compass.en} part of the community")


def _divide_parts(
    partition: Partition,
    parts: list[list[int]],
    band: HouseholdBand,
    options: DivisionOptions,
    report: QualityReport,
    describe: _Describer,
    feedback: Feedback | None,
    misses: list[Miss] | None = None,
) -> list[list[int]]:
    """Cut every part with households into its share of grids.

    Grids the cuts leave outside the band although their part could be divided in
    it are re-divided with their neighbours (:func:`rebalance`); those still
    outside go to ``misses`` when given (to be reported by grid code), else the
    report names their households.
    """
    target = float(options.target or (band.min + band.max) / 2)
    totals = [partition.households(p) for p in parts]
    live = [i for i, t in enumerate(totals) if t > 0]
    counts, feasible, hint_note = _distribute(
        [totals[i] for i in live], band, target, options.grids
    )
    if hint_note is not None:
        report.notes.append(hint_note)
    leaves: list[list[int]] = []
    done = 0
    grand = max(sum(counts), 1)
    for n, i, ok in zip(counts, live, feasible, strict=True):
        if not ok:
            report.infeasible.append(
                _infeasible_text(describe(parts[i]), totals[i], band)
            )
        _progress(feedback, 25.0 + 60.0 * done / grand)
        groups, missing = partition.divide(parts[i], n, (band.min, band.max))
        join_strays(partition, groups)
        if missing:
            where = describe(parts[i])
            report.infeasible.append(
                Text(
                    f"{where.zh}的建筑之间没有可以切分的空隙,少划了 {missing} 个网格。",
                    f"The buildings of the {where.en} stand too close to cut between "
                    f"them; {missing} grid(s) fewer were made.",
                )
            )
        elif ok:
            stuck = rebalance(partition, groups, band, feedback)
            if stuck:
                # The part could hold grids in the band, but the cuts found between
                # its buildings missed it: say so rather than call the band met.
                where = describe(parts[i])
                context = (where, totals[i], n)
                if misses is not None:
                    misses.extend((groups[k], near, context) for k, near in stuck)
                else:
                    report.infeasible.append(
                        missed_text(
                            where,
                            totals[i],
                            n,
                            [partition.households(groups[k]) for k, _ in stuck],
                        )
                    )
        leaves.extend(groups)
        done += n
    _progress(feedback, 85.0)
    return leaves


def _attach_empty(
    partition: Partition,
    parts: list[list[int]],
    grids_pieces: list[dict[str, Any]],
    report: QualityReport,
    describe: _Describer,
) -> None:
    """Parts without households join the grid they share most boundary with."""
    owner = {p: k for k, g in enumerate(grids_pieces) for p in g["pieces"]}
    empty = [part for part in parts if partition.households(part) == 0]
    # Empty parts next to other empty parts join once those have a grid.
    while True:
        ready = [
            part
            for part in empty
            if any(q in owner for p in part for q in partition.neighbours(p))
        ]
        if not ready:
            break
        for part in ready:
            best_k, best_len = -1, 0.0
            for p in part:
                for q, (length, _) in partition.neighbours(p).items():
                    if q in owner and length > best_len:
                        best_k, best_len = owner[q], length
            grid = grids_pieces[best_k]
            grid["pieces"] = list(grid["pieces"]) + part
            for p in part:
                owner[p] = best_k
        empty = [part for part in empty if part[0] not in owner]
    for part in empty:
        best: tuple[float, int] | None = None
        for p in part:
            for q, (length, _) in partition.neighbours(p).items():
                if q in owner and (best is None or length > best[0]):
                    best = (length, owner[q])
        if best is None:
            grids_pieces.append(
                {"pieces": part, "kind": GridKind.RESIDENTIAL.value, "name": None}
            )
            where = describe(part)
            report.infeasible.append(
                Text(
                    f"{where.zh}没有住户且与其他网格不相邻,单独成为一个网格。",
                    f"The {where.en} has no households and touches no other grid; it "
                    "became a grid of its own.",
                )
            )
            continue
        grid = grids_pieces[best[1]]
        grid["pieces"] = list(grid["pieces"]) + part
        for p in part:
            owner[p] = best[1]


def _count_cuts(
    partition: Partition, grids_pieces: list[dict[str, Any]], report: QualityReport
) -> None:
    """Where blocks ended up in more than one grid: the cuts between buildings."""
    grids_of_block: dict[int, set[int]] = {}
    for k, g in enumerate(grids_pieces):
        for p in g["pieces"]:
            grids_of_block.setdefault(partition.pieces[p].block, set()).add(k)
    report.block_cuts = sum(len(v) - 1 for v in grids_of_block.values())
    if any(partition.pieces[p].cells for g in grids_pieces for p in g["pieces"]):
        report.notes.append(
            Text(
                "部分建筑之间没有直线空隙,切分线沿建筑之间的中线走。",
                "Some cuts found no straight line between buildings and follow the "
                "midlines between them.",
            )
        )


def _join_small_zones(
    partition: Partition,
    parts: list[list[int]],
    band: HouseholdBand,
    zone_names: dict[int, list[str]],
    notes: list[Text],
) -> list[list[int]]:
    """Join parts between overlay boundaries that the band cannot be met in."""
    parts = [list(p) for p in parts]
    while True:
        owner = {p: k for k, part in enumerate(parts) for p in part}
        changed = False
        for k, part in enumerate(parts):
            total = partition.households(part)
            if total == 0 or _grid_count(total, band, band.min)[1]:
                continue
            shared = shared_with(partition, part, owner, k)
            if not shared:
                continue
            # Prefer a neighbour the band can still be met in once joined: joining
            # a part that fits on its own would only carry the problem on.
            # Land without households (a strip between carriageways) is crossed
            # only to reach land with households.
            j = max(
                shared,
                key=lambda j: (
                    _grid_count(total + partition.households(parts[j]), band, band.min)[
                        1
                    ],
                    partition.households(parts[j]) > 0,
                    shared[j],
                ),
            )
            if partition.households(parts[j]) == 0:
                parts[k] = parts[k] + parts[j]
                del parts[j]
                changed = True
                break
            mine = "、".join(zone_names.get(partition.pieces[part[0]].zone) or ["—"])
            theirs = "、".join(
                zone_names.get(partition.pieces[parts[j][0]].zone) or ["—"]
            )
            notes.append(
                Text(
                    f"{mine}范围内只有 {total} 户,无法单独满足户数范围,"
                    f"已跨界与{theirs}合并划分。",
                    f"The part in {mine} holds only {total} households and cannot meet "
                    f"the band on its own; it was divided together with {theirs}, "
                    "across their boundary.",
                )
            )
            parts[j] = parts[j] + part
            del parts[k]
            changed = True
            break
        if not changed:
            return parts


def _assemble(
    community_code: str,
    inputs: _Inputs,
    partition: Partition,
    grids_pieces: list[dict[str, Any]],
    buildings: BuildingSet,
    band: HouseholdBand,
    project_band: HouseholdBand,
    report: QualityReport,
) -> gpd.GeoDataFrame:
    """The community's grids: new ones numbered in reading order, locked ones kept.

    No new grid is in several parts as it will be written (see :func:`_whole_grids`).
    """
    geoms = []
    for g in grids_pieces:
        geom = partition.union(g["pieces"])
        geom = _one_polygon(geom)
        geoms.append(geom)
    taken = {int(c[-3:]) for c in inputs.locked["code"]}
    free = [n for n in range(1, 1000) if n not in taken][: len(geoms)]
    if len(free) < len(geoms):
        from gridgis.core.errors import CodeError

        raise CodeError(
            f"Community {community_code} would need {len(geoms)} new grid numbers; "
            "only 999 exist. Raise the band or divide part of the community by hand.",
            f"社区 {community_code} 需要 {len(geoms)} 个新网格编号,超过 999 个上限;"
            "请提高户数范围或手工划分部分区域。",
        )
    order = codes_mod.reading_order(np.asarray(geoms, dtype=object))
    sequence = np.empty(len(geoms), dtype=np.int64)
    sequence[order] = free
    short = short_name(inputs.name)
    override = band != project_band
    rows = []
    for g, seq in zip(grids_pieces, sequence, strict=True):
        members = partition.members(g["pieces"])
        if g["kind"] == GridKind.UNIT.value:
            name = f"{g['name']}单位网格" if g["name"] else f"{short}第{seq}单位网格"
        else:
            name = f"{short}第{seq}网格"
        residential = g["kind"] == GridKind.RESIDENTIAL.value
        rows.append(
            {
                "code": codes_mod.build_code(community_code, int(seq)),
                "name": name,
                "community_code": community_code,
                "kind": g["kind"],
                "households": int(buildings.households[members].sum()),
                "population": int(buildings.population[members].sum()),
                "min_households": band.min if override and residential else None,
                "max_households": band.max if override and residential else None,
                "ab_partner": None,
            }
        )
    new = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=schema.layer("grids").field_names),
        geometry=geoms,
        crs=inputs.existing.crs,
    )
    new = _whole_grids(new, buildings, band, report)
    if len(inputs.locked):
        households, population = _locked_totals(inputs, inputs.locked)
        kept = inputs.locked.assign(households=households, population=population)
        new = pd.concat([new, kept.reset_index(drop=True)], ignore_index=True)
        new = gpd.GeoDataFrame(new, geometry="geometry", crs=inputs.existing.crs)
    new = new.sort_values("code", ignore_index=True)
    new.index.name = "fid"
    return schema.conform("grids", new)


def _lobes_of(geom: BaseGeometry) -> list[BaseGeometry]:
    """The parts of a grid, each split at its necks (see :func:`lobes`), largest first."""
    out = [
        lobe
        for part in shapely.get_parts(geom)
        if part.geom_type == "Polygon"
        for lobe in lobes(part)
    ]
    return sorted(out, key=lambda p: -p.area)


def _whole_grids(
    grids: gpd.GeoDataFrame,
    buildings: BuildingSet,
    band: HouseholdBand,
    report: QualityReport,
) -> gpd.GeoDataFrame:
    """New grids checked as they will be written: none in several parts.

    The grids are cleaned as the write cleans them (a coverage on a millimetre
    grid, :func:`~gridgis.core.geometry.clean_coverage`). A grid that then falls
    apart, or whose lobes hang together only by a neck, keeps its largest lobe;
    every other lobe goes, with its buildings, to the grid it shares most boundary
    with. The report says so, and names a grid that leaves the band. Grids that
    hold together are returned as they are.
    """
    if len(grids) < 2:
        return grids
    geoms = np.asarray(grids.geometry.values, dtype=object)
    codes = grids["code"].to_numpy(dtype=object)
    touched: set[int] = set()
    for _ in range(3):
        work = clean_coverage(geoms)
        found = [_lobes_of(g) for g in work]
        broken = [k for k, parts in enumerate(found) if len(parts) > 1]
        if not broken:
            break
        for k in broken:
            work[k] = found[k][0]
            for lobe in found[k][1:]:
                shared = shapely.length(
                    shapely.intersection(
                        shapely.boundary(lobe),
                        shapely.boundary(work),
                        grid_size=SHARED_GRID,
                    )
                )
                shared[k] = 0.0
                j = int(np.argmax(shared))
                if shared[j] < MIN_SHARED:
                    work[k] = shapely.union(work[k], lobe, grid_size=SHARED_GRID)
                    continue
                work[j] = shapely.union(work[j], lobe, grid_size=SHARED_GRID)
                touched |= {k, j}
                report.notes.append(
                    Text(
                        f"网格 {codes[k]} 的一块土地只以一点或不足 {NECK_CM} 厘米的"
                        f"窄颈与其余部分相连,已并入相邻的网格 {codes[j]}。",
                        f"A piece of grid {codes[k]} hung on to the rest only at a "
                        f"point or by a neck under {NECK_CM} cm; it joined the "
                        f"neighbouring grid {codes[j]}.",
                    )
                )
        geoms = work
    if not touched:
        return grids
    out = grids.copy()
    out["geometry"] = gpd.GeoSeries(geoms, index=grids.index, crs=grids.crs)
    for k in sorted(touched):
        row = grids.index[k]
        inside = shapely.contains(geoms[k], buildings.points)
        held = int(buildings.households[inside].sum())
        out.loc[row, "households"] = held
        out.loc[row, "population"] = int(buildings.population[inside].sum())
        was = int(grids.loc[row, "households"])
        residential = out.loc[row, "kind"] == GridKind.RESIDENTIAL.value
        if (
            residential
            and band.min <= was <= band.max
            and not (band.min <= held <= band.max)
        ):
            report.infeasible.append(
                Text(
                    f"网格 {codes[k]} 与相邻网格交换了只以一点相连的土地后有 "
                    f"{held} 户,不在户数范围内。",
                    f"Grid {codes[k]} holds {held} households after land joined "
                    "only at a point moved between it and its neighbour.",
                )
            )
    return out


def _locked_totals(
    inputs: _Inputs, locked: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Households and population of the buildings inside each locked grid."""
    frame = inputs.all_buildings
    where = assign_points(
        inside_points(np.asarray(frame.geometry.values, dtype=object)),
        np.asarray(locked.geometry.values, dtype=object),
    ).index
    inside = where >= 0
    sums = []
    for column in ("households", "population"):
        values = frame[column].fillna(0).to_numpy(dtype=np.int64)[inside]
        sums.append(np.bincount(where[inside], weights=values, minlength=len(locked)))
    return sums[0].astype(np.int64), sums[1].astype(np.int64)


def _one_polygon(geom: BaseGeometry) -> BaseGeometry:
    """A grid's area as one polygon: crumbs of a union (under 1 m²) dropped.

    Real parts are never dropped: a grid in several parts stays a MultiPolygon
    and the report counts it.
    """
    if geom.geom_type == "Polygon":
        return _tidy(geom)
    parts = sorted(
        (p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"),
        key=lambda p: -p.area,
    )
    if not parts:
        raise GeometryError("A grid came out empty.", "生成了一个空网格。")
    real = [p for p in parts if p.area > 1.0]
    if len(real) <= 1:
        return _tidy(parts[0])
    return shapely.MultiPolygon(real)


def _tidy(polygon: BaseGeometry) -> BaseGeometry:
    """A grid polygon without repeated vertices and pinholes between its pieces.

    Pinholes are holes under 1 m²; the polygon is kept as it is where tidying would
    make it invalid.
    """
    holes = [r for r in polygon.interiors if shapely.Polygon(r).area > 1.0]
    # On a 1 mm grid, spikes that fold back on themselves collapse and go; the
    # vertices neighbours share snap alike, so shared boundaries stay shared.
    tidy = shapely.set_precision(shapely.Polygon(polygon.exterior, holes), TIDY_GRID)
    if tidy.geom_type != "Polygon" or tidy.is_empty or not tidy.is_valid:
        return polygon
    return tidy


def _building_grid(buildings: BuildingSet, grids: gpd.GeoDataFrame) -> pd.Series:
    geoms = np.asarray(grids.geometry.values, dtype=object)
    located = assign_points(buildings.points, geoms)
    return pd.Series(
        located.codes(grids["code"].to_numpy(dtype=object)),
        index=pd.Index(buildings.ids, name="id"),
        name="grid_code",
    )


def _crossings(
    grids: gpd.GeoDataFrame, overlays: gpd.GeoDataFrame, kinds: list[str]
) -> dict[str, int]:
    """Grids whose area lies in more than one overlay of each kind."""
    out = {}
    geoms = np.asarray(grids.geometry.values, dtype=object)
    for kind in kinds:
        of_kind = np.asarray(overlays[overlays["kind"] == kind].geometry.values)
        if len(of_kind) == 0 or len(geoms) == 0:
            out[kind] = 0
            continue
        g, o = shapely.STRtree(of_kind).query(geoms, predicate="intersects")
        areas = shapely.area(shapely.intersection(geoms[g], of_kind[o]))
        big = areas > np.maximum(50.0, 0.01 * shapely.area(geoms[g]))
        count = np.bincount(g[big], minlength=len(geoms))
        out[kind] = int((count > 1).sum())
    return out


__all__ = ["Division", "divide_community", "partition_blocks", "short_name"]
