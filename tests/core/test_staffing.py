"""Staff posts from the role catalogue, and AB pairs of neighbouring grids."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from gridgis.core.errors import SchemaError
from gridgis.core.staffing import (
    assign_backups,
    assign_staff,
    grid_adjacency,
    pair_ab_partners,
    suggest_ab_pairs,
)
from gridgis.core.store import open_project
from gridgis.core.validate import validate_project

COMMUNITY = "320508001001"


def _lattice(cols, rows, community=COMMUNITY, start=0):
    """Square grids of 100 m in a lattice, coded in reading order."""
    geoms, codes = [], []
    for r in range(rows):
        for c in range(cols):
            codes.append(f"{community}{start + len(codes) + 1:03d}")
            geoms.append(
                box(c * 100, (rows - r - 1) * 100, (c + 1) * 100, (rows - r) * 100)
            )
    return gpd.GeoDataFrame(
        {"code": codes, "community_code": community}, geometry=geoms, crs=4549
    )


def test_neighbours_share_an_edge_not_a_corner():
    grids = _lattice(2, 2)
    pairs = grid_adjacency(grids)
    assert len(pairs) == 4  # the two diagonals only touch at the centre
    assert pairs["shared"].between(100.0, 101.0).all()  # within the tolerance


def test_pairs_are_a_maximum_matching_of_neighbours():
    grids = _lattice(3, 3)  # nine grids: four pairs at most
    pairs = suggest_ab_pairs(grids)
    assert len(pairs) == 8
    adjacency = grid_adjacency(grids)
    neighbours = set(zip(adjacency["a"], adjacency["b"], strict=True))
    for code, partner in pairs.items():
        assert pairs[partner] == code
        assert (min(code, partner), max(code, partner)) in neighbours


def test_a_chain_is_paired_completely_where_greedy_pairing_would_not():
    # Grid 2 shares its longest edge with grid 3: greedy pairing by length would take
    # 2–3 and strand 1 and 4; the matching pairs all four.
    geoms = [box(0, 0, 100, 30), box(100, 0, 200, 100), box(200, 0, 300, 100),
             box(300, 0, 400, 30)]  # fmt: skip
    grids = gpd.GeoDataFrame(
        {"code": ["a", "b", "c", "d"], "community_code": "x"}, geometry=geoms
    )
    assert suggest_ab_pairs(grids) == {"a": "b", "b": "a", "c": "d", "d": "c"}


def test_pairs_stay_inside_a_community_and_manual_pairs_are_kept():
    west = _lattice(2, 1)
    east = _lattice(2, 1, community="320508001002")
    east["geometry"] = east.translate(200, 0)
    grids = pd.concat([west, east], ignore_index=True)
    keep = {f"{COMMUNITY}001": f"{COMMUNITY}002", f"{COMMUNITY}002": f"{COMMUNITY}001"}
    pairs = suggest_ab_pairs(grids, keep=keep)
    assert pairs[f"{COMMUNITY}002"] == f"{COMMUNITY}001"
    assert pairs["320508001002001"] == "320508001002002"
    # A one-sided or non-adjacent "manual" pair is not kept.
    pairs = suggest_ab_pairs(
        _lattice(3, 1), keep={f"{COMMUNITY}001": f"{COMMUNITY}003"}
    )
    assert pairs.get(f"{COMMUNITY}001") != f"{COMMUNITY}003"


def test_pairing_the_demo_keeps_its_pairs_and_pairs_more(demo_copy):
    store = open_project(demo_copy)
    before = store.read("grids").set_index("code")["ab_partner"]
    report = pair_ab_partners(store)
    after = store.read("grids").set_index("code")["ab_partner"]
    kept = before.dropna()
    assert (after[kept.index] == kept).all()
    assert after.notna().sum() >= before.notna().sum()
    assert len(report.kept) == len(kept) // 2
    issues = validate_project(store, rules=["staffing"])
    assert {i.rule for i in issues} <= {
        "staffing.missing_role",
        "staffing.backup_not_partner",
    }
    assert not [i for i in issues if i.rule.startswith("staffing.ab_")]


def test_posts_come_from_the_role_catalogue(demo_copy):
    store = open_project(demo_copy)
    grid = store.read("grids")["code"].iloc[0]
    person = store.read("staff")["id"].iloc[-1]
    with pytest.raises(SchemaError, match="role catalogue") as error:
        assign_staff(
            store,
            pd.DataFrame([{"staff_id": person, "grid_code": grid, "role": "mayor"}]),
        )
    assert "岗位目录" in error.value.text.zh
    with pytest.raises(SchemaError, match="not in the staff table"):
        assign_staff(
            store,
            pd.DataFrame([{"staff_id": "X1", "grid_code": grid, "role": "part_time"}]),
        )
    before = store.count("assignments")
    rows = pd.DataFrame(
        [{"staff_id": person, "grid_code": g, "role": "part_time"}
         for g in store.read("grids")["code"].iloc[:3]]
    )  # fmt: skip
    assert assign_staff(store, rows) == 3  # one person serves three grids
    assert assign_staff(store, rows) == 3  # assigning again changes nothing
    assert store.count("assignments") == before + 3


def test_backups_follow_the_pairs(demo_copy):
    store = open_project(demo_copy)
    before = store.read("assignments")
    written = assign_backups(store)
    after = store.read("assignments")
    backups = after[after["is_backup"].fillna(False)]
    assert len(backups) == written
    assert written == int(before["is_backup"].fillna(False).sum())
    issues = validate_project(store, rules=["staffing.backup_not_partner"])
    assert issues == []
