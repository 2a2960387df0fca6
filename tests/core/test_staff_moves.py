"""Staff move with the grids: divisions, splits and merges carry the posts along."""

import pandas as pd
import pytest
from shapely.geometry import LineString

from gridgis.core.divide import apply_division, divide_community, restore_grids
from gridgis.core.edit import apply_changes, division_changes, split_grid
from gridgis.core.link import link_project
from gridgis.core.staff_moves import division_staff_moves, plan_staff_moves
from gridgis.core.store import open_project
from tests.conftest import COMMUNITY

#: A demo community with grids and staff (41 posts on 7 grids).
STAFFED = "320599001002"
KEY = ["staff_id", "grid_code", "role", "is_backup"]


def _posts(store):
    frame = store.read("assignments")[KEY]
    return frame.sort_values(KEY).reset_index(drop=True)


def _check_moves_follow_households(store, moves, old_grids):
    """Every moved post went to the new grid holding most of its old grid's homes."""
    buildings = store.read("buildings", columns=["households"])
    new = store.read("grids", where={"community_code": STAFFED})
    for move in moves.moves:
        old = old_grids.set_index("code").geometry[move.from_grid]
        points = buildings.geometry.representative_point()
        mine = buildings[points.within(old).to_numpy()]
        counts = {
            code: mine[mine.geometry.representative_point().within(g)][
                "households"
            ].sum()
            for code, g in zip(new["code"], new.geometry, strict=True)
        }
        assert counts[move.to_grid] == max(counts.values())


def test_a_division_keeps_the_staff_and_restore_puts_them_back(demo_copy):
    store = open_project(demo_copy)
    before = _posts(store)
    old_grids = store.read("grids", where={"community_code": STAFFED})
    old_codes = set(old_grids["code"])
    held = before[before["grid_code"].isin(old_codes)]
    division = divide_community(store, STAFFED)
    moves = division_staff_moves(store, division)
    assert len(moves.moves) == len(held)
    assert not moves.unplaced
    revision = apply_division(store, division)

    after = store.read("assignments")
    grids = store.read("grids", where={"community_code": STAFFED})
    # Nobody is left on a grid that no longer exists, nobody lost a post.
    assert set(after["grid_code"]) <= set(store.read("grids")["code"])
    mine = after[after["grid_code"].isin(set(grids["code"]))]
    folded = sum(m.folded for m in moves.moves)
    assert len(mine) == len(held) - folded
    assert set(zip(held["staff_id"], held["role"], strict=True)) == set(
        zip(mine["staff_id"], mine["role"], strict=True)
    )
    # Every grid leader of a replaced grid leads a new grid.
    leaders = set(held.loc[held["role"] == "grid_leader", "staff_id"])
    assert leaders <= set(mine.loc[mine["role"] == "grid_leader", "staff_id"])
    _check_moves_follow_households(store, moves, old_grids)
    # AB pairs suggested again: mutual pairs of the new grids.
    pairs = dict(zip(grids["code"], grids["ab_partner"], strict=True))
    assert sum(isinstance(p, str) for p in pairs.values()) >= len(grids) - 1
    assert all(pairs[p] == c for c, p in pairs.items() if isinstance(p, str))
    # The log says what moved.
    entry = store.settings.extra["division_log"][-1]
    assert len(entry["staff"]["moved"]) == len(held)

    restore_grids(store, revision)
    pd.testing.assert_frame_equal(_posts(store), before)


def test_the_apps_division_and_its_undo_move_the_posts(demo_copy):
    store = open_project(demo_copy)
    before = _posts(store)
    division = divide_community(store, STAFFED)
    applied = apply_changes(store, division_changes(store, division))
    codes = set(store.read("grids")["code"])
    assert set(store.read("assignments")["grid_code"]) <= codes
    apply_changes(store, applied.inverse())
    pd.testing.assert_frame_equal(_posts(store), before)
    apply_changes(store, applied)
    assert set(store.read("assignments")["grid_code"]) <= codes


def test_a_split_sends_the_staff_with_most_households(small_district):
    store = small_district
    link_project(store)
    code = f"{COMMUNITY}003"
    with store.transaction() as tx:
        tx.insert("staff", pd.DataFrame({"id": ["S1"], "name": ["王芳"]}))
        tx.insert(
            "assignments",
            pd.DataFrame({"staff_id": ["S1"], "grid_code": [code], "role": ["grid_leader"],
                          "is_backup": [False]}),
        )  # fmt: skip
    grids = store.read("grids")
    fid = int(grids.index[grids["code"] == code][0])
    line = LineString([(500_050.0, 3_459_995.0), (500_050.0, 3_460_105.0)])
    applied = apply_changes(store, split_grid(store, fid, line))
    grids = store.read("grids").set_index("code")
    pieces = grids.loc[[code, f"{COMMUNITY}005"]]
    richest = pieces["households"].idxmax()
    assert store.read("assignments")["grid_code"].tolist() == [richest]
    apply_changes(store, applied.inverse())
    assert store.read("assignments")["grid_code"].tolist() == [code]


def test_posts_of_a_grid_with_no_successor_are_listed():
    import geopandas as gpd
    from shapely.geometry import box

    old = gpd.GeoDataFrame({"code": ["g1", "g2"]},
                           geometry=[box(0, 0, 100, 100), box(500, 0, 600, 100)])  # fmt: skip
    new = gpd.GeoDataFrame({"code": ["n1"], "community_code": "c"},
                           geometry=[box(0, 0, 100, 100)])  # fmt: skip
    posts = pd.DataFrame({"staff_id": ["s1", "s2"], "grid_code": ["g1", "g2"],
                          "role": ["full_time"] * 2, "is_backup": [False] * 2})  # fmt: skip
    buildings = gpd.GeoDataFrame({"households": []}, geometry=[])
    plan = plan_staff_moves(old, new, buildings, posts)
    assert [(m.staff_id, m.to_grid) for m in plan.moves] == [("s1", "n1")]
    assert [m.staff_id for m in plan.unplaced] == ["s2"]
    assert "s2" in plan.to_text("en")
    assert "could not be placed" in plan.to_text("en")
    assert "无法安置" in plan.to_text("zh")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_report_lists_the_moves(demo_copy, language):
    store = open_project(demo_copy)
    moves = division_staff_moves(store, divide_community(store, STAFFED))
    text = moves.to_text(language)
    assert text.count("→") == len(moves.moves)
    assert "AB" in text
    assert "<li>" in moves.to_html(language)


def test_gridgis_divide_prints_what_moves_and_restore_puts_it_back(demo_copy):
    from click.testing import CliRunner

    from gridgis.cli import main

    before = _posts(open_project(demo_copy))

    def run(*args):
        result = CliRunner().invoke(main, ["--lang", "en", *args])
        assert result.exit_code == 0, result.output
        return result.output

    output = run("divide", str(demo_copy), "--community", STAFFED)
    assert "Staff moved with the grids: 41 post(s) moved, 0 could not be placed" in (
        output
    )
    assert "AB pairs suggested:" in output
    revision = output.split("--restore ")[1].split()[0]
    run("divide", str(demo_copy), "--restore", revision)
    pd.testing.assert_frame_equal(_posts(open_project(demo_copy)), before)


def test_a_split_suggests_ab_pairs_again_and_undo_restores_them(small_district):
    store = small_district
    link_project(store)
    before = store.read("grids")[["code", "ab_partner"]].sort_values("code")
    grids = store.read("grids")
    fid = int(grids.index[grids["code"] == f"{COMMUNITY}003"][0])
    line = LineString([(500_050.0, 3_459_995.0), (500_050.0, 3_460_105.0)])
    change = split_grid(store, fid, line)
    applied = apply_changes(store, change)
    after = store.read("grids").set_index("code")["ab_partner"]
    paired = {c: p for c, p in after.items() if isinstance(p, str)}
    # Mutual, between neighbours, and the new grid has a partner.
    assert all(paired[p] == c for c, p in paired.items())
    assert f"{COMMUNITY}005" in paired
    apply_changes(store, applied.inverse())
    restored = store.read("grids")[["code", "ab_partner"]].sort_values("code")
    pd.testing.assert_frame_equal(restored, before)
