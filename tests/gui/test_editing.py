"""Planner's session on the demo district, driven with the mouse: split, merge, undo."""

from __future__ import annotations

import pytest
from qgis.PyQt.QtCore import Qt

from tests.gui.conftest import clear_vertical_cut, click, render

pytestmark = pytest.mark.gui


def _codes(window, community):
    layer = window.layer("grids")
    return sorted(
        f["code"] for f in layer.getFeatures() if f["community_code"] == community
    )


def _households(window, code):
    layer = window.layer("grids")
    (feature,) = [f for f in layer.getFeatures() if f["code"] == code]
    return feature["households"]


def _grid(window, code):
    grids = window.session.store.read("grids")
    row = grids[grids["code"] == code]
    return int(row.index[0]), row.iloc[0]


def _tree_households(window, code):
    item = window.hierarchy_dock.model.grid_item(code)
    assert item is not None, f"grid {code} is not in the hierarchy"
    parent = item.parent()
    return parent.child(item.row(), 1).text()


def test_split_merge_undo_with_the_mouse(qtbot, window):
    store = window.session.store
    grids = store.read("grids")
    target = grids.sort_values("households", ascending=False).iloc[0]
    code, community = str(target["code"]), str(target["community_code"])
    fid = int(grids.index[grids["code"] == code][0])
    before = _codes(window, community)
    households = int(target["households"])

    # Click the grid in the hierarchy: the map zooms to it, the inspector shows it.
    window.hierarchy_dock.show_row("grid", code)
    render(window)
    assert window.layer("grids").selectedFeatureIds() == [fid]
    assert window.inspector_dock.inspector.households_figure() == households
    assert str(households) in window.inspector_dock.inspector.households.text()

    # Split it with a north–south line drawn with the split tool.
    window.use_tool("split")
    x = clear_vertical_cut(store, fid)
    _, miny, _, maxy = target.geometry.bounds
    click(qtbot, window, x, maxy + 12)
    click(qtbot, window, x, miny - 12)
    click(qtbot, window, x, miny - 12, button=Qt.RightButton)
    after_split = _codes(window, community)
    assert len(after_split) == len(before) + 1, window.message_bar.currentItem()
    (new_code,) = set(after_split) - set(before)
    kept, added = _households(window, code), _households(window, new_code)
    assert kept + added == households
    assert 0 < added < households
    assert window.isWindowModified()
    assert _tree_households(window, new_code) == f"{added:,}"

    # Select both halves with the select tool and merge them again.
    window.use_tool("select")
    _, kept_row = _grid(window, code)
    _, added_row = _grid(window, new_code)
    a = kept_row.geometry.representative_point()
    b = added_row.geometry.representative_point()
    click(qtbot, window, a.x, a.y)
    click(qtbot, window, b.x, b.y, modifier=Qt.ShiftModifier)
    assert len(window.layer("grids").selectedFeatureIds()) == 2
    window.merge_action.trigger()
    assert _codes(window, community) == before
    assert _households(window, code) == households
    assert window.inspector_dock.inspector.households_figure() == households
    assert window.hierarchy_dock.model.grid_item(new_code) is None

    # Undo the merge: the two halves are back, with their households.
    window.undo_action.trigger()
    assert _codes(window, community) == after_split
    assert _households(window, new_code) == added
    window.layer("grids").selectByIds([_grid(window, new_code)[0]])
    assert window.inspector_dock.inspector.households_figure() == added
    # Undo the split too: the file is as it was when opened.
    window.undo_action.trigger()
    assert _codes(window, community) == before
    assert not window.isWindowModified()
    window.redo_action.trigger()
    assert _codes(window, community) == after_split
