"""The GridGIS plugin: GridGIS's menu, toolbars, docks and map tools in QGIS's window.

The plugin has no logic of its own. It registers :class:`GridGisProvider` (the engines
as Processing algorithms), opens a GridGIS project file with
:func:`gridgis.qgis.layers.load_project` and puts the desktop application's docks
(hierarchy, grid inspector, checks) and editing tools into QGIS's window for it
(:mod:`.workspace`), and starts the algorithms' dialogs with the open project filled in.
"""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import Qgis, QgsApplication, QgsMapLayer, QgsProject, QgsSettings
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QFileDialog, QMenu, QToolBar, QUndoStack

from gridgis.app.i18n import install_language, remove_language, tr
from gridgis.app.session import location
from gridgis.core import i18n
from gridgis.core.errors import GridGisError
from gridgis.core.i18n import Text
from gridgis.core.store import open_project
from gridgis.qgis.layers import load_project, project_of, project_title, same_project
from gridgis.qgis.processing.base import NOTICES
from gridgis.qgis.processing.base import icon as algorithm_icon
from gridgis.qgis.processing.provider import ALGORITHMS, GridGisProvider

ICONS_DIR = Path(__file__).resolve().parent / "icons"
#: Where the folder of the last project opened is remembered.
LAST_DIR_KEY = "gridgis/last_project_dir"
#: Object names of what the plugin adds to QGIS's window (tests and users find them).
MENU_NAME = "GridGISMenu"
TOOLBAR_NAME = "GridGISToolbar"
EDIT_TOOLBAR_NAME = "GridGISEditToolbar"
#: Algorithms on the toolbar besides "Open project".
TOOLBAR_ALGORITHMS = ("validate", "divide")

TITLE = Text("GridGIS 网格化管理", "GridGIS")
OPEN = Text("打开 GridGIS 项目…", "Open GridGIS project…")
OPEN_DATABASE = Text(
    "打开数据库中的 GridGIS 项目…", "Open GridGIS project in a database…"
)
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
    found: dict = {}
    for layer in project.mapLayers().values():
        name = layer.customProperty("gridgis/layer")
        if not name or layer.type() != QgsMapLayer.VectorLayer:
            continue
        if path is None or same_project(project_of(layer), path):
            found.setdefault(str(name), layer)
    return found


def gridgis_files(project: QgsProject) -> set[str | Path]:
    """The GridGIS projects (files, databases) whose layers ``project`` holds."""
    return {
        project_of(layer)
        for layer in project.mapLayers().values()
        if layer.customProperty("gridgis/layer")
    }


class GridGisPlugin:
    """GridGIS inside QGIS Desktop (and its Processing provider in ``qgis_process``)."""

    def __init__(self, iface) -> None:
        self.iface = iface
        self.provider: GridGisProvider | None = None
        self.menu: QMenu | None = None
        self.panels_menu: QMenu | None = None
        self.toolbar: QToolBar | None = None
        self.edit_toolbar: QToolBar | None = None
        self.undo_stack: QUndoStack | None = None
        #: The plugin's actions by name: ``open``, ``undo``, ``redo``, the map tools,
        #: ``merge``, ``divide_here`` and the algorithms' ids.
        self.actions: dict[str, QAction] = {}
        #: The GridGIS project open in QGIS, and its layers.
        self.project_path: str | Path | None = None
        self.layers: dict = {}
        #: Its session, docks and tools in QGIS's window (with the GUI only).
        self.workspace = None
        #: Check the whole file in the background when a project is opened.
        self.check_on_open = True
        #: Keys of the map tools' actions.
        self.tool_keys: list[str] = []
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
        database_action = QAction(OPEN_DATABASE.get(), window)
        database_action.setObjectName("GridGISOpenDatabase")
        database_action.triggered.connect(self.choose_database)
        self.actions["open_database"] = database_action
        self.menu.addAction(database_action)
        self.menu.addSeparator()
        self._add_editing(window)
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

        self.menu.addSeparator()
        self.panels_menu = self.menu.addMenu(tr("&Panels"))
        self.panels_menu.setEnabled(False)

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
        project = QgsProject.instance()
        project.cleared.connect(self.forget_project)
        project.readProject.connect(self.find_project)
        project.layersWillBeRemoved.connect(self._layers_leaving)
        NOTICES.project_written.connect(self._file_written)
        self._connected = True
        self._enable_editing(False)
        self.find_project()

    def _add_editing(self, window) -> None:
        """Undo/redo, the map tools, merge and "divide this community"."""
        install_language(i18n.current_language())
        self.undo_stack = QUndoStack(window)
        undo = self.undo_stack.createUndoAction(window, tr("&Undo"))
        undo.setIcon(QgsApplication.getThemeIcon("mActionUndo.svg"))
        redo = self.undo_stack.createRedoAction(window, tr("&Redo"))
        redo.setIcon(QgsApplication.getThemeIcon("mActionRedo.svg"))
        self.actions["undo"], self.actions["redo"] = undo, redo
        self.edit_toolbar = self.iface.addToolBar(tr("Editing"))
        self.edit_toolbar.setObjectName(EDIT_TOOLBAR_NAME)
        for action in (undo, redo):
            self.menu.addAction(action)
            self.edit_toolbar.addAction(action)
        self.menu.addSeparator()
        self.edit_toolbar.addSeparator()
        for key, text, icon, tip in (
            ("select", tr("&Select grids"), "mActionSelectRectangle.svg", tr("Click a grid; Shift-click adds or removes")),
            ("identify", tr("&Identify"), "mActionIdentify.svg", tr("Click a feature to see its attributes")),
            ("split", tr("S&plit grid"), "mActionSplitFeatures.svg", tr("Draw a line across a grid; right click finishes")),
            ("reshape", tr("&Reshape boundary"), "mActionReshape.svg", tr("Draw from a grid's boundary out and back; right click finishes")),
            ("draw", tr("&Draw new grid"), "mActionCapturePolygon.svg", tr("Click the corners of the new grid; right click finishes")),
            ("move_building", tr("Move &building"), "mActionMoveFeature.svg", tr("Drag a building onto the neighbouring grid")),
        ):  # fmt: skip
            action = QAction(QgsApplication.getThemeIcon(icon), text, window)
            action.setObjectName(f"GridGIS_tool_{key}")
            action.setCheckable(True)
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.triggered.connect(lambda _checked=False, k=key: self.use_tool(k))
            self.actions[key] = action
            self.tool_keys.append(key)
            self.menu.addAction(action)
            self.edit_toolbar.addAction(action)
        for key, text, icon, tip, slot in (
            ("merge", tr("&Merge selected grids"), QgsApplication.getThemeIcon("mActionMergeFeatures.svg"), tr("Merge the neighbouring grids selected on the map into one"), self.merge_selected),
            ("divide_here", tr("&Divide this community…"), algorithm_icon("divide"), tr("Divide the selected community into grids automatically"), self.divide_current_community),
        ):  # fmt: skip
            action = QAction(icon, text, window)
            action.setObjectName(f"GridGIS_{key}")
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.triggered.connect(lambda _checked=False, f=slot: f())
            self.actions[key] = action
            self.menu.addAction(action)
            self.edit_toolbar.addAction(action)

    def _enable_editing(self, on: bool) -> None:
        for key in ("merge", "divide_here", *self.tool_keys):
            if key in self.actions:
                self.actions[key].setEnabled(on)
                if not on:
                    self.actions[key].setChecked(False)
        if self.panels_menu is not None:
            self.panels_menu.setEnabled(on)

    def unload(self) -> None:
        """Take everything the plugin added out of QGIS again."""
        self.close_workspace(remove_layers=False)
        if self._connected:
            project = QgsProject.instance()
            project.cleared.disconnect(self.forget_project)
            project.readProject.disconnect(self.find_project)
            project.layersWillBeRemoved.disconnect(self._layers_leaving)
            NOTICES.project_written.disconnect(self._file_written)
            self._connected = False
        if self.menu is not None:
            self.iface.mainWindow().menuBar().removeAction(self.menu.menuAction())
            self.menu.deleteLater()
            self.menu = None
        for toolbar in (self.toolbar, self.edit_toolbar):
            if toolbar is not None:
                self.iface.mainWindow().removeToolBar(toolbar)
                toolbar.deleteLater()
        self.toolbar = self.edit_toolbar = self.panels_menu = None
        for action in self.actions.values():
            action.deleteLater()
        self.actions.clear()
        if self.undo_stack is not None:
            self.undo_stack.deleteLater()
            self.undo_stack = None
            remove_language()
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

    def choose_database(self) -> None:
        """Ask for a shared project in PostgreSQL/PostGIS and open it."""
        from gridgis.app.dialogs.database import DatabaseDialog

        dialog = DatabaseDialog(self.iface.mainWindow())
        if dialog.exec_() == DatabaseDialog.Accepted:
            self.open_project(dialog.location())

    def open_project(self, path: str | Path) -> bool:
        """Add the project's styled layers to QGIS's project and zoom to it.

        Returns whether it opened; a file that is not a GridGIS project gives a message
        in the message bar that says what to do.
        """
        path = location(path)
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
        # In QGIS's window: the docks and tools (closing another project's first).
        if self.undo_stack is not None and not self.open_workspace(path, layers):
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
        name = path.name if isinstance(path, Path) else project_title(path)
        self.iface.messageBar().pushMessage(
            TITLE.get(),
            Text(f"已打开 {name}", f"Opened {name}").get(),
            level=Qgis.Success,
            duration=5,
        )
        return True

    def find_project(self, *_args: object) -> str | Path | None:
        """Take up the GridGIS project whose layers a QGIS project file holds.

        A QGIS project saved with a GridGIS project's layers opens with them; the
        menu's algorithms then work on that file again.
        """
        files = gridgis_files(QgsProject.instance())
        if len(files) == 1:
            (path,) = files
            layers = gridgis_layers(QgsProject.instance(), path)
            if self.undo_stack is not None:
                self.open_workspace(path, layers)
            self.project_path = path
            self.layers = layers
        return self.project_path

    def forget_project(self) -> None:
        """QGIS's project was closed: no GridGIS project is open any more."""
        self.close_workspace(remove_layers=False)
        self.project_path = None
        self.layers = {}

    def open_workspace(self, path: str | Path, layers: dict) -> bool:
        """Put the docks and tools into QGIS's window for project ``path``.

        GridGIS works on one project file at a time: another one open before is
        closed and its layers leave the map.
        """
        from .workspace import Workspace

        if self.workspace is not None:
            if same_project(self.workspace.path, path):
                return True
            self.close_workspace(remove_layers=True)
        try:
            self.workspace = Workspace(
                self.iface,
                path,
                layers,
                self.undo_stack,
                check_on_open=self.check_on_open,
            )
        except GridGisError as exc:
            self.iface.messageBar().pushMessage(
                TITLE.get(), str(exc), level=Qgis.Critical, duration=0
            )
            return False
        for key, tool in self.workspace.tools.items():
            tool.setAction(self.actions[key])
        for dock in self.workspace.docks:
            self.panels_menu.addAction(dock.toggleViewAction())
        self._enable_editing(True)
        return True

    def close_workspace(self, *, remove_layers: bool) -> None:
        """Take the docks and tools of the open project out of QGIS's window."""
        workspace, self.workspace = self.workspace, None
        if workspace is None:
            return
        if self.panels_menu is not None:
            self.panels_menu.clear()
        self._enable_editing(False)
        workspace.close(remove_layers=remove_layers)
        if remove_layers:
            self.project_path = None
            self.layers = {}

    def _layers_leaving(self, layer_ids: list[str]) -> None:
        """The project's layers are being removed from QGIS: close its workspace."""
        if self.workspace is None:
            return
        ours = {layer.id() for layer in self.workspace.session.layers.values()}
        if ours & set(layer_ids):
            self.close_workspace(remove_layers=False)
            self.project_path = None
            self.layers = {}

    def _file_written(self, path: str) -> None:
        """An algorithm wrote into a file: if it is the open project, show it afresh."""
        if self.workspace is None or not same_project(path, self.workspace.path):
            return
        had_edits = self.workspace.session.undo_stack.count() > 0
        self.workspace.reload()
        if had_edits:
            self.iface.messageBar().pushMessage(
                TITLE.get(),
                Text(
                    "处理算法修改了项目文件;此前的编辑已保存在文件中,不能再撤销。",
                    "A Processing algorithm changed the project file; the edits "
                    "before it are in the file and can no longer be undone.",
                ).get(),
                level=Qgis.Info,
                duration=8,
            )

    # -- editing ------------------------------------------------------------------------

    def use_tool(self, key: str) -> None:
        """Make GridGIS's map tool ``key`` (``"split"``, ``"select"``…) the active one."""
        if self.workspace is None:
            return
        self.iface.mapCanvas().setMapTool(self.workspace.tools[key])
        self.actions[key].setChecked(True)

    def merge_selected(self) -> None:
        """Merge the grids selected on the map (one undoable edit)."""
        from gridgis.app.tools.edit_tools import merge_selected

        if self.workspace is not None:
            merge_selected(self.workspace.session)

    def divide_current_community(self):
        """Open "divide this community" (preview, report, undoable accept)."""
        from gridgis.app.dialogs.divide import DivideDialog
        from gridgis.app.tools.navigation import current_community

        if self.workspace is None:
            return None
        session = self.workspace.session
        community = current_community(session, self.iface.mapCanvas())
        if community is None:
            self.iface.messageBar().pushMessage(
                TITLE.get(),
                tr("Select a community in the hierarchy or on the map first."),
                level=Qgis.Warning,
                duration=6,
            )
            return None
        dialog = DivideDialog(
            session, community, self.iface.mapCanvas(), self.iface.mainWindow()
        )
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        self.divide_dialog = dialog
        return dialog

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
