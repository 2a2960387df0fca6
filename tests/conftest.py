"""Fixtures shared by the whole suite: sample settings, stores, the demo district."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GRIDGIS_LANG", "en")

from gridgis.core.i18n import set_language
from gridgis.core.settings import Settings
from gridgis.core.store import GeoPackageStore, MemoryStore, Store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo.gpkg"
SYSTEM_PYTHON = "/usr/bin/python3"
VALIDATE_GPKG = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"


def validate_gpkg(path: Path) -> subprocess.CompletedProcess[str]:
    """Run the system GDAL's GeoPackage validator on ``path``."""
    return subprocess.run(
        [SYSTEM_PYTHON, VALIDATE_GPKG, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the suite's language (English), whatever the last one set."""
    set_language(None)
    yield
    set_language(None)


@pytest.fixture
def settings() -> Settings:
    return Settings.default(crs_epsg=4549, code_prefix="320508")


@pytest.fixture(params=["gpkg", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path, settings: Settings) -> Store:
    """An empty project in each kind of store (the contract every store keeps)."""
    if request.param == "gpkg":
        return GeoPackageStore.create(tmp_path / "project.gpkg", settings)
    return MemoryStore(settings)


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL/PostGIS cluster on a free loopback port, for the session.

    Missing PostgreSQL skips the PostGIS tests on a desk, and fails them under CI.
    """
    from tests import pgcluster

    try:
        cluster = pgcluster.start()
    except pgcluster.ClusterUnavailable as exc:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"PostGIS tests need PostgreSQL/PostGIS under CI: {exc}")
        pytest.skip(f"PostgreSQL/PostGIS is not available here: {exc}")
    yield cluster
    cluster.drop()


@pytest.fixture
def pg_uri(pg_cluster) -> str:
    """The address of a fresh empty database (with PostGIS) in the test cluster."""
    return pg_cluster.uri(pg_cluster.new_database())


@pytest.fixture
def pg_demo(demo_copy, pg_uri) -> str:
    """The demo district copied into a fresh PostGIS database; its address."""
    from gridgis.core.store import copy_project, open_project

    with open_project(demo_copy) as source:
        copy_project(source, pg_uri).close()
    return pg_uri


COMMUNITY = "320508019044"
OTHER = "320508019045"


def _insert(store, layer, rows, geoms):
    with store.transaction() as tx:
        return tx.insert(
            layer, gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=4549)
        )


def _building(i, x, y, hh, size=10.0):
    return {
        "id": f"B{i}",
        "households": hh,
        "population": 3 * hh,
        "use": "residential",
    }, box(x, y, x + size, y + size)


@pytest.fixture
def small_district(store):
    """Two communities side by side; the first has four 100 m grids, the second none."""
    x0, y0 = 500_000.0, 3_460_000.0
    _insert(
        store,
        "streets",
        [{"code": "320508019", "name": "东园街道"}],
        [box(x0, y0, x0 + 400, y0 + 200)],
    )
    _insert(
        store,
        "communities",
        [
            {"code": COMMUNITY, "name": "幸福里社区", "street_code": "320508019"},
            {"code": OTHER, "name": "新华社区", "street_code": "320508019"},
        ],
        [box(x0, y0, x0 + 200, y0 + 200), box(x0 + 200, y0, x0 + 400, y0 + 200)],
    )
    grids = []
    for k, (gx, gy) in enumerate([(0, 100), (100, 100), (0, 0), (100, 0)]):
        grids.append(
            (
                {
                    "code": f"{COMMUNITY}{k + 1:03d}",
                    "name": f"第{k + 1}网格",
                    "community_code": COMMUNITY,
                    "kind": "residential",
                },
                box(x0 + gx, y0 + gy, x0 + gx + 100, y0 + gy + 100),
            )
        )
    _insert(store, "grids", [g[0] for g in grids], [g[1] for g in grids])
    rows, geoms = [], []
    for i, (x, y, hh) in enumerate(
        [
            (20, 120, 30),
            (40, 150, 20),
            (130, 130, 50),
            (20, 20, 10),
            (150, 40, 40),
            (260, 60, 70),
        ]
    ):
        row, geom = _building(i, x0 + x, y0 + y, hh)
        rows.append(row)
        geoms.append(geom)
    # A building straddling grids 001 and 002 (its inside point lies in 002).
    row, geom = _building(99, x0 + 90, y0 + 160, 15, size=30)
    rows.append(row)
    geoms.append(geom)
    _insert(store, "buildings", rows, geoms)
    _insert(
        store,
        "facilities",
        [
            {"id": "F1", "name": "社区服务站", "category": "service_station"},
            {"id": "F2", "name": "警务室", "category": "police"},
        ],
        [Point(x0 + 50, y0 + 50), Point(x0 + 300, y0 + 100)],
    )
    return store


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped demo district."""
    target = tmp_path / "demo.gpkg"
    shutil.copyfile(DEMO, target)
    return target
