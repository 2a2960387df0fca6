"""Linking buildings and facilities to grids, and rolling totals up three levels."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from gridgis.core.link import assign_points, cut_buildings, link_project
from gridgis.core.store import open_project
from tests.conftest import COMMUNITY, OTHER


@pytest.fixture
def district(small_district):
    return small_district


def test_assign_points_reports_overlaps_and_misses():
    polygons = np.array([box(0, 0, 2, 2), box(1, 0, 3, 2)])
    points = np.array([Point(0.5, 1), Point(1.5, 1), Point(5, 5)])
    result = assign_points(points, polygons)
    assert result.index.tolist() == [0, 0, -1]
    assert result.hits.tolist() == [1, 2, 0]
    assert result.codes(["a", "b"]).tolist() == ["a", "a", None]


def test_cut_buildings_ignore_buildings_touching_a_boundary():
    grids = np.array([box(0, 0, 10, 10), box(10, 0, 20, 10)])
    footprints = np.array([box(2, 2, 10, 4), box(8, 5, 14, 8), box(3, 3, 4, 4)])
    cut = cut_buildings(footprints, grids, np.array([0, 1, 0]))
    assert cut["building"].tolist() == [1]
    assert cut["grid"].tolist() == [0]
    assert cut["area"].iloc[0] == pytest.approx(6.0)


def test_link_assigns_rolls_up_and_reports_the_cut_building(district):
    report = link_project(district)
    buildings = district.read("buildings").set_index("id")
    assert buildings.loc["B0", "grid_code"] == f"{COMMUNITY}001"
    assert buildings.loc["B2", "grid_code"] == f"{COMMUNITY}002"
    assert buildings.loc["B5", "grid_code"] is None  # in the undivided community
    assert buildings.loc["B99", "grid_code"] == f"{COMMUNITY}002"
    assert report.cut[["id", "grid_code", "other"]].values.tolist() == [
        ["B99", f"{COMMUNITY}002", f"{COMMUNITY}001"]
    ]
    grids = district.read("grids").set_index("code")["households"].to_dict()
    assert grids == {
        f"{COMMUNITY}001": 50,
        f"{COMMUNITY}002": 65,
        f"{COMMUNITY}003": 10,
        f"{COMMUNITY}004": 40,
    }
    communities = district.read("communities").set_index("code")
    assert communities.loc[COMMUNITY, "households"] == 165
    assert communities.loc[OTHER, "households"] == 70
    assert communities.loc[OTHER, "population"] == 210
    street = district.read("streets")
    assert street["households"].tolist() == [235]
    facilities = district.read("facilities").set_index("id")["grid_code"].to_dict()
    assert facilities == {"F1": f"{COMMUNITY}003", "F2": None}
    assert report.ambiguous.empty


def test_relinking_one_community_after_an_edit(district):
    link_project(district)
    buildings = district.read("buildings")
    fid = buildings.index[buildings["id"] == "B4"][0]
    with district.transaction() as tx:
        tx.update("buildings", pd.DataFrame({"households": [140]}, index=[fid]))
    report = link_project(district, community=COMMUNITY)
    assert report.written["buildings"] == 0
    grids = district.read("grids").set_index("code")["households"]
    assert grids[f"{COMMUNITY}004"] == 140
    assert district.read("streets")["households"].tolist() == [335]
    assert district.read("communities").set_index("code").loc[OTHER, "households"] == 70


def test_overlapping_grids_make_buildings_ambiguous(district):
    grids = district.read("grids")
    first = grids.index[grids["code"] == f"{COMMUNITY}001"][0]
    wide = gpd.GeoDataFrame(
        geometry=[box(500_000, 3_460_100, 500_150, 3_460_200)], index=[first], crs=4549
    )
    with district.transaction() as tx:
        tx.update("grids", wide)
    report = link_project(district)
    # B2 and the straddling B99 now have their inside points in grids 001 and 002.
    assert set(report.ambiguous["id"]) == {"B2", "B99"}


def test_demo_totals_add_up(demo_copy):
    store = open_project(demo_copy)
    link_project(store)
    buildings = store.read("buildings")
    streets = store.read("streets")
    communities = store.read("communities")
    grids = store.read("grids")
    assert streets["households"].sum() == buildings["households"].sum()
    assert communities["population"].sum() == buildings["population"].sum()
    linked = buildings.dropna(subset=["grid_code"])
    assert grids["households"].sum() == linked["households"].sum()
    assert set(linked["grid_code"]) <= set(grids["code"])
