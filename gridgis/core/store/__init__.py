"""Project storage: one interface, a GeoPackage file, memory (and PostGIS later).

Examples
--------
>>> from gridgis.core.store import MemoryStore
>>> from gridgis.core.settings import Settings
>>> store = MemoryStore(Settings.default(crs_epsg=4549, code_prefix="320508"))
>>> store.count("grids")
0
"""

from __future__ import annotations

from pathlib import Path

from gridgis.core.settings import Settings
from gridgis.core.store.base import BBox, Store, Transaction, Where
from gridgis.core.store.gpkg import GeoPackageStore
from gridgis.core.store.memory import MemoryStore

__all__ = [
    "BBox",
    "GeoPackageStore",
    "MemoryStore",
    "Store",
    "Transaction",
    "Where",
    "create_project",
    "open_project",
]


def open_project(path: str | Path) -> Store:
    """Open a GridGIS project file (migrating an older one)."""
    return GeoPackageStore.open(path)


def create_project(
    path: str | Path, settings: Settings, *, overwrite: bool = False
) -> Store:
    """Create a new, empty GridGIS project file."""
    return GeoPackageStore.create(path, settings, overwrite=overwrite)
