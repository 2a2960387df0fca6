"""Drawing a line or a polygon on the map with snapping and rubber-band feedback.

Left click adds a vertex (snapped to roads and boundaries), moving the mouse shows the
next segment, right click or Enter finishes, Backspace removes the last vertex, Esc
starts over.
"""

from __future__ import annotations

from qgis.core import QgsPointXY, QgsWkbTypes
from qgis.gui import (
    QgsMapCanvas,
    QgsMapMouseEvent,
    QgsMapTool,
    QgsRubberBand,
    QgsSnapIndicator,
)
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QKeyEvent
from shapely.geometry import LineString, Polygon

from gridgis.app.session import ProjectSession


class SketchTool(QgsMapTool):
    """Collects the vertices of a line (or a polygon when ``polygon=True``)."""

    #: The points drawn, when the sketch is finished.
    sketched = pyqtSignal(list)

    def __init__(
        self, canvas: QgsMapCanvas, session: ProjectSession, *, polygon: bool = False
    ) -> None:
        super().__init__(canvas)
        self.session = session
        self.polygon = polygon
        self.points: list[QgsPointXY] = []
        kind = QgsWkbTypes.PolygonGeometry if polygon else QgsWkbTypes.LineGeometry
        self.band = QgsRubberBand(canvas, kind)
        self.band.setColor(QColor(214, 39, 40, 200))
        self.band.setFillColor(QColor(214, 39, 40, 40))
        self.band.setWidth(2)
        self.snap = QgsSnapIndicator(canvas)
        self.setCursor(Qt.CrossCursor)

    # -- events ------------------------------------------------------------------

    def snapped_point(self, event: QgsMapMouseEvent) -> QgsPointXY:
        """The map point of ``event``, snapped to roads and boundaries when close."""
        match = self.canvas().snappingUtils().snapToMap(event.pos())
        self.snap.setMatch(match)
        if match.isValid():
            return QgsPointXY(match.point())
        return QgsPointXY(event.mapPoint())

    def canvasMoveEvent(self, event: QgsMapMouseEvent) -> None:
        point = self.snapped_point(event)
        if self.points:
            self._draw([*self.points, point])

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        if event.button() == Qt.RightButton:
            self.finish()
            return
        if event.button() != Qt.LeftButton:
            return
        self.points.append(self.snapped_point(event))
        self._draw(self.points)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter):
            self.finish()
        elif event.key() == Qt.Key_Escape:
            self.reset()
        elif event.key() == Qt.Key_Backspace and self.points:
            self.points.pop()
            self._draw(self.points)
        else:
            event.ignore()

    def deactivate(self) -> None:
        self.reset()
        super().deactivate()

    # -- sketch ------------------------------------------------------------------

    def _draw(self, points: list[QgsPointXY]) -> None:
        kind = QgsWkbTypes.PolygonGeometry if self.polygon else QgsWkbTypes.LineGeometry
        self.band.reset(kind)
        for point in points:
            self.band.addPoint(point, False)
        self.band.show()
        self.band.updatePosition()
        self.band.update()

    def reset(self) -> None:
        """Forget the vertices drawn so far."""
        self.points = []
        kind = QgsWkbTypes.PolygonGeometry if self.polygon else QgsWkbTypes.LineGeometry
        self.band.reset(kind)
        self.snap.setMatch(type(self.snap.match())())

    def finish(self) -> None:
        """End the sketch: hand the vertices to :meth:`sketch_finished`."""
        points = list(self.points)
        self.reset()
        needed = 3 if self.polygon else 2
        if len(points) < needed:
            return
        self.sketched.emit(points)
        self.sketch_finished(points)

    def sketch_finished(self, points: list[QgsPointXY]) -> None:
        """What the tool does with a finished sketch (subclasses)."""

    @staticmethod
    def line(points: list[QgsPointXY]) -> LineString:
        """The sketch as a shapely line."""
        return LineString([(p.x(), p.y()) for p in points])

    @staticmethod
    def ring(points: list[QgsPointXY]) -> Polygon:
        """The sketch as a shapely polygon."""
        return Polygon([(p.x(), p.y()) for p in points])
