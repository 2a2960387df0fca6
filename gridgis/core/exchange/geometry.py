"""Checking and repairing the shapes of imported features.

Survey and web-map data carry small defects: rings not closed, repeated or spiky
vertices, a ring touching itself, a tiny loop where a line crossed back. These are
repaired (``shapely.make_valid``) and reported. A repair that would turn one shape into
several real pieces (a figure-eight polygon, "bow-tie") changes what the feature means;
GridGIS refuses it and names the features, so the user fixes them at the source.

Examples
--------
>>> from shapely import Polygon
>>> spike = Polygon([(0, 0), (10, 0), (10, 10), (10, 20), (10, 10), (0, 10)])
>>> fixed, report = repair(np.array([spike]), "Polygon")
>>> fixed[0].area, report[0].reason.split("[")[0]
(100.0, 'Ring Self-intersection')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from gridgis.core.errors import GeometryError
from gridgis.core.geometry import qgis_defects
from gridgis.core.i18n import Text

#: Pieces smaller than this share of a repaired shape are slivers and dropped …
SLIVER_SHARE = 0.01
#: … as are pieces below this many square metres (or square degrees × 1e10).
SLIVER_AREA = 1.0

_POLYGONAL = {"Polygon", "MultiPolygon"}
_LINEAR = {"LineString", "MultiLineString"}


@dataclass(frozen=True)
class Repair:
    """One repaired feature."""

    position: int
    reason: str


def _polygonal_parts(geom: shapely.Geometry) -> list[shapely.Geometry]:
    parts = shapely.get_parts(np.array([geom], dtype=object))
    out: list[shapely.Geometry] = []
    for part in parts:
        kind = part.geom_type
        if kind == "Polygon":
            out.append(part)
        elif kind in ("MultiPolygon", "GeometryCollection"):
            out += _polygonal_parts(part)
    return out


def _linear_parts(geom: shapely.Geometry) -> list[shapely.Geometry]:
    parts = shapely.get_parts(np.array([geom], dtype=object))
    out: list[shapely.Geometry] = []
    for part in parts:
        kind = part.geom_type
        if kind == "LineString":
            out.append(part)
        elif kind in ("MultiLineString", "GeometryCollection"):
            out += _linear_parts(part)
    return out


def repair(
    geoms: np.ndarray,
    geometry_type: str,
    *,
    geographic: bool = False,
    row_number: np.ndarray | None = None,
) -> tuple[np.ndarray, list[Repair]]:
    """Repair invalid shapes; return the shapes and what was repaired.

    Parameters
    ----------
    geoms
        Shapes in the project CRS (metres), or degrees when ``geographic``.
    geometry_type
        The target layer's geometry type.
    row_number
        The row number a user sees for each shape (default: position + 1).

    Raises
    ------
    GeometryError
        If a repair would split a single-part shape into several real parts (the
        message lists the features and where they cross themselves).
    """
    geoms = np.asarray(geoms, dtype=object).copy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    invalid = np.zeros(len(geoms), dtype=bool)
    invalid[present] = ~shapely.is_valid(geoms[present])
    repairs: list[Repair] = []
    split: list[tuple[int, str]] = []
    min_area = SLIVER_AREA * (1e-10 if geographic else 1.0)
    for pos in np.flatnonzero(invalid):
        original = geoms[pos]
        reason = shapely.is_valid_reason(original)
        fixed = shapely.make_valid(original)
        if geometry_type in _POLYGONAL:
            parts = _polygonal_parts(fixed)
            total = sum(p.area for p in parts)
            kept = [p for p in parts if p.area >= max(min_area, SLIVER_SHARE * total)]
            source_parts = int(shapely.get_num_geometries(original))
            if not kept:
                split.append((int(pos), reason))
                continue
            if len(kept) > max(source_parts, 1):
                split.append((int(pos), reason))
                continue
            fixed = kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)
        elif geometry_type in _LINEAR:
            parts = _linear_parts(fixed)
            if not parts:
                split.append((int(pos), reason))
                continue
            fixed = parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)
        geoms[pos] = fixed
        repairs.append(Repair(int(pos), reason))
    if split:
        numbers = np.arange(1, len(geoms) + 1) if row_number is None else row_number
        raise SelfIntersectionError([(int(numbers[p]), reason) for p, reason in split])
    return geoms, repairs


class SelfIntersectionError(GeometryError):
    """Shapes cross themselves so that a repair would split them into several parts."""

    def __init__(self, rows: list[tuple[int, str]]) -> None:
        self.rows = [r for r, _ in rows]
        listed = "; ".join(f"{r} ({reason})" for r, reason in rows[:5])
        super().__init__(
            f"{len(rows)} shape(s) cross themselves (figure-eight or bow-tie shapes), "
            f"rows {listed}. Repairing them would split each into several parts, which "
            "changes what the feature is; fix them in the source file.",
            f"有 {len(rows)} 个图形自相交(8 字形或蝴蝶结形),第 {listed} 行。修复会把每个"
            "图形拆成多个部分、改变要素的含义;请在源文件中修正。",
        )


def describe_repairs(repairs: list[Repair], row_number: np.ndarray) -> list[Text]:
    """One line per repaired feature, with the row number a user sees."""
    return [
        Text(
            f"第 {int(row_number[r.position])} 行:图形无效({r.reason}),已修复。",
            f"row {int(row_number[r.position])}: invalid shape ({r.reason}), repaired.",
        )
        for r in repairs
    ]


def describe_cleaning(geoms: np.ndarray, row_number: np.ndarray) -> list[Text]:
    """One line per shape that QGIS's checker would reject (cleaned on import)."""
    lines = []
    for k, found in enumerate(qgis_defects(geoms)):
        if found:
            zh, en = found[0].describe()
            lines.append(
                Text(
                    f"第 {int(row_number[k])} 行:{zh},已清理。",
                    f"row {int(row_number[k])}: {en}, cleaned.",
                )
            )
    return lines


def duplicate_shapes(geoms: np.ndarray) -> list[list[int]]:
    """Groups of positions whose shapes are identical (same vertices, any start)."""
    geoms = np.asarray(geoms, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if present.sum() < 2:
        return []
    keys = np.full(len(geoms), None, dtype=object)
    keys[present] = shapely.to_wkb(shapely.normalize(geoms[present]))
    groups: dict[bytes, list[int]] = {}
    for pos in np.flatnonzero(present):
        groups.setdefault(keys[pos], []).append(int(pos))
    return [g for g in groups.values() if len(g) > 1]
