"""Fixtures for the window tests: a window on a private copy of the demo district."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from qgis.core import QgsPointXY, QgsProject
from qgis.PyQt.QtCore import (
    QCoreApplication,
    QEventLoop,
    QPoint,
    QSettings,
    Qt,
    QTimer,
)

from gridgis.app.window import MainWindow


def render(window: MainWindow) -> None:
    """Wait until the canvas has drawn."""
    loop = QEventLoop()
    window.canvas.mapCanvasRefreshed.connect(loop.quit)
    QTimer.singleShot(20000, loop.quit)
    window.canvas.refresh()
    loop.exec_()


#: Windows of finished tests. They are closed, not deleted: deleting a QGIS map canvas
#: while a render job's result is still queued crashes QGIS 3.22.
_CLOSED: list[tuple[MainWindow, QgsProject]] = []


def dispose(window: MainWindow, project: QgsProject) -> None:
    """Close ``window`` and let its rendering finish."""
    window.undo_stack.setClean()  # a window with unsaved edits would ask
    window.close()
    window.canvas.stopRendering()
    window.canvas.waitWhileRendering()
    QCoreApplication.processEvents()
    _CLOSED.append((window, project))


@pytest.fixture
def make_window(tmp_path):
    """Make main windows (on their own QGIS project and settings); disposed after."""
    made = []

    def make() -> MainWindow:
        project = QgsProject()
        settings = QSettings(
            str(tmp_path / f"settings{len(made)}.ini"), QSettings.IniFormat
        )
        win = MainWindow(project, settings)
        made.append((win, project))
        return win

    yield make
    for win, project in reversed(made):
        dispose(win, project)


@pytest.fixture
def window(qtbot, demo_copy, make_window):
    """The main window on a copy of the demo district, 1400 × 900, shown."""
    win = make_window()
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.open_project(demo_copy)
    # The whole file is checked in the background on opening: let it finish.
    qtbot.waitUntil(lambda: win.validation_dock.task is None, timeout=60000)
    return win


def pixel(window: MainWindow, x: float, y: float) -> QPoint:
    """The canvas pixel of map point ``(x, y)``."""
    point = window.canvas.getCoordinateTransform().transform(QgsPointXY(x, y))
    return QPoint(round(point.x()), round(point.y()))


def click(qtbot, window: MainWindow, x: float, y: float, *, button=Qt.LeftButton,
          modifier=Qt.NoModifier) -> None:  # fmt: skip
    """Click the canvas at map point ``(x, y)``."""
    pos = pixel(window, x, y)
    viewport = window.canvas.viewport()
    qtbot.mouseMove(viewport, pos)
    qtbot.mouseClick(viewport, button, modifier, pos)


def drag(
    qtbot, window: MainWindow, start: tuple[float, float], end: tuple[float, float]
) -> None:
    """Press at ``start``, move, and release at ``end`` (map coordinates)."""
    viewport = window.canvas.viewport()
    a, b = pixel(window, *start), pixel(window, *end)
    qtbot.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, a)
    qtbot.mouseMove(viewport, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    qtbot.mouseMove(viewport, b)
    qtbot.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, b)


def clear_vertical_cut(store, fid: int, margin: float = 4.0) -> float:
    """An x at which a north–south line crosses grid ``fid`` without touching a building."""
    grid = store.read("grids").loc[fid]
    geom = grid.geometry
    minx, miny, maxx, maxy = geom.bounds
    buildings = store.read("buildings", bbox=geom.bounds, columns=["id"])
    footprints = np.asarray(buildings.geometry.values, dtype=object)
    best = None
    for x in np.linspace(minx, maxx, 81)[20:-20]:
        line = shapely.LineString([(x, miny - 30), (x, maxy + 30)])
        if (
            len(footprints)
            and shapely.intersects(shapely.buffer(footprints, margin), line).any()
        ):
            continue
        if best is None or abs(x - (minx + maxx) / 2) < abs(best - (minx + maxx) / 2):
            best = float(x)
    assert best is not None, "no clear cut line through the grid"
    return best


def zoom_to(window: MainWindow, geometry) -> None:
    """Show ``geometry`` (shapely) on the canvas."""
    from qgis.core import QgsRectangle

    window.canvas.setExtent(QgsRectangle(*geometry.bounds))
    render(window)
