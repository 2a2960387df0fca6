"""GeoPackage geometry blobs: the ``GP`` header in front of standard WKB.

The store writes features with SQLite directly (so that a change is one transaction)
and reads them with GDAL; this module encodes shapely geometries as GeoPackage blobs,
vectorised, and supplies the SQL functions the R-tree triggers call.
"""

from __future__ import annotations

import sqlite3
import struct

import numpy as np
import shapely

_FLAGS_ENVELOPE = 0b0000_0011  # little-endian, envelope [minx, maxx, miny, maxy]
_FLAGS_EMPTY = 0b0001_0001  # little-endian, no envelope, empty geometry
_HEADER = np.dtype(
    [
        ("magic", "S2"),
        ("version", "u1"),
        ("flags", "u1"),
        ("srs_id", "<i4"),
        ("envelope", "<f8", (4,)),
    ]
)
_EMPTY_HEADER = struct.Struct("<2sBBi")


def encode(geometries: np.ndarray, srs_id: int) -> list[bytes | None]:
    """Encode shapely geometries as GeoPackage blobs (``None`` stays ``None``)."""
    geoms = np.asarray(geometries, dtype=object)
    out: list[bytes | None] = [None] * len(geoms)
    if len(geoms) == 0:
        return out
    present = ~shapely.is_missing(geoms)
    if not present.any():
        return out
    idx = np.flatnonzero(present)
    values = geoms[idx]
    empty = shapely.is_empty(values)
    wkb = shapely.to_wkb(values, byte_order=1, output_dimension=2, flavor="iso")
    headers = np.zeros(len(values), dtype=_HEADER)
    headers["magic"] = b"GP"
    headers["flags"] = _FLAGS_ENVELOPE
    headers["srs_id"] = srs_id
    bounds = shapely.bounds(values)
    headers["envelope"] = bounds[:, [0, 2, 1, 3]]
    raw = headers.tobytes()
    size = _HEADER.itemsize
    empty_header = _EMPTY_HEADER.pack(b"GP", 0, _FLAGS_EMPTY, srs_id)
    for k, (pos, blob) in enumerate(zip(idx, wkb, strict=True)):
        if empty[k]:
            out[pos] = empty_header + blob
        else:
            out[pos] = raw[k * size : (k + 1) * size] + blob
    return out


def decode(blobs: list[bytes | None]) -> np.ndarray:
    """Decode GeoPackage blobs to shapely geometries."""
    wkbs = [None if b is None else bytes(b)[_wkb_offset(b) :] for b in blobs]
    return shapely.from_wkb(np.asarray(wkbs, dtype=object))


def _wkb_offset(blob: bytes) -> int:
    flags = blob[3]
    envelope = (flags >> 1) & 0b111
    return 8 + {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[envelope]


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    if blob is None:
        return None
    flags = blob[3]
    if flags & 0b1_0000:
        return None
    if (flags >> 1) & 0b111:
        fmt = "<4d" if flags & 1 else ">4d"
        minx, maxx, miny, maxy = struct.unpack_from(fmt, blob, 8)
        return minx, maxx, miny, maxy
    geom = shapely.from_wkb(bytes(blob)[8:])
    if geom.is_empty:
        return None
    b = geom.bounds
    return b[0], b[2], b[1], b[3]


def _is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return 1 if _envelope(blob) is None else 0


def _coordinate(index: int):  # type: ignore[no-untyped-def]
    def value(blob: bytes | None) -> float | None:
        env = _envelope(blob)
        return None if env is None else env[index]

    return value


def register_functions(conn: sqlite3.Connection) -> None:
    """Register the SQL functions that GeoPackage R-tree triggers call."""
    conn.create_function("ST_IsEmpty", 1, _is_empty, deterministic=True)
    for index, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        conn.create_function(name, 1, _coordinate(index), deterministic=True)
