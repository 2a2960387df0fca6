"""``make plugin``'s zip: what it holds, and that it loads in QGIS's own Python."""

from __future__ import annotations

import json
import subprocess
import textwrap
import zipfile

import pytest
import tomllib

import gridgis
from tests.conftest import ROOT, SYSTEM_PYTHON
from tests.qgis.plugin_zip import build_zip, qgis_environment, unpack

pytestmark = pytest.mark.qgis


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory):
    return build_zip(tmp_path_factory.mktemp("dist"))


def test_zip_holds_the_plugin_the_gridgis_package_and_what_it_loads(plugin_zip):
    assert plugin_zip.name == f"gridgis_qgis-{gridgis.__version__}.zip"
    with zipfile.ZipFile(plugin_zip) as archive:
        names = set(archive.namelist())
        requirements = archive.read("gridgis_qgis/requirements.txt").decode()
    assert {n.split("/")[0] for n in names} == {"gridgis_qgis"}
    for expected in (
        "gridgis_qgis/metadata.txt",
        "gridgis_qgis/__init__.py",
        "gridgis_qgis/plugin.py",
        "gridgis_qgis/README.md",
        "gridgis_qgis/icons/gridgis.svg",
        "gridgis_qgis/libs/gridgis/__init__.py",
        "gridgis_qgis/libs/gridgis/qgis/processing/provider.py",
        "gridgis_qgis/libs/gridgis/qgis/processing/icons/validate.svg",
        "gridgis_qgis/libs/gridgis/qgis/processing/i18n/gridgis_processing_zh_CN.qm",
        "gridgis_qgis/libs/styles/grids.qml",
        "gridgis_qgis/libs/styles/issues.qml",
    ):
        assert expected in names, expected
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".ts"))]
    assert not [n for n in names if "/tests/" in n or n.endswith(".gpkg")]
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    lines = [x for x in requirements.splitlines() if x and not x.startswith("#")]
    assert lines == [*declared, "numpy<2", "pyarrow<23"]


def test_unpacked_zip_runs_in_qgis_python_with_its_own_gridgis(
    plugin_zip, tmp_path, demo_copy
):
    """QGIS's Python (the system's, not the test environment's) loads the plugin."""
    plugin_dir = unpack(plugin_zip, tmp_path / "plugins")
    script = textwrap.dedent(
        f"""
        import json, sys
        from qgis.core import QgsApplication, QgsProject
        QgsApplication.setPrefixPath("/usr", True)
        app = QgsApplication([], False)
        app.initQgis()
        sys.path.append("/usr/share/qgis/python/plugins")
        from processing.core.Processing import Processing
        Processing.initialize()
        sys.path.insert(0, {str(plugin_dir.parent)!r})
        import gridgis_qgis
        plugin = gridgis_qgis.classFactory(None)
        plugin.initProcessing()
        import gridgis, numpy, shapely
        from osgeo import gdal_array
        from gridgis.qgis.layers import STYLES_DIR, load_project
        layers = load_project({str(demo_copy)!r}, QgsProject.instance())
        import processing
        result = processing.run(
            "gridgis:validate", {{"PROJECT": {str(demo_copy)!r}, "OUTPUT": "memory:"}}
        )
        print(json.dumps({{
            "plugin": type(plugin).__name__,
            "gridgis": gridgis.__file__,
            "styles": str(STYLES_DIR),
            "numpy": numpy.__version__,
            "geos": shapely.geos_version_string,
            "grids_renderer": layers["grids"].renderer().type(),
            "issues": result["OUTPUT"].featureCount(),
        }}))
        """
    )
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", script],
        capture_output=True,
        text=True,
        env=qgis_environment(tmp_path / "plugins", tmp_path / "config"),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["plugin"] == "GridGisPlugin"
    assert found["gridgis"].startswith(str(plugin_dir / "libs" / "gridgis"))
    assert found["styles"] == str(plugin_dir / "libs" / "styles")
    assert found["numpy"].startswith("1.")
    assert found["grids_renderer"] == "categorizedSymbol"
    assert found["issues"] == 4


def test_without_its_dependencies_the_plugin_says_what_to_install(plugin_zip, tmp_path):
    unpack(plugin_zip, tmp_path / "plugins")
    env = qgis_environment(tmp_path / "plugins", tmp_path / "config")
    del env["GRIDGIS_SITE_PACKAGES"]  # QGIS's Python alone lacks geopandas & co.
    script = textwrap.dedent(
        f"""
        import sys
        from qgis.core import QgsApplication
        app = QgsApplication([], False)
        app.initQgis()
        sys.path.insert(0, {str(tmp_path / "plugins")!r})
        import gridgis_qgis
        plugin = gridgis_qgis.classFactory(None)
        print(type(plugin).__name__)
        print(plugin.message)
        """
    )
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("MissingDependencies")
    assert "requirements.txt" in done.stdout
    assert "pip install" in done.stdout
