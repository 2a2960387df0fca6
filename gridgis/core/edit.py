"""Editing grids: split, merge, reshape, draw, move a building — as reversible changes.

Each edit reads what it needs from the store, checks it (no building cut, single
polygons, one community) and returns a :class:`ChangeSet`: the rows before and after,
per layer. :func:`apply_changes` writes a change set in one transaction and relinks the
affected communities; the inverse of an applied change set undoes it exactly (same
fids), which is what the desktop application's undo/redo stack replays.

Typical use::

    change = split_grid(store, fid, LineString([(0, 50), (200, 50)]))
    applied = apply_changes(store, change)        # do (returns it with new fids)
    apply_changes(store, applied.inverse())       # undo
    apply_changes(store, applied)                 # redo

With ``expected=`` (community → revision read before the edit was computed) a change
is refused (:class:`~gridgis.core.errors.ConflictError`) if someone else changed the
community since; each applied change set carries the revisions it left, which the
application's undo stack expects when it undoes or redoes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import split

from gridgis.core.codes import next_grid_sequence, reading_order
from gridgis.core.definitions import GridKind
from gridgis.core.divide import Division
from gridgis.core.divide.history import current_grids, history_rows, next_revision, now
from gridgis.core.errors import GeometryError, SchemaError
from gridgis.core.geometry import clean_polygons, with_clean_polygons
from gridgis.core.i18n import Text
from gridgis.core.link import link_project
from gridgis.core.staff_moves import (
    StaffMoves,
    assignment_changes,
    division_staff_moves,
    staff_moves_for,
    with_ab_pairs,
)
from gridgis.core.staffing import suggest_ab_pairs
from gridgis.core.store import Store

#: How far the ends of a drawn cut line are extended so that it crosses the boundary.
LINE_EXTENSION = 1.0
#: Margin (m) kept around a building moved to a neighbouring grid.
BUILDING_MARGIN = 2.0
#: Pieces smaller than this (m²) left by an edit are noise, not grids.
MIN_AREA = 1.0


@dataclass(frozen=True)
class Change:
    """Rows of one layer before and after an edit (indexed by fid).

    ``before is None`` adds ``after``; ``after is None`` removes ``before``; otherwise
    the columns of ``after`` replace those of ``before``. ``fresh`` marks added rows whose
    fids the store has not given yet.
    """

    layer: str
    before: pd.DataFrame | None
    after: pd.DataFrame | None
    fresh: bool = False

    def inverse(self) -> Change:
        """The change that undoes this one."""
        if self.fresh:
            raise ValueError("apply a change set before inverting it")
        return Change(self.layer, self.after, self.before)


@dataclass(frozen=True)
class ChangeSet:
    """One edit: its changes, a description, and the communities it touches."""

    changes: tuple[Change, ...]
    description: Text
    communities: frozenset[str] = field(default_factory=frozenset)
    #: Community revisions: those the edit was computed from (an automatic division
    #: records them), or, once applied, those the change left.
    revisions: Mapping[str, int] = field(default_factory=dict)
    #: The edit tool, as the change log names it (``"split"``, ``"undo split"``).
    tool: str = "edit"

    def inverse(self) -> ChangeSet:
        """The change set that undoes this (applied) one."""
        return ChangeSet(
            tuple(c.inverse() for c in reversed(self.changes)),
            Text(f"撤销{self.description.zh}", f"undo {self.description.en}"),
            self.communities,
            tool=f"undo {self.tool}",
        )


def apply_changes(
    store: Store,
    changes: ChangeSet,
    *,
    relink: bool = True,
    expected: Mapping[str, int] | None = None,
    tool: str | None = None,
) -> ChangeSet:
    """Write a change set in one transaction; return it with the new rows' fids.

    The transaction first checks that the communities are still at the ``expected``
    revisions (when given), then writes the change and relinks; the change set
    returned carries the revisions it left (:attr:`ChangeSet.revisions`), which an
    undo stack expects when it undoes or redoes it.

    Parameters
    ----------
    store
        The project.
    changes
        From one of the edit functions, or the inverse of an applied change set.
    relink
        Relink buildings and totals of the touched communities, in the same
        transaction.
    expected
        Community → the revision the change was computed from (read with
        :meth:`~gridgis.core.store.Store.revisions` before reading the data).
    tool
        The tool recorded with the communities' new revisions.

    Raises
    ------
    ConflictError
        A community of the change was changed by someone else since it was read.
    """
    applied = []
    with store.transaction(tool=tool or changes.tool) as tx:
        tx.expect_revisions(expected or {})
        for change in changes.changes:
            if change.before is None:
                assert change.after is not None
                if change.fresh:
                    fids = tx.insert(change.layer, change.after)
                    after = change.after.copy()
                    after.index = pd.Index(fids, name="fid")
                    applied.append(Change(change.layer, None, after))
                    continue
                tx.insert(change.layer, change.after, keep_fids=True)
            elif change.after is None:
                tx.delete(change.layer, change.before.index.to_numpy())
            else:
                tx.update(change.layer, change.after)
            applied.append(change)
        if relink:
            for community in sorted(changes.communities):
                link_project(store, community=community)
        revisions = tx.bump_revisions(sorted(changes.communities))
    return replace(changes, changes=tuple(applied), revisions=revisions)


# ---------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------


def _grid(store: Store, fid: int) -> gpd.GeoDataFrame:
    grids = store.read("grids")
    if fid not in grids.index:
        raise SchemaError(
            f"Grid {fid} no longer exists; reload the layer.",
            f"网格 {fid} 已不存在,请重新加载图层。",
        )
    return grids


def _geom(frame: pd.DataFrame, fid: int) -> BaseGeometry:
    geom: BaseGeometry = frame.geometry.loc[fid]
    return geom


def _text(frame: pd.DataFrame, fid: int, column: str) -> str:
    return str(frame.loc[fid, column])


def _single_polygon(geom: BaseGeometry, what: Text) -> Polygon:
    geom = shapely.make_valid(geom) if not geom.is_valid else geom
    parts = [
        p for p in shapely.get_parts(geom)
        if p.geom_type == "Polygon" and p.area >= MIN_AREA
    ]  # fmt: skip
    if len(parts) != 1:
        raise GeometryError(
            f"The edit would leave {what.en} in {len(parts)} pieces; a grid must be one "
            "polygon. Draw the change so that every grid stays in one piece.",
            f"该操作会使{what.zh}分成 {len(parts)} 块;网格必须是一个完整的面。"
            "请调整绘制,使每个网格保持完整。",
        )
    return shapely.Polygon(parts[0].exterior, parts[0].interiors)


def _check_buildings(store: Store, lines: BaseGeometry) -> None:
    """Refuse an edit whose new boundary runs through a building."""
    if lines.is_empty:
        return
    buildings = store.read("buildings", bbox=tuple(lines.bounds), columns=["id"])
    if buildings.empty:
        return
    geoms = np.asarray(buildings.geometry.values, dtype=object)
    crossed = shapely.intersects(shapely.buffer(geoms, -0.05), lines)
    if crossed.any():
        ids = ", ".join(buildings["id"][crossed].astype(str).tolist()[:5])
        raise GeometryError(
            f"The new boundary runs through building(s) {ids}; buildings belong wholly to "
            "one grid — draw the line between buildings.",
            f"新的边界穿过了建筑 {ids};每栋建筑必须完整属于一个网格,请在建筑之间绘制。",
        )


def _new_boundaries(
    before: Iterable[BaseGeometry], after: Iterable[BaseGeometry]
) -> Any:
    """Boundary lines that exist after an edit and did not before."""
    old = shapely.union_all([g.boundary for g in before])
    new = shapely.union_all([g.boundary for g in after])
    return new.difference(old.buffer(0.01))


def _extend(line: LineString, distance: float = LINE_EXTENSION) -> LineString:
    coords = np.asarray(line.coords, dtype=float)
    if len(coords) < 2:
        raise GeometryError(
            "Draw a line with at least two points.", "请至少绘制两个点的线。"
        )
    start_dir = coords[0] - coords[1]
    end_dir = coords[-1] - coords[-2]
    start = coords[0] + distance * start_dir / max(np.hypot(*start_dir), 1e-9)
    end = coords[-1] + distance * end_dir / max(np.hypot(*end_dir), 1e-9)
    return LineString(np.vstack([start, coords, end]))


def _post_changes(store: Store, moves: StaffMoves) -> list[Change]:
    """The changes to ``assignments`` that move posts as ``moves`` says."""
    codes = sorted({m.from_grid for m in moves.moves})
    if not codes:
        return []
    assignments = store.read("assignments", where={"grid_code": codes})
    before, after, folded = assignment_changes(moves, assignments)
    changes = []
    if len(folded):
        changes.append(Change("assignments", folded, None))
    if len(before):
        changes.append(Change("assignments", before, after))
    return changes


def _pair_changes(
    store: Store,
    grids: gpd.GeoDataFrame,
    community: str,
    replaced: dict[int, BaseGeometry],
    removed: set[int],
    added: gpd.GeoDataFrame | None,
) -> tuple[list[Change], gpd.GeoDataFrame | None]:
    """AB pairs suggested again after an edit: valid pairs stay, free grids pair up.

    Returns the change to the partners of existing grids, and ``added`` (new grids)
    with their suggested partners.
    """
    mine = grids[(grids["community_code"] == community) & ~grids.index.isin(removed)]
    after = mine[["code", "community_code", "ab_partner", "geometry"]].copy()
    for fid, geom in replaced.items():
        after.loc[fid, "geometry"] = geom
    frames = [after]
    if added is not None and len(added):
        frames.append(added[["code", "community_code", "geometry"]])
    frame = gpd.GeoDataFrame(pd.concat(frames), geometry="geometry", crs=grids.crs)
    keep = {
        str(c): str(p)
        for c, p in zip(after["code"], after["ab_partner"], strict=True)
        if isinstance(p, str) and p
    }
    pairs = suggest_ab_pairs(
        frame, keep=keep, tolerance=store.settings.topology_tolerance
    )
    new = [pairs.get(str(c)) for c in mine["code"]]
    changed = [
        fid
        for fid, old, value in zip(mine.index, mine["ab_partner"], new, strict=True)
        if not _same(old, value)
    ]
    changes = []
    if changed:
        values = dict(zip(mine.index, new, strict=True))
        changes.append(
            Change(
                "grids",
                pd.DataFrame(mine.loc[changed, ["ab_partner"]]),
                pd.DataFrame(
                    {"ab_partner": [values[f] for f in changed]},
                    index=pd.Index(changed, name=mine.index.name),
                ),
            )
        )
    if added is not None and len(added):
        added = added.assign(ab_partner=[pairs.get(str(c)) for c in added["code"]])
    return changes, added


def _with_moves(description: Text, moves: StaffMoves) -> Text:
    """An edit's description, with how many posts moved with it."""
    moved = sum(m.to_grid != m.from_grid or m.folded for m in moves.moves)
    if not moved:
        return description
    return Text(
        f"{description.zh}({moved} 个岗位随住户移动)",
        f"{description.en} ({moved} post(s) moved with the households)",
    )


def _community_name(store: Store, community: str) -> str:
    names = store.read("communities", where={"code": community}, columns=["name"])
    name = str(names["name"].iloc[0]) if len(names) else ""
    return name.removesuffix("社区")


def _geometry_change(
    grids: gpd.GeoDataFrame, fids: Sequence[int], geoms: Sequence[BaseGeometry]
) -> Change:
    before = grids.loc[list(fids), ["geometry"]]
    after = gpd.GeoDataFrame(
        geometry=clean_polygons(np.asarray(list(geoms), dtype=object)),
        index=before.index,
        crs=grids.crs,
    )
    return Change("grids", before, after)


def _new_grid_rows(
    store: Store,
    community: str,
    geoms: Sequence[BaseGeometry],
    existing: Sequence[str],
    kind: str = GridKind.RESIDENTIAL.value,
    names: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    codes = list(existing)
    rows = []
    short = _community_name(store, community)
    for k, _ in enumerate(geoms):
        seq = next_grid_sequence(community, codes)
        code = f"{community}{seq:03d}"
        codes.append(code)
        name = names[k] if names is not None else f"{short}第{seq}网格"
        rows.append(
            {"code": code, "name": name, "community_code": community, "kind": kind}
        )
    return gpd.GeoDataFrame(
        pd.DataFrame(rows),
        geometry=clean_polygons(np.asarray(list(geoms), dtype=object)),
        crs=store.crs,
    )


# ---------------------------------------------------------------------------------
# Edits
# ---------------------------------------------------------------------------------


def split_grid(store: Store, fid: int, line: LineString) -> ChangeSet:
    """Split grid ``fid`` along ``line`` (drawn across it, edge to edge).

    The largest piece keeps the grid's code, name and AB partner; the other pieces
    become new grids with the next free codes of the community. The grid's staff go
    with most of its households (:mod:`gridgis.core.staff_moves`).

    Raises
    ------
    GeometryError
        If the line does not cross the grid, or runs through a building.
    """
    grids = _grid(store, fid)
    grid = grids.loc[fid]
    polygon = grid.geometry
    pieces = shapely.get_parts(split(polygon, _extend(line)))
    pieces = [p for p in pieces if p.area >= MIN_AREA]
    if len(pieces) < 2:
        raise GeometryError(
            f"The line does not cut grid {grid['code']} in two; draw it across the grid "
            "from one edge to another.",
            f"该线没有把网格 {grid['code']} 分开;请从网格的一条边画到另一条边。",
        )
    _check_buildings(store, shapely.intersection(_extend(line), polygon))
    # The largest piece keeps the grid; among equals, the first in reading order.
    pieces = [pieces[k] for k in reading_order(np.asarray(pieces, dtype=object))]
    pieces.sort(key=lambda p: -round(p.area))
    community = str(grid["community_code"])
    same = grids[grids["community_code"] == community]["code"].astype(str).tolist()
    added = _new_grid_rows(store, community, pieces[1:], same, kind=str(grid["kind"]))
    kept = grids.loc[[fid], ["code", "community_code"]].assign(geometry=[pieces[0]])
    successors = pd.concat([kept, added[["code", "community_code", "geometry"]]])
    moves = staff_moves_for(store, grids.loc[[fid]], successors)
    pairs, added = _pair_changes(
        store, grids, community, {fid: pieces[0]}, set(), added
    )
    return ChangeSet(
        (
            _geometry_change(grids, [fid], [pieces[0]]),
            Change("grids", None, added, fresh=True),
            *pairs,
            *_post_changes(store, moves),
        ),
        _with_moves(
            Text(f"拆分网格 {grid['code']}", f"split grid {grid['code']}"), moves
        ),
        frozenset({community}),
        tool="split",
    )


def merge_grids(store: Store, fids: Sequence[int]) -> ChangeSet:
    """Merge adjacent grids of one community into the one with the lowest code.

    Staff assigned to the merged grids move to the remaining grid (a post the person
    already holds there is not repeated); AB pairs that point to a merged grid are
    cleared.
    """
    if len(set(fids)) < 2:
        raise GeometryError(
            "Select at least two grids to merge.", "请至少选择两个网格进行合并。"
        )
    grids = store.read("grids")
    missing = [f for f in fids if f not in grids.index]
    if missing:
        raise SchemaError(
            f"Grids {missing} no longer exist; reload the layer.",
            f"网格 {missing} 已不存在,请重新加载图层。",
        )
    chosen = grids.loc[list(dict.fromkeys(fids))].sort_values("code")
    communities = set(chosen["community_code"])
    if len(communities) > 1:
        raise GeometryError(
            "Grids of different communities cannot be merged.",
            "不同社区的网格不能合并。",
        )
    union = shapely.union_all(
        shapely.buffer(np.asarray(chosen.geometry.values, dtype=object), 0)
    )
    merged = _single_polygon(union, Text("合并后的网格", "the merged grid"))
    keep_fid = int(chosen.index[0])
    gone = chosen.iloc[1:]
    changes = [
        _geometry_change(grids, [keep_fid], [merged]),
        Change("grids", gone, None),
    ]
    community = str(next(iter(communities)))
    # Pairs with a merged-away grid are undone and suggested again (the kept grid's
    # own pair stays).
    pairs, _ = _pair_changes(
        store, grids, community, {keep_fid: merged}, set(gone.index), None
    )
    changes += pairs
    merged_row = chosen.iloc[:1][["code", "community_code"]].assign(geometry=[merged])
    moves = staff_moves_for(store, gone, merged_row)
    changes += _post_changes(store, moves)
    return ChangeSet(
        tuple(changes),
        _with_moves(
            Text(
                f"合并网格 {', '.join(chosen['code'])}",
                f"merge grids {', '.join(chosen['code'])}",
            ),
            moves,
        ),
        frozenset({community}),
        tool="merge",
    )


def _neighbours(grids: gpd.GeoDataFrame, fid: int) -> gpd.GeoDataFrame:
    grid = grids.loc[fid]
    same = grids[
        (grids["community_code"] == grid["community_code"]) & (grids.index != fid)
    ]
    near = shapely.intersects(
        np.asarray(same.geometry.values, dtype=object), grid.geometry.buffer(0.05)
    )
    return same[near]


def reshape_grid(store: Store, fid: int, line: LineString) -> ChangeSet:
    """Move part of a grid's boundary to ``line``; its neighbours give or take the area.

    The line leaves the grid's boundary and comes back to it. Area enclosed outside the
    grid is added to it (and taken from the neighbours that held it); area cut off inside
    is handed to the neighbour that shares the longest border with it, or to the
    neighbour across the line.
    """
    grids = _grid(store, fid)
    grid = grids.loc[fid]
    community = str(grid["community_code"])
    communities = store.read("communities", where={"code": community})
    area = communities.geometry.iloc[0] if len(communities) else None
    polygon = grid.geometry
    extended = _extend(line)
    faces = shapely.get_parts(
        shapely.polygonize([shapely.union_all([polygon.exterior, extended])])
    )
    inside = [f for f in faces if polygon.buffer(0.01).contains(f)]
    outside = [f for f in faces if not polygon.buffer(0.01).contains(f)]
    # The line closes faces outside the grid (to gain); inside it splits the grid.
    gain = shapely.union_all(outside) if outside else shapely.Polygon()
    if area is not None:
        gain = gain.intersection(area)
    if len(inside) > 1:
        inside.sort(key=lambda f: -f.area)
        loss = shapely.union_all(inside[1:])
    else:
        loss = shapely.Polygon()
    if gain.area < MIN_AREA and loss.area < MIN_AREA:
        raise GeometryError(
            "The line does not change the grid; start and end it on the grid's boundary.",
            "该线没有改变网格;请从网格边界出发并回到边界。",
        )
    new_grid = _single_polygon(
        shapely.union_all([polygon, gain]).difference(loss), Text("网格", "the grid")
    )
    neighbours = _neighbours(grids, fid)
    updated: dict[int, BaseGeometry] = {}
    for nfid, row in neighbours.iterrows():
        geom = row.geometry
        if gain.area >= MIN_AREA and geom.intersects(gain):
            geom = geom.difference(gain)
        updated[int(nfid)] = geom
    for piece in shapely.get_parts(loss):
        if piece.area < MIN_AREA:
            continue
        best, best_len = None, 0.0
        for nfid, geom in updated.items():
            shared = geom.boundary.intersection(piece.boundary).length
            if shared > best_len:
                best, best_len = nfid, shared
        if best is not None:
            updated[best] = shapely.union_all([updated[best], piece])
    changed = {
        nfid: _single_polygon(geom, Text(f"相邻网格 {_text(grids, nfid, 'code')}",
                                         f"neighbour {_text(grids, nfid, 'code')}"))
        for nfid, geom in updated.items()
        if not geom.equals(_geom(grids, nfid))
    }  # fmt: skip
    _check_buildings(
        store,
        _new_boundaries(
            [polygon, *(_geom(grids, n) for n in changed)],
            [new_grid, *changed.values()],
        ),
    )
    fids = [fid, *changed]
    return ChangeSet(
        (_geometry_change(grids, fids, [new_grid, *changed.values()]),),
        Text(f"修整网格 {grid['code']} 边界", f"reshape grid {grid['code']}"),
        frozenset({community}),
        tool="reshape",
    )


def draw_grid(
    store: Store,
    community: str,
    polygon: Polygon,
    *,
    kind: str = GridKind.RESIDENTIAL.value,
    name: str | None = None,
) -> ChangeSet:
    """Add a grid where ``polygon`` covers the community and no other grid does."""
    communities = store.read("communities", where={"code": community})
    if communities.empty:
        raise SchemaError(
            f"There is no community {community}.", f"不存在社区 {community}。"
        )
    grids = store.read("grids", where={"community_code": community})
    free = polygon.intersection(communities.geometry.iloc[0])
    if len(grids):
        free = free.difference(shapely.union_all(np.asarray(grids.geometry.values)))
    geom = _single_polygon(free, Text("新网格", "the new grid"))
    _check_buildings(store, geom.boundary)
    added = _new_grid_rows(
        store,
        community,
        [geom],
        [str(c) for c in grids["code"]],
        kind=kind,
        names=[name] if name else None,
    )
    return ChangeSet(
        (Change("grids", None, added, fresh=True),),
        Text(f"新建网格 {added['code'].iloc[0]}", f"draw grid {added['code'].iloc[0]}"),
        frozenset({community}),
        tool="draw",
    )


def move_building(store: Store, building_fid: int, target_code: str) -> ChangeSet:
    """Give a building (and a corridor to it) to a neighbouring grid.

    The boundary between the building's grid and ``target_code`` bends around the
    building; other buildings must not be in the way.
    """
    buildings = store.read("buildings")
    if building_fid not in buildings.index:
        raise SchemaError(
            f"Building {building_fid} no longer exists; reload the layer.",
            f"建筑 {building_fid} 已不存在,请重新加载图层。",
        )
    building = buildings.loc[building_fid]
    footprint = building.geometry
    grids = store.read("grids")
    holders = grids[
        shapely.contains(
            np.asarray(grids.geometry.values, dtype=object),
            footprint.representative_point(),
        )
    ]
    targets = grids[grids["code"] == target_code]
    if holders.empty or targets.empty:
        raise SchemaError(
            f"Building {building['id']} or grid {target_code} is not in a grid layer.",
            f"建筑 {building['id']} 不在任何网格内,或网格 {target_code} 不存在。",
        )
    source_fid, target_fid = int(holders.index[0]), int(targets.index[0])
    if source_fid == target_fid:
        raise GeometryError(
            f"Building {building['id']} is already in grid {target_code}.",
            f"建筑 {building['id']} 已经属于网格 {target_code}。",
        )
    source, target = _geom(grids, source_fid), _geom(grids, target_fid)
    if source.boundary.intersection(target.buffer(0.05)).length < 1.0:
        raise GeometryError(
            f"Grid {target_code} does not border the building's grid; buildings can only "
            "move to a neighbouring grid.",
            f"网格 {target_code} 与该建筑所在网格不相邻;建筑只能移到相邻网格。",
        )
    link = shapely.shortest_line(footprint, target.boundary)
    corridor = shapely.union_all(
        [footprint.buffer(BUILDING_MARGIN, join_style="mitre"),
         link.buffer(BUILDING_MARGIN, cap_style="flat")]
    ).intersection(source)  # fmt: skip
    others = buildings.drop(index=building_fid)
    in_way = others[shapely.intersects(
        np.asarray(others.geometry.values, dtype=object), corridor
    )]  # fmt: skip
    if len(in_way):
        ids = ", ".join(in_way["id"].astype(str).tolist()[:5])
        raise GeometryError(
            f"Building(s) {ids} stand between building {building['id']} and grid "
            f"{target_code}; move them too, or reshape the boundary instead.",
            f"建筑 {ids} 位于建筑 {building['id']} 与网格 {target_code} 之间;"
            "请一并移动,或改用修整边界。",
        )
    new_target = _single_polygon(
        shapely.union_all([target, corridor]),
        Text(f"网格 {target_code}", f"grid {target_code}"),
    )
    new_source = _single_polygon(
        source.difference(corridor),
        Text(
            f"网格 {_text(grids, source_fid, 'code')}",
            f"grid {_text(grids, source_fid, 'code')}",
        ),
    )
    communities = {
        str(_text(grids, source_fid, "community_code")),
        str(targets["community_code"].iloc[0]),
    }
    return ChangeSet(
        (_geometry_change(grids, [source_fid, target_fid], [new_source, new_target]),),
        Text(
            f"将建筑 {building['id']} 移到网格 {target_code}",
            f"move building {building['id']} to grid {target_code}",
        ),
        frozenset(communities),
        tool="move building",
    )


def update_attributes(
    store: Store, layer: str, fid: int, values: dict[str, Any]
) -> ChangeSet:
    """Change attributes of one row (a grid's name or kind, a building's households)."""
    frame = store.read(layer)
    if fid not in frame.index:
        raise SchemaError(
            f"Row {fid} of '{layer}' no longer exists; reload the layer.",
            f"“{layer}”中的第 {fid} 行已不存在,请重新加载图层。",
        )
    names = list(values)
    before = pd.DataFrame(frame.loc[[fid], names])
    after = pd.DataFrame({k: [v] for k, v in values.items()}, index=before.index)
    communities: set[str] = set()
    if layer == "grids":
        communities.add(str(_text(frame, fid, "community_code")))
    elif layer in ("buildings", "facilities") and "geometry" in frame:
        found = store.read(
            "communities",
            bbox=tuple(_geom(frame, fid).bounds),
            columns=["code"],
        )
        communities.update(str(c) for c in found["code"])
    return ChangeSet(
        (Change(layer, before, after),),
        Text(f"修改{layer}属性", f"edit {layer} attributes"),
        frozenset(communities),
        tool="attributes",
    )


# ---------------------------------------------------------------------------------
# Staff and AB posts
# ---------------------------------------------------------------------------------


def _grid_by_code(store: Store, code: str) -> gpd.GeoDataFrame:
    grids = store.read("grids", where={"code": code})
    if grids.empty:
        raise SchemaError(
            f"There is no grid {code}; reload the layer.",
            f"不存在网格 {code},请重新加载图层。",
        )
    return grids


def assign_staff(
    store: Store, grid_code: str, staff_id: str, role: str, *, is_backup: bool = False
) -> ChangeSet:
    """Give ``staff_id`` the post ``role`` in grid ``grid_code``.

    Raises
    ------
    SchemaError
        If the grid or the person does not exist, the role is not in the project's
        catalogue, or the person already holds that post in that grid.
    """
    grid = _grid_by_code(store, grid_code)
    staff = store.read("staff", where={"id": staff_id}, columns=["id", "name"])
    if staff.empty:
        raise SchemaError(
            f"There is no staff member {staff_id}; add the person to the roster first.",
            f"人员名册中没有编号为 {staff_id} 的人员,请先添加。",
        )
    catalogue = store.settings.role(role)
    if catalogue is None:
        known = ", ".join(r.id for r in store.settings.roles)
        raise SchemaError(
            f"Role '{role}' is not in the project's role catalogue ({known}).",
            f"岗位“{role}”不在项目的岗位目录中({known})。",
        )
    held = store.read(
        "assignments",
        where={"grid_code": grid_code, "staff_id": staff_id, "role": role},
    )
    name = str(staff["name"].iloc[0])
    if len(held):
        raise SchemaError(
            f"{name} already holds the post {catalogue.en} in grid {grid_code}.",
            f"{name} 已在网格 {grid_code} 担任{catalogue.zh}。",
        )
    row = pd.DataFrame(
        {
            "staff_id": [staff_id],
            "grid_code": [grid_code],
            "role": [role],
            "is_backup": [bool(is_backup)],
        }
    )
    return ChangeSet(
        (Change("assignments", None, row, fresh=True),),
        Text(
            f"指派 {name} 为网格 {grid_code} {catalogue.zh}",
            f"assign {name} as {catalogue.en} of grid {grid_code}",
        ),
        frozenset({str(grid["community_code"].iloc[0])}),
        tool="assign staff",
    )


def unassign_staff(store: Store, assignment_fid: int) -> ChangeSet:
    """Remove one post (a row of ``assignments``) from its grid."""
    rows = store.read("assignments")
    if assignment_fid not in rows.index:
        raise SchemaError(
            f"Assignment {assignment_fid} no longer exists; reload the grid.",
            f"岗位分配 {assignment_fid} 已不存在,请重新加载网格。",
        )
    before = rows.loc[[assignment_fid]]
    code = str(before["grid_code"].iloc[0])
    grids = store.read("grids", where={"code": code}, columns=["community_code"])
    communities = frozenset(str(c) for c in grids["community_code"])
    return ChangeSet(
        (Change("assignments", before, None),),
        Text(
            f"撤下网格 {code} 的人员 {before['staff_id'].iloc[0]}",
            f"remove {before['staff_id'].iloc[0]} from grid {code}",
        ),
        communities,
        tool="unassign staff",
    )


def set_ab_partner(store: Store, fid: int, partner: str | None) -> ChangeSet:
    """Pair grid ``fid`` with the adjacent grid ``partner`` (AB posts), both ways.

    Former partners of either grid are unpaired. ``partner=None`` unpairs the grid.

    Raises
    ------
    GeometryError
        If the partner does not share a border with the grid.
    """
    grids = _grid(store, fid)
    code = _text(grids, fid, "code")
    values: dict[int, str | None] = {}
    old = grids.loc[fid, "ab_partner"]
    if isinstance(old, str) and old:
        for other in grids.index[grids["code"] == old]:
            if grids.loc[other, "ab_partner"] == code:
                values[int(other)] = None
    if partner:
        found = grids.index[grids["code"] == partner]
        if len(found) == 0:
            raise SchemaError(f"There is no grid {partner}.", f"不存在网格 {partner}。")
        pfid = int(found[0])
        if pfid == fid:
            raise GeometryError(
                "A grid cannot be its own AB partner.", "网格不能与自身结成 AB 岗。"
            )
        shared = _geom(grids, fid).boundary.intersection(
            _geom(grids, pfid).buffer(0.05)
        )
        if shared.length < 1.0:
            raise GeometryError(
                f"Grids {code} and {partner} do not share a border; AB partners must be "
                "neighbours.",
                f"网格 {code} 与 {partner} 不相邻;AB 岗网格必须相邻。",
            )
        their_old = grids.loc[pfid, "ab_partner"]
        if isinstance(their_old, str) and their_old and their_old != code:
            for other in grids.index[grids["code"] == their_old]:
                if grids.loc[other, "ab_partner"] == partner:
                    values[int(other)] = None
        values[pfid] = code
    values[fid] = partner or None
    fids = sorted(values)
    before = pd.DataFrame(grids.loc[fids, ["ab_partner"]])
    after = pd.DataFrame({"ab_partner": [values[f] for f in fids]}, index=before.index)
    changed = [f for f in fids if not _same(before.loc[f, "ab_partner"], values[f])]
    communities = frozenset(str(c) for c in grids.loc[fids, "community_code"])
    description = (
        Text(f"网格 {code} 与 {partner} 结成 AB 岗", f"pair grid {code} with {partner}")
        if partner
        else Text(f"解除网格 {code} 的 AB 岗", f"unpair grid {code}")
    )
    return ChangeSet(
        (Change("grids", before.loc[changed], after.loc[changed]),) if changed else (),
        description,
        communities,
        tool="AB partner",
    )


def _same(a: object, b: object) -> bool:
    empty_a = a is None or (not isinstance(a, str) and pd.isna(a))  # type: ignore[call-overload]
    empty_b = b is None or (not isinstance(b, str) and pd.isna(b))  # type: ignore[call-overload]
    return (empty_a and empty_b) or a == b


# ---------------------------------------------------------------------------------
# Automatic division
# ---------------------------------------------------------------------------------


def division_changes(store: Store, division: Division) -> ChangeSet:
    """An accepted automatic division as one reversible edit.

    The community's grids that the division replaces are removed, the new grids are
    added, and the grids as they were are kept in ``grid_history`` under the next
    revision number — the same rows :func:`gridgis.core.divide.apply_division` writes,
    but as a change set, so the application can undo and redo it exactly. (The
    division log in the settings is the command line's record and is not written.)

    Raises
    ------
    StaleDivisionError
        The community's grids changed after the division was computed.
    """
    current = current_grids(store, division)
    gone = current[~current["code"].isin(set(division.options.locked))]
    moves = division_staff_moves(store, division)
    added = with_ab_pairs(with_clean_polygons(division.new_grids), moves)
    added = added.reset_index(drop=True)
    changes = []
    if len(current):
        snapshot = history_rows(current, next_revision(store), now())
        changes.append(Change("grid_history", None, snapshot, fresh=True))
    if len(gone):
        changes.append(Change("grids", gone, None))
    changes.append(Change("grids", None, added, fresh=True))
    changes += _post_changes(store, moves)
    name = division.community_name
    return ChangeSet(
        tuple(changes),
        Text(
            f"自动划分{name}为 {len(added)} 个网格",
            f"divide {name} into {len(added)} grids",
        ),
        frozenset({division.community_code}),
        division.revisions,
        tool="divide",
    )
