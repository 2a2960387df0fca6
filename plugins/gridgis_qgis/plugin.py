"""The GridGIS plugin: a GridGIS menu and toolbar in QGIS's window, and the provider.

The plugin has no logic of its own. It registers :class:`GridGisProvider` (the engines
as Processing algorithms), opens a GridGIS project file with
:func:`gridgis.qgis.layers.load_project`, and starts the algorithms' dialogs with the
open project filled in.
"""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import Qgis, QgsApplication, QgsMapLayer, QgsProject, QgsSettings
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QFileDialog, QMenu, QToolBar

from gridgis.core import i18n
from gridgis.core.errors import GridGisError
from gridgis.core.i18n import Text
from gridgis.core.store import open_project
from gridgis.qgis.layers import load_project
from gridgis.qgis.processing.provider import ALGORITHMS, GridGisProvider

ICONS_DIR = Path(__file__).resolve().parent / "icons"
#: Where the folder of the last project opened is remembered.
LAST_DIR_KEY = "gridgis/last_project_dir"
#: Object names of what the plugin adds to QGIS's window (tests and users find them).
MENU_NAME = "GridGISMenu"
TOOLBAR_NAME = "GridGISToolbar"
#: Algorithms on the toolbar besides "Open project".
TOOLBAR_ALGORITHMS = ("validate", "divide")

TITLE = Text("GridGIS 网格化管理", "GridGIS")
OPEN = Text("打开 GridGIS 项目…", "Open GridGIS project…")
OPEN_FILTER = Text("GridGIS 项目 (*.gpkg)", "GridGIS project (*.gpkg)")


def follow_qgis_language() -> str:
    """Show GridGIS's messages in QGIS's language unless ``GRIDGIS_LANG`` says else."""
    if not os.environ.get("GRIDGIS_LANG"):
        locale = (QgsApplication.locale() or "").strip()
        if locale and locale.upper() not in ("C", "POSIX"):
            i18n.set_language("zh" if locale.lower().startswith("zh") else "en")
    return i18n.current_language()


def gridgis_layers(project: QgsProject, path: str | Path | None = None) -> dict:
    """The GridGIS layers of ``project`` (those reading ``path``), by layer name.

    :func:`gridgis.qgis.layers.open_layer` marks each layer with the custom property
    ``gridgis/layer``, which QGIS keeps in its project files.
    """
    target = Path(path).resolve() if path is not None else None
    found: dict = {}
    for layer in project.mapLayers().values():
        name = layer.customProperty("gridgis/layer")
        if not name or layer.type() != QgsMapLayer.VectorLayer:
            continue
        source = Path(layer.source().split("|", 1)[0]).resolve()
        if target is None or source == target:
            found.setdefault(str(name), layer)
    return found


def gridgis_files(project: QgsProject) -> set[Path]:
    """The GridGIS project files whose layers ``project`` holds."""
    return {
        Path(layer.source().split("|", 1)[0]).resolve()
        for layer in project.mapLayers().values()
        if layer.customProperty("gridgis/layer")
    }


class GridGisPlugin:
    """GridGIS inside QGIS Desktop (and its Processing provider in ``qgis_process``)."""

    def __init__(self, iface) -> None:
        self.iface = iface
        self.provider: GridGisProvider | None = None
        self.menu: QMenu | None = None
        self.toolbar: QToolBar | None = None
        #: The plugin's actions by name: ``open`` and the algorithms' ids.
        self.actions: dict[str, QAction] = {}
        #: The GridGIS project open in QGIS, and its layers.
        self.project_path: Path | None = None
        self.layers: dict = {}
        self._connected = False
        follow_qgis_language()

    # -- QGIS's plugin interface ------------------------------------------------------

    def initProcessing(self) -> None:
        """Register the Processing provider (also called by ``qgis_process``)."""
        if self.provider is None:
            self.provider = GridGisProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:
        """Add the GridGIS menu and toolbar to QGIS's window."""
        self.initProcessing()
        window = self.iface.mainWindow()
        self.menu = QMenu(TITLE.get(), window)
        self.menu.setObjectName(MENU_NAME)
        self.toolbar = self.iface.addToolBar(TITLE.get())
        self.toolbar.setObjectName(TOOLBAR_NAME)

        open_action = QAction(QIcon(str(ICONS_DIR / "open.svg")), OPEN.get(), window)
        open_action.setObjectName("GridGISOpenProject")
        open_action.triggered.connect(self.choose_project)
        self.actions["open"] = open_action
        self.menu.addAction(open_action)
        self.toolbar.addAction(open_action)
        self.menu.addSeparator()
        for algorithm in ALGORITHMS:
            alg_id = f"gridgis:{algorithm.ALGORITHM}"
            instance = QgsApplication.processingRegistry().algorithmById(alg_id)
            action = QAction(instance.icon(), f"{instance.displayName()}…", window)
            action.setObjectName(f"GridGIS_{algorithm.ALGORITHM}")
            action.triggered.connect(
                lambda _checked=False, alg=alg_id: self.run_algorithm(alg)
            )
            self.actions[alg_id] = action
            self.menu.addAction(action)
            if algorithm.ALGORITHM in TOOLBAR_ALGORITHMS:
                self.toolbar.addAction(action)

        menubar = window.menuBar()
        help_menu = next(
            (
                a
                for a in menubar.actions()
                if a.menu() is not None and a.menu().objectName() == "mHelpMenu"
            ),
            None,
        )
        if help_menu is not None:
            menubar.insertMenu(help_menu, self.menu)
        else:
            menubar.addMenu(self.menu)
        QgsProject.instance().cleared.connect(self.forget_project)
        QgsProject.instance().readProject.connect(self.find_project)
        self._connected = True
        self.find_project()

    def unload(self) -> None:
        """Take everything the plugin added out of QGIS again."""
        if self._connected:
            QgsProject.instance().cleared.disconnect(self.forget_project)
            QgsProject.instance().readProject.disconnect(self.find_project)
            self._connected = False
        if self.menu is not None:
            self.iface.mainWindow().menuBar().removeAction(self.menu.menuAction())
            self.menu.deleteLater()
            self.menu = None
        if self.toolbar is not None:
            self.iface.mainWindow().removeToolBar(self.toolbar)
            self.toolbar.deleteLater()
            self.toolbar = None
        for action in self.actions.values():
            action.deleteLater()
        self.actions.clear()
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None

    # -- the project ----------------------------------------------------------------

    def choose_project(self) -> None:
        """Ask for a GridGIS project file and open it."""
        settings = QgsSettings()
        start = str(settings.value(LAST_DIR_KEY, "") or "")
        path, _ = QFileDialog.getOpenFileName(
            self.iface.mainWindow(), OPEN.get(), start, OPEN_FILTER.get()
        )
        if path:
            settings.setValue(LAST_DIR_KEY, str(Path(path).parent))
            self.open_project(path)

    def open_project(self, path: str | Path) -> bool:
        """Add the project's styled layers to QGIS's project and zoom to it.

        Returns whether it opened; a file that is not a GridGIS project gives a message
        in the message bar that says what to do.
        """
        path = Path(path)
        layers = gridgis_layers(QgsProject.instance(), path)
        if not layers:  # not open yet
            try:
                open_project(path)  # says precisely what is wrong; migrates old files
                layers = load_project(path, QgsProject.instance())
            except GridGisError as exc:
                self.iface.messageBar().pushMessage(
                    TITLE.get(), str(exc), level=Qgis.Critical, duration=0
                )
                return False
        self.project_path = path
        self.layers = layers
        canvas = self.iface.mapCanvas()
        outline = layers.get("streets") or layers.get("communities")
        if outline is not None and not outline.extent().isEmpty():
            extent = outline.extent()
            extent.scale(1.05)
            canvas.setExtent(extent)
        canvas.refresh()
        self.iface.messageBar().pushMessage(
            TITLE.get(),
            Text(f"已打开 {path.name}", f"Opened {path.name}").get(),
            level=Qgis.Success,
            duration=5,
        )
        return True

    def find_project(self, *_args: object) -> Path | None:
        """Take up the GridGIS project whose layers a QGIS project file holds.

        A QGIS project saved with a GridGIS project's layers opens with them; the
        menu's algorithms then work on that file again.
        """
        files = gridgis_files(QgsProject.instance())
        if len(files) == 1:
            (path,) = files
            self.project_path = path
            self.layers = gridgis_layers(QgsProject.instance(), path)
        return self.project_path

    def forget_project(self) -> None:
        """QGIS's project was closed: no GridGIS project is open any more."""
        self.project_path = None
        self.layers = {}

    # -- the algorithms ---------------------------------------------------------------

    def selected_community(self) -> str | None:
        """The code of the one community selected on the map, if there is one."""
        communities = self.layers.get("communities")
        if communities is None or communities.selectedFeatureCount() != 1:
            return None
        (feature,) = communities.selectedFeatures()
        return str(feature["code"])

    def run_algorithm(self, algorithm_id: str) -> None:
        """Open an algorithm's dialog with the open project filled in.

        A community selected on the map fills in the algorithm's community code.
        """
        import processing

        parameters = {}
        if self.project_path is not None:
            parameters["PROJECT"] = str(self.project_path)
        algorithm = QgsApplication.processingRegistry().algorithmById(algorithm_id)
        community = self.selected_community()
        if community and algorithm.parameterDefinition("COMMUNITY") is not None:
            parameters["COMMUNITY"] = community
        processing.execAlgorithmDialog(algorithm_id, parameters)
