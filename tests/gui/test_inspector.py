"""The grid inspector shows a grid's figures and lists, and edits them undoably."""

from __future__ import annotations

import pytest
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QDialog

pytestmark = pytest.mark.gui

GRID = "320599001001001"


def _show(window, code=GRID):
    window.hierarchy_dock.show_row("grid", code)
    return window.inspector_dock.inspector


def test_inspector_shows_the_grid_of_the_store(window):
    store = window.session.store
    inspector = _show(window)
    grid = store.read("grids", where={"code": GRID}).iloc[0]
    assert inspector.code.text() == GRID
    assert inspector.name.text() == grid["name"]
    assert inspector.households_figure() == int(grid["households"])
    assert "300–500" in inspector.households.text()
    buildings = store.read("buildings", where={"grid_code": GRID}, columns=["id"])
    assert inspector.buildings.rowCount() == len(buildings)
    facilities = store.read("facilities", where={"grid_code": GRID}, columns=["id"])
    assert inspector.facilities.rowCount() == len(facilities)
    posts = store.read("assignments", where={"grid_code": GRID})
    assert inspector.staff.rowCount() == len(posts)
    # Posts follow the role catalogue's order: the grid leader first.
    assert inspector.staff.item(0, 0).text() == "grid leader"
    window.layer("grids").removeSelection()
    assert inspector.households_figure() is None
    assert not inspector.name.isEnabled()


def test_rename_kind_and_partner_are_undoable_edits(window):
    store = window.session.store
    original = store.read("grids").set_index("code").at[GRID, "ab_partner"]
    inspector = _show(window)
    inspector.name.setText("幸福里一号网格")
    inspector.name.editingFinished.emit()
    assert store.read("grids", where={"code": GRID})["name"].iloc[0] == "幸福里一号网格"
    assert window.layer("grids").selectedFeatureIds()  # still shown
    assert inspector.title.text() == "幸福里一号网格"

    partner_index = inspector.partner.findData(f"{GRID[:12]}002")
    assert partner_index > 0, "the neighbouring grid 002 is offered as AB partner"
    inspector.partner.setCurrentIndex(partner_index)
    inspector.partner.activated.emit(partner_index)
    grids = store.read("grids").set_index("code")
    assert grids.at[GRID, "ab_partner"] == f"{GRID[:12]}002"
    assert grids.at[f"{GRID[:12]}002", "ab_partner"] == GRID

    window.undo_action.trigger()
    assert store.read("grids").set_index("code").at[GRID, "ab_partner"] == original
    assert inspector.partner.currentData() == original
    window.undo_action.trigger()
    assert inspector.name.text() != "幸福里一号网格"


def test_assign_staff_from_the_picker_and_remove(qtbot, window):
    store = window.session.store
    inspector = _show(window)
    before = inspector.staff.rowCount()
    staff = store.read("staff", columns=["id", "name"])
    assigned = set(store.read("assignments", where={"grid_code": GRID})["staff_id"])
    person = staff[~staff["id"].isin(assigned)].iloc[0]

    def pick():
        dialog = inspector.findChild(QDialog)
        dialog.search.setText(person["name"])
        dialog.choose(person["id"])
        dialog.role.setCurrentIndex(dialog.role.findData("part_time"))
        dialog.accept()

    QTimer.singleShot(200, pick)
    inspector.pick_staff()
    assert inspector.staff.rowCount() == before + 1
    names = [
        inspector.staff.item(r, 1).text() for r in range(inspector.staff.rowCount())
    ]
    assert person["name"] in names
    posts = store.read(
        "assignments", where={"grid_code": GRID, "staff_id": person["id"]}
    )
    assert posts["role"].tolist() == ["part_time"]

    row = names.index(person["name"])
    inspector.staff.selectRow(row)
    assert inspector.remove_staff.isEnabled()
    inspector.remove_staff.click()
    assert inspector.staff.rowCount() == before
    window.undo_action.trigger()
    assert inspector.staff.rowCount() == before + 1


def test_a_refused_edit_is_explained_and_changes_nothing(window):
    inspector = _show(window)
    staff_id = store_first_post(window)
    inspector.assign(staff_id, "grid_leader")
    item = window.message_bar.currentItem()
    assert item is not None
    assert "already holds" in item.text()
    assert window.undo_stack.count() == 0


def store_first_post(window):
    posts = window.session.store.read("assignments", where={"grid_code": GRID})
    return str(posts[posts["role"] == "grid_leader"]["staff_id"].iloc[0])
