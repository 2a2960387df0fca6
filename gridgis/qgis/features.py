"""Frames of the core as QGIS features: fields from the schema, geometries by WKB.

Processing algorithms write what an engine returns (validation findings, the grids of a
division) into a feature sink; the sink's fields are the schema's fields with their
types and aliases, so an output layer looks like the project's own layer.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import shapely
from qgis.core import QgsFeature, QgsField, QgsFields, QgsGeometry, QgsWkbTypes
from qgis.PyQt.QtCore import QVariant

from gridgis.core import schema
from gridgis.core.i18n import current_language
from gridgis.core.schema import FieldType

_VARIANTS = {
    FieldType.TEXT: QVariant.String,
    FieldType.INTEGER: QVariant.LongLong,
    FieldType.REAL: QVariant.Double,
    FieldType.BOOLEAN: QVariant.Bool,
    FieldType.DATETIME: QVariant.DateTime,
    FieldType.BLOB: QVariant.ByteArray,
}

_WKB_TYPES = {
    "Point": QgsWkbTypes.Point,
    "LineString": QgsWkbTypes.LineString,
    "Polygon": QgsWkbTypes.Polygon,
    "MultiPoint": QgsWkbTypes.MultiPoint,
    "MultiLineString": QgsWkbTypes.MultiLineString,
    "MultiPolygon": QgsWkbTypes.MultiPolygon,
}


def layer_fields(name: str, language: str | None = None) -> QgsFields:
    """The fields of schema layer ``name`` as ``QgsFields``, with aliases."""
    language = language or current_language()
    fields = QgsFields()
    for f in schema.layer(name).fields:
        qfield = QgsField(f.name, _VARIANTS[f.type])
        qfield.setAlias(f.alias(language))
        fields.append(qfield)
    return fields


def layer_wkb_type(name: str) -> int:
    """The QGIS geometry type of schema layer ``name`` (``NoGeometry`` for tables)."""
    geometry = schema.layer(name).geometry
    return _WKB_TYPES[geometry] if geometry else QgsWkbTypes.NoGeometry


def qgs_geometry(geom: object) -> QgsGeometry:
    """A shapely geometry as a ``QgsGeometry`` (an empty one for ``None``)."""
    if geom is None or shapely.is_empty(geom):
        return QgsGeometry()
    g = QgsGeometry()
    g.fromWkb(shapely.to_wkb(geom))
    return g


def _value(value: object) -> object:
    """A frame's cell as a QGIS attribute (``None`` for every kind of missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def frame_features(frame: pd.DataFrame, fields: QgsFields) -> Iterator[QgsFeature]:
    """One ``QgsFeature`` per row of ``frame``, attributes in ``fields``' order.

    Columns ``fields`` does not name are left out; fields the frame lacks stay empty.
    """
    names = [fields.at(k).name() for k in range(fields.count())]
    columns = [frame[n].tolist() if n in frame.columns else None for n in names]
    spatial = isinstance(frame, gpd.GeoDataFrame)
    geoms = list(frame.geometry.values) if spatial else [None] * len(frame)
    for k in range(len(frame)):
        feature = QgsFeature(fields)
        feature.setAttributes(
            [_value(col[k]) if col is not None else None for col in columns]
        )
        if geoms[k] is not None:
            feature.setGeometry(qgs_geometry(geoms[k]))
        yield feature


__all__ = ["frame_features", "layer_fields", "layer_wkb_type", "qgs_geometry"]
