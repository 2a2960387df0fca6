"""The grid-editing map tools: split, reshape, draw a grid, move a building, merge."""

from __future__ import annotations

from qgis.core import QgsPointXY, QgsWkbTypes
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent, QgsMapTool, QgsRubberBand
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor

from gridgis.app.i18n import tr
from gridgis.app.session import ProjectSession
from gridgis.app.tools.picking import (
    building_at,
    community_covering,
    grid_code_at,
    grid_crossed,
)
from gridgis.app.tools.sketch import SketchTool
from gridgis.core.edit import (
    ChangeSet,
    draw_grid,
    merge_grids,
    move_building,
    reshape_grid,
    split_grid,
)


def selected_grids(session: ProjectSession) -> list[int]:
    """The fids of the grids selected on the map."""
    layer = session.layers.get("grids")
    return sorted(layer.selectedFeatureIds()) if layer is not None else []


class SplitGridTool(SketchTool):
    """Draw a line across a grid, edge to edge: the grid is split along it."""

    def sketch_finished(self, points: list[QgsPointXY]) -> None:
        line = self.line(points)
        store = self.session.store
        fid = grid_crossed(store, line, selected_grids(self.session))
        if fid is None:
            self.session.notify(
                tr("Draw the line across a grid, from edge to edge."), 1
            )
            return
        if self.session.try_push(lambda: split_grid(store, fid, line)) is not None:
            self.session.layers["grids"].removeSelection()


class ReshapeGridTool(SketchTool):
    """Draw a new course for part of a grid's boundary, leaving and rejoining it."""

    def sketch_finished(self, points: list[QgsPointXY]) -> None:
        line = self.line(points)
        store = self.session.store
        fid = grid_crossed(store, line, selected_grids(self.session))
        if fid is None:
            self.session.notify(
                tr("Select the grid to reshape, then draw from its boundary and back."),
                1,
            )
            return
        self.session.try_push(lambda: reshape_grid(store, fid, line))


class DrawGridTool(SketchTool):
    """Draw a polygon: the free land it covers in one community becomes a new grid."""

    def __init__(self, canvas: QgsMapCanvas, session: ProjectSession) -> None:
        super().__init__(canvas, session, polygon=True)

    def sketch_finished(self, points: list[QgsPointXY]) -> None:
        polygon = self.ring(points)
        store = self.session.store
        if not polygon.is_valid:
            polygon = polygon.buffer(0)
        community = community_covering(store, polygon)
        if community is None:
            self.session.notify(tr("Draw the new grid inside a community."), 1)
            return
        self.session.try_push(lambda: draw_grid(store, community, polygon))


class MoveBuildingTool(QgsMapTool):
    """Drag a building onto a neighbouring grid: the boundary bends around it."""

    def __init__(self, canvas: QgsMapCanvas, session: ProjectSession) -> None:
        super().__init__(canvas)
        self.session = session
        self.building: int | None = None
        self.start: QgsPointXY | None = None
        self.band = QgsRubberBand(canvas, QgsWkbTypes.LineGeometry)
        self.band.setColor(QColor(214, 39, 40, 220))
        self.band.setWidth(2)
        self.setCursor(Qt.PointingHandCursor)

    def canvasPressEvent(self, event: QgsMapMouseEvent) -> None:
        if event.button() != Qt.LeftButton:
            return
        point = event.mapPoint()
        tolerance = self.canvas().mapUnitsPerPixel() * 3
        self.building = building_at(self.session.store, point.x(), point.y(), tolerance)
        self.start = QgsPointXY(point) if self.building is not None else None

    def canvasMoveEvent(self, event: QgsMapMouseEvent) -> None:
        if self.start is None:
            return
        self.band.reset(QgsWkbTypes.LineGeometry)
        self.band.addPoint(self.start, False)
        self.band.addPoint(QgsPointXY(event.mapPoint()), True)

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        if event.button() != Qt.LeftButton:
            return
        self.band.reset(QgsWkbTypes.LineGeometry)
        building, self.building, self.start = self.building, None, None
        if building is None:
            self.session.notify(
                tr("Press on a building and drag it onto the neighbouring grid."), 1
            )
            return
        point = event.mapPoint()
        store = self.session.store
        target = grid_code_at(store, point.x(), point.y())
        if target is None:
            self.session.notify(tr("Drop the building on a grid."), 1)
            return
        self.session.try_push(lambda: move_building(store, building, target))

    def deactivate(self) -> None:
        self.band.reset(QgsWkbTypes.LineGeometry)
        self.building, self.start = None, None
        super().deactivate()


def merge_selected(session: ProjectSession) -> ChangeSet | None:
    """Merge the grids selected on the map into one (an undoable edit)."""
    fids = selected_grids(session)
    if len(fids) < 2:
        session.notify(tr("Select two or more neighbouring grids to merge."), 1)
        return None
    applied = session.try_push(lambda: merge_grids(session.store, fids))
    if applied is not None:
        kept = [f for f in fids if f in _remaining(session, fids)]
        session.layers["grids"].selectByIds(kept)
    return applied


def _remaining(session: ProjectSession, fids: list[int]) -> set[int]:
    grids = session.store.read("grids", columns=["code"])
    return set(grids.index).intersection(fids)
