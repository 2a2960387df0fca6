"""The coordinate systems data come in and go out in, and the conversions between them.

A :class:`CoordSystem` is either a CRS PROJ knows (the project's Gauss–Krüger zone,
CGCS2000 geographic, WGS 84, any EPSG code) or one of the Chinese web-map systems
(GCJ-02, BD-09) that PROJ does not know; those are converted through WGS 84 by
:mod:`gridgis.core.chinacoords`.

Examples
--------
>>> coord_system("gcj02", project_epsg=4549).label.en
'GCJ-02 (Amap, Tencent)'
>>> coord_system("project", project_epsg=4549).epsg
4549
>>> coord_system("EPSG:4490", project_epsg=4549).key
'cgcs2000'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError

from gridgis.core import chinacoords
from gridgis.core.crs import CGCS2000, WGS84
from gridgis.core.errors import CrsError
from gridgis.core.i18n import Text

XY = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

#: The choices offered in the export and import dialogs, in order.
CHOICES = ("project", "cgcs2000", "wgs84", "gcj02", "bd09")

_NAMES = {
    "project": "project",
    "stored": "project",
    "gk": "project",
    "cgcs2000": "cgcs2000",
    "cgcs-2000": "cgcs2000",
    "4490": "cgcs2000",
    "epsg:4490": "cgcs2000",
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "wgs 84": "wgs84",
    "gps": "wgs84",
    "4326": "wgs84",
    "epsg:4326": "wgs84",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "gcj": "gcj02",
    "amap": "gcj02",
    "tencent": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "bd09ll": "bd09",
    "baidu": "bd09",
}

_WEB_WKT = (
    'GEOGCS["{name}",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,'
    '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)


@dataclass(frozen=True)
class CoordSystem:
    """A coordinate system of imported or exported data."""

    key: str
    """``project``, ``cgcs2000``, ``wgs84``, ``gcj02``, ``bd09`` or ``epsg:NNNN``."""
    label: Text
    """User-visible name."""
    epsg: int | None
    """EPSG code; ``None`` for GCJ-02 and BD-09."""

    @property
    def web(self) -> str | None:
        """``gcj02`` or ``bd09`` for the web-map systems, else ``None``."""
        return self.key if self.key in chinacoords.WEB_CRS else None

    @property
    def is_geographic(self) -> bool:
        """Whether coordinates are longitudes and latitudes in degrees."""
        return self.epsg is None or CRS.from_epsg(self.epsg).is_geographic

    @property
    def proj_epsg(self) -> int:
        """The EPSG code PROJ works in (WGS 84 for the web-map systems)."""
        return self.epsg if self.epsg is not None else WGS84

    def esri_wkt(self) -> str:
        """The CRS as ESRI WKT, for ``.prj`` files."""
        if self.epsg is None:
            return _WEB_WKT.format(name=_WEB_NAMES[self.key])
        return str(CRS.from_epsg(self.epsg).to_wkt("WKT1_ESRI"))

    def ogc_wkt(self) -> str:
        """The CRS as OGC WKT 1, for GeoPackages."""
        if self.epsg is None:
            return _WEB_WKT.format(name=_WEB_NAMES[self.key]).replace(
                "D_WGS_1984", "WGS_1984"
            )
        return str(CRS.from_epsg(self.epsg).to_wkt("WKT1_GDAL"))


_WEB_NAMES = {
    "gcj02": "GCJ-02 (WGS 84 with the Chinese web-map offset)",
    "bd09": "BD-09 (GCJ-02 with the Baidu offset)",
}


def coord_system(text: str | int, *, project_epsg: int) -> CoordSystem:
    """The coordinate system named by ``text``.

    Parameters
    ----------
    text
        ``project`` (the stored Gauss–Krüger zone), ``cgcs2000``, ``wgs84``, ``gcj02``
        (Amap, Tencent), ``bd09`` (Baidu), or an EPSG code (``4549``, ``EPSG:4527``).
    project_epsg
        The project's stored CRS.

    Raises
    ------
    CrsError
        If the name is not one of these and not an EPSG code PROJ knows.
    """
    raw = str(text).strip()
    key = _NAMES.get(raw.lower())
    if key == "project":
        return CoordSystem(
            "project",
            Text(
                f"项目坐标系 EPSG:{project_epsg}({CRS.from_epsg(project_epsg).name})",
                f"project CRS EPSG:{project_epsg} ({CRS.from_epsg(project_epsg).name})",
            ),
            project_epsg,
        )
    if key == "cgcs2000":
        return CoordSystem(
            "cgcs2000", Text("CGCS2000 经纬度", "CGCS2000 geographic"), CGCS2000
        )
    if key == "wgs84":
        return CoordSystem("wgs84", Text("WGS 84 经纬度", "WGS 84"), WGS84)
    if key == "gcj02":
        return CoordSystem(
            "gcj02", Text("GCJ-02(高德、腾讯)", "GCJ-02 (Amap, Tencent)"), None
        )
    if key == "bd09":
        return CoordSystem("bd09", Text("BD-09(百度)", "BD-09 (Baidu)"), None)
    code = raw.lower().removeprefix("epsg:")
    if code.isdigit():
        epsg = int(code)
        try:
            crs = CRS.from_epsg(epsg)
        except ProjCRSError:
            pass
        else:
            if epsg == project_epsg:
                return coord_system("project", project_epsg=project_epsg)
            return CoordSystem(
                f"epsg:{epsg}",
                Text(f"EPSG:{epsg}({crs.name})", f"EPSG:{epsg} ({crs.name})"),
                epsg,
            )
    raise CrsError(
        f"'{text}' is not a coordinate system GridGIS knows. Use project, cgcs2000, "
        "wgs84, gcj02 (Amap, Tencent), bd09 (Baidu) or an EPSG code such as 4549.",
        f"无法识别坐标系“{text}”。可用:project(项目坐标系)、cgcs2000、wgs84、"
        "gcj02(高德、腾讯)、bd09(百度),或 EPSG 代码(如 4549)。",
    )


def from_crs(crs: CRS, *, project_epsg: int) -> CoordSystem:
    """The coordinate system of a CRS read from a file.

    Raises
    ------
    CrsError
        If the CRS has no EPSG equivalent GridGIS can transform from.
    """
    epsg = crs.to_epsg(min_confidence=70)
    if epsg is None:
        # Many .prj files from ArcGIS name GK zones their own way; match by parameters.
        try:
            epsg = _match_gk(crs)
        except ProjCRSError:
            epsg = None
    if epsg is None and crs.is_geographic and crs.ellipsoid is not None:
        name = crs.ellipsoid.name.lower()
        if "2000" in name:
            epsg = CGCS2000
        elif "wgs" in name and "84" in name:
            epsg = WGS84
    if epsg is None:
        raise CrsError(
            f"The file's coordinate system ({crs.name}) is not one GridGIS can convert "
            "from. Name the CRS the coordinates are really in with --crs (for example "
            "4549, cgcs2000, wgs84 or gcj02).",
            f"文件的坐标系({crs.name})无法识别或无法转换。请用 --crs 指定数据实际所用的"
            "坐标系(如 4549、cgcs2000、wgs84 或 gcj02)。",
        )
    return coord_system(str(epsg), project_epsg=project_epsg)


def _match_gk(crs: CRS) -> int | None:
    """EPSG code of a CGCS2000 GK 3° zone described by parameters only."""
    if not crs.is_projected or crs.coordinate_operation is None:
        return None
    params: dict[str, float] = {
        p.name.lower(): float(p.value)
        for p in crs.coordinate_operation.params
        if isinstance(p.value, (int, float))
    }
    lon0 = params.get("longitude of natural origin")
    fe = params.get("false easting")
    k = params.get("scale factor at natural origin")
    ellps = crs.ellipsoid.name.lower() if crs.ellipsoid else ""
    if lon0 is None or fe is None or "2000" not in ellps or k != 1.0:
        return None
    if lon0 % 3 != 0 or not 75 <= lon0 <= 135:
        return None
    zone = int(lon0 // 3)
    if fe == 500000:
        return 4534 + zone - 25
    if fe == zone * 1_000_000 + 500000:
        return 4513 + zone - 25
    return None


@lru_cache(maxsize=64)
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def converter(source: CoordSystem, target: CoordSystem) -> XY | None:
    """A vectorised ``(x, y) → (x, y)`` conversion, or ``None`` when there is none to do."""
    if source.key == target.key and source.epsg == target.epsg:
        return None
    steps: list[XY] = []
    if source.web is not None:
        steps.append(chinacoords.to_wgs84(source.web))
    if source.proj_epsg != target.proj_epsg:
        transformer = _transformer(source.proj_epsg, target.proj_epsg)

        def proj(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
            if x.size == 1:
                # pyproj's single-point path trips over one-element arrays.
                tx, ty = transformer.transform(float(x.ravel()[0]), float(y.ravel()[0]))
                return np.full(x.shape, tx), np.full(y.shape, ty)
            tx, ty = transformer.transform(x, y)
            return np.asarray(tx, dtype=float), np.asarray(ty, dtype=float)

        steps.append(proj)
    if target.web is not None:
        steps.append(chinacoords.from_wgs84(target.web))
    if not steps:
        return None

    def run(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        for step in steps:
            x, y = step(x, y)
        return x, y

    return run


def transform_geometries(geoms: np.ndarray, convert: XY | None) -> np.ndarray:
    """Apply ``convert`` to every coordinate of ``geoms`` (2D; ``None`` stays ``None``)."""
    geoms = np.asarray(geoms, dtype=object)
    if convert is None or len(geoms) == 0:
        return geoms

    def apply(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return convert(np.asarray(x, dtype=float), np.asarray(y, dtype=float))

    return np.asarray(shapely.transform(geoms, apply, interleaved=False), dtype=object)
