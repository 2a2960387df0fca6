"""Topology rules: grids tile their community without overlap or gap, levels nest.

Every grid lies in its community, every community in its street.

Pieces no wider than the project's ``topology_tolerance`` are slivers (digitising
noise) and are not reported. Communities without grids are not yet divided: they have
no gaps to report.
"""

from __future__ import annotations

import numpy as np
import shapely

from gridgis.core.definitions import Level, Severity
from gridgis.core.i18n import Text
from gridgis.core.validate.context import Context, polygonal
from gridgis.core.validate.issue import Issue, Rule, rule


def _area(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


class _Outside:
    """Parts of children outside their parent (grids in communities, ...).

    Computed once for the outside rules and the gap estimate.
    """

    def __init__(
        self, children: np.ndarray, parents: np.ndarray, parent_pos: np.ndarray
    ):
        self.pieces = np.full(len(children), None, dtype=object)
        self.area = np.zeros(len(children))
        known = np.flatnonzero(parent_pos >= 0)
        if len(known) == 0:
            return
        shapely.prepare(parents)
        inside = shapely.contains(parents[parent_pos[known]], children[known])
        out = known[~inside]
        if len(out):
            pieces = polygonal(
                shapely.difference(children[out], parents[parent_pos[out]])
            )
            self.pieces[out] = pieces
            self.area[out] = shapely.area(pieces)


def _union(polygons: np.ndarray, *, coverage: bool) -> object:
    """Union of polygons; the much faster coverage union when they tile exactly."""
    if coverage:
        try:
            union = shapely.coverage_union_all(polygons)
            if shapely.is_valid(union):
                return union
        except shapely.errors.GEOSException:
            pass  # edges that do not match vertex for vertex: the general union
    return shapely.union_all(polygons)


def _grids_outside(context: Context) -> _Outside:
    if "grids_outside" not in context.memo:
        context.memo["grids_outside"] = _Outside(
            context.grid_geoms, context.community_geoms, context.grid_community_pos
        )
    outside: _Outside = context.memo["grids_outside"]
    return outside


@rule(
    "topology.overlap",
    Severity.ERROR,
    Level.GRID,
    Text("网格重叠", "overlapping grids"),
)
def overlapping_grids(context: Context, me: Rule) -> list[Issue]:
    """Grids whose areas overlap (more than a sliver)."""
    left, right, pieces = context.overlaps
    codes = context.grid_codes
    issues = []
    for i, j, piece in zip(left, right, pieces, strict=True):
        a, b = codes[i], codes[j]
        area = _area(shapely.area(piece))
        message = Text(
            f"网格 {a} 与 {b} 重叠 {area} 平方米;"
            "请调整边界,使重叠部分只属于其中一个网格。",
            f"Grids {a} and {b} overlap by {area} m²; move the boundary so that the "
            "shared area belongs to one grid only.",
        )
        # Reported in each community involved (once when both are in one community).
        communities = dict.fromkeys(
            [context.community_of_grid(i), context.community_of_grid(j)]
        )
        for community, code in zip(communities, (a, b), strict=False):
            issues.append(me.issue(code, message, piece, community=community))
    return issues


@rule(
    "topology.gap",
    Severity.ERROR,
    Level.COMMUNITY,
    Text("网格间空白", "gap between grids"),
    needs=("grids", "communities"),
)
def gaps_between_grids(context: Context, me: Rule) -> list[Issue]:
    """Parts of a divided community that no grid covers."""
    communities = context.community_geoms
    codes = context.snapshot.column("communities", "code")
    grid_pos = context.grid_community_pos
    if len(communities) == 0 or len(grid_pos) == 0:
        return []
    # Estimate each community's uncovered area from areas alone; only communities
    # where it is not zero (or whose grids overlap) get the exact, costly geometry.
    outside = _grids_outside(context)
    known = grid_pos >= 0
    covered = np.bincount(
        grid_pos[known],
        weights=(context.grid_area - outside.area)[known],
        minlength=len(communities),
    )
    left, right, _ = context.overlaps
    suspicious = np.zeros(len(communities), dtype=bool)
    if len(left):
        suspicious[grid_pos[left][grid_pos[left] >= 0]] = True
        suspicious[grid_pos[right][grid_pos[right] >= 0]] = True
    uncovered = shapely.area(communities) - covered
    suspicious |= uncovered > context.tolerance**2
    suspicious &= context.divided
    issues = []
    tree = context.grid_tree
    overlapping = np.zeros(len(communities), dtype=bool)
    if len(left):
        overlapping[grid_pos[left][grid_pos[left] >= 0]] = True
    for c in np.flatnonzero(suspicious):
        members = context.grid_geoms[np.flatnonzero(grid_pos == c)]
        union = _union(members, coverage=not overlapping[c])
        hole = shapely.difference(communities[c], union)
        for piece in context.substantial_parts(polygonal(np.array([hole]))[0]):
            near = tree.query(piece, predicate="dwithin", distance=context.tolerance)
            neighbours = sorted(
                str(context.grid_codes[k]) for k in near if grid_pos[k] == c
            )
            area = _area(shapely.area(piece))
            listed = "、".join(neighbours[:4])
            listed_en = ", ".join(neighbours[:4])
            issues.append(
                me.issue(
                    codes[c],
                    Text(
                        f"社区 {codes[c]} 有 {area} 平方米不属于任何网格"
                        + (f"(位于网格 {listed} 之间)" if neighbours else "")
                        + ";请把这块区域并入相邻网格。",
                        f"{area} m² of community {codes[c]} belong to no grid"
                        + (f" (between grids {listed_en})" if neighbours else "")
                        + "; add the area to a neighbouring grid.",
                    ),
                    piece,
                    community=codes[c],
                )
            )
    return issues


@rule(
    "topology.outside_community",
    Severity.ERROR,
    Level.GRID,
    Text("网格超出所属社区", "grid outside its community"),
    needs=("grids", "communities"),
)
def grids_outside_communities(context: Context, me: Rule) -> list[Issue]:
    """Grids that reach beyond the community they belong to."""
    outside = _grids_outside(context)
    issues = []
    for k in np.flatnonzero(outside.area > 0):
        parts = context.substantial_parts(outside.pieces[k])
        if not parts:
            continue
        piece = shapely.union_all(parts)
        code, community = context.grid_codes[k], context.community_of_grid(k)
        area = _area(piece.area)
        issues.append(
            me.issue(
                code,
                Text(
                    f"网格 {code} 有 {area} 平方米超出所属社区 {community} 的边界;"
                    "请把网格边界收回到社区边界以内。",
                    f"{area} m² of grid {code} lie outside its community {community}; "
                    "move the grid's boundary back inside the community.",
                ),
                piece,
                community=community,
            )
        )
    return issues


@rule(
    "topology.outside_street",
    Severity.ERROR,
    Level.COMMUNITY,
    Text("社区超出所属街道", "community outside its street"),
    needs=("communities", "streets"),
)
def communities_outside_streets(context: Context, me: Rule) -> list[Issue]:
    """Communities that reach beyond their street."""
    outside = _Outside(
        context.community_geoms, context.street_geoms, context.community_street_pos
    )
    codes = context.snapshot.column("communities", "code")
    streets = context.snapshot.column("communities", "street_code")
    issues = []
    for k in np.flatnonzero(outside.area > 0):
        parts = context.substantial_parts(outside.pieces[k])
        if not parts:
            continue
        piece = shapely.union_all(parts)
        area = _area(piece.area)
        issues.append(
            me.issue(
                codes[k],
                Text(
                    f"社区 {codes[k]} 有 {area} 平方米超出所属街道 {streets[k]} 的边界;"
                    "请修正社区或街道边界。",
                    f"{area} m² of community {codes[k]} lie outside its street "
                    f"{streets[k]}; correct the community's or the street's boundary.",
                ),
                piece,
                community=codes[k],
            )
        )
    return issues
