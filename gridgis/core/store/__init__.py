"""Project storage: one interface, a GeoPackage file, memory or a PostGIS database.

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
from gridgis.core.store.postgis import PostGISStore, is_postgres

__all__ = [
    "BBox",
    "GeoPackageStore",
    "MemoryStore",
    "PostGISStore",
    "Store",
    "Transaction",
    "Where",
    "copy_project",
    "create_project",
    "is_postgres",
    "open_project",
]


def open_project(path: str | Path) -> Store:
    """Open a GridGIS project: a file (migrating an older one) or a database.

    ``path`` is a ``.gpkg`` file or a PostgreSQL connection string
    (``postgresql://user@host/db``, ``service=NAME``).
    """
    if is_postgres(path):
        return PostGISStore.open(path)
    return GeoPackageStore.open(path)


def create_project(
    path: str | Path, settings: Settings, *, overwrite: bool = False
) -> Store:
    """Create a new, empty GridGIS project: a file, or in an empty database."""
    if is_postgres(path):
        return PostGISStore.create(path, settings, overwrite=overwrite)
    return GeoPackageStore.create(path, settings, overwrite=overwrite)


def copy_project(
    source: Store, target: str | Path, *, overwrite: bool = False
) -> Store:
    """Copy every layer and the settings of ``source`` into a new project ``target``.

    ``target`` is a file or a database, whatever ``source`` is. The copy is one
    transaction (``COPY`` into PostGIS): it lands whole or not at all. Fids, grid
    history and community revisions are kept.
    """
    from gridgis.core import schema

    frames = {
        name: source.read(name) for name in schema.LAYER_NAMES if name != "settings"
    }

    def fill(tx: Transaction) -> None:
        # The store's own transaction, not the recording one: a copy carries the
        # source's change log as it is and adds no change set of its own.
        tx = getattr(tx, "inner", tx)
        for name, frame in frames.items():
            if name == "community_revisions":
                tx.delete_where(name, {})  # the copy's own writes moved them
            if len(frame):
                tx.insert(name, frame, keep_fids=True)

    if is_postgres(target):
        return PostGISStore.create(
            target, source.settings, overwrite=overwrite, fill=fill, tool="gridgis copy"
        )
    store = GeoPackageStore.create(target, source.settings, overwrite=overwrite)
    try:
        with store.transaction() as tx:
            fill(tx)
    except BaseException:
        Path(target).unlink(missing_ok=True)
        raise
    return store
