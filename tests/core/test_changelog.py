"""The audit trail: every change set recorded with who, when, tool and rows, unalterable."""

import json
import sqlite3

import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, box

from gridgis.core import schema
from gridgis.core.audit import acting_as, os_user
from gridgis.core.divide import DivisionOptions, apply_division, divide_community
from gridgis.core.divide.history import restore_grids
from gridgis.core.edit import apply_changes, split_grid
from gridgis.core.errors import SchemaError
from gridgis.core.history import change_sets, grids_at, read_log
from gridgis.core.link import link_project
from gridgis.core.store import GeoPackageStore, open_project
from gridgis.core.store.changelog import COMPACT_ROWS, MASK, row_geometry
from tests.conftest import COMMUNITY, OTHER, _insert

X0, Y0 = 500_000.0, 3_460_000.0


def _log(store):
    return store.read("changes").sort_values(["change_set", "layer", "feature_fid"])


@pytest.fixture
def district(small_district):
    link_project(small_district)
    return small_district


def test_an_app_edit_is_one_change_set_with_rows_before_and_after(district):
    grids = district.read("grids")
    fid = int(grids.index[grids["code"] == f"{COMMUNITY}003"][0])
    old_geometry = grids.geometry[fid]
    first = int(district.read("changes")["change_set"].max())
    line = LineString([(X0 + 50, Y0 - 5), (X0 + 50, Y0 + 105)])
    with acting_as("app: split"):
        apply_changes(district, split_grid(district, fid, line))
    log = _log(district)
    edit = log[log["change_set"] == first + 1]
    assert set(edit["tool"]) == {"app: split"}
    assert set(edit["changed_by"]) == {os_user()}
    assert (pd.Timestamp.now() - edit["changed_at"].iloc[0]) < pd.Timedelta(hours=14)
    # The split's own rows, then the relink of the same transaction (compact rows).
    relink = edit[edit["feature_fid"].isna()]
    edit = edit[edit["feature_fid"].notna()]
    assert set(edit["operation"]) == {"insert", "update"}
    # Besides the new outline, the split suggests AB partners again (updates too).
    reshaped = edit[(edit["operation"] == "update") & (edit["feature_fid"] == fid)]
    update = reshaped[reshaped["after"].str.contains('"geometry"')].iloc[0]
    assert update["layer"] == "grids"
    assert update["feature_fid"] == fid
    assert update["grid_code"] == f"{COMMUNITY}003"
    assert update["community_code"] == COMMUNITY
    assert row_geometry(update["before"]).equals(old_geometry)
    assert row_geometry(update["after"]).area == pytest.approx(5000)
    assert json.loads(update["after"])["code"] == f"{COMMUNITY}003"
    insert = edit[edit["operation"] == "insert"].iloc[0]
    assert insert["before"] is None
    assert json.loads(insert["after"])["code"] == f"{COMMUNITY}005"
    # The relink lands in the same change set: one edit, one transaction.
    assert not (log["change_set"] == first + 2).any()
    grids_row = relink[relink["layer"] == "grids"].iloc[0]
    assert json.loads(grids_row["after"])["households"]
    # The version right before the edit comes back from the log.
    past = grids_at(district, first, grid=f"{COMMUNITY}003")
    assert len(past) == 1
    assert past.geometry.iloc[0].equals(old_geometry)
    assert len(grids_at(district, first, community=COMMUNITY)) == 4
    assert len(grids_at(district, first + 1, community=COMMUNITY)) == 5


def test_undo_is_logged_too(district):
    grids = district.read("grids")
    fid = int(grids.index[grids["code"] == f"{COMMUNITY}003"][0])
    line = LineString([(X0 + 50, Y0 - 5), (X0 + 50, Y0 + 105)])
    applied = apply_changes(district, split_grid(district, fid, line), relink=False)
    apply_changes(district, applied.inverse(), relink=False)
    sets = change_sets(district, grid=f"{COMMUNITY}005", language="en")
    assert list(sets["tool"]) == ["undo split", "split"]
    assert sets["what"].iloc[0] == "Grids: delete 1"  # grid 005 went away again


def test_a_failed_transaction_leaves_no_log(store):
    with pytest.raises(RuntimeError), store.transaction(tool="x") as tx:
        tx.insert("streets", _street())
        raise RuntimeError("boom")
    assert store.count("changes") == 0
    assert store.count("streets") == 0


def _street():
    import geopandas as gpd

    return gpd.GeoDataFrame(
        {"code": ["320508019"], "name": ["东园街道"]},
        geometry=[box(0, 0, 10, 10)],
        crs=4549,
    )


def test_nobody_edits_the_log_through_gridgis(store):
    with store.transaction(tool="gridgis import") as tx:
        tx.insert("streets", _street())
    log = store.read("changes")
    assert list(log["tool"]) == ["gridgis import"]
    for write in (
        lambda tx: tx.insert("changes", log),
        lambda tx: tx.update("changes", log[["tool"]].assign(tool="forged")),
        lambda tx: tx.delete("changes", log.index),
        lambda tx: tx.delete_where("changes", {"tool": "gridgis import"}),
        lambda tx: tx.replace("changes", log, where={}),
    ):
        with (
            pytest.raises(SchemaError, match="cannot be written"),
            store.transaction() as tx,
        ):
            write(tx)
    assert store.read("changes")["tool"].tolist() == ["gridgis import"]


def test_the_geopackage_refuses_sql_edits_of_the_log(tmp_path, settings):
    store = GeoPackageStore.create(tmp_path / "p.gpkg", settings)
    with store.transaction() as tx:
        tx.insert("streets", _street())
    conn = sqlite3.connect(tmp_path / "p.gpkg")
    for statement in ("UPDATE changes SET tool = 'forged'", "DELETE FROM changes"):
        with pytest.raises(sqlite3.IntegrityError, match="cannot be edited"):
            conn.execute(statement)
    conn.close()
    assert store.read("changes")["tool"].tolist() == ["python"]


def test_personal_fields_are_masked_and_photos_left_out(store):
    staff = pd.DataFrame(
        {
            "id": ["S1"],
            "name": ["王芳"],
            "phone": ["13912345678"],
            "photo": [b"\x89PNG..."],
        }
    )
    with store.transaction() as tx:
        tx.insert("staff", staff)
    after = json.loads(store.read("changes")["after"].iloc[0])
    assert after["name"] == "王芳"
    assert after["phone"] == MASK
    assert "photo" not in after
    assert "13912345678" not in store.read("changes").to_csv()


def test_large_writes_are_one_summary_row(store):
    n = COMPACT_ROWS + 5
    buildings = [
        {"id": f"B{i}", "households": 1, "grid_code": f"{COMMUNITY}001"}
        for i in range(n)
    ]
    geoms = [box(i, 0, i + 0.5, 0.5) for i in range(n)]
    fids = _insert(store, "buildings", buildings, geoms)
    with store.transaction(tool="link") as tx:
        tx.update("buildings", pd.DataFrame({"grid_code": [None] * n}, index=fids))
    log = _log(store)
    assert len(log) == 2
    assert list(log["rows"]) == [n, n]
    assert list(log["operation"]) == ["insert", "update"]
    assert log["community_code"].iloc[0] == COMMUNITY
    update = json.loads(log["after"].iloc[1])
    assert update["field"] == "grid_code"
    assert update["by_value"] == [[None, [int(f) for f in fids]]]


def test_a_link_is_recorded_as_fids_by_grid_code(store):
    buildings = [{"id": f"B{i}", "households": 1} for i in range(6)]
    fids = _insert(
        store, "buildings", buildings, [box(i, 0, i + 1, 1) for i in range(6)]
    )
    codes = [f"{COMMUNITY}001", f"{OTHER}002", None, f"{COMMUNITY}001", None]
    frame = pd.DataFrame({"grid_code": [*codes, f"{OTHER}002"]}, index=fids)
    with store.transaction(tool="link") as tx:
        tx.update("buildings", frame)
    row = _log(store).iloc[-1]
    assert row["rows"] == 6
    assert row["community_code"] == f"{COMMUNITY},{OTHER}"
    after = json.loads(row["after"])
    f = [int(x) for x in fids]
    assert after["by_value"] == [
        [None, [f[2], f[4]]],
        [f"{COMMUNITY}001", [f[0], f[3]]],
        [f"{OTHER}002", [f[1], f[5]]],
    ]
    assert store.read("buildings").loc[f[5], "grid_code"] == f"{OTHER}002"


def test_bookkeeping_layers_are_not_logged(store):
    import geopandas as gpd

    issues = gpd.GeoDataFrame(
        {"rule": ["r"], "severity": ["error"], "level": ["grid"]},
        geometry=[box(0, 0, 1, 1)],
        crs=4549,
    )
    with store.transaction() as tx:
        tx.insert("issues", issues)
    assert store.count("issues") == 1
    assert store.count("changes") == 0


def test_a_division_and_its_restore_are_logged(demo_copy):
    community = "320599001004"
    store = open_project(demo_copy)
    start = int(store.read("changes")["change_set"].max())
    division = divide_community(store, community, DivisionOptions())
    with acting_as("gridgis divide"):
        revision = apply_division(store, division)
    divided = store.read("grids", where={"community_code": community})
    assert len(divided) > 0
    restore_grids(store, revision)  # from a script: the library's own name
    assert store.count("grids", where={"community_code": community}) == 0

    sets = change_sets(store, community=community, language="en")
    sets = sets[sets["change_set"] > start]
    # A division and its link are one change set, and so are a restore and its link.
    assert list(sets["tool"]) == ["gridgis divide --restore", "gridgis divide"]
    assert "Grids: insert" in sets["what"].iloc[1]
    assert "Buildings: update" in sets["what"].iloc[1]
    assert f"Grids: delete {len(divided)}" in sets["what"].iloc[0]
    assert list(sets["change_set"]) == [start + 2, start + 1]
    assert (sets["changed_by"] == os_user()).all()
    # The divided grids, as they were, come back from the log.
    past = grids_at(store, start + 1, community=community)
    assert sorted(past["code"]) == sorted(divided["code"])
    assert shapely.equals(
        past.sort_values("code").geometry.values,
        divided.sort_values("code").geometry.values,
    ).all()
    assert grids_at(store, start, community=community).empty
    # A grid's rows: its own and the buildings linked into it.
    code = divided["code"].iloc[0]
    assert set(read_log(store, grid=code)["layer"]) >= {"grids", "buildings"}


def test_filters_check_the_codes(store):
    with pytest.raises(SchemaError, match="either a community or a grid"):
        read_log(store, community=COMMUNITY, grid=f"{COMMUNITY}001")
    with pytest.raises(Exception, match="digits"):
        read_log(store, community="12")
    assert change_sets(store, community=OTHER).empty


def test_an_older_file_gains_the_log_on_its_first_write(tmp_path, settings):
    path = tmp_path / "old.gpkg"
    GeoPackageStore.create(path, settings)
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER changes_no_update")
    conn.execute("DROP TRIGGER changes_no_delete")
    conn.execute("DROP TABLE changes")
    conn.execute("DELETE FROM gpkg_contents WHERE table_name = 'changes'")
    conn.execute("DELETE FROM gpkg_data_columns WHERE table_name = 'changes'")
    conn.execute("UPDATE settings SET value = '3' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    store = open_project(path)
    # Opening writes nothing; the first write migrates the file, then logs itself.
    with store.transaction(tool="gridgis import") as tx:
        tx.insert("streets", _street())
    assert open_project(path).settings.schema_version == schema.SCHEMA_VERSION == 4
    assert store.read("changes")["tool"].tolist() == ["gridgis import"]
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM changes")
    conn.close()
