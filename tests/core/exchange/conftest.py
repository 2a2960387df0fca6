"""Fixtures for import and export tests: one read-only copy of the demo per module."""

import hashlib
import shutil
from pathlib import Path

import pytest

from gridgis.core.store import open_project
from tests.conftest import DEMO


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """The demo district, opened from a private copy (tests must not change it)."""
    target = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    shutil.copyfile(DEMO, target)
    return open_project(target)


def digest(path: Path) -> str:
    """SHA-256 of a file, to prove a failed import left the project unchanged."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
