"""Snapping for the editing tools: to roads and to grid and community boundaries."""

from __future__ import annotations

from qgis.core import (
    QgsProject,
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
    canvas: QgsMapCanvas,
    layers: dict[str, QgsVectorLayer],
    *,
    enabled: bool = True,
    project: QgsProject | None = None,
) -> QgsSnappingConfig:
    """Snap to the vertices and segments of roads, grids and communities.

    With ``project`` the configuration belongs to that project, so that it can become
    the project's own (``project.setSnappingConfig``: QGIS Desktop's snapping toolbar
    then shows it); QGIS 3.22 crashes reading a project file into a configuration
    made without one.
    """
    config = QgsSnappingConfig(project) if project is not None else QgsSnappingConfig()
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
