"""Writing GeoPackages for other programs: the chosen layers, in the chosen CRS.

The exported file uses the same structure as a GridGIS project (GeoPackage 1.2, written
through SQLite by :mod:`gridgis.core.store.gpkg_ddl`), so it passes the system GDAL's
``validate_gpkg.py``, opens in QGIS 3.22 without a version warning and carries the
Chinese field aliases in ``gpkg_data_columns``. It has no GridGIS settings: it is data
for others, not a project. When the layers stay in the project's CRS, rows are copied
from the project file by SQL, geometry blobs and spatial index included.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from gridgis.core import schema
from gridgis.core.exchange.coords import CoordSystem
from gridgis.core.schema import FieldType, Layer
from gridgis.core.store import gpkg_ddl as ddl
from gridgis.core.store import gpkgblob

#: ``srs_id`` of the web-map systems, which have no EPSG code.
WEB_SRS_IDS = {"gcj02": 990002, "bd09": 990009}


@dataclass(frozen=True)
class LayerJob:
    """One layer to write: its (possibly reduced) definition and where its rows are."""

    layer: Layer
    fetch: Callable[[], pd.DataFrame]
    """Rows in the target CRS, only the layer's fields (plus geometry)."""
    fids: np.ndarray | None
    """Fids of the rows in the project file (``None``: all rows)."""
    copy: bool = True
    """Whether the rows may be copied from the project file as they are (not when
    their polygons need cleaning)."""


def srs_id(target: CoordSystem) -> int:
    """The ``srs_id`` that geometries in ``target`` carry."""
    if target.epsg is not None:
        return target.epsg
    return WEB_SRS_IDS[target.key]


def _register_srs(conn: sqlite3.Connection, target: CoordSystem) -> int:
    if target.epsg is not None:
        ddl.add_srs(conn, target.epsg)
        return target.epsg
    srs = WEB_SRS_IDS[target.key]
    conn.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, 'GRIDGIS', ?, ?, ?)",
        (target.label.en, srs, srs, target.ogc_wkt(), target.label.get("zh")),
    )
    return srs


def _sql_values(series: pd.Series, kind: FieldType) -> list[Any]:
    if kind is FieldType.TEXT:
        return series.astype(object).where(series.notna(), None).tolist()
    if kind is FieldType.INTEGER:
        ints = series.astype("Int64")
        return [
            None if missing else int(v)
            for v, missing in zip(ints, ints.isna(), strict=True)
        ]
    if kind is FieldType.REAL:
        return [None if v != v else float(v) for v in series.to_numpy(dtype=float)]
    if kind is FieldType.BOOLEAN:
        bools = series.astype("boolean")
        return [
            None if missing else int(bool(v))
            for v, missing in zip(bools, bools.isna(), strict=True)
        ]
    if kind is FieldType.DATETIME:
        return [
            None
            if pd.isna(v)
            else pd.Timestamp(v).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            for v in series
        ]
    return [None if v is None else bytes(v) for v in series]


def _copy_rows(conn: sqlite3.Connection, job: LayerJob, names: list[str]) -> None:
    """Copy rows from the attached project file (same CRS): no decoding at all."""
    table = ddl.quote(job.layer.name)
    columns = ", ".join(map(ddl.quote, names))
    condition = ""
    if job.fids is not None:
        conn.execute("DELETE FROM temp.gridgis_fids")
        conn.executemany(
            "INSERT INTO temp.gridgis_fids VALUES (?)",
            ((int(f),) for f in job.fids),
        )
        condition = " WHERE fid IN (SELECT fid FROM temp.gridgis_fids)"
    conn.execute(
        f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM source.{table}"
        + condition
    )
    if job.layer.is_spatial:
        rtree = ddl.quote(ddl.rtree_name(job.layer.name))
        where = condition.replace("fid IN", "id IN")
        conn.execute(f"INSERT INTO main.{rtree} SELECT * FROM source.{rtree}" + where)


def _insert_rows(conn: sqlite3.Connection, job: LayerJob, srs: int) -> None:
    frame = job.fetch()
    lyr = job.layer
    names = [f.name for f in lyr.fields]
    columns = [_sql_values(frame[f.name], f.type) for f in lyr.fields]
    fids = [int(f) for f in frame.index]
    sql_names = ["fid", *names]
    values: list[list[Any]] = [fids, *columns]
    if lyr.is_spatial:
        geoms = np.asarray(frame.geometry.values, dtype=object)
        values.append(gpkgblob.encode(geoms, srs))
        sql_names.append(schema.GEOMETRY_COLUMN)
    conn.executemany(
        f"INSERT INTO {ddl.quote(lyr.name)} ({', '.join(map(ddl.quote, sql_names))}) "
        f"VALUES ({', '.join('?' * len(sql_names))})",
        zip(*values, strict=True),
    )
    if lyr.is_spatial:
        keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        bounds = shapely.bounds(geoms[keep])
        conn.executemany(
            f"INSERT INTO {ddl.quote(ddl.rtree_name(lyr.name))} VALUES (?, ?, ?, ?, ?)",
            zip(
                np.asarray(fids, dtype=np.int64)[keep].tolist(),
                bounds[:, 0].tolist(),
                bounds[:, 2].tolist(),
                bounds[:, 1].tolist(),
                bounds[:, 3].tolist(),
                strict=True,
            ),
        )


def write_gpkg(
    path: Path,
    jobs: list[LayerJob],
    target: CoordSystem,
    *,
    copy_from: Path | None = None,
) -> None:
    """Write ``jobs`` into a new GeoPackage at ``path`` in one SQLite transaction.

    Parameters
    ----------
    copy_from
        The project file, when ``target`` is its CRS: rows are then copied by SQL.
    """
    conn = sqlite3.connect(str(path), isolation_level=None)
    gpkgblob.register_functions(conn)
    try:
        if copy_from is not None:
            conn.execute("ATTACH DATABASE ? AS source", (f"file:{copy_from}?mode=ro",))
        conn.execute("CREATE TEMP TABLE gridgis_fids (fid INTEGER PRIMARY KEY)")
        conn.execute("BEGIN")
        ddl.create_core(conn, target.epsg if target.epsg is not None else 4326)
        srs = _register_srs(conn, target)
        for job in jobs:
            lyr = job.layer
            ddl.create_layer(conn, lyr, srs)
            # Bulk load first, index afterwards: several times faster for big layers.
            indexes = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                "tbl_name = ? AND sql IS NOT NULL",
                (lyr.name,),
            ).fetchall()
            for name, _ in indexes:
                conn.execute(f"DROP INDEX {ddl.quote(name)}")
            if lyr.is_spatial:
                ddl.drop_rtree_triggers(conn, lyr.name)
            if copy_from is not None and job.copy:
                names = ["fid", *([schema.GEOMETRY_COLUMN] if lyr.is_spatial else [])]
                _copy_rows(conn, job, names + [f.name for f in lyr.fields])
            else:
                _insert_rows(conn, job, srs)
            for _, sql in indexes:
                conn.execute(sql)
            if lyr.is_spatial:
                ddl.create_rtree_triggers(conn, lyr.name)
                extent = conn.execute(
                    "SELECT min(minx), min(miny), max(maxx), max(maxy) FROM "
                    f"{ddl.quote(ddl.rtree_name(lyr.name))}"
                ).fetchone()
                conn.execute(
                    "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, "
                    "max_y = ? WHERE table_name = ?",
                    (*extent, lyr.name),
                )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
