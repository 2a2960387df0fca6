import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from gridgis.core import schema
from gridgis.core.errors import CrsError, ProjectFileError, SchemaError
from gridgis.core.settings import HouseholdBand
from gridgis.core.store import (
    GeoPackageStore,
    MemoryStore,
    PostGISStore,
    Store,
    open_project,
)
from gridgis.core.testing import sample_frame
from tests.conftest import validate_gpkg


def _grids(n: int, community: str = "320508019044") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": [f"{community}{i + 1:03d}" for i in range(n)],
            "name": [f"第{i + 1}网格" for i in range(n)],
            "community_code": community,
            "kind": "residential",
        },
        geometry=[
            box(500000 + 100 * i, 3460000, 500100 + 100 * i, 3460100) for i in range(n)
        ],
        crs=4549,
    )


@pytest.fixture(params=["gpkg", "memory", "postgis"])
def store(request, tmp_path, settings) -> Iterator[Store]:
    """An empty project in every kind of store: the contract each one keeps."""
    if request.param == "gpkg":
        yield GeoPackageStore.create(tmp_path / "project.gpkg", settings)
    elif request.param == "postgis":
        cluster = request.getfixturevalue("pg_cluster")
        with PostGISStore.create(cluster.uri(cluster.new_database()), settings) as made:
            yield made
    else:
        yield MemoryStore(settings)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_project_is_a_valid_geopackage(tmp_path, settings):
    path = tmp_path / "p.gpkg"
    GeoPackageStore.create(path, settings)
    result = validate_gpkg(path)
    assert result.returncode == 0, result.stdout + result.stderr
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == set(schema.LAYER_NAMES)
    assert layers["grids"] == "Polygon"
    assert layers["staff"] is None
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 10200


def test_create_refuses_to_overwrite_and_to_write_into_missing_folders(
    tmp_path, settings
):
    path = tmp_path / "p.gpkg"
    GeoPackageStore.create(path, settings)
    with pytest.raises(ProjectFileError, match="already exists"):
        GeoPackageStore.create(path, settings)
    GeoPackageStore.create(path, settings, overwrite=True)
    with pytest.raises(ProjectFileError, match="does not exist"):
        GeoPackageStore.create(tmp_path / "nowhere" / "p.gpkg", settings)
    assert [p.name for p in tmp_path.iterdir()] == ["p.gpkg"]


def test_settings_survive_reopening(tmp_path, settings):
    path = tmp_path / "p.gpkg"
    store = GeoPackageStore.create(path, settings)
    changed = settings.with_changes(
        household_bands={
            "residential": HouseholdBand(50, 100),
            "unit": HouseholdBand(0, 80),
            "special": HouseholdBand(0, 200),
        },
        hotline="0512-65220000",
    )
    store.write_settings(changed)
    reopened = open_project(path).settings
    assert reopened.band("residential") == HouseholdBand(50, 100)
    assert reopened.hotline == "0512-65220000"
    assert reopened.roles == settings.roles
    assert reopened.crs_epsg == 4549


def test_reads_filter_by_attribute_box_and_columns(store):
    with store.transaction() as tx:
        tx.insert("grids", _grids(5))
        tx.insert("grids", _grids(2, community="320508019045"))
    assert store.count("grids") == 7
    assert store.count("grids", where={"community_code": "320508019045"}) == 2
    some = store.read("grids", where={"code": ["320508019044002", "320508019044004"]})
    assert sorted(some["code"]) == ["320508019044002", "320508019044004"]
    boxed = store.read("grids", bbox=(500150, 3460010, 500250, 3460020))
    assert sorted(boxed["code"]) == [
        "320508019044002",
        "320508019044003",
        "320508019045002",
    ]
    narrow = store.read("grids", columns=["code"])
    assert list(narrow.columns) == ["code", "geometry"]
    assert store.read("grids", where={"households": None}).shape[0] == 7
    with pytest.raises(SchemaError):
        store.read("grids", where={"colour": "red"})


def test_update_and_delete_by_fid(store):
    with store.transaction() as tx:
        fids = tx.insert("grids", _grids(3))
    with store.transaction() as tx:
        tx.update("grids", pd.DataFrame({"households": [420, 380]}, index=fids[:2]))
        tx.delete("grids", [fids[2]])
    grids = store.read("grids")
    assert grids["households"].tolist() == [420, 380]
    with pytest.raises(SchemaError, match="no longer exist"), store.transaction() as tx:
        tx.update("grids", pd.DataFrame({"households": [1]}, index=[fids[2]]))


def test_geometry_updates_move_the_spatial_index(store):
    with store.transaction() as tx:
        (fid,) = tx.insert("grids", _grids(1))
    moved = gpd.GeoDataFrame(
        geometry=[box(600000, 3500000, 600100, 3500100)], index=[fid], crs=4549
    )
    with store.transaction() as tx:
        tx.update("grids", moved)
    assert len(store.read("grids", bbox=(600010, 3500010, 600020, 3500020))) == 1
    assert len(store.read("grids", bbox=(500010, 3460010, 500020, 3460020))) == 0


def test_replace_where(store):
    with store.transaction() as tx:
        tx.insert("grids", _grids(4))
        tx.insert("grids", _grids(2, community="320508019045"))
    with store.transaction() as tx:
        tx.replace("grids", _grids(2), where={"community_code": "320508019044"})
    assert store.count("grids", where={"community_code": "320508019044"}) == 2
    assert store.count("grids") == 4


def test_fids_are_never_reused(store):
    with store.transaction() as tx:
        first = tx.insert("grids", _grids(2))
        tx.delete("grids", first)
    with store.transaction() as tx:
        second = tx.insert("grids", _grids(1))
    assert second[0] > max(first)


def test_failed_transaction_changes_nothing(store):
    with store.transaction() as tx:
        tx.insert("grids", _grids(2))
    before = store.read("grids")
    with pytest.raises(CrsError), store.transaction() as tx:
        tx.insert("grids", _grids(3, community="320508019046"))
        tx.update("grids", pd.DataFrame({"households": [7]}, index=[before.index[0]]))
        tx.insert("grids", _grids(1).to_crs(4490))
    after = store.read("grids")
    pd.testing.assert_frame_equal(
        pd.DataFrame(before.drop(columns="geometry")),
        pd.DataFrame(after.drop(columns="geometry")),
    )


def test_failed_write_leaves_the_file_byte_for_byte_unchanged(tmp_path, settings):
    path = tmp_path / "p.gpkg"
    store = GeoPackageStore.create(path, settings)
    with store.transaction() as tx:
        tx.insert("grids", _grids(50))
        tx.insert("buildings", sample_frame("buildings", 200))
    digest = _digest(path)
    big = sample_frame("buildings", 20000, seed=3)
    with pytest.raises(RuntimeError, match="power cut"), store.transaction() as tx:
        tx.insert("buildings", big)
        tx.delete_where("grids", {"community_code": "320508019044"})
        raise RuntimeError("power cut")
    assert _digest(path) == digest
    assert validate_gpkg(path).returncode == 0
    assert open_project(path).count("grids") == 50


def test_bulk_inserts_keep_the_spatial_index_complete(tmp_path, settings):
    path = tmp_path / "p.gpkg"
    store = GeoPackageStore.create(path, settings)
    frame = sample_frame("buildings", 12000, seed=1)
    with store.transaction() as tx:
        tx.insert("buildings", frame)
    with sqlite3.connect(path) as conn:
        assert (
            conn.execute("SELECT count(*) FROM rtree_buildings_geom").fetchone()[0]
            == 12000
        )
        triggers = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            )
        }
    assert "rtree_buildings_geom_insert" in triggers
    assert validate_gpkg(path).returncode == 0


def test_missing_file_folder_and_foreign_files_get_clear_errors(tmp_path):
    with pytest.raises(ProjectFileError, match="There is no project file at"):
        open_project(tmp_path / "missing.gpkg")
    with pytest.raises(ProjectFileError, match="is a folder"):
        open_project(tmp_path)
    text = tmp_path / "notes.gpkg"
    text.write_text("not a database" * 20, encoding="utf-8")
    with pytest.raises(ProjectFileError, match="not an SQLite database"):
        open_project(text)
    foreign = tmp_path / "foreign.gpkg"
    frame = sample_frame("grids", 2)
    frame.to_file(foreign, layer="grids", engine="pyogrio", VERSION="1.2")
    with pytest.raises(ProjectFileError, match="not a GridGIS project"):
        open_project(foreign)
    plain = tmp_path / "plain.sqlite"
    sqlite3.connect(plain).execute("CREATE TABLE t (a)").connection.commit()
    with pytest.raises(ProjectFileError, match="not a GeoPackage"):
        open_project(plain)


def test_file_from_a_newer_gridgis_is_refused(tmp_path, settings):
    path = tmp_path / "p.gpkg"
    GeoPackageStore.create(path, settings)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE settings SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(ProjectFileError, match="newer GridGIS"):
        open_project(path)


def _make_version_1(path: Path) -> None:
    """Turn a current project into what GridGIS schema version 1 wrote."""
    conn = sqlite3.connect(path, isolation_level=None)
    from gridgis.core.store.gpkgblob import register_functions

    register_functions(conn)
    conn.execute("BEGIN")
    for table in ("issues", "grid_history"):
        conn.execute(f'DROP TABLE "{table}"')
        conn.execute(f'DROP TABLE "rtree_{table}_geom"')
        for meta in (
            "gpkg_geometry_columns",
            "gpkg_extensions",
            "gpkg_data_columns",
            "gpkg_contents",
        ):
            conn.execute(f"DELETE FROM {meta} WHERE table_name = ?", (table,))
    conn.execute('DROP INDEX IF EXISTS "idx_buildings_number"')
    conn.execute('ALTER TABLE buildings DROP COLUMN "number"')
    conn.execute(
        "DELETE FROM gpkg_data_columns WHERE table_name = 'buildings' "
        "AND column_name = 'number'"
    )
    conn.execute(
        "DELETE FROM settings WHERE key IN ('household_bands', 'schema_version')"
    )
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('household_band', '[50, 100]')"
    )
    conn.execute("INSERT INTO settings (key, value) VALUES ('schema_version', '1')")
    conn.execute("COMMIT")
    conn.close()


def test_version_1_project_is_migrated_on_open(tmp_path, settings):
    path = tmp_path / "old.gpkg"
    store = GeoPackageStore.create(path, settings)
    buildings = sample_frame("buildings", 3)
    with store.transaction() as tx:
        tx.insert("grids", _grids(3))
        tx.insert("buildings", buildings)
    _make_version_1(path)
    assert "number" not in pyogrio.read_info(path, layer="buildings")["fields"]

    migrated = open_project(path)
    assert migrated.settings.schema_version == schema.SCHEMA_VERSION
    assert migrated.settings.band("residential") == HouseholdBand(50, 100)
    assert migrated.settings.band("unit") == HouseholdBand(0, 500)
    back = migrated.read("buildings")
    assert back["number"].isna().all()
    assert back["address"].tolist() == buildings["address"].tolist()
    assert migrated.count("grids") == 3
    assert migrated.count("issues") == 0
    assert validate_gpkg(path).returncode == 0
    with sqlite3.connect(path) as conn:
        stored = dict(conn.execute("SELECT key, value FROM settings"))
    assert json.loads(stored["schema_version"]) == schema.SCHEMA_VERSION
    assert "household_band" not in stored


def test_failed_migration_leaves_the_old_file(tmp_path, settings, monkeypatch):
    path = tmp_path / "old.gpkg"
    GeoPackageStore.create(path, settings)
    _make_version_1(path)
    digest = _digest(path)
    from gridgis.core.store import migrate

    def broken(conn):
        conn.execute("DELETE FROM settings")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setitem(migrate.STEPS, 1, broken)
    with pytest.raises(sqlite3.OperationalError):
        open_project(path)
    assert _digest(path) == digest


def test_memory_store_starts_empty_and_keeps_settings(settings):
    store = MemoryStore(settings)
    assert all(store.count(name) == 0 for name in schema.LAYER_NAMES)
    store.write_settings(settings.with_changes(hotline="110"))
    assert store.settings.hotline == "110"


def test_copy_of_a_project_is_independent(tmp_path, settings):
    a = tmp_path / "a.gpkg"
    GeoPackageStore.create(a, settings)
    b = tmp_path / "b.gpkg"
    shutil.copyfile(a, b)
    with open_project(b).transaction() as tx:
        tx.insert("grids", _grids(1))
    assert open_project(a).count("grids") == 0
    assert np.array_equal(open_project(b).read("grids").index, [1])


def test_large_attribute_updates_land_exactly(tmp_path, settings):
    # More rows than the bulk threshold: the store writes them as one statement.
    path = tmp_path / "p.gpkg"
    store = GeoPackageStore.create(path, settings)
    frame = sample_frame("buildings", 6000, seed=2)
    with store.transaction() as tx:
        fids = tx.insert("buildings", frame)
    codes = [f"32050801904400{k % 10}" if k % 7 else None for k in range(len(fids))]
    households = [k % 500 if k % 11 else None for k in range(len(fids))]
    change = pd.DataFrame(
        {"grid_code": codes, "households": households, "address": "桃花坞大街“甲”12号"},
        index=fids,
    )
    with store.transaction() as tx:
        tx.update("buildings", change)
    back = store.read("buildings").loc[fids]
    assert back["grid_code"].tolist() == codes
    assert (
        back["households"]
        .astype(object)
        .where(back["households"].notna(), None)
        .tolist()
        == households
    )
    assert (back["address"] == "桃花坞大街“甲”12号").all()
    assert store.count("buildings", where={"grid_code": "320508019044003"}) == sum(
        c == "320508019044003" for c in codes
    )
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert validate_gpkg(path).returncode == 0
    with pytest.raises(SchemaError, match="no longer exist"), store.transaction() as tx:
        tx.update("buildings", change.set_axis([*fids[:-1], 10**9]))
    assert store.read("buildings").loc[fids, "grid_code"].tolist() == codes
