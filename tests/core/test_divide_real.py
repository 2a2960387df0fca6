"""Division on real OpenStreetMap footprints and roads (moved to Hangzhou)."""

import numpy as np
import pytest
import shapely

from gridgis.core.demo.realdata import EPSG, real_area
from gridgis.core.divide import DivisionOptions, apply_division, divide_community
from gridgis.core.divide.split import necked
from gridgis.core.link import assign_points, cut_buildings, inside_points
from gridgis.core.settings import HouseholdBand
from gridgis.core.validate import validate_project

pytest.importorskip("pyrosm")

BAND = (300, 500)


@pytest.fixture(scope="module")
def kouvola():
    return real_area("kouvola")


def check(division, area, code):
    """Facts every division must have on real data."""
    community = area.communities.set_index("code").geometry[code]
    grids = division.grids
    geoms = np.asarray(grids.geometry.values)
    assert all(g.geom_type == "Polygon" and g.is_valid for g in geoms)
    covered = shapely.union_all(geoms)
    # No gap or overlap wider than a millimetre (grids are written on a 1 mm grid).
    edge = community.length
    assert shapely.difference(community, covered).area < 1e-3 * edge
    assert shapely.area(geoms).sum() - covered.area < 1e-3 * edge
    footprints = np.asarray(area.buildings.geometry.values)
    points = inside_points(footprints)
    mine = shapely.contains(community, points)
    where = assign_points(points[mine], geoms).index
    assert (where >= 0).all()
    assert cut_buildings(footprints[mine], geoms, where).empty
    report = division.report
    assert report.buildings_cut == 0
    assert report.not_contiguous == 0
    return report


#: The reasons a grid may be crossed by an arterial road, as the report gives them.
REASONS = ("road ends inside the grid", "holds no households", "households, which")


def explained_crossings(division, store):
    """Every grid crossed by an arterial is one the validator warns about, and the
    report says why: land that cannot hold a grid in the band was joined to it."""
    report = division.report
    crossed = {}
    for note in report.notes:
        if "is crossed by the arterial" in note.en:
            crossed[note.en.split()[1]] = note.en
    assert len(crossed) == report.arterial_crossings
    assert all(any(r in note for r in REASONS) for note in crossed.values())
    for note in crossed.values():
        # The joined land's households cannot make grids in the band.
        if "households, which" in note:
            held = note.split("other side holds ")[1].split(" households")[0]
            for h in held.split(", "):
                h = int(h)
                assert h < BAND[0] or h // BAND[0] < -(-h // BAND[1])
    apply_division(store, division)
    warned = {
        issue.code
        for issue in validate_project(
            store, community=division.community_code, rules=["shape.road_crossing"]
        )
    }
    assert warned == set(crossed)
    return crossed


def test_the_fixture_is_real_data_in_a_chinese_zone(kouvola):
    b = kouvola.buildings
    assert kouvola.buildings.crs.to_epsg() == EPSG
    assert 2000 <= len(b) <= 3000
    assert len(kouvola.roads) >= 150
    # Centred on Hangzhou in CGCS2000 / GK CM 120E.
    x, y = shapely.centroid(kouvola.streets.geometry.iloc[0]).coords[0]
    assert abs(x - 514_400) < 2_000
    assert abs(y - 3_354_900) < 2_000
    homes = b[b["use"] == "residential"]
    assert (homes["households"] >= 1).all()
    assert (b.loc[b["use"] != "residential", "households"] == 0).all()
    # households = round(area × levels × 0.8 / 90), at least 1.
    row = homes.iloc[0]
    expect = max(1, round(row.geometry.area * row["floors"] * 0.8 / 90))
    assert abs(row["households"] - expect) <= 1


def test_orientations_hold_the_same_buildings(kouvola):
    turned = real_area("kouvola", rotate=115.0, mirror=True)
    assert sorted(turned.buildings["id"]) == sorted(kouvola.buildings["id"])
    assert turned.buildings["households"].sum() == kouvola.buildings["households"].sum()
    ratio = turned.buildings.area.sum() / kouvola.buildings.area.sum()
    assert ratio == pytest.approx(1.0, abs=1e-6)


@pytest.mark.slow
def test_a_real_community_divides_in_band_without_cutting(kouvola):
    store = kouvola.store()
    code = kouvola.communities["code"].iloc[0]
    division = divide_community(store, code)
    report = check(division, kouvola, code)
    assert report.in_band == report.residential
    assert report.residential >= 12
    # Arterials stopping short of the boundary are closed across the gap, so the
    # land between arterials is divided on its own: only land that cannot hold a
    # grid is joined across an arterial (7 grids were crossed before that).
    assert any("closed by the shortest line" in n.en for n in report.notes)
    assert report.arterial_crossings <= 3
    explained_crossings(division, store)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("rotate", "mirror"), [(37.0, False), (0.0, True), (115.0, True)]
)
def test_turned_and_mirrored_maps_divide_just_as_well(rotate, mirror):
    area = real_area("kouvola", rotate=rotate, mirror=mirror)
    code = area.communities["code"].iloc[0]
    report = check(divide_community(area.store(), code), area, code)
    assert report.in_band == report.residential


@pytest.mark.slow
@pytest.mark.parametrize(("rotate", "mirror"), [(0.0, False), (115.0, True)])
def test_high_rise_compounds_never_make_a_grid_in_pieces(rotate, mirror):
    area = real_area("kouvola", density="highrise", rotate=rotate, mirror=mirror)
    hh = area.buildings["households"]
    assert ((hh >= 100) & (hh <= 600)).sum() >= 50
    assert (hh > BAND[1]).sum() >= 3
    code = area.communities["code"].iloc[0]
    store = area.store()
    division = divide_community(store, code)
    report = check(division, area, code)
    explained_crossings(division, store)
    # Every building above the band is a grid of its own, and the report says so.
    assert len(report.oversize_buildings) == int((hh > BAND[1]).sum())
    assert any("on their own" in note.en for note in report.notes)
    # Every other grid is in band.
    assert report.in_band == report.residential - len(report.oversize_buildings)


def test_high_rise_perimeter_blocks_are_written_as_single_polygons():
    # 湖墅2社区 at high-rise density: a cut along the buildings' cells left a grid
    # whose two halves met through a neck under 2 mm, and written on the
    # millimetre grid it fell in two; the division could not be written at all.
    area = real_area("helsinki", density="highrise")
    code = area.communities["code"].iloc[1]
    store = area.store()
    division = divide_community(store, code)
    check(division, area, code)
    assert not any(necked(g) for g in division.new_grids.geometry)
    apply_division(store, division)
    grids = store.read("grids")
    grids = grids[grids["community_code"] == code]
    assert len(grids) == len(division.grids)
    assert (grids.geometry.geom_type == "Polygon").all()
    assert grids.geometry.is_valid.all()
    assert not any(necked(g) for g in grids.geometry)


@pytest.mark.slow
def test_a_street_of_real_communities_divides_each_one():
    area = real_area("helsinki")
    assert len(area.communities) >= 3
    store = area.store()
    for code in area.communities["code"]:
        division = divide_community(store, code)
        report = check(division, area, code)
        assert report.residential >= 1
        explained_crossings(division, store)
        # The band is called feasible only where every grid meets it; a grid the
        # cuts between buildings left outside is named with its households.
        grids = division.grids
        outside = grids.loc[
            (grids["kind"] == "residential") & ~grids["households"].between(*BAND),
            "households",
        ].tolist()
        missed = len(outside) - len(report.oversize_buildings)
        assert report.in_band == report.residential - len(outside)
        if missed > 0:
            assert not report.feasible
            said = " ".join(t.en for t in report.infeasible)
            assert any(str(h) in said for h in outside)
        else:
            assert report.feasible


@pytest.mark.slow
def test_a_narrow_community_of_perimeter_blocks_meets_the_band():
    # 湖墅2社区: a strip one perimeter block wide, whose northern grid first came out
    # at 571 households (a block of 405 standing wall to wall, and small buildings
    # beyond it). Divided again together with the grids around it, every grid is
    # in the band, and the report calls the band feasible.
    area = real_area("helsinki")
    code = area.communities["code"].iloc[1]
    assert area.communities["name"].iloc[1] == "湖墅2社区"
    division = divide_community(area.store(), code)
    report = check(division, area, code)
    assert report.residential == 4
    assert report.in_band == 4
    assert division.grids["households"].between(*BAND).all()
    assert report.feasible
    assert not report.infeasible


@pytest.mark.slow
def test_a_grid_the_band_misses_is_named_with_its_neighbours():
    # A band of 420–440 the strip's blocks cannot all be cut to (4 grids by
    # count): each grid left outside is named by code, with the neighbours it was
    # divided again with, and the band is not called feasible.
    area = real_area("helsinki")
    code = area.communities["code"].iloc[1]
    band = HouseholdBand(420, 440)
    division = divide_community(
        area.store(), code, DivisionOptions(bands={"residential": band})
    )
    report = check(division, area, code)
    grids = division.grids
    outside = grids[~grids["households"].between(band.min, band.max)]
    assert len(outside) >= 1
    assert report.in_band == len(grids) - len(outside)
    assert not report.feasible
    said = " ".join(t.en for t in report.infeasible)
    for row in outside.itertuples():
        assert f"Grid {row.code} holds {row.households} households" in said
    assert "with its neighbour" in said
