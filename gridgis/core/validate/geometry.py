"""Geometry rules: every division valid and non-empty; a grid is one polygon."""

from __future__ import annotations

import numpy as np
import shapely

from gridgis.core.definitions import Level, Severity
from gridgis.core.geometry import qgis_defects
from gridgis.core.i18n import Text
from gridgis.core.validate.context import LEVEL_LAYERS, Context, repaired
from gridgis.core.validate.issue import Issue, Rule, rule


@rule(
    "geometry.empty",
    Severity.ERROR,
    Level.GRID,
    Text("边界为空", "empty boundary"),
    needs=(),
)
def empty_boundaries(context: Context, me: Rule) -> list[Issue]:
    """Streets, communities and grids without a boundary."""
    issues = []
    for layer, level, what in LEVEL_LAYERS:
        if not context.snapshot.has(layer):
            continue
        geoms = context.snapshot.geoms(layer)
        codes = context.snapshot.column(layer, "code")
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        for k in np.flatnonzero(empty):
            issues.append(
                me.issue(
                    codes[k],
                    Text(
                        f"{what.zh} {codes[k]} 没有边界;请在地图上绘制其边界,"
                        "或删除这条记录。",
                        f"The {what.en} {codes[k]} has no boundary; draw it on the map "
                        "or delete the record.",
                    ),
                    community=context.community_of(layer, k),
                    level=level,
                )
            )
    return issues


@rule(
    "geometry.invalid",
    Severity.ERROR,
    Level.GRID,
    Text("边界无效", "invalid boundary"),
    needs=(),
)
def invalid_boundaries(context: Context, me: Rule) -> list[Issue]:
    """Invalid boundaries of streets, communities, grids and building footprints.

    Boundaries count as invalid when GEOS rejects them, and (streets, communities,
    grids) when QGIS's own validity check would: duplicate nodes, rings that touch
    themselves or each other (:func:`gridgis.core.geometry.qgis_defects`).
    """
    issues = []
    for layer, level, what in LEVEL_LAYERS:
        if not context.snapshot.has(layer):
            continue
        geoms = context.snapshot.geoms(layer)
        codes = context.snapshot.column(layer, "code")
        defects = qgis_defects(geoms)
        for k in (k for k, found in enumerate(defects) if found):
            if shapely.is_valid(geoms[k]):
                # Valid for GEOS, rejected by QGIS's own check (and by the platforms
                # that check the same way): duplicate nodes, rings touching themselves.
                zh, en = defects[k][0].describe()
                message = Text(
                    f"{what.zh} {codes[k]} 的边界有缺陷({zh}),QGIS 有效性检查不通过;"
                    f"请运行 gridgis clean-geometry 清理几何,或用 gridgis import 重新导入。",
                    f"The boundary of {what.en} {codes[k]} has a defect ({en}) that "
                    "QGIS's validity check rejects; run gridgis clean-geometry to clean "
                    "the shapes, or import the file again with gridgis import.",
                )
                issues.append(
                    me.issue(
                        codes[k],
                        message,
                        context.level_geometry(layer, k),
                        community=context.community_of(layer, k),
                        level=level,
                    )
                )
                continue
            reason = shapely.is_valid_reason(geoms[k])
            issues.append(
                me.issue(
                    codes[k],
                    Text(
                        f"{what.zh} {codes[k]} 的边界无效({reason});"
                        "请运行 gridgis clean-geometry,或在源数据中修正自相交或重复的"
                        "节点(QGIS“修复几何”)。",
                        f"The boundary of {what.en} {codes[k]} is invalid ({reason}); "
                        "run gridgis clean-geometry, or fix the self-intersection or "
                        "repeated vertices in the source (QGIS “Fix geometries”).",
                    ),
                    context.level_geometry(layer, k),
                    community=context.community_of(layer, k),
                    level=level,
                )
            )
    if context.snapshot.has("buildings"):
        footprints = context.snapshot.geoms("buildings")
        present = ~(shapely.is_missing(footprints) | shapely.is_empty(footprints))
        bad = np.zeros(len(footprints), dtype=bool)
        bad[present] = ~shapely.is_valid(footprints[present])
        if bad.any():
            ids = context.snapshot.column("buildings", "id")
            link = context.linkage
            communities = context.snapshot.column("communities", "code")
            grid_codes = context.grid_codes
            for k in np.flatnonzero(bad):
                grid = link.building_grid.index[k]
                home = link.building_community.index[k]
                issues.append(
                    me.issue(
                        grid_codes[grid] if grid >= 0 else None,
                        Text(
                            f"建筑 {ids[k]} 的轮廓无效"
                            f"({shapely.is_valid_reason(footprints[k])});"
                            "请修正建筑轮廓。",
                            f"The footprint of building {ids[k]} is invalid "
                            f"({shapely.is_valid_reason(footprints[k])}); fix it.",
                        ),
                        repaired(footprints[k : k + 1])[0],
                        community=communities[home] if home >= 0 else None,
                        feature=ids[k],
                    )
                )
    return issues


@rule(
    "geometry.multipart",
    Severity.ERROR,
    Level.GRID,
    Text("网格由多块组成", "grid in several parts"),
)
def multipart_grids(context: Context, me: Rule) -> list[Issue]:
    """Grids made of several separate polygons (a grid is one polygon)."""
    geoms = context.snapshot.geoms("grids")
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    parts = np.ones(len(geoms), dtype=np.int64)
    parts[present] = shapely.get_num_geometries(geoms[present])
    issues = []
    for k in np.flatnonzero(parts > 1):
        code = context.grid_codes[k]
        issues.append(
            me.issue(
                code,
                Text(
                    f"网格 {code} 由 {parts[k]} 块不相连的区域组成;"
                    "每个网格应为一个连续区域,请拆分为多个网格或合并各部分。",
                    f"Grid {code} consists of {parts[k]} separate areas; a grid is one "
                    "connected area: split it into several grids or join the parts.",
                ),
                geoms[k],
                community=context.community_of_grid(k),
            )
        )
    return issues
