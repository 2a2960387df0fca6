"""Selecting grids and identifying features on the map."""

from __future__ import annotations

import html

from qgis.core import QgsVectorLayer
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent, QgsMapTool, QgsMapToolIdentify
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import QToolTip

from gridgis.app.session import ProjectSession
from gridgis.app.tools.picking import community_at, grid_at


def current_community(session: ProjectSession, canvas: QgsMapCanvas) -> str | None:
    """The community the planner is working on.

    The community selected (in the hierarchy or on the map), else the community of the
    first selected grid, else the community under the centre of the map.
    """
    layers = session.layers
    for feature in layers["communities"].getSelectedFeatures():
        return str(feature["code"])
    for feature in layers["grids"].getSelectedFeatures():
        return str(feature["community_code"])
    centre = canvas.extent().center()
    return community_at(session.store, centre.x(), centre.y())


class SelectGridTool(QgsMapTool):
    """Click a grid to select it; Shift or Ctrl-click adds or removes grids."""

    def __init__(self, canvas: QgsMapCanvas, session: ProjectSession) -> None:
        super().__init__(canvas)
        self.session = session
        self.setCursor(Qt.ArrowCursor)

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        if event.button() != Qt.LeftButton:
            return
        layer = self.session.layers.get("grids")
        if layer is None:
            return
        point = event.mapPoint()
        fid = grid_at(self.session.store, point.x(), point.y())
        adding = bool(event.modifiers() & (Qt.ShiftModifier | Qt.ControlModifier))
        if fid is None:
            if not adding:
                layer.removeSelection()
            return
        if adding:
            selected = set(layer.selectedFeatureIds())
            selected ^= {fid}
            layer.selectByIds(sorted(selected))
        else:
            layer.selectByIds([fid])


class IdentifyTool(QgsMapToolIdentify):
    """Click a feature to see its attributes (with the schema's aliases)."""

    #: The layer and the attributes (alias → value) of the feature identified.
    identified = pyqtSignal(object, dict)

    def __init__(self, canvas: QgsMapCanvas, session: ProjectSession) -> None:
        super().__init__(canvas)
        self.session = session
        self.setCursor(Qt.WhatsThisCursor)

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        if event.button() != Qt.LeftButton:
            return
        order = ("facilities", "buildings", "grids", "communities", "streets", "roads")
        layers = [self.session.layers[n] for n in order if n in self.session.layers]
        results = self.identify(
            event.x(), event.y(), QgsMapToolIdentify.TopDownStopAtFirst, layers,
            QgsMapToolIdentify.VectorLayer,
        )  # fmt: skip
        if not results:
            QToolTip.hideText()
            return
        result = results[0]
        layer = result.mLayer
        assert isinstance(layer, QgsVectorLayer)
        values = {
            layer.attributeDisplayName(i): result.mFeature.attribute(i)
            for i in range(layer.fields().count())
            if layer.fields().at(i).name() != "fid"
        }
        self.identified.emit(layer, values)
        rows = "".join(
            f"<tr><td><b>{html.escape(str(k))}</b></td>"
            f"<td>{html.escape('' if v is None else str(v))}</td></tr>"
            for k, v in values.items()
            if v is not None and str(v) not in ("", "NULL")
        )
        QToolTip.showText(
            event.globalPos(),
            f"<b>{html.escape(layer.name())}</b><table>{rows}</table>",
            self.canvas(),
        )
