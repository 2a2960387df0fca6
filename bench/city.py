"""A synthetic city for benchmarks: a normal GridGIS project of any size, made fast.

The city is a lattice of grids whose corners are jittered and whose edges wiggle; every
edge is generated once and shared by the two grids (and communities, streets, roads)
on either side, so the map tiles exactly, as a real division does. Blocks of grids make
communities, blocks of communities make streets. Each grid holds a block of rectangular
buildings, two facilities and three staff (grid leader, full-time and part-time grid
worker); grids are paired for AB posts. Everything is built with NumPy and shapely 2
array functions, so the default city (10,000 grids, 1,000,000 buildings) is generated in
seconds; writing it to a GeoPackage takes most of the time.

A few faults are put in on purpose (``faults=True``), in known places, so that a
benchmark also checks that the validator finds what it should: gaps, overlaps, over-full
and under-full grids, grids without a leader, buildings cut by a grid boundary, and
malformed phone numbers.

Examples
--------
>>> from bench.city import make_city
>>> city = make_city(grids=(4, 4), community=(2, 2), street=(2, 1), per_grid=(3, 2))
>>> {name: len(frame) for name, frame in city.layers.items()}["buildings"]
96
>>> city.expected["topology.gap"] >= 1
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgis.core.demo import names as N
from gridgis.core.settings import Settings

#: Stored CRS of the city (CGCS2000 / 3-degree GK CM 120E).
EPSG = 4549
#: County code of the city.
COUNTY = "320506"
#: South-west corner of the city in the stored CRS.
ORIGIN = (480_000.0, 3_440_000.0)
#: Points inserted along every lattice edge (grid rings get 4 × (K + 1) vertices).
EDGE_POINTS = 8


@dataclass
class City:
    """A generated city: layers, settings, and the number of faults put in per rule."""

    layers: dict[str, pd.DataFrame]
    settings: Settings
    expected: dict[str, int] = field(default_factory=dict)

    @property
    def sizes(self) -> dict[str, int]:
        """Rows per layer."""
        return {name: len(frame) for name, frame in self.layers.items()}


def _lattice(
    rng: np.random.Generator, cols: int, rows: int, cell: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Jittered corners and wiggling edges shared by neighbouring cells.

    Returns ``corners`` (rows+1, cols+1, 2), ``horizontal`` edges (rows+1, cols, K, 2)
    from corner (r, c) to (r, c+1) and ``vertical`` edges (rows, cols+1, K, 2) from
    corner (r, c) to (r+1, c), without their end corners.
    """
    w, h = cell
    cx = ORIGIN[0] + w * np.arange(cols + 1)
    cy = ORIGIN[1] + h * np.arange(rows + 1)
    corners = np.stack(np.meshgrid(cx, cy), axis=-1)
    jitter = rng.uniform(-0.07, 0.07, corners.shape) * np.array([w, h])
    corners = corners + jitter
    t = (np.arange(EDGE_POINTS) + 1) / (EDGE_POINTS + 1)

    def edges(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        along = start[..., None, :] + (stop - start)[..., None, :] * t[:, None]
        d = stop - start
        normal = np.stack([-d[..., 1], d[..., 0]], axis=-1)
        normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
        amp = rng.uniform(-4.0, 4.0, (*start.shape[:-1], 2))
        phase = rng.uniform(0, 2 * np.pi, start.shape[:-1])
        wave = amp[..., 0, None] * np.sin(np.pi * t) + amp[..., 1, None] * np.sin(
            2 * np.pi * t + phase[..., None]
        ) * np.sin(np.pi * t)
        return along + wave[..., None] * normal[..., None, :]

    horizontal = edges(corners[:, :-1], corners[:, 1:])
    vertical = edges(corners[:-1, :], corners[1:, :])
    return corners, horizontal, vertical


def _block_rings(
    lattice: tuple[np.ndarray, np.ndarray, np.ndarray],
    r0: np.ndarray,
    c0: np.ndarray,
    w: int,
    h: int,
) -> np.ndarray:
    """Polygons over blocks of ``w`` × ``h`` lattice cells with south-west cells (r0, c0).

    The rings follow the shared lattice edges, so blocks of any size tile exactly.
    """
    corners, horizontal, vertical = lattice
    n = len(r0)
    k = EDGE_POINTS
    r0 = r0[:, None]
    c0 = c0[:, None]
    r1, c1 = r0 + h, c0 + w
    cols = c0 + np.arange(w)[None, :]
    rows = r0 + np.arange(h)[None, :]
    cols_back = c0 + np.arange(w)[::-1][None, :]
    rows_back = r0 + np.arange(h)[::-1][None, :]

    def side(points: np.ndarray, edge: np.ndarray) -> np.ndarray:
        return np.concatenate([points[:, :, None, :], edge], axis=2).reshape(n, -1, 2)

    bottom = side(corners[r0, cols], horizontal[r0, cols])
    right = side(corners[rows, c1], vertical[rows, c1])
    top = side(corners[r1, cols_back + 1], horizontal[r1, cols_back][:, :, ::-1])
    left = side(corners[rows_back + 1, c0], vertical[rows_back, c0][:, :, ::-1])
    close = corners[r0, c0].reshape(n, 1, 2)
    ring = np.concatenate([bottom, right, top, left, close], axis=1)
    assert ring.shape[1] == 2 * (w + h) * (k + 1) + 1
    return shapely.polygons(ring)


def _bilinear(quad: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Points at parameters (u, v) of quads (n, 4, 2): SW, SE, NW, NE corners."""
    sw, se, nw, ne = (quad[:, i, None, :] for i in range(4))
    u, v = u[..., None], v[..., None]
    return (1 - u) * (1 - v) * sw + u * (1 - v) * se + (1 - u) * v * nw + u * v * ne


def _codes(prefix: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    return np.char.add(prefix.astype(str), np.char.zfill(numbers.astype(str), 3))


def _names(n: int, suffix: str) -> np.ndarray:
    """``n`` distinct two-word place names ending in ``suffix``."""
    pool = np.array(N.LOCAL_PREFIXES)
    k = np.arange(n)
    p = len(pool)
    first, second = pool[k % p], pool[(k // p + k % p + 1) % p]
    number = np.where(k < p * p, "", np.char.mod("%d", k // (p * p)))
    return np.char.add(np.char.add(np.char.add(first, second), number), suffix)


def make_city(
    *,
    grids: tuple[int, int] = (100, 100),
    community: tuple[int, int] = (5, 4),
    street: tuple[int, int] = (4, 5),
    per_grid: tuple[int, int] = (10, 10),
    cell: tuple[float, float] = (400.0, 300.0),
    facilities_per_grid: int = 2,
    faults: bool = True,
    seed: int = 20240601,
) -> City:
    """Generate a city of ``grids`` (columns, rows) responsibility grids.

    Parameters
    ----------
    grids
        Grid columns and rows (100 × 100 = 10,000 grids).
    community
        Grids per community (columns, rows); must divide ``grids``.
    street
        Communities per street (columns, rows); must divide the community lattice.
    per_grid
        Buildings per grid (columns, rows): 10 × 10 = 100 buildings, one million in all.
    cell
        Nominal grid size in metres.
    facilities_per_grid
        Facility points in each grid.
    faults
        Put in the known faults (see the module docstring).
    seed
        Random seed; the same seed gives the same city.
    """
    rng = np.random.default_rng(seed)
    gx, gy = grids
    cx, cy = community
    sx, sy = street
    if gx % cx or gy % cy or (gx // cx) % sx or (gy // cy) % sy:
        raise ValueError("communities must tile the grids and streets the communities")
    lattice = _lattice(rng, gx, gy, cell)
    corners = lattice[0]

    # Streets, communities, grids: blocks of lattice cells, coded north to south,
    # west to east.
    def blocks(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
        rows = np.arange(gy // h)[::-1] * h
        cols = np.arange(gx // w) * w
        rr, cc = np.meshgrid(rows, cols, indexing="ij")
        return rr.ravel(), cc.ravel()

    s_r, s_c = blocks(cx * sx, cy * sy)
    street_codes = _codes(np.full(len(s_r), COUNTY), np.arange(1, len(s_r) + 1))
    street_names = np.char.add(_names(len(s_r), ""), "街道")
    streets = gpd.GeoDataFrame(
        {"code": street_codes, "name": street_names},
        geometry=_block_rings(lattice, s_r, s_c, cx * sx, cy * sy),
        crs=EPSG,
    )

    c_r, c_c = blocks(cx, cy)
    street_at = np.empty((gy // (cy * sy), gx // (cx * sx)), dtype=int)
    street_at[s_r // (cy * sy), s_c // (cx * sx)] = np.arange(len(s_r))
    c_street = street_at[c_r // (cy * sy), c_c // (cx * sx)]
    # Number each street's communities in reading order (blocks() gives that order).
    c_order = np.argsort(c_street, kind="stable")
    c_counts = np.bincount(c_street, minlength=len(s_r))
    c_seq = np.empty(len(c_r), dtype=int)
    c_seq[c_order] = (
        np.arange(len(c_r))
        - np.repeat(np.concatenate([[0], np.cumsum(c_counts)[:-1]]), c_counts)
        + 1
    )
    community_codes = _codes(street_codes[c_street], c_seq)
    community_names = np.char.add(_names(len(c_r), ""), "社区")
    communities = gpd.GeoDataFrame(
        {
            "code": community_codes,
            "name": community_names,
            "street_code": street_codes[c_street],
        },
        geometry=_block_rings(lattice, c_r, c_c, cx, cy),
        crs=EPSG,
    )

    g_r, g_c = blocks(1, 1)
    community_at = np.empty((gy // cy, gx // cx), dtype=int)
    community_at[c_r // cy, c_c // cx] = np.arange(len(c_r))
    g_comm = community_at[g_r // cy, g_c // cx]
    grid_at = np.empty((gy, gx), dtype=int)
    grid_at[g_r, g_c] = np.arange(len(g_r))
    order = np.lexsort((g_c, -g_r, g_comm))
    g_seq = np.empty(len(g_r), dtype=int)
    counts = np.bincount(g_comm, minlength=len(c_r))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    g_seq[order] = np.arange(len(order)) - np.repeat(starts, counts) + 1
    grid_codes = _codes(community_codes[g_comm], g_seq)
    grid_geoms = _block_rings(lattice, g_r, g_c, 1, 1)
    n_grids = len(g_r)
    short = np.char.replace(community_names[g_comm], "社区", "")
    grid_names = np.char.add(
        np.char.add(short, "第"), np.char.add(g_seq.astype(str), "网格")
    )
    # AB partners: neighbours in the same community row, columns (0, 1), (2, 3), ...
    local_col = g_c - c_c[g_comm]
    pair_col = np.where(local_col % 2 == 0, local_col + 1, local_col - 1)
    has_pair = pair_col < cx
    partner_pos = np.where(
        has_pair, grid_at[g_r, np.minimum(g_c - local_col + pair_col, gx - 1)], -1
    )
    ab_partner = np.where(has_pair, grid_codes[np.maximum(partner_pos, 0)], None)

    # Buildings: a block of rectangles inside each grid's corner quad.
    bx, by = per_grid
    quad = np.stack(
        [
            corners[g_r, g_c],
            corners[g_r, g_c + 1],
            corners[g_r + 1, g_c],
            corners[g_r + 1, g_c + 1],
        ],
        axis=1,
    )
    margin = 0.12
    u = margin + (1 - 2 * margin) * (np.arange(bx) + 0.5) / bx
    v = margin + (1 - 2 * margin) * (np.arange(by) + 0.5) / by
    uu, vv = np.meshgrid(u, v)
    centres = _bilinear(quad, uu.ravel()[None, :], vv.ravel()[None, :]).reshape(-1, 2)
    per = bx * by
    half_w = 0.3 * cell[0] * (1 - 2 * margin) / bx
    half_h = 0.25 * cell[1] * (1 - 2 * margin) / by
    footprints = shapely.box(
        centres[:, 0] - half_w,
        centres[:, 1] - half_h,
        centres[:, 0] + half_w,
        centres[:, 1] + half_h,
    )
    b_grid = np.repeat(np.arange(n_grids), per)
    n_b = len(footprints)
    households = rng.integers(1, 9, n_b)
    target = rng.uniform(330, 470, n_grids)
    totals = np.bincount(b_grid, weights=households, minlength=n_grids)
    households = np.maximum(1, np.round(households * (target / totals)[b_grid])).astype(
        np.int64
    )

    expected: dict[str, int] = {}
    fault_grids: set[int] = set()

    def pick(k: int, where: np.ndarray | None = None) -> np.ndarray:
        """``k`` grids away from the city's edge and from earlier picks."""
        free = (g_r > 0) & (g_r < gy - 1) & (g_c > 0) & (g_c < gx - 1)
        if where is not None:
            free &= where
        free[list(fault_grids)] = False
        chosen = rng.choice(np.flatnonzero(free), size=k, replace=False)
        for c in chosen:
            near = grid_at[g_r[c] - 1 : g_r[c] + 2, g_c[c] - 1 : g_c[c] + 2]
            fault_grids.update(int(x) for x in near.ravel())
        return np.asarray(chosen, dtype=int)

    scale = max(1, n_grids // 1000)
    if faults:
        # Over- and under-full grids.
        over = pick(5 * scale)
        under = pick(3 * scale)
        for chosen, goal in ((over, (560, 650)), (under, (150, 250))):
            mask = np.isin(b_grid, chosen)
            tot = np.bincount(b_grid[mask], weights=households[mask], minlength=n_grids)
            goal_v = rng.uniform(*goal, n_grids)
            factor = np.divide(goal_v, tot, out=np.ones(n_grids), where=tot > 0)
            households[mask] = np.maximum(
                1, np.round(households[mask] * factor[b_grid[mask]])
            )
        expected["capacity.above_band"] = len(over)
        expected["capacity.below_band"] = len(under)
        # Gaps: a notch cut from a grid along the middle of its south edge.
        gap = pick(2 * scale)
        mid_south = corners[g_r[gap], g_c[gap]] + 0.5 * (
            corners[g_r[gap], g_c[gap] + 1] - corners[g_r[gap], g_c[gap]]
        )
        notch = shapely.box(
            mid_south[:, 0] - 12,
            mid_south[:, 1] - 8,
            mid_south[:, 0] + 12,
            mid_south[:, 1] + 8,
        )
        grid_geoms[gap] = shapely.difference(grid_geoms[gap], notch)
        expected["topology.gap"] = len(gap)
        # Overlaps: a grid reaching a few metres into its northern neighbour.
        # (not on a community's northern edge, where it would also leave the community)
        lap = pick(2 * scale, (g_r + 1) % cy != 0)
        mid_north = corners[g_r[lap] + 1, g_c[lap]] + 0.5 * (
            corners[g_r[lap] + 1, g_c[lap] + 1] - corners[g_r[lap] + 1, g_c[lap]]
        )
        tongue = shapely.box(
            mid_north[:, 0] - 12,
            mid_north[:, 1] - 8,
            mid_north[:, 0] + 12,
            mid_north[:, 1] + 8,
        )
        grid_geoms[lap] = shapely.union(grid_geoms[lap], tongue)
        expected["topology.overlap"] = len(lap)
        # Buildings moved onto the boundary with the grid to the east.
        cut = pick(2 * scale)
        east_mid = corners[g_r[cut], g_c[cut] + 1] + 0.5 * (
            corners[g_r[cut] + 1, g_c[cut] + 1] - corners[g_r[cut], g_c[cut] + 1]
        )
        moved = cut * per + (by // 2) * bx + (bx - 1)
        footprints[moved] = shapely.box(
            east_mid[:, 0] - half_w,
            east_mid[:, 1] - half_h,
            east_mid[:, 0] + half_w,
            east_mid[:, 1] + half_h,
        )
        expected["linkage.building_cut"] = len(cut)
    population = np.round(households * rng.uniform(2.2, 3.0, n_b)).astype(np.int64)

    grids_frame = gpd.GeoDataFrame(
        {
            "code": grid_codes,
            "name": grid_names,
            "community_code": community_codes[g_comm],
            "kind": "residential",
            "ab_partner": ab_partner,
        },
        geometry=grid_geoms,
        crs=EPSG,
    )

    b_number = np.tile(np.char.add((np.arange(per) + 1).astype(str), "幢"), n_grids)
    buildings = gpd.GeoDataFrame(
        {
            "id": np.char.add("B", np.char.zfill(np.arange(1, n_b + 1).astype(str), 7)),
            "number": b_number,
            "address": np.char.add(np.repeat(grid_names, per), b_number),
            "households": households,
            "population": population,
            "floors": rng.integers(3, 19, n_b),
            "use": "residential",
        },
        geometry=footprints,
        crs=EPSG,
    )

    # Facilities: points between the building rows.
    f_grid = np.repeat(np.arange(n_grids), facilities_per_grid)
    fu = rng.uniform(margin, 1 - margin, len(f_grid))
    fv = (np.floor(rng.uniform(1, by, len(f_grid)))) / by
    fv = margin + (1 - 2 * margin) * fv
    f_xy = _bilinear(quad[f_grid], fu[:, None], fv[:, None]).reshape(-1, 2)
    categories = np.array(
        ["service_station", "clinic", "market", "police", "kindergarten", "park"]
    )
    f_cat = categories[rng.integers(0, len(categories), len(f_grid))]
    facilities = gpd.GeoDataFrame(
        {
            "id": np.char.add(
                "F", np.char.zfill(np.arange(1, len(f_grid) + 1).astype(str), 6)
            ),
            "name": np.char.add(short[f_grid], "服务点"),
            "category": f_cat,
        },
        geometry=shapely.points(f_xy),
        crs=EPSG,
    )

    # Staff: a leader, a full-time and a part-time worker per grid.
    roles = np.array(["grid_leader", "full_time", "part_time"])
    s_grid = np.repeat(np.arange(n_grids), len(roles))
    s_role = np.tile(roles, n_grids)
    n_s = len(s_grid)
    staff_ids = np.char.add("S", np.char.zfill(np.arange(1, n_s + 1).astype(str), 6))
    surnames = np.array(list(N.SURNAMES))
    given = np.array(list(N.GIVEN_MALE + N.GIVEN_FEMALE))
    person = np.char.add(
        surnames[rng.integers(0, len(surnames), n_s)],
        np.char.add(
            given[rng.integers(0, len(given), n_s)],
            np.where(
                rng.random(n_s) < 0.6, given[rng.integers(0, len(given), n_s)], ""
            ),
        ),
    )
    prefixes = np.array(N.MOBILE_PREFIXES)
    phones = np.char.add(
        prefixes[rng.integers(0, len(prefixes), n_s)],
        np.char.zfill(rng.integers(0, 100_000_000, n_s).astype(str), 8),
    ).astype(object)
    if faults:
        bad = rng.choice(n_s, size=2 * scale, replace=False)
        phones[bad] = np.char.add("1", rng.integers(1000, 9999, len(bad)).astype(str))
        expected["staffing.phone"] = len(bad)
    staff = pd.DataFrame(
        {
            "id": staff_ids,
            "name": person,
            "phone": phones,
            "organisation": np.char.add(community_names[g_comm][s_grid], "居委会"),
        }
    )
    assignments = pd.DataFrame(
        {
            "staff_id": staff_ids,
            "grid_code": grid_codes[s_grid],
            "role": s_role,
            "is_backup": False,
        }
    )
    full_time = staff_ids[s_role == "full_time"]
    backups = pd.DataFrame(
        {
            "staff_id": full_time[has_pair],
            "grid_code": grid_codes[partner_pos[has_pair]],
            "role": "full_time",
            "is_backup": True,
        }
    )
    if faults:
        leaderless = pick(3 * scale)
        drop = np.isin(s_grid, leaderless) & (s_role == "grid_leader")
        assignments = assignments[~drop]
        expected["staffing.missing_role"] = len(leaderless)
    assignments = pd.concat([assignments, backups], ignore_index=True)

    # Roads along the lattice lines: arterials between streets, secondary roads
    # between communities, local roads between grids; one road per community side.
    roads = _roads(lattice, gx, gy, cx, cy, sx, sy)

    # Overlays: police precincts are the streets; school districts pair communities.
    school_w, school_h = cx * 2, cy * max(1, sy)
    o_r, o_c = blocks(school_w, school_h)
    overlays = gpd.GeoDataFrame(
        {
            "id": np.char.add(
                "O", np.char.zfill(np.arange(1, len(s_r) + len(o_r) + 1).astype(str), 4)
            ),
            "kind": ["police"] * len(s_r) + ["school"] * len(o_r),
            "name": np.concatenate(
                [
                    np.char.add(street_names, "警务区"),
                    np.char.add(_names(len(o_r), ""), "学区"),
                ]
            ),
        },
        geometry=np.concatenate(
            [
                streets.geometry.values,
                _block_rings(lattice, o_r, o_c, school_w, school_h),
            ]
        ),
        crs=EPSG,
    )

    settings = Settings.default(crs_epsg=EPSG, code_prefix=COUNTY).with_changes(
        extra={"city": {"seed": seed, "faults": expected}}
    )
    layers: dict[str, pd.DataFrame] = {
        "streets": streets,
        "communities": communities,
        "grids": grids_frame,
        "buildings": buildings,
        "facilities": facilities,
        "roads": roads,
        "overlays": overlays,
        "staff": staff,
        "assignments": assignments,
    }
    return City(layers=layers, settings=settings, expected=expected)


def _roads(
    lattice: tuple[np.ndarray, np.ndarray, np.ndarray],
    gx: int,
    gy: int,
    cx: int,
    cy: int,
    sx: int,
    sy: int,
) -> gpd.GeoDataFrame:
    corners, horizontal, vertical = lattice
    k = EDGE_POINTS
    lines: list[Any] = []
    classes: list[str] = []
    # Horizontal roads: lattice row r, one road per community width.
    for r in range(gy + 1):
        cls = (
            "arterial"
            if r % (cy * sy) == 0
            else "secondary"
            if r % cy == 0
            else "local"
        )
        starts = np.arange(0, gx, cx)
        cols = starts[:, None] + np.arange(cx)[None, :]
        pts = np.concatenate(
            [corners[r, cols][:, :, None, :], horizontal[r, cols]], axis=2
        ).reshape(len(starts), -1, 2)
        end = corners[r, starts + cx][:, None, :]
        lines.extend(shapely.linestrings(np.concatenate([pts, end], axis=1)))
        classes += [cls] * len(starts)
    for c in range(gx + 1):
        cls = (
            "arterial"
            if c % (cx * sx) == 0
            else "secondary"
            if c % cx == 0
            else "local"
        )
        starts = np.arange(0, gy, cy)
        rows = starts[:, None] + np.arange(cy)[None, :]
        pts = np.concatenate(
            [corners[rows, c][:, :, None, :], vertical[rows, c]], axis=2
        ).reshape(len(starts), -1, 2)
        end = corners[starts + cy, c][:, None, :]
        lines.extend(shapely.linestrings(np.concatenate([pts, end], axis=1)))
        classes += [cls] * len(starts)
    del k
    n = len(lines)
    names = _names(n, "路")
    return gpd.GeoDataFrame(
        {
            "id": np.char.add("R", np.char.zfill(np.arange(1, n + 1).astype(str), 5)),
            "name": names,
            "class": classes,
        },
        geometry=lines,
        crs=EPSG,
    )


def write_city(
    path: str | Path,
    *,
    linked: bool = True,
    overwrite: bool = False,
    **options: Any,
) -> City:
    """Generate a city (see :func:`make_city` for ``options``) and write it as a project.

    With ``linked=True`` (the default) the project is linked like one a user saved:
    buildings and facilities carry their grid code and the grids, communities and
    streets their totals. ``linked=False`` leaves that to be done (for timing it).
    """
    from gridgis.core.link import link_project
    from gridgis.core.store import create_project

    city = make_city(**options)
    store = create_project(path, city.settings, overwrite=overwrite)
    with store.transaction() as tx:
        for name, frame in city.layers.items():
            tx.insert(name, frame)
    if linked:
        link_project(store)
    return city


if __name__ == "__main__":  # pragma: no cover
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Write a synthetic GridGIS city.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--grids", type=int, nargs=2, default=(100, 100))
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    made = write_city(args.out, grids=tuple(args.grids), overwrite=args.overwrite)
    print(f"{args.out}: {made.sizes} in {time.perf_counter() - start:.1f} s")
