"""Staff posts and AB pairs: who serves which grid, and which grids cover for each other.

Posts (``assignments``) name a person, a grid and a role from the project's role
catalogue (``settings.roles``); one person may hold posts in several grids, and a post
flagged ``is_backup`` is an AB backup: the person covers for the partner grid when its
own worker is away (AB岗).

AB pairing joins adjacent grids of a community two by two so that as many grids as
possible have a partner: a maximum matching on the adjacency graph (networkx), weighted
by the length of the common boundary so that grids sharing a long street are preferred.
Pairs already set by hand are kept when they are still valid (mutual and adjacent).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> row = gpd.GeoDataFrame(
...     {"code": ["a", "b", "c", "d"], "community_code": "x"},
...     geometry=[box(100 * k, 0, 100 * (k + 1), 100) for k in range(4)])
>>> sorted(suggest_ab_pairs(row).items())
[('a', 'b'), ('b', 'a'), ('c', 'd'), ('d', 'c')]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from gridgis.core.errors import SchemaError
from gridgis.core.store import Store

#: Metres of common boundary that make two grids neighbours.
MIN_SHARED = 10.0


def shared_boundary(
    a: np.ndarray, b: np.ndarray, tolerance: float, *, enough: float = 10.0
) -> np.ndarray:
    """Length (m) of boundary that each pair of polygons shares, within ``tolerance``.

    Pairs whose exactly common boundary is already ``enough`` metres are not measured
    further (the measure serves to tell neighbours apart).
    """
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    if len(a) == 0:
        return np.zeros(0)
    # Where vertices match, the common boundary is exact (and quick); elsewhere
    # boundaries within the tolerance count.
    edges = shapely.boundary(a)
    shared = shapely.length(shapely.intersection(edges, shapely.boundary(b)))
    loose = shared < enough
    if loose.any():
        near = shapely.buffer(b[loose], max(tolerance, 1e-6))
        shared[loose] = np.maximum(
            shared[loose], shapely.length(shapely.intersection(edges[loose], near))
        )
    return shared


def grid_adjacency(
    grids: pd.DataFrame,
    *,
    tolerance: float = 0.5,
    min_shared: float = MIN_SHARED,
    same_community: bool = True,
) -> pd.DataFrame:
    """Pairs of neighbouring grids and the length of their common boundary.

    Parameters
    ----------
    grids
        Grids with ``code`` (and ``community_code`` for ``same_community``).
    tolerance
        Boundaries closer than this (m) count as common.
    min_shared
        Metres of common boundary below which grids only touch (at a corner).
    same_community
        Only pairs within one community.

    Returns
    -------
    DataFrame
        ``a``, ``b`` (codes, ``a < b``) and ``shared`` (m), longest first.
    """
    geoms = np.asarray(grids.geometry.values, dtype=object)
    codes = grids["code"].astype(object).to_numpy()
    empty = pd.DataFrame({"a": [], "b": [], "shared": []})
    if len(geoms) < 2:
        return empty
    left, right = shapely.STRtree(geoms).query(
        geoms, predicate="dwithin", distance=tolerance
    )
    keep = left < right
    if same_community:
        community = grids["community_code"].astype(object).to_numpy()
        keep &= community[left] == community[right]
    left, right = left[keep], right[keep]
    shared = shared_boundary(geoms[left], geoms[right], tolerance, enough=min_shared)
    near = shared >= min_shared
    a, b = codes[left[near]], codes[right[near]]
    swap = a > b
    a[swap], b[swap] = b[swap], a[swap]
    out = pd.DataFrame({"a": a, "b": b, "shared": shared[near]})
    return out.sort_values(["shared", "a"], ascending=[False, True], ignore_index=True)


def suggest_ab_pairs(
    grids: pd.DataFrame,
    *,
    keep: Mapping[str, str] | None = None,
    tolerance: float = 0.5,
    min_shared: float = MIN_SHARED,
) -> dict[str, str]:
    """AB partners for the grids: a maximum matching of neighbours per community.

    Parameters
    ----------
    grids
        Grids with ``code``, ``community_code`` and geometry.
    keep
        Pairs to keep (code → partner), such as pairs set by hand; only mutual pairs of
        adjacent grids are kept.
    tolerance, min_shared
        What makes grids neighbours (see :func:`grid_adjacency`).

    Returns
    -------
    dict
        Code → partner code, mutual; grids left without a partner are absent.
    """
    adjacency = grid_adjacency(grids, tolerance=tolerance, min_shared=min_shared)
    neighbours = {(a, b) for a, b in zip(adjacency["a"], adjacency["b"], strict=True)}
    pairs: dict[str, str] = {}
    for code, partner in (keep or {}).items():
        if code in pairs or partner in pairs or code == partner:
            continue
        if (keep or {}).get(partner) != code:
            continue
        if (min(code, partner), max(code, partner)) in neighbours:
            pairs[code], pairs[partner] = partner, code
    graph = nx.Graph()
    for a, b, shared in adjacency.itertuples(index=False):
        if a not in pairs and b not in pairs:
            graph.add_edge(a, b, weight=float(shared))
    for a, b in nx.max_weight_matching(graph, maxcardinality=True):
        pairs[a], pairs[b] = b, a
    return pairs


@dataclass
class PairingReport:
    """What :func:`pair_ab_partners` set."""

    #: Code → partner for every paired grid (both directions).
    pairs: dict[str, str]
    #: Pairs kept as they were (codes, ``a < b``).
    kept: list[tuple[str, str]] = field(default_factory=list)
    #: Pairs newly made.
    made: list[tuple[str, str]] = field(default_factory=list)
    #: Grids left without a partner (no free neighbour).
    unpaired: list[str] = field(default_factory=list)


def pair_ab_partners(
    store: Store, *, community: str | None = None, keep_manual: bool = True
) -> PairingReport:
    """Pair the grids of a project (or one community) for AB posts and store it.

    Valid existing pairs are kept with ``keep_manual``; every other grid gets a
    neighbour as partner where one is free. ``ab_partner`` is written in one
    transaction.
    """
    where = {"community_code": community} if community is not None else None
    grids = store.read(
        "grids", columns=["code", "community_code", "ab_partner"], where=where
    )
    if community is not None and grids.empty:
        raise SchemaError(
            f"Community {community} has no grids to pair in {store.location}.",
            f"{store.location} 中社区 {community} 没有可结对的网格。",
        )
    existing = {
        str(c): str(p)
        for c, p in zip(grids["code"], grids["ab_partner"], strict=True)
        if isinstance(p, str) and p
    }
    tolerance = store.settings.topology_tolerance
    pairs = suggest_ab_pairs(
        grids, keep=existing if keep_manual else None, tolerance=tolerance
    )
    new = grids["code"].map(lambda c: pairs.get(c))
    old = grids["ab_partner"].astype(object).where(grids["ab_partner"].notna(), None)
    changed = new.to_numpy(dtype=object) != old.to_numpy(dtype=object)
    with store.transaction(tool="staff") as tx:
        if changed.any():
            tx.update("grids", pd.DataFrame({"ab_partner": new[changed]}))
    unique = sorted({(min(a, b), max(a, b)) for a, b in pairs.items()})
    kept = [p for p in unique if existing.get(p[0]) == p[1] and keep_manual]
    return PairingReport(
        pairs=pairs,
        kept=kept,
        made=[p for p in unique if p not in kept],
        unpaired=sorted(str(c) for c in grids["code"] if c not in pairs),
    )


def check_assignments(store: Store, assignments: pd.DataFrame) -> None:
    """Refuse posts with a role outside the catalogue, an unknown person or grid.

    Raises
    ------
    SchemaError
        Naming the bad rows and what to do.
    """
    roles = {r.id for r in store.settings.roles}
    bad_roles = sorted(set(assignments["role"].dropna()) - roles)
    if bad_roles:
        raise SchemaError(
            f"The role(s) {', '.join(bad_roles)} are not in the project's role "
            f"catalogue ({', '.join(sorted(roles))}); use a catalogue role or add the "
            "role in the settings.",
            f"岗位 {'、'.join(bad_roles)} 不在本项目的岗位目录中"
            f"({'、'.join(r.zh for r in store.settings.roles)});"
            "请使用目录中的岗位,或先在项目设置中增加该岗位。",
        )
    people = set(store.read("staff", columns=["id"])["id"])
    unknown = sorted(set(assignments["staff_id"].dropna()) - people)
    if unknown:
        raise SchemaError(
            f"Staff {', '.join(unknown[:5])} are not in the staff table; add them first.",
            f"人员 {'、'.join(unknown[:5])} 不在人员表中;请先登记。",
        )
    grids = set(store.read("grids", columns=["code"])["code"])
    missing = sorted(set(assignments["grid_code"].dropna()) - grids)
    if missing:
        raise SchemaError(
            f"There are no grids {', '.join(missing[:5])}; assign people to existing "
            "grids.",
            f"网格 {'、'.join(missing[:5])} 不存在;请分配到现有网格。",
        )


def assign_staff(store: Store, assignments: pd.DataFrame) -> int:
    """Add posts (``staff_id``, ``grid_code``, ``role``, ``is_backup``), checked.

    A post that already exists (same person, grid and role) is replaced, so assigning
    twice changes nothing. One person may hold posts in several grids. Returns the
    number of posts written.
    """
    check_assignments(store, assignments)
    frame = assignments.copy()
    if "is_backup" not in frame.columns:
        frame["is_backup"] = False
    frame["is_backup"] = frame["is_backup"].fillna(False).astype(bool)
    current = store.read("assignments")
    keys = ["staff_id", "grid_code", "role"]
    replaced = current.reset_index().merge(frame[keys], on=keys)["fid"]
    with store.transaction(tool="staff") as tx:
        if len(replaced):
            tx.delete("assignments", replaced.to_numpy())
        tx.insert("assignments", frame[[*keys, "is_backup"]])
    return len(frame)


def assign_backups(
    store: Store, *, role: str = "full_time", community: str | None = None
) -> int:
    """Make the AB backup posts: in each pair, ``role`` holders cover the partner grid.

    Existing backup posts of ``role`` in the grids concerned are replaced. Returns the
    number of backup posts written.
    """
    if store.settings.role(role) is None:
        raise SchemaError(
            f"The role {role} is not in the project's role catalogue.",
            f"岗位 {role} 不在本项目的岗位目录中。",
        )
    where = {"community_code": community} if community is not None else None
    grids = store.read("grids", columns=["code", "ab_partner"], where=where)
    partner = {
        str(c): str(p)
        for c, p in zip(grids["code"], grids["ab_partner"], strict=True)
        if isinstance(p, str)
    }
    current = store.read("assignments")
    backup = current["is_backup"].fillna(False).astype(bool)
    holders = current[(~backup) & (current["role"] == role)]
    rows = [
        {"staff_id": s, "grid_code": partner[g], "role": role, "is_backup": True}
        for s, g in zip(holders["staff_id"], holders["grid_code"], strict=True)
        if g in partner
    ]
    stale = current[
        backup & (current["role"] == role) & current["grid_code"].isin(list(partner))
    ]
    frame = pd.DataFrame(rows, columns=["staff_id", "grid_code", "role", "is_backup"])
    with store.transaction(tool="staff") as tx:
        if len(stale):
            tx.delete("assignments", stale.index.to_numpy())
        if len(frame):
            tx.insert("assignments", frame)
    return len(frame)


__all__ = [
    "MIN_SHARED",
    "PairingReport",
    "assign_backups",
    "assign_staff",
    "check_assignments",
    "grid_adjacency",
    "pair_ab_partners",
    "shared_boundary",
    "suggest_ab_pairs",
]
