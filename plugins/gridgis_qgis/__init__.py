"""GridGIS in QGIS Desktop: the plugin's entry point.

QGIS calls :func:`classFactory` with its ``iface``. Before anything of GridGIS is
imported, :func:`add_dependency_paths` puts on ``sys.path``

1. ``libs/`` beside this file, where the plugin zip carries the ``gridgis`` package
   (and the ``styles/`` it loads);
2. every folder named by the environment variable ``GRIDGIS_SITE_PACKAGES``
   (separated by ``os.pathsep``) — a virtual environment's ``site-packages`` or a
   ``pip install --target`` folder holding GridGIS's PyPI dependencies.

Without ``GRIDGIS_SITE_PACKAGES`` the dependencies must be installed into QGIS's own
Python (``requirements.txt`` in the plugin zip). When one is missing, the plugin says
which and how to install it instead of failing to load.

On Linux, :func:`isolate_bundled_libraries` then imports the wheels that carry their
own GEOS, PROJ and GDAL with deep binding, so that they do not call into QGIS's copies.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parent
#: Where the plugin zip carries the ``gridgis`` package.
LIBS_DIR = PLUGIN_DIR / "libs"
#: Folders holding GridGIS's dependencies, for a QGIS whose Python lacks them.
SITE_PACKAGES_VARIABLE = "GRIDGIS_SITE_PACKAGES"


def dependency_paths(environ: dict[str, str] | None = None) -> list[Path]:
    """The folders :func:`add_dependency_paths` puts in front of ``sys.path``."""
    environ = dict(os.environ) if environ is None else environ
    paths = [LIBS_DIR] if LIBS_DIR.is_dir() else []
    for entry in environ.get(SITE_PACKAGES_VARIABLE, "").split(os.pathsep):
        if entry.strip():
            paths.append(Path(entry.strip()))
    return paths


def add_dependency_paths() -> list[str]:
    """Put :func:`dependency_paths` in front of ``sys.path`` (once); return them."""
    added = [str(p) for p in dependency_paths()]
    for path in reversed(added):
        if path not in sys.path:
            sys.path.insert(0, path)
    return added


#: Wheels that bundle libraries QGIS itself links: GEOS (shapely), PROJ (pyproj), GDAL
#: (pyogrio), libjpeg/libpng/libtiff/freetype (Pillow, pikepdf).
BUNDLED_LIBRARIES = ("shapely", "pyproj", "pyogrio", "PIL", "pikepdf")


def _extension_modules(package: str) -> list[str]:
    """The compiled modules of ``package`` (``shapely.lib``, ``pyogrio._io`` …)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return []
    names = []
    for folder in spec.submodule_search_locations:
        root = Path(folder)
        for path in sorted(root.rglob("*.so")):
            parts = path.relative_to(root).with_suffix("").parts
            module = ".".join((package, *parts[:-1], parts[-1].split(".")[0]))
            if "tests" not in parts:
                names.append(module)
    return names


def isolate_bundled_libraries() -> list[str]:
    """Import the wheels of :data:`BUNDLED_LIBRARIES` so that they use their own libraries.

    QGIS puts its GEOS, PROJ and GDAL (on Debian 12: GEOS 3.11, PROJ 9.1, GDAL 3.6),
    and the image libraries, into the process's global symbol scope. A wheel's own, newer copy would then run
    partly on QGIS's copy for every symbol both define and crash (shapely's coverage
    checks need GEOS 3.12). Loaded with ``RTLD_DEEPBIND``, each wheel's libraries look
    up their own symbols first. Only on Linux (Windows and macOS keep libraries apart
    anyway), and only for packages not imported yet. Returns the modules imported.
    """
    deepbind = getattr(os, "RTLD_DEEPBIND", None)
    if deepbind is None or not sys.platform.startswith("linux"):
        return []
    imported: list[str] = []
    try:
        import numpy  # noqa: F401  (numpy and its BLAS bind as usual)
    except ImportError:
        return imported
    flags = sys.getdlopenflags()
    sys.setdlopenflags(flags | deepbind)
    try:
        for package in BUNDLED_LIBRARIES:
            if package in sys.modules:
                continue
            for module in _extension_modules(package):
                try:
                    importlib.import_module(module)
                except ImportError:
                    continue  # a missing package is reported when gridgis loads
                imported.append(module)
    finally:
        sys.setdlopenflags(flags)
    return imported


def classFactory(iface):
    """Create the plugin for QGIS (Desktop or ``qgis_process``)."""
    add_dependency_paths()
    isolate_bundled_libraries()
    try:
        from .plugin import GridGisPlugin
    except ImportError as exc:
        from .missing import MissingDependencies

        return MissingDependencies(iface, exc)
    return GridGisPlugin(iface)
