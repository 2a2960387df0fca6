"""``qgis_process`` (QGIS's command-line Processing runner) with the plugin zip installed.

This is the command the README gives: the plugin unpacked into a plugins folder
(``QGIS_PLUGINPATH``), a fresh QGIS profile (``QGIS_CUSTOM_CONFIG_PATH``), GridGIS's
dependencies found through ``GRIDGIS_SITE_PACKAGES``, offscreen.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from qgis.core import QgsVectorLayer

import gridgis
from tests.qgis.plugin_zip import build_zip, qgis_environment, unpack

pytestmark = pytest.mark.qgis

#: Debian's /usr/bin/qgis_process wrapper passes an option the 3.22 binary rejects.
QGIS_PROCESS = shutil.which("qgis_process.bin") or "/usr/lib/qgis/qgis_process.bin"
FAULT_RULES = {
    "topology.gap",
    "topology.overlap",
    "capacity.above_band",
    "staffing.missing_role",
}


@pytest.fixture(scope="module")
def qgis_process(tmp_path_factory):
    """Run ``qgis_process`` with the plugin installed and enabled in a fresh profile."""
    if not Path(QGIS_PROCESS).exists():
        pytest.fail(
            "qgis_process.bin is missing: install Debian's qgis package (make system)."
        )
    root = tmp_path_factory.mktemp("qgis")
    unpack(build_zip(root / "dist"), root / "plugins")
    env = qgis_environment(root / "plugins", root / "config")

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [QGIS_PROCESS, *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=root,
            timeout=300,
            check=False,
        )
        if check:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    enabled = run("plugins", "enable", "gridgis_qgis")
    assert "Enabled gridgis_qgis (GridGIS)" in enabled.stdout
    return run


def test_list_shows_the_gridgis_algorithms(qgis_process):
    listed = qgis_process("list").stdout
    section = listed.split("\nGridGIS\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == [
        "\tgridgis:boards\tPrint grid boards",
        "\tgridgis:divide\tDivide a community",
        "\tgridgis:export\tExport shapefile bundles",
        "\tgridgis:link\tLink buildings and facilities",
        "\tgridgis:validate\tValidate project",
    ]


def test_validate_the_demo_from_the_shell(qgis_process, demo_copy, tmp_path):
    out = tmp_path / "issues.gpkg"
    done = qgis_process(
        "--json",
        "run",
        "gridgis:validate",
        "--",
        f"PROJECT={demo_copy}",
        f"OUTPUT={out}",
    )
    report = json.loads(done.stdout)
    assert report["results"]["ERRORS"] == 4
    assert report["results"]["WARNINGS"] == 0
    assert report["algorithm_details"]["id"] == "gridgis:validate"
    assert report["provider_details"]["version"] == gridgis.__version__
    layer = QgsVectorLayer(str(out), "issues", "ogr")
    assert layer.isValid()
    assert layer.crs().authid() == "EPSG:4549"
    assert {f["rule"] for f in layer.getFeatures()} == FAULT_RULES
    assert layer.featureCount() == 4


def test_a_missing_project_fails_with_a_message(qgis_process, tmp_path):
    done = qgis_process(
        "run",
        "gridgis:validate",
        "--",
        f"PROJECT={tmp_path / 'none.gpkg'}",
        f"OUTPUT={tmp_path / 'issues.gpkg'}",
        check=False,
    )
    assert done.returncode == 1
    assert "There is no GridGIS project file" in done.stdout + done.stderr


def test_help_describes_the_divide_parameters(qgis_process):
    shown = qgis_process("help", "gridgis:divide").stdout
    assert "Write into the project: off by default" in shown
    for parameter in ("PROJECT", "COMMUNITY", "MIN_HOUSEHOLDS", "WRITE", "REPORT"):
        assert f"{parameter}:" in shown


def test_boards_print_from_the_shell(qgis_process, demo_copy, tmp_path):
    """Printing loads Pillow and pikepdf next to QGIS's own image libraries."""
    from tests.qgis import pdftools

    out = tmp_path / "boards"
    done = qgis_process(
        "--json",
        "run",
        "gridgis:boards",
        "--",
        f"PROJECT={demo_copy}",
        "COMMUNITY=320599001002",
        "PNG=true",
        f"OUTPUT={out}",
    )
    assert json.loads(done.stdout)["results"]["GRIDS"] == 7
    assert pdftools.page_count(out / "boards.pdf") == 7
    assert len(list((out / "boards-png").glob("*.png"))) == 7


def test_validate_a_database_project_from_the_shell(qgis_process, pg_demo, tmp_path):
    out = tmp_path / "issues.gpkg"
    done = qgis_process(
        "--json", "run", "gridgis:validate", "--",
        f"PROJECT={pg_demo}", f"OUTPUT={out}",
    )  # fmt: skip
    report = json.loads(done.stdout)
    assert report["results"]["ERRORS"] == 4
    layer = QgsVectorLayer(str(out), "issues", "ogr")
    assert {f["rule"] for f in layer.getFeatures()} == FAULT_RULES
