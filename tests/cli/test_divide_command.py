import json

from click.testing import CliRunner

from gridgis.cli import main
from gridgis.core.store import open_project
from tests.conftest import validate_gpkg

COMMUNITY = "320599001004"


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_a_dry_run_reports_and_writes_nothing(demo_copy):
    before = demo_copy.read_bytes()
    result = run(
        "--lang", "en", "divide", str(demo_copy), "--community", COMMUNITY, "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "Division of 锦绣社区 (320599001004): quality" in result.output
    assert "grids in band" in result.output
    assert "(100%)" in result.output
    assert "buildings cut                        0" in result.output
    assert "Dry run: nothing was written." in result.output
    assert demo_copy.read_bytes() == before


def test_dividing_writes_the_grids_and_restore_puts_the_old_ones_back(demo_copy):
    result = run("--lang", "zh", "divide", str(demo_copy), "--community", COMMUNITY)
    assert result.exit_code == 0, result.output
    assert "锦绣社区(320599001004)自动划分质量报告" in result.output
    assert "已写入" in result.output
    assert "版本 1" in result.output
    store = open_project(demo_copy)
    grids = store.read("grids", where={"community_code": COMMUNITY})
    assert len(grids) > 0
    assert grids["households"].notna().all()
    assert validate_gpkg(demo_copy).returncode == 0
    listed = run("divide", str(demo_copy), "--history")
    assert listed.exit_code == 0
    assert COMMUNITY in listed.output
    assert "divide" in listed.output
    back = run("--lang", "en", "divide", str(demo_copy), "--restore", "1")
    assert back.exit_code == 0, back.output
    assert "revision 1" in back.output
    assert (
        open_project(demo_copy).count("grids", where={"community_code": COMMUNITY}) == 0
    )


def test_a_narrower_band_and_json_output(demo_copy):
    result = run(
        "divide", str(demo_copy), "--community", COMMUNITY,
        "--min", "200", "--max", "300", "--dry-run", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.output)
    assert report["band"] == [200, 300]
    assert report["in_band_share"] == 1.0
    assert 200 <= report["households"]["min"] <= report["households"]["max"] <= 300


def test_respecting_police_precincts_in_a_community_they_cross(demo_copy):
    # The police boundary runs through the middle row of communities along roads.
    result = run(
        "--lang", "en", "divide", str(demo_copy), "--community", "320599002001",
        "--respect", "police", "--dry-run", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.output)
    assert report["overlay_crossings"] == {"police": 0}
    assert report["in_band_share"] == 1.0
    assert report["buildings_cut"] == 0


def test_mistakes_give_a_plain_message_and_status_2(demo_copy):
    result = run("--lang", "en", "divide", str(demo_copy))
    assert result.exit_code == 2
    assert "--community" in result.output
    result = run(
        "--lang", "en", "divide", str(demo_copy), "--community", "320599001099"
    )
    assert result.exit_code == 2
    assert "There is no community 320599001099" in result.output
    result = run("--lang", "en", "divide", str(demo_copy), "--restore", "5")
    assert result.exit_code == 2
    assert "no revision 5" in result.output
    assert "Traceback" not in result.output
