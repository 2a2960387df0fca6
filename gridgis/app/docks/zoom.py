"""Zooming the map canvas to a street, community or grid, and flashing it."""

from __future__ import annotations

from qgis.core import QgsFeatureRequest, QgsGeometry, QgsRectangle, QgsVectorLayer
from qgis.gui import QgsMapCanvas


def feature_ids(layer: QgsVectorLayer, code: str) -> list[int]:
    """The ids of the features of ``layer`` whose ``code`` is ``code``."""
    escaped = code.replace("'", "''")
    request = QgsFeatureRequest().setFilterExpression(f"\"code\" = '{escaped}'")
    request.setFlags(QgsFeatureRequest.NoGeometry)
    request.setNoAttributes()
    return [f.id() for f in layer.getFeatures(request)]


def zoom_to_features(
    canvas: QgsMapCanvas, layer: QgsVectorLayer, fids: list[int], *, margin: float = 1.3
) -> None:
    """Show ``fids`` of ``layer`` filling most of the canvas."""
    extent = QgsRectangle()
    extent.setMinimal()
    request = QgsFeatureRequest().setFilterFids(fids).setNoAttributes()
    for feature in layer.getFeatures(request):
        if feature.hasGeometry():
            extent.combineExtentWith(feature.geometry().boundingBox())
    if extent.isEmpty() and extent.width() <= 0:
        return
    extent.scale(margin)
    canvas.setExtent(extent)
    canvas.refresh()


def zoom_to_geometry(canvas: QgsMapCanvas, geometry: QgsGeometry) -> None:
    """Show ``geometry`` with a margin and flash it."""
    box = geometry.boundingBox()
    if box.width() < 50 and box.height() < 50:
        box = QgsRectangle(
            box.center().x() - 60, box.center().y() - 60,
            box.center().x() + 60, box.center().y() + 60,
        )  # fmt: skip
    box.scale(1.4)
    canvas.setExtent(box)
    canvas.refresh()
