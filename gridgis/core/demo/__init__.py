"""The demo district shipped with GridGIS (``gridgis demo``)."""

from __future__ import annotations

from pathlib import Path

from gridgis.core.demo.district import DEFAULT_SEED, Demo, SeededFault, generate
from gridgis.core.link import link_project
from gridgis.core.store import GeoPackageStore

__all__ = ["DEFAULT_SEED", "Demo", "SeededFault", "generate", "write_demo"]


def write_demo(
    path: str | Path, *, seed: int = DEFAULT_SEED, overwrite: bool = False
) -> Demo:
    """Generate the demo district and write it as a project file at ``path``."""
    demo = generate(seed)
    store = GeoPackageStore.create(path, demo.settings, overwrite=overwrite)
    with store.transaction(tool="demo") as tx:
        for name, frame in demo.layers.items():
            tx.insert(name, frame)
    link_project(store)
    return demo
