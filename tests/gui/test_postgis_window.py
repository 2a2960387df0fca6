"""The window on a shared PostGIS project: open it, edit it, see others' edits."""

from __future__ import annotations

import pandas as pd
import pytest
from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QSettings
from qgis.PyQt.QtWidgets import QDialogButtonBox

from gridgis.app.dialogs.database import DatabaseDialog
from gridgis.core.store import open_project

pytestmark = pytest.mark.gui

GRID = "320599001001001"
COMMUNITY = GRID[:12]
OTHER_GRID = "320599003002001"


@pytest.fixture
def pg_window(qtbot, pg_demo, make_window):
    win = make_window()
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    win.open_project(pg_demo)
    qtbot.waitUntil(lambda: win.validation_dock.task is None, timeout=60000)
    return win


def _rename(window, code, name):
    window.hierarchy_dock.show_row("grid", code)
    inspector = window.inspector_dock.inspector
    inspector.name.setText(name)
    inspector.name.editingFinished.emit()


def _name(store, code):
    return store.read("grids", where={"code": code})["name"].iloc[0]


def _layer_name(window, code):
    layer = window.layers["grids"]
    return next(f["name"] for f in layer.getFeatures() if f["code"] == code)


def _rename_elsewhere(uri, code, name):
    store = open_project(uri)
    fid = store.read("grids", where={"code": code}).index[0]
    with store.transaction(tool="QGIS") as tx:
        tx.update("grids", pd.DataFrame({"name": [name]}, index=[fid]))
    store.close()


def test_window_edits_a_database_project(pg_window, pg_demo):
    db = pg_demo.rsplit("/", 1)[1]
    assert pg_window.windowTitle().startswith(db)
    assert all(
        layer.providerType() == "postgres" for layer in pg_window.layers.values()
    )
    assert pg_window.recent_files()[0] == pg_demo
    assert pg_window.recent_menu.actions()[0].text() == db
    _rename(pg_window, GRID, "一号网格")
    assert _name(open_project(pg_demo), GRID) == "一号网格"
    assert _layer_name(pg_window, GRID) == "一号网格"


def test_others_edits_appear_and_unsaved_work_gets_a_banner(qtbot, pg_window, pg_demo):
    session = pg_window.session
    # Someone else renames a grid of another community: it appears by itself.
    with qtbot.waitSignal(session.edited, timeout=10000) as edited:
        _rename_elsewhere(pg_demo, OTHER_GRID, "别人改的")
    assert edited.args[0] == frozenset({OTHER_GRID[:12]})
    assert _layer_name(pg_window, OTHER_GRID) == "别人改的"
    # With unsaved work in a community, others' edits there are not loaded over it.
    _rename(pg_window, GRID, "我的修改")
    assert session.unsaved_communities() == {COMMUNITY}
    reloaded = []
    session.edited.connect(reloaded.append)
    with qtbot.waitSignal(session.conflicted, timeout=10000) as conflicted:
        _rename_elsewhere(pg_demo, "320599001001002", "同一社区")
    assert conflicted.args[0] == frozenset({COMMUNITY})
    texts = [w.text() for w in pg_window.message_bar.items()]
    assert any(COMMUNITY in t and "unsaved" in t for t in texts)
    assert reloaded == []  # the docks keep showing the user's own work


def test_database_dialog_offers_services_and_qgis_connections(
    qtbot, tmp_path, monkeypatch, pg_cluster
):
    services = tmp_path / "pg_service.conf"
    services.write_text(
        f"[dongyuan]\nhost=127.0.0.1\nport={pg_cluster.port}\ndbname=x\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    settings = QgsSettings(str(tmp_path / "qgis.ini"), QSettings.IniFormat)
    base = "PostgreSQL/connections/office"
    for key, value in (("host", "gis.example.org"), ("port", "5432"),
                       ("database", "dongyuan"), ("username", "wang_li"),
                       ("password", "never-read")):  # fmt: skip
        settings.setValue(f"{base}/{key}", value)
    dialog = DatabaseDialog(settings=settings)
    qtbot.addWidget(dialog)
    items = {
        dialog.connections.itemText(i): dialog.connections.itemData(i)
        for i in range(dialog.connections.count())
    }
    assert items["pg_service: dongyuan"] == "service=dongyuan"
    assert items["QGIS: office"] == "postgresql://wang_li@gis.example.org:5432/dongyuan"
    opener = dialog.buttons.button(QDialogButtonBox.Open)
    assert not opener.isEnabled()
    dialog.connections.setCurrentIndex(dialog.connections.findText("QGIS: office"))
    assert dialog.location() == items["QGIS: office"]
    assert "never-read" not in dialog.location()
    assert opener.isEnabled()
