"""Capacity rules: households per grid inside its band.

The band of a grid is the project's band for its kind (``settings.household_bands``),
replaced field by field by the grid's own ``min_households`` / ``max_households`` when
set. Households are counted from the buildings inside the grid, not read from the
grid's stored total (which may be out of date: :mod:`~gridgis.core.validate.linkage`
reports that).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridgis.core.definitions import Level, Severity
from gridgis.core.i18n import Text
from gridgis.core.link import building_counts
from gridgis.core.settings import Settings
from gridgis.core.validate.context import Context
from gridgis.core.validate.issue import Issue, Rule, rule


def grid_bands(
    grids: pd.DataFrame, settings: Settings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per grid: band minimum, maximum, and whether the band is known and a range.

    The band of the grid's kind from ``settings``, replaced by the grid's own
    ``min_households`` / ``max_households`` where set.
    """
    kinds = grids["kind"].astype(object).to_numpy()
    low = np.full(len(grids), np.nan)
    high = np.full(len(grids), np.nan)
    for kind, band in settings.household_bands.items():
        of_kind = kinds == kind
        low[of_kind], high[of_kind] = band.min, band.max
    for name, target in (("min_households", low), ("max_households", high)):
        if name not in grids.columns:
            continue
        own = grids[name].to_numpy(dtype=float, na_value=np.nan)
        target[np.isfinite(own)] = own[np.isfinite(own)]
    known = np.isfinite(low) & np.isfinite(high) & (low <= high)
    return low, high, known


def bands(context: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per grid of the run: band minimum, maximum, known (see :func:`grid_bands`)."""
    if "bands" not in context.memo:
        context.memo["bands"] = grid_bands(
            context.snapshot.frame("grids"), context.settings
        )
    cached: tuple[np.ndarray, np.ndarray, np.ndarray] = context.memo["bands"]
    return cached


@rule(
    "capacity.band_setting",
    Severity.ERROR,
    Level.GRID,
    Text("户数范围未设置", "household band not set"),
)
def band_settings(context: Context, me: Rule) -> list[Issue]:
    """Grids whose kind has no band in the settings, or whose own band is no range."""
    low, high, known = bands(context)
    kinds = context.snapshot.column("grids", "kind")
    issues = []
    for k in np.flatnonzero(~known):
        code = context.grid_codes[k]
        if np.isfinite(low[k]) and np.isfinite(high[k]):
            message = Text(
                f"网格 {code} 自定的户数范围 {low[k]:.0f}–{high[k]:.0f} 下限大于上限;"
                "请修正该网格的户数下限/上限。",
                f"Grid {code} has its own household band {low[k]:.0f}–{high[k]:.0f} "
                "with the minimum above the maximum; correct the grid's minimum or "
                "maximum households.",
            )
        else:
            message = Text(
                f"项目设置中没有“{kinds[k]}”类网格的户数范围,网格 {code} 无法检查户数;"
                "请在项目设置中补充该类网格的户数范围。",
                f"The settings have no household band for grids of kind '{kinds[k]}', "
                f"so grid {code} cannot be checked; add the band in the project "
                "settings.",
            )
        issues.append(
            me.issue(
                code,
                message,
                context.grid_geoms[k],
                community=context.community_of_grid(k),
            )
        )
    return issues


def _band_issues(context: Context, me: Rule, above: bool) -> list[Issue]:
    low, high, known = bands(context)
    households = context.linkage.grid_households
    found = known & (households > high) if above else known & (households < low)
    issues = []
    for k in np.flatnonzero(found):
        code = context.grid_codes[k]
        n, lo, hi = int(households[k]), int(low[k]), int(high[k])
        if above:
            message = Text(
                f"网格 {code} 有 {n} 户,超过户数上限 {hi} 户(范围 {lo}–{hi});"
                "请把部分楼栋划给相邻网格,或把该网格拆分。",
                f"Grid {code} has {n} households, above its maximum of {hi} "
                f"(band {lo}–{hi}); move buildings to a neighbouring grid or split it.",
            )
        else:
            message = Text(
                f"网格 {code} 只有 {n} 户,低于户数下限 {lo} 户(范围 {lo}–{hi});"
                "请并入相邻楼栋,或与相邻网格合并。",
                f"Grid {code} has {n} households, below its minimum of {lo} "
                f"(band {lo}–{hi}); add neighbouring buildings or merge it with a "
                "neighbouring grid.",
            )
        issues.append(
            me.issue(
                code,
                message,
                context.grid_geoms[k],
                community=context.community_of_grid(k),
            )
        )
    return issues


@rule(
    "capacity.above_band",
    Severity.ERROR,
    Level.GRID,
    Text("户数超过上限", "households above the band"),
    needs=("grids", "buildings"),
)
def above_band(context: Context, me: Rule) -> list[Issue]:
    """Grids with more households than their band allows."""
    return _band_issues(context, me, above=True)


@rule(
    "capacity.below_band",
    Severity.ERROR,
    Level.GRID,
    Text("户数低于下限", "households below the band"),
    needs=("grids", "buildings"),
)
def below_band(context: Context, me: Rule) -> list[Issue]:
    """Grids with fewer households than their band needs."""
    return _band_issues(context, me, above=False)


@rule(
    "capacity.building_above_band",
    Severity.WARNING,
    Level.GRID,
    Text("单栋建筑超过上限", "one building above the band"),
    needs=("grids", "buildings"),
)
def building_above_band(context: Context, me: Rule) -> list[Issue]:
    """Buildings whose households alone exceed their grid's maximum."""
    _, high, known = bands(context)
    grid = context.linkage.building_grid.index
    buildings = context.snapshot.frame("buildings")
    households, _ = building_counts(buildings)
    limit = np.full(len(grid), np.inf)
    inside = grid >= 0
    limit[inside] = np.where(known[grid[inside]], high[grid[inside]], np.inf)
    ids = context.snapshot.column("buildings", "id")
    footprints = context.snapshot.geoms("buildings")
    issues = []
    for b in np.flatnonzero(households > limit):
        k = grid[b]
        code = context.grid_codes[k]
        issues.append(
            me.issue(
                code,
                Text(
                    f"建筑 {ids[b]} 单栋就有 {households[b]} 户,超过网格 {code} 的"
                    f"户数上限 {high[k]:.0f};请为其单独设立网格,并为该网格自定户数范围。",
                    f"Building {ids[b]} alone has {households[b]} households, above the "
                    f"maximum of {high[k]:.0f} of grid {code}; give it a grid of its "
                    "own with its own household band.",
                ),
                footprints[b],
                community=context.community_of_grid(k),
                feature=ids[b],
            )
        )
    return issues
