"""Helpers for tests of GridGIS and of code built on it.

Examples
--------
>>> from gridgis.core.testing import sample_frame
>>> frame = sample_frame("grids", 3)
>>> len(frame), frame.crs.to_epsg()
(3, 4549)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgis.core import schema
from gridgis.core.schema import FieldType

#: CRS of sample data: CGCS2000 / 3-degree GK CM 120E.
SAMPLE_EPSG = 4549
_ORIGIN = (500_000.0, 3_460_000.0)
_TEXT = ("网格", "幸福里社区", "Grid ünïcödé", "桃花坞大街12号", "張三")


def _values(fld: schema.Field, n: int, rng: np.random.Generator) -> list[Any]:
    if fld.choices is not None:
        members = [m.value for m in fld.choices]
        return [members[i % len(members)] for i in range(n)]
    if fld.name.endswith("code") or fld.name == "code" or fld.name == "ab_partner":
        return [f"320508019044{i + 1:03d}" for i in range(n)]
    if fld.type is FieldType.TEXT:
        return [f"{_TEXT[i % len(_TEXT)]}{i}" for i in range(n)]
    if fld.type is FieldType.INTEGER:
        return [int(v) for v in rng.integers(0, 1000, n)]
    if fld.type is FieldType.REAL:
        return [float(v) for v in rng.uniform(0, 100, n)]
    if fld.type is FieldType.BOOLEAN:
        return [bool(i % 2) for i in range(n)]
    if fld.type is FieldType.BLOB:
        return [bytes([137, 80, 78, 71, i % 256]) + b"\x00\xff" * 3 for i in range(n)]
    if fld.type is FieldType.DATETIME:
        start = dt.datetime(2026, 11, 22, 8, 30, 15, 250000)
        return [start + dt.timedelta(hours=i) for i in range(n)]
    raise AssertionError(fld.type)  # pragma: no cover


def sample_geometries(geometry: str, n: int) -> np.ndarray:
    """``n`` simple, valid geometries of type ``geometry`` in the sample CRS."""
    x = _ORIGIN[0] + 120.0 * np.arange(n)
    y = np.full(n, _ORIGIN[1])
    if geometry == "Point":
        return shapely.points(x + 50, y + 50)
    if geometry == "LineString":
        return np.array(
            [
                shapely.LineString([(a, b), (a + 100, b + 80)])
                for a, b in zip(x, y, strict=True)
            ]
        )
    boxes = shapely.box(x, y, x + 100, y + 100)
    if geometry == "MultiPolygon":
        return shapely.multipolygons(boxes.reshape(-1, 1))
    return boxes


def sample_frame(name: str, n: int = 5, *, seed: int = 0) -> pd.DataFrame:
    """A frame for layer ``name`` with every field filled, Chinese text included."""
    rng = np.random.default_rng(seed)
    lyr = schema.layer(name)
    data = {f.name: _values(f, n, rng) for f in lyr.fields}
    frame = pd.DataFrame(data)
    if not lyr.is_spatial:
        return frame
    assert lyr.geometry is not None
    return gpd.GeoDataFrame(
        frame, geometry=sample_geometries(lyr.geometry, n), crs=SAMPLE_EPSG
    )


def assert_same_content(
    left: pd.DataFrame, right: pd.DataFrame, *, check_index: bool = False
) -> None:
    """Assert that two layer frames hold the same rows, values and geometries."""
    assert list(left.columns) == list(right.columns), (
        list(left.columns),
        list(right.columns),
    )
    assert len(left) == len(right), (len(left), len(right))
    if check_index:
        assert list(left.index) == list(right.index)
    for column in left.columns:
        a, b = left[column].reset_index(drop=True), right[column].reset_index(drop=True)
        if isinstance(a.dtype, gpd.array.GeometryDtype):
            equal = (
                shapely.equals_exact(
                    np.asarray(a.values, dtype=object),
                    np.asarray(b.values, dtype=object),
                    1e-6,
                )
                | (a.isna() & b.isna()).to_numpy()
            )
            assert bool(np.all(equal)), f"geometries differ in {column}"
        else:
            pd.testing.assert_series_equal(a, b, check_dtype=False, check_names=False)
