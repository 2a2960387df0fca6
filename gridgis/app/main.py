"""Start-up of the desktop application: ``gridgis app`` and ``make run``.

This module owns the application's ``QgsApplication`` (through
:func:`gridgis.qgis.runtime.start_qgis`): it starts QGIS, installs the interface
language, opens the main window on the project file and runs the event loop.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

#: The demo district shipped with GridGIS.
DEMO_PROJECT = Path(__file__).resolve().parents[2] / "data" / "demo.gpkg"


def demo_workspace() -> Path:
    """The user's own copy of the demo district, made on first use.

    The window writes to the file it opens (edits, findings), so the shipped demo is
    never opened itself: a copy in the user's data folder (``$XDG_DATA_HOME/gridgis``,
    by default ``~/.local/share/gridgis``) keeps the planner's changes between runs and
    leaves the shipped file as it is.
    """
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    target = base / "gridgis" / "demo.gpkg"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".gpkg.part")
        shutil.copyfile(DEMO_PROJECT, partial)
        partial.replace(target)
    return target


def run(project: Path | None = None) -> int:
    """Open the main window on ``project`` (default: the user's copy of the demo).

    Returns the exit code.
    """
    from qgis.core import QgsApplication
    from qgis.PyQt.QtCore import QCoreApplication, QEvent, QSettings

    from gridgis.app.i18n import chosen_language, install_language
    from gridgis.app.window import MainWindow
    from gridgis.qgis.runtime import start_qgis

    app = start_qgis(gui=True)
    app.setApplicationName("GridGIS")
    app.setOrganizationName("GridGIS")
    settings = QSettings("GridGIS", "GridGIS")
    install_language(chosen_language(settings))
    window = MainWindow(settings=settings)
    window.show()
    window.open_or_report(project or demo_workspace())
    code = int(app.exec_())
    # Let a last render job and background checks end before the window goes.
    window.canvas.stopRendering()
    window.canvas.waitWhileRendering()
    tasks = QgsApplication.taskManager()
    tasks.cancelAll()
    while tasks.countActiveTasks():
        app.processEvents()
        time.sleep(0.05)
    # Widgets must go before QGIS does: one left to Python's shutdown would be
    # deleted after the application and crash on the way out.
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
