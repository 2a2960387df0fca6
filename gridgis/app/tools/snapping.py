"""Snapping for the editing tools: to roads and to grid and community boundaries."""

from __future__ import annotations

from qgis.core import (
    QgsSnappingConfig,
    QgsTolerance,
    QgsVectorLayer,
)
from qgis.gui import QgsMapCanvas

#: Layers the drawing tools snap to.
SNAP_LAYERS = ("roads", "grids", "communities")
#: Snapping tolerance in screen pixels.
TOLERANCE_PX = 12.0


def configure_snapping(
    canvas: QgsMapCanvas, layers: dict[str, QgsVectorLayer], *, enabled: bool = True
) -> QgsSnappingConfig:
    """Snap to the vertices and segments of roads, grids and communities."""
    config = QgsSnappingConfig()
    config.setEnabled(enabled)
    config.setMode(QgsSnappingConfig.AdvancedConfiguration)
    config.setIntersectionSnapping(True)
    settings = {}
    for name, layer in layers.items():
        on = enabled and name in SNAP_LAYERS
        settings[layer] = QgsSnappingConfig.IndividualLayerSettings(
            on,
            QgsSnappingConfig.VertexFlag | QgsSnappingConfig.SegmentFlag,
            TOLERANCE_PX,
            QgsTolerance.Pixels,
            0.0,
            0.0,
        )
    for layer, setting in settings.items():
        config.setIndividualLayerSettings(layer, setting)
    canvas.snappingUtils().setConfig(config)
    return config
