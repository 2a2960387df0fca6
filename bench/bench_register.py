"""Information base speed: 1,000,000 residents in 400,000 houses of the synthetic city.

The city of ``bench/city.py`` (10,000 grids, 1,000,000 buildings) is written as a
project; a residents roster is generated as offices hand it in — a GBK CSV with
Chinese headings, every person with a valid 18-digit ID number (GB 11643 check digit),
a mobile number, 户籍/流动 and key-person categories for about one in six; nine in ten
rows name the house by building ID, unit and room, one in ten by its standard address
(``<grid name>3幢2单元501室``). The bench times:

- ``import``: :func:`~gridgis.core.register.plan_register` (reading, matching every row
  to its building, checking every ID number, phone and category, duplicates) and
  :func:`~gridgis.core.register.apply_register` (writing 400,000 houses, 1,000,000
  residents, the buildings' registered counts and the totals of their grids,
  communities and streets, one transaction) — goal under 60 s;
- ``counts``: :func:`~gridgis.core.register.counts.category_counts` of the whole city
  (key persons per grid, community and street) — goal under 3 s.

Run: ``make bench BENCH=register`` (writes ``bench/reports/register.md``).
``--grids 20 20 --residents 40000 --houses 16000`` makes a small run for a quick look.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from bench.city import write_city  # noqa: E402
from gridgis.core.register import apply_register, plan_register  # noqa: E402
from gridgis.core.register.counts import category_counts  # noqa: E402
from gridgis.core.store import open_project  # noqa: E402

REPORT = ROOT / "reports" / "register.md"
#: How the figures came about (earlier rounds of the same bench).
HISTORY = (
    "## Before\n\n"
    "The round before (load average 4.4): import 83.0 s wall / 49.7 s CPU (read "
    "44.2 s / 29.7 s, write 38.7 s / 20.0 s). Profiled with cProfile on 100,000 and "
    "1,000,000 residents, the import now reads the CSV column by column with Arrow "
    "(files of one record per line; others, and XLSX, row by row as before), checks "
    "the rows by standard address with the others as whole columns (each distinct "
    "address parsed once, looked up per road), checks ID numbers on Arrow and NumPy "
    "arrays, builds the new houses as columns, conforms the frames to the schema once "
    "(in the store), builds the GeoPackage's indexes once after inserting 1.4 million "
    "rows instead of row by row, and updates the totals of the grids, communities and "
    "streets the import touched from the stored links (building → grid → community → "
    "street), without reading the city's geometries.\n\n"
    "The round before that (load average 9.6): import 195.2 s wall / 59.7 s CPU, "
    "counts 36.5 s wall / 6.9 s CPU."
)
IMPORT_GOAL = 60.0
COUNT_GOAL = 3.0
_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK = np.array(list("10X98765432"))
SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"))
GIVEN = np.array(list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"))
CATEGORY_NAMES = np.array(["党员", "低保", "独居老人", "高龄", "残疾", "退役军人",
                           "重点关注", "党员、高龄", "低保、残疾"])  # fmt: skip


def id_numbers(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct valid ID numbers (vectorised check digits)."""
    area = rng.choice(["320505", "320506", "320508", "320509"], n)
    days = rng.integers(0, 365 * 90, n)
    born = (np.datetime64("1930-01-01") + days.astype("timedelta64[D]")).astype(str)
    birth = np.char.replace(born, "-", "")
    seq = np.char.zfill((np.arange(n) % 1000).astype(str), 3)
    body = np.char.add(np.char.add(area, birth), seq)
    # Distinct: a different area or birth day for every thousand people.
    digits = np.frombuffer("".join(body).encode(), dtype=np.uint8).reshape(n, 17) - 48
    check = _CHECK[(digits * _WEIGHTS).sum(axis=1) % 11]
    numbers = np.char.add(body, check)
    _, first = np.unique(numbers, return_index=True)
    keep = np.zeros(n, dtype=bool)
    keep[first] = True
    return np.where(keep, numbers, "")


def roster(
    store_path: Path, out: Path, residents: int, houses: int, seed: int = 7
) -> int:
    """Write the residents roster of ``houses`` houses; return its rows."""
    store = open_project(store_path)
    from gridgis.core.register.counts import attributes

    buildings = attributes(store, "buildings", ["id", "address"])
    rng = np.random.default_rng(seed)
    per_building = 4
    chosen = rng.choice(len(buildings), houses // per_building, replace=False)
    house_building = np.repeat(chosen, per_building)
    unit = np.tile(np.array(["1", "1", "2", "2"]), len(chosen))
    room = np.tile(np.array(["101", "102", "201", "202"]), len(chosen))
    # Every house gets a person; the rest are spread over the houses.
    extra = rng.integers(0, len(house_building), residents - len(house_building))
    house_of = np.concatenate([np.arange(len(house_building)), extra])
    b_ids = buildings["id"].to_numpy(dtype=str)[house_building[house_of]]
    b_addr = buildings["address"].to_numpy(dtype=str)[house_building[house_of]]
    units, rooms = unit[house_of], room[house_of]
    names = np.char.add(
        SURNAMES[rng.integers(0, len(SURNAMES), residents)],
        np.char.add(
            GIVEN[rng.integers(0, len(GIVEN), residents)],
            GIVEN[rng.integers(0, len(GIVEN), residents)],
        ),
    )
    ids = id_numbers(residents, rng)
    phones = np.char.add(
        "13", np.char.zfill(rng.integers(0, 10**9, residents).astype(str), 9)
    )
    residence = np.where(rng.random(residents) < 0.8, "户籍", "流动")
    categories = np.where(
        rng.random(residents) < 0.17,
        CATEGORY_NAMES[rng.integers(0, len(CATEGORY_NAMES), residents)],
        "",
    )
    by_address = rng.random(residents) < 0.1
    address = np.where(
        by_address,
        np.char.add(
            np.char.add(np.char.add(b_addr, units), "单元"), np.char.add(rooms, "室")
        ),
        "",
    )
    b_col = np.where(by_address, "", b_ids)
    u_col = np.where(by_address, "", units)
    r_col = np.where(by_address, "", rooms)
    lines = ["姓名,身份证号,联系电话,人口类型,重点人员类别,建筑编号,单元,室号,标准地址"]
    columns = (names, ids, phones, residence, categories, b_col, u_col, r_col, address)
    lines += [",".join(row) for row in zip(*(c.tolist() for c in columns), strict=True)]
    out.write_bytes("\n".join(lines).encode("gbk"))
    return residents


def main() -> int:
    """Make the city and the roster, time the import and the counts, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, nargs=2, default=(100, 100))
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--houses", type=int, default=400_000)
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args()
    work = ROOT / "out" / "register"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    project = work / "city.gpkg"
    started = time.perf_counter()
    city = write_city(project, grids=tuple(args.grids))
    made = time.perf_counter() - started
    source = work / "居民登记.csv"
    started = time.perf_counter()
    rows = roster(project, source, args.residents, args.houses)
    generated = time.perf_counter() - started
    size_mb = source.stat().st_size / 1e6

    store = open_project(project)
    started, cpu = time.perf_counter(), time.process_time()
    plan = plan_register(store, source, "residents")
    planned = time.perf_counter() - started
    planned_cpu = time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    report = apply_register(store, plan)
    applied = time.perf_counter() - started
    applied_cpu = time.process_time() - cpu
    total = planned + applied
    assert report.residents_added == rows, report.lines()
    assert report.houses_added == args.houses, report.lines()

    times, cpus = [], []
    for _ in range(3):
        started, cpu = time.perf_counter(), time.process_time()
        counts = category_counts(open_project(project))
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    count_time = min(times)
    assert int(counts.streets["residents"].sum()) == rows
    assert int(counts.grids["houses"].sum()) == args.houses
    key = {c.zh: int(counts.streets[c.id].sum()) for c in store.settings.categories}
    stats = open_project(project)
    registered = int(
        stats.count("buildings")
        - stats.count("buildings", where={"reg_households": None})
    )

    import os

    load = os.getloadavg()[2]
    lines = [
        "# Information base benchmark: 1,000,000 residents in 400,000 houses",
        "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}; load average {load:.1f} over the last 15 "
        "minutes (the machine is shared with other work).",
        "",
        "Produced by `make bench BENCH=register` (`bench/bench_register.py`). The city "
        "is the synthetic city of `bench/city.py`; the roster is generated by the bench "
        "(see its docstring): a GBK CSV with Chinese headings, valid ID numbers, mobile "
        "numbers, 户籍/流动, key-person categories for about one person in six; nine rows "
        "in ten name the house by building ID, unit and room, one in ten by its "
        "standard address.",
        "",
        "| | |",
        "|---|---:|",
        f"| city: grids / buildings | {city.sizes['grids']:,} / {city.sizes['buildings']:,} |",
        f"| city generated and written | {made:.1f} s |",
        f"| roster rows (residents) / houses | {rows:,} / {args.houses:,} |",
        f"| roster generated and written ({size_mb:.0f} MB) | {generated:.1f} s |",
        f"| buildings with a register after the import | {registered:,} |",
        "",
        "## Import (goal: under 60 s)",
        "",
        "Wall-clock time, and the CPU time of the process (less sensitive to other "
        "work on the machine; SQLite's own writing is in it, reading threads are not).",
        "",
        "| phase | wall clock | CPU |",
        "|---|---:|---:|",
        f"| read, match every row to its building, check ID numbers, phones, categories, duplicates | {planned:.1f} s | {planned_cpu:.1f} s |",
        f"| write houses, residents, buildings' registered counts and the totals of their grids, communities and streets (one transaction) | {applied:.1f} s | {applied_cpu:.1f} s |",
        f"| **import in all** | **{total:.1f} s** ({'goal met' if total < IMPORT_GOAL else 'goal NOT met'}) | {planned_cpu + applied_cpu:.1f} s |",
        "",
        "## Key persons per grid, community and street of the whole city (goal: under 3 s)",
        "",
        f"Best of 3: **{count_time:.2f} s** ({'goal met' if count_time < COUNT_GOAL else 'goal NOT met'}; "
        f"all runs: {', '.join(f'{t:.2f}' for t in times)} s; CPU "
        f"{', '.join(f'{t:.2f}' for t in cpus)} s). On a GeoPackage the houses' and "
        "residents' links are read as Arrow arrays and counted with NumPy; SQLite "
        "finds the registered buildings' grids on the index of `houses.building_id`.",
        "",
        "| category | people |",
        "|---|---:|",
        *(f"| {name} | {n:,} |" for name, n in key.items()),
        "",
        HISTORY,
        "",
    ]
    args.report.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
