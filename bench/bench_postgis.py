"""Benchmark: the synthetic city in PostGIS beside the GeoPackage.

In one run, on a throwaway PostgreSQL 15 / PostGIS 3 cluster on this machine (fsync on,
as a server would run):

1. write the city (:mod:`bench.city`, unlinked) to a GeoPackage;
2. ``gridgis copy`` it into PostGIS (one transaction, ``COPY``);
3. link + validate it from the GeoPackage and from PostGIS (``validation_report`` with
   ``link=True``, as ``gridgis validate --link`` does) — both must find the same;
4. 8 simulated planners, each in a process of its own and in a community of its own,
   edit for 60 s: read the community's revision and a grid, then in one transaction
   check the revision and add 1 to the grid's ``min_households``. A lost update would
   leave a grid's counter below the number of edits that committed. Then 4 planners on
   2 communities (two per community) for 20 s: conflicts are expected and counted, lost
   updates are not.

Writes ``bench/reports/postgis.md``. ``GRIDS=40`` for a 40 × 40 city (160,000 buildings)
while trying; the default 100 × 100 city has 1,000,000 buildings.
``BENCH_POSTGIS_ONLY=planners`` runs step 4 only (on the city copied into PostGIS, with
``GRIDS=40`` unless told) and adds its tables to the report.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

OUT = HERE / "out"
REPORT = HERE / "reports" / "postgis.md"
ONLY = os.environ.get("BENCH_POSTGIS_ONLY", "")
SIDE = int(os.environ.get("GRIDS", "40" if ONLY == "planners" else "100"))
PLANNERS = 8
SECONDS = float(os.environ.get("SECONDS", "60"))
CONTENDED_SECONDS = 20.0
#: A planner looks at the map between two edits.
THINK = 0.1


def _link_validate(location: str) -> dict[str, Any]:
    from gridgis.core.store import open_project
    from gridgis.core.validate import validation_report

    start = time.perf_counter()
    with open_project(location) as store:
        report = validation_report(store, link=True)
    return {
        "seconds": time.perf_counter() - start,
        "found": dict(Counter(i.rule for i in report.issues)),
        "phases": dict(report.phases),
    }


def _validate(location: str) -> float:
    """Validate the (linked) project without linking it again."""
    from gridgis.core.store import open_project
    from gridgis.core.validate import validate_project

    start = time.perf_counter()
    with open_project(location) as store:
        validate_project(store)
    return time.perf_counter() - start


def _in_child(function: Any, *args: Any) -> Any:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def _planner(location: str, community: str, seconds: float, seed: int) -> dict:
    """Edit one grid of ``community`` again and again; report what committed."""
    import pandas as pd

    from gridgis.core.errors import ConflictError
    from gridgis.core.store import open_project

    store = open_project(location)
    grids = store.read("grids", where={"community_code": community}, columns=["code"])
    fid = int(grids.index[seed % len(grids)])
    commits: list[float] = []
    conflicts = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        read = {community: store.revisions([community])[community].number}
        value = store.read("grids", where={"code": grids.loc[fid, "code"]},
                           columns=["min_households"])["min_households"].iloc[0]  # fmt: skip
        value = 0 if pd.isna(value) else int(value)
        start = time.perf_counter()
        try:
            with store.transaction(tool="bench planner") as tx:
                tx.expect_revisions(read)
                tx.update(
                    "grids", pd.DataFrame({"min_households": [value + 1]}, index=[fid])
                )
        except ConflictError:
            conflicts += 1
        else:
            commits.append(time.perf_counter() - start)
        time.sleep(THINK)
    store.close()
    return {"community": community, "fid": fid, "commits": commits,
            "conflicts": conflicts}  # fmt: skip


def _planners(location: str, communities: list[str], seconds: float) -> dict[str, Any]:
    from gridgis.core.store import open_project

    with open_project(location) as store:
        fids = store.read("grids", columns=["min_households"])
        before = fids["min_households"].fillna(0).astype(int)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(len(communities)) as pool:
        results = pool.starmap(
            _planner,
            [(location, c, seconds, 0) for c in communities],
        )
    with open_project(location) as store:
        after = store.read("grids", columns=["min_households"])["min_households"]
    after = after.fillna(0).astype(int)
    committed: Counter[int] = Counter()
    for r in results:
        committed[r["fid"]] += len(r["commits"])
    lost = sum(committed[f] - (after[f] - before[f]) for f in committed)
    times = sorted(t for r in results for t in r["commits"])
    return {
        "planners": len(communities),
        "seconds": seconds,
        "commits": len(times),
        "conflicts": sum(r["conflicts"] for r in results),
        "lost": int(lost),
        "p50": statistics.median(times) if times else float("nan"),
        "p95": times[int(0.95 * (len(times) - 1))] if times else float("nan"),
        "max": times[-1] if times else float("nan"),
    }


def main() -> None:
    """Run every step and write the report."""
    from bench.city import write_city
    from gridgis.core.store import copy_project, open_project
    from tests import pgcluster

    OUT.mkdir(exist_ok=True)
    gpkg = OUT / f"postgis-city-{SIDE}.gpkg"
    start = time.perf_counter()
    city = write_city(gpkg, linked=False, overwrite=True, grids=(SIDE, SIDE))
    wrote = time.perf_counter() - start
    sizes = dict(city.sizes)
    print(f"city {sizes} written in {wrote:.1f} s", flush=True)
    with pgcluster.running(fsync=True) as cluster:
        location = cluster.uri(cluster.new_database())
        start = time.perf_counter()
        with open_project(gpkg) as source:
            copy_project(source, location).close()
        copied = time.perf_counter() - start
        print(f"copied into PostGIS in {copied:.1f} s", flush=True)
        if ONLY == "planners":
            apart, together = _planners_at_work(location)
            _write_report(_planners_only_report(sizes, apart, together))
            assert apart["lost"] == 0
            assert together["lost"] == 0
            return
        file_copy = OUT / f"postgis-city-{SIDE}-linked.gpkg"
        file_copy.write_bytes(gpkg.read_bytes())
        on_file = _in_child(_link_validate, str(file_copy))
        print(f"link + validate, GeoPackage: {on_file['seconds']:.1f} s", flush=True)
        on_pg = _in_child(_link_validate, location)
        print(f"link + validate, PostGIS: {on_pg['seconds']:.1f} s", flush=True)
        on_file["validate"] = _in_child(_validate, str(file_copy))
        on_pg["validate"] = _in_child(_validate, location)
        print(f"validate: {on_file['validate']:.1f} s / {on_pg['validate']:.1f} s")
        apart, together = _planners_at_work(location)
    same = on_file["found"] == on_pg["found"]
    _report(sizes, wrote, copied, on_file, on_pg, same, apart, together)
    assert same, (on_file["found"], on_pg["found"])
    assert apart["lost"] == 0
    assert together["lost"] == 0


def _planners_at_work(location: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """8 planners in 8 communities, then 4 planners two by two in 2 communities."""
    from gridgis.core.store import open_project

    with open_project(location) as store:
        grids = store.read("grids", columns=["community_code"])
    communities = sorted(set(grids["community_code"]))
    spread = communities[:: max(1, len(communities) // PLANNERS)][:PLANNERS]
    apart = _planners(location, spread, SECONDS)
    print(f"8 planners: {apart}", flush=True)
    pairs = [c for c in spread[:2] for _ in range(2)]
    together = _planners(location, pairs, CONTENDED_SECONDS)
    print(f"4 planners on 2 communities: {together}", flush=True)
    return apart, together


def _run_line() -> str:
    return (
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, shared), Python {platform.python_version()}, "
        "PostgreSQL 15 + PostGIS 3 (Debian packages, a cluster of its own, fsync on, "
        "loopback). `make bench BENCH=postgis` "
        f"(`GRIDS={SIDE}`{', BENCH_POSTGIS_ONLY=planners' if ONLY else ''})."
    )


def _planner_lines(apart: dict[str, Any], together: dict[str, Any]) -> list[str]:
    ms = 1000.0
    lines = [
        "## Planners at work",
        "",
        f"Each planner is a process of its own; an edit reads the community's revision "
        f"and one grid, then in one transaction checks the revision (row lock) and adds "
        f"1 to the grid's `min_households`; {THINK * ms:.0f} ms between edits. Commit "
        "time is the whole transaction (begin, check, write, the change-log entry "
        "numbered from the change-set sequence, commit).",
        "",
        "| planners | communities | seconds | commits | conflicts | lost updates | "
        "p50 ms | p95 ms | max ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row, n in ((apart, PLANNERS), (together, 2)):
        lines.append(
            f"| {row['planners']} | {n} | {row['seconds']:.0f} | {row['commits']:,} | "
            f"{row['conflicts']:,} | {row['lost']} | {row['p50'] * ms:.1f} | "
            f"{row['p95'] * ms:.1f} | {row['max'] * ms:.1f} |"
        )
    lines += [
        "",
        "Planners in different communities never conflict; two planners in one "
        "community do, and the one refused writes nothing (it would reload and edit "
        "again). A lost update would show as a counter below its committed edits.",
        "",
    ]
    return lines


def _planners_only_report(
    sizes: dict[str, int], apart: dict[str, Any], together: dict[str, Any]
) -> list[str]:
    return [
        "# PostGIS: planners at work",
        "",
        _run_line(),
        "",
        "The city: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()),
        "",
        *_planner_lines(apart, together),
    ]


def _write_report(lines: list[str]) -> None:
    REPORT.parent.mkdir(exist_ok=True)
    previous = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    # The newest run on top, earlier runs (other city sizes) below it.
    REPORT.write_text("\n".join(lines) + ("\n---\n\n" + previous if previous else ""),
                      encoding="utf-8")  # fmt: skip
    print(f"wrote {REPORT}")


def _report(sizes, wrote, copied, on_file, on_pg, same, apart, together) -> None:
    ratio = on_pg["seconds"] / on_file["seconds"]
    lines = [
        "# PostGIS beside the GeoPackage",
        "",
        _run_line(),
        "",
        "## The city",
        "",
        ", ".join(f"{k} {v:,}" for k, v in sizes.items()),
        "",
        "| step | seconds |",
        "|---|---:|",
        f"| write the GeoPackage (unlinked) | {wrote:.1f} |",
        f"| `gridgis copy` GeoPackage → PostGIS (one transaction, COPY) | {copied:.1f} |",
        f"| link + validate from the GeoPackage | {on_file['seconds']:.1f} |",
        f"| link + validate from PostGIS | {on_pg['seconds']:.1f} |",
        f"| validate (already linked) from the GeoPackage | {on_file['validate']:.1f} |",
        f"| validate (already linked) from PostGIS | {on_pg['validate']:.1f} |",
        "",
        "Link phases (s), GeoPackage / PostGIS: "
        + ", ".join(
            f"{k} {on_file['phases'][k]:.1f} / {on_pg['phases'][k]:.1f}"
            for k in on_file["phases"]
        )
        + ".",
        "",
        f"PostGIS / GeoPackage for link + validate: **{ratio:.2f}×** (goal ≤ 1.5×). "
        f"Same findings on both: **{'yes' if same else 'NO'}** "
        f"({sum(on_file['found'].values()):,} issues).",
        "",
        *_planner_lines(apart, together),
    ]
    _write_report(lines)


if __name__ == "__main__":
    main()
