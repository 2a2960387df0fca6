"""Shapes as flat coordinate arrays, read straight from WKB, for fast exports.

Writing a million buildings to a shapefile should not build a million Python (shapely)
objects. :func:`from_wkb` walks the well-known-binary buffer that GDAL's Arrow reader
hands over, vectorised over all shapes at once, and returns :class:`FlatShapes`: one
array of coordinates, the start of every part (ring or line) and the parts of every
shape. Coordinates can then be converted in one call and rings oriented the way a format
wants (:meth:`FlatShapes.oriented`).

Examples
--------
>>> import shapely
>>> flat = from_shapely(np.array([shapely.box(0, 0, 2, 1), None], dtype=object))
>>> flat.n, flat.parts_per_shape().tolist(), flat.coords.shape
(2, [1, 0], (5, 2))
>>> ring = flat.oriented(exterior_cw=True).coords
>>> float(np.sum(ring[:-1, 0] * ring[1:, 1] - ring[1:, 0] * ring[:-1, 1])) < 0
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import shapely

XY = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

#: WKB type codes of the shapes GridGIS layers hold.
_POINT, _LINE, _POLYGON, _MULTILINE, _MULTIPOLYGON = 1, 2, 3, 5, 6
_FAMILY = {_POINT: "Point", _LINE: "Line", _MULTILINE: "Line", _POLYGON: "Polygon",
           _MULTIPOLYGON: "Polygon"}  # fmt: skip


@dataclass(frozen=True)
class FlatShapes:
    """``n`` shapes of one family as flat arrays.

    Attributes
    ----------
    family
        ``Point``, ``Line`` or ``Polygon``.
    coords
        All coordinates, ``(N, 2)``, shape after shape, part after part.
    part_starts
        Index in ``coords`` of the first coordinate of every part, plus ``N`` at the end.
    shape_parts
        Index of the first part of every shape, plus the number of parts at the end.
        Null and empty shapes own no parts.
    exterior
        For polygons: whether each part is the outer ring of its polygon.
    """

    family: str
    coords: np.ndarray
    part_starts: np.ndarray
    shape_parts: np.ndarray
    exterior: np.ndarray

    @property
    def n(self) -> int:
        """Number of shapes."""
        return len(self.shape_parts) - 1

    def parts_per_shape(self) -> np.ndarray:
        """Number of parts of each shape (0 for null or empty shapes)."""
        return np.diff(self.shape_parts)

    def points_per_part(self) -> np.ndarray:
        """Number of coordinates of each part."""
        return np.diff(self.part_starts)

    def points_per_shape(self) -> np.ndarray:
        """Number of coordinates of each shape."""
        return np.diff(self.part_starts[self.shape_parts])

    def null(self) -> np.ndarray:
        """Which shapes are null or empty."""
        return self.parts_per_shape() == 0

    def bounds(self) -> np.ndarray:
        """``(n, 4)`` bounds (minx, miny, maxx, maxy); zeros for null shapes."""
        out = np.zeros((self.n, 4))
        counts = self.points_per_shape()
        present = counts > 0
        if not present.any():
            return out
        starts = self.part_starts[self.shape_parts[:-1]][present]
        x, y = self.coords[:, 0], self.coords[:, 1]
        out[present, 0] = np.minimum.reduceat(x, starts)
        out[present, 1] = np.minimum.reduceat(y, starts)
        out[present, 2] = np.maximum.reduceat(x, starts)
        out[present, 3] = np.maximum.reduceat(y, starts)
        return out

    def transformed(self, convert: XY | None) -> FlatShapes:
        """The same shapes with every coordinate converted."""
        if convert is None or len(self.coords) == 0:
            return self
        x, y = convert(self.coords[:, 0].copy(), self.coords[:, 1].copy())
        return replace(self, coords=np.column_stack([x, y]))

    def oriented(self, *, exterior_cw: bool) -> FlatShapes:
        """Polygons with outer rings clockwise (or counter-clockwise) and holes opposite."""
        if self.family != "Polygon" or len(self.coords) == 0:
            return self
        counts = self.points_per_part()
        starts = self.part_starts[:-1]
        x, y = self.coords[:, 0], self.coords[:, 1]
        # Twice the signed area by trapezoids, Σ (xᵢ - xᵢ₊₁)(yᵢ + yᵢ₊₁): only
        # differences of neighbouring vertices are multiplied, so metre coordinates
        # in the millions keep their precision.
        cross = np.empty(len(x))
        np.multiply(x[:-1] - x[1:], y[:-1] + y[1:], out=cross[:-1])
        cross[-1] = 0.0
        cross[self.part_starts[1:] - 1] = 0.0  # no pair across ring boundaries
        keep = counts > 0
        area = np.zeros(len(counts))
        area[keep] = np.add.reduceat(cross, starts[keep])
        clockwise = area < 0
        flip = np.where(
            self.exterior, clockwise != exterior_cw, clockwise == exterior_cw
        )
        flip &= area != 0
        if not flip.any():
            return self
        index = np.arange(len(x))
        ring = np.repeat(np.arange(len(counts)), counts)
        moved = flip[ring]
        ends = self.part_starts[1:] - 1
        index[moved] = (starts + ends)[ring[moved]] - index[moved]
        return replace(self, coords=self.coords[index])


def _u32(data: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Little-endian unsigned 32-bit integers at byte positions ``at``."""
    if len(at) == 0:
        return np.zeros(0, dtype=np.int64)
    raw = data[at[:, None] + np.arange(4)]
    return raw.copy().view("<u4").ravel().astype(np.int64)


def _empty(family: str, n: int) -> FlatShapes:
    return FlatShapes(
        family,
        np.zeros((0, 2)),
        np.zeros(1, dtype=np.int64),
        np.zeros(n + 1, dtype=np.int64),
        np.zeros(0, dtype=bool),
    )


def from_wkb(
    data: np.ndarray, offsets: np.ndarray, valid: np.ndarray, family: str
) -> FlatShapes:
    """Flat shapes from a buffer of little-endian 2D ISO WKB.

    Parameters
    ----------
    data
        All WKB bytes (``uint8``).
    offsets
        Start of each shape's WKB in ``data``, plus the end (length ``n + 1``).
    valid
        Which shapes are present (``False`` for nulls).
    family
        The family of the layer: ``Point``, ``Line`` or ``Polygon``.

    Raises
    ------
    ValueError
        If the WKB is big-endian, has Z or M, or holds a type of another family (the
        caller then converts it with shapely).
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    n = len(offsets) - 1
    present = np.asarray(valid, dtype=bool) & (np.diff(offsets) > 0)
    starts = offsets[:-1][present]
    if len(starts) == 0:
        return _empty(family, n)
    if not np.all(data[starts] == 1):
        raise ValueError("big-endian WKB")
    kinds = _u32(data, starts + 1)
    if not np.all(np.isin(kinds, [k for k, f in _FAMILY.items() if f == family])):
        raise ValueError("WKB of another geometry type, or with Z/M")
    geom = np.flatnonzero(present)
    if family == "Point":
        xy = data[(starts + 5)[:, None] + np.arange(16)].copy().view("<f8")
        xy = xy.reshape(-1, 2)
        real = ~np.isnan(xy).any(axis=1)
        counts = np.zeros(n, dtype=np.int64)
        counts[geom[real]] = 1
        shape_parts = np.concatenate([[0], np.cumsum(counts)])
        return FlatShapes(
            family,
            xy[real],
            np.arange(int(real.sum()) + 1, dtype=np.int64),
            shape_parts,
            np.zeros(int(real.sum()), dtype=bool),
        )
    multi = np.isin(kinds, (_MULTILINE, _MULTIPOLYGON))
    cursor = starts + 5
    members = np.where(multi, _u32(data, cursor), 1)
    cursor = np.where(multi, cursor + 4, cursor)
    part_geom: list[np.ndarray] = []
    part_start: list[np.ndarray] = []
    part_count: list[np.ndarray] = []
    part_outer: list[np.ndarray] = []
    member = 0
    active = np.flatnonzero(members > 0)
    while len(active):
        at = np.where(multi[active], cursor[active] + 5, cursor[active])
        if family == "Polygon":
            rings = _u32(data, at)
            at = at + 4
            ring = 0
            todo = np.flatnonzero(rings > 0)
            while len(todo):
                count = _u32(data, at[todo])
                part_geom.append(geom[active[todo]])
                part_start.append(at[todo] + 4)
                part_count.append(count)
                part_outer.append(np.full(len(todo), ring == 0))
                at[todo] += 4 + 16 * count
                ring += 1
                todo = todo[rings[todo] > ring]
        else:
            count = _u32(data, at)
            part_geom.append(geom[active])
            part_start.append(at + 4)
            part_count.append(count)
            part_outer.append(np.zeros(len(active), dtype=bool))
            at = at + 4 + 16 * count
        cursor[active] = at
        member += 1
        active = active[members[active] > member]
    if not part_start:
        return _empty(family, n)
    starts_b = np.concatenate(part_start)
    counts_p = np.concatenate(part_count)
    owner = np.concatenate(part_geom)
    outer = np.concatenate(part_outer)
    order = np.argsort(starts_b, kind="stable")
    starts_b, counts_p, owner, outer = (
        starts_b[order],
        counts_p[order],
        owner[order],
        outer[order],
    )
    keep = counts_p > 0
    starts_b, counts_p, owner, outer = (
        starts_b[keep],
        counts_p[keep],
        owner[keep],
        outer[keep],
    )
    # The coordinate bytes of all parts, in order: mark them and take them out at once.
    edges = np.zeros(len(data) + 1, dtype=np.int8)
    edges[starts_b] += 1  # parts never share a start or an end
    edges[starts_b + 16 * counts_p] -= 1
    mask = np.cumsum(edges[:-1], dtype=np.int8).astype(bool)
    coords = data[mask].view("<f8").reshape(-1, 2)
    per_shape = np.bincount(owner, minlength=n)
    return FlatShapes(
        family,
        coords,
        np.concatenate([[0], np.cumsum(counts_p)]).astype(np.int64),
        np.concatenate([[0], np.cumsum(per_shape)]).astype(np.int64),
        outer,
    )


def family_of(geometry_type: str) -> str:
    """The family (``Point``, ``Line``, ``Polygon``) of a layer's geometry type."""
    if "Polygon" in geometry_type:
        return "Polygon"
    if "Line" in geometry_type:
        return "Line"
    return "Point"


def from_shapely(geoms: np.ndarray, family: str | None = None) -> FlatShapes:
    """Flat shapes from shapely geometries (``None`` for nulls)."""
    geoms = np.asarray(geoms, dtype=object)
    if family is None:
        present = geoms[~shapely.is_missing(geoms)]
        family = family_of(present[0].geom_type) if len(present) else "Point"
    wkb = shapely.to_wkb(geoms, byte_order=1, output_dimension=2, flavor="iso")
    lengths = np.fromiter(
        (0 if b is None else len(b) for b in wkb), dtype=np.int64, count=len(wkb)
    )
    data = np.frombuffer(b"".join(b for b in wkb if b is not None), dtype=np.uint8)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    return from_wkb(data, offsets, lengths > 0, family)


def from_arrow(array: object, family: str) -> FlatShapes:
    """Flat shapes from an Arrow binary (WKB) array, as GDAL's Arrow reader gives them.

    Shapes that are not plain 2D little-endian WKB of the family go through shapely.
    """
    import pyarrow as pa

    chunked = array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])
    binary = chunked.combine_chunks()
    if isinstance(binary, pa.ChunkedArray):  # pragma: no cover - older pyarrow
        binary = binary.chunk(0)
    valid = ~np.asarray(binary.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    buffers = binary.buffers()
    width = "<i8" if pa.types.is_large_binary(binary.type) else "<i4"
    offsets = np.frombuffer(buffers[1], dtype=width)[
        binary.offset : binary.offset + len(binary) + 1
    ].astype(np.int64)
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    try:
        return from_wkb(data, offsets, valid, family)
    except ValueError:
        geoms = shapely.from_wkb(np.asarray(binary.to_pylist(), dtype=object))
        return from_shapely(shapely.force_2d(geoms), family)
