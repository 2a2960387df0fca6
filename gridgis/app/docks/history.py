"""The History dock: a grid's or a community's versions, read from the change log.

Choosing a community or a grid (in the hierarchy, or by typing its code) lists the
change sets that touched it, newest first: when, who, with which tool, what changed.
"Show this version on the map" rebuilds its grids as they were right after the chosen
change set (:func:`gridgis.core.history.grids_at`) and shows them in a temporary memory
layer above the project's layers; nothing is written to the project.
"""

from __future__ import annotations

import pandas as pd
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsField,
    QgsFillSymbol,
    QgsGeometry,
    QgsProject,
    QgsVectorLayer,
)
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import Qt, QVariant
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridgis.app.session import ProjectSession
from gridgis.core.codes import code_problem
from gridgis.core.definitions import Level
from gridgis.core.errors import GridGisError
from gridgis.core.history import HEADINGS, change_sets, grids_at
from gridgis.core.i18n import Text

#: Columns of the version list (see :data:`gridgis.core.history.HEADINGS`).
COLUMNS = ("change_set", "changed_at", "changed_by", "tool", "what")
#: Fields of the version layer.
_VERSION_FIELDS = ("code", "name", "community_code", "kind", "households")


def version_layer(frame: pd.DataFrame, epsg: int, name: str) -> QgsVectorLayer:
    """A temporary (memory) layer with the grids of ``frame`` (from ``grids_at``)."""
    crs = QgsCoordinateReferenceSystem(f"EPSG:{epsg}")
    layer = QgsVectorLayer(f"Polygon?crs={crs.authid()}", name, "memory")
    provider = layer.dataProvider()
    provider.addAttributes(
        [
            QgsField(f, QVariant.Int if f == "households" else QVariant.String)
            for f in _VERSION_FIELDS
        ]
    )
    layer.updateFields()
    features = []
    for _, row in frame.iterrows():
        feature = QgsFeature(layer.fields())
        geometry = QgsGeometry()
        geometry.fromWkb(row.geometry.wkb)
        feature.setGeometry(geometry)
        feature.setAttributes(
            [
                None
                if pd.isna(row[f])
                else (int(row[f]) if f == "households" else str(row[f]))
                for f in _VERSION_FIELDS
            ]
        )
        features.append(feature)
    provider.addFeatures(features)
    layer.updateExtents()
    symbol = QgsFillSymbol.createSimple(
        {
            "color": "255,140,0,40",
            "outline_color": "230,81,0,255",
            "outline_width": "0.8",
            "outline_style": "dash",
        }
    )
    layer.renderer().setSymbol(symbol)
    return layer


class HistoryDock(QDockWidget):
    """The versions of a community or grid, and a past one on the map."""

    def __init__(
        self,
        session: ProjectSession,
        canvas: QgsMapCanvas,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(Text("历史版本", "History").get(), parent)
        self.setObjectName("history")
        self.session = session
        self.canvas = canvas
        #: (level, code) shown: a community or a grid.
        self.target: tuple[str, str] | None = None
        self.versions = pd.DataFrame()
        #: The temporary layer of the version on the map, if one is shown.
        self.version_layer: QgsVectorLayer | None = None

        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(
            Text("社区或网格编码", "community or grid code").get()
        )
        self.code_edit.returnPressed.connect(self._code_entered)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([HEADINGS[c].get() for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.show_button = QPushButton(
            Text("在地图上显示此版本", "Show this version on the map").get()
        )
        self.show_button.setEnabled(False)
        self.show_button.clicked.connect(self.show_selected_version)
        self.clear_button = QPushButton(Text("清除", "Clear").get())
        self.clear_button.setEnabled(False)
        self.clear_button.clicked.connect(self.clear_version)

        buttons = QHBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.code_edit)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.setWidget(body)
        session.edited.connect(self._edited)

    # -- choosing what to show --------------------------------------------------

    def show_history(self, level: str, code: str) -> None:
        """List the versions of community or grid ``code`` (streets are ignored)."""
        if level not in (Level.COMMUNITY.value, Level.GRID.value):
            return
        self.target = (level, code)
        self.code_edit.setText(code)
        self.reload()

    def _code_entered(self) -> None:
        code = "".join(self.code_edit.text().split())
        for level in (Level.COMMUNITY, Level.GRID):
            if code_problem(code, level) is None:
                self.show_history(level.value, code)
                return
        problem = code_problem(code)
        self.title.setText(
            problem.get()
            if problem is not None
            else Text(
                "请输入 12 位社区编码或 15 位网格编码。",
                "Enter a 12-digit community code or a 15-digit grid code.",
            ).get()
        )

    def _edited(self, communities: frozenset[str]) -> None:
        if self.target is not None and self.target[1][:12] in communities:
            self.reload()

    def reload(self) -> None:
        """Read the change sets of the current community or grid again."""
        if self.target is None:
            return
        level, code = self.target
        key = "community" if level == Level.COMMUNITY.value else "grid"
        try:
            self.versions = change_sets(self.session.store, **{key: code})
        except GridGisError as exc:
            self.title.setText(str(exc))
            return
        what = Level(level).label.get()
        self.title.setText(
            Text(
                f"{what} {code}:{len(self.versions)} 个版本",
                f"{what} {code}: {len(self.versions)} versions",
            ).get()
        )
        self.table.setRowCount(len(self.versions))
        for r, row in enumerate(self.versions.itertuples(index=False)):
            values = row._asdict()
            for c, column in enumerate(COLUMNS):
                value = values[column]
                if column == "changed_at" and not pd.isna(value):
                    value = pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")
                item = QTableWidgetItem("" if value is None else str(value))
                item.setToolTip(str(values["what"]))
                if column == "change_set":
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(r, c, item)
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.show_button.setEnabled(self.selected_change_set() is not None)

    def selected_change_set(self) -> int | None:
        """The change set of the selected row (``None`` without a selection)."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.versions.empty:
            return None
        return int(self.versions["change_set"].iloc[rows[0].row()])

    # -- a past version on the map ----------------------------------------------

    def show_selected_version(self) -> QgsVectorLayer | None:
        """Show the grids as they were right after the selected change set."""
        number = self.selected_change_set()
        if number is None or self.target is None:
            return None
        level, code = self.target
        key = "community" if level == Level.COMMUNITY.value else "grid"
        try:
            past = grids_at(self.session.store, number, **{key: code})
        except GridGisError as exc:
            self.session.notify(str(exc), 1)
            return None
        self.clear_version()
        name = Text(
            f"{code} 的版本(变更集 {number} 之后)",
            f"{code} as of change set {number}",
        ).get()
        layer = version_layer(past, self.session.settings.crs_epsg, name)
        project: QgsProject = self.session.project
        project.addMapLayer(layer, False)
        project.layerTreeRoot().insertLayer(0, layer)
        self.version_layer = layer
        self.clear_button.setEnabled(True)
        if past.empty:
            self.session.notify(
                Text(
                    f"变更集 {number} 之后 {code} 没有网格。",
                    f"{code} had no grids after change set {number}.",
                ).get(),
                0,
            )
        else:
            self.canvas.setExtent(layer.extent().buffered(20))
        self.canvas.refresh()
        return layer

    def clear_version(self) -> None:
        """Remove the version layer from the map."""
        layer, self.version_layer = self.version_layer, None
        self.clear_button.setEnabled(False)
        if layer is not None and self.session.project.mapLayer(layer.id()) is not None:
            self.session.project.removeMapLayer(layer.id())
            self.canvas.refresh()
