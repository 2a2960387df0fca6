"""Register rules: the information base against the buildings' stated figures.

Where a building's houses are registered, its households come from the register
(:func:`~gridgis.core.link.building_counts`). These rules warn where the stated
household count and the register of a building disagree, and where a grid's register
covers too few of its buildings to be trusted — in communities whose register has
been started (a community without any registered house is simply not registered yet).
The least share of a grid's buildings with households that must be registered is
``min_register_coverage`` under ``"validation"`` in the project settings (default 0.8).
"""

from __future__ import annotations

import numpy as np

from gridgis.core.definitions import Level, Severity
from gridgis.core.i18n import Text
from gridgis.core.validate.context import Context
from gridgis.core.validate.issue import Issue, Rule, rule

#: Default least share of a grid's inhabited buildings with a register.
MIN_COVERAGE = 0.8


def min_coverage(context: Context) -> float:
    """The project's least register coverage of a grid."""
    options = context.settings.extra.get("validation") or {}
    return float(options.get("min_register_coverage", MIN_COVERAGE))


def _registered(context: Context) -> np.ndarray:
    buildings = context.snapshot.frame("buildings")
    if "reg_households" not in buildings.columns:
        return np.zeros(len(buildings), dtype=bool)
    return buildings["reg_households"].notna().to_numpy(dtype=bool)


@rule(
    "register.households",
    Severity.WARNING,
    Level.GRID,
    Text("户数与登记不符", "households differ from the register"),
    needs=("grids", "buildings"),
)
def households_differ(context: Context, me: Rule) -> list[Issue]:
    """Buildings whose stated households differ from their registered houses."""
    buildings = context.snapshot.frame("buildings")
    registered = _registered(context)
    stated = buildings["households"].to_numpy(dtype=float, na_value=np.nan)
    counted = np.zeros(len(buildings))
    if registered.any():
        counted = buildings["reg_households"].to_numpy(dtype=float, na_value=np.nan)
    differ = registered & np.isfinite(stated) & (stated != counted)
    grid = context.linkage.building_grid.index
    ids = context.snapshot.column("buildings", "id")
    footprints = context.snapshot.geoms("buildings")
    issues = []
    for b in np.flatnonzero(differ & (grid >= 0)):
        k = grid[b]
        n_stated, n_reg = int(stated[b]), int(counted[b])
        issues.append(
            me.issue(
                context.grid_codes[k],
                Text(
                    f"建筑 {ids[b]} 填报 {n_stated} 户,登记库中有 {n_reg} 户"
                    "(计户数时以登记为准);请补登房屋或修正填报户数。",
                    f"Building {ids[b]} states {n_stated} households, its register "
                    f"holds {n_reg} (the register counts); register the missing "
                    "houses or correct the stated figure.",
                ),
                footprints[b],
                community=context.community_of_grid(k),
                feature=str(ids[b]),
            )
        )
    return issues


@rule(
    "register.coverage",
    Severity.WARNING,
    Level.GRID,
    Text("登记覆盖不足", "register covers too little"),
    needs=("grids", "buildings"),
)
def coverage(context: Context, me: Rule) -> list[Issue]:
    """Grids, in communities with a register, where few buildings are registered."""
    buildings = context.snapshot.frame("buildings")
    registered = _registered(context)
    if not registered.any():
        return []
    stated = buildings["households"].fillna(0).to_numpy(dtype=np.int64)
    inhabited = registered | (stated > 0)
    grid = context.linkage.building_grid.index
    community = context.linkage.building_community.index
    n_grids = len(context.grid_codes)
    n_comm = len(context.snapshot.frame("communities"))
    started = np.zeros(n_comm + 1, dtype=bool)
    started[community[registered & (community >= 0)]] = True
    inside = (grid >= 0) & inhabited
    total = np.bincount(grid[inside], minlength=n_grids)
    done = np.bincount(grid[inside & registered], minlength=n_grids)
    least = min_coverage(context)
    community_pos = context.grid_community_pos
    issues = []
    for k in np.flatnonzero(total > 0):
        pos = community_pos[k]
        if pos < 0 or not started[pos] or done[k] >= least * total[k]:
            continue
        code = context.grid_codes[k]
        share = 100.0 * done[k] / total[k]
        issues.append(
            me.issue(
                code,
                Text(
                    f"网格 {code} 的 {total[k]} 栋有住户的建筑中只有 {done[k]} 栋"
                    f"已登记房屋({share:.0f}%,应不少于 {least:.0%});"
                    "请用房屋或居民登记表补登其余建筑。",
                    f"Only {done[k]} of the {total[k]} inhabited buildings of grid "
                    f"{code} have registered houses ({share:.0f}%, at least "
                    f"{least:.0%} wanted); register the others with the houses or "
                    "residents template.",
                ),
                context.grid_geoms[k],
                community=context.community_of_grid(k),
            )
        )
    return issues
