"""Snapshots: the layers read once, whole or around one community."""

import numpy as np
import pytest
import shapely

from gridgis.core.errors import SchemaError
from gridgis.core.link import apply_link, link_project, plan_link
from gridgis.core.snapshot import COLUMNS, Snapshot
from gridgis.core.store import open_project
from gridgis.core.testing import assert_same_content


def test_a_community_read_through_sqlite_equals_a_store_read(demo_copy):
    store = open_project(demo_copy)
    code = "320599001002"
    snap = Snapshot.load(store, community=code)
    assert snap.community == code
    grids = snap.frame("grids")
    assert set(grids["community_code"]) >= {code}
    # Every building of the community is there, with the dtypes of a store read.
    whole = store.read("buildings", columns=list(COLUMNS["buildings"]))
    community = store.read("communities", where={"code": code}).geometry.iloc[0]
    inside = whole[whole.geometry.centroid.within(community)]
    mine = snap.frame("buildings")
    assert set(inside.index) <= set(mine.index)
    assert_same_content(mine, whole.loc[mine.index], check_index=True)
    for layer in ("grids", "assignments", "staff", "communities"):
        frame = snap.frame(layer)
        read = store.read(layer, columns=list(COLUMNS[layer]))
        assert list(frame.dtypes) == list(read.dtypes), layer
        assert_same_content(frame, read.loc[frame.index], check_index=True)


def test_an_unknown_community_says_how_to_find_codes(demo_copy):
    with pytest.raises(SchemaError, match="no community 320599009009") as error:
        Snapshot.load(open_project(demo_copy), community="320599009009")
    assert "gridgis stats" in str(error.value)


def test_frames_in_memory_are_cut_to_the_community(demo_copy):
    store = open_project(demo_copy)
    whole = Snapshot.load(store)
    code = "320599003004"
    mine = Snapshot.from_frames(whole.frames, store.settings, community=code)
    from_file = Snapshot.load(store, community=code)
    for layer in ("grids", "buildings", "facilities", "assignments", "staff"):
        assert sorted(mine.frame(layer).index) == sorted(from_file.frame(layer).index)
    # Missing columns are filled in, missing layers are not provided.
    partial = Snapshot.from_frames(
        {"grids": whole.frame("grids")[["code", "community_code", "kind", "geometry"]]},
        store.settings,
    )
    assert partial.frame("grids")["ab_partner"].isna().all()
    assert not partial.has("buildings")
    assert len(partial.frame("buildings")) == 0


def test_a_plan_writes_nothing_until_applied(demo_copy):
    store = open_project(demo_copy)
    with store.transaction() as tx:
        buildings = store.read("buildings", columns=["grid_code"])
        tx.update("buildings", buildings.assign(grid_code=None)[["grid_code"]])
    plan = plan_link(store)
    assert store.read("buildings")["grid_code"].isna().all()
    assert (
        plan.report.written["buildings"]
        == 3022 - plan.report.building_grid.isna().sum()
    )
    report = apply_link(store, plan)
    stored = store.read("buildings")["grid_code"]
    assert stored.notna().sum() == report.written["buildings"]
    linked = report.snapshot.frame("buildings")["grid_code"]
    assert linked.tolist() == stored.tolist()
    # The report's snapshot holds what the file holds: checking it finds nothing stale.
    from gridgis.core.validate import validate_project

    issues = validate_project(store, snapshot=report.snapshot, rules=["linkage.stale"])
    assert issues == []


def test_linking_a_community_writes_only_that_community(demo_copy):
    store = open_project(demo_copy)
    before = store.read("grids").set_index("code")["households"]
    community = "320599003004"
    grids = store.read("grids", where={"community_code": community})
    b = store.read("buildings")
    inside = b[b.geometry.centroid.within(grids.geometry.iloc[0])]
    with store.transaction() as tx:
        tx.update("buildings", inside[["households"]] + 10)
    report = link_project(store, community=community)
    after = store.read("grids").set_index("code")["households"]
    code = grids["code"].iloc[0]
    assert after[code] == before[code] + 10 * len(inside)
    others = after.index[~after.index.str.startswith(community)]
    assert (after[others] == before[others]).all()
    assert set(report.grids["code"]) == set(grids["code"])
    assert np.all(shapely.is_valid(report.snapshot.geoms("grids")))
