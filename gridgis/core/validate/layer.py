"""The ``issues`` layer: findings written into the project file for the map.

The layer holds MultiPolygons, so that one QGIS style draws every finding: a polygon
location (a gap, an overlap, a grid) is kept as it is; a point location (a facility)
becomes a disc of :data:`POINT_BUFFER` metres and a line location (a road through a
grid) a band of :data:`LINE_BUFFER` metres on each side. Findings without a location
(a person's phone, when the person serves no grid) are stored without geometry.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgis.core import schema
from gridgis.core.store import Store
from gridgis.core.validate.issue import Issue

#: Radius (m) of the disc that shows a point location in the issues layer.
POINT_BUFFER = 5.0
#: Half-width (m) of the band that shows a line location in the issues layer.
LINE_BUFFER = 2.0

_POLYGONAL = {"Polygon", "MultiPolygon"}


def _as_multipolygon(geometry: object) -> object:
    """A MultiPolygon showing ``geometry`` (points and lines become small buffers)."""
    if geometry is None or shapely.is_empty(geometry):
        return None
    parts = []
    for part in shapely.get_parts(geometry):
        kind = part.geom_type
        if kind in _POLYGONAL:
            parts.append(part)
        elif kind in ("Point", "MultiPoint"):
            parts.append(shapely.buffer(part, POINT_BUFFER))
        elif kind in ("LineString", "LinearRing", "MultiLineString"):
            parts.append(shapely.buffer(part, LINE_BUFFER))
        else:  # a collection inside a collection
            nested = _as_multipolygon(part)
            if nested is not None:
                parts.append(nested)
    if not parts:
        return None
    merged = shapely.union_all(parts) if len(parts) > 1 else parts[0]
    polygons = [p for p in shapely.get_parts(merged) if p.geom_type == "Polygon"]
    return shapely.MultiPolygon(polygons) if polygons else None


def issues_frame(issues: Sequence[Issue], crs: object) -> gpd.GeoDataFrame:
    """The rows of the ``issues`` layer for ``issues`` (schema fields, MultiPolygons)."""
    rows = {
        "rule": [i.rule for i in issues],
        "severity": [i.severity.value for i in issues],
        "level": [i.level.value for i in issues],
        "code": [i.code for i in issues],
        "message_zh": [i.message.zh for i in issues],
        "message_en": [i.message.en for i in issues],
        "community_code": [i.community for i in issues],
        "feature": [i.feature for i in issues],
    }
    geoms = np.array([_as_multipolygon(i.location) for i in issues], dtype=object)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=crs)
    return schema.conform("issues", frame, crs=crs)


def write_issues(
    store: Store, issues: Sequence[Issue], *, community: str | None = None
) -> int:
    """Replace the findings stored in ``store`` by ``issues``, in one transaction.

    With ``community`` only that community's stored findings are replaced (those of a
    check of that community); otherwise all of them. Returns the rows written.
    """
    frame = issues_frame(issues, store.crs)
    with store.transaction(tool="validate") as tx:
        if community is None:
            tx.delete_where("issues", {})
        else:
            tx.delete_where("issues", {"community_code": community})
        tx.insert("issues", frame)
    return len(frame)


__all__ = ["LINE_BUFFER", "POINT_BUFFER", "issues_frame", "write_issues"]
