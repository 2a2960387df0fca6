"""The hierarchy dock: street → community → grid, with households and a status icon.

Clicking a row zooms the map to that street, community or grid and selects it; a grid
selected this way is what the inspector shows. After an edit only the touched
communities' rows are rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import QModelIndex, QSortFilterProxyModel, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QStandardItem, QStandardItemModel
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from gridgis.app.docks.zoom import feature_ids, zoom_to_features
from gridgis.app.i18n import tr
from gridgis.app.session import ProjectSession
from gridgis.app.status import INK, GridStatus, grid_band, grid_status, status_icon
from gridgis.core.definitions import Level

#: Item data roles.
LEVEL_ROLE = Qt.UserRole + 1
CODE_ROLE = Qt.UserRole + 2
STATUS_ROLE = Qt.UserRole + 3
#: What the search box matches: the name and the code.
SEARCH_ROLE = Qt.UserRole + 4

_TABLE_COLUMNS = {
    "streets": ["code", "name", "households"],
    "communities": ["code", "name", "street_code", "households"],
    "grids": [
        "code",
        "name",
        "community_code",
        "kind",
        "households",
        "min_households",
        "max_households",
    ],
}


def _count(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{int(value):,}"  # type: ignore[call-overload]


class HierarchyModel(QStandardItemModel):
    """Streets, their communities and their grids, with households and status."""

    def __init__(self, session: ProjectSession | None = None) -> None:
        super().__init__()
        self.session = session
        self._communities: dict[str, QStandardItem] = {}
        self._streets: dict[str, QStandardItem] = {}
        self.setHorizontalHeaderLabels([tr("Name"), tr("Households")])
        if session is not None:
            self.rebuild()
            session.edited.connect(self.update_communities)

    def _read(self, layer: str, where: dict[str, object] | None = None) -> pd.DataFrame:
        assert self.session is not None
        frame = self.session.store.read(
            layer, where=where, columns=_TABLE_COLUMNS[layer]
        )
        return pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))

    def rebuild(self) -> None:
        """Read the whole hierarchy from the project again."""
        self.removeRows(0, self.rowCount())
        self._communities.clear()
        self._streets.clear()
        if self.session is None:
            return
        streets = self._read("streets").sort_values("code")
        communities = self._read("communities").sort_values("code")
        grids = self._read("grids").sort_values("code")
        by_community = dict(tuple(grids.groupby("community_code")))
        for street in streets.itertuples():
            row = self._row(Level.STREET, street.code, street.name, street.households)
            self._streets[str(street.code)] = row[0]
            self.appendRow(row)
        for community in communities.itertuples():
            parent = self._streets.get(str(community.street_code))
            row = self._row(
                Level.COMMUNITY, community.code, community.name, community.households
            )
            self._communities[str(community.code)] = row[0]
            (parent.appendRow if parent is not None else self.appendRow)(row)
            self._fill_grids(row[0], by_community.get(community.code))

    def update_communities(self, codes: Iterable[str]) -> None:
        """Re-read the grids and totals of the communities ``codes`` (after an edit)."""
        if self.session is None:
            return
        codes = sorted(set(codes))
        if not codes:
            return
        for code in codes:
            item = self._communities.get(code)
            if item is None:
                self.rebuild()
                return
            item.removeRows(0, item.rowCount())
            grids = self.session.community_grids(code)
            self._fill_grids(
                item, pd.DataFrame(grids[_TABLE_COLUMNS["grids"]]).sort_values("code")
            )
        if "buildings" not in self.session.last_layers:
            return  # grid edits move no household between communities
        for community in self._read("communities", {"code": codes}).itertuples():
            self._set_count(
                self._communities[str(community.code)], community.households
            )
        for street in self._read("streets").itertuples():
            item = self._streets.get(str(street.code))
            if item is not None:
                self._set_count(item, street.households)

    def _set_count(self, item: QStandardItem, households: object) -> None:
        parent = item.parent()
        source = parent if parent is not None else self.invisibleRootItem()
        count = source.child(item.row(), 1)
        if count is not None:
            count.setText(_count(households))

    def _fill_grids(self, parent: QStandardItem, grids: pd.DataFrame | None) -> None:
        if grids is None:
            return
        assert self.session is not None
        settings = self.session.settings
        for grid in grids.itertuples():
            status = grid_status(
                grid.households,
                grid_band(
                    settings, str(grid.kind), grid.min_households, grid.max_households
                ),
            )
            row = self._row(Level.GRID, grid.code, grid.name, grid.households, status)
            parent.appendRow(row)

    def _row(
        self,
        level: Level,
        code: object,
        name: object,
        households: object,
        status: GridStatus | None = None,
    ) -> list[QStandardItem]:
        label = QStandardItem(str(name))
        label.setData(f"{name} {code}", SEARCH_ROLE)
        label.setEditable(False)
        label.setData(level.value, LEVEL_ROLE)
        label.setData(str(code), CODE_ROLE)
        label.setToolTip(f"{level.label.get()} {code}")
        count = QStandardItem(_count(households))
        count.setEditable(False)
        count.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        if status is not None:
            label.setIcon(status_icon(status))
            label.setData(status.value, STATUS_ROLE)
            count.setForeground(QColor(INK[status]))
        return [label, count]

    def grid_item(self, code: str) -> QStandardItem | None:
        """The row of grid ``code`` (``None`` if there is none)."""
        community = self._communities.get(code[:12])
        if community is None:
            return None
        for row in range(community.rowCount()):
            child = community.child(row, 0)
            if child.data(CODE_ROLE) == code:
                return child
        return None

    def community_item(self, code: str) -> QStandardItem | None:
        """The row of community ``code``."""
        return self._communities.get(code)


_LAYER_OF_LEVEL = {
    Level.STREET.value: "streets",
    Level.COMMUNITY.value: "communities",
    Level.GRID.value: "grids",
}


class HierarchyDock(QDockWidget):
    """Dock with the hierarchy tree; a click zooms the map to the row and selects it."""

    #: (level, code) of the row clicked.
    activated = pyqtSignal(str, str)

    def __init__(
        self,
        session: ProjectSession,
        canvas: QgsMapCanvas,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(tr("Hierarchy"), parent)
        self.setObjectName("hierarchy")
        self.session = session
        self.canvas = canvas
        self.model = HierarchyModel(session)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseInsensitive)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(tr("Find a street, community or grid…"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QTreeView()
        self.view.setModel(self.proxy)
        self.view.setUniformRowHeights(True)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        header.setSectionResizeMode(1, QHeaderView.Interactive)
        header.resizeSection(1, header.fontMetrics().horizontalAdvance("00,000") + 14)
        self.view.setIndentation(14)
        self.view.clicked.connect(self._clicked)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.filter)
        layout.addWidget(self.view)
        self.setWidget(body)

    def _clicked(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index.siblingAtColumn(0))
        item = self.model.itemFromIndex(source)
        if item is None:
            return
        self.show_row(str(item.data(LEVEL_ROLE)), str(item.data(CODE_ROLE)))

    def show_row(self, level: str, code: str) -> None:
        """Zoom to the street, community or grid ``code`` and select it."""
        layer = self.session.layers.get(_LAYER_OF_LEVEL[level])
        if layer is None:
            return
        fids = feature_ids(layer, code)
        for name in _LAYER_OF_LEVEL.values():
            other = self.session.layers.get(name)
            if other is not None and other is not layer:
                other.removeSelection()
        layer.selectByIds(fids)
        zoom_to_features(self.canvas, layer, fids)
        self.activated.emit(level, code)

    def expand_community(self, code: str) -> None:
        """Unfold the tree down to community ``code``."""
        item = self.model.community_item(code)
        if item is not None:
            index = self.proxy.mapFromSource(item.index())
            self.view.expand(index.parent())
            self.view.expand(index)
