"""Saved state, the close prompt, save as, recent files and a new project."""

from __future__ import annotations

import pytest
from qgis.PyQt.QtGui import QCloseEvent

from gridgis.core.settings import Settings
from gridgis.core.store import create_project, open_project

pytestmark = pytest.mark.gui

GRID = "320599001001001"


def _rename(window, name):
    window.hierarchy_dock.show_row("grid", GRID)
    inspector = window.inspector_dock.inspector
    inspector.name.setText(name)
    inspector.name.editingFinished.emit()


def _name_in_file(path):
    return open_project(path).read("grids", where={"code": GRID})["name"].iloc[0]


def _close(window):
    event = QCloseEvent()
    window.closeEvent(event)
    return event.isAccepted()


def test_edits_reach_the_file_at_once_and_mark_the_window(window, demo_copy):
    original = _name_in_file(demo_copy)
    _rename(window, "一号网格")
    assert _name_in_file(demo_copy) == "一号网格"  # the command line sees it now
    assert window.isWindowModified()
    assert window.file_label.text().endswith("*")
    window.save_action.trigger()
    assert not window.isWindowModified()
    assert not window.file_label.text().endswith("*")
    window.undo_action.trigger()
    assert window.isWindowModified()
    assert _name_in_file(demo_copy) == original


def test_close_asks_and_discard_undoes_in_the_file(window, demo_copy, monkeypatch):
    original = _name_in_file(demo_copy)
    _rename(window, "一号网格")
    monkeypatch.setattr(window, "ask_unsaved", lambda: "cancel")
    assert not _close(window)
    assert window.session is not None
    monkeypatch.setattr(window, "ask_unsaved", lambda: "discard")
    assert _close(window)
    assert window.session is None
    assert _name_in_file(demo_copy) == original


def test_close_with_save_keeps_the_edits(window, demo_copy, monkeypatch):
    _rename(window, "一号网格")
    asked = []
    monkeypatch.setattr(window, "ask_unsaved", lambda: asked.append(1) or "save")
    assert _close(window)
    assert asked == [1]
    assert _name_in_file(demo_copy) == "一号网格"


def test_save_as_continues_on_the_copy_with_undo(window, demo_copy, tmp_path):
    _rename(window, "一号网格")
    copy = tmp_path / "copy.gpkg"
    window.save_as(copy)
    assert window.session.path == copy
    assert window.windowTitle().startswith("copy.gpkg")
    assert not window.isWindowModified()
    for layer in window.layers.values():
        assert layer.isValid()
        assert str(copy) in layer.source()
    assert _name_in_file(copy) == "一号网格"
    _rename(window, "二号网格")
    assert _name_in_file(copy) == "二号网格"
    assert _name_in_file(demo_copy) == "一号网格"  # the original is left alone
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert _name_in_file(copy) != "一号网格"
    assert window.recent_files()[0] == copy.resolve()


def test_recent_files_and_opening_a_new_project(window, demo_copy, tmp_path):
    empty = tmp_path / "empty.gpkg"
    create_project(empty, Settings.default(crs_epsg=4549, code_prefix="320508")).close()
    window.open_project(empty)
    assert window.hierarchy_dock.model.rowCount() == 0
    assert [p.name for p in window.recent_files()[:2]] == ["empty.gpkg", "demo.gpkg"]
    names = [a.text() for a in window.recent_menu.actions()]
    assert names[:2] == ["empty.gpkg", "demo.gpkg"]
    window.recent_menu.actions()[1].trigger()
    assert window.session.path == demo_copy
    assert window.hierarchy_dock.model.rowCount() == 3


def test_exchange_entries_slot_into_the_file_menu(window):
    from qgis.PyQt.QtWidgets import QAction

    action = QAction("Export…", window)
    window.add_exchange_action(action)
    actions = window.file_menu.actions()
    assert actions.index(window.save_as_action) < actions.index(action)
    assert actions.index(action) < actions.index(window.preferences_action)


def test_opening_a_project_writes_nothing_until_an_edit(qtbot, demo_copy, make_window):
    import hashlib

    before = hashlib.sha256(demo_copy.read_bytes()).hexdigest()
    win = make_window()
    win.open_project(demo_copy)
    # The whole file is checked on opening; the findings are shown, not written.
    qtbot.waitUntil(lambda: win.validation_dock.task is None, timeout=60000)
    assert win.validation_dock.model.rowCount() > 0
    assert hashlib.sha256(demo_copy.read_bytes()).hexdigest() == before
