"""A writer killed (SIGKILL) at random points leaves the project before or after.

Each writing command runs once to the end (to learn its "after" and how many SQLite
statements it runs), then again on fresh copies, each killed just before a randomly
chosen statement — reads, writes and the COMMIT alike. After every kill the project
must open again (recovering a hot journal), pass ``PRAGMA integrity_check`` and the
system GDAL's ``validate_gpkg.py``, and hold exactly what it held before the command
or what the finished command wrote.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import time

import pytest

from gridgis.core.divide import DivisionOptions, apply_division, divide_community
from gridgis.core.store import gpkgblob, open_project
from tests.faults.conftest import (
    COMMUNITY,
    integrity,
    run_worker,
    signature,
    small_project,
    validate_all,
)

KILLS_PER_COMMAND = 16


def _bases(tmp):  # type: ignore[no-untyped-def]
    """Small projects (one community), so that each run takes a fraction of a second."""
    plain = small_project(tmp / "plain.gpkg")
    divided = tmp / "divided.gpkg"
    shutil.copyfile(plain, divided)
    store = open_project(divided)
    apply_division(store, divide_community(store, COMMUNITY, DivisionOptions()))
    unlinked = tmp / "unlinked.gpkg"
    shutil.copyfile(plain, unlinked)
    with sqlite3.connect(unlinked) as conn:
        gpkgblob.register_functions(conn)
        conn.execute("UPDATE buildings SET grid_code = NULL")
    source = tmp / "buildings.gpkg"
    from gridgis.cli import main

    main.main(
        ["export", str(plain), "--layers", "buildings", "--out", str(source)],
        standalone_mode=False,
    )
    return {
        "divide": (plain, ["divide", "{p}", "--community", COMMUNITY]),
        "restore": (divided, ["divide", "{p}", "--restore", "1"]),
        "link": (unlinked, ["link", "{p}"]),
        "import": (
            plain,
            ["import", "{p}", str(source), "--layer", "buildings", "--mode", "replace"],
        ),
    }


def _copy(base, target):  # type: ignore[no-untyped-def]
    target.write_bytes(base.read_bytes())
    return target


@pytest.mark.slow
def test_sigkill_anywhere_leaves_the_project_before_or_after(tmp_path):
    seed = int(os.environ.get("GRIDGIS_FAULT_SEED", time.time_ns() % 100000))
    rng = random.Random(seed)
    bases = _bases(tmp_path)
    full = []
    for name, (base, argv) in bases.items():
        path = _copy(base, tmp_path / f"{name}-full.gpkg")
        full.append({"project": str(path), "argv": [a.format(p=path) for a in argv]})
    finished = run_worker(full, tmp_path / "full.json")
    after, statements, exits, seconds = {}, {}, {}, {}
    for name, run, result in zip(bases, full, finished, strict=True):
        # validate exits 1 when it finds errors in the demo: that is its answer
        assert result["exit"] in (0, 1), (name, result["stderr"][-2000:])
        exits[name] = result["exit"]
        after[name] = signature(run["project"])
        statements[name] = result["statements"]
        seconds[name] = result["seconds"]
        assert after[name] != signature(bases[name][0]), name
    runs, expected = [], []
    for name, (base, argv) in bases.items():
        for k in range(KILLS_PER_COMMAND):
            path = _copy(base, tmp_path / f"{name}-{k}.gpkg")
            # Half the kills come before a random SQLite statement, half at a random
            # moment of the run (inside a COMMIT, between statements).
            run = {"project": str(path), "argv": [a.format(p=path) for a in argv]}
            if k % 2:
                run["kill_after"] = rng.uniform(0.3, 0.95) * seconds[name]
            else:
                run["kill_at"] = rng.randint(1, statements[name])
            runs.append({**run, "name": name})
            expected.append((signature(base), after[name]))
    results = run_worker(runs, tmp_path / "kills.json")
    killed = [r for r in results if r["killed"]]
    # A timed kill may come after the command ended; statement kills always land.
    assert len(killed) >= 50, f"seed {seed}: only {len(killed)} kills"
    hot = sum(r["journal"] for r in killed)
    states = {"before": 0, "after": 0}
    for run, result, (before, done) in zip(runs, results, expected, strict=True):
        point = run.get("kill_at") or f"{run.get('kill_after', 0):.2f} s"
        where = f"seed {seed}, {run['name']} killed at {point}"
        assert result["exit"] in (None, exits[run["name"]]), (
            where,
            result["stderr"][-2000:],
        )
        store = open_project(run["project"])  # the next open works (and recovers)
        assert store.count("grids") > 0
        assert integrity(run["project"]) == "ok", where
        state = signature(run["project"])
        assert state in (before, done), f"{where}: neither before nor after"
        if result["killed"]:  # what the kills left
            states["before" if state == before else "after"] += 1
    errors = validate_all([r["project"] for r in runs])
    assert not any(errors.values()), {k: v for k, v in errors.items() if v}
    print(f"seed {seed}: {len(killed)} kills, {hot} left a hot journal, {states}")
    assert hot > 0, f"seed {seed}: no kill landed inside a transaction"
