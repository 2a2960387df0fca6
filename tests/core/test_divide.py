"""Automatic division on hand-made communities whose right answer is known."""

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from gridgis.core import codes
from gridgis.core.divide import (
    DivisionOptions,
    StaleDivisionError,
    apply_division,
    divide_community,
    division_history,
    restore_grids,
    undivided_communities,
)
from gridgis.core.errors import SchemaError
from gridgis.core.link import assign_points, cut_buildings, inside_points
from gridgis.core.progress import Cancelled, Recorder
from gridgis.core.settings import HouseholdBand
from gridgis.core.store import MemoryStore
from gridgis.core.validate import validate_project
from tests.core.towns import COMMUNITY, X0, Y0, insert, rows_of_buildings, town


@pytest.fixture
def memory(settings):
    return MemoryStore(settings)


def check_division(division, community, buildings, band=(300, 500)):
    """The facts every division must have: tiling, single parts, nothing cut, codes."""
    grids = division.grids
    geoms = np.asarray(grids.geometry.values)
    assert all(g.geom_type == "Polygon" for g in geoms)
    covered = shapely.union_all(geoms)
    assert shapely.difference(community, covered).area < 0.5
    assert shapely.area(geoms).sum() - covered.area < 0.5
    footprints = np.asarray(buildings.geometry.values)
    where = assign_points(inside_points(footprints), geoms).index
    assert (where >= 0).all()
    assert cut_buildings(footprints, geoms, where).empty
    # Households per grid are the buildings' sums.
    hh = np.bincount(where, weights=buildings["households"].to_numpy(float))
    assert hh.astype(int).tolist() == grids["households"].astype(int).tolist()
    # Codes: valid, in the community, numbered in reading order.
    assert all(codes.is_valid_code(c) for c in grids["code"])
    assert all(c.startswith(division.community_code) for c in grids["code"])
    new = division.new_grids
    order = codes.reading_order(np.asarray(new.geometry.values))
    assert list(new["code"].to_numpy()[order]) == sorted(new["code"])
    report = division.report
    assert report.buildings_cut == 0
    assert report.not_contiguous == 0
    return grids


def test_a_grid_of_equal_blocks_pairs_blocks_along_the_roads(memory):
    # 4 × 3 blocks of 200 households: 2,400 households make 6 grids of 2 blocks.
    made = town(memory, cols=4, rows=3, households=200)
    division = divide_community(memory, COMMUNITY)
    grids = check_division(division, made["community"], memory.read("buildings"))
    assert len(grids) == 6
    assert grids["households"].tolist() == [400] * 6
    assert np.allclose(shapely.area(np.asarray(grids.geometry.values)), 20_000, atol=1)
    report = division.report
    assert (report.grids, report.residential, report.in_band) == (6, 6, 6)
    assert report.in_band_share == 1.0
    assert (report.households_min, report.households_median) == (400, 400)
    assert report.households_max == 400
    assert report.block_cuts == 0
    assert report.road_share == pytest.approx(1.0)
    assert report.inner_road_share == pytest.approx(1.0)
    # Two 100 m blocks side by side: 4π·20000/600² = 0.698.
    assert report.compactness_min == pytest.approx(4 * np.pi * 2e4 / 600**2, abs=1e-3)
    assert report.feasible
    assert not report.infeasible
    assert report.blocks == 12
    # Names follow the demo's style, numbered like the codes.
    assert grids["name"].tolist() == [f"幸福里第{k}网格" for k in range(1, 7)]
    assert division.building_grid.notna().all()


def test_an_oversize_block_is_cut_between_its_rows(memory):
    # One block without roads: 6 rows of 2 buildings of 100 households = 1,200.
    community = box(X0, Y0, X0 + 120, Y0 + 300)
    insert(memory, "streets", [{"code": "320508019", "name": "东园街道"}], [community])
    insert(
        memory,
        "communities",
        [{"code": COMMUNITY, "name": "新华社区", "street_code": "320508019"}],
        [community],
    )
    rows, geoms = rows_of_buildings(
        X0, Y0, 120, 300, rows=6, cols=2, households=100, size=(30, 12)
    )
    insert(memory, "buildings", rows, geoms)
    division = divide_community(memory, COMMUNITY)
    grids = check_division(division, community, memory.read("buildings"))
    assert grids["households"].tolist() == [400, 400, 400]
    assert division.report.block_cuts == 2
    # The cuts run between the rows: every grid spans the block's full width.
    widths = [g.bounds[2] - g.bounds[0] for g in grids.geometry]
    assert np.allclose(widths, 120)
    assert np.allclose(
        shapely.area(np.asarray(grids.geometry.values)), 12_000, rtol=0.2
    )
    assert grids["name"].tolist() == ["新华第1网格", "新华第2网格", "新华第3网格"]


def test_a_building_above_the_band_becomes_its_own_grid(memory):
    made = town(
        memory, cols=3, rows=2, households=lambda c, r: 800 if (c, r) == (1, 1) else 200
    )
    # Block (1, 1) holds 4 buildings of 200: make one of them a 620-household tower.
    buildings = memory.read("buildings")
    in_block = buildings[
        buildings.geometry.within(
            box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)
        ).to_numpy()
    ]
    tower = in_block.index[0]
    with memory.transaction() as tx:
        tx.update("buildings", in_block.loc[[tower], []].assign(households=620))
    buildings = memory.read("buildings")
    division = divide_community(memory, COMMUNITY)
    grids = check_division(division, made["community"], buildings)
    report = division.report
    assert report.oversize_buildings == [(buildings.at[tower, "id"], 620)]
    alone = grids[grids["households"] == 620]
    assert len(alone) == 1
    holder = alone.geometry.iloc[0]
    inside = buildings[buildings.representative_point().within(holder).to_numpy()]
    assert inside["id"].tolist() == [buildings.at[tower, "id"]]
    others = grids[grids["households"] != 620]
    assert others["households"].between(300, 500).all()
    assert report.in_band == report.residential - 1
    assert "620" in report.to_text("en")
    assert "own" in report.to_text("en")


def test_an_infeasible_band_is_explained_in_plain_words(memory):
    # 550 households: one grid is above 500, two grids are below 300.
    town(memory, cols=1, rows=2, households=275)
    division = divide_community(memory, COMMUNITY)
    report = division.report
    assert not report.feasible
    assert report.in_band == 0
    text = report.to_text("en")
    assert "550" in text
    assert "cannot" in text
    assert "Widen the band" in text
    assert "550" in report.to_text("zh")
    assert "放宽" in report.to_text("zh")
    # Two grids of 275 break the band less than one of 550.
    assert sorted(division.grids["households"]) == [275, 275]
    # A band that fits gives a feasible division of the same community.
    wide = divide_community(
        memory,
        COMMUNITY,
        DivisionOptions(bands={"residential": HouseholdBand(250, 500)}),
    )
    assert wide.report.feasible
    assert wide.report.in_band == 2
    assert wide.grids["min_households"].tolist() == [250, 250]


def test_too_few_households_for_one_grid(memory):
    town(memory, cols=1, rows=1, households=120)
    report = divide_community(memory, COMMUNITY).report
    assert report.grids == 1
    assert report.in_band == 0
    assert "only 120 households" in report.to_text("en")


def test_a_locked_grid_is_kept_and_the_rest_divided_around_it(memory):
    made = town(memory, cols=4, rows=3, households=200)
    west = box(X0, Y0, X0 + 100, Y0 + 300)
    east = box(X0 + 100, Y0, X0 + 400, Y0 + 300)
    insert(
        memory,
        "grids",
        [
            {
                "code": f"{COMMUNITY}007",
                "name": "老城网格",
                "community_code": COMMUNITY,
                "kind": "residential",
                "max_households": 700,
            },
            {
                "code": f"{COMMUNITY}002",
                "name": "东片网格",
                "community_code": COMMUNITY,
                "kind": "residential",
            },
        ],
        [west, east],
    )
    options = DivisionOptions(locked=(f"{COMMUNITY}007",))
    division = divide_community(memory, COMMUNITY, options)
    grids = check_division(division, made["community"], memory.read("buildings"))
    kept = grids[grids["code"] == f"{COMMUNITY}007"]
    assert kept["name"].tolist() == ["老城网格"]
    assert kept.geometry.iloc[0].equals(west)
    assert kept["households"].tolist() == [600]
    new = division.new_grids
    assert len(new) == 4  # 1,800 households east of the locked grid
    assert new["households"].sum() == 1800
    assert f"{COMMUNITY}007" not in set(new["code"])
    assert all(shapely.intersection(g, west).area < 0.5 for g in new.geometry)
    assert new["households"].between(300, 500).all()
    assert division.report.locked == 1
    # Written: the locked grid is untouched, the other one replaced.
    revision = apply_division(memory, division)
    stored = memory.read("grids", where={"community_code": COMMUNITY})
    assert sorted(stored["code"]) == sorted(grids["code"])
    assert (
        stored.loc[stored["code"] == f"{COMMUNITY}007", "max_households"].iloc[0] == 700
    )
    history = memory.read("grid_history", where={"revision": revision})
    assert sorted(history["code"]) == [f"{COMMUNITY}002", f"{COMMUNITY}007"]


def test_overlay_boundaries_are_respected_when_asked(memory):
    # 4 × 2 blocks of 150; the police boundary runs along the middle road.
    made = town(memory, cols=4, rows=2, households=150)
    north = box(X0, Y0 + 100, X0 + 400, Y0 + 200)
    south = box(X0, Y0, X0 + 400, Y0 + 100)
    insert(
        memory,
        "overlays",
        [
            {"id": "P1", "kind": "police", "name": "第一警务区"},
            {"id": "P2", "kind": "police", "name": "第二警务区"},
            {"id": "S1", "kind": "school", "name": "实验小学学区"},
        ],
        [north, south, made["community"]],
    )
    division = divide_community(
        memory, COMMUNITY, DivisionOptions(respect=("police", "school"))
    )
    grids = check_division(division, made["community"], memory.read("buildings"))
    assert division.report.overlay_crossings == {"police": 0, "school": 0}
    for geom in grids.geometry:
        parts = [shapely.intersection(geom, zone).area for zone in (north, south)]
        assert min(parts) < 0.5
    assert grids["households"].tolist() == [300, 300, 300, 300]


def test_a_zone_too_small_for_a_grid_is_joined_across_its_boundary(memory):
    made = town(memory, cols=4, rows=2, households=150)
    small = box(X0, Y0, X0 + 100, Y0 + 100)
    rest = shapely.difference(made["community"], small)
    insert(
        memory,
        "overlays",
        [
            {"id": "P1", "kind": "police", "name": "小警务区"},
            {"id": "P2", "kind": "police", "name": "大警务区"},
        ],
        [small, rest],
    )
    division = divide_community(memory, COMMUNITY, DivisionOptions(respect=("police",)))
    check_division(division, made["community"], memory.read("buildings"))
    report = division.report
    assert report.in_band == report.residential
    assert report.overlay_crossings["police"] == 1
    assert any("小警务区" in note.en and "150" in note.en for note in report.notes)


def test_a_campus_becomes_a_named_unit_grid(memory):
    town(memory, cols=3, rows=2, households=250, empty=((2, 0),))
    rows, geoms = rows_of_buildings(
        X0 + 200, Y0, 100, 100, rows=2, cols=1, households=0, use="education", start=90
    )
    insert(memory, "buildings", rows, geoms)
    insert(
        memory,
        "facilities",
        [{"id": "F1", "name": "实验小学", "category": "school"}],
        [Point(X0 + 250, Y0 + 50)],
    )
    division = divide_community(memory, COMMUNITY)
    grids = division.grids
    unit = grids[grids["kind"] == "unit"]
    assert unit["name"].tolist() == ["实验小学单位网格"]
    assert (
        unit.geometry.iloc[0].equals_exact(box(X0 + 200, Y0, X0 + 300, Y0 + 100), 1e-6)
        or unit.geometry.iloc[0]
        .symmetric_difference(box(X0 + 200, Y0, X0 + 300, Y0 + 100))
        .area
        < 0.5
    )
    assert division.report.unit == 1
    residential = grids[grids["kind"] == "residential"]
    assert residential["households"].between(300, 500).all()
    # Without unit grids the campus joins a residential grid.
    plain = divide_community(memory, COMMUNITY, DivisionOptions(unit_grids=False))
    assert (plain.grids["kind"] == "residential").all()


def test_a_road_that_stops_short_still_closes_its_blocks(memory):
    town(memory, cols=4, rows=3, households=200, roads=False)
    roads = [
        LineString([(X0 + 100, Y0 + 8), (X0 + 100, Y0 + 300)]),  # 8 m short
        LineString([(X0 + 200, Y0), (X0 + 200, Y0 + 300)]),
        LineString([(X0 + 300, Y0), (X0 + 300, Y0 + 293)]),  # 7 m short
        LineString([(X0 + 4, Y0 + 100), (X0 + 400, Y0 + 100)]),  # 4 m short
        LineString([(X0, Y0 + 200), (X0 + 400, Y0 + 200)]),
    ]
    insert(
        memory,
        "roads",
        [{"id": f"R{k}", "class": "local"} for k in range(len(roads))],
        roads,
    )
    division = divide_community(memory, COMMUNITY)
    report = division.report
    assert report.road_extensions == 3
    assert report.blocks == 12
    assert report.block_cuts == 0
    assert division.grids["households"].tolist() == [400] * 6
    assert any("extended" in note.en for note in report.notes)


def arterial_town(memory, stop: float):
    """4 × 2 blocks of 200 households; an arterial north from the south edge
    between the middle columns ends at ``stop`` m (the community is 200 m high)."""
    town(memory, cols=4, rows=2, households=200, roads=False)
    roads = [
        LineString([(X0 + 200, Y0), (X0 + 200, Y0 + stop)]),
        LineString([(X0, Y0 + 100), (X0 + 400, Y0 + 100)]),
        LineString([(X0 + 100, Y0), (X0 + 100, Y0 + 200)]),
        LineString([(X0 + 300, Y0), (X0 + 300, Y0 + 200)]),
    ]
    insert(
        memory,
        "roads",
        [
            {"id": "A1", "name": "解放大道", "class": "arterial"},
            {"id": "R1", "class": "local"},
            {"id": "R2", "class": "local"},
            {"id": "R3", "class": "local"},
        ],
        roads,
    )


def test_an_arterial_that_stops_short_still_parts_the_grids(memory):
    # 60 m short of the boundary, blocks 100 m wide: the gap is closed, and the
    # 800 households on each side make grids of their own.
    arterial_town(memory, stop=140)
    division = divide_community(memory, COMMUNITY)
    check_division(division, box(X0, Y0, X0 + 400, Y0 + 200), memory.read("buildings"))
    report = division.report
    assert report.arterial_crossings == 0
    assert report.in_band == report.residential == 4
    assert any("closed by the shortest line" in note.en for note in report.notes)
    west = division.grids.geometry.apply(lambda g: g.centroid.x < X0 + 200)
    assert division.grids.loc[west, "households"].sum() == 800
    assert all(g.bounds[2] <= X0 + 200 + 1e-6 for g in division.grids.geometry[west])


def test_a_locked_grid_an_arterial_crosses_is_counted_as_the_validator_does(memory):
    # The locked grid spans the arterial (kept as drawn); the rest is divided along
    # it. The report counts the locked grid too, as shape.road_crossing does.
    arterial_town(memory, stop=140)
    locked = box(X0 + 100, Y0, X0 + 300, Y0 + 100)
    insert(
        memory,
        "grids",
        [
            {
                "code": f"{COMMUNITY}009",
                "name": "老城网格",
                "community_code": COMMUNITY,
                "kind": "residential",
            }
        ],
        [locked],
    )
    options = DivisionOptions(locked=(f"{COMMUNITY}009",))
    division = divide_community(memory, COMMUNITY, options)
    report = division.report
    crossed = [n.en for n in report.notes if "is crossed by the arterial" in n.en]
    assert report.arterial_crossings == len(crossed) == 1
    assert f"Grid {COMMUNITY}009 " in crossed[0]
    assert "kept as it was" in crossed[0]
    apply_division(memory, division)
    warned = validate_project(
        memory, community=COMMUNITY, rules=["shape.road_crossing"]
    )
    assert [issue.code for issue in warned] == [f"{COMMUNITY}009"]


def test_close_gaps_closes_only_gaps_short_of_the_reach():
    from gridgis.core.divide.blocks import close_gaps

    border = [box(0, 0, 400, 200).exterior]
    road = [LineString([(200, 0), (200, 140)])]
    (closure,) = close_gaps(road, border, reach=75)
    assert closure.length == pytest.approx(60, abs=0.1)
    assert closure.coords[0] == (200, 140)
    assert close_gaps(road, border, reach=50) == []
    # A second arterial nearer than the boundary is closed to as well.
    other = [LineString([(150, 170), (250, 170)])]
    lengths = sorted(c.length for c in close_gaps(road + other, border, reach=75))
    assert lengths[0] == pytest.approx(30, abs=0.1)


def test_without_roads_the_community_is_cut_between_buildings(memory):
    made = town(memory, cols=4, rows=3, households=200, roads=False)
    division = divide_community(memory, COMMUNITY)
    grids = check_division(division, made["community"], memory.read("buildings"))
    assert division.report.blocks == 1
    assert grids["households"].between(300, 500).all()
    assert len(grids) == 6


def test_staggered_buildings_are_cut_along_their_midlines(memory):
    # Brick-bond rows: no straight line passes between the buildings.
    community = box(X0, Y0, X0 + 190, Y0 + 140)
    insert(memory, "streets", [{"code": "320508019", "name": "东园街道"}], [community])
    insert(
        memory,
        "communities",
        [{"code": COMMUNITY, "name": "锦绣社区", "street_code": "320508019"}],
        [community],
    )
    rows, geoms = [], []
    for r in range(10):
        offset = 0 if r % 2 == 0 else 16
        for c in range(5):
            x = X0 + 5 + offset + c * 33
            y = Y0 + 5 + r * 13
            rows.append({"id": f"B{len(rows):03d}", "households": 16, "population": 40})
            geoms.append(box(x, y, x + 31, y + 12))
    insert(memory, "buildings", rows, geoms)
    division = divide_community(memory, COMMUNITY)
    grids = check_division(division, community, memory.read("buildings"))
    assert grids["households"].between(300, 500).all()
    assert len(grids) == 2
    assert any("midlines" in note.en for note in division.report.notes)


def test_a_road_drawn_through_a_building_does_not_cut_it(memory):
    made = town(memory, cols=4, rows=3, households=200)
    # A lane crossing a building of block (0, 0).
    insert(
        memory,
        "roads",
        [{"id": "L1", "class": "alley"}],
        [LineString([(X0 + 25, Y0), (X0 + 25, Y0 + 100)])],
    )
    division = divide_community(memory, COMMUNITY)
    check_division(division, made["community"], memory.read("buildings"))
    assert any("through a building" in note.en for note in division.report.notes)


def test_a_hint_sets_the_number_of_grids_within_the_band(memory):
    town(memory, cols=4, rows=3, households=200)
    five = divide_community(memory, COMMUNITY, DivisionOptions(grids=5))
    assert len(five.grids) == 5
    assert five.grids["households"].between(300, 500).all()
    too_many = divide_community(memory, COMMUNITY, DivisionOptions(grids=20))
    assert len(too_many.grids) == 8  # 2,400 / 300
    assert any("20" in note.en for note in too_many.report.notes)


def test_progress_is_reported_and_cancelling_stops_without_writing(memory):
    town(memory, cols=4, rows=3, households=200)
    recorder = Recorder()
    divide_community(memory, COMMUNITY, feedback=recorder)
    assert recorder.values[0] == 0.0
    assert recorder.values[-1] == 100.0
    assert recorder.values == sorted(recorder.values)
    with pytest.raises(Cancelled):
        divide_community(memory, COMMUNITY, feedback=Recorder(cancel_after=20))
    assert memory.count("grids") == 0


def test_bad_requests_say_what_to_do(memory):
    town(memory, cols=1, rows=1)
    with pytest.raises(SchemaError, match="no community 320508019045"):
        divide_community(memory, "320508019045")
    with pytest.raises(SchemaError, match="not grids of community"):
        divide_community(memory, COMMUNITY, DivisionOptions(locked=("x",)))
    with pytest.raises(SchemaError, match="Unknown overlay kind"):
        DivisionOptions(respect=("church",))
    with pytest.raises(SchemaError, match="no grid kind"):
        DivisionOptions(bands={"shop": HouseholdBand(1, 2)})
    with pytest.raises(SchemaError):
        divide_community(memory, "12345")


def test_the_report_renders_as_text_dict_and_html(memory):
    town(memory, cols=4, rows=3, households=200)
    report = divide_community(memory, COMMUNITY).report
    zh = report.to_text("zh")
    assert zh.splitlines()[0] == "幸福里社区(320508019044)自动划分质量报告"
    assert "户数在范围内" in zh
    assert "6/6 (100%)" in zh
    assert "被切割的建筑" in zh
    en = report.to_text("en")
    assert "grids in band" in en
    assert "buildings cut" in en
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["in_band"] == 6
    assert data["households"]["median"] == 400
    assert data["buildings_cut"] == 0
    assert data["feasible"] is True
    html = report.to_html("en")
    assert html.startswith("<h3>")
    assert "<table>" in html
    assert "<th>grids in band</th>" in html


def test_apply_writes_one_revision_and_restore_goes_back(store):
    made = town(store, cols=4, rows=3, households=200)
    assert undivided_communities(store) == [COMMUNITY]
    division = divide_community(store, COMMUNITY, DivisionOptions())
    assert store.count("grids") == 0  # computing writes nothing
    first = apply_division(store, division)
    assert first == 1
    grids = store.read("grids")
    assert len(grids) == 6
    assert grids["households"].tolist() == [400] * 6
    buildings = store.read("buildings")
    assert buildings["grid_code"].notna().all()
    assert store.read("communities")["households"].tolist() == [2400]
    assert undivided_communities(store) == []
    # Dividing again with another band replaces the six grids; they go to history.
    again = divide_community(
        store,
        COMMUNITY,
        DivisionOptions(bands={"residential": HouseholdBand(500, 900)}),
    )
    second = apply_division(store, again)
    assert second == 2
    assert store.count("grids") == len(again.grids) == 3
    kept = store.read("grid_history", where={"revision": second})
    assert sorted(kept["code"]) == sorted(grids["code"])
    assert kept["replaced_at"].notna().all()
    # A division computed before the grids changed is refused.
    with pytest.raises(StaleDivisionError):
        apply_division(store, division)
    # Back to the six grids, then back to no grids at all.
    third = restore_grids(store, second)
    back = store.read("grids")
    assert sorted(back["code"]) == sorted(grids["code"])
    assert (
        shapely.union_all(back.geometry.values).equals_exact(made["community"], 1e-6)
        or shapely.union_all(back.geometry.values)
        .symmetric_difference(made["community"])
        .area
        < 0.5
    )
    restore_grids(store, first)
    assert store.count("grids") == 0
    assert store.read("buildings")["grid_code"].isna().all()
    log = division_history(store)
    assert log["revision"].tolist() == [1, 2, 3, 4]
    assert log["action"].tolist() == ["divide", "divide", "restore", "restore"]
    assert log["restored"].tolist()[2:] == [second, first]
    assert third == 3
    with pytest.raises(SchemaError, match="no revision 99"):
        restore_grids(store, 99)


def test_a_grid_that_would_be_written_in_two_parts_gives_its_lobe_away():
    # The last check before a division is handed out: grid 001's small square
    # hangs on to its big one only by a neck a millimetre wide along the bottom.
    # Cleaned as the write cleans it, it keeps the big square; the small one goes,
    # with its building, to grid 002, which it shares 80 m of boundary with.
    import geopandas as gpd

    from gridgis.core.divide.blocks import BuildingSet
    from gridgis.core.divide.engine import _whole_grids
    from gridgis.core.divide.report import QualityReport
    from gridgis.core.divide.split import necked
    from gridgis.core.geometry import with_clean_polygons

    a = shapely.Polygon(
        [(0, 0), (150, 0), (150, 40), (110, 40), (110, 0.001), (100, 0.001),
         (100, 100), (0, 100)]
    )  # fmt: skip
    b = shapely.Polygon(
        [(100, 0.001), (110, 0.001), (110, 40), (150, 40), (150, 100), (100, 100)]
    )
    assert a.is_valid
    assert b.is_valid
    assert necked(a)
    code = "330105001001"
    grids = gpd.GeoDataFrame(
        {
            "code": [f"{code}001", f"{code}002"],
            "kind": ["residential", "residential"],
            "households": [400, 300],
            "population": [1000, 750],
        },
        geometry=[a, b],
    )
    homes = gpd.GeoDataFrame(
        {
            "id": ["big", "small", "other"],
            "households": [350, 50, 300],
            "population": [875, 125, 750],
            "use": ["residential"] * 3,
        },
        geometry=[box(40, 40, 60, 60), box(125, 15, 135, 25), box(120, 60, 130, 70)],
    )
    report = QualityReport(code, "拱宸桥社区", (300, 500))
    out = _whole_grids(
        grids, BuildingSet.from_frame(homes), HouseholdBand(300, 500), report
    )
    written = with_clean_polygons(out)
    assert (written.geometry.geom_type == "Polygon").all()
    assert not any(necked(g) for g in written.geometry)
    assert written.geometry.iloc[0].area == pytest.approx(10_000, abs=0.1)
    assert written.geometry.iloc[1].area == pytest.approx(5_000, abs=0.1)
    assert out["households"].tolist() == [350, 350]
    assert out["population"].tolist() == [875, 875]
    said = " ".join(n.en for n in report.notes)
    assert f"A piece of grid {code}001" in said
    assert f"grid {code}002" in said
    assert report.feasible
    # Grids that hold together are handed out as they are.
    same = _whole_grids(
        out, BuildingSet.from_frame(homes), HouseholdBand(300, 500), report
    )
    assert same is out
    # A grid in two parts outright (pieces that met only at a point) likewise.
    apart = grids.copy()
    apart.loc[0, "geometry"] = shapely.MultiPolygon(
        [box(0, 0, 100, 100), box(110, 0, 150, 40)]
    )
    apart.loc[1, "geometry"] = box(100, 0, 150, 100).difference(box(110, 0, 150, 40))
    out = _whole_grids(
        apart, BuildingSet.from_frame(homes), HouseholdBand(300, 500), report
    )
    assert (with_clean_polygons(out).geometry.geom_type == "Polygon").all()
    assert out["households"].tolist() == [350, 350]
