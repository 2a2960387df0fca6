"""Linkage rules: buildings and facilities each in exactly one grid, none cut.

Every building and facility of a divided community lies in exactly one grid, no
building is cut by a grid boundary, and the stored links and totals are those the map
gives.

Which grid holds a building is computed from the map here (a point inside its
footprint), never taken from the stored ``grid_code``; a stored code or total that
differs from the map is reported as out of date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from gridgis.core.definitions import Level, Severity
from gridgis.core.i18n import Text
from gridgis.core.validate.context import Context
from gridgis.core.validate.issue import Issue, Rule, rule

_WHAT = {
    "buildings": Text("建筑", "building"),
    "facilities": Text("设施", "facility"),
}


def _placement(
    context: Context, layer: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per feature: grid position, number of grids, community position."""
    link = context.linkage
    if layer == "buildings":
        return (
            link.building_grid.index,
            link.building_grid.hits,
            link.building_community.index,
        )
    return (
        link.facility_grid.index,
        link.facility_grid.hits,
        link.facility_community.index,
    )


def _unassigned(context: Context, me: Rule, layer: str) -> list[Issue]:
    grid, _, home = _placement(context, layer)
    divided = np.zeros(len(home), dtype=bool)
    inside = home >= 0
    divided[inside] = context.divided[home[inside]]
    found = np.flatnonzero(divided & (grid < 0))
    ids = context.snapshot.column(layer, "id")
    geoms = context.snapshot.geoms(layer)
    codes = context.snapshot.column("communities", "code")
    what = _WHAT[layer]
    issues = []
    for k in found:
        community = codes[home[k]]
        issues.append(
            me.issue(
                community,
                Text(
                    f"{what.zh} {ids[k]} 位于已划分网格的社区 {community},但不在任何网格内;"
                    "请调整相邻网格的边界把它包含进去。",
                    f"The {what.en} {ids[k]} lies in community {community}, which is "
                    "divided into grids, but in no grid; move a neighbouring grid's "
                    "boundary to take it in.",
                ),
                geoms[k],
                community=community,
                feature=ids[k],
            )
        )
    return issues


def _ambiguous(context: Context, me: Rule, layer: str) -> list[Issue]:
    grid, hits, _ = _placement(context, layer)
    found = np.flatnonzero(hits > 1)
    if len(found) == 0:
        return []
    ids = context.snapshot.column(layer, "id")
    geoms = context.snapshot.geoms(layer)
    link = context.linkage
    if layer == "buildings":
        x, y = link.building_x[found], link.building_y[found]
    else:
        xy = shapely.get_coordinates(geoms[found])
        x, y = xy[:, 0], xy[:, 1]
    what = _WHAT[layer]
    issues = []
    for n, k in enumerate(found):
        near = context.grid_tree.query(shapely.points(x[n], y[n]))
        holding = near[shapely.contains_xy(context.grid_geoms[near], x[n], y[n])]
        holders = sorted(str(context.grid_codes[g]) for g in holding)
        code = context.grid_codes[grid[k]]
        issues.append(
            me.issue(
                code,
                Text(
                    f"{what.zh} {ids[k]} 同时位于网格 {'、'.join(holders)} 内"
                    "(网格重叠);请消除重叠,使其只属于一个网格。",
                    f"The {what.en} {ids[k]} lies in grids {', '.join(holders)} at once "
                    "(they overlap); remove the overlap so that it belongs to one grid.",
                ),
                geoms[k],
                community=context.community_of_grid(grid[k]),
                feature=ids[k],
            )
        )
    return issues


@rule(
    "linkage.building_unassigned",
    Severity.ERROR,
    Level.COMMUNITY,
    Text("建筑不在任何网格内", "building in no grid"),
    needs=("grids", "communities", "buildings"),
)
def buildings_without_grid(context: Context, me: Rule) -> list[Issue]:
    """Buildings of divided communities that lie in no grid."""
    return _unassigned(context, me, "buildings")


@rule(
    "linkage.facility_unassigned",
    Severity.ERROR,
    Level.COMMUNITY,
    Text("设施不在任何网格内", "facility in no grid"),
    needs=("grids", "communities", "facilities"),
)
def facilities_without_grid(context: Context, me: Rule) -> list[Issue]:
    """Facilities of divided communities that lie in no grid."""
    return _unassigned(context, me, "facilities")


@rule(
    "linkage.building_ambiguous",
    Severity.ERROR,
    Level.GRID,
    Text("建筑属于多个网格", "building in several grids"),
    needs=("grids", "buildings"),
)
def buildings_in_several_grids(context: Context, me: Rule) -> list[Issue]:
    """Buildings whose inside point lies in more than one grid."""
    return _ambiguous(context, me, "buildings")


@rule(
    "linkage.facility_ambiguous",
    Severity.ERROR,
    Level.GRID,
    Text("设施属于多个网格", "facility in several grids"),
    needs=("grids", "facilities"),
)
def facilities_in_several_grids(context: Context, me: Rule) -> list[Issue]:
    """Facilities that lie in more than one grid."""
    return _ambiguous(context, me, "facilities")


@rule(
    "linkage.building_cut",
    Severity.ERROR,
    Level.GRID,
    Text("建筑被网格边界切割", "building cut by a grid boundary"),
    needs=("grids", "buildings"),
)
def buildings_cut(context: Context, me: Rule) -> list[Issue]:
    """Buildings whose footprint is split between grids."""
    cut = context.linkage.cut
    if cut.empty:
        return []
    ids = context.snapshot.column("buildings", "id")
    footprints = context.snapshot.geoms("buildings")
    grid = context.linkage.building_grid.index
    issues = []
    building_pos = cut["building"].to_numpy(dtype=np.int64)
    grid_pos = cut["grid"].to_numpy(dtype=np.int64)
    for b in np.unique(building_pos):
        other = grid_pos[building_pos == b]
        others = sorted(str(context.grid_codes[g]) for g in other)
        own = grid[b]
        code = context.grid_codes[own] if own >= 0 else others[0]
        holder = own if own >= 0 else int(other[0])
        issues.append(
            me.issue(
                code,
                Text(
                    f"建筑 {ids[b]} 被网格边界切割(属于网格 {code},"
                    f"又伸入网格 {'、'.join(others)});"
                    "请沿建筑外侧调整边界,使整栋建筑属于一个网格。",
                    f"Building {ids[b]} is cut by a grid boundary (it belongs to grid "
                    f"{code} and reaches into {', '.join(others)}); move the boundary "
                    "around the building so that it lies wholly in one grid.",
                ),
                footprints[b],
                community=context.community_of_grid(holder),
                feature=ids[b],
            )
        )
    return issues


def _differs(stored: np.ndarray, computed: np.ndarray) -> np.ndarray:
    return ~(np.isfinite(stored) & (stored == computed))


def _outdated(context: Context, layer: str) -> np.ndarray:
    """Per feature: whether the stored grid code differs from the map's."""
    grid, _, _ = _placement(context, layer)
    stored = context.snapshot.column(layer, "grid_code")
    computed = np.full(len(grid), None, dtype=object)
    computed[grid >= 0] = context.grid_codes[grid[grid >= 0]]
    stored = np.where(pd.isna(stored), "\0", stored)
    computed = np.where(pd.isna(computed), "\0", computed)
    return np.asarray(stored != computed, dtype=bool)


@rule(
    "linkage.stale",
    Severity.WARNING,
    Level.GRID,
    Text("关联数据已过期", "links out of date"),
    needs=("grids", "communities", "buildings"),
)
def stale_links(context: Context, me: Rule) -> list[Issue]:
    """Stored grid codes and totals that differ from what the map gives.

    Grid codes of buildings and facilities; households and population of grids,
    communities and streets.
    """
    snap = context.snapshot
    link = context.linkage
    grids = snap.frame("grids")
    communities = snap.frame("communities")
    n_grids, n_comm = len(grids), len(communities)
    grid_outdated = np.zeros(n_grids, dtype=np.int64)
    community_outdated = np.zeros(n_comm, dtype=np.int64)
    for layer in ("buildings", "facilities"):
        if not snap.has(layer):
            continue
        outdated = _outdated(context, layer)
        grid, _, home = _placement(context, layer)
        in_grid = outdated & (grid >= 0)
        grid_outdated += np.bincount(grid[in_grid], minlength=n_grids)
        elsewhere = outdated & (grid < 0) & (home >= 0)
        community_outdated += np.bincount(home[elsewhere], minlength=n_comm)
    issues = []
    stored_hh = grids["households"].to_numpy(dtype=float, na_value=np.nan)
    stored_pop = grids["population"].to_numpy(dtype=float, na_value=np.nan)
    wrong = (
        _differs(stored_hh, link.grid_households)
        | _differs(stored_pop, link.grid_population)
        | (grid_outdated > 0)
    )
    for k in np.flatnonzero(wrong):
        code = context.grid_codes[k]
        issues.append(
            me.issue(
                code,
                _stale_text(
                    Text(f"网格 {code}", f"grid {code}"),
                    (stored_hh[k], stored_pop[k]),
                    (link.grid_households[k], link.grid_population[k]),
                    int(grid_outdated[k]),
                ),
                context.grid_geoms[k],
                community=context.community_of_grid(k),
            )
        )
    codes = snap.column("communities", "code")
    stored_hh = communities["households"].to_numpy(dtype=float, na_value=np.nan)
    stored_pop = communities["population"].to_numpy(dtype=float, na_value=np.nan)
    wrong = (
        _differs(stored_hh, link.community_households)
        | _differs(stored_pop, link.community_population)
        | (community_outdated > 0)
    )
    for k in np.flatnonzero(wrong):
        issues.append(
            me.issue(
                codes[k],
                _stale_text(
                    Text(f"社区 {codes[k]}", f"community {codes[k]}"),
                    (stored_hh[k], stored_pop[k]),
                    (link.community_households[k], link.community_population[k]),
                    int(community_outdated[k]),
                ),
                context.community_geoms[k],
                community=codes[k],
                level=Level.COMMUNITY,
            )
        )
    if snap.community is None and snap.has("streets"):
        streets = snap.frame("streets")
        street_codes = snap.column("streets", "code")
        pos = context.community_street_pos
        known = pos >= 0
        hh = np.bincount(
            pos[known], weights=link.community_households[known], minlength=len(streets)
        )
        pop = np.bincount(
            pos[known], weights=link.community_population[known], minlength=len(streets)
        )
        stored_hh = streets["households"].to_numpy(dtype=float, na_value=np.nan)
        stored_pop = streets["population"].to_numpy(dtype=float, na_value=np.nan)
        wrong = _differs(stored_hh, hh) | _differs(stored_pop, pop)
        for k in np.flatnonzero(wrong):
            issues.append(
                me.issue(
                    street_codes[k],
                    _stale_text(
                        Text(f"街道 {street_codes[k]}", f"street {street_codes[k]}"),
                        (stored_hh[k], stored_pop[k]),
                        (hh[k], pop[k]),
                        0,
                    ),
                    level=Level.STREET,
                )
            )
    return issues


def _number(value: float) -> str:
    return "空" if not np.isfinite(value) else f"{value:.0f}"


def _number_en(value: float) -> str:
    return "empty" if not np.isfinite(value) else f"{value:.0f}"


def _stale_text(
    what: Text,
    stored: tuple[float, float],
    computed: tuple[float, float],
    outdated: int,
) -> Text:
    zh = (
        f"{what.zh} 记录的户数/人口为 {_number(stored[0])}/{_number(stored[1])},"
        f"按地图上的建筑应为 {computed[0]:.0f}/{computed[1]:.0f}"
    )
    en = (
        f"The stored households/population of {what.en} are "
        f"{_number_en(stored[0])}/{_number_en(stored[1])}; its buildings give "
        f"{computed[0]:.0f}/{computed[1]:.0f}"
    )
    if outdated:
        zh += f";{outdated} 个建筑或设施记录的所属网格已过期"
        en += f"; {outdated} buildings or facilities carry an outdated grid code"
    zh += "。请运行 `gridgis link` 更新关联数据。"
    en += ". Run `gridgis link` to bring the links up to date."
    return Text(zh, en)
