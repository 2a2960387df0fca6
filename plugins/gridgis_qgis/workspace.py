"""A GridGIS project open in QGIS's own window: the application's docks and map tools.

The desktop application's parts take what they need as arguments
(:class:`~gridgis.app.session.ProjectSession`, the map canvas, a parent window, the undo
stack); here they get QGIS's canvas and main window. GridGIS edits are written to the
project file at once and go on the plugin's undo stack, as in the application.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import Qgis, QgsProject
from qgis.gui import QgsMapTool
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QDockWidget, QUndoStack

from gridgis.app.docks.hierarchy import HierarchyDock
from gridgis.app.docks.history import HistoryDock
from gridgis.app.docks.inspector import InspectorDock
from gridgis.app.docks.validation import ValidationDock
from gridgis.app.session import ProjectSession
from gridgis.app.tools.edit_tools import (
    DrawGridTool,
    MoveBuildingTool,
    ReshapeGridTool,
    SplitGridTool,
)
from gridgis.app.tools.navigation import IdentifyTool, SelectGridTool
from gridgis.app.tools.snapping import configure_snapping
from gridgis.core.store import open_project

#: The map tools, in the order the toolbar shows them.
TOOLS = ("select", "identify", "split", "reshape", "draw", "move_building")
_TOOL_CLASSES = {
    "select": SelectGridTool,
    "identify": IdentifyTool,
    "split": SplitGridTool,
    "reshape": ReshapeGridTool,
    "draw": DrawGridTool,
    "move_building": MoveBuildingTool,
}


class Workspace:
    """The session of one GridGIS project file with its docks and tools in QGIS.

    Parameters
    ----------
    iface
        QGIS's interface.
    path
        The project file.
    layers
        Its layers already in the QGIS project (from
        :func:`gridgis.qgis.layers.load_project`).
    undo_stack
        The plugin's undo stack.
    check_on_open
        Check the whole file in the background right away (the checks panel).
    """

    def __init__(
        self,
        iface,
        path: Path,
        layers: dict,
        undo_stack: QUndoStack,
        *,
        check_on_open: bool = True,
    ) -> None:
        self.iface = iface
        window = iface.mainWindow()
        canvas = iface.mapCanvas()
        self.canvas = canvas
        project = QgsProject.instance()
        self.session = ProjectSession(
            path, open_project(path), layers, project, undo_stack, window
        )
        self.session.notice.connect(self._notice)
        self.session.failed.connect(
            lambda exc: self._notice(str(exc), int(Qgis.Critical))
        )
        # GridGIS's tools snap to roads, grids and communities; QGIS's snapping
        # toolbar shows (and can change) the same configuration.
        project.setSnappingConfig(configure_snapping(canvas, layers, project=project))

        scene = canvas.scene()
        before = set(scene.items())
        self.hierarchy = HierarchyDock(self.session, canvas, window)
        self.inspector = InspectorDock(self.session, window)
        self.validation = ValidationDock(
            self.session, canvas, window, check_on_open=check_on_open
        )
        self.history = HistoryDock(self.session, canvas, window)
        self.hierarchy.activated.connect(self.history.show_history)
        # The plugin's own names, so they do not collide with QGIS's docks.
        for dock, name in (
            (self.hierarchy, "GridGISHierarchy"),
            (self.inspector, "GridGISInspector"),
            (self.validation, "GridGISChecks"),
            (self.history, "GridGISHistory"),
        ):
            dock.setObjectName(name)
        iface.addDockWidget(Qt.LeftDockWidgetArea, self.hierarchy)
        iface.addDockWidget(Qt.RightDockWidgetArea, self.inspector)
        iface.addDockWidget(Qt.BottomDockWidgetArea, self.validation)
        iface.addDockWidget(Qt.BottomDockWidgetArea, self.history)
        self.tools: dict[str, QgsMapTool] = {
            key: _TOOL_CLASSES[key](canvas, self.session) for key in TOOLS
        }
        #: What the docks and tools drew on QGIS's canvas (outlines, sketches).
        self.canvas_items = [item for item in scene.items() if item not in before]

    @property
    def docks(self) -> list[QDockWidget]:
        """The docks in QGIS's window."""
        return [self.hierarchy, self.inspector, self.validation, self.history]

    @property
    def path(self) -> str | Path:
        """The project file."""
        return self.session.path

    def _notice(self, text: str, level: int) -> None:
        duration = 4 if level in (int(Qgis.Info), int(Qgis.Success)) else 8
        self.iface.messageBar().pushMessage(
            "GridGIS", text, level=Qgis.MessageLevel(level), duration=duration
        )

    def reload(self) -> None:
        """Show the file afresh after something else wrote into it.

        A Processing algorithm (link, a division written into the project) changed the
        file: the layers and docks read it again, the file is checked again, and the
        undo history is cleared — its edits would be undone on top of a changed file.
        """
        self.session.undo_stack.clear()
        self.session.refresh_layers(list(self.session.layers))
        self.hierarchy.model.rebuild()
        self.inspector.inspector.show_grid(None)
        self.validation.check_all()

    def close(self, *, remove_layers: bool) -> None:
        """Take the docks and tools out of QGIS's window and release the file.

        With ``remove_layers`` the project's layers leave the map too (another project
        is opened); otherwise they stay (the plugin is unloaded, or QGIS's project was
        closed and took them already).
        """
        self.validation.shutdown()
        self.history.clear_version()
        # Outlines and sketches live on QGIS's canvas, which stays.
        for item in self.canvas_items:
            if item.scene() is not None:
                item.scene().removeItem(item)
        self.canvas_items = []
        current = self.canvas.mapTool()
        for tool in self.tools.values():
            if current is tool:
                self.canvas.unsetMapTool(tool)
            tool.setAction(None)
        self.tools = {}
        for dock in self.docks:
            self.iface.removeDockWidget(dock)
            dock.deleteLater()
        self.session.undo_stack.clear()
        if remove_layers:
            self.session.close()
        else:
            self.session.store.close()
        self.session.deleteLater()
