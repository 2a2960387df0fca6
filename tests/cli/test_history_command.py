"""``gridgis history``: the change sets of imports, links and divisions, on screen and in Excel."""

from click.testing import CliRunner
from openpyxl import load_workbook

from gridgis.cli import main
from gridgis.core.audit import os_user
from gridgis.core.store import open_project

COMMUNITY = "320599001004"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_import_and_link_are_listed_with_their_command(demo_copy, tmp_path):
    gpkg = tmp_path / "x.gpkg"
    assert run("export", demo_copy, "--layers", "streets,communities,grids,buildings",
               "--out", gpkg).exit_code == 0  # fmt: skip
    project = tmp_path / "new.gpkg"
    assert run("new", project, "--county", "320599", "--lon", "120.6").exit_code == 0
    result = run(
        "import", project, gpkg,
        "--layer", "streets", "--layer", "communities", "--layer", "grids",
        "--layer", "buildings",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    linked = run("link", project)
    assert linked.exit_code == 0, linked.output

    log = open_project(project).read("changes")
    assert set(log["tool"]) == {"gridgis import", "gridgis link"}
    imported = log[log["tool"] == "gridgis import"]
    assert set(imported["layer"]) == {"streets", "communities", "grids", "buildings"}
    assert imported["rows"].sum() == 3 + 12 + 57 + 3022
    # 3,022 buildings are over the compact threshold: one summary row for them.
    assert len(imported[imported["layer"] == "buildings"]) == 1

    result = run("--lang", "en", "history", project)
    assert result.exit_code == 0, result.output
    assert "gridgis import" in result.output
    assert "gridgis link" in result.output
    assert "Buildings: insert 3022" in result.output
    assert os_user() in result.output
    assert "2 change sets." in result.output


def test_history_of_a_community_in_chinese_and_in_excel(demo_copy, tmp_path):
    assert run("divide", demo_copy, "--community", COMMUNITY).exit_code == 0
    assert run("divide", demo_copy, "--restore", "1").exit_code == 0
    xlsx = tmp_path / "history.xlsx"
    result = run(
        "--lang", "zh", "history", demo_copy, "--community", COMMUNITY, "--xlsx", xlsx
    )
    assert result.exit_code == 0, result.output
    assert "变更记录" in result.output
    assert "gridgis divide --restore" in result.output
    assert "网格:新增" in result.output
    assert f"已写入 {xlsx}" in result.output

    sheet = load_workbook(xlsx)["变更记录"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("变更集", "时间(UTC)", "修改人", "工具", "社区", "内容")
    tools = [r[3] for r in rows[1:]]
    # Newest first, each command one change set (its link included); the demo's own
    # creation also concerned this community.
    assert tools[:2] == ["gridgis divide --restore", "gridgis divide"]
    assert tools[-1] == "gridgis demo"
    assert all(r[2] == os_user() for r in rows[1:])
    restore = rows[1]
    assert "网格:删除" in restore[5]
    assert COMMUNITY in restore[4]


def test_history_of_a_grid_and_bad_filters(demo_copy):
    grid = open_project(demo_copy).read("grids")["code"].iloc[0]
    result = run("--lang", "en", "history", demo_copy, "--grid", grid)
    assert result.exit_code == 0, result.output
    assert "gridgis demo" in result.output
    assert "Grids: insert 1" in result.output
    both = run("--lang", "en", "history", demo_copy, "--grid", grid,
               "--community", grid[:12])  # fmt: skip
    assert both.exit_code == 2
    assert "either a community or a grid" in both.output
    short = run("--lang", "en", "history", demo_copy, "--grid", "123")
    assert short.exit_code == 2
    assert "digits" in short.output


def test_a_link_written_while_validating_is_logged_as_the_command(demo_copy):
    result = run("--lang", "en", "validate", demo_copy, "--link")
    assert result.exit_code in (0, 1), result.output
    log = open_project(demo_copy).read("changes")
    last = log[log["change_set"] == log["change_set"].max()]
    assert set(last["tool"]) == {"gridgis validate"}
    assert "grids" in set(last["layer"])
