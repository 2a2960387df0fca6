"""Build the plugin zip and unpack it as a QGIS user would (shared by the zip tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from tests.conftest import ROOT

#: Where the test environment keeps GridGIS's PyPI dependencies: QGIS's Python finds
#: them there through GRIDGIS_SITE_PACKAGES, as a user's would.
SITE_PACKAGES = sysconfig.get_paths()["purelib"]


def build_zip(out: Path) -> Path:
    """Run ``tools/build_plugin.py`` (what ``make plugin`` runs) into ``out``."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_plugin.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.split(" (")[0].strip())


def unpack(archive: Path, plugins: Path) -> Path:
    """Unpack the zip into a plugins folder; return the plugin's folder."""
    plugins.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as z:
        z.extractall(plugins)
    return plugins / "gridgis_qgis"


def qgis_environment(plugins: Path, config: Path) -> dict[str, str]:
    """Environment for QGIS's own Python with the unpacked plugin and a fresh profile."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "QGIS_OPTIONS_PATH")
    }
    env.update(
        QT_QPA_PLATFORM="offscreen",
        QGIS_PLUGINPATH=str(plugins),
        QGIS_CUSTOM_CONFIG_PATH=str(config),
        GRIDGIS_SITE_PACKAGES=SITE_PACKAGES,
        GRIDGIS_LANG="en",
    )
    return env
