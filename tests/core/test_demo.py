"""The demo district: deterministic, realistic in size, faults exactly where put."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gridgis.core.demo import DEFAULT_SEED, generate, write_demo
from gridgis.core.store import open_project
from gridgis.core.testing import assert_same_content
from tests.conftest import DEMO, validate_gpkg


@pytest.fixture(scope="module")
def demo():
    return generate(DEFAULT_SEED)


def test_sizes_are_those_of_a_real_district(demo):
    sizes = {name: len(frame) for name, frame in demo.layers.items()}
    assert sizes["streets"] == 3
    assert sizes["communities"] == 12
    assert 2700 <= sizes["buildings"] <= 3300
    assert 130 <= sizes["facilities"] <= 170
    assert 220 <= sizes["staff"] <= 280
    assert 40 <= sizes["grids"] <= 80
    assert {"police", "school"} <= set(demo.layers["overlays"]["kind"])
    roads = demo.layers["roads"]
    assert {"arterial", "secondary", "local"} <= set(roads["class"])
    assert 5 <= demo.layers["grids"]["community_code"].nunique() < 12


def test_people_have_chinese_names_mobiles_and_portraits(demo):
    staff = demo.layers["staff"]
    assert staff["id"].is_unique
    assert staff["name"].str.fullmatch("[一-鿿]{2,3}").all()
    assert staff["phone"].str.fullmatch(r"1[3-9]\d{9}").all()
    assert staff["photo"].map(lambda b: b[:8] == b"\x89PNG\r\n\x1a\n").all()


def test_buildings_have_floors_households_and_population(demo):
    b = demo.layers["buildings"]
    homes = b[b["use"] == "residential"]
    assert (homes["households"] > 0).all()
    assert (b["floors"] >= 1).all()
    ratio = b["population"].sum() / b["households"].sum()
    assert 2.2 <= ratio <= 3.0
    assert b["households"].max() < 300


def test_same_seed_same_district_other_seed_other_district(demo):
    again = generate(DEFAULT_SEED)
    for name, frame in demo.layers.items():
        assert_same_content(frame, again.layers[name])
    assert demo.settings == again.settings
    other = generate(DEFAULT_SEED + 1)
    assert not demo.layers["buildings"]["households"].equals(
        other.layers["buildings"]["households"]
    )


def test_hierarchy_nests_and_codes_follow_parents(demo):
    streets, communities, grids = (
        demo.layers[n] for n in ("streets", "communities", "grids")
    )
    street_union = shapely.union_all(streets.geometry.values)
    community_union = shapely.union_all(communities.geometry.values)
    assert street_union.symmetric_difference(community_union).area < 1e-3
    assert (communities["code"].str[:9] == communities["street_code"]).all()
    assert (grids["code"].str[:12] == grids["community_code"]).all()
    assert grids["code"].is_unique


def _per_community(demo):
    grids, communities = demo.layers["grids"], demo.layers["communities"]
    for code, group in grids.groupby("community_code"):
        community = communities.loc[communities["code"] == code].geometry.iloc[0]
        yield code, group, community


def test_grids_tile_their_communities_except_the_seeded_gap_and_overlap(demo):
    faults = {f.kind: f for f in demo.faults}
    gap_community = faults["gap"].codes[0][:12]
    overlap_community = faults["overlap"].codes[0][:12]
    for code, group, community in _per_community(demo):
        union = shapely.union_all(group.geometry.values)
        gap = community.difference(union).area
        overlap = sum(group.geometry.area) - union.area
        assert union.difference(community).area < 1e-3
        if code == gap_community:
            assert 100 < gap < 400
        else:
            assert gap < 1e-3, code
        if code == overlap_community:
            assert 100 < overlap < 400
        else:
            assert overlap < 1e-3, code


def test_seeded_faults_are_the_only_band_and_staffing_faults(demo):
    grids = demo.layers["grids"]
    b = demo.layers["buildings"]
    points = gpd.GeoDataFrame(
        b[["households"]], geometry=b.representative_point(), crs=b.crs
    )
    joined = gpd.sjoin(points, grids[["code", "kind", "geometry"]], predicate="within")
    households = (
        joined.groupby("code")["households"].sum().reindex(grids["code"], fill_value=0)
    )
    kinds = grids.set_index("code")["kind"]
    outside = households[
        (kinds == "residential") & ((households < 300) | (households > 500))
    ]
    faults = {f.kind: f for f in demo.faults}
    assert list(outside.index) == list(faults["over_full"].codes)
    leaders = demo.layers["assignments"].query("role == 'grid_leader'")["grid_code"]
    assert sorted(set(grids["code"]) - set(leaders)) == list(faults["no_leader"].codes)
    assert set(faults) == {"gap", "overlap", "over_full", "no_leader"}


def test_no_building_is_cut_by_a_grid_boundary(demo):
    b, grids = demo.layers["buildings"], demo.layers["grids"]
    hits = gpd.sjoin(b[["geometry"]], grids[["geometry"]], predicate="intersects")
    assert hits.index.value_counts().max() == 1


def test_ab_partners_are_mutual_neighbours(demo):
    grids = demo.layers["grids"].set_index("code")
    paired = grids["ab_partner"].dropna()
    assert len(paired) >= 0.8 * len(grids)
    for code, partner in paired.items():
        assert grids.at[partner, "ab_partner"] == code
        assert grids.geometry[code].buffer(0.01).intersects(grids.geometry[partner])


def test_written_demo_is_valid_and_reads_back(tmp_path, demo):
    path = tmp_path / "d.gpkg"
    write_demo(path)
    assert validate_gpkg(path).returncode == 0
    store = open_project(path)
    assert store.settings.crs_epsg == 4549
    for name, frame in demo.layers.items():
        back = store.read(name)
        assert len(back) == len(frame)
    assert set(store.read("communities")["name"]) == set(
        demo.layers["communities"]["name"]
    )
    assert store.settings.extra["demo"]["faults"][0]["kind"] == "gap"


def test_shipped_demo_is_what_the_generator_makes(demo):
    store = open_project(DEMO)
    for name, frame in demo.layers.items():
        back = store.read(
            name, columns=list(frame.columns.drop("geometry", errors="ignore"))
        )
        fresh = frame.reset_index(drop=True)
        stored = back.reset_index(drop=True)
        for column in fresh.columns:
            if column == "geometry":
                assert np.all(
                    shapely.equals_exact(
                        np.asarray(fresh.geometry.values),
                        np.asarray(stored.geometry.values),
                        1e-6,
                    )
                )
            else:
                assert fresh[column].tolist() == stored[column].tolist(), (name, column)
