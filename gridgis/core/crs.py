"""Coordinate reference systems of a GridGIS project.

Projects store coordinates in a CGCS2000 3-degree Gauss–Krüger zone so that areas and
lengths are metres: EPSG:4534–4554 (false easting 500 km, no zone prefix) for central
meridians 75°E–135°E. EPSG:4513–4533 are the same zones with the zone number in front of
the easting. The projected CRSs list northing before easting; GridGIS always transforms
with ``always_xy=True`` so that x is easting.

Examples
--------
>>> gk_zone_epsg(120.6)
4549
>>> gk_zone_epsg(116.4, zone_prefix=True)
4527
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pyproj import CRS, Transformer

from gridgis.core.errors import CrsError

#: CGCS2000 geographic (longitude, latitude).
CGCS2000 = 4490
#: WGS 84 geographic, as GeoJSON needs.
WGS84 = 4326

_FIRST_ZONE = 25  # central meridian 75°E
_LAST_ZONE = 45  # central meridian 135°E
_NO_PREFIX_BASE = 4534
_PREFIX_BASE = 4513


def gk_zone(longitude: float) -> int:
    """The 3-degree zone number (25–45) whose central meridian is nearest ``longitude``.

    Raises
    ------
    CrsError
        If the longitude lies outside China's zones (73.5°E–136.5°E).
    """
    lon = float(longitude)
    zone = int(np.floor(lon / 3.0 + 0.5)) if np.isfinite(lon) else -1
    if zone < _FIRST_ZONE or zone > _LAST_ZONE:
        raise CrsError(
            f"Longitude {longitude} is outside the CGCS2000 Gauss–Krüger zones "
            "(73.5°E–136.5°E). Check that the data are in degrees of longitude and "
            "latitude, or name their CRS.",
            f"经度 {longitude} 不在 CGCS2000 高斯-克吕格 3 度带范围(东经 73.5°–136.5°)内。"
            "请检查数据是否为经纬度,或指定其坐标系。",
        )
    return zone


def gk_zone_epsg(longitude: float, *, zone_prefix: bool = False) -> int:
    """EPSG code of the CGCS2000 3-degree GK zone for ``longitude``."""
    zone = gk_zone(longitude)
    base = _PREFIX_BASE if zone_prefix else _NO_PREFIX_BASE
    return base + zone - _FIRST_ZONE


def is_gk_epsg(epsg: int | None) -> bool:
    """Whether ``epsg`` is one of the CGCS2000 3-degree GK zones (with or without prefix)."""
    return epsg is not None and (
        _PREFIX_BASE <= epsg <= _PREFIX_BASE + 20
        or _NO_PREFIX_BASE <= epsg <= _NO_PREFIX_BASE + 20
    )


def central_meridian(epsg: int) -> int:
    """Central meridian (degrees east) of a CGCS2000 3-degree GK zone."""
    if not is_gk_epsg(epsg):
        raise CrsError(
            f"EPSG:{epsg} is not a CGCS2000 3-degree Gauss–Krüger zone.",
            f"EPSG:{epsg} 不是 CGCS2000 高斯-克吕格 3 度带坐标系。",
        )
    base = _PREFIX_BASE if epsg < _NO_PREFIX_BASE else _NO_PREFIX_BASE
    return 3 * (epsg - base + _FIRST_ZONE)


def project_crs_for(lonlat: Sequence[float] | np.ndarray) -> int:
    """Choose the project's GK zone from geographic coordinates of the data.

    Parameters
    ----------
    lonlat
        An ``(n, 2)`` array of longitudes and latitudes (or one pair); the zone of the
        median longitude is chosen.
    """
    coords = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    if len(coords) == 0:
        raise CrsError(
            "There are no coordinates to choose a CRS from.",
            "没有可用于确定坐标系的坐标。",
        )
    return gk_zone_epsg(float(np.median(coords[:, 0])))


def project_crs_for_frame_bounds(bounds: Sequence[float], crs: object) -> int:
    """Choose the GK zone for data with ``bounds`` (minx, miny, maxx, maxy) in ``crs``."""
    source = CRS.from_user_input(crs)
    to_geo = Transformer.from_crs(source, CGCS2000, always_xy=True)
    x = (bounds[0] + bounds[2]) / 2.0
    y = (bounds[1] + bounds[3]) / 2.0
    lon, lat = to_geo.transform(x, y)
    return project_crs_for([lon, lat])
