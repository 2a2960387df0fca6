"""Shape rules (warnings): compact grids whose boundaries respect roads and overlays.

Overlays are the divisions of other services (police areas, school districts).

Thresholds come from :class:`~gridgis.core.validate.issue.Options` (project settings,
``"validation"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from gridgis.core.definitions import Level, OverlayKind, Severity
from gridgis.core.i18n import Text
from gridgis.core.link import assign_points
from gridgis.core.validate.context import Context
from gridgis.core.validate.issue import Issue, Rule, rule


@rule(
    "shape.compactness",
    Severity.WARNING,
    Level.GRID,
    Text("网格形状不紧凑", "straggling grid"),
)
def straggling_grids(context: Context, me: Rule) -> list[Issue]:
    """Grids much less compact than a square (long strips, spidery outlines)."""
    geoms = context.grid_geoms
    perimeter = shapely.length(geoms)
    score = np.zeros(len(geoms))
    present = perimeter > 0
    score[present] = 4 * np.pi * context.grid_area[present] / perimeter[present] ** 2
    limit = context.options.min_compactness
    issues = []
    for k in np.flatnonzero(present & (score < limit)):
        code = context.grid_codes[k]
        issues.append(
            me.issue(
                code,
                Text(
                    f"网格 {code} 形状狭长或不规则(紧凑度 {score[k]:.2f},低于 {limit:.2f});"
                    "网格员巡查路线会过长,请考虑沿道路重新划分。",
                    f"Grid {code} is long or ragged (compactness {score[k]:.2f}, below "
                    f"{limit:.2f}); its patrol routes get long, so consider redrawing "
                    "it along roads.",
                ),
                geoms[k],
                community=context.community_of_grid(k),
            )
        )
    return issues


@rule(
    "shape.road_crossing",
    Severity.WARNING,
    Level.GRID,
    Text("道路穿越网格", "road through a grid"),
    needs=("grids", "roads"),
)
def roads_through_grids(context: Context, me: Rule) -> list[Issue]:
    """Grids that a main road runs through (grid boundaries should follow roads)."""
    roads = context.snapshot.frame("roads")
    classes = set(context.options.crossing_road_classes)
    chosen = np.flatnonzero(roads["class"].isin(classes).to_numpy())
    if len(chosen) == 0 or len(context.grid_geoms) == 0:
        return []
    lines = context.snapshot.geoms("roads")[chosen]
    names = context.snapshot.column("roads", "name")[chosen]
    tree = shapely.STRtree(lines)
    grid_pos, line_pos = tree.query(context.grid_geoms, predicate="intersects")
    # A road along a grid's boundary does not count: only roads entering its interior.
    entering = shapely.relate_pattern(
        lines[line_pos], context.grid_geoms[grid_pos], "T********"
    )
    grid_pos, line_pos = grid_pos[entering], line_pos[entering]
    if len(grid_pos) == 0:
        return []
    # Only the stretch inside the grid, away from its boundary, counts.
    touched, slot = np.unique(grid_pos, return_inverse=True)
    cores = shapely.buffer(context.grid_geoms[touched], -max(context.tolerance, 1.0))
    inside = shapely.intersection(lines[line_pos], cores[slot])
    length = shapely.length(inside)
    found = pd.DataFrame({"grid": grid_pos, "line": line_pos, "length": length})
    per_grid = found.groupby("grid")["length"].sum()
    issues = []
    for k, total in per_grid[per_grid >= context.options.crossing_road_length].items():
        k = int(k)
        rows = found[(found["grid"] == k) & (found["length"] > 0)]
        road_names = sorted(
            {str(names[i]) for i in rows["line"] if names[i] is not None}
        )
        part = shapely.union_all(inside[rows.index.to_numpy()])
        code = context.grid_codes[k]
        called = "、".join(road_names) if road_names else "主干路"
        called_en = ", ".join(road_names) if road_names else "a main road"
        issues.append(
            me.issue(
                code,
                Text(
                    f"{called}从网格 {code} 中间穿过({total:.0f} 米);"
                    "网格边界宜沿道路,请考虑以该道路为界拆分网格。",
                    f"{called_en} runs through grid {code} ({total:.0f} m); grid "
                    "boundaries should follow roads, so consider splitting the grid "
                    "along it.",
                ),
                part,
                community=context.community_of_grid(k),
            )
        )
    return issues


@rule(
    "shape.overlay_crossing",
    Severity.WARNING,
    Level.GRID,
    Text("网格跨越专题区划", "grid across an overlay boundary"),
    needs=("grids", "overlays"),
)
def grids_across_overlays(context: Context, me: Rule) -> list[Issue]:
    """Grids split between two police areas, school districts or other overlays."""
    overlays = context.snapshot.frame("overlays")
    geoms = context.grid_geoms
    if len(overlays) == 0 or len(geoms) == 0:
        return []
    overlay_geoms = context.snapshot.geoms("overlays")
    kinds = context.snapshot.column("overlays", "kind")
    names = context.snapshot.column("overlays", "name")
    share_limit = context.options.overlay_share
    points = shapely.point_on_surface(geoms)
    issues = []
    for kind in context.options.overlay_kinds:
        chosen = np.flatnonzero(kinds == kind)
        if len(chosen) == 0:
            continue
        shapes = overlay_geoms[chosen]
        # Most grids lie wholly in the overlay that holds a point inside them: one
        # prepared "contains" per grid settles them.
        home = assign_points(points, shapes).index
        settled = np.zeros(len(geoms), dtype=bool)
        has = np.flatnonzero(home >= 0)
        shapely.prepare(shapes)
        settled[has] = shapely.contains(shapes[home[has]], geoms[has])
        open_grids = np.flatnonzero(~settled)
        if len(open_grids) == 0:
            continue
        local, shape_pos = shapely.STRtree(shapes).query(
            geoms[open_grids], predicate="intersects"
        )
        grid_pos = open_grids[local]
        shares = shapely.area(
            shapely.intersection(geoms[grid_pos], shapes[shape_pos])
        ) / np.maximum(context.grid_area[grid_pos], 1e-9)
        big = shares >= share_limit
        found = pd.DataFrame({"grid": grid_pos[big], "shape": shape_pos[big]})
        label = (
            OverlayKind(kind).label
            if kind in OverlayKind._value2member_map_
            else Text(kind, kind)
        )
        for k, group in found.groupby("grid"):
            if len(group) < 2:
                continue
            k = int(k)
            parts = sorted(str(names[chosen[s]] or "") for s in group["shape"])
            code = context.grid_codes[k]
            issues.append(
                me.issue(
                    code,
                    Text(
                        f"网格 {code} 跨越{label.zh}边界({'、'.join(parts)});"
                        f"网格宜完整落在一个{label.zh}内,请考虑沿{label.zh}边界调整。",
                        f"Grid {code} lies across a {label.en} boundary "
                        f"({', '.join(parts)}); a grid should lie in one {label.en}, "
                        "so consider following that boundary.",
                    ),
                    geoms[k],
                    community=context.community_of_grid(k),
                )
            )
    return issues
