"""Writing ESRI shapefiles: ``.shp``, ``.shx``, ``.dbf``, and always ``.cpg`` and ``.prj``.

GridGIS writes shapefiles itself, vectorised with NumPy, so that it controls what other
writers get wrong for Chinese data: field names are whole characters within 10 bytes,
the ``.cpg`` file always names the encoding (UTF-8, or code page 936 for GBK), text is
never cut inside a character, outer rings run clockwise as the format requires, and
yes/no fields are the numbers 1/0 (the dBASE logical type reads as "T"/"F" text in
QGIS 3.22 and is not offered by ArcGIS).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from gridgis.core.errors import ExportError
from gridgis.core.exchange.dbf import Column, DbfEncoding, write_dbf
from gridgis.core.exchange.flat import FlatShapes, family_of, from_shapely
from gridgis.core.i18n import Text

#: Shape types.
NULL, POINT, POLYLINE, POLYGON = 0, 1, 3, 5
_SHAPE_TYPES = {
    "Point": POINT,
    "LineString": POLYLINE,
    "MultiLineString": POLYLINE,
    "Polygon": POLYGON,
    "MultiPolygon": POLYGON,
}
#: The largest file the format allows (offsets are 32-bit counts of 16-bit words).
MAX_FILE_BYTES = 2**31 - 1
_CHUNK = 200_000


def _interleave(segments: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Bytes of records made of segments: record i is seg0[i] + seg1[i] + ….

    Each segment is given as (all its bytes in record order, its length per record).
    """
    n = len(segments[0][1])
    k = len(segments)
    lengths = np.stack([np.asarray(s[1], dtype=np.int64) for s in segments], axis=1)
    labels = np.repeat(np.tile(np.arange(k, dtype=np.int8), n), lengths.ravel())
    out = np.empty(labels.size, dtype=np.uint8)
    for j, (data, _) in enumerate(segments):
        out[labels == j] = data
    return out


class _Parts:
    """Flat shapes arranged as shapefile records."""

    def __init__(self, shapes: FlatShapes, shape_type: int) -> None:
        if shape_type == POLYGON:
            shapes = shapes.oriented(exterior_cw=True)
        self.shapes = shapes
        self.shape_type = shape_type
        self.null = shapes.null()
        self.bounds = shapes.bounds()
        self.n_parts = shapes.parts_per_shape()
        self.n_points = shapes.points_per_shape()

    def content_lengths(self) -> np.ndarray:
        """Content length of each record in bytes."""
        if self.shape_type == POINT:
            return np.where(self.null, 4, 20).astype(np.int64)
        return np.where(
            self.null, 4, 44 + 4 * self.n_parts + 16 * self.n_points
        ).astype(np.int64)

    def records(self, start: int, stop: int, first_number: int) -> np.ndarray:
        """The bytes of records ``start`` … ``stop - 1``."""
        n = stop - start
        shapes = self.shapes
        null = self.null[start:stop]
        content = self.content_lengths()[start:stop]
        head = np.zeros(
            n, dtype=[("number", ">i4"), ("length", ">i4"), ("type", "<i4")]
        )
        head["number"] = np.arange(first_number, first_number + n)
        head["length"] = content // 2
        head["type"] = np.where(null, NULL, self.shape_type)
        head_bytes = head.view(np.uint8)
        p0, p1 = shapes.shape_parts[start], shapes.shape_parts[stop]
        c0, c1 = shapes.part_starts[p0], shapes.part_starts[p1]
        points = np.ascontiguousarray(shapes.coords[c0:c1], dtype="<f8")
        points = points.view(np.uint8).ravel()
        if self.shape_type == POINT:
            return _interleave(
                [(head_bytes, np.full(n, 12)), (points, np.where(null, 0, 16))]
            )
        n_parts = self.n_parts[start:stop]
        fixed = np.zeros(
            n, dtype=[("box", "<f8", (4,)), ("parts", "<i4"), ("points", "<i4")]
        )
        fixed["box"] = self.bounds[start:stop]
        fixed["parts"] = n_parts
        fixed["points"] = self.n_points[start:stop]
        fixed_bytes = fixed[~null].view(np.uint8)
        owner = np.repeat(np.arange(n), n_parts)
        first = shapes.part_starts[shapes.shape_parts[start:stop]]
        parts = (shapes.part_starts[p0:p1] - first[owner]).astype("<i4").view(np.uint8)
        return _interleave(
            [
                (head_bytes, np.full(n, 12)),
                (fixed_bytes, np.where(null, 0, 40)),
                (parts, 4 * n_parts),
                (points, 16 * self.n_points[start:stop]),
            ]
        )


def _file_header(shape_type: int, length_bytes: int, bbox: np.ndarray) -> bytes:
    return struct.pack(
        ">iiiiiii", 9994, 0, 0, 0, 0, 0, length_bytes // 2
    ) + struct.pack("<ii4d4d", 1000, shape_type, *bbox, 0.0, 0.0, 0.0, 0.0)


def write_shapefile(
    path: Path,
    columns: Sequence[Column],
    geometries: FlatShapes | np.ndarray | None,
    geometry_type: str | None,
    *,
    encoding: DbfEncoding,
    prj: str | None,
) -> list[Text]:
    """Write a shapefile (or, without geometries, a lone dBASE table) at ``path``.

    Parameters
    ----------
    path
        The ``.shp`` path; the sidecar files take the same stem.
    columns
        Attribute columns with names that fit (see :func:`dbf.field_names`).
    geometries
        Flat shapes or shapely geometries, or ``None`` for a table without geometry.
    geometry_type
        The layer's geometry type (``Polygon``, ``LineString``, ``Point`` …).
    encoding
        The text encoding (UTF-8 or GBK); the ``.cpg`` file names it.
    prj
        The ESRI WKT of the CRS for the ``.prj`` file.

    Returns
    -------
    list of Text
        Warnings (text values cut to 254 bytes).
    """
    stem = path.with_suffix("")
    if geometries is not None and not isinstance(geometries, FlatShapes):
        assert geometry_type is not None
        geometries = from_shapely(geometries, family_of(geometry_type))
    if geometries is not None:
        n = geometries.n
    else:
        n = len(columns[0].values) if columns else 0
    # The table and the shapes are independent: write them side by side (NumPy and
    # file writes release the GIL, so a second core helps).
    with ThreadPoolExecutor(max_workers=1) as pool:
        table = pool.submit(write_dbf, stem.with_suffix(".dbf"), columns, n, encoding)
        if geometries is not None:
            _write_shapes(path, geometries, geometry_type, n)
        warnings = table.result()
    stem.with_suffix(".cpg").write_text(encoding.cpg, encoding="ascii")
    if prj is not None and geometries is not None:
        stem.with_suffix(".prj").write_text(prj, encoding="ascii")
    return warnings


def _write_shapes(
    path: Path, shapes: FlatShapes, geometry_type: str | None, n: int
) -> None:
    """Write the ``.shp`` and ``.shx`` files."""
    stem = path.with_suffix("")
    assert geometry_type is not None
    parts = _Parts(shapes, _SHAPE_TYPES[geometry_type])
    content = parts.content_lengths()
    total = 100 + int((content + 8).sum())
    if total > MAX_FILE_BYTES:
        raise ExportError(
            f"{path.name} would be {total / 2**30:.1f} GB; shapefiles stop at 2 GB. "
            "Export this layer to GeoPackage, or per community (--by community).",
            f"{path.name} 将达到 {total / 2**30:.1f} GB,超过 Shapefile 2 GB 的上限。"
            "请导出为 GeoPackage,或按社区分包导出(--by community)。",
        )
    offsets = 50 + np.concatenate([[0], np.cumsum(content + 8)[:-1]]) // 2
    present = ~parts.null
    bbox = (
        np.array(
            [
                parts.bounds[present, 0].min(),
                parts.bounds[present, 1].min(),
                parts.bounds[present, 2].max(),
                parts.bounds[present, 3].max(),
            ]
        )
        if present.any()
        else np.zeros(4)
    )
    with path.open("wb") as shp:
        shp.write(_file_header(parts.shape_type, total, bbox))
        for start in range(0, n, _CHUNK):
            stop = min(start + _CHUNK, n)
            shp.write(parts.records(start, stop, start + 1).tobytes())
    index = np.zeros(n, dtype=[("offset", ">i4"), ("length", ">i4")])
    index["offset"] = offsets
    index["length"] = content // 2
    with stem.with_suffix(".shx").open("wb") as shx:
        shx.write(_file_header(parts.shape_type, 100 + 8 * n, bbox))
        shx.write(index.tobytes())
