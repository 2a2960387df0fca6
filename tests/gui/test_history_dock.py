"""The History dock: after a split with the mouse, the grid's versions and a past one."""

from __future__ import annotations

import pytest
from qgis.core import QgsGeometry
from qgis.PyQt.QtCore import Qt

from gridgis.core.audit import os_user
from tests.gui.conftest import clear_vertical_cut, click, render

pytestmark = pytest.mark.gui


def _rows(dock):
    table = dock.table
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_a_split_shows_in_the_history_and_the_old_grid_comes_back(qtbot, window):
    store = window.session.store
    grids = store.read("grids")
    target = grids.sort_values("households", ascending=False).iloc[0]
    code = str(target["code"])
    fid = int(grids.index[grids["code"] == code][0])
    dock = window.history_dock

    # Clicking the grid in the hierarchy lists its versions: the demo's creation and
    # its first link.
    window.hierarchy_dock.show_row("grid", code)
    render(window)
    assert dock.code_edit.text() == code
    assert [r[3] for r in _rows(dock)] == ["gridgis demo", "gridgis demo"]

    # Split it with the split tool: the dock follows the edit.
    window.use_tool("split")
    x = clear_vertical_cut(store, fid)
    _, miny, _, maxy = target.geometry.bounds
    click(qtbot, window, x, maxy + 12)
    click(qtbot, window, x, miny - 12)
    click(qtbot, window, x, miny - 12, button=Qt.RightButton)
    qtbot.waitUntil(lambda: dock.table.rowCount() == 3, timeout=5000)
    rows = _rows(dock)
    # Newest first: the split with its relink (one change set), the demo's link and
    # load.
    assert [r[3] for r in rows] == ["app: split", "gridgis demo", "gridgis demo"]
    assert rows[0][4].startswith("Grids: update")
    assert rows[0][2] == os_user()
    after_split = store.read("grids").loc[fid].geometry
    assert after_split.area < target.geometry.area - 1

    # Pick the demo's version and show it: a temporary layer with the whole grid.
    assert not dock.show_button.isEnabled()
    dock.table.selectRow(len(rows) - 1)
    assert dock.show_button.isEnabled()
    qtbot.mouseClick(dock.show_button, Qt.LeftButton)
    layer = dock.version_layer
    assert layer is not None
    layer_id = layer.id()
    assert layer.isValid()
    assert layer.crs().isValid()
    assert layer.crs().authid() == f"EPSG:{store.settings.crs_epsg}"
    assert layer.providerType() == "memory"
    assert window.project.mapLayer(layer.id()) is layer
    qtbot.waitUntil(lambda: layer in window.canvas.layers(), timeout=5000)
    (feature,) = list(layer.getFeatures())
    assert feature["code"] == code
    past = QgsGeometry.fromWkt(target.geometry.wkt)
    assert feature.geometry().area() == pytest.approx(past.area(), rel=1e-9)
    assert feature.geometry().symDifference(past).area() < 1e-6
    assert feature["households"] == int(target["households"])
    render(window)
    # The project file is untouched by showing a version.
    assert store.read("grids").loc[fid].geometry.equals(after_split)

    # Typing the community's code lists the community's versions; Clear removes it.
    dock.code_edit.setText(code[:12])
    qtbot.keyClick(dock.code_edit, Qt.Key_Return)
    assert dock.target == ("community", code[:12])
    assert "app: split" in [r[3] for r in _rows(dock)]
    qtbot.mouseClick(dock.clear_button, Qt.LeftButton)
    assert dock.version_layer is None
    assert window.project.mapLayer(layer_id) is None
