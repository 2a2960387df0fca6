"""The plugin when GridGIS's Python dependencies cannot be imported.

It loads nothing of GridGIS and tells the user, in Chinese and English, which package
is missing and how to install it; QGIS keeps running.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import Qgis, QgsMessageLog

PLUGIN_DIR = Path(__file__).resolve().parent
TAG = "GridGIS"


def install_hint(error: ImportError) -> str:
    """What to tell the user about ``error`` (both languages)."""
    missing = error.name or str(error)
    requirements = PLUGIN_DIR / "requirements.txt"
    return (
        f"GridGIS 无法加载:缺少 Python 包 {missing}({error})。请把 GridGIS 依赖的包装入 "
        f'QGIS 的 Python:python -m pip install -r "{requirements}"'
        "(Windows 上在 OSGeo4W Shell 中运行),或把环境变量 GRIDGIS_SITE_PACKAGES "
        "设为装有这些包的文件夹,然后重启 QGIS。\n"
        f"GridGIS cannot load: the Python package {missing} is missing ({error}). "
        "Install GridGIS's packages into QGIS's Python: "
        f'python -m pip install -r "{requirements}" (on Windows in the OSGeo4W '
        "Shell), or set the environment variable GRIDGIS_SITE_PACKAGES to a folder "
        "that holds them, then restart QGIS."
    )


class MissingDependencies:
    """A plugin that only says what is missing."""

    def __init__(self, iface, error: ImportError) -> None:
        self.iface = iface
        self.error = error
        self.message = install_hint(error)
        QgsMessageLog.logMessage(self.message, TAG, Qgis.Critical)

    def initProcessing(self) -> None:
        """Nothing to register."""

    def initGui(self) -> None:
        """Show the message in QGIS's message bar."""
        if self.iface is not None:
            self.iface.messageBar().pushMessage(
                TAG, self.message, level=Qgis.Critical, duration=0
            )

    def unload(self) -> None:
        """Nothing to remove."""
