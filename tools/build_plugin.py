"""Build the installable QGIS plugin zip: ``make plugin`` → ``dist/gridgis_qgis-<version>.zip``.

The zip holds one folder, ``gridgis_qgis/``, as QGIS's "Install from ZIP" expects:

    gridgis_qgis/
        __init__.py plugin.py missing.py metadata.txt icons/   the plugin (plugins/gridgis_qgis)
        README.md                                            installing it, for QGIS users
        requirements.txt                                     GridGIS's PyPI dependencies
        libs/gridgis/                                        the gridgis package
        libs/styles/                                         the QML styles (and print templates)
                                                              it loads, beside the package as in
                                                              a source checkout

The PyPI dependencies are compiled packages (shapely, pyogrio, pyarrow …) that differ
per platform and Python, so the zip does not carry them: ``requirements.txt`` lists them
for ``pip``, taken from ``pyproject.toml``.

Usage: python tools/build_plugin.py [--out DIR]
"""

from __future__ import annotations

import argparse
import configparser
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "plugins" / "gridgis_qgis"
NAME = "gridgis_qgis"
#: Files never shipped: caches, and translation sources (the compiled .qm ship).
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "*.ts", ".*")
#: QGIS 3.x builds (3.22 on Debian 12, the OSGeo4W and macOS installers up to 3.34) link
#: their GDAL Python bindings against NumPy 1.x; pip must not upgrade it under them.
NUMPY_1_PINS = ("numpy<2", "pyarrow<23")


def version() -> str:
    """GridGIS's version (``gridgis/__init__.py``)."""
    text = (ROOT / "gridgis" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise SystemExit("gridgis/__init__.py has no __version__")
    return match.group(1)


def metadata_version() -> str:
    """The version in the plugin's ``metadata.txt``."""
    metadata = configparser.ConfigParser()
    metadata.read(PLUGIN / "metadata.txt", encoding="utf-8")
    return metadata["general"]["version"]


def requirements() -> str:
    """``requirements.txt``: the runtime dependencies of ``pyproject.toml``."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lines = [
        "# GridGIS's Python packages, for QGIS's own Python:",
        "#   python -m pip install -r requirements.txt",
        "# (Windows: in the OSGeo4W Shell; macOS: with QGIS.app/Contents/MacOS/bin/python3;",
        "#  or pip install --target FOLDER and set GRIDGIS_SITE_PACKAGES=FOLDER).",
        "# The last lines keep NumPy 1.x, which QGIS 3.x's GDAL bindings are built for;",
        "# drop them when `import numpy; numpy.__version__` in QGIS's Python shows 2.x.",
        *project["project"]["dependencies"],
        *NUMPY_1_PINS,
    ]
    return "\n".join(lines) + "\n"


def build(out: Path) -> Path:
    """Build the zip into folder ``out``; return its path."""
    ver = version()
    if metadata_version() != ver:
        raise SystemExit(
            f"plugins/gridgis_qgis/metadata.txt says version {metadata_version()}, "
            f"gridgis is {ver}; make them agree."
        )
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{NAME}-{ver}.zip"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / NAME
        shutil.copytree(PLUGIN, folder, ignore=SKIP)
        shutil.copytree(ROOT / "gridgis", folder / "libs" / "gridgis", ignore=SKIP)
        shutil.copytree(ROOT / "styles", folder / "libs" / "styles", ignore=SKIP)
        (folder / "requirements.txt").write_text(requirements(), encoding="utf-8")
        partial = target.with_suffix(".zip.part")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder.parent).as_posix())
        partial.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    target = build(args.out)
    with zipfile.ZipFile(target) as archive:
        count = len(archive.namelist())
    print(f"{target} ({count} files, {target.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
