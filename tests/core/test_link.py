"""Linking buildings and facilities to grids, and rolling totals up three levels."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from gridgis.core.link import assign_points, cut_buildings, link_project
from gridgis.core.store import MemoryStore, open_project

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
def district(settings):
    """Two communities side by side; the first has four 100 m grids, the second none."""
    store = MemoryStore(settings)
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
