"""The community revision: every store moves it on writes and checks it atomically."""

import sqlite3

import pandas as pd
import pytest

from gridgis.core.errors import ConflictError
from gridgis.core.store import GeoPackageStore, MemoryStore, gpkgblob, open_project
from gridgis.core.store.base import Revision
from tests.conftest import validate_gpkg
from tests.core.test_store import _grids

A, B = "320508019044", "320508019045"


@pytest.fixture(params=["gpkg", "memory"])
def store(request, tmp_path, settings):
    if request.param == "memory":
        return MemoryStore(settings)
    return GeoPackageStore.create(tmp_path / "p.gpkg", settings)


def test_a_write_moves_its_community_once_and_records_who_and_which_tool(store):
    assert store.revisions([A]) == {A: Revision(A, 0)}
    with store.transaction(tool="gridgis divide") as tx:
        tx.insert("grids", _grids(3, A))
        tx.insert("grids", _grids(1, B))
    revs = store.revisions([A, B])
    assert (revs[A].number, revs[B].number) == (1, 1)
    assert (revs[A].tool, revs[A].by) == ("gridgis divide", store.user)
    assert revs[A].at is not None
    grids = store.read("grids", where={"community_code": A})
    with store.transaction() as tx:
        tx.update("grids", grids[["households"]].assign(households=5))
    assert store.revisions([A])[A].number == 1  # totals are derived: no change
    with store.transaction(tool="edit") as tx:
        tx.delete("grids", grids.index[:1].to_numpy())
    assert store.revisions([A])[A].number == 2
    assert store.revisions([B])[B].number == 1
    # The revisions are the community_revisions layer, as any layer reads.
    layer = store.read("community_revisions").set_index("community_code")
    assert layer.loc[A, "revision"] == 2
    assert layer.loc[A, "tool"] == "edit"


def test_expect_revisions_refuses_a_change_made_since_reading(store):
    with store.transaction(tool="first") as tx:
        tx.insert("grids", _grids(2, A))
    seen = {A: store.revisions([A])[A].number}
    with store.transaction(tool="gridgis import") as tx:
        tx.insert("grids", _grids(1, A).assign(code=f"{A}009"))
    conflict = pytest.raises(ConflictError, match=r"gridgis import.*revision 1 → 2")
    with conflict, store.transaction() as tx:
        tx.expect_revisions(seen)
        tx.delete_where("grids", {"community_code": A})
    assert store.count("grids") == 3


def test_bump_without_rows_and_reads_inside_a_transaction_see_its_writes(store):
    with store.transaction(tool="note") as tx:
        assert tx.bump_revisions([B]) == {B: 1}
        tx.insert("grids", _grids(2, A))
        assert store.count("grids", where={"community_code": A}) == 2
        assert len(store.read("grids", where={"community_code": A})) == 2
        with store.transaction() as inner:  # joins the open transaction
            assert inner is tx
    assert store.revisions([B])[B] == Revision(
        B, 1, store.user, store.revisions([B])[B].at, "note"
    )


def test_a_plain_sqlite_edit_moves_the_revision(tmp_path, settings):
    path = tmp_path / "p.gpkg"
    store = GeoPackageStore.create(path, settings)
    with store.transaction() as tx:
        tx.insert("grids", _grids(2, A))
    with sqlite3.connect(path) as conn:
        gpkgblob.register_functions(conn)  # what GDAL or QGIS provide
        conn.execute("UPDATE grids SET name = 'x' WHERE code = ?", (f"{A}001",))
        conn.execute("UPDATE grids SET households = 9")  # derived: no move
    rev = open_project(path).revisions([A])[A]
    assert (rev.number, rev.by, rev.tool) == (2, None, None)
    assert isinstance(rev.at, pd.Timestamp)
    assert validate_gpkg(path).returncode == 0
