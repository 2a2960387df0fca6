"""Staff move with the grids: posts of replaced grids go where their households went.

When a division, a split or a merge replaces grids, every post (a row of
``assignments``) of a replaced grid moves to the new grid that took most of that grid's
households — counted by the buildings of the old grid that now lie in each new grid, or
by the area they share when the old grid had no households. A post whose grid shares
nothing with the new grids cannot be placed and is listed; a post that would repeat one
the person already holds there (same grid and role) is folded into it. AB pairs of the
new grids are suggested again with :func:`gridgis.core.staffing.suggest_ab_pairs`.

:func:`plan_staff_moves` is pure (frames in, plan out); :func:`staff_moves_for` reads
what it needs from a store.

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import box
>>> old = gpd.GeoDataFrame({"code": ["g1"]}, geometry=[box(0, 0, 200, 100)])
>>> new = gpd.GeoDataFrame({"code": ["n1", "n2"], "community_code": "c"},
...                        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)])
>>> homes = gpd.GeoDataFrame({"households": [10, 90]},
...                          geometry=[box(10, 10, 20, 20), box(150, 10, 160, 20)])
>>> posts = pd.DataFrame({"staff_id": ["s1"], "grid_code": ["g1"],
...                       "role": ["full_time"], "is_backup": [False]})
>>> plan = plan_staff_moves(old, new, homes, posts)
>>> [(m.staff_id, m.from_grid, m.to_grid) for m in plan.moves]
[('s1', 'g1', 'n2')]
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from gridgis.core.i18n import Text, current_language
from gridgis.core.staffing import suggest_ab_pairs
from gridgis.core.store import Store

if TYPE_CHECKING:
    from gridgis.core.divide.engine import Division


@dataclass(frozen=True)
class PostMove:
    """One post of a replaced grid and where it goes."""

    fid: int
    """The post's row in ``assignments``."""
    staff_id: str
    role: str
    is_backup: bool
    from_grid: str
    to_grid: str | None
    """The new grid; ``None`` when the post cannot be placed."""
    share: float
    """Share of the old grid's households (or area) that the new grid took."""
    folded: bool = False
    """The person already holds this post in the new grid: the row is removed."""
    reinsert: bool = False
    """Undoing a fold: the removed row is added again (``fid`` is the old row's)."""

    def as_dict(self) -> dict[str, Any]:
        """The move as plain values (for the division log and JSON)."""
        return {
            "fid": self.fid,
            "staff_id": self.staff_id,
            "role": self.role,
            "is_backup": self.is_backup,
            "from": self.from_grid,
            "to": self.to_grid,
            "share": round(self.share, 3),
            "folded": self.folded,
            "reinsert": self.reinsert,
        }

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> PostMove:
        """The move written by :meth:`as_dict`."""
        return cls(
            int(values["fid"]),
            str(values["staff_id"]),
            str(values["role"]),
            bool(values["is_backup"]),
            str(values["from"]),
            None if values.get("to") is None else str(values["to"]),
            float(values.get("share", 0.0)),
            bool(values.get("folded", False)),
            bool(values.get("reinsert", False)),
        )


@dataclass
class StaffMoves:
    """Where the posts of replaced grids go, and the AB pairs suggested anew."""

    moves: list[PostMove] = field(default_factory=list)
    """Posts placed on a new grid (folded ones included)."""
    unplaced: list[PostMove] = field(default_factory=list)
    """Posts whose grid shares nothing with the new grids: they stay as they are."""
    ab_pairs: dict[str, str] = field(default_factory=dict)
    """Suggested AB partners of the new grids (code → partner, both ways)."""

    def lines(self) -> list[Text]:
        """What moved, one line per post, for the report."""
        out = []
        for m in self.moves:
            how = "(已有同岗,合并)" if m.folded else ""
            how_en = " (already held there, merged)" if m.folded else ""
            out.append(
                Text(
                    f"{m.staff_id} {m.role}:{m.from_grid} → {m.to_grid}"
                    f"(住户 {m.share:.0%}){how}",
                    f"{m.staff_id} {m.role}: {m.from_grid} → {m.to_grid} "
                    f"({m.share:.0%} of households){how_en}",
                )
            )
        for m in self.unplaced:
            out.append(
                Text(
                    f"{m.staff_id} {m.role}:网格 {m.from_grid} 无法对应新网格,"
                    "请在网格检查器中重新指派。",
                    f"{m.staff_id} {m.role}: grid {m.from_grid} has no successor; "
                    "assign the person again in the grid inspector.",
                )
            )
        return out

    def to_text(self, language: str | None = None) -> str:
        """The staff part of a division report (default: the current language)."""
        zh = (language or current_language()) == "zh"
        head = (
            f"人员随网格调整:{len(self.moves)} 个岗位已移动,"
            f"{len(self.unplaced)} 个无法安置"
            if zh
            else f"Staff moved with the grids: {len(self.moves)} post(s) moved, "
            f"{len(self.unplaced)} could not be placed"
        )
        body = [f"  {t.zh if zh else t.en}" for t in self.lines()]
        pairs = sorted({(min(a, b), max(a, b)) for a, b in self.ab_pairs.items()})
        if pairs:
            listed = ", ".join(f"{a}–{b}" for a, b in pairs)
            body.append(
                f"  建议 AB 岗结对:{listed}"
                if zh
                else f"  AB pairs suggested: {listed}"
            )
        return "\n".join([head, *body])

    def to_html(self, language: str | None = None) -> str:
        """The staff part of a division report as an HTML fragment."""
        head, *rest = self.to_text(language).splitlines()
        items = "".join(f"<li>{html.escape(line.strip())}</li>" for line in rest)
        return f"<h4>{html.escape(head)}</h4>" + (f"<ul>{items}</ul>" if items else "")

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the division log and JSON output."""
        return {
            "moved": [m.as_dict() for m in self.moves],
            "unplaced": [m.as_dict() for m in self.unplaced],
            "ab_pairs": dict(self.ab_pairs),
        }


def _successors(
    old: pd.DataFrame, new: pd.DataFrame, buildings: pd.DataFrame
) -> dict[str, tuple[str, float]]:
    """Old grid code → (new grid that took most of its households, share)."""
    old_geoms = np.asarray(old.geometry.values, dtype=object)
    new_geoms = np.asarray(new.geometry.values, dtype=object)
    old_codes = old["code"].astype(str).to_numpy()
    new_codes = new["code"].astype(str).to_numpy()
    weight = np.zeros((len(old), len(new)))
    if len(buildings):
        points = shapely.point_on_surface(
            np.asarray(buildings.geometry.values, dtype=object)
        )
        households = (
            pd.to_numeric(buildings["households"], errors="coerce")
            .fillna(0)
            .to_numpy(dtype=float)
        )
        o_tree, n_tree = shapely.STRtree(old_geoms), shapely.STRtree(new_geoms)
        o_pt, o_pos = o_tree.query(points, predicate="intersects")
        n_pt, n_pos = n_tree.query(points, predicate="intersects")
        in_old = np.full(len(points), -1)
        in_old[o_pt] = o_pos
        in_new = np.full(len(points), -1)
        in_new[n_pt] = n_pos
        both = (in_old >= 0) & (in_new >= 0)
        np.add.at(weight, (in_old[both], in_new[both]), households[both])
    out: dict[str, tuple[str, float]] = {}
    for k, code in enumerate(old_codes):
        row = weight[k]
        if row.sum() <= 0:
            # No households counted: the new grid with most of the old grid's area.
            row = shapely.area(shapely.intersection(old_geoms[k], new_geoms))
        if row.sum() <= 0:
            continue
        best = int(np.argmax(row))
        out[str(code)] = (str(new_codes[best]), float(row[best] / row.sum()))
    return out


def plan_staff_moves(
    old_grids: pd.DataFrame,
    new_grids: pd.DataFrame,
    buildings: pd.DataFrame,
    assignments: pd.DataFrame,
    *,
    tolerance: float = 0.5,
    keep_pairs: Mapping[str, str] | None = None,
) -> StaffMoves:
    """Where the posts of replaced grids go.

    Parameters
    ----------
    old_grids
        The grids replaced (``code``, geometry).
    new_grids
        The grids that replace them (``code``, ``community_code``, geometry). A grid
        that keeps its code (the largest piece of a split) is a new grid too.
    buildings
        Buildings with ``households`` and footprints (those of the area suffice).
    assignments
        Posts (``staff_id``, ``grid_code``, ``role``, ``is_backup``; index = fid);
        those of other grids are left alone.
    tolerance
        What makes grids neighbours for the AB pairs (m).
    keep_pairs
        AB pairs among the new grids to keep when still valid.
    """
    successors = _successors(old_grids, new_grids, buildings)
    old_codes = set(old_grids["code"].astype(str))
    posts = assignments[assignments["grid_code"].astype(str).isin(old_codes)]
    staying = assignments[~assignments["grid_code"].astype(str).isin(old_codes)]
    held = {
        (str(s), str(g), str(r))
        for s, g, r in zip(
            staying["staff_id"], staying["grid_code"], staying["role"], strict=True
        )
    }
    plan = StaffMoves()
    for fid, row in posts.sort_index().iterrows():
        source = str(row["grid_code"])
        target = successors.get(source)
        backup = bool(row["is_backup"]) if pd.notna(row["is_backup"]) else False
        if target is None:
            plan.unplaced.append(
                PostMove(int(fid), str(row["staff_id"]), str(row["role"]), backup,
                         source, None, 0.0)
            )  # fmt: skip
            continue
        key = (str(row["staff_id"]), target[0], str(row["role"]))
        folded = key in held
        held.add(key)
        plan.moves.append(
            PostMove(int(fid), key[0], key[2], backup, source, target[0], target[1],
                     folded)
        )  # fmt: skip
    if len(new_grids) > 1 and "community_code" in new_grids:
        plan.ab_pairs = suggest_ab_pairs(
            new_grids, keep=keep_pairs, tolerance=tolerance
        )
    return plan


def staff_moves_for(
    store: Store, old_grids: pd.DataFrame, new_grids: pd.DataFrame
) -> StaffMoves:
    """:func:`plan_staff_moves` with buildings and posts read from ``store``."""
    if old_grids.empty or new_grids.empty:
        return StaffMoves()
    codes = sorted(
        set(old_grids["code"].astype(str)) | set(new_grids["code"].astype(str))
    )
    assignments = store.read("assignments", where={"grid_code": codes})
    x0, y0, x1, y1 = (
        float(b)
        for b in shapely.total_bounds(
            np.asarray(old_grids.geometry.values, dtype=object)
        )
    )
    buildings = store.read("buildings", bbox=(x0, y0, x1, y1), columns=["households"])
    keep = {
        str(c): str(p)
        for c, p in zip(
            new_grids["code"], new_grids.get("ab_partner", []), strict=False
        )
        if isinstance(p, str) and p
    }
    return plan_staff_moves(
        old_grids,
        new_grids,
        buildings,
        assignments,
        tolerance=store.settings.topology_tolerance,
        keep_pairs=keep,
    )


def division_staff_moves(store: Store, division: Division) -> StaffMoves:
    """Where the posts of the grids ``division`` replaces go (locked grids stay)."""
    current = store.read("grids", where={"community_code": division.community_code})
    replaced = current[~current["code"].isin(set(division.options.locked))]
    return staff_moves_for(store, replaced, division.new_grids)


def assignment_changes(
    moves: StaffMoves, assignments: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Rows as they were and as they become, and rows to delete (folded posts).

    ``assignments`` holds the posts as they are now (index = fid). Posts that are no
    longer where the plan found them are left alone.
    """
    codes: dict[int, str] = {
        int(f): str(c)
        for f, c in zip(
            assignments.index.tolist(), assignments["grid_code"].tolist(), strict=True
        )
    }
    here = [
        m for m in moves.moves if not m.reinsert and codes.get(m.fid) == m.from_grid
    ]
    moved = [m for m in here if not m.folded and m.to_grid != m.from_grid]
    before = pd.DataFrame(assignments.loc[[m.fid for m in moved], ["grid_code"]])
    after = pd.DataFrame({"grid_code": [m.to_grid for m in moved]}, index=before.index)
    return before, after, assignments.loc[[m.fid for m in here if m.folded]]


def reinserted_rows(moves: StaffMoves) -> pd.DataFrame:
    """Posts to add again (undoing folds), with their old fids as index."""
    rows = [m for m in moves.moves if m.reinsert]
    return pd.DataFrame(
        {
            "staff_id": [m.staff_id for m in rows],
            "grid_code": [m.to_grid for m in rows],
            "role": [m.role for m in rows],
            "is_backup": [m.is_backup for m in rows],
        },
        index=pd.Index([m.fid for m in rows], name="fid"),
    )


def write_staff_moves(
    tx: Any, moves: StaffMoves, assignments: pd.DataFrame
) -> dict[str, Any]:
    """Write ``moves`` in the transaction ``tx``; return them as the log records them.

    Re-added posts get fresh fids, which the record gives (so that going back again
    finds them).
    """
    _, after, folded = assignment_changes(moves, assignments)
    if len(after):
        tx.update("assignments", after)
    if len(folded):
        tx.delete("assignments", folded.index.to_numpy())
    again = reinserted_rows(moves)
    fresh: dict[int, int] = {}
    if len(again):
        fids = tx.insert("assignments", again.reset_index(drop=True))
        fresh = {int(o): int(n) for o, n in zip(again.index, fids, strict=True)}
    record = moves.as_dict()
    for values in record["moved"]:
        if values["reinsert"]:
            values["fid"] = fresh.get(int(values["fid"]), values["fid"])
    return record


def reverse_staff_moves(record: Mapping[str, Any]) -> StaffMoves:
    """The moves that undo those of a log record (:func:`write_staff_moves`)."""
    back = []
    for values in record.get("moved", []):
        m = PostMove.from_dict(values)
        back.append(
            replace(
                m,
                from_grid=m.to_grid or m.from_grid,
                to_grid=m.from_grid,
                folded=m.reinsert,
                reinsert=m.folded,
            )
        )
    return StaffMoves(moves=back)


def with_ab_pairs(new_grids: pd.DataFrame, moves: StaffMoves) -> pd.DataFrame:
    """``new_grids`` with the suggested AB partners in ``ab_partner``."""
    if not moves.ab_pairs:
        return new_grids
    out = new_grids.copy()
    out["ab_partner"] = [moves.ab_pairs.get(str(c)) for c in out["code"]]
    return out


__all__ = [
    "PostMove",
    "StaffMoves",
    "assignment_changes",
    "division_staff_moves",
    "plan_staff_moves",
    "reinserted_rows",
    "reverse_staff_moves",
    "staff_moves_for",
    "with_ab_pairs",
    "write_staff_moves",
]
