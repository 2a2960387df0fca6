"""The GridGIS plugin loaded into QGIS's window (pytest-qgis's ``qgis_iface``)."""

from __future__ import annotations

import sys

import pytest
from qgis.core import Qgis, QgsApplication, QgsProject
from qgis.PyQt.QtCore import QCoreApplication, QEvent, Qt
from qgis.PyQt.QtWidgets import QDockWidget, QMenu, QToolBar

from gridgis.core.i18n import set_language
from tests.conftest import ROOT

pytestmark = pytest.mark.qgis


@pytest.fixture(autouse=True)
def english():
    """Messages in English whatever an earlier test chose (``gridgis --lang``)."""
    set_language("en")
    yield
    set_language(None)


PLUGINS = ROOT / "plugins"


@pytest.fixture(scope="module")
def plugin_package():
    """The plugin package from the source tree, imported as QGIS imports it."""
    sys.path.insert(0, str(PLUGINS))
    try:
        import gridgis_qgis

        yield gridgis_qgis
    finally:
        sys.path.remove(str(PLUGINS))


@pytest.fixture
def docking(qgis_iface, monkeypatch):
    """Docks added through ``iface`` land in the main window, as in QGIS.

    (pytest-qgis's interface takes docks without showing them anywhere.)
    """
    window = qgis_iface.mainWindow()
    monkeypatch.setattr(
        qgis_iface, "addDockWidget", window.addDockWidget, raising=False
    )
    monkeypatch.setattr(
        qgis_iface, "removeDockWidget", window.removeDockWidget, raising=False
    )
    return window


@pytest.fixture
def plugin(plugin_package, qgis_iface, qgis_processing, qgis_new_project, docking):
    """The plugin created by its ``classFactory`` with its GUI set up."""
    instance = plugin_package.classFactory(qgis_iface)
    instance.initGui()
    yield instance
    instance.unload()
    flush_deletions()


def wait_for_checks(qtbot, plugin) -> None:
    """Let the whole-file check started on opening finish."""
    qtbot.waitUntil(
        lambda: plugin.workspace is None or plugin.workspace.validation.task is None,
        timeout=60000,
    )


def flush_deletions() -> None:
    """Let Qt delete what was handed to ``deleteLater`` (as QGIS's event loop does)."""
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


def _menus(iface) -> list[QMenu]:
    return [
        a.menu() for a in iface.mainWindow().menuBar().actions() if a.menu() is not None
    ]


def _toolbar(iface, name: str = "GridGISToolbar") -> QToolBar | None:
    return iface.mainWindow().findChild(QToolBar, name)


def _docks(iface) -> dict[str, QDockWidget]:
    return {
        d.objectName(): d
        for d in iface.mainWindow().findChildren(QDockWidget)
        if d.objectName().startswith("GridGIS")
    }


def test_metadata_names_the_version_of_the_gridgis_it_carries(plugin_package):
    import configparser

    import gridgis

    metadata = configparser.ConfigParser()
    metadata.read(PLUGINS / "gridgis_qgis" / "metadata.txt", encoding="utf-8")
    general = metadata["general"]
    assert general["version"] == gridgis.__version__
    assert general["hasProcessingProvider"] == "yes"
    assert general["qgisMinimumVersion"] == "3.22"
    assert (PLUGINS / "gridgis_qgis" / general["icon"]).is_file()


def test_load_adds_menus_toolbars_docks_and_provider_and_unload_removes_them(
    plugin_package, qgis_iface, qgis_processing, qgis_new_project, docking, demo_copy,
    qtbot,
):  # fmt: skip
    registry = QgsApplication.processingRegistry()
    plugin = plugin_package.classFactory(qgis_iface)
    plugin.initGui()

    menu = next(m for m in _menus(qgis_iface) if m.objectName() == "GridGISMenu")
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "Open GridGIS project…",
        "Open GridGIS project in a database…",
        "&Undo",
        "&Redo",
        "&Select grids",
        "&Identify",
        "S&plit grid",
        "&Reshape boundary",
        "&Draw new grid",
        "Move &building",
        "&Merge selected grids",
        "&Divide this community…",
        "Validate project…",
        "Link buildings and facilities…",
        "Divide a community…",
        "Print grid boards…",
        "Export shapefile bundles…",
        "&Panels",
    ]
    toolbar = _toolbar(qgis_iface)
    assert [a.objectName() for a in toolbar.actions()] == [
        "GridGISOpenProject",
        "GridGIS_validate",
        "GridGIS_divide",
    ]
    editing = _toolbar(qgis_iface, "GridGISEditToolbar")
    assert editing is not None
    assert not plugin.actions["split"].isEnabled()  # no project open yet
    assert _docks(qgis_iface) == {}
    provider = registry.providerById("gridgis")
    assert {a.name() for a in provider.algorithms()} == {
        "validate",
        "link",
        "divide",
        "boards",
        "export",
    }

    assert plugin.open_project(demo_copy)
    wait_for_checks(qtbot, plugin)
    docks = _docks(qgis_iface)
    assert set(docks) == {
        "GridGISHierarchy", "GridGISInspector", "GridGISChecks", "GridGISHistory"
    }  # fmt: skip
    assert docking.dockWidgetArea(docks["GridGISChecks"]) == Qt.BottomDockWidgetArea
    assert plugin.actions["split"].isEnabled()
    panels = next(a.menu() for a in menu.actions() if a.text() == "&Panels")
    assert len(panels.actions()) == 4

    plugin.unload()
    flush_deletions()
    assert not any(m.objectName() == "GridGISMenu" for m in _menus(qgis_iface))
    assert _toolbar(qgis_iface) is None
    assert _toolbar(qgis_iface, "GridGISEditToolbar") is None
    assert _docks(qgis_iface) == {}
    assert registry.providerById("gridgis") is None
    assert registry.algorithmById("gridgis:validate") is None
    # The layers stay on the map: they are plain QGIS layers on the project file.
    assert QgsProject.instance().layerTreeRoot().findGroup("demo") is not None


def test_docks_show_the_project_and_its_checks(plugin, qgis_iface, demo_copy, qtbot):
    plugin.open_project(demo_copy)
    wait_for_checks(qtbot, plugin)
    workspace = plugin.workspace
    found = {(i.rule, i.code) for i in workspace.validation.model.issues}
    assert found == {
        ("topology.gap", "320599001001"),
        ("topology.overlap", "320599001002001"),
        ("capacity.above_band", "320599001003001"),
        ("staffing.missing_role", "320599003002004"),
    }
    snapping = QgsProject.instance().snappingConfig()
    assert snapping.enabled()
    roads = snapping.individualLayerSettings(plugin.layers["roads"])
    assert roads.enabled()
    assert not snapping.individualLayerSettings(plugin.layers["buildings"]).enabled()
    model = workspace.hierarchy.model
    assert model.community_item("320599002002") is not None
    assert model.grid_item("320599001003001") is not None
    workspace.hierarchy.show_row("grid", "320599001003001")
    (selected,) = plugin.layers["grids"].selectedFeatures()
    assert selected["code"] == "320599001003001"
    assert qgis_iface.mapCanvas().extent().contains(selected.geometry().boundingBox())
    # The History dock follows the hierarchy; a past version goes on QGIS's map.
    history = workspace.history
    assert history.target == ("grid", "320599001003001")
    assert history.table.item(0, 3).text() == "gridgis demo"
    history.table.selectRow(history.table.rowCount() - 1)
    layer = history.show_selected_version()
    assert layer is not None
    assert layer.isValid()
    assert QgsProject.instance().mapLayer(layer.id()) is layer
    (past,) = list(layer.getFeatures())
    assert past.geometry().equals(selected.geometry())
    layer_id = layer.id()
    history.clear_version()
    assert QgsProject.instance().mapLayer(layer_id) is None


def test_tools_edit_the_file_and_undo_puts_it_back(
    plugin, qgis_iface, demo_copy, qtbot
):
    from gridgis.app.tools.edit_tools import SplitGridTool
    from gridgis.core.store import open_project

    plugin.open_project(demo_copy)
    wait_for_checks(qtbot, plugin)
    plugin.actions["split"].trigger()
    assert isinstance(qgis_iface.mapCanvas().mapTool(), SplitGridTool)
    assert plugin.actions["split"].isChecked()

    grids = plugin.layers["grids"]
    codes = ["320599003002001", "320599003002002"]  # neighbours in 桃园社区
    before = len(open_project(demo_copy).read("grids"))
    pair = [f.id() for f in grids.getFeatures() if f["code"] in codes]
    assert len(pair) == 2
    grids.selectByIds(pair)
    plugin.actions["merge"].trigger()
    assert len(open_project(demo_copy).read("grids")) == before - 1
    assert grids.featureCount() == before - 1
    assert plugin.actions["undo"].isEnabled()

    plugin.actions["undo"].trigger()
    after = open_project(demo_copy).read("grids")
    assert len(after) == before
    assert set(codes) <= set(after["code"])


def test_an_algorithm_writing_into_the_open_project_refreshes_it(
    plugin, qgis_iface, demo_copy, tmp_path, qtbot
):
    import processing

    plugin.open_project(demo_copy)
    wait_for_checks(qtbot, plugin)
    workspace = plugin.workspace
    grids = plugin.layers["grids"]
    pair = [
        f.id()
        for f in grids.getFeatures()
        if f["code"] in ("320599003002001", "320599003002002")
    ]
    grids.selectByIds(pair)
    plugin.actions["merge"].trigger()
    assert plugin.undo_stack.count() == 1

    processing.run(
        "gridgis:divide",
        {
            "PROJECT": str(demo_copy),
            "COMMUNITY": "320599002002",
            "WRITE": True,
            "OUTPUT": "memory:",
            "REPORT": str(tmp_path / "report.html"),
        },
    )
    assert plugin.undo_stack.count() == 0
    assert not plugin.actions["undo"].isEnabled()
    assert workspace.hierarchy.model.grid_item("320599002002001") is not None
    assert grids.featureCount() > 57
    assert any(
        "can no longer be undone" in m
        for m in qgis_iface.messageBar().get_messages(Qgis.Info)
    )
    wait_for_checks(qtbot, plugin)


def test_divide_this_community_opens_the_dialog_on_the_selected_one(
    plugin, qgis_iface, demo_copy, qtbot
):
    plugin.open_project(demo_copy)
    wait_for_checks(qtbot, plugin)
    communities = plugin.layers["communities"]
    kangle = next(f.id() for f in communities.getFeatures() if f["name"] == "康乐社区")
    communities.selectByIds([kangle])
    plugin.actions["divide_here"].trigger()
    dialog = plugin.divide_dialog
    assert dialog.community == "320599002002"
    assert dialog.parent() is qgis_iface.mainWindow()
    dialog.close()


def test_opening_another_project_replaces_the_first(
    plugin, qgis_iface, demo_copy, tmp_path, qtbot
):
    import shutil

    other = tmp_path / "other" / "district.gpkg"
    other.parent.mkdir()
    shutil.copyfile(demo_copy, other)
    canvas_items = len(qgis_iface.mapCanvas().scene().items())
    plugin.open_project(demo_copy)
    wait_for_checks(qtbot, plugin)
    plugin.open_project(other)
    wait_for_checks(qtbot, plugin)
    flush_deletions()
    root = QgsProject.instance().layerTreeRoot()
    assert root.findGroup("demo") is None
    assert root.findGroup("district") is not None
    assert plugin.workspace.path == other
    assert len(_docks(qgis_iface)) == 4

    QgsProject.instance().clear()
    flush_deletions()
    assert plugin.workspace is None
    assert _docks(qgis_iface) == {}
    assert len(qgis_iface.mapCanvas().scene().items()) == canvas_items
    assert not plugin.actions["split"].isEnabled()


def test_menu_and_algorithms_follow_a_chinese_qgis(
    plugin_package, qgis_iface, qgis_processing, monkeypatch
):
    from qgis.core import QgsSettings

    monkeypatch.delenv("GRIDGIS_LANG")
    settings = QgsSettings()
    settings.setValue("locale/overrideFlag", True)
    settings.setValue("locale/userLocale", "zh_CN")
    try:
        plugin = plugin_package.classFactory(qgis_iface)
        plugin.initGui()
        menu = next(m for m in _menus(qgis_iface) if m.objectName() == "GridGISMenu")
        assert menu.title() == "GridGIS 网格化管理"
        texts = [a.text() for a in menu.actions() if not a.isSeparator()]
        assert texts[:4] == [
            "打开 GridGIS 项目…",
            "打开数据库中的 GridGIS 项目…",
            "撤销(&U)",
            "重做(&R)",
        ]
        assert "检查项目…" in texts
        assert "关联建筑与设施…" in texts
        # every entry is in Chinese (the editing entries come from the application)
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in texts), texts
        plugin.unload()
        flush_deletions()
    finally:
        settings.remove("locale/overrideFlag")
        settings.remove("locale/userLocale")


def test_load_twice_after_unload(plugin_package, qgis_iface, qgis_processing):
    for _ in range(2):
        plugin = plugin_package.classFactory(qgis_iface)
        plugin.initGui()
        assert QgsApplication.processingRegistry().providerById("gridgis")
        plugin.unload()
        flush_deletions()
    assert QgsApplication.processingRegistry().providerById("gridgis") is None


def test_open_project_loads_the_styled_layers(plugin, qgis_iface, demo_copy):
    assert plugin.open_project(demo_copy)
    project = QgsProject.instance()
    group = project.layerTreeRoot().findGroup("demo")
    assert group is not None
    names = {layer.customProperty("gridgis/layer") for layer in plugin.layers.values()}
    assert {"streets", "communities", "grids", "buildings", "facilities"} <= names
    for layer in plugin.layers.values():
        assert layer.isValid()
        assert layer.crs().authid() == "EPSG:4549"
    grids = plugin.layers["grids"]
    assert grids.renderer().type() == "categorizedSymbol"
    assert grids.featureCount() == 57
    assert project.crs().authid() == "EPSG:4549"
    canvas = qgis_iface.mapCanvas()
    assert canvas.extent().contains(plugin.layers["communities"].extent())
    assert plugin.project_path == demo_copy
    assert any(
        "demo.gpkg" in m for m in qgis_iface.messageBar().get_messages(Qgis.Success)
    )

    project.clear()
    assert plugin.project_path is None


def test_opening_it_again_adds_nothing_and_a_saved_qgis_project_finds_it(
    plugin, demo_copy, tmp_path, qtbot
):
    project = QgsProject.instance()
    assert plugin.open_project(demo_copy)
    count = len(project.mapLayers())
    assert plugin.open_project(demo_copy)
    assert len(project.mapLayers()) == count

    saved = tmp_path / "planning.qgz"
    assert project.write(str(saved))
    project.clear()
    assert plugin.project_path is None
    assert plugin.workspace is None
    assert project.read(str(saved))
    assert plugin.project_path == demo_copy.resolve()
    assert plugin.layers["grids"].featureCount() == 57
    assert plugin.workspace is not None  # the docks are back
    wait_for_checks(qtbot, plugin)


def test_open_something_else_says_what_to_do(plugin, qgis_iface, tmp_path):
    other = tmp_path / "notes.gpkg"
    other.write_text("not a project")
    assert not plugin.open_project(other)
    assert plugin.project_path is None
    errors = qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert any("not a GeoPackage" in m for m in errors), errors


def test_algorithm_actions_open_the_dialog_on_the_open_project(
    plugin, demo_copy, monkeypatch
):
    import processing

    opened = []
    monkeypatch.setattr(
        processing,
        "execAlgorithmDialog",
        lambda alg_id, params: opened.append((alg_id, params)),
    )
    plugin.actions["gridgis:validate"].trigger()
    assert opened == [("gridgis:validate", {})]
    plugin.open_project(demo_copy)
    plugin.actions["gridgis:divide"].trigger()
    assert opened[-1] == ("gridgis:divide", {"PROJECT": str(demo_copy)})
    communities = plugin.layers["communities"]
    kangle = next(f.id() for f in communities.getFeatures() if f["name"] == "康乐社区")
    communities.selectByIds([kangle])
    plugin.actions["gridgis:divide"].trigger()
    assert opened[-1] == (
        "gridgis:divide",
        {"PROJECT": str(demo_copy), "COMMUNITY": "320599002002"},
    )
    plugin.actions["gridgis:export"].trigger()  # has no community parameter
    assert opened[-1] == ("gridgis:export", {"PROJECT": str(demo_copy)})


def test_missing_dependency_is_reported_with_what_to_install(
    plugin_package, qgis_iface, monkeypatch
):
    from gridgis_qgis.missing import MissingDependencies

    error = ModuleNotFoundError("No module named 'geopandas'", name="geopandas")
    plugin = MissingDependencies(qgis_iface, error)
    plugin.initProcessing()
    plugin.initGui()
    message = qgis_iface.messageBar().get_messages(Qgis.Critical)[-1]
    assert "geopandas" in message
    assert "requirements.txt" in message
    assert "GRIDGIS_SITE_PACKAGES" in message
    assert "缺少 Python 包 geopandas" in message
    plugin.unload()


def test_a_database_project_in_qgis_shows_others_edits(plugin, pg_demo, qtbot):
    import pandas as pd

    from gridgis.core.store import open_project

    assert plugin.open_project(pg_demo)
    wait_for_checks(qtbot, plugin)
    assert plugin.project_path == pg_demo
    assert plugin.layers["grids"].providerType() == "postgres"
    assert plugin.find_project() == pg_demo
    session = plugin.workspace.session
    other = open_project(pg_demo)
    fid = other.read("grids", where={"code": "320599003002001"}).index[0]
    with (
        qtbot.waitSignal(session.edited, timeout=10000) as edited,
        other.transaction(tool="QGIS") as tx,
    ):
        tx.update("grids", pd.DataFrame({"name": ["别人改的"]}, index=[fid]))
    assert edited.args[0] == frozenset({"320599003002"})
    names = {f["code"]: f["name"] for f in plugin.layers["grids"].getFeatures()}
    assert names["320599003002001"] == "别人改的"
