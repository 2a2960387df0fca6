"""A new, empty project whose CRS fits the data that will be imported into it.

A project stores coordinates in the CGCS2000 Gauss–Krüger 3° zone of its area. The zone
comes from a longitude, given directly or read off a file the office is about to import
(its coordinates converted to CGCS2000 first, so a GCJ-02 or zone-prefixed file works).

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> store = create_project_for(folder / "p.gpkg", county="320508", lon=120.62)
>>> store.settings.crs_epsg, store.settings.code_prefix
(4549, '320508')
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from gridgis.core.crs import gk_zone_epsg, project_crs_for
from gridgis.core.errors import CodeError, CrsError
from gridgis.core.exchange.coords import converter, coord_system
from gridgis.core.exchange.sources import open_source, require_crs, source_xy
from gridgis.core.settings import Settings
from gridgis.core.store import Store, create_project


def zone_for_source(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
) -> int:
    """The EPSG code of the GK zone for the data in a file.

    Raises
    ------
    CrsError
        If the file's CRS is unknown (name it with ``crs``) or its data lie outside
        China's zones.
    """
    # Any zone will do for reading: the zone only names "project" choices.
    source = open_source(
        path, project_epsg=4549, layer=layer, encoding=encoding, crs=crs
    )
    system = require_crs(source)
    x, y = source_xy(source)
    convert = converter(system, coord_system("cgcs2000", project_epsg=4549))
    lon, lat = convert(x, y) if convert is not None else (x, y)
    lonlat = np.column_stack([np.asarray(lon), np.asarray(lat)])
    lonlat = lonlat[np.isfinite(lonlat).all(axis=1)]
    return project_crs_for(lonlat)


def create_project_for(
    path: str | Path,
    *,
    county: str,
    lon: float | None = None,
    source: str | Path | None = None,
    source_layer: str | None = None,
    crs: str | None = None,
    role_preset: str = "grid-worker",
    overwrite: bool = False,
) -> Store:
    """Create an empty project for county ``county`` in the GK zone of its data.

    Parameters
    ----------
    county
        The 6-digit county code (GB/T 2260); grid codes start with it.
    lon
        A longitude of the area (degrees east).
    source
        A file to be imported; the zone comes from its coordinates.
    crs
        The CRS of ``source`` when the file does not say it (``gcj02`` …).
    role_preset
        The role catalogue (``grid-worker`` or ``1+6``).

    Raises
    ------
    CodeError
        If ``county`` is not 6 digits.
    CrsError
        If neither ``lon`` nor ``source`` is given, or they lie outside China.
    """
    county = str(county).strip()
    if not re.fullmatch(r"\d{6}", county):
        raise CodeError(
            f"The county code '{county}' must be 6 digits (GB/T 2260), e.g. 320508.",
            f"区县代码“{county}”应为 6 位数字(GB/T 2260),如 320508。",
        )
    if lon is not None:
        epsg = gk_zone_epsg(float(lon))
    elif source is not None:
        epsg = zone_for_source(source, layer=source_layer, crs=crs)
    else:
        raise CrsError(
            "A new project needs to know where it lies: give a longitude (--lon 120.6) "
            "or a file of its data (--like FILE).",
            "新建项目需要知道所在位置:请给出经度(--lon 120.6)或一份数据文件(--like 文件)。",
        )
    settings = Settings.default(
        crs_epsg=epsg, code_prefix=county, role_preset=role_preset
    )
    return create_project(path, settings, overwrite=overwrite)
