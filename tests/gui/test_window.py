"""The main window shows the demo district's map."""

import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtCore import QEventLoop, QTimer

from gridgis.app.window import MainWindow

pytestmark = pytest.mark.gui


def _render(window: MainWindow) -> None:
    loop = QEventLoop()
    window.canvas.mapCanvasRefreshed.connect(loop.quit)
    QTimer.singleShot(20000, loop.quit)
    window.canvas.refresh()
    loop.exec_()


def test_window_opens_the_demo_and_draws_the_map(qtbot, demo_copy, tmp_path):
    window = MainWindow(QgsProject())
    qtbot.addWidget(window)
    window.open_project(demo_copy)
    window.resize(1200, 800)
    window.show()
    _render(window)
    assert set(window.layers) >= {"streets", "communities", "grids", "buildings"}
    assert str(demo_copy) in window.file_label.text()
    image = window.canvas.grab().toImage()
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), 7)
        for y in range(0, image.height(), 7)
    }
    assert len(colours) > 50, "the map looks empty"
