from click.testing import CliRunner

from gridgis.cli import main
from gridgis.core.store import open_project
from tests.conftest import validate_gpkg


def test_demo_writes_a_valid_project_and_lists_the_faults(tmp_path):
    out = tmp_path / "d.gpkg"
    result = CliRunner().invoke(main, ["--lang", "en", "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote the demo district" in result.output
    assert result.output.count("  - [") == 4
    assert validate_gpkg(out).returncode == 0
    assert open_project(out).count("communities") == 12


def test_demo_refuses_to_overwrite_without_the_flag(tmp_path):
    out = tmp_path / "d.gpkg"
    out.write_bytes(b"precious")
    result = CliRunner().invoke(main, ["--lang", "en", "demo", "--out", str(out)])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert out.read_bytes() == b"precious"


def test_info_describes_a_project_in_chinese(demo_copy):
    result = CliRunner().invoke(main, ["--lang", "zh", "info", str(demo_copy)])
    assert result.exit_code == 0, result.output
    assert "EPSG:4549" in result.output
    assert "网格长×1" in result.output
    assert "buildings" in result.output


def test_a_bad_path_gives_a_plain_message_and_status_2(tmp_path):
    result = CliRunner().invoke(
        main, ["--lang", "en", "info", str(tmp_path / "nope.gpkg")]
    )
    assert result.exit_code == 2
    assert "There is no project file at" in result.output
    assert "Traceback" not in result.output
