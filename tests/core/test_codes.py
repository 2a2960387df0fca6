import geopandas as gpd
import pytest
from shapely.geometry import box

from gridgis.core.codes import (
    build_code,
    code_problem,
    is_valid_code,
    next_grid_sequence,
    parse_code,
    renumber_grids,
)
from gridgis.core.definitions import Level
from gridgis.core.errors import CodeError


@pytest.mark.parametrize(
    ("code", "level", "segments"),
    [
        ("320508019", Level.STREET, ("320508", "019", None, None)),
        ("320508019044", Level.COMMUNITY, ("320508", "019", "044", None)),
        ("320508019044007", Level.GRID, ("320508", "019", "044", "007")),
        ("110105101201999", Level.GRID, ("110105", "101", "201", "999")),
    ],
)
def test_parse_valid_codes(code, level, segments):
    parsed = parse_code(code)
    assert parsed.level is level
    assert (parsed.county, parsed.street, parsed.community, parsed.grid) == segments


def test_segment_kinds_come_from_the_ranges():
    assert parse_code("320508019").street_kind.en == "street"
    assert parse_code("320508119").street_kind.en == "town"
    assert parse_code("320508219").street_kind.en == "township"
    assert parse_code("320508019044").community_kind.en == "community"
    assert parse_code("320508019244").community_kind.en == "village"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("", "empty"),
        ("32050801904A", "other than digits"),
        ("3205080190440", "13 digits"),
        ("990508019044", "not a GB/T 2260 province"),
        ("320500019044", "ends in 00"),
        ("320508000044", "street/town segment 000"),
        ("320508499044", "street/town segment 499"),
        ("320508019000", "community/village segment 000"),
        ("320508019400", "community/village segment 400"),
        ("320508019044000", "grid segment 000"),
    ],
)
def test_invalid_codes_say_what_is_wrong(code, fragment):
    problem = code_problem(code)
    assert problem is not None
    assert fragment in problem.en
    assert problem.zh
    with pytest.raises(CodeError, match=fragment):
        parse_code(code)


def test_level_is_enforced():
    assert is_valid_code("320508019044", Level.COMMUNITY)
    assert not is_valid_code("320508019044", Level.GRID)
    assert "a grid code has 15 digits" in code_problem("320508019044", Level.GRID).en


def test_build_code_from_each_parent():
    assert build_code("320508", 19) == "320508019"
    assert build_code("320508019", 44) == "320508019044"
    assert build_code("320508019044", 7) == "320508019044007"
    assert parse_code("320508019044007").parent == "320508019044"


def test_build_code_refuses_bad_parents_and_sequences():
    with pytest.raises(CodeError):
        build_code("320508019044001", 1)
    with pytest.raises(CodeError):
        build_code("320508019044", 1000)
    with pytest.raises(CodeError):
        build_code("990508", 1)
    with pytest.raises(TypeError):
        build_code("320508019044", "3")


def test_next_grid_sequence():
    community = "320508019044"
    existing = [
        f"{community}001",
        f"{community}002",
        f"{community}005",
        "320508019045003",
    ]
    assert next_grid_sequence(community, existing) == 6
    assert next_grid_sequence(community, existing, fill_gaps=True) == 3
    assert next_grid_sequence(community, []) == 1
    full = [f"{community}{n:03d}" for n in range(1, 1000)]
    with pytest.raises(CodeError, match="no free grid number"):
        next_grid_sequence(community, full)


def test_renumbering_runs_north_to_south_then_west_to_east():
    # Two rows of three grids, given in scrambled order; the rows are slightly uneven.
    cells = {
        "se": box(2, 0, 3, 1),
        "nw": box(0, 1.1, 1, 2.1),
        "sw": box(0, 0, 1, 1),
        "ne": box(2, 0.9, 3, 1.9),
        "sm": box(1, 0.05, 2, 1.05),
        "nm": box(1, 1, 2, 2),
    }
    geoms = gpd.GeoSeries(list(cells.values()), index=list(cells))
    codes = renumber_grids("320508019044", geoms)
    order = codes.sort_values().index.tolist()
    assert order == ["nw", "nm", "ne", "sw", "sm", "se"]
    assert codes["nw"] == "320508019044001"
    assert codes["se"] == "320508019044006"


def test_renumbering_an_l_shaped_grid_uses_a_point_inside_it():
    l_shape = box(0, 0, 3, 1).union(box(0, 0, 1, 3))
    other = box(1.5, 1.5, 3, 3)
    codes = renumber_grids(
        "320508019044", gpd.GeoSeries([l_shape, other], index=["l", "o"])
    )
    # The L's centroid lies outside it, north-east of its body; a point inside the L
    # puts it in the same row as the other grid, and west of it.
    assert codes.to_dict() == {"l": "320508019044001", "o": "320508019044002"}
