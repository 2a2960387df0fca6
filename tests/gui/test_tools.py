"""Map tools: snapping to roads, identify, the status bar."""

from __future__ import annotations

import pytest
from qgis.PyQt.QtCore import QPoint, Qt

from tests.gui.conftest import click, pixel, render, zoom_to

pytestmark = pytest.mark.gui


def test_sketch_snaps_to_road_vertices(qtbot, window):
    store = window.session.store
    road = store.read("roads").geometry.iloc[0]
    x, y = road.coords[1]
    import shapely

    zoom_to(window, shapely.Point(x, y).buffer(40))
    window.use_tool("split")
    tool = window.canvas.mapTool()
    near = pixel(window, x, y) + QPoint(4, -3)
    viewport = window.canvas.viewport()
    qtbot.mouseMove(viewport, near)
    qtbot.mouseClick(viewport, Qt.LeftButton, Qt.NoModifier, near)
    assert len(tool.points) == 1
    clicked = window.canvas.getCoordinateTransform().toMapCoordinates(near)
    snapped = tool.points[0]
    # The click was several pixels off; the point drawn is on the road's vertex (or
    # on the crossing of the road with a boundary right there).
    assert clicked.distance(x, y) > 3 * window.canvas.mapUnitsPerPixel()
    assert snapped.distance(x, y) < 0.05
    # Esc forgets the sketch.
    qtbot.keyClick(viewport, Qt.Key_Escape)
    assert tool.points == []


def test_identify_shows_a_grid_with_aliases(qtbot, window):
    grid = window.session.store.read("grids").iloc[0]
    point = grid.geometry.representative_point()
    zoom_to(window, grid.geometry)
    window.use_tool("identify")
    seen = []
    window.canvas.mapTool().identified.connect(
        lambda layer, values: seen.append(values)
    )
    window.layer("facilities").setSubsetString("0")  # nothing on top of the grid
    window.layer("buildings").setSubsetString("0")
    render(window)
    click(qtbot, window, point.x, point.y)
    assert seen, "nothing identified"
    assert seen[-1]["grid code"] == grid["code"]


def test_status_bar_shows_coordinates_and_scale(window):
    centre = window.canvas.extent().center()
    window.canvas.xyCoordinates.emit(centre)
    text = window.coordinates.text()
    assert f"{centre.x():,.1f}" in text
    assert "°E" in text
    assert "°N" in text
    assert window.scale_label.text().startswith("1:")
