"""Export layers of a project for the city platform, ArcGIS, QGIS, web maps and Excel.

Formats: shapefile (ASCII field names from the schema, ``.cpg`` and ``.prj`` always, an
alias table with the Chinese names), GeoPackage (1.2, Chinese aliases inside), GeoJSON
(RFC 7946), CSV and XLSX (Chinese headers, codes kept as text). Coordinates in the
stored Gauss–Krüger zone, CGCS2000, WGS 84, GCJ-02 or BD-09. A privacy option leaves
out personal fields (phones, photos). ``by="community"`` or ``"street"`` writes one zip
bundle per unit.

Every export is written into a temporary folder beside the target and moved into place
only when complete: a failed export leaves nothing behind.

Examples
--------
>>> import pathlib, shutil, tempfile
>>> import gridgis
>>> from gridgis.core.store import open_project
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> demo = pathlib.Path(gridgis.__file__).parents[1] / "data" / "demo.gpkg"
>>> _ = shutil.copyfile(demo, folder / "demo.gpkg")
>>> report = export_project(open_project(folder / "demo.gpkg"), folder / "out",
...                         layers=["grids"], fmt="shp", crs="cgcs2000")
>>> sorted(p.name for p in report.files)[:3]
['aliases.csv', 'grids.cpg', 'grids.dbf']
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import os
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from gridgis.core import schema
from gridgis.core.errors import CrsError, ExportError
from gridgis.core.exchange import dbf, tables
from gridgis.core.exchange.bundles import UNITS, units
from gridgis.core.exchange.coords import (
    CoordSystem,
    converter,
    coord_system,
    transform_geometries,
)
from gridgis.core.exchange.flat import FlatShapes, family_of, from_arrow, from_shapely
from gridgis.core.exchange.gpkg import LayerJob, write_gpkg
from gridgis.core.exchange.shapefile import write_shapefile
from gridgis.core.geometry import POLYGONAL, clean_polygons, is_clean
from gridgis.core.i18n import Text
from gridgis.core.progress import Feedback, check
from gridgis.core.schema import FieldType, Layer
from gridgis.core.store import GeoPackageStore, Store

#: Export formats with their file extension and whether they write one file.
FORMATS: dict[str, tuple[str, bool]] = {
    "shp": (".shp", False),
    "gpkg": (".gpkg", True),
    "geojson": (".geojson", False),
    "csv": (".csv", False),
    "xlsx": (".xlsx", True),
}
FORMAT_TITLES: dict[str, Text] = {
    "shp": Text("Shapefile(ArcGIS)", "Shapefile (ArcGIS)"),
    "gpkg": Text("GeoPackage", "GeoPackage"),
    "geojson": Text("GeoJSON(WGS 84,网页地图)", "GeoJSON (WGS 84, web maps)"),
    "csv": Text("CSV 表格", "CSV table"),
    "xlsx": Text("Excel 工作簿", "Excel workbook"),
}
#: Layers exported when none are named: everything a user keeps, in schema order.
DEFAULT_LAYERS: tuple[str, ...] = tuple(
    name for name, lyr in schema.LAYERS.items() if lyr.user_data
)
ALIAS_FILE = "aliases.csv"
#: CRS choices that GeoJSON turns into WGS 84 (CGCS2000 differs by centimetres).
_GEOJSON_DEFAULTS = {"project", "stored", "gk", "cgcs2000", "4490", "epsg:4490"}


@dataclass
class ExportReport:
    """What an export wrote."""

    files: list[Path]
    counts: dict[str, int]
    crs: CoordSystem
    warnings: list[Text] = field(default_factory=list)

    def summary(self) -> Text:
        """A one-paragraph account for the user."""
        counts = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        return Text(
            f"已导出 {len(self.files)} 个文件({counts}),坐标系:{self.crs.label.zh}。",
            f"Wrote {len(self.files)} file(s) ({counts}) in {self.crs.label.en}.",
        )


def export_layers(names: Sequence[str] | None) -> list[str]:
    """Check the layer names of an export; ``None`` means every user layer."""
    if names is None or len(names) == 0:
        return list(DEFAULT_LAYERS)
    out = []
    for name in names:
        schema.layer(name)
        if name not in out:
            out.append(name)
    return out


def exported_layer(
    name: str, *, privacy: bool, fmt: str, with_personal_data: bool = False
) -> Layer:
    """The definition of layer ``name`` as written: personal and unwritable fields out.

    Residents' personal fields stay out unless ``with_personal_data`` asks for them
    (and ``privacy`` is not given).
    """
    lyr = schema.layer(name)
    keep = tuple(
        f
        for f in lyr.fields
        if not (privacy and f.personal)
        and not (lyr.register and f.personal and not with_personal_data)
        and not (fmt in {"shp", "geojson"} and f.type is FieldType.BLOB)
    )
    return dataclasses.replace(lyr, fields=keep)


class _Source:
    """Reads layers of the project once; converts and trims them on demand."""

    def __init__(self, store: Store, target: CoordSystem, project: CoordSystem) -> None:
        self.store = store
        self.target = target
        self.convert = converter(project, target)
        self._raw: dict[str, pd.DataFrame] = {}
        self._converted: dict[str, pd.DataFrame] = {}
        self._as_stored: dict[str, bool] = {}

    def raw(self, name: str) -> pd.DataFrame:
        if name not in self._raw:
            self._raw[name] = self.store.read(name)
        return self._raw[name]

    def as_stored(self, name: str) -> bool:
        """Whether layer ``name`` is written exactly as stored.

        True when there is nothing to convert and its polygons (if any) already pass
        GEOS and QGIS; such layers keep the fast paths (rows copied by SQL, shapes
        passed through as flat WKB).
        """
        if self.convert is not None:
            return False
        if schema.layer(name).geometry not in POLYGONAL:
            return True
        if name not in self._as_stored:
            if isinstance(self.store, GeoPackageStore):
                import pyogrio

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    meta, table = pyogrio.read_arrow(
                        self.store.path, layer=name, columns=[]
                    )
                column = meta["geometry_name"] or "wkb_geometry"
                geoms = shapely.from_wkb(
                    table.column(column).to_numpy(zero_copy_only=False)
                )
            else:
                geoms = np.asarray(self.raw(name).geometry.values, dtype=object)
            present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
            self._as_stored[name] = bool(is_clean(geoms[present]).all())
        return self._as_stored[name]

    def converted(self, name: str) -> pd.DataFrame:
        if name not in self._converted:
            frame = self.raw(name)
            geoms = np.asarray(
                frame.geometry.values if schema.layer(name).is_spatial else [],
                dtype=object,
            )
            if schema.layer(name).geometry in POLYGONAL:
                # Converted once per vertex, snapped and checked: valid for GEOS and
                # QGIS in the target CRS, with shared boundaries still shared.
                geoms = clean_polygons(
                    geoms, convert=self.convert, geographic=self.target.is_geographic
                )
            elif len(geoms) and self.convert is not None:
                geoms = transform_geometries(geoms, self.convert)
            if len(geoms):
                frame = frame.copy()
                frame["geometry"] = geoms
            self._converted[name] = frame
        return self._converted[name]

    def columns(
        self, lyr: Layer, fids: np.ndarray | None
    ) -> tuple[dict[str, Any], FlatShapes | None]:
        """The layer's columns and shapes as arrays, for the shapefile writer.

        From a GeoPackage project they come through GDAL's Arrow reader and flat WKB
        (no pandas rows, no shapely objects), which keeps big exports fast.
        """
        names = [f.name for f in lyr.fields]
        family = family_of(lyr.geometry) if lyr.geometry else None
        if isinstance(self.store, GeoPackageStore):
            import pyogrio

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                meta, table = pyogrio.read_arrow(
                    self.store.path,
                    layer=lyr.name,
                    columns=names,
                    fids=None if fids is None else np.asarray(fids, dtype=np.int64),
                    read_geometry=lyr.is_spatial,
                )
            values = {name: table.column(name) for name in names}
            shapes = None
            if family is not None:
                column = meta["geometry_name"] or "wkb_geometry"
                if lyr.geometry in POLYGONAL and not self.as_stored(lyr.name):
                    # Polygons are cleaned (and converted) as a layer, see converted().
                    wkb = table.column(column).to_numpy(zero_copy_only=False)
                    geoms = clean_polygons(
                        shapely.from_wkb(wkb),
                        convert=self.convert,
                        geographic=self.target.is_geographic,
                    )
                    shapes = from_shapely(geoms, family)
                else:
                    shapes = from_arrow(table.column(column), family).transformed(
                        self.convert
                    )
            return values, shapes
        frame = self.fetch(lyr, fids)()
        values = {name: frame[name] for name in names}
        shapes = None
        if family is not None:
            geoms = np.asarray(frame.geometry.values, dtype=object)
            shapes = from_shapely(geoms, family)
        return values, shapes

    def fetch(self, lyr: Layer, fids: np.ndarray | None) -> Callable[[], pd.DataFrame]:
        def rows() -> pd.DataFrame:
            frame = self.converted(lyr.name)
            if fids is not None:
                frame = frame.loc[fids]
            columns = [f.name for f in lyr.fields]
            if lyr.is_spatial:
                columns.append("geometry")
            return frame[columns]

        return rows


# -- writers -------------------------------------------------------------------------


def _alias_rows(lyr: Layer, names: Sequence[str]) -> list[list[str]]:
    return [
        [lyr.name, lyr.zh, shp_name, fld.name, fld.zh, fld.en, fld.type.value]
        for fld, shp_name in zip(lyr.fields, names, strict=True)
    ]


def _write_aliases(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["layer", "layer_zh", "shp_field", "field", "alias_zh", "alias_en", "type"]
    )
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def _shapefile_names(lyr: Layer, codec: str) -> list[str]:
    """Field names in the file: the schema's short names (never cut, already ASCII)."""
    names = [f.shp if f.shp is not None else f.name for f in lyr.fields]
    return dbf.field_names(names, codec)


def _write_shp(
    folder: Path,
    source: _Source,
    jobs: list[LayerJob],
    target: CoordSystem,
    encoding: str,
    warns: list[Text],
    feedback: Feedback | None,
) -> None:
    enc = dbf.export_encoding(encoding)
    alias_rows: list[list[str]] = []
    for job in jobs:
        check(feedback)
        lyr = job.layer
        values, shapes = source.columns(lyr, job.fids)
        names = _shapefile_names(lyr, enc.codec)
        columns = [
            dbf.Column(name, fld.type, values[fld.name], fld.width)
            for name, fld in zip(names, lyr.fields, strict=True)
        ]
        warns += write_shapefile(
            folder / f"{lyr.name}.shp",
            columns,
            shapes,
            lyr.geometry,
            encoding=enc,
            prj=target.esri_wkt(),
        )
        alias_rows += _alias_rows(lyr, names)
    _write_aliases(folder / ALIAS_FILE, alias_rows)


def _write_geojson(folder: Path, jobs: list[LayerJob], target: CoordSystem) -> None:
    import geopandas as gpd
    import pyogrio

    for job in jobs:
        lyr = job.layer
        frame = job.fetch()
        if lyr.is_spatial:
            data = gpd.GeoDataFrame(
                frame.drop(columns="geometry"),
                geometry=np.asarray(frame.geometry.values, dtype=object),
                crs=4326,
            )
        else:
            data = gpd.GeoDataFrame(
                frame, geometry=np.full(len(frame), None, dtype=object), crs=4326
            )
        data = data.reset_index(drop=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            pyogrio.write_dataframe(
                data,
                folder / f"{lyr.name}.geojson",
                driver="GeoJSON",
                # Nine decimals keep the cleaned coordinates (GDAL's default of seven
                # for RFC 7946 would round vertices into duplicates and folds).
                layer_options={
                    "RFC7946": "YES",
                    "WRITE_NAME": "NO",
                    "COORDINATE_PRECISION": 9,
                },
            )


def _tables(
    folder: Path,
    jobs: list[LayerJob],
    target: CoordSystem,
    headers: str,
    photo_folder: Path,
    *,
    shapes: bool,
) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for job in jobs:
        frame = job.fetch()
        photos = None
        if job.layer.name == "staff" and job.layer.has_field("photo"):
            photos = tables.write_photos(photo_folder, frame)
        out[job.layer.name] = tables.table(
            frame, job.layer, target, headers, photo_files=photos, shapes=shapes
        )
    return out


def _check_target(out: Path, fmt: str, by: str | None, overwrite: bool) -> Path:
    if fmt not in FORMATS:
        raise ExportError(
            f"GridGIS exports {', '.join(FORMATS)}, not '{fmt}'.",
            f"GridGIS 可导出 {', '.join(FORMATS)},不支持“{fmt}”。",
        )
    if by is not None and by not in UNITS:
        raise ExportError(
            f"Bundles are made per community or per street, not per '{by}'.",
            f"只能按社区(community)或街道(street)分包导出,不支持“{by}”。",
        )
    out = Path(out)
    single = FORMATS[fmt][1] and by is None and out.suffix.lower() != ".zip"
    if single and out.suffix.lower() != FORMATS[fmt][0]:
        out = out.with_name(out.name + FORMATS[fmt][0])
    if not out.parent.exists():
        raise ExportError(
            f"The folder {out.parent} does not exist; create it first or choose another.",
            f"文件夹 {out.parent} 不存在;请先创建,或选择其他位置。",
        )
    if out.exists() and not overwrite and (out.is_file() or any(out.iterdir())):
        raise ExportError(
            f"{out} already exists; choose another name or allow overwriting "
            "(--overwrite).",
            f"{out} 已存在;请换一个名称,或允许覆盖(--overwrite)。",
        )
    return out


def _write_one(
    folder: Path,
    name: str,
    fmt: str,
    jobs: list[LayerJob],
    target: CoordSystem,
    *,
    encoding: str,
    headers: str,
    copy_from: Path | None,
    source: _Source,
    warns: list[Text],
    feedback: Feedback | None,
) -> None:
    """Write ``jobs`` in ``fmt`` into ``folder`` (single-file formats as ``name``)."""
    if fmt == "shp":
        _write_shp(folder, source, jobs, target, encoding, warns, feedback)
    elif fmt == "gpkg":
        write_gpkg(folder / name, jobs, target, copy_from=copy_from)
    elif fmt == "geojson":
        _write_geojson(folder, jobs, target)
    elif fmt == "csv":
        for layer_name, data in _tables(
            folder, jobs, target, headers, folder / "photos", shapes=True
        ).items():
            tables.write_csv(folder / f"{layer_name}.csv", data, encoding)
    elif fmt == "xlsx":
        stem = Path(name).stem
        sheets = _tables(
            folder, jobs, target, headers, folder / f"{stem}_photos", shapes=False
        )
        titles: dict[str, pd.DataFrame] = {}
        for layer_name, table in sheets.items():
            lyr = schema.layer(layer_name)
            title = layer_name if headers == "name" else lyr.title(headers)
            titles[title] = table
        tables.write_xlsx(folder / name, titles)


def _zip(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())


def _move(src: Path, dst: Path) -> list[Path]:
    """Move a finished file or folder into place; folders merge file by file."""
    if src.is_dir():
        moved = []
        dst.mkdir(exist_ok=True)
        for path in sorted(src.rglob("*")):
            if path.is_file():
                target = dst / path.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
                moved.append(target)
        return moved
    os.replace(src, dst)
    return [dst]


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def export_project(
    store: Store,
    out: str | Path,
    *,
    layers: Sequence[str] | None = None,
    fmt: str = "gpkg",
    crs: str = "project",
    encoding: str = "utf-8",
    privacy: bool = False,
    with_personal_data: bool = False,
    by: str | None = None,
    headers: str = "zh",
    overwrite: bool = False,
    feedback: Feedback | None = None,
) -> ExportReport:
    """Export layers of a project.

    Parameters
    ----------
    store
        The project.
    out
        Target: a ``.gpkg``/``.xlsx`` file, a folder (shapefile, GeoJSON, CSV, and
        bundles), or a ``.zip`` file holding the whole export.
    layers
        Layer names (default: every user layer).
    fmt
        ``shp``, ``gpkg``, ``geojson``, ``csv`` or ``xlsx``.
    crs
        ``project`` (the stored GK zone), ``cgcs2000``, ``wgs84``, ``gcj02``, ``bd09``
        or an EPSG code. GeoJSON is always longitude/latitude: WGS 84 (RFC 7946), or
        GCJ-02/BD-09 by arrangement with a web-map developer.
    encoding
        Text encoding of shapefiles and CSV: ``utf-8`` (default) or ``gbk``.
    privacy
        Leave out personal fields (phones, photos).
    with_personal_data
        Write residents' names, ID numbers, birth dates and phones (left out by
        default).
    by
        ``community`` or ``street``: one zip bundle per unit in the folder ``out``.
    headers
        CSV/XLSX column headers: ``zh`` (Chinese aliases), ``en`` or ``name``.
    overwrite
        Replace an existing target.
    feedback
        Progress and cancellation.

    Raises
    ------
    ExportError
        Unknown format, target exists, a value the format cannot hold.
    CrsError
        Unknown CRS, or a CRS GeoJSON does not allow.
    """
    names = export_layers(layers)
    project = coord_system("project", project_epsg=store.settings.crs_epsg)
    target = coord_system(crs, project_epsg=store.settings.crs_epsg)
    if fmt == "geojson" and target.key != "wgs84" and target.web is None:
        if str(crs).strip().lower() in _GEOJSON_DEFAULTS:
            target = coord_system("wgs84", project_epsg=store.settings.crs_epsg)
        else:
            raise CrsError(
                "GeoJSON holds longitudes and latitudes in WGS 84 (RFC 7946); choose "
                "--crs wgs84 (or gcj02/bd09 for Chinese web maps), or another format "
                "for projected coordinates.",
                "GeoJSON 只能保存 WGS 84 经纬度(RFC 7946);请选择 --crs wgs84"
                "(国内网页地图可用 gcj02/bd09),或改用其他格式导出投影坐标。",
            )
    if fmt in {"shp", "csv"}:
        dbf.export_encoding(encoding)
    out = _check_target(Path(out), fmt, by, overwrite)
    source = _Source(store, target, project)
    copy_from = (
        store.path
        if fmt == "gpkg"
        and isinstance(store, GeoPackageStore)
        and source.convert is None
        else None
    )
    defs = [
        exported_layer(
            n, privacy=privacy, fmt=fmt, with_personal_data=with_personal_data
        )
        for n in names
    ]
    warns: list[Text] = []
    work = Path(tempfile.mkdtemp(prefix=".gridgis-export-", dir=out.parent))
    try:
        files: list[Path] = []
        counts: dict[str, int] = {}
        if by is None:
            check(feedback)
            jobs = [
                LayerJob(d, source.fetch(d, None), None, source.as_stored(d.name))
                for d in defs
            ]
            inner = work / "export"
            inner.mkdir()
            _write_one(
                inner,
                out.name
                if FORMATS[fmt][1] and out.suffix != ".zip"
                else f"{_safe(out.stem)}{FORMATS[fmt][0]}",
                fmt,
                jobs,
                target,
                encoding=encoding,
                headers=headers,
                copy_from=copy_from,
                source=source,
                warns=warns,
                feedback=feedback,
            )
            counts = {d.name: store.count(d.name) for d in defs}
            if out.suffix.lower() == ".zip":
                _zip(inner, work / "bundle.zip")
                produced = [(work / "bundle.zip", out)]
            elif FORMATS[fmt][1]:
                produced = [(inner / out.name, out)]
                produced += [
                    (p, out.parent / p.name) for p in inner.iterdir() if p.is_dir()
                ]
            else:
                produced = [(inner, out)]
        else:
            bundle_units = units(by, source.raw, names)
            inner_root = work / "bundles"
            inner_root.mkdir()
            for k, unit in enumerate(bundle_units):
                check(feedback)
                if feedback is not None:
                    feedback.set_progress(100.0 * k / len(bundle_units))
                jobs = [
                    LayerJob(
                        d,
                        source.fetch(d, unit.fids[d.name]),
                        unit.fids[d.name],
                        source.as_stored(d.name),
                    )
                    for d in defs
                ]
                inner = work / f"unit{k}"
                inner.mkdir()
                _write_one(
                    inner,
                    f"{unit.code}{FORMATS[fmt][0]}",
                    fmt,
                    jobs,
                    target,
                    encoding=encoding,
                    headers=headers,
                    copy_from=copy_from,
                    source=source,
                    warns=warns,
                    feedback=feedback,
                )
                _zip(inner, inner_root / f"{unit.code}_{_safe(unit.name)}.zip")
                for d in defs:
                    counts[d.name] = counts.get(d.name, 0) + len(unit.fids[d.name])
            produced = [(inner_root, out)]
        for src, dst in produced:
            files += _move(src, dst)
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(work)
    if feedback is not None:
        feedback.set_progress(100.0)
    return ExportReport(files, counts, target, warns)
