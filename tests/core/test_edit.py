"""Grid edits as reversible change sets: split, merge, reshape, draw, move a building."""

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, box

from gridgis.core.edit import (
    apply_changes,
    assign_staff,
    draw_grid,
    merge_grids,
    move_building,
    reshape_grid,
    set_ab_partner,
    split_grid,
    unassign_staff,
    update_attributes,
)
from gridgis.core.errors import GeometryError, SchemaError
from gridgis.core.link import link_project
from tests.conftest import COMMUNITY

X0, Y0 = 500_000.0, 3_460_000.0


def _fid(store, code):
    grids = store.read("grids")
    return int(grids.index[grids["code"] == f"{COMMUNITY}{code}"][0])


def _snapshot(store):
    grids = store.read("grids").sort_index()
    return [(fid, row["code"], row.geometry.wkb) for fid, row in grids.iterrows()]


def _tiles_community(store):
    grids = store.read("grids", where={"community_code": COMMUNITY})
    community = box(X0, Y0, X0 + 200, Y0 + 200)
    union = shapely.union_all(np.asarray(grids.geometry.values))
    overlap = grids.geometry.area.sum() - union.area
    return union.symmetric_difference(community).area < 1e-6 and overlap < 1e-6


def _grid_of(store, building_id):
    buildings = store.read("buildings").set_index("id")
    return buildings.loc[building_id, "grid_code"]


@pytest.fixture
def district(small_district):
    link_project(small_district)
    return small_district


def test_split_undo_redo(district):
    before = _snapshot(district)
    line = LineString([(X0 + 50, Y0 - 5), (X0 + 50, Y0 + 105)])
    applied = apply_changes(district, split_grid(district, _fid(district, "003"), line))
    grids = district.read("grids").set_index("code")
    assert len(grids) == 5
    assert grids.geometry[f"{COMMUNITY}003"].area == pytest.approx(5000)
    assert grids.geometry[f"{COMMUNITY}005"].area == pytest.approx(5000)
    assert grids.at[f"{COMMUNITY}005", "name"] == "幸福里第5网格"
    assert _tiles_community(district)
    assert _grid_of(district, "B3") == f"{COMMUNITY}003"
    after = _snapshot(district)

    apply_changes(district, applied.inverse())
    assert _snapshot(district) == before
    assert (
        district.read("grids").set_index("code").loc[f"{COMMUNITY}003", "households"]
        == 10
    )

    apply_changes(district, applied)
    assert _snapshot(district) == after


def test_split_refuses_lines_through_buildings_or_beside_the_grid(district):
    through = LineString([(X0 + 25, Y0 - 5), (X0 + 25, Y0 + 105)])
    with pytest.raises(GeometryError, match="runs through building"):
        split_grid(district, _fid(district, "003"), through)
    beside = LineString([(X0 + 150, Y0 - 5), (X0 + 150, Y0 + 105)])
    with pytest.raises(GeometryError, match="does not cut grid"):
        split_grid(district, _fid(district, "003"), beside)


def test_merge_moves_staff_and_undoes(district):
    with district.transaction() as tx:
        import pandas as pd

        tx.insert("staff", pd.DataFrame({"id": ["S1", "S2"], "name": ["王芳", "李强"]}))
        tx.insert(
            "assignments",
            pd.DataFrame(
                {
                    "staff_id": ["S1", "S2", "S2"],
                    "grid_code": [
                        f"{COMMUNITY}003",
                        f"{COMMUNITY}004",
                        f"{COMMUNITY}003",
                    ],
                    "role": ["grid_leader", "full_time", "full_time"],
                }
            ),
        )
    before = _snapshot(district)
    change = merge_grids(district, [_fid(district, "004"), _fid(district, "003")])
    applied = apply_changes(district, change)
    grids = district.read("grids").set_index("code")
    assert sorted(grids.index) == [f"{COMMUNITY}00{k}" for k in (1, 2, 3)]
    assert grids.geometry[f"{COMMUNITY}003"].area == pytest.approx(20000)
    assert grids.at[f"{COMMUNITY}003", "households"] == 50
    assignments = district.read("assignments")
    assert sorted(
        zip(assignments["staff_id"], assignments["grid_code"], strict=True)
    ) == [
        ("S1", f"{COMMUNITY}003"),
        ("S2", f"{COMMUNITY}003"),
    ]
    apply_changes(district, applied.inverse())
    assert _snapshot(district) == before
    assert len(district.read("assignments")) == 3


def test_merge_refuses_grids_touching_at_a_corner(district):
    with pytest.raises(GeometryError, match="2 pieces"):
        merge_grids(district, [_fid(district, "001"), _fid(district, "004")])


def test_reshape_takes_area_from_the_neighbour(district):
    line = LineString(
        [
            (X0 + 100, Y0 + 80),
            (X0 + 130, Y0 + 80),
            (X0 + 130, Y0 + 20),
            (X0 + 100, Y0 + 20),
        ]
    )
    applied = apply_changes(
        district, reshape_grid(district, _fid(district, "003"), line)
    )
    grids = district.read("grids").set_index("code")
    assert grids.geometry[f"{COMMUNITY}003"].area == pytest.approx(11800)
    assert grids.geometry[f"{COMMUNITY}004"].area == pytest.approx(8200)
    assert _tiles_community(district)
    apply_changes(district, applied.inverse())
    assert district.read("grids").set_index("code").geometry[
        f"{COMMUNITY}004"
    ].area == (pytest.approx(10000))


def test_reshape_hands_a_cut_off_corner_to_a_neighbour(district):
    line = LineString([(X0 + 50, Y0 + 100), (X0 + 50, Y0 + 50), (X0 + 100, Y0 + 50)])
    apply_changes(district, reshape_grid(district, _fid(district, "003"), line))
    grids = district.read("grids").set_index("code")
    assert grids.geometry[f"{COMMUNITY}003"].area == pytest.approx(7500)
    assert _tiles_community(district)


def test_reshape_refuses_to_cut_a_building(district):
    line = LineString([(X0 + 100, Y0 + 45), (X0 + 155, Y0 + 45), (X0 + 100, Y0 + 30)])
    with pytest.raises(GeometryError, match="building"):
        reshape_grid(district, _fid(district, "003"), line)


def test_draw_grid_fills_only_free_land(district):
    with district.transaction() as tx:
        tx.delete("grids", [_fid(district, "004")])
    assert not _tiles_community(district)
    shape = box(X0 + 90, Y0 - 10, X0 + 210, Y0 + 110)
    apply_changes(district, draw_grid(district, COMMUNITY, shape, name="新建网格"))
    grids = district.read("grids").set_index("code")
    assert grids.at[f"{COMMUNITY}004", "name"] == "新建网格"
    assert grids.geometry[f"{COMMUNITY}004"].equals(
        box(X0 + 100, Y0, X0 + 200, Y0 + 100)
    )
    assert _tiles_community(district)
    assert _grid_of(district, "B4") == f"{COMMUNITY}004"


def test_move_building_to_a_neighbouring_grid(district):
    fid = int(district.read("buildings").query("id == 'B3'").index[0])
    applied = apply_changes(district, move_building(district, fid, f"{COMMUNITY}001"))
    assert _grid_of(district, "B3") == f"{COMMUNITY}001"
    assert _tiles_community(district)
    grids = district.read("grids").set_index("code")
    assert grids.at[f"{COMMUNITY}001", "households"] == 60
    assert grids.geometry.map(lambda g: g.geom_type).eq("Polygon").all()
    apply_changes(district, applied.inverse())
    assert _grid_of(district, "B3") == f"{COMMUNITY}003"


def test_move_building_only_to_neighbours(district):
    fid = int(district.read("buildings").query("id == 'B3'").index[0])
    with pytest.raises(GeometryError, match="does not border"):
        move_building(district, fid, f"{COMMUNITY}002")


def test_attribute_edit_undoes(district):
    fid = _fid(district, "001")
    original = district.read("grids").loc[fid, "name"]
    applied = apply_changes(
        district, update_attributes(district, "grids", fid, {"name": "一号"})
    )
    assert district.read("grids").loc[fid, "name"] == "一号"
    apply_changes(district, applied.inverse())
    assert district.read("grids").loc[fid, "name"] == original


def _add_staff(store):
    import pandas as pd

    with store.transaction() as tx:
        tx.insert(
            "staff",
            pd.DataFrame(
                {
                    "id": ["S1", "S2"],
                    "name": ["王芳", "李强"],
                    "phone": ["13800000001", "13800000002"],
                }
            ),
        )


def test_assign_and_unassign_staff_undo(district):
    _add_staff(district)
    code = f"{COMMUNITY}001"
    applied = apply_changes(district, assign_staff(district, code, "S1", "grid_leader"))
    rows = district.read("assignments", where={"grid_code": code})
    assert rows[["staff_id", "role"]].values.tolist() == [["S1", "grid_leader"]]
    assert "王芳" in applied.description.zh
    with pytest.raises(SchemaError, match="already holds"):
        assign_staff(district, code, "S1", "grid_leader")
    with pytest.raises(SchemaError, match="role catalogue"):
        assign_staff(district, code, "S2", "astronaut")
    with pytest.raises(SchemaError, match="no staff member"):
        assign_staff(district, code, "S9", "grid_leader")

    removed = apply_changes(district, unassign_staff(district, int(rows.index[0])))
    assert district.read("assignments", where={"grid_code": code}).empty
    apply_changes(district, removed.inverse())
    again = district.read("assignments", where={"grid_code": code})
    assert list(again.index) == list(rows.index)
    apply_changes(district, applied.inverse())
    assert district.read("assignments").empty


def test_ab_partners_are_mutual_adjacent_and_undo(district):
    one, two, three = (_fid(district, c) for c in ("001", "002", "003"))
    apply_changes(district, set_ab_partner(district, one, f"{COMMUNITY}002"))
    grids = district.read("grids").set_index("code")
    assert grids.at[f"{COMMUNITY}001", "ab_partner"] == f"{COMMUNITY}002"
    assert grids.at[f"{COMMUNITY}002", "ab_partner"] == f"{COMMUNITY}001"
    # Re-pairing 001 with 003 unpairs 002.
    apply_changes(district, set_ab_partner(district, one, f"{COMMUNITY}003"))
    grids = district.read("grids").set_index("code")
    assert grids.at[f"{COMMUNITY}003", "ab_partner"] == f"{COMMUNITY}001"
    assert pd_isna(grids.at[f"{COMMUNITY}002", "ab_partner"])
    with pytest.raises(GeometryError, match="do not share a border"):
        set_ab_partner(district, two, f"{COMMUNITY}003")
    apply_changes(district, set_ab_partner(district, three, None))
    grids = district.read("grids").set_index("code")
    assert pd_isna(grids.at[f"{COMMUNITY}001", "ab_partner"])
    assert pd_isna(grids.at[f"{COMMUNITY}003", "ab_partner"])


def pd_isna(value):
    import pandas as pd

    return value is None or pd.isna(value)


def test_division_as_a_reversible_change(demo_copy):
    from gridgis.core.divide import divide_community, division_history
    from gridgis.core.edit import division_changes
    from gridgis.core.errors import GridGisError
    from gridgis.core.store import open_project

    store = open_project(demo_copy)
    grids = store.read("grids")
    code = str(grids["community_code"].iloc[0])
    before = store.read("grids", where={"community_code": code}).sort_index()
    division = divide_community(store, code)
    applied = apply_changes(store, division_changes(store, division))
    after = store.read("grids", where={"community_code": code})
    assert sorted(after["code"]) == sorted(division.grids["code"])
    assert set(after.index).isdisjoint(before.index)
    assert after["households"].sum() == before["households"].sum()
    history = store.read("grid_history")
    assert sorted(history["code"]) == sorted(before["code"])
    assert division_history(store, code)["revision"].tolist() == [1]
    # A division computed on grids that changed since is refused.
    with pytest.raises(GridGisError, match="changed after"):
        division_changes(store, division)

    apply_changes(store, applied.inverse())
    restored = store.read("grids", where={"community_code": code}).sort_index()
    assert list(restored.index) == list(before.index)
    assert restored.geometry.equals(before.geometry)
    assert store.read("grid_history").empty
    apply_changes(store, applied)
    assert sorted(
        store.read("grids", where={"community_code": code})["code"]
    ) == sorted(division.grids["code"])


def test_merge_keeps_the_kept_grids_pair_and_undoes_pairs_with_merged_grids(district):
    one, two = _fid(district, "001"), _fid(district, "002")
    apply_changes(district, set_ab_partner(district, one, f"{COMMUNITY}003"))
    apply_changes(district, set_ab_partner(district, two, f"{COMMUNITY}004"))
    applied = apply_changes(district, merge_grids(district, [one, two]))
    grids = district.read("grids").set_index("code")
    assert grids.at[f"{COMMUNITY}001", "ab_partner"] == f"{COMMUNITY}003"
    assert grids.at[f"{COMMUNITY}003", "ab_partner"] == f"{COMMUNITY}001"
    assert pd_isna(grids.at[f"{COMMUNITY}004", "ab_partner"])
    apply_changes(district, applied.inverse())
    grids = district.read("grids").set_index("code")
    assert grids.at[f"{COMMUNITY}004", "ab_partner"] == f"{COMMUNITY}002"
    assert grids.at[f"{COMMUNITY}002", "ab_partner"] == f"{COMMUNITY}004"
