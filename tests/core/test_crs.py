import pytest
from pyproj import CRS

from gridgis.core.crs import central_meridian, gk_zone, gk_zone_epsg, project_crs_for
from gridgis.core.errors import CrsError


@pytest.mark.parametrize(
    ("lon", "epsg", "meridian"),
    [
        (75.0, 4534, 75),
        (116.4, 4527 + 21, 117),
        (120.6, 4549, 120),
        (121.4, 4549, 120),
        (126.7, 4551, 126),
        (135.0, 4554, 135),
    ],
)
def test_zone_from_longitude(lon, epsg, meridian):
    assert gk_zone_epsg(lon) == epsg
    assert central_meridian(epsg) == meridian
    crs = CRS.from_epsg(epsg)
    assert "CGCS2000" in crs.name
    assert f"CM {meridian}E" in crs.name


def test_zone_prefixed_codes():
    assert gk_zone_epsg(120.6, zone_prefix=True) == 4528
    assert "zone 40" in CRS.from_epsg(4528).name
    assert gk_zone(120.6) == 40


def test_median_longitude_decides():
    assert project_crs_for([[120.4, 31.2], [120.7, 31.3], [121.6, 31.2]]) == 4549


@pytest.mark.parametrize("lon", [12.0, 140.0, float("nan")])
def test_longitudes_outside_china_are_refused(lon):
    with pytest.raises(CrsError, match="outside the CGCS2000"):
        gk_zone_epsg(lon)
