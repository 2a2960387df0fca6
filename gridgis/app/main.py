"""Start-up of the desktop application: ``gridgis app`` and ``make run``."""

from __future__ import annotations

import sys
from pathlib import Path

from gridgis.core.errors import GridGisError

#: The demo district opened when no project is named.
DEMO_PROJECT = Path(__file__).resolve().parents[2] / "data" / "demo.gpkg"


def run(project: Path | None = None) -> int:
    """Open the main window on ``project`` (default: the demo district); return the exit code."""
    from qgis.PyQt.QtWidgets import QMessageBox

    from gridgis.app.window import MainWindow
    from gridgis.qgis.runtime import start_qgis

    app = start_qgis(gui=True)
    window = MainWindow()
    try:
        window.open_project(project or DEMO_PROJECT)
    except GridGisError as exc:
        QMessageBox.critical(window, "GridGIS", str(exc))
    window.show()
    return int(app.exec_())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
