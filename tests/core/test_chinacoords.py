"""GCJ-02 and BD-09 against published reference points, and exact inverses.

Reference points (cited, values only):

- googollee/eviltransform, ``go/transform_test.go``: WGS 84 → GCJ-02 in Shanghai,
  Shenzhen and Beijing (the test compares to 5 decimals; we compare to 1e-9°).
- wandergis/coordtransform, ``test/app.js`` (also used by Hutool's
  ``CoordinateUtilTest``): WGS 84 → GCJ-02 and GCJ-02 → BD-09 of (116.404, 39.915).
- hujiulong/gcoord, ``test/unit/crs/GCJ02.spec.js``: GCJ-02 → BD-09 and GCJ-02 →
  WGS 84 of (123, 45), and "not in China" for longitude 183.
- Alibaba Cloud address-purification API documentation, "坐标系转换" (TransferCoord)
  example: GCJ-02 120.026268,30.279164 → BD-09 120.032768,30.285238 (6 decimals). Its
  WGS 84 value 120.021519,30.281543 is the common one-step approximation of the inverse;
  the exact inverse lies 1.5 m from it, and the one-step approximation reproduces it.
"""

import numpy as np
import pytest
from pyproj import Geod

from gridgis.core import chinacoords as cc

GEOD = Geod(ellps="WGS84")

EVILTRANSFORM = [
    # wgs lat, wgs lng, gcj lat, gcj lng
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]


def metres(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_eviltransform(wlat, wlng, glat, glng):
    lon, lat = cc.wgs84_to_gcj02(wlng, wlat)
    assert float(lon) == pytest.approx(glng, abs=1e-9)
    assert float(lat) == pytest.approx(glat, abs=1e-9)


def test_forward_conversions_match_coordtransform():
    lon, lat = cc.wgs84_to_gcj02(116.404, 39.915)
    assert (float(lon), float(lat)) == pytest.approx(
        (116.41024449916938, 39.91640428150164), abs=1e-9
    )
    lon, lat = cc.gcj02_to_bd09(116.404, 39.915)
    assert (float(lon), float(lat)) == pytest.approx(
        (116.41036949371029, 39.92133699351021), abs=1e-9
    )


def test_bd09_matches_gcoord_and_alibaba_cloud():
    lon, lat = cc.gcj02_to_bd09(123.0, 45.0)
    assert (float(lon), float(lat)) == pytest.approx(
        (123.00636499, 45.00636899), abs=1e-8
    )
    lon, lat = cc.gcj02_to_bd09(120.026268, 30.279164)
    assert round(float(lon), 6) == 120.032768
    assert round(float(lat), 6) == 30.285238


def test_inverse_agrees_with_published_inverses_within_their_accuracy():
    # gcoord's GCJ-02 → WGS 84 of (123, 45), compared to 5 decimals in its test.
    lon, lat = cc.gcj02_to_wgs84(123.0, 45.0)
    assert (float(lon), float(lat)) == pytest.approx(
        (122.99395597, 44.99804071), abs=5e-6
    )
    # Alibaba Cloud publishes the one-step approximation; ours is the exact inverse.
    lon, lat = cc.gcj02_to_wgs84(120.026268, 30.279164)
    assert metres(float(lon), float(lat), 120.021519, 30.281543) < 2.0
    dlon, dlat = cc._offset(np.array(120.026268), np.array(30.279164))
    assert round(120.026268 - float(dlon), 6) == 120.021519
    assert round(30.279164 - float(dlat), 6) == 30.281543


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), EVILTRANSFORM)
def test_gcj02_inverse_recovers_eviltransform_points(wlat, wlng, glat, glng):
    lon, lat = cc.gcj02_to_wgs84(glng, glat)
    # eviltransform's own "exact" test accepts 0.5 m; ours is far tighter.
    assert metres(float(lon), float(lat), wlng, wlat) < 1e-3


def test_inverse_round_trip_over_china_is_under_a_millimetre():
    rng = np.random.default_rng(7)
    lon = rng.uniform(74, 135, 20000)
    lat = rng.uniform(18, 53, 20000)
    for forward, inverse in (
        (cc.wgs84_to_gcj02, cc.gcj02_to_wgs84),
        (cc.wgs84_to_bd09, cc.bd09_to_wgs84),
        (cc.gcj02_to_bd09, cc.bd09_to_gcj02),
    ):
        back_lon, back_lat = inverse(*forward(lon, lat))
        error = metres(back_lon, back_lat, lon, lat)
        assert float(np.max(error)) < 1e-3
        # The shift itself is hundreds of metres, so the test is not trivial.
        shifted = metres(*forward(lon, lat), lon, lat)
        assert float(np.median(shifted)) > 100


def test_points_outside_china_are_not_shifted():
    lon = np.array([183.0, 2.35, 139.69, 100.5])
    lat = np.array([45.0, 48.85, 35.69, -5.0])
    for convert in (
        cc.wgs84_to_gcj02,
        cc.gcj02_to_wgs84,
        cc.wgs84_to_bd09,
        cc.bd09_to_wgs84,
    ):
        out_lon, out_lat = convert(lon, lat)
        np.testing.assert_array_equal(out_lon, lon)
        np.testing.assert_array_equal(out_lat, lat)


def test_shapes_must_match():
    with pytest.raises(ValueError, match="same shape"):
        cc.wgs84_to_gcj02(np.zeros(3), np.zeros(2))
