"""Fixtures shared by the whole suite: sample settings, stores, the demo district."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GRIDGIS_LANG", "en")

from gridgis.core.settings import Settings
from gridgis.core.store import GeoPackageStore, MemoryStore, Store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo.gpkg"
SYSTEM_PYTHON = "/usr/bin/python3"
VALIDATE_GPKG = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"


def validate_gpkg(path: Path) -> subprocess.CompletedProcess[str]:
    """Run the system GDAL's GeoPackage validator on ``path``."""
    return subprocess.run(
        [SYSTEM_PYTHON, VALIDATE_GPKG, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def settings() -> Settings:
    return Settings.default(crs_epsg=4549, code_prefix="320508")


@pytest.fixture(params=["gpkg", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path, settings: Settings) -> Store:
    """An empty project in each kind of store (the contract every store keeps)."""
    if request.param == "gpkg":
        return GeoPackageStore.create(tmp_path / "project.gpkg", settings)
    return MemoryStore(settings)


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped demo district."""
    target = tmp_path / "demo.gpkg"
    shutil.copyfile(DEMO, target)
    return target
