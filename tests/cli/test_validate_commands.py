"""``gridgis validate``, ``gridgis stats`` and ``gridgis link`` on the demo district."""

import json

from click.testing import CliRunner
from openpyxl import load_workbook

from gridgis.cli import main
from gridgis.core.store import open_project
from tests.conftest import validate_gpkg

SEEDED = {
    "topology.gap",
    "topology.overlap",
    "capacity.above_band",
    "staffing.missing_role",
}


def run(*args):
    return CliRunner().invoke(main, ["--lang", "en", *map(str, args)])


def test_validate_reports_the_seeded_faults_by_community_and_fails(demo_copy):
    result = run("validate", demo_copy)
    assert result.exit_code == 1, result.output
    for rule in SEEDED:
        assert f"[{rule}]" in result.output
    assert result.output.count("  error [") == 4
    assert "7 communities not yet divided" in result.output
    assert "320599001001 幸福里社区 (17 grids): 1 error, 0 warnings" in result.output
    assert "In all: 4 errors, 0 warnings in 4 communities." in result.output


def test_validate_in_chinese(demo_copy):
    result = CliRunner().invoke(main, ["--lang", "zh", "validate", str(demo_copy)])
    assert result.exit_code == 1
    assert "7 个社区尚未划分网格" in result.output
    assert "请把这块区域并入相邻网格" in result.output


def test_validate_as_json(demo_copy):
    result = run("validate", demo_copy, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["errors"] == 4
    assert data["warnings"] == 0
    assert {i["rule"] for i in data["issues"]} == SEEDED
    assert len(data["undivided"]) == 7
    assert all(i["message"]["zh"] and i["location"].startswith("POLYGON")
               for i in data["issues"])  # fmt: skip


def test_validate_one_community_and_write_the_layer(demo_copy):
    clean = run("validate", demo_copy, "--community", "320599003004", "--write-layer")
    assert clean.exit_code == 0, clean.output
    assert "0 errors" in clean.output
    faulty = run("validate", demo_copy, "--write-layer")
    assert "Wrote 4 findings to the issues layer" in faulty.output
    store = open_project(demo_copy)
    assert sorted(store.read("issues")["rule"]) == sorted(SEEDED)
    assert validate_gpkg(demo_copy).returncode == 0


def test_validate_an_unknown_community_says_what_to_do(demo_copy):
    result = run("validate", demo_copy, "--community", "320599009009")
    assert result.exit_code == 2
    assert "There is no community 320599009009" in result.output
    assert "Traceback" not in result.output


def test_validate_with_link_updates_the_links_first(demo_copy):
    result = run("validate", demo_copy, "--link")
    assert result.exit_code == 1
    assert "Links updated" in result.output


def test_stats_totals_equal_the_building_layer(demo_copy, tmp_path):
    out = tmp_path / "统计.xlsx"
    result = run("stats", demo_copy, "--xlsx", out)
    assert result.exit_code == 0, result.output
    assert "In all: 12 communities, 57 grids" in result.output
    buildings = open_project(demo_copy).read("buildings")
    book = load_workbook(out)
    assert book.sheetnames == ["街道", "社区", "网格", "户数超出范围"]
    streets = book["街道"]
    header = [c.value for c in streets[1]]
    assert header[:6] == ["编码", "名称", "社区数", "网格数", "户数", "人口"]
    rows = [[c.value for c in r] for r in streets.iter_rows(min_row=2)]
    body, total = rows[:-1], rows[-1]
    assert total[0] == "合计"
    hh, pop, count = (header.index(h) for h in ("户数", "人口", "建筑数"))
    assert sum(r[hh] for r in body) == total[hh] == buildings["households"].sum()
    assert sum(r[pop] for r in body) == total[pop] == buildings["population"].sum()
    assert total[count] == len(buildings)
    communities = book["社区"]
    assert communities["A2"].value == "320599001001"
    assert communities["A2"].number_format == "@"
    grids = book["网格"]
    assert isinstance(grids["A2"].value, str)
    assert len(grids["A2"].value) == 15
    outside = [[c.value for c in r] for r in book["户数超出范围"].iter_rows(min_row=2)]
    assert [r[0] for r in outside] == ["320599001003001"]
    assert outside[0][7] == "超过上限"


def test_link_reports_what_it_wrote_and_pairs_grids(demo_copy):
    result = run("link", demo_copy, "--pair-ab")
    assert result.exit_code == 0, result.output
    assert "households and population of 57 grids" in result.output
    assert "AB pairs: kept 26" in result.output
