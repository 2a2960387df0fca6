"""Large attribute updates: indexes and R-tree triggers come back, all or nothing."""

import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gridgis.core.errors import SchemaError
from gridgis.core.store import GeoPackageStore
from tests.conftest import validate_gpkg

N = 6000  # above the store's bulk threshold


def _schema_objects(path):
    with sqlite3.connect(path) as conn:
        return sorted(
            conn.execute(
                "SELECT type, name FROM sqlite_master WHERE tbl_name = 'buildings' "
                "AND type IN ('index', 'trigger')"
            ).fetchall()
        )


@pytest.fixture
def city(tmp_path, settings):
    path = tmp_path / "bulk.gpkg"
    store = GeoPackageStore.create(path, settings)
    x = 500_000 + 20.0 * (np.arange(N) % 100)
    y = 3_460_000 + 20.0 * (np.arange(N) // 100)
    frame = gpd.GeoDataFrame(
        {"id": [f"B{k}" for k in range(N)], "households": 1},
        geometry=shapely.box(x, y, x + 10, y + 10),
        crs=4549,
    )
    with store.transaction() as tx:
        tx.insert("buildings", frame)
    return store


def test_a_large_update_keeps_indexes_triggers_and_the_rtree(city):
    before = _schema_objects(city.path)
    buildings = city.read("buildings", columns=["grid_code"])
    codes = pd.DataFrame(
        {"grid_code": [f"320508001001{k % 7 + 1:03d}" for k in range(N)]},
        index=buildings.index,
    )
    with city.transaction() as tx:
        tx.update("buildings", codes)
    assert _schema_objects(city.path) == before
    back = city.read("buildings", where={"grid_code": "320508001001003"})
    assert len(back) == len(codes[codes["grid_code"] == "320508001001003"])
    assert (
        len(city.read("buildings", bbox=(500_000, 3_460_000, 500_050, 3_460_050))) == 9
    )
    assert validate_gpkg(city.path).returncode == 0


def test_a_failed_large_update_leaves_everything_as_it_was(city):
    before = _schema_objects(city.path)
    buildings = city.read("buildings", columns=["grid_code"])
    codes = pd.DataFrame({"grid_code": "x"}, index=[*buildings.index, 10**9])
    with pytest.raises(SchemaError, match="no longer exist"), city.transaction() as tx:
        tx.update("buildings", codes)
    assert _schema_objects(city.path) == before
    assert city.read("buildings")["grid_code"].isna().all()
