"""The main window: the three-level map of a project on a QGIS map canvas."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsLayerTreeModel, QgsProject, QgsVectorLayer
from qgis.gui import QgsLayerTreeMapCanvasBridge, QgsLayerTreeView, QgsMapCanvas
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import QDialog, QDockWidget, QLabel, QMainWindow

from gridgis.core.i18n import Text
from gridgis.qgis.layers import load_project


class MainWindow(QMainWindow):
    """The GridGIS window: map canvas, layer tree, coordinates in the status bar."""

    def __init__(self, project: QgsProject | None = None) -> None:
        super().__init__()
        self.project = project or QgsProject.instance()
        self.layers: dict[str, QgsVectorLayer] = {}
        self.path: Path | None = None
        self.setWindowTitle("GridGIS")
        self.resize(1600, 1000)
        self.canvas = QgsMapCanvas(self)
        self.canvas.setCanvasColor(QColor("#f4f1ea"))
        self.setCentralWidget(self.canvas)
        self.bridge = QgsLayerTreeMapCanvasBridge(
            self.project.layerTreeRoot(), self.canvas
        )
        model = QgsLayerTreeModel(self.project.layerTreeRoot(), self)
        model.setFlag(QgsLayerTreeModel.AllowNodeChangeVisibility)
        model.setFlag(QgsLayerTreeModel.ShowLegendAsTree)
        self.tree = QgsLayerTreeView(self)
        self.tree.setModel(model)
        dock = QDockWidget(self.tr("Layers"), self)
        dock.setObjectName("layers")
        dock.setWidget(self.tree)
        self.addDockWidget(Qt.LeftDockWidgetArea, dock)
        self.coordinates = QLabel(self)
        self.scale_label = QLabel(self)
        self.file_label = QLabel(self)
        for widget in (self.file_label, self.coordinates, self.scale_label):
            self.statusBar().addPermanentWidget(widget)
        self.canvas.xyCoordinates.connect(self._show_coordinates)
        self.canvas.scaleChanged.connect(self._show_scale)
        file_menu = self.menuBar().addMenu(Text("文件", "&File").get())
        file_menu.addAction(Text("导入…", "Import…").get(), self.import_data)
        file_menu.addAction(Text("导出…", "Export…").get(), self.export_data)
        self.print_boards_action = file_menu.addAction(
            Text("打印网格公示牌…", "Print boards…").get(), self.print_boards
        )

    def open_project(self, path: str | Path) -> None:
        """Show the layers of the project file at ``path``."""
        path = Path(path)
        self.project.clear()
        self.layers = load_project(path, self.project)
        self.canvas.setDestinationCrs(self.project.crs())
        self.path = path
        self.file_label.setText(str(path))
        self.setWindowTitle(f"GridGIS — {path.name}")
        extent = self.layers["streets"].extent()
        extent.scale(1.05)
        self.canvas.setExtent(extent)
        self.canvas.refresh()

    def import_data(self, source: str | Path | None = None) -> QDialog | None:
        """Open the import dialog on the current project; reload the map after."""
        from gridgis.app.dialogs import ImportDialog
        from gridgis.core.store import open_project

        if self.path is None:
            return None
        path = self.path
        dialog = ImportDialog(open_project(path), source or None, parent=self)
        dialog.imported.connect(lambda _reports: self.open_project(path))
        dialog.open()
        return dialog

    def export_data(self) -> QDialog | None:
        """Open the export dialog on the current project."""
        from gridgis.app.dialogs import ExportDialog
        from gridgis.core.store import open_project

        if self.path is None:
            return None
        dialog = ExportDialog(open_project(self.path), parent=self)
        dialog.open()
        return dialog

    def print_boards(self) -> None:
        """Open the print dialog for the grid boards of the open project."""
        from gridgis.app.dialogs.print_boards import PrintBoardsDialog

        if self.path is not None:
            PrintBoardsDialog(self.path, parent=self).show()

    def _show_coordinates(self, point) -> None:  # type: ignore[no-untyped-def]
        self.coordinates.setText(f"X {point.x():.1f}  Y {point.y():.1f}")

    def _show_scale(self, scale: float) -> None:
        self.scale_label.setText(f"1:{scale:,.0f}")
