"""Planner's session on the demo district, driven with the mouse: split, merge, undo."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely
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


def _panel(window):
    """(rule, code) of every finding the validation panel holds."""
    return {(i.rule, i.code) for i in window.validation_dock.model.issues}


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
    # The demo's over-full grid is reported by the check run on opening.
    assert households > 500
    assert ("capacity.above_band", code) in _panel(window)
    shown_at_start = _panel(window)

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
    # Both halves are checked again at once: no longer over the band, now under it.
    after_split_panel = _panel(window)
    assert ("capacity.above_band", code) not in after_split_panel
    for half, count in ((code, kept), (new_code, added)):
        assert (("capacity.below_band", half) in after_split_panel) == (count < 300)
    assert shown_at_start - {("capacity.above_band", code)} <= after_split_panel

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
    assert _panel(window) == shown_at_start

    # Undo the merge: the two halves are back, with their households.
    window.undo_action.trigger()
    assert _codes(window, community) == after_split
    assert _households(window, new_code) == added
    window.layer("grids").selectByIds([_grid(window, new_code)[0]])
    assert window.inspector_dock.inspector.households_figure() == added
    assert _panel(window) == after_split_panel
    # Undo the split too: the file is as it was when opened.
    window.undo_action.trigger()
    assert _codes(window, community) == before
    assert not window.isWindowModified()
    assert _panel(window) == shown_at_start
    window.redo_action.trigger()
    assert _codes(window, community) == after_split


def _community_without_grids(store):
    communities = store.read("communities")
    divided = set(store.read("grids", columns=["community_code"])["community_code"])
    free = communities[~communities["code"].isin(divided)].sort_values("code")
    return free.iloc[0]


def test_draw_a_grid_over_a_whole_undivided_community(qtbot, window):
    store = window.session.store
    community = _community_without_grids(store)
    code = str(community["code"])
    window.hierarchy_dock.show_row("community", code)
    render(window)
    minx, miny, maxx, maxy = community.geometry.bounds
    window.use_tool("draw")
    for x, y in ((minx - 60, maxy + 60), (maxx + 60, maxy + 60), (maxx + 60, miny - 60),
                 (minx - 60, miny - 60)):  # fmt: skip
        click(qtbot, window, x, y)
    click(qtbot, window, minx - 60, miny - 60, button=Qt.RightButton)
    assert _codes(window, code) == [f"{code}001"]
    drawn = store.read("grids", where={"community_code": code})
    assert drawn.geometry.iloc[0].symmetric_difference(community.geometry).area < 1.0
    assert int(drawn["households"].iloc[0]) == int(community["households"])
    assert window.hierarchy_dock.model.grid_item(f"{code}001") is not None
    window.undo_action.trigger()
    assert _codes(window, code) == []


def _reshape_detour(store):
    """A detour of the border between two grids into the second, crossing no building."""
    grids = store.read("grids")
    buildings = store.read("buildings", columns=["id"])
    footprints = shapely.STRtree(np.asarray(buildings.geometry.values, dtype=object))
    for _community, same in grids.groupby("community_code"):
        for a, b in itertools.permutations(same.index, 2):
            shared = shapely.line_merge(
                same.geometry[a].boundary.intersection(same.geometry[b].boundary)
            )
            if shared.geom_type != "LineString" or shared.length < 60:
                continue
            p0 = shared.interpolate(0.35, normalized=True)
            p1 = shared.interpolate(0.65, normalized=True)
            dx, dy = p1.x - p0.x, p1.y - p0.y
            length = (dx * dx + dy * dy) ** 0.5
            nx, ny = -dy / length, dx / length
            for d in (15, 20, 10):
                for sign in (1, -1):
                    q0 = shapely.Point(p0.x + sign * nx * d, p0.y + sign * ny * d)
                    if not same.geometry[b].contains(q0):
                        continue
                    q1 = shapely.Point(p1.x + sign * nx * d, p1.y + sign * ny * d)
                    pocket = shapely.Polygon([p0, q0, q1, p1])
                    if len(footprints.query(pocket.buffer(3), predicate="intersects")):
                        continue
                    return a, b, [p0, q0, q1, p1], pocket.area
    raise AssertionError("no clear detour in the demo")


def test_reshape_a_shared_border(qtbot, window):
    store = window.session.store
    a, b, points, area = _reshape_detour(store)
    before = store.read("grids").loc[[a, b]].geometry.area
    window.session.layers["grids"].selectByIds([a])
    from tests.gui.conftest import zoom_to

    zoom_to(window, shapely.MultiPoint(points).envelope.buffer(30))
    window.use_tool("reshape")
    for p in points:
        click(qtbot, window, p.x, p.y)
    click(qtbot, window, points[-1].x, points[-1].y, button=Qt.RightButton)
    message = window.message_bar.currentItem()
    assert window.undo_stack.count() == 1, message.text() if message else None
    after = store.read("grids").loc[[a, b]].geometry.area
    assert after[a] - before[a] == pytest.approx(area, rel=0.05, abs=5)
    assert before[b] - after[b] == pytest.approx(area, rel=0.05, abs=5)
    window.undo_action.trigger()
    assert store.read("grids").loc[[a, b]].geometry.area.tolist() == pytest.approx(
        before.tolist()
    )


def _movable_building(store):
    from gridgis.core.edit import move_building

    grids = store.read("grids")
    buildings = store.read("buildings", columns=["id", "grid_code", "households"])
    buildings = buildings[buildings["grid_code"].notna()]
    by_code = grids.set_index("code")
    for fid, row in buildings.iterrows():
        home = by_code.geometry[row["grid_code"]]
        if home.boundary.distance(row.geometry) > 25:
            continue
        same = by_code[
            by_code["community_code"] == by_code.at[row["grid_code"], "community_code"]
        ]
        for code, geom in same.geometry.items():
            if code == row["grid_code"] or geom.distance(row.geometry) > 25:
                continue
            try:
                move_building(store, int(fid), code)
            except Exception:
                continue
            return int(fid), row, code, geom
    raise AssertionError("no movable building in the demo")


def test_drag_a_building_to_the_neighbouring_grid(qtbot, window):
    store = window.session.store
    fid, building, target, target_geom = _movable_building(store)
    from tests.gui.conftest import drag, zoom_to

    zoom_to(window, building.geometry.buffer(60))
    window.use_tool("move_building")
    inside = building.geometry.representative_point()
    drop = target_geom.intersection(building.geometry.buffer(40)).representative_point()
    households_before = _households(window, target)
    drag(qtbot, window, (inside.x, inside.y), (drop.x, drop.y))
    moved = store.read("buildings").loc[fid]
    assert moved["grid_code"] == target
    assert _households(window, target) == households_before + int(
        building["households"]
    )
    window.undo_action.trigger()
    assert store.read("buildings").loc[fid, "grid_code"] == building["grid_code"]


def test_divide_this_community_report_accept_undo(qtbot, window):
    store = window.session.store
    community = _community_without_grids(store)
    code = str(community["code"])
    window.hierarchy_dock.show_row("community", code)
    assert window.current_community() == code
    dialog = window.divide_current_community()
    assert dialog is not None
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.computed, timeout=120000) as blocker:
        dialog.divide_button.click()
    division = blocker.args[0]
    assert dialog.progress.value() == 100
    report = dialog.report.toPlainText()
    assert "quality" in report or "质量" in report
    assert str(division.report.grids) in report
    assert len(dialog.preview) == len(division.grids)
    assert _codes(window, code) == []  # nothing written before accepting

    dialog.accept_button.click()
    codes = _codes(window, code)
    assert codes == sorted(division.grids["code"])
    first = codes[0]
    assert _households(window, first) == int(
        division.grids.set_index("code").at[first, "households"]
    )
    assert window.hierarchy_dock.model.grid_item(first) is not None
    window.hierarchy_dock.show_row("grid", first)
    assert window.inspector_dock.inspector.households_figure() == _households(
        window, first
    )
    total = sum(_households(window, c) for c in codes)
    assert total == int(community["households"])
    # The new grids are checked at once: tiled, in band; they still need staff.
    found = [i for i in window.validation_dock.model.issues if i.community == code]
    assert found
    assert {i.rule.split(".")[0] for i in found} == {"staffing"}
    assert {i.code for i in found} <= set(codes)

    window.undo_action.trigger()
    assert _codes(window, code) == []
    assert window.hierarchy_dock.model.grid_item(first) is None
    assert not [i for i in window.validation_dock.model.issues if i.community == code]
    window.redo_action.trigger()
    assert _codes(window, code) == codes


def test_divide_can_be_stopped(qtbot, window):
    store = window.session.store
    code = str(_community_without_grids(store)["code"])
    window.hierarchy_dock.show_row("community", code)
    dialog = window.divide_current_community()
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.failed, timeout=120000) as blocker:
        dialog.divide_button.click()
        dialog.cancel_button.click()
    assert type(blocker.args[0]).__name__ == "Cancelled"
    assert not dialog.accept_button.isEnabled()
    assert _codes(window, code) == []


def test_layers_read_what_the_edit_wrote(qtbot, window):
    """Buildings are not reloaded after an edit, yet QGIS reads their new grid codes."""
    store = window.session.store
    fid, building, target, _ = _movable_building(store)
    from gridgis.core.edit import move_building

    window.session.push(move_building(store, fid, target))
    feature = window.layer("buildings").getFeature(fid)
    assert feature["grid_code"] == target
    window.undo_action.trigger()
    assert (
        window.layer("buildings").getFeature(fid)["grid_code"] == building["grid_code"]
    )
