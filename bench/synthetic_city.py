"""A synthetic city of any number of grids, written fast, for the benchmarks.

The city is a regular lattice: every grid is one cell of about 240 × 280 m with eight
residential buildings, two facilities and a road along each cell edge; five-by-five
cells make a community, ten communities a street. Every grid has a leader, a full-time
and (every other grid) a part-time worker, the community police officer and instructor,
and its AB partner's full-time worker as backup — six people on most boards.
Geometry is built with shapely's array functions, so 1,000 grids take a few seconds.

    .venv/bin/python bench/synthetic_city.py city.gpkg --grids 1000
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gridgis.core.demo.names import LOCAL_PREFIXES, NamePool
from gridgis.core.demo.portraits import portrait
from gridgis.core.settings import Settings
from gridgis.core.store import GeoPackageStore

CRS = 4549
ORIGIN = (520000.0, 3460000.0)
CELL = (240.0, 280.0)
PER_SIDE = 5  # cells per community side
COMMUNITIES_PER_STREET = 10
CATEGORIES = ("market", "clinic", "service_station", "elderly_care", "park", "fire")


def place_names(count: int, suffixes: tuple[str, ...]) -> list[str]:
    """``count`` place names: every prefix with every suffix, then numbered."""
    base = [p + s for s in suffixes for p in LOCAL_PREFIXES]
    return [
        base[k % len(base)] + (f"{k // len(base) + 1}" if k >= len(base) else "")
        for k in range(count)
    ]


def write_city(path: Path, grids: int = 1000, seed: int = 1) -> dict[str, int]:
    """Write a city of about ``grids`` grids to ``path``; return the layer sizes."""
    rng = np.random.default_rng(seed)
    names = NamePool(rng)
    per_community = PER_SIDE * PER_SIDE
    communities = math.ceil(grids / per_community)
    streets = math.ceil(communities / COMMUNITIES_PER_STREET)
    comm_cols = math.ceil(math.sqrt(communities * 1.6))
    comm_rows = math.ceil(communities / comm_cols)
    cols, rows = comm_cols * PER_SIDE, comm_rows * PER_SIDE

    # every cell of the lattice, then the ones that belong to a community in use
    cx, cy = np.meshgrid(np.arange(cols), np.arange(rows))
    cx, cy = cx.ravel(), cy.ravel()
    community = (cy // PER_SIDE) * comm_cols + cx // PER_SIDE
    keep = community < communities
    cx, cy, community = cx[keep], cy[keep], community[keep]
    order = np.lexsort((cx, -cy, community))
    cx, cy, community = cx[order], cy[order], community[order]
    within = np.concatenate([np.arange(n) for n in np.bincount(community)])
    keep = within < per_community
    cx, cy, community, within = cx[keep], cy[keep], community[keep], within[keep]
    cx, cy, community, within = (
        cx[:grids],
        cy[:grids],
        community[:grids],
        within[:grids],
    )
    n = len(cx)
    x0 = ORIGIN[0] + cx * CELL[0]
    y0 = ORIGIN[1] + cy * CELL[1]
    cells = shapely.box(x0, y0, x0 + CELL[0], y0 + CELL[1])

    county = "320599"
    street_of = community // COMMUNITIES_PER_STREET
    street_codes = np.array([f"{county}{s + 1:03d}" for s in range(streets)])
    comm_seq = community % COMMUNITIES_PER_STREET
    comm_codes = np.array(
        [
            f"{street_codes[s]}{c + 1:03d}"
            for s, c in zip(street_of, comm_seq, strict=True)
        ]
    )
    grid_codes = np.array(
        [f"{c}{w + 1:03d}" for c, w in zip(comm_codes, within, strict=True)]
    )
    unique_communities = list(dict.fromkeys(comm_codes.tolist()))
    comm_names = dict(
        zip(
            unique_communities,
            place_names(len(unique_communities), ("社区",)),
            strict=True,
        )
    )
    street_names = dict(
        zip(street_codes, place_names(streets, ("街道",))[::-1], strict=True)
    )
    households = rng.integers(300, 500, n)

    partner = np.arange(n)
    partner[0::2] = np.minimum(np.arange(n)[0::2] + 1, n - 1)
    partner[1::2] = np.arange(n)[1::2] - 1
    grid_frame = gpd.GeoDataFrame(
        {
            "code": grid_codes,
            "name": [
                f"{comm_names[c][:-2]}第{w + 1}网格"
                for c, w in zip(comm_codes, within, strict=True)
            ],
            "community_code": comm_codes,
            "kind": "residential",
            "households": households,
            "population": (households * rng.uniform(2.4, 2.9, n)).astype(int),
            "ab_partner": np.where(partner != np.arange(n), grid_codes[partner], None),
        },
        geometry=cells,
        crs=CRS,
    )
    comm_frame = gpd.GeoDataFrame(
        {"code": comm_codes, "street_code": street_codes[street_of]},
        geometry=cells,
        crs=CRS,
    ).dissolve("code", aggfunc="first")
    comm_frame = comm_frame.reset_index()
    comm_frame["name"] = comm_frame["code"].map(comm_names)
    street_frame = comm_frame.dissolve("street_code").reset_index()
    street_frame = street_frame[["street_code", "geometry"]].rename(
        columns={"street_code": "code"}
    )
    street_frame["name"] = street_frame["code"].map(street_names)

    # buildings: 2 rows × 4 columns per cell
    bx, by = np.meshgrid(np.arange(4), np.arange(2))
    bx, by = bx.ravel(), by.ravel()
    left = (x0[:, None] + 30 + bx[None, :] * 48).ravel()
    bottom = (y0[:, None] + 60 + by[None, :] * 110).ravel()
    buildings = shapely.box(left, bottom, left + 36, bottom + 14)
    b_grid = np.repeat(grid_codes, len(bx))
    b_number = np.tile([f"{k + 1}幢" for k in range(len(bx))], n)
    b_households = np.repeat(households // len(bx), len(bx))
    building_frame = gpd.GeoDataFrame(
        {
            "id": [f"B{k:06d}" for k in range(len(buildings))],
            "number": b_number,
            "households": b_households,
            "population": (b_households * 2.6).astype(int),
            "floors": 6,
            "use": "residential",
            "grid_code": b_grid,
        },
        geometry=buildings,
        crs=CRS,
    )

    # facilities: two per cell
    fx = x0[:, None] + rng.uniform(20, CELL[0] - 20, (n, 2))
    fy = y0[:, None] + np.array([40.0, 200.0])[None, :]
    categories = rng.choice(CATEGORIES, 2 * n)
    facility_frame = gpd.GeoDataFrame(
        {
            "id": [f"F{k:05d}" for k in range(2 * n)],
            "name": place_names(2 * n, ("服务站", "超市", "卫生室", "驿站")),
            "category": categories,
            "grid_code": np.repeat(grid_codes, 2),
        },
        geometry=shapely.points(fx.ravel(), fy.ravel()),
        crs=CRS,
    )

    # roads along every lattice line
    xs = ORIGIN[0] + np.arange(cols + 1) * CELL[0]
    ys = ORIGIN[1] + np.arange(rows + 1) * CELL[1]
    top, right = ORIGIN[1] + rows * CELL[1], ORIGIN[0] + cols * CELL[0]
    vertical = shapely.linestrings(
        np.stack([np.stack([xs, np.full_like(xs, ORIGIN[1])], 1),
                  np.stack([xs, np.full_like(xs, top)], 1)], 1)
    )  # fmt: skip
    horizontal = shapely.linestrings(
        np.stack([np.stack([np.full_like(ys, ORIGIN[0]), ys], 1),
                  np.stack([np.full_like(ys, right), ys], 1)], 1)
    )  # fmt: skip
    road_geoms = np.concatenate([vertical, horizontal])
    major = np.concatenate(
        [np.arange(cols + 1) % PER_SIDE == 0, np.arange(rows + 1) % PER_SIDE == 0]
    )
    road_frame = gpd.GeoDataFrame(
        {
            "id": [f"R{k:04d}" for k in range(len(road_geoms))],
            "name": place_names(len(road_geoms), ("路", "街", "大道")),
            "class": np.where(major, "arterial", "local"),
        },
        geometry=road_geoms,
        crs=CRS,
    )

    # staff and assignments
    photos = [portrait(rng, g) for g in ("m", "f") * 20]
    staff_rows, assignment_rows = [], []

    def person(organisation: str) -> str:
        name, _ = names.person()
        sid = f"S{len(staff_rows) + 1:06d}"
        staff_rows.append(
            {
                "id": sid,
                "name": name,
                "phone": names.mobile(),
                "photo": photos[len(staff_rows) % len(photos)],
                "organisation": organisation,
            }
        )
        return sid

    community_people = {
        code: (person(f"{comm_names[code]}警务室"), person(f"{comm_names[code]}居委会"))
        for code in comm_names
    }
    full_time = {}
    for k, (code, comm) in enumerate(zip(grid_codes, comm_codes, strict=True)):
        office = f"{comm_names[comm]}居委会"
        for role in ("grid_leader", "full_time") + (("part_time",) if k % 2 else ()):
            sid = person(office)
            if role == "full_time":
                full_time[code] = sid
            assignment_rows.append(
                {"staff_id": sid, "grid_code": code, "role": role, "is_backup": False}
            )
        police, instructor = community_people[comm]
        assignment_rows.append(
            {
                "staff_id": police,
                "grid_code": code,
                "role": "police",
                "is_backup": False,
            }
        )
        assignment_rows.append(
            {
                "staff_id": instructor,
                "grid_code": code,
                "role": "instructor",
                "is_backup": False,
            }
        )
    for code, other in zip(grid_codes, grid_frame["ab_partner"], strict=True):
        if other is not None:
            assignment_rows.append(
                {
                    "staff_id": full_time[other],
                    "grid_code": code,
                    "role": "full_time",
                    "is_backup": True,
                }
            )

    settings = Settings.default(crs_epsg=CRS, code_prefix=county)
    store = GeoPackageStore.create(path, settings, overwrite=True)
    layers = {
        "streets": street_frame,
        "communities": comm_frame[["code", "name", "street_code", "geometry"]],
        "grids": grid_frame,
        "buildings": building_frame,
        "facilities": facility_frame,
        "roads": road_frame,
        "staff": pd.DataFrame(staff_rows),
        "assignments": pd.DataFrame(assignment_rows),
    }
    with store.transaction() as tx:
        for name, frame in layers.items():
            tx.insert(name, frame)
    return {name: len(frame) for name, frame in layers.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--grids", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(write_city(args.out, args.grids, args.seed))
