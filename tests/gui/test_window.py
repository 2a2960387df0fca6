"""The main window shows the demo district's map, styled, with its docks."""

import pytest

from tests.gui.conftest import render

pytestmark = pytest.mark.gui


def test_window_opens_the_demo_and_draws_the_map(window, demo_copy):
    render(window)
    assert set(window.layers) >= {"streets", "communities", "grids", "buildings"}
    for layer in window.layers.values():
        assert layer.isValid()
        assert layer.crs().isValid()
    assert str(demo_copy) in window.file_label.text()
    assert window.windowTitle().startswith("demo.gpkg")
    assert "Gauss" in window.crs_label.text()
    assert window.hierarchy_dock.model.rowCount() == 3  # three streets
    image = window.canvas.grab().toImage()
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), 7)
        for y in range(0, image.height(), 7)
    }
    assert len(colours) > 50, "the map looks empty"
