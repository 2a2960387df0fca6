"""Grids outside the band divided again with their neighbours, or explained.

The recursive cuts of :mod:`gridgis.core.divide.regions` meet the band whenever the
gaps between buildings allow the shares they aim at; where they miss it,
:func:`rebalance` divides a grid outside the band again together with one to three
grids around it, and :func:`explain_misses` says, for each grid still outside, what
was tried and what stands in the way.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from gridgis.core.divide.regions import Partition
from gridgis.core.divide.report import QualityReport
from gridgis.core.divide.split import CLEARANCE
from gridgis.core.i18n import Text
from gridgis.core.link import assign_points
from gridgis.core.progress import Feedback, check
from gridgis.core.settings import HouseholdBand

#: Groups of buildings named in the report where a grid misses the band.
GROUPS_SHOWN = 8
#: A grid outside the band is divided again together with up to MAX_TOGETHER - 1
#: grids around it, reached through the MAX_PARTNERS neighbours of each that share
#: most boundary with it.
MAX_PARTNERS, MAX_TOGETHER = 3, 4


#: A grid left outside the band: its pieces; its neighbours in the part (their pieces,
#: and whether the two hold households for two grids in the band); and where it is,
#: the part's households and the grids the part was divided into.
Miss = tuple[list[int], list[tuple[list[int], bool]], tuple[Text, int, int]]


def missed_text(where: Text, total: int, n: int, outside: list[int]) -> Text:
    """Why grids of ``outside`` households are left in a part that could hold ``n``."""
    held = "、".join(str(h) for h in outside)
    held_en = ", ".join(str(h) for h in outside)
    return Text(
        f"{where.zh}共 {total} 户,按户数够分成 {n} 个网格,但在"
        "建筑之间找到的切线(切线只走建筑之间的空隙,大型围合街坊里空隙"
        f"很少)分不出全部在范围内的网格:有网格为 {held} 户。"
        "可放宽户数范围,或手工调整这里的网格。",
        f"The {where.en} holds {total} households, enough for {n} "
        "grids in the band, but the cuts found between its buildings "
        "(a cut only runs through gaps between buildings, and large "
        "perimeter blocks have few) do not all give grids in the band: "
        f"grid(s) of {held_en} households. "
        "Widen the band, or adjust the grids here by hand.",
    )


def explain_misses(
    report: QualityReport,
    misses: list[Miss],
    partition: Partition,
    grids: gpd.GeoDataFrame,
    band: HouseholdBand,
) -> None:
    """Why each grid left outside the band could not be brought into it."""
    if not misses:
        return
    geoms = np.asarray(grids.geometry.values, dtype=object)
    codes = grids["code"].to_numpy(dtype=object)
    held = grids["households"].to_numpy(dtype=np.int64)

    def grid_of(pieces: list[int]) -> int:
        probe = shapely.point_on_surface(partition.pieces[pieces[0]].geom)
        return int(assign_points(np.asarray([probe]), geoms).index[0])

    for pieces, near, (where, total, n) in misses:
        k = grid_of(pieces)
        h = int(held[k])
        zh: list[str] = []
        en: list[str] = []
        for other, possible in near:
            j = grid_of(other)
            both = h + int(held[j])
            if possible:
                zh.append(
                    f"与相邻网格 {codes[j]}({held[j]} 户)合计 {both} 户,够分成两个范围内"
                    "的网格,但两格之间的建筑找不到这样的切线"
                )
                en.append(
                    f"with its neighbour {codes[j]} ({held[j]} households) it holds "
                    f"{both}, enough for two grids in the band, but no cut between "
                    "their buildings gives two"
                )
                # The grid above the band gives buildings; below it, it takes them.
                give = h > band.max
                donor, taker = (k, j) if give else (j, k)
                groups = _groups_towards(
                    partition, pieces if give else other, geoms[donor], geoms[taker]
                )
                if _no_run_fits(groups, int(held[donor]), int(held[taker]), band):
                    shown = groups[:GROUPS_SHOWN]
                    more = len(groups) > len(shown)
                    listed = "、".join(str(g) for g in shown) + ("……" if more else "")
                    listed_en = ", ".join(str(g) for g in shown) + (
                        ", …" if more else ""
                    )
                    zh[-1] += (
                        f"({codes[donor]} 的建筑按间距不足 {CLEARANCE:g} 米、无法切开的"
                        f"建筑群,由近及远依次为 {listed} 户;从离 {codes[taker]} 最近的"
                        f"起移给它任何几群,两格都不能同时在范围内)"
                    )
                    en[-1] += (
                        f" ({codes[donor]}'s buildings stand in groups closer than "
                        f"{CLEARANCE:g} m apart that no cut can pass between; from the "
                        f"one nearest {codes[taker]} on they hold {listed_en} "
                        f"households, and moving any run of them, nearest first, to "
                        f"{codes[taker]} leaves one of the two outside the band)"
                    )
            else:
                zh.append(
                    f"与相邻网格 {codes[j]}({held[j]} 户)合计 {both} 户,"
                    f"{'多于' if both > 2 * band.max else '少于'}两个网格的"
                    f"{'上限' if both > 2 * band.max else '下限'}"
                )
                en.append(
                    f"with its neighbour {codes[j]} ({held[j]} households) it holds "
                    f"{both}, {'more' if both > 2 * band.max else 'fewer'} than two "
                    "grids can"
                )
        if not near:
            zh.append("它在这片地块内不与其他网格相邻")
            en.append("it touches no other grid of this land")
        report.infeasible.append(
            Text(
                f"网格 {codes[k]} 有 {h} 户,不在范围 {band.min}–{band.max} 内。"
                f"它所在的{where.zh}共 {total} 户,按户数够分成 {n} 个网格,"
                f"但建筑之间的切线(只走建筑之间的空隙)分不出:{';'.join(zh)}。"
                "可放宽户数范围,或手工调整这里的网格。",
                f"Grid {codes[k]} holds {h} households, outside the band "
                f"{band.min}–{band.max}. The {where.en} it lies in holds {total} "
                f"households, enough for {n} grids in the band, but the cuts between "
                f"buildings (a cut only runs through gaps between them) miss it: "
                f"{'; '.join(en)}. Widen the band, or adjust the grids here by hand.",
            )
        )


def _groups_towards(
    partition: Partition,
    pieces: list[int],
    grid: BaseGeometry,
    neighbour: BaseGeometry,
) -> list[int]:
    """Households of the groups of a grid's buildings no cut can pass between.

    Buildings less than :data:`~gridgis.core.divide.split.CLEARANCE` apart form a
    group; nearest to the boundary with ``neighbour`` first; groups without
    households left out.
    """
    members = partition.members(pieces)
    if len(members) == 0:
        return []
    people = partition.buildings
    blobs = np.asarray(
        shapely.get_parts(
            shapely.union_all(shapely.buffer(people.footprints[members], CLEARANCE / 2))
        ),
        dtype=object,
    )
    where = assign_points(people.points[members], blobs).index
    totals = np.bincount(
        where[where >= 0],
        weights=people.households[members][where >= 0],
        minlength=len(blobs),
    ).astype(np.int64)
    border = shapely.intersection(grid.boundary, neighbour.boundary)
    order = np.argsort(shapely.distance(blobs, border), kind="stable")
    return [int(totals[b]) for b in order if totals[b] > 0]


def _no_run_fits(
    groups: list[int], mine: int, theirs: int, band: HouseholdBand
) -> bool:
    """Whether moving no run of ``groups`` (nearest first) puts both grids in band."""
    moved = 0
    for g in groups[:-1]:
        moved += g
        if band.min <= mine - moved <= band.max and band.min <= theirs + moved <= (
            band.max
        ):
            return False
    return bool(groups)


def outside(households: int, band: HouseholdBand) -> int:
    """How far ``households`` lie outside the band (0 inside it)."""
    return max(band.min - households, households - band.max, 0)


def join_strays(partition: Partition, groups: list[list[int]]) -> None:
    """Every group in one piece: pieces a cut left apart join a neighbour.

    Each joins the neighbouring group it shares most boundary with.
    """
    for k in range(len(groups)):
        pieces = partition.components(groups[k], same_zone=False)
        if len(pieces) < 2:
            continue
        pieces.sort(key=lambda c: (-partition.households(c), -len(c)))
        groups[k] = pieces[0]
        for stray in pieces[1:]:
            owner = {p: j for j, g in enumerate(groups) for p in g}
            shared = shared_with(partition, stray, owner, k)
            if shared:
                j = max(shared, key=lambda j: shared[j])
                groups[j] = sorted(groups[j] + stray)
            else:
                groups[k] = sorted(groups[k] + stray)


def rebalance(
    partition: Partition,
    groups: list[list[int]],
    band: HouseholdBand,
    feedback: Feedback | None,
) -> list[tuple[int, list[tuple[list[int], bool]]]]:
    """Grids outside the band divided again together with the grids around them.

    ``groups`` (the grids of one part) is changed in place where a division of a
    grid and its neighbours together puts fewer households outside the band. Returns
    the grids still outside: their position and their neighbours (pieces, and
    whether the two together could make grids in the band by their households).
    """
    lo, hi = band.min, band.max
    tried: set[frozenset[int]] = set()
    while True:
        check(feedback)
        owner = {p: k for k, g in enumerate(groups) for p in g}
        held = [partition.households(g) for g in groups]
        bad = [k for k in range(len(groups)) if outside(held[k], band)]
        if not bad:
            return []
        changed = False
        for k in sorted(bad, key=lambda k: -outside(held[k], band)):
            # Sets whose grids would hold near the middle of the band leave the
            # cuts most room: they are tried first.
            middle = (lo + hi) / 2
            combos = sorted(
                _around(partition, groups, owner, k),
                key=lambda c: abs(sum(held[g] for g in c) / len(c) - middle),
            )
            for combo in combos:
                total = sum(held[c] for c in combo)
                key = frozenset(p for c in combo for p in groups[c])
                if not len(combo) * lo <= total <= len(combo) * hi or key in tried:
                    continue
                tried.add(key)
                before = [groups[c] for c in combo]
                new, missing = partition.divide(sorted(key), len(combo), (lo, hi))
                worse = sum(outside(held[c], band) for c in combo)
                now = sum(outside(partition.households(g), band) for g in new)
                if missing == 0 and len(new) == len(combo) and now < worse:
                    for c, g in zip(combo, new, strict=True):
                        groups[c] = g
                    changed = True
                    break
                # Not better: the old grids again, on the pieces the attempt cut.
                for c, g in zip(combo, _regroup(partition, before, new), strict=True):
                    groups[c] = g
            if changed:
                break
        if not changed:
            owner = {p: k for k, g in enumerate(groups) for p in g}
            held = [partition.households(g) for g in groups]
            out = []
            for k in bad:
                near = _neighbour_groups(partition, groups, owner, k)
                out.append(
                    (
                        k,
                        [
                            (groups[j], 2 * lo <= held[k] + held[j] <= 2 * hi)
                            for j in near
                        ],
                    )
                )
            return out


def _around(
    partition: Partition,
    groups: list[list[int]],
    owner: dict[int, int],
    k: int,
) -> list[list[int]]:
    """Connected sets of 2 to :data:`MAX_TOGETHER` groups holding group ``k``.

    Grown one neighbour at a time (the :data:`MAX_PARTNERS` longest-bordering
    neighbours of each member), smallest sets first.
    """
    near: dict[int, list[int]] = {}

    def of(g: int) -> list[int]:
        if g not in near:
            near[g] = _neighbour_groups(partition, groups, owner, g)[:MAX_PARTNERS]
        return near[g]

    level: list[list[int]] = [[k]]
    seen: set[frozenset[int]] = set()
    out: list[list[int]] = []
    for _ in range(MAX_TOGETHER - 1):
        grown: list[list[int]] = []
        for combo in level:
            for g in combo:
                for j in of(g):
                    key = frozenset([*combo, j])
                    if j in combo or key in seen:
                        continue
                    seen.add(key)
                    grown.append([*combo, j])
        out.extend(grown)
        level = grown
    return out


def _neighbour_groups(
    partition: Partition,
    groups: list[list[int]],
    owner: dict[int, int],
    k: int,
) -> list[int]:
    """The groups sharing boundary with group ``k``, longest shared boundary first."""
    shared = shared_with(partition, groups[k], owner, k)
    return sorted(shared, key=lambda j: -shared[j])


def shared_with(
    partition: Partition, pieces: list[int], owner: dict[int, int], k: int
) -> dict[int, float]:
    """Boundary ``pieces`` share with each group but group ``k``.

    ``owner`` gives the group of each piece.
    """
    shared: dict[int, float] = {}
    for p in pieces:
        for q, (length, _) in partition.neighbours(p).items():
            j = owner.get(q)
            if j is not None and j != k:
                shared[j] = shared.get(j, 0.0) + length
    return shared


def _regroup(
    partition: Partition, before: list[list[int]], pieces: list[list[int]]
) -> list[list[int]]:
    """The groups ``before`` on today's pieces.

    Each live piece of ``pieces`` joins the group that held it, or that held the
    piece it was cut from.
    """
    out: list[list[int]] = [[] for _ in before]
    whose = {p: g for g, group in enumerate(before) for p in group}
    for p in (p for group in pieces for p in group):
        g = whose.get(p)
        if g is None:
            probe = shapely.point_on_surface(partition.pieces[p].geom)
            g = next(
                (whose[q] for q in whose if partition.pieces[q].geom.contains(probe)),
                0,
            )
        out[g].append(p)
    return [sorted(g) for g in out]


__all__ = [
    "Miss",
    "explain_misses",
    "join_strays",
    "missed_text",
    "outside",
    "rebalance",
    "shared_with",
]
