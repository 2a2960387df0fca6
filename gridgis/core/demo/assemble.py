"""Turn the demo generator's plan into the layers of a GridGIS project."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import ops
from shapely.geometry import LineString, Point

from gridgis.core import codes as codes_mod
from gridgis.core import schema
from gridgis.core.definitions import FacilityCategory, GridKind
from gridgis.core.demo import names as N
from gridgis.core.demo.portraits import portrait
from gridgis.core.i18n import Text
from gridgis.core.settings import Settings

if TYPE_CHECKING:
    from gridgis.core.demo.district import Demo, SeededFault, _Generator


def _frame(rows: list[dict[str, Any]], geoms: Any) -> gpd.GeoDataFrame:
    from gridgis.core.demo.district import EPSG

    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=list(geoms), crs=EPSG)


def _short(community_name: str) -> str:
    return community_name.removesuffix("社区")


def assemble(
    gen: _Generator, overlay_rows: list[dict[str, Any]], grid_rows: list[dict[str, Any]]
) -> Demo:
    from gridgis.core.demo.district import COUNTY, DEFAULT_SEED, EPSG, Demo

    layers: dict[str, pd.DataFrame] = {}
    layers["streets"], layers["communities"] = _divisions(gen)
    layers["roads"] = _roads(gen)
    buildings = _buildings(gen)
    grids, faults = _grids(gen, grid_rows)
    layers["grids"] = grids
    layers["buildings"] = _finish_buildings(gen, buildings)
    layers["facilities"] = _facilities(gen)
    layers["overlays"] = _frame(
        [{"id": f"O{k + 1:03d}", "kind": r["kind"].value, "name": r["name"]}
         for k, r in enumerate(overlay_rows)],
        gen.bend([r["geom"] for r in overlay_rows]),
    )  # fmt: skip
    staff, assignments, missing_leader = _staff(gen, grids)
    layers["staff"], layers["assignments"] = staff, assignments
    faults.append(missing_leader)
    settings = Settings.default(crs_epsg=EPSG, code_prefix=COUNTY)
    settings = settings.with_changes(
        hotline="0512-12345",
        extra={
            "demo": {
                "seed": gen.seed,
                "default_seed": gen.seed == DEFAULT_SEED,
                "faults": [f.as_dict() for f in faults],
            }
        },
    )
    layers = {
        name: schema.conform(name, frame, crs=EPSG) for name, frame in layers.items()
    }
    return Demo(layers=layers, settings=settings, faults=faults)


# ---------------------------------------------------------------------------------


def _divisions(gen: _Generator) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    community_plan = {
        cell: shapely.union_all([b for b, c in zip(gen.blocks, gen.block_cell, strict=True)
                                 if c == cell])
        for cell in gen.community_cells
    }  # fmt: skip
    rows: list[dict[str, Any]] = []
    geoms = []
    for cell in gen.community_cells:
        street = gen.community_street[cell]
        rows.append(
            {"code": gen.community_code[cell], "name": gen.community_name[cell],
             "street_code": gen.street_codes[street]}
        )  # fmt: skip
        geoms.append(community_plan[cell])
    communities = _frame(rows, gen.bend(geoms)).sort_values("code", ignore_index=True)
    srows, sgeoms = [], []
    for k, code in enumerate(gen.street_codes):
        parts = [community_plan[c] for c in gen.community_cells
                 if gen.community_street[c] == k]  # fmt: skip
        srows.append({"code": code, "name": N.STREET_NAMES[k]})
        sgeoms.append(shapely.union_all(parts))
    return _frame(srows, gen.bend(sgeoms)), communities


def _roads(gen: _Generator) -> gpd.GeoDataFrame:
    rows: list[dict[str, Any]] = []
    geoms = []
    for road in gen.roads:
        for part in shapely.get_parts(road["line"]):
            rows.append(
                {"id": f"R{len(rows) + 1:04d}", "name": road["name"],
                 "class": road["class"].value}
            )  # fmt: skip
            geoms.append(part)
    return _frame(rows, gen.bend(geoms))


def _buildings(gen: _Generator) -> list[dict[str, Any]]:
    bl = gen.building_list
    named = [r for r in gen.roads if r["name"]]
    tree = shapely.STRtree([r["line"] for r in named])
    centroids = shapely.centroid([b.geom for b in bl])
    nearest = tree.nearest(centroids)
    per_road: dict[int, list[tuple[float, int]]] = {}
    for k, road in enumerate(nearest):
        position = named[int(road)]["line"].project(centroids[k])
        per_road.setdefault(int(road), []).append((position, k))
    house_no = np.zeros(len(bl), dtype=int)
    for entries in per_road.values():
        for rank, (_, k) in enumerate(sorted(entries)):
            house_no[k] = 2 * rank + 1
    by_block: dict[int, list[int]] = {}
    for k, b in enumerate(bl):
        by_block.setdefault(b.block, []).append(k)
    number = np.empty(len(bl), dtype=object)
    for members in by_block.values():
        order = codes_mod.reading_order(np.asarray([bl[m].geom for m in members]))
        for rank, pos in enumerate(order):
            number[members[pos]] = f"{rank + 1}幢"
    rows = []
    for k, b in enumerate(bl):
        road = named[int(nearest[k])]["name"]
        rows.append(
            {"id": f"B{k + 1:05d}", "number": number[k],
             "address": f"{road}{house_no[k]}号", "floors": b.floors,
             "use": b.use.value, "block": b.block}
        )  # fmt: skip
    return rows


def _finish_buildings(gen: _Generator, rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    rng = gen.rng
    bl = gen.building_list
    for k, row in enumerate(rows):
        hh = bl[k].households
        row["households"] = hh
        row["population"] = round(hh * rng.uniform(2.2, 3.0)) if hh else 0
        row.pop("block")
    return _frame(rows, gen.bend([b.geom for b in bl]))


# ---------------------------------------------------------------------------------
# Grids and the seeded faults
# ---------------------------------------------------------------------------------


def _shared_road_edge(roads: Any, a: Any, b: Any) -> LineString | None:
    """The longest stretch of the boundary of ``a`` and ``b`` that runs on a road."""
    shared = shapely.line_merge(a.boundary.intersection(b.boundary))
    near_road = roads.buffer(0.05)
    best = None
    for part in shapely.get_parts(shared):
        if part.geom_type != "LineString" or part.length < 90:
            continue
        if part.difference(near_road).length > 1e-3:
            continue
        if best is None or part.length > best.length:
            best = part
    return best


def _grids(
    gen: _Generator, grid_rows: list[dict[str, Any]]
) -> tuple[gpd.GeoDataFrame, list[SeededFault]]:
    from gridgis.core.demo.district import BAND, SeededFault

    rng = gen.rng
    bl = gen.building_list
    by_cell: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for g in grid_rows:
        by_cell.setdefault(g["cell"], []).append(g)
        g["bent"] = gen.bend([g["geom"]])[0]
    cells = list(by_cell)
    roads = shapely.union_all(gen.bend([r["line"] for r in gen.roads]))

    def residential(cell: tuple[int, int]) -> list[dict[str, Any]]:
        return [g for g in by_cell[cell] if g["unit"] is None]

    def road_pair(cell: tuple[int, int]) -> tuple[Any, Any, LineString]:
        gs = residential(cell)
        for i, a in enumerate(gs):
            for b in gs[i + 1 :]:
                edge = _shared_road_edge(roads, a["bent"], b["bent"])
                if edge is not None:
                    return a, b, edge
        raise RuntimeError("no two grids share a road")  # pragma: no cover

    def stretch(edge: LineString) -> Any:
        mid = edge.length / 2
        return ops.substring(edge, mid - 30, mid + 30).buffer(3.0, cap_style="flat")

    # A gap: a notch cut from one grid along a road it shares with a neighbour.
    a, b, edge = road_pair(cells[0])
    a["bent"] = a["bent"].difference(stretch(edge))
    gap_pair = (a, b)
    # An overlap: a grid reaching 3 m into its neighbour across a shared road.
    c, d, edge = road_pair(cells[1])
    c["bent"] = shapely.union_all([c["bent"], stretch(edge).intersection(d["bent"])])
    overlap_pair = (c, d)
    # An over-full grid: its homes grow past the band's maximum.
    full = max(residential(cells[2]), key=lambda g: len(g["members"]))
    homes = [m for m in full["members"] if bl[m].households > 0]
    total = sum(bl[m].households for m in homes)
    target = rng.uniform(BAND[1] + 60, BAND[1] + 120)
    for m in homes:
        bl[m].households = max(1, round(bl[m].households * target / total))

    rows, geoms = [], []
    for cell in cells:
        community = gen.community_code[cell]
        gs = by_cell[cell]
        bent = [g["bent"] for g in gs]
        new_codes = codes_mod.renumber_grids(community, pd.Series(list(bent)))
        for g, geom, code in zip(gs, bent, new_codes, strict=True):
            g["code"] = code
            seq = int(code[-3:])
            if g["unit"] is not None:
                block = next(iter(
                    i for i, blk in enumerate(gen.blocks) if blk.equals(g["geom"])
                ), None)  # fmt: skip
                name = _campus_name(gen, block) + "单位网格"
                kind = GridKind.UNIT.value
            else:
                name = f"{_short(gen.community_name[cell])}第{seq}网格"
                kind = GridKind.RESIDENTIAL.value
            rows.append({"code": code, "name": name, "community_code": community,
                         "kind": kind})  # fmt: skip
            geoms.append(geom)
    frame = _frame(rows, geoms)
    _pair_ab(frame)
    frame = frame.sort_values("code", ignore_index=True)
    faults = []
    faults.append(
        SeededFault(
            "gap",
            (gap_pair[0]["code"], gap_pair[1]["code"]),
            Text(
                f"网格 {gap_pair[0]['code']} 与 {gap_pair[1]['code']} 之间沿道路留有空白。",
                f"A gap along the road between grids {gap_pair[0]['code']} and "
                f"{gap_pair[1]['code']}.",
            ),
        )
    )
    faults.append(
        SeededFault(
            "overlap",
            (overlap_pair[0]["code"], overlap_pair[1]["code"]),
            Text(
                f"网格 {overlap_pair[0]['code']} 越过道路与 {overlap_pair[1]['code']} 重叠。",
                f"Grid {overlap_pair[0]['code']} reaches across the road into "
                f"{overlap_pair[1]['code']}.",
            ),
        )
    )
    faults.append(
        SeededFault(
            "over_full",
            (full["code"],),
            Text(
                f"网格 {full['code']} 的户数超过 {BAND[1]} 户上限。",
                f"Grid {full['code']} has more than {BAND[1]} households.",
            ),
        )
    )
    return frame, faults


def _campus_name(gen: _Generator, block: int | None) -> str:
    if block is None:
        return "单位"
    kind = gen.block_kind[block]
    campuses = [i for i, k in enumerate(gen.block_kind) if k == kind]
    rank = campuses.index(block)
    names = N.SCHOOL_NAMES if kind == "school" else N.HOSPITAL_NAMES
    return names[rank % len(names)]


def _pair_ab(frame: gpd.GeoDataFrame) -> None:
    """Pair adjacent grids of each community for AB posts (greedy, longest border)."""
    partner: dict[int, str] = {}
    for _, group in frame.groupby("community_code", sort=True):
        idx = list(group.sort_values("code").index)
        for i in idx:
            if i in partner:
                continue
            best, best_len = None, 20.0
            for j in idx:
                if j == i or j in partner:
                    continue
                shared = frame.geometry[i].boundary.intersection(
                    frame.geometry[j].boundary
                )
                if shared.length > best_len:
                    best, best_len = j, shared.length
            if best is not None:
                partner[i] = frame.at[best, "code"]
                partner[best] = frame.at[i, "code"]
    frame["ab_partner"] = [partner.get(i) for i in frame.index]


# ---------------------------------------------------------------------------------
# Facilities
# ---------------------------------------------------------------------------------


def _facilities(gen: _Generator) -> gpd.GeoDataFrame:
    rng = gen.rng
    bl = gen.building_list
    footprint = shapely.STRtree([b.geom.buffer(4) for b in bl])
    rows: list[dict[str, Any]] = []
    points: list[Point] = []

    def place(block: int, category: FacilityCategory, name: str) -> None:
        inner = gen.inner[block]
        if inner.is_empty:
            return
        minx, miny, maxx, maxy = inner.bounds
        for _ in range(40):
            xs = rng.uniform(minx, maxx, 64)
            ys = rng.uniform(miny, maxy, 64)
            ok = shapely.contains_xy(inner.buffer(-6), xs, ys)
            for x, y in zip(xs[ok], ys[ok], strict=True):
                p = Point(x, y)
                if len(footprint.query(p, predicate="intersects")) == 0:
                    rows.append({"id": f"F{len(rows) + 1:04d}", "name": name,
                                 "category": category.value})  # fmt: skip
                    points.append(p)
                    return

    for block, kind in enumerate(gen.block_kind):
        if kind in ("school", "hospital"):
            category = (
                FacilityCategory.SCHOOL
                if kind == "school"
                else FacilityCategory.HOSPITAL
            )
            place(block, category, _campus_name(gen, block))
        elif kind == "park":
            place(block, FacilityCategory.PARK, gen.names.place(N.PARK_SUFFIXES))
    for cell in gen.community_cells:
        short = _short(gen.community_name[cell])
        blocks = [i for i, c in enumerate(gen.block_cell)
                  if c == cell and gen.block_kind[i] == "estate"]  # fmt: skip
        plan = [
            (FacilityCategory.SERVICE_STATION, f"{short}社区服务站"),
            (FacilityCategory.CLINIC, f"{short}社区卫生服务站"),
            (FacilityCategory.POLICE, f"{short}警务室"),
            (FacilityCategory.ELDERLY_CARE, f"{short}日间照料中心"),
            (FacilityCategory.KINDERGARTEN, gen.names.place(("幼儿园",))),
            (FacilityCategory.FIRE, f"{short}微型消防站"),
            (FacilityCategory.MARKET, gen.names.place(N.MARKET_SUFFIXES)),
            (FacilityCategory.MARKET, gen.names.place(N.MARKET_SUFFIXES)),
            (FacilityCategory.PARK, gen.names.place(N.PARK_SUFFIXES)),
            (FacilityCategory.SERVICE_STATION, f"{short}党群服务点"),
            (FacilityCategory.ELDERLY_CARE, f"{short}老年活动室"),
        ]
        for category, name in plan:
            place(blocks[int(rng.integers(len(blocks)))], category, name)
    return _frame(rows, gen.bend(points))


# ---------------------------------------------------------------------------------
# Staff and assignments
# ---------------------------------------------------------------------------------


def _staff(
    gen: _Generator, grids: gpd.GeoDataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, SeededFault]:
    from gridgis.core.demo.district import SeededFault

    rng = gen.rng
    people: list[dict[str, Any]] = []

    def person(organisation: str) -> str:
        name, gender = gen.names.person()
        sid = f"S{len(people) + 1:04d}"
        people.append({"id": sid, "name": name, "phone": gen.names.mobile(),
                       "photo": portrait(rng, gender), "organisation": organisation})  # fmt: skip
        return sid

    assignments: list[dict[str, Any]] = []

    def assign(staff_id: str, grid: str, role: str, backup: bool = False) -> None:
        assignments.append({"staff_id": staff_id, "grid_code": grid, "role": role,
                            "is_backup": backup})  # fmt: skip

    street_of = {c: gen.community_street[c] for c in gen.community_cells}
    for street in N.STREET_NAMES:
        for _ in range(4):
            person(f"{street}办事处")
    drawn_codes = sorted(grids["community_code"].unique())
    no_leader_community = drawn_codes[3]
    candidates = grids[
        (grids["community_code"] == no_leader_community)
        & (grids["kind"] == "residential")
    ]
    no_leader = str(candidates["code"].iloc[len(candidates) // 2])
    full_time: dict[str, str] = {}
    for cell in gen.community_cells:
        community = gen.community_code[cell]
        organisation = f"{gen.community_name[cell]}居委会"
        street = N.STREET_NAMES[street_of[cell]]
        if community not in drawn_codes:
            for _ in range(10):
                person(organisation)
            continue
        police = person(f"{street[:2]}派出所")
        instructor = person(f"{street}办事处")
        for code in sorted(grids.loc[grids["community_code"] == community, "code"]):
            if code != no_leader:
                assign(person(organisation), code, "grid_leader")
            full_time[code] = person(organisation)
            assign(full_time[code], code, "full_time")
            for _ in range(int(rng.choice(3, p=[0.3, 0.55, 0.15]))):
                assign(person(organisation), code, "part_time")
            assign(police, code, "police")
            assign(instructor, code, "instructor")
    for code, partner in zip(grids["code"], grids["ab_partner"], strict=True):
        if isinstance(partner, str):
            assign(full_time[code], partner, "full_time", backup=True)
    fault = SeededFault(
        "no_leader",
        (no_leader,),
        Text(f"网格 {no_leader} 没有网格长。", f"Grid {no_leader} has no grid leader."),
    )
    return pd.DataFrame(people), pd.DataFrame(assignments), fault
