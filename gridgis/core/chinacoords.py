"""The coordinates of Chinese web maps: GCJ-02 (Amap, Tencent) and BD-09 (Baidu).

Web maps published in China shift WGS 84 longitudes and latitudes by a non-linear offset
of a few hundred metres ("GCJ-02", 国测局坐标); Baidu adds a second offset on top of it
("BD-09", 百度坐标). PROJ knows neither, so GridGIS converts them itself. The forward
formulas are the widely published ones; the inverses are iterative and agree with the
forward conversion to better than a millimetre (:data:`INVERSE_TOLERANCE_DEG`).

CGCS2000 and WGS 84 differ by a few centimetres, far below what a grid map can show, so
GCJ-02 is converted to and from CGCS2000 geographic coordinates as if they were WGS 84
(as PROJ itself does between EPSG:4490 and EPSG:4326).

Points outside the rough box around China used by all public converters (longitude
72.004–137.8347°E, latitude 0.8293–55.8271°N) are not shifted: web maps show them in
WGS 84.

Examples
--------
>>> lon, lat = wgs84_to_gcj02(121.5272106, 31.1774276)   # Shanghai
>>> round(float(lon), 5), round(float(lat), 5)
(121.53154, 31.1753)
>>> lon2, lat2 = gcj02_to_wgs84(lon, lat)
>>> round(float(lon2), 7), round(float(lat2), 7)
(121.5272106, 31.1774276)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Semi-major axis and squared eccentricity of the Krasovsky 1940 ellipsoid, which the
#: published GCJ-02 formulas use.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

#: The box outside of which coordinates are left as they are.
CHINA_BOX = (72.004, 0.8293, 137.8347, 55.8271)

#: The iterative inverses stop when the forward conversion of their result is this close
#: (in degrees) to the input: 1e-10° is about 0.01 mm.
INVERSE_TOLERANCE_DEG = 1e-10
_MAX_ITERATIONS = 30

#: Names of the web-map coordinate systems GridGIS converts.
WEB_CRS = ("gcj02", "bd09")

Array = np.ndarray
_Convert = Callable[[Array, Array], tuple[Array, Array]]


def in_china(lon: Array | float, lat: Array | float) -> Array:
    """Whether each point lies in the box where web maps apply the GCJ-02 offset."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (
        (lon >= CHINA_BOX[0])
        & (lon <= CHINA_BOX[2])
        & (lat >= CHINA_BOX[1])
        & (lat <= CHINA_BOX[3])
    )


def _offset(lon: Array, lat: Array) -> tuple[Array, Array]:
    """The GCJ-02 offset (degrees) of WGS 84 points, zero outside China."""
    x = lon - 105.0
    y = lat - 35.0
    absx = np.sqrt(np.abs(x))
    waves = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2 / 3
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * absx
    dlat += waves
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2 / 3
    dlat += (
        (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2 / 3
    )
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * absx
    dlon += waves
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2 / 3
    dlon += (
        (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2 / 3
    )
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _arrays(lon: Array | float, lat: Array | float) -> tuple[Array, Array]:
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    if lon_a.shape != lat_a.shape:
        raise ValueError(
            f"lon and lat must have the same shape, got {lon_a.shape} and {lat_a.shape}"
        )
    return lon_a, lat_a


def wgs84_to_gcj02(lon: Array | float, lat: Array | float) -> tuple[Array, Array]:
    """Convert WGS 84 (or CGCS2000) longitudes and latitudes to GCJ-02."""
    lon_a, lat_a = _arrays(lon, lat)
    dlon, dlat = _offset(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def gcj02_to_bd09(lon: Array | float, lat: Array | float) -> tuple[Array, Array]:
    """Convert GCJ-02 longitudes and latitudes to Baidu's BD-09 (outside China: none)."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    inside = in_china(x, y)
    return (
        np.where(inside, z * np.cos(theta) + 0.0065, x),
        np.where(inside, z * np.sin(theta) + 0.006, y),
    )


def wgs84_to_bd09(lon: Array | float, lat: Array | float) -> tuple[Array, Array]:
    """Convert WGS 84 (or CGCS2000) longitudes and latitudes to BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(forward: _Convert, lon: Array, lat: Array) -> tuple[Array, Array]:
    """Solve ``forward(x) = target`` by fixed-point iteration (the offset is smooth)."""
    lon_t, lat_t = _arrays(lon, lat)
    x, y = lon_t.copy(), lat_t.copy()
    for _ in range(_MAX_ITERATIONS):
        fx, fy = forward(x, y)
        ex, ey = fx - lon_t, fy - lat_t
        x = x - ex
        y = y - ey
        worst = np.nanmax(np.abs(np.concatenate([ex.ravel(), ey.ravel()])), initial=0.0)
        if worst < INVERSE_TOLERANCE_DEG:
            break
    return x, y


def gcj02_to_wgs84(lon: Array | float, lat: Array | float) -> tuple[Array, Array]:
    """Convert GCJ-02 longitudes and latitudes back to WGS 84 (iterative, exact)."""
    return _invert(wgs84_to_gcj02, *_arrays(lon, lat))


def bd09_to_gcj02(lon: Array | float, lat: Array | float) -> tuple[Array, Array]:
    """Convert BD-09 longitudes and latitudes back to GCJ-02 (iterative, exact)."""
    return _invert(gcj02_to_bd09, *_arrays(lon, lat))


def bd09_to_wgs84(lon: Array | float, lat: Array | float) -> tuple[Array, Array]:
    """Convert BD-09 longitudes and latitudes back to WGS 84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def from_wgs84(name: str) -> _Convert:
    """The conversion from WGS 84 to web-map system ``name`` (``gcj02`` or ``bd09``)."""
    return {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}[_check(name)]


def to_wgs84(name: str) -> _Convert:
    """The conversion from web-map system ``name`` (``gcj02`` or ``bd09``) to WGS 84."""
    return {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}[_check(name)]


def _check(name: str) -> str:
    if name not in WEB_CRS:
        raise ValueError(f"web-map CRS must be one of {WEB_CRS}, got {name!r}")
    return name
