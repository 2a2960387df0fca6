"""Helpers of the fault suite: copies of the demo, a content signature, the checks."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from gridgis.core.store import gpkgblob
from tests.conftest import ROOT, SYSTEM_PYTHON, VALIDATE_GPKG


def signature(path: Path) -> str:
    """What a command changes, without time stamps: grids, history, log, links."""
    conn = sqlite3.connect(path)
    try:
        parts = []
        for sql in (
            "SELECT code, kind, community_code, hex(geom) FROM grids ORDER BY code",
            "SELECT revision, code FROM grid_history ORDER BY revision, code",
            "SELECT fid, id, grid_code, households FROM buildings ORDER BY id",
            "SELECT id, grid_code FROM facilities ORDER BY id",
            "SELECT code, households, population FROM communities ORDER BY code",
            "SELECT staff_id, grid_code, role FROM assignments ORDER BY 1, 2, 3",
        ):
            parts.append(repr(conn.execute(sql).fetchall()))
        (log,) = conn.execute(
            "SELECT value FROM settings WHERE key = 'division_log'"
        ).fetchone() or (None,)
        entries = json.loads(log) if log else []
        parts.append(repr([(e["revision"], e["community_code"]) for e in entries]))
    finally:
        conn.close()
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of ``path`` (opened for writing, as SQLite recovers)."""
    conn = sqlite3.connect(path)
    try:
        gpkgblob.register_functions(conn)
        return ";".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def validate_all(paths: list[Path]) -> dict[str, list[str]]:
    """Errors the system GDAL's ``validate_gpkg.py`` finds, per file (one process)."""
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(Path(VALIDATE_GPKG).parent)!r})\n"
        "import validate_gpkg\n"
        "out = {}\n"
        "for p in sys.argv[1:]:\n"
        "    try:\n"
        "        out[p] = [str(e) for e in validate_gpkg.check(p, "
        "abort_at_first_error=False, warning_msg=False)]\n"
        "    except Exception as exc:\n"
        "        out[p] = [repr(exc)]\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", script, *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_worker(runs: list[dict], plan: Path) -> list[dict]:
    """Run the fault worker on ``runs``; one result per run."""
    plan.write_text(json.dumps(runs))
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.worker", str(plan)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in done.stdout.splitlines() if line]
    assert len(results) == len(runs), done.stderr[-3000:]
    for result in results:
        result["stderr"] = done.stderr
    return results


COMMUNITY = "320508019044"


def small_project(path: Path) -> Path:
    """One street, one 300 m community of nine grids and 36 buildings: divides fast."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from gridgis.core.settings import Settings
    from gridgis.core.store import GeoPackageStore

    x0, y0 = 500_000.0, 3_460_000.0
    store = GeoPackageStore.create(path, Settings.default(4549, "320508"))

    def frame(rows, geoms):  # type: ignore[no-untyped-def]
        return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=4549)

    with store.transaction() as tx:
        tx.insert(
            "streets",
            frame(
                [{"code": "320508019", "name": "东园街道"}],
                [box(x0, y0, x0 + 300, y0 + 300)],
            ),
        )
        tx.insert(
            "communities",
            frame(
                [{"code": COMMUNITY, "name": "幸福里社区", "street_code": "320508019"}],
                [box(x0, y0, x0 + 300, y0 + 300)],
            ),
        )
        cells = [(i, j) for i in range(3) for j in range(3)]
        tx.insert(
            "grids",
            frame(
                [
                    {
                        "code": f"{COMMUNITY}{k + 1:03d}",
                        "name": f"第{k + 1}网格",
                        "community_code": COMMUNITY,
                        "kind": "residential",
                    }
                    for k in range(len(cells))
                ],
                [box(x0 + 100 * i, y0 + 100 * j, x0 + 100 * i + 100, y0 + 100 * j + 100)
                 for i, j in cells],
            ),
        )  # fmt: skip
        spots = [(15 + 50 * i, 15 + 50 * j) for i in range(6) for j in range(6)]
        tx.insert(
            "buildings",
            frame(
                [
                    {"id": f"B{k}", "households": 40 + 3 * k, "population": 100,
                     "use": "residential"}
                    for k in range(len(spots))
                ],
                [box(x0 + x, y0 + y, x0 + x + 20, y0 + y + 20) for x, y in spots],
            ),
        )  # fmt: skip
    from gridgis.core.link import link_project

    link_project(store)
    return path
