"""The main window: the three-level map, the docks, the editing tools, the File menu.

The window wires the parts together; each part takes what it needs as arguments so the
QGIS plugin can reuse it: the :class:`~gridgis.app.session.ProjectSession` (store, layers,
undo stack), the docks (:mod:`gridgis.app.docks`) and the map tools
(:mod:`gridgis.app.tools`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsLayerTreeModel,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
)
from qgis.gui import (
    QgsLayerTreeMapCanvasBridge,
    QgsLayerTreeView,
    QgsMapCanvas,
    QgsMapTool,
    QgsMapToolPan,
    QgsMapToolZoom,
    QgsMessageBar,
)
from qgis.PyQt.QtCore import QSettings, Qt
from qgis.PyQt.QtGui import QCloseEvent, QColor, QIcon, QKeySequence
from qgis.PyQt.QtWidgets import (
    QAction,
    QActionGroup,
    QDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QToolBar,
    QUndoStack,
    QVBoxLayout,
    QWidget,
)

from gridgis.app.dialogs.database import DatabaseDialog
from gridgis.app.dialogs.divide import DivideDialog
from gridgis.app.dialogs.new_project import NewProjectDialog
from gridgis.app.dialogs.preferences import PreferencesDialog
from gridgis.app.docks.hierarchy import HierarchyDock
from gridgis.app.docks.history import HistoryDock
from gridgis.app.docks.inspector import InspectorDock
from gridgis.app.docks.validation import ValidationDock
from gridgis.app.i18n import tr
from gridgis.app.session import ProjectSession, location
from gridgis.app.tools.edit_tools import (
    DrawGridTool,
    MoveBuildingTool,
    ReshapeGridTool,
    SplitGridTool,
    merge_selected,
)
from gridgis.app.tools.navigation import (
    IdentifyTool,
    SelectGridTool,
    current_community,
)
from gridgis.app.tools.snapping import configure_snapping
from gridgis.core.crs import CGCS2000
from gridgis.core.errors import GridGisError
from gridgis.core.i18n import Text
from gridgis.core.store import create_project, open_project
from gridgis.qgis.layers import project_title

#: How many recently opened files the File menu lists.
RECENT_MAX = 8
RECENT_KEY = "gridgis/recent"


def _icon(name: str) -> QIcon:
    """One of QGIS's own theme icons."""
    from qgis.core import QgsApplication

    return QgsApplication.getThemeIcon(name)


class MainWindow(QMainWindow):
    """The GridGIS window.

    Parameters
    ----------
    project
        The ``QgsProject`` the layers go into (default: the global one).
    settings
        Where recent files and preferences are kept (default: the user's settings).
    """

    def __init__(
        self, project: QgsProject | None = None, settings: QSettings | None = None
    ) -> None:
        super().__init__()
        self.project = project or QgsProject.instance()
        self.settings = settings or QSettings("GridGIS", "GridGIS")
        self.session: ProjectSession | None = None
        self.undo_stack = QUndoStack(self)
        self.tools: dict[str, QgsMapTool] = {}
        self.session_docks: list[QDockWidget] = []
        #: Check the whole file in the background when a project is opened.
        self.check_on_open = True
        self.setWindowTitle("GridGIS")
        self.resize(1600, 1000)
        self.setDockOptions(QMainWindow.AnimatedDocks | QMainWindow.AllowTabbedDocks)

        self.canvas = QgsMapCanvas(self)
        self.canvas.setCanvasColor(QColor("#f4f1ea"))
        self.canvas.setParallelRenderingEnabled(True)
        self.canvas.setCachingEnabled(True)
        self.message_bar = QgsMessageBar(self)
        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        centre_layout.addWidget(self.message_bar)
        centre_layout.addWidget(self.canvas)
        self.setCentralWidget(centre)

        # Parented to the window: it must not outlive the canvas it updates.
        self.bridge = QgsLayerTreeMapCanvasBridge(
            self.project.layerTreeRoot(), self.canvas, self
        )
        model = QgsLayerTreeModel(self.project.layerTreeRoot(), self)
        model.setFlag(QgsLayerTreeModel.AllowNodeChangeVisibility)
        model.setFlag(QgsLayerTreeModel.ShowLegendAsTree)
        self.tree = QgsLayerTreeView(self)
        self.tree.setModel(model)
        self.layers_dock = QDockWidget(tr("Layers"), self)
        self.layers_dock.setObjectName("layers")
        self.layers_dock.setWidget(self.tree)
        self.addDockWidget(Qt.LeftDockWidgetArea, self.layers_dock)

        self._build_status_bar()
        self._build_actions()
        self._build_menus()
        self._build_toolbars()
        self.undo_stack.cleanChanged.connect(self._update_title)
        self.undo_stack.indexChanged.connect(self._update_title)
        self._update_title()
        self._enable_project_actions(False)

    # -- construction --------------------------------------------------------------

    def _build_status_bar(self) -> None:
        self.coordinates = QLabel(self)
        self.coordinates.setMinimumWidth(330)
        self.scale_label = QLabel(self)
        self.scale_label.setMinimumWidth(90)
        self.crs_label = QLabel(self)
        self.file_label = QLabel(self)
        for widget in (
            self.file_label,
            self.crs_label,
            self.coordinates,
            self.scale_label,
        ):
            self.statusBar().addPermanentWidget(widget)
        self.canvas.xyCoordinates.connect(self._show_coordinates)
        self.canvas.scaleChanged.connect(self._show_scale)
        self._to_geographic: QgsCoordinateTransform | None = None

    def _action(
        self,
        text: str,
        slot: Callable[[], object] | None = None,
        *,
        shortcut: str | QKeySequence.StandardKey | None = None,
        icon: str | None = None,
        tip: str | None = None,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if icon:
            action.setIcon(_icon(icon))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(
                f"{text} ({action.shortcut().toString()})" if shortcut else text
            )
        action.setCheckable(checkable)
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        # File
        self.new_action = self._action(
            tr("&New project…"), self.new_project, shortcut=QKeySequence.New,
            icon="mActionFileNew.svg",
        )  # fmt: skip
        self.open_action = self._action(
            tr("&Open…"), self.choose_project, shortcut=QKeySequence.Open,
            icon="mActionFileOpen.svg",
        )  # fmt: skip
        self.open_database_action = self._action(
            Text("打开数据库项目…", "Open &database project…").get(),
            self.choose_database,
            tip=Text(
                "打开 PostgreSQL/PostGIS 中的共享项目",
                "Open a shared project in PostgreSQL/PostGIS",
            ).get(),
        )
        self.save_action = self._action(
            tr("&Save"), self.save, shortcut=QKeySequence.Save,
            icon="mActionFileSave.svg",
            tip=tr("Mark the current state as saved (edits are written at once)"),
        )  # fmt: skip
        self.save_as_action = self._action(
            tr("Save &as…"), self.choose_save_as, shortcut=QKeySequence.SaveAs,
            icon="mActionFileSaveAs.svg",
        )  # fmt: skip
        self.import_action = self._action(
            tr("&Import…"), self.import_data, icon="mActionAddOgrLayer.svg",
            tip=tr("Import buildings, staff or other layers from a file"),
        )  # fmt: skip
        self.export_action = self._action(
            tr("&Export…"), self.export_data, icon="mActionSharingExport.svg",
            tip=tr("Export the project as shapefiles, GeoPackage, GeoJSON or Excel"),
        )  # fmt: skip
        self.print_boards_action = self._action(
            tr("&Print boards…"), self.print_boards, icon="mActionFilePrint.svg",
            tip=tr("Print the grid boards, service cards and overview maps as PDF"),
        )  # fmt: skip
        self.print_ledger_action = self._action(
            Text("打印台账(&L)…", "Print &ledger…").get(), self.print_ledger,
            icon="mActionFilePrint.svg",
            tip=Text("网格台账:工作簿和 PDF 概况页",
                     "The grid ledger: a workbook and a PDF summary").get(),
        )  # fmt: skip
        self.preferences_action = self._action(
            tr("Se&ttings…"), self.show_preferences, icon="mActionOptions.svg"
        )
        self.quit_action = self._action(
            tr("&Quit"), self.close, shortcut=QKeySequence.Quit
        )
        # Edit
        self.undo_action = self.undo_stack.createUndoAction(self, tr("&Undo"))
        self.undo_action.setShortcut(QKeySequence.Undo)
        self.undo_action.setIcon(_icon("mActionUndo.svg"))
        self.redo_action = self.undo_stack.createRedoAction(self, tr("&Redo"))
        self.redo_action.setShortcuts(
            [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]
        )
        self.redo_action.setIcon(_icon("mActionRedo.svg"))
        self.merge_action = self._action(
            tr("&Merge selected grids"), self.merge_selected, shortcut="M",
            icon="mActionMergeFeatures.svg",
            tip=tr("Merge the neighbouring grids selected on the map into one"),
        )  # fmt: skip
        # Map tools (one at a time)
        self.tool_group = QActionGroup(self)
        self.tool_actions: dict[str, QAction] = {}
        for key, text, shortcut, icon, tip in (
            ("pan", tr("&Pan"), "P", "mActionPan.svg", tr("Drag the map")),
            ("zoom_in", tr("Zoom &in"), "Z", "mActionZoomIn.svg", tr("Click or drag a box to zoom in")),
            ("zoom_out", tr("Zoom &out"), "Shift+Z", "mActionZoomOut.svg", tr("Click to zoom out")),
            ("identify", tr("&Identify"), "I", "mActionIdentify.svg", tr("Click a feature to see its attributes")),
            ("select", tr("&Select grids"), "V", "mActionSelectRectangle.svg", tr("Click a grid; Shift-click adds or removes")),
            ("split", tr("S&plit grid"), "X", "mActionSplitFeatures.svg", tr("Draw a line across a grid; right click finishes")),
            ("reshape", tr("&Reshape boundary"), "R", "mActionReshape.svg", tr("Draw from a grid's boundary out and back; right click finishes")),
            ("draw", tr("&Draw new grid"), "G", "mActionCapturePolygon.svg", tr("Click the corners of the new grid; right click finishes")),
            ("move_building", tr("Move &building"), "B", "mActionMoveFeature.svg", tr("Drag a building onto the neighbouring grid")),
        ):  # fmt: skip
            action = self._action(
                text, lambda k=key: self.use_tool(k), shortcut=shortcut, icon=icon,
                tip=tip, checkable=True,
            )  # fmt: skip
            self.tool_group.addAction(action)
            self.tool_actions[key] = action
        self.divide_action = self._action(
            tr("&Divide this community…"), self.divide_current_community,
            shortcut="Ctrl+D", icon="mAlgorithmVoronoi.svg",
            tip=tr("Divide the selected community into grids automatically"),
        )  # fmt: skip
        self.zoom_full_action = self._action(
            tr("Zoom to &project"), self.zoom_full, shortcut="Ctrl+Shift+F",
            icon="mActionZoomFullExtent.svg",
        )  # fmt: skip
        self.about_action = self._action(tr("&About GridGIS"), self.about)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu(tr("&File"))
        self.file_menu.addAction(self.new_action)
        self.file_menu.addAction(self.open_action)
        self.file_menu.addAction(self.open_database_action)
        self.recent_menu = QMenu(tr("Open &recent"), self)
        self.file_menu.addMenu(self.recent_menu)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.save_action)
        self.file_menu.addAction(self.save_as_action)
        # Exchange: Import…, Export…, Print boards… go between these two separators
        # (see add_exchange_action).
        self.exchange_separator = self.file_menu.addSeparator()
        self.settings_separator = self.file_menu.addSeparator()
        self.add_exchange_action(self.import_action)
        self.add_exchange_action(self.export_action)
        self.add_exchange_action(self.print_boards_action)
        self.add_exchange_action(self.print_ledger_action)
        self.file_menu.addAction(self.preferences_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self._fill_recent_menu()

        self.edit_menu = bar.addMenu(tr("&Edit"))
        self.edit_menu.addAction(self.undo_action)
        self.edit_menu.addAction(self.redo_action)
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.tool_actions["select"])
        for key in ("split", "reshape", "draw", "move_building"):
            self.edit_menu.addAction(self.tool_actions[key])
        self.edit_menu.addAction(self.merge_action)
        self.edit_separator = self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.divide_action)

        self.view_menu = bar.addMenu(tr("&View"))
        for key in ("pan", "zoom_in", "zoom_out", "identify"):
            self.view_menu.addAction(self.tool_actions[key])
        self.view_menu.addAction(self.zoom_full_action)
        self.view_menu.addSeparator()
        self.panels_menu = self.view_menu.addMenu(tr("&Panels"))
        self.panels_menu.addAction(self.layers_dock.toggleViewAction())

        self.help_menu = bar.addMenu(tr("&Help"))
        self.help_menu.addAction(self.about_action)

    def add_exchange_action(self, action: QAction) -> None:
        """Put an import, export or printing entry in the File menu's exchange section."""
        self.file_menu.insertAction(self.settings_separator, action)

    def _build_toolbars(self) -> None:
        self.file_toolbar = QToolBar(tr("Project"), self)
        self.file_toolbar.setObjectName("project-toolbar")
        for action in (self.new_action, self.open_action, self.save_action):
            self.file_toolbar.addAction(action)
        self.addToolBar(self.file_toolbar)
        self.map_toolbar = QToolBar(tr("Map"), self)
        self.map_toolbar.setObjectName("map-toolbar")
        for key in ("pan", "zoom_in", "zoom_out"):
            self.map_toolbar.addAction(self.tool_actions[key])
        self.map_toolbar.addAction(self.zoom_full_action)
        self.map_toolbar.addAction(self.tool_actions["identify"])
        self.map_toolbar.addAction(self.tool_actions["select"])
        self.addToolBar(self.map_toolbar)
        self.edit_toolbar = QToolBar(tr("Editing"), self)
        self.edit_toolbar.setObjectName("edit-toolbar")
        self.edit_toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.edit_toolbar.addAction(self.undo_action)
        self.edit_toolbar.addAction(self.redo_action)
        self.edit_toolbar.addSeparator()
        for key in ("split", "reshape", "draw", "move_building"):
            self.edit_toolbar.addAction(self.tool_actions[key])
        self.edit_toolbar.addAction(self.merge_action)
        self.edit_toolbar.addSeparator()
        self.edit_toolbar.addAction(self.divide_action)
        self.addToolBar(self.edit_toolbar)

    # -- project -------------------------------------------------------------------

    def open_project(self, path: str | Path) -> ProjectSession:
        """Show and edit the project file at ``path`` (the current one is closed).

        Raises
        ------
        GridGisError
            If the file cannot be opened as a GridGIS project.
        """
        path = location(path)
        self.close_project()
        session = ProjectSession.open(
            path, self.project, undo_stack=self.undo_stack, parent=self
        )
        self.session = session
        session.notice.connect(self._show_notice)
        session.failed.connect(self._show_failure)
        session.moved.connect(self._moved)
        self.canvas.setDestinationCrs(self.project.crs())
        self._to_geographic = QgsCoordinateTransform(
            self.project.crs(),
            QgsCoordinateReferenceSystem(f"EPSG:{CGCS2000}"),
            self.project,
        )
        self.crs_label.setText(self.project.crs().description())
        configure_snapping(self.canvas, session.layers)
        self._build_tools(session)
        self._build_session_docks(session)
        self._remember(path)
        self._enable_project_actions(True)
        self._update_title()
        self.zoom_full()
        self.use_tool("pan")
        return session

    def close_project(self) -> None:
        """Close the current project (its edits are in the file already)."""
        if self.session is None:
            return
        # A render job still running would draw layers that are about to go.
        self.canvas.stopRendering()
        self.canvas.unsetMapTool(self.canvas.mapTool())
        self.validation_dock.shutdown()
        self.history_dock.clear_version()
        for dock in self.session_docks:
            self.removeDockWidget(dock)
            dock.deleteLater()
        self.session_docks = []
        self.tools = {}
        self.undo_stack.clear()
        self.session.close()
        self.session = None
        self._enable_project_actions(False)
        self._update_title()

    def _build_tools(self, session: ProjectSession) -> None:
        canvas = self.canvas
        self.tools = {
            "pan": QgsMapToolPan(canvas),
            "zoom_in": QgsMapToolZoom(canvas, False),
            "zoom_out": QgsMapToolZoom(canvas, True),
            "identify": IdentifyTool(canvas, session),
            "select": SelectGridTool(canvas, session),
            "split": SplitGridTool(canvas, session),
            "reshape": ReshapeGridTool(canvas, session),
            "draw": DrawGridTool(canvas, session),
            "move_building": MoveBuildingTool(canvas, session),
        }
        for key, tool in self.tools.items():
            tool.setAction(self.tool_actions[key])

    def _build_session_docks(self, session: ProjectSession) -> None:
        self.hierarchy_dock = HierarchyDock(session, self.canvas, self)
        self.inspector_dock = InspectorDock(session, self)
        self.validation_dock = ValidationDock(
            session, self.canvas, self, check_on_open=self.check_on_open
        )
        self.addDockWidget(Qt.LeftDockWidgetArea, self.hierarchy_dock)
        self.splitDockWidget(self.hierarchy_dock, self.layers_dock, Qt.Vertical)
        self.addDockWidget(Qt.RightDockWidgetArea, self.inspector_dock)
        # Findings are long sentences: they get the width under the map.
        self.addDockWidget(Qt.BottomDockWidgetArea, self.validation_dock)
        self.history_dock = HistoryDock(session, self.canvas, self)
        self.tabifyDockWidget(self.validation_dock, self.history_dock)
        self.validation_dock.raise_()
        self.hierarchy_dock.activated.connect(self.history_dock.show_history)
        self.session_docks = [
            self.hierarchy_dock,
            self.inspector_dock,
            self.validation_dock,
            self.history_dock,
        ]
        self.resizeDocks(
            [self.hierarchy_dock, self.layers_dock], [560, 340], Qt.Vertical
        )
        self.resizeDocks([self.validation_dock], [230], Qt.Vertical)
        self.resizeDocks(
            [self.hierarchy_dock, self.inspector_dock], [300, 420], Qt.Horizontal
        )
        for dock in self.session_docks:
            self.panels_menu.addAction(dock.toggleViewAction())

    def use_tool(self, key: str) -> None:
        """Make the map tool ``key`` (``"split"``, ``"select"``, …) the active one."""
        tool = self.tools.get(key)
        if tool is None:
            return
        self.canvas.setMapTool(tool)
        self.tool_actions[key].setChecked(True)

    def zoom_full(self) -> None:
        """Show the whole project."""
        if self.session is None:
            return
        extent = self.session.layers["streets"].extent()
        if extent.isEmpty() or extent.isNull():
            extent = self.session.layers["communities"].extent()
        if extent.isEmpty() or extent.isNull() or not extent.isFinite():
            return  # an empty project: nothing to show yet
        extent.scale(1.05)
        self.canvas.setExtent(extent)
        self.canvas.refresh()

    def current_community(self) -> str | None:
        """The community the planner is working on.

        The community selected (in the hierarchy or on the map), else the community of
        the first selected grid, else the community under the centre of the map.
        """
        if self.session is None:
            return None
        return current_community(self.session, self.canvas)

    def divide_current_community(self) -> DivideDialog | None:
        """Open "divide this community" on the current community."""
        community = self.current_community() if self.session else None
        if self.session is None or community is None:
            self.message_bar.pushMessage(
                tr("Select a community in the hierarchy or on the map first."),
                Qgis.Warning, 6,
            )  # fmt: skip
            return None
        dialog = DivideDialog(self.session, community, self.canvas, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        self.divide_dialog = dialog
        return dialog

    def merge_selected(self) -> None:
        """Merge the grids selected on the map."""
        if self.session is not None:
            merge_selected(self.session)

    # -- file menu -----------------------------------------------------------------

    def choose_project(self) -> None:
        """Ask for a project file and open it."""
        if not self.maybe_save():
            return
        start = (
            str(self.session.path.parent)
            if self.session and isinstance(self.session.path, Path)
            else str(Path.home())
        )
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Open project"), start, tr("GridGIS project (*.gpkg)")
        )
        if path:
            self.open_or_report(Path(path))

    def choose_database(self) -> None:
        """Ask for a database (a service, a QGIS connection, an address) and open it."""
        if not self.maybe_save():
            return
        dialog = DatabaseDialog(self)
        if dialog.exec_() == QDialog.Accepted:
            self.open_or_report(dialog.location())

    def open_or_report(self, path: str | Path) -> bool:
        """Open ``path``; show why not if it cannot be opened."""
        try:
            self.open_project(path)
        except GridGisError as exc:
            QMessageBox.critical(self, "GridGIS", str(exc))
            return False
        return True

    def new_project(self) -> None:
        """Create an empty project file and open it."""
        if not self.maybe_save():
            return
        dialog = NewProjectDialog(self)
        if dialog.exec_() != QDialog.Accepted:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            tr("New project"),
            str(Path.home() / "grids.gpkg"),
            tr("GridGIS project (*.gpkg)"),
        )
        if not path:
            return
        target = Path(path).with_suffix(".gpkg")
        try:
            create_project(target, dialog.project_settings(), overwrite=True).close()
        except GridGisError as exc:
            QMessageBox.critical(self, "GridGIS", str(exc))
            return
        self.open_or_report(target)

    def save(self) -> None:
        """Mark the current state as saved."""
        if self.session is not None:
            self.session.save()
            self.statusBar().showMessage(
                tr("Saved {path}").format(path=self.session.path), 4000
            )

    def choose_save_as(self) -> None:
        """Ask for a file name and continue on a copy of the project."""
        if self.session is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            tr("Save project as"),
            str(self.session.path),
            tr("GridGIS project (*.gpkg)"),
        )
        if path:
            self.save_as(Path(path).with_suffix(".gpkg"))

    def save_as(self, path: Path) -> None:
        """Copy the project to ``path`` and go on working there."""
        if self.session is not None:
            self.session.save_as(path)

    def _moved(self, path: Path) -> None:
        group = self.project.layerTreeRoot().children()
        for node in group:
            if node.name() and self.session is not None:
                node.setName(project_title(path))
                break
        self._remember(path)
        self._update_title()

    def maybe_save(self) -> bool:
        """Ask what to do with unsaved edits; ``False`` means the user cancelled."""
        if self.session is None or not self.session.is_modified():
            return True
        answer = self.ask_unsaved()
        if answer == "cancel":
            return False
        if answer == "save":
            self.session.save()
        elif not self.session.discard():
            QMessageBox.warning(
                self, "GridGIS",
                tr("The edits since the last save can no longer be undone; they stay in the file."),
            )  # fmt: skip
        return True

    def ask_unsaved(self) -> str:
        """Ask Save / Discard / Cancel; returns ``"save"``, ``"discard"`` or ``"cancel"``."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Question)
        box.setWindowTitle("GridGIS")
        box.setText(tr("The project has edits that were not saved."))
        box.setInformativeText(tr("Save keeps them; Discard undoes them in the file."))
        save = box.addButton(tr("Save"), QMessageBox.AcceptRole)
        discard = box.addButton(tr("Discard"), QMessageBox.DestructiveRole)
        cancel = box.addButton(tr("Cancel"), QMessageBox.RejectRole)
        box.setDefaultButton(save)
        box.exec_()
        clicked = box.clickedButton()
        if clicked is save:
            return "save"
        if clicked is discard:
            return "discard"
        del cancel
        return "cancel"

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.maybe_save():
            self.close_project()
            event.accept()
        else:
            event.ignore()

    def _remember(self, path: str | Path) -> None:
        here = str(path.resolve()) if isinstance(path, Path) else str(path)
        recent = [str(p) for p in self.recent_files() if str(p) != here]
        recent.insert(0, here)
        self.settings.setValue(RECENT_KEY, recent[:RECENT_MAX])
        self._fill_recent_menu()

    def recent_files(self) -> list[str | Path]:
        """Recently opened projects (files and databases), newest first."""
        value = self.settings.value(RECENT_KEY, []) or []
        if isinstance(value, str):
            value = [value]
        return [location(v) for v in value]

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        for path in files:
            action = self.recent_menu.addAction(
                path.name if isinstance(path, Path) else project_title(path)
            )
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(
                lambda _checked=False, p=path: (
                    self.maybe_save() and self.open_or_report(p)
                )
            )
        self.recent_menu.setEnabled(bool(files))

    def show_preferences(self) -> None:
        """The settings dialog (interface language)."""
        PreferencesDialog(self.settings, self).exec_()

    def about(self) -> None:
        """About GridGIS."""
        from gridgis import __version__

        QMessageBox.about(
            self,
            tr("About GridGIS"),
            tr(
                "<b>GridGIS {version}</b><br>Community grid management: divide "
                "communities into responsibility grids, keep every grid in its "
                "household band, print grid boards."
            ).format(version=__version__),
        )

    # -- exchange: import, export (File menu) ----------------------------------------

    def import_data(self, source: str | Path | None = None) -> QDialog | None:
        """Open the import dialog on the current project; reload the map after."""
        from gridgis.app.dialogs import ImportDialog

        if self.session is None:
            return None
        path = self.session.path
        dialog = ImportDialog(open_project(path), source or None, parent=self)
        # Imported rows are not edits on the undo stack: show the file afresh.
        dialog.imported.connect(lambda _reports: self.open_or_report(path))
        dialog.open()
        return dialog

    def export_data(self) -> QDialog | None:
        """Open the export dialog on the current project."""
        from gridgis.app.dialogs import ExportDialog

        if self.session is None:
            return None
        dialog = ExportDialog(open_project(self.session.path), parent=self)
        dialog.open()
        return dialog

    def print_boards(self) -> None:
        """Open the print dialog for the grid boards of the open project."""
        from gridgis.app.dialogs.print_boards import PrintBoardsDialog

        if self.session is not None:
            PrintBoardsDialog(self.session.path, parent=self).show()

    def print_ledger(self) -> None:
        """Open the ledger dialog for the grid shown in the inspector."""
        from gridgis.app.dialogs.print_ledger import PrintLedgerDialog

        if self.session is not None:
            grid = self.inspector_dock.inspector.code.text() or None
            PrintLedgerDialog(self.session.path, grid, parent=self).show()

    # -- status --------------------------------------------------------------------

    def _enable_project_actions(self, on: bool) -> None:
        for action in (
            self.save_action,
            self.save_as_action,
            self.import_action,
            self.export_action,
            self.print_boards_action,
            self.print_ledger_action,
            self.merge_action,
            self.divide_action,
            self.zoom_full_action,
            *self.tool_actions.values(),
        ):
            action.setEnabled(on)

    def _update_title(self, *_: object) -> None:
        if self.session is None:
            self.setWindowTitle("GridGIS")
            self.setWindowModified(False)
            self.file_label.setText("")
            return
        modified = self.session.is_modified()
        path = self.session.path
        name = path.name if isinstance(path, Path) else project_title(path)
        self.setWindowTitle(f"{name}[*] — GridGIS")
        self.setWindowModified(modified)
        marker = " *" if modified else ""
        self.file_label.setText(f"{self.session.path}{marker}")
        self.file_label.setToolTip(
            tr("Edits since the last save")
            if modified
            else tr("No edits since the last save")
        )

    def _show_notice(self, text: str, level: int) -> None:
        self.message_bar.clearWidgets()
        duration = 4 if level in (Qgis.Info, Qgis.Success) else 8
        self.message_bar.pushMessage(text, Qgis.MessageLevel(level), duration)

    def _show_failure(self, exc: Exception) -> None:
        self.message_bar.pushMessage(str(exc), Qgis.Critical, 0)

    def _show_coordinates(self, point: QgsPointXY) -> None:
        text = f"X {point.x():,.1f}  Y {point.y():,.1f}"
        if self._to_geographic is not None:
            try:
                geo = self._to_geographic.transform(point)
                text += f"  ({geo.x():.5f}°E, {geo.y():.5f}°N)"
            except Exception:
                pass
        self.coordinates.setText(text)

    def _show_scale(self, scale: float) -> None:
        self.scale_label.setText(f"1:{scale:,.0f}")

    # -- for tests and the plugin ----------------------------------------------------

    @property
    def layers(self) -> dict[str, QgsVectorLayer]:
        """The QGIS layers of the open project by name (empty when none is open)."""
        return self.session.layers if self.session is not None else {}

    def layer(self, name: str) -> QgsVectorLayer:
        """The QGIS layer ``name`` of the open project."""
        if self.session is None:
            raise LookupError("no project is open")
        return self.session.layers[name]
