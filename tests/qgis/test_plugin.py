"""The GridGIS plugin loaded into QGIS's window (pytest-qgis's ``qgis_iface``)."""

from __future__ import annotations

import sys

import pytest
from qgis.core import Qgis, QgsApplication, QgsProject
from qgis.PyQt.QtCore import QCoreApplication, QEvent
from qgis.PyQt.QtWidgets import QMenu, QToolBar

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
def plugin(plugin_package, qgis_iface, qgis_processing, qgis_new_project):
    """The plugin created by its ``classFactory`` with its GUI set up."""
    instance = plugin_package.classFactory(qgis_iface)
    instance.initGui()
    yield instance
    instance.unload()
    flush_deletions()


def flush_deletions() -> None:
    """Let Qt delete what was handed to ``deleteLater`` (as QGIS's event loop does)."""
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


def _menus(iface) -> list[QMenu]:
    return [
        a.menu() for a in iface.mainWindow().menuBar().actions() if a.menu() is not None
    ]


def _toolbar(iface) -> QToolBar | None:
    return iface.mainWindow().findChild(QToolBar, "GridGISToolbar")


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


def test_load_adds_menu_toolbar_and_provider_and_unload_removes_them(
    plugin_package, qgis_iface, qgis_processing, qgis_new_project
):
    registry = QgsApplication.processingRegistry()
    plugin = plugin_package.classFactory(qgis_iface)
    plugin.initGui()

    menu = next(m for m in _menus(qgis_iface) if m.objectName() == "GridGISMenu")
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "Open GridGIS project…",
        "Validate project…",
        "Link buildings and facilities…",
        "Divide a community…",
        "Print grid boards…",
        "Export shapefile bundles…",
    ]
    toolbar = _toolbar(qgis_iface)
    assert toolbar is not None
    assert [a.objectName() for a in toolbar.actions()] == [
        "GridGISOpenProject",
        "GridGIS_validate",
        "GridGIS_divide",
    ]
    provider = registry.providerById("gridgis")
    assert provider is not None
    assert {a.name() for a in provider.algorithms()} >= {
        "validate",
        "link",
        "divide",
        "boards",
        "export",
    }

    plugin.unload()
    flush_deletions()
    assert not any(m.objectName() == "GridGISMenu" for m in _menus(qgis_iface))
    assert _toolbar(qgis_iface) is None
    assert registry.providerById("gridgis") is None
    assert registry.algorithmById("gridgis:validate") is None


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
        assert texts[:3] == ["打开 GridGIS 项目…", "检查项目…", "关联建筑与设施…"]
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
    plugin, demo_copy, tmp_path
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
    assert project.read(str(saved))
    assert plugin.project_path == demo_copy.resolve()
    assert plugin.layers["grids"].featureCount() == 57


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
