"""Reading the files offices bring: shapefiles, GeoPackages, GeoJSON, KML, CSV and Excel.

:func:`open_source` reads one layer of a file into a frame of its own columns and
geometries and finds out, or is told, two things that files often do not say: the text
encoding (GBK shapefiles without ``.cpg``) and the coordinate system (no ``.prj``, web
maps' GCJ-02). It also recognises coordinate columns in tables, including the surveying
habit of calling the northing X.
"""

from __future__ import annotations

import contextlib
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from gridgis.core.errors import CrsError, InputFileError
from gridgis.core.exchange import dbf
from gridgis.core.exchange.coords import CoordSystem, coord_system, from_crs
from gridgis.core.i18n import Text

#: File types GridGIS imports, by extension.
SOURCE_FORMATS = {
    ".shp": "shp",
    ".dbf": "shp",
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "geojson",
    ".kml": "kml",
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
}
TABLE_FORMATS = ("csv", "xlsx")

_X_NAMES = ("x", "lon", "lng", "long", "longitude", "经度", "x坐标", "横坐标", "东坐标",
            "easting", "东向坐标", "point_x")  # fmt: skip
_Y_NAMES = ("y", "lat", "latitude", "纬度", "y坐标", "纵坐标", "北坐标", "northing",
            "北向坐标", "point_y")  # fmt: skip
_WKT_NAMES = ("wkt", "geometry", "geom", "shape", "几何", "图形", "坐标串")


def normalise(name: object) -> str:
    """A column name folded for matching: half-width, lower case, no spaces or marks."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    for bracket in ("(", "["):
        if bracket in text and not text.startswith(bracket):
            text = text.split(bracket, 1)[0]
    return "".join(c for c in text if c.isalnum())


@dataclass
class SourceData:
    """One layer of a file, read: its columns, geometries, CRS and encoding."""

    path: Path
    format: str
    layer: str | None
    frame: pd.DataFrame
    """The file's columns (and ``geometry`` when it has shapes), indexed 0 … n-1."""
    crs: CoordSystem | None
    crs_how: Text
    encoding: str | None = None
    encoding_how: Text | None = None
    header_rows: int = 0
    """Rows above the first data row in the file (1 for CSV/Excel headers)."""
    notes: tuple[Text, ...] = ()
    rows: np.ndarray | None = None
    """Explicit row numbers, when the frame is a selection of the file's rows."""

    @property
    def columns(self) -> list[str]:
        """The attribute columns (without geometry)."""
        return [str(c) for c in self.frame.columns if c != "geometry"]

    @property
    def is_spatial(self) -> bool:
        """Whether the rows have shapes."""
        return "geometry" in self.frame.columns

    def row_number(self, position: int) -> int:
        """The row (or feature) number a user sees for data row ``position`` (0-based)."""
        if self.rows is not None:
            return int(self.rows[position])
        return position + 1 + self.header_rows


def check_path(path: Path) -> str:
    """The format of the file at ``path``; a clear error if it cannot be imported."""
    if not path.exists():
        raise InputFileError(
            f"There is no file at {path}. Check the path and the file name.",
            f"找不到文件 {path},请检查路径和文件名。",
        )
    if path.is_dir():
        raise InputFileError(
            f"{path} is a folder; give the path of a file (.shp, .gpkg, .geojson, .kml, "
            ".csv or .xlsx).",
            f"{path} 是文件夹;请指定文件(.shp、.gpkg、.geojson、.kml、.csv 或 .xlsx)。",
        )
    fmt = SOURCE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputFileError(
            f"GridGIS cannot import {path.suffix or 'files without extension'} files. "
            "Convert it to shapefile, GeoPackage, GeoJSON, KML, CSV or XLSX.",
            f"GridGIS 无法导入 {path.suffix or '无扩展名'} 文件。请先转换为 Shapefile、"
            "GeoPackage、GeoJSON、KML、CSV 或 XLSX。",
        )
    if path.stat().st_size == 0:
        raise InputFileError(
            f"{path.name} is empty (0 bytes).",
            f"{path.name} 是空文件(0 字节)。",
        )
    if fmt == "shp" and path.suffix.lower() == ".shp":
        for ext in (".dbf", ".shx"):
            sidecar = _sidecar(path, ext)
            if sidecar is None:
                raise InputFileError(
                    f"The shapefile {path.name} is missing its {ext} file "
                    f"({path.stem}{ext}); a shapefile is several files with one name. "
                    f"Copy {path.stem}{ext} next to it and try again.",
                    f"Shapefile {path.name} 缺少 {ext} 文件({path.stem}{ext});"
                    f"Shapefile 由多个同名文件组成,请把 {path.stem}{ext} 复制到同一文件夹后重试。",
                )
    return fmt


def _sidecar(path: Path, ext: str) -> Path | None:
    """The file beside ``path`` with extension ``ext`` in any letter case."""
    for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    wanted = (path.stem + ext).lower()
    for candidate in path.parent.iterdir():
        if candidate.name.lower() == wanted:
            return candidate
    return None


def shape_count(shp: Path) -> int:
    """The number of records of a ``.shp`` file, read from its record headers."""
    count = 0
    with shp.open("rb") as handle:
        size = shp.stat().st_size
        offset = 100
        while offset + 8 <= size:
            handle.seek(offset + 4)
            length = int.from_bytes(handle.read(4), "big")
            offset += 8 + 2 * length
            count += 1
    return count


def check_record_counts(path: Path) -> None:
    """Refuse a shapefile whose ``.shp`` and ``.dbf`` hold different numbers of rows."""
    table = _sidecar(path, ".dbf") or path.with_suffix(".dbf")
    if path.suffix.lower() != ".shp" or not table.exists():
        return  # a table alone (.dbf) has no shapes to count
    shapes = shape_count(path)
    records = dbf.read_header(table).records
    for name, rows, sample in dbf.unreadable_numbers(table):
        listed = ", ".join(str(r + 1) for r in rows[:10]) + (
            " …" if len(rows) > 10 else ""
        )
        text = sample.decode("gb18030", errors="replace")
        raise InputFileError(
            f"The numeric field {name} of {table.name} holds values that are not "
            f"numbers (such as '{text}') in {len(rows)} row(s): {listed}. Write them as "
            "digits in the file and import again.",
            f"{table.name} 的数值字段 {name} 中有 {len(rows)} 行不是数字(例如“{text}”):"
            f"第 {listed} 行。请在文件中改为阿拉伯数字后重新导入。",
        )
    if shapes != records:
        raise InputFileError(
            f"{path.name} holds {shapes} shapes but {table.name} holds {records} "
            "records: the two files do not belong together, or one was cut short. "
            "Nothing was imported; export the layer again from the program that made "
            "it.",
            f"{path.name} 有 {shapes} 个图形,而 {table.name} 有 {records} 条记录:"
            "两个文件不配套,或其中一个不完整。未导入任何内容;请从原软件重新导出该图层。",
        )


def source_layers(path: str | Path) -> list[str]:
    """The layers of a GeoPackage or KML file (one name for single-layer files)."""
    import pyogrio

    path = Path(path)
    fmt = check_path(path)
    if fmt not in {"gpkg", "kml"}:
        return [path.stem]
    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # GDAL raises its own error types
        raise InputFileError(
            f"{path.name} cannot be read ({exc}).",
            f"无法读取 {path.name}({exc})。",
        ) from None


# -- coordinates --------------------------------------------------------------------


def describe_coordinates(x: np.ndarray, y: np.ndarray) -> Text:
    """What raw coordinates look like, and which ``--crs`` fits them."""
    x = x[np.isfinite(x)]
    y = y[np.isfinite(y)]
    if len(x) == 0:
        return Text("没有坐标。", "There are no coordinates.")
    mx, my = float(np.median(x)), float(np.median(y))
    if 73 <= mx <= 136 and 3 <= my <= 54:
        return Text(
            f"坐标形如经纬度(约 {mx:.3f}, {my:.3f}):GPS 数据用 --crs wgs84,"
            "国家 2000 经纬度用 --crs cgcs2000,高德/腾讯地图上采集的用 --crs gcj02,"
            "百度地图上采集的用 --crs bd09。",
            f"The coordinates look like longitude/latitude (about {mx:.3f}, {my:.3f}): "
            "use --crs wgs84 for GPS data, --crs cgcs2000 for CGCS2000, --crs gcj02 "
            "for points taken from Amap or Tencent maps, --crs bd09 for Baidu maps.",
        )
    if 13e6 <= mx < 46e6 and 1e6 <= my <= 7e6:
        zone = int(mx // 1e6)
        epsg = 4513 + zone - 25
        return Text(
            f"坐标形如带带号的高斯-克吕格 3 度带米制坐标(第 {zone} 带):请用 --crs {epsg}。",
            f"The coordinates look like Gauss–Krüger 3° metres with the zone number "
            f"{zone} in front of the easting: use --crs {epsg}.",
        )
    if 1e5 <= mx < 1e6 and 1e6 <= my <= 7e6:
        return Text(
            "坐标形如不带带号的高斯-克吕格 3 度带米制坐标:请用 --crs 指定所在带,"
            "如中央经线 120°E 为 --crs 4549(EPSG:4534–4554 对应 75°E–135°E)。",
            "The coordinates look like Gauss–Krüger 3° metres without a zone number: "
            "name the zone with --crs, e.g. --crs 4549 for central meridian 120°E "
            "(EPSG:4534–4554 cover 75°E–135°E).",
        )
    return Text(
        f"坐标(约 {mx:.1f}, {my:.1f})不像国家 2000、WGS 84 或网页地图坐标;"
        "可能是地方独立坐标系,请先在原软件中转换为国家 2000 坐标。",
        f"The coordinates (about {mx:.1f}, {my:.1f}) look like none of CGCS2000, "
        "WGS 84 or web-map coordinates; they may be in a local grid. Convert them to "
        "CGCS2000 in the program that made them.",
    )


def _xy(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return np.zeros(0), np.zeros(0)
    sample = geoms[present][:: max(1, int(present.sum()) // 5000)]
    coords = shapely.get_coordinates(sample)
    return coords[:, 0], coords[:, 1]


# -- tables -------------------------------------------------------------------------


def _read_csv(path: Path, encoding: str | None) -> tuple[pd.DataFrame, str, Text]:
    raw = path.read_bytes()
    if encoding is None:
        for codec in ("utf-8-sig", "gb18030"):
            try:
                raw.decode(codec)
            except UnicodeDecodeError:
                continue
            encoding = codec
            break
        else:
            raise InputFileError(
                f"{path.name} is neither UTF-8 nor GBK text; name its encoding with "
                "--encoding.",
                f"{path.name} 既不是 UTF-8 也不是 GBK 文本;请用 --encoding 指定编码。",
            )
        how = Text(
            f"编码 {'UTF-8' if encoding == 'utf-8-sig' else 'GBK/GB18030'}(按内容识别)",
            f"encoding {'UTF-8' if encoding == 'utf-8-sig' else 'GBK/GB18030'} "
            "(recognised from the text)",
        )
    else:
        how = Text(f"编码 {encoding}(指定)", f"encoding {encoding} (as given)")
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputFileError(
            f"{path.name} cannot be read as {encoding} ({exc}).",
            f"无法按 {encoding} 编码读取 {path.name}({exc})。",
        ) from None
    import io

    sample = text[:4096]
    sep = "\t" if sample.count("\t") > sample.count(",") else ","
    frame = pd.read_csv(
        io.StringIO(text),
        sep=sep,
        dtype=str,
        keep_default_na=False,
        skipinitialspace=True,
    )
    frame = frame.replace({"": None})
    return frame, encoding, how


def _read_xlsx(path: Path, sheet: str | None) -> tuple[pd.DataFrame, str]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds
        raise InputFileError(
            f"{path.name} is not a readable Excel workbook ({exc}). Save it as .xlsx "
            "from Excel or WPS.",
            f"{path.name} 不是可读取的 Excel 工作簿({exc})。请在 Excel 或 WPS 中另存为 .xlsx。",
        ) from None
    try:
        names = book.sheetnames
        name = sheet if sheet is not None else names[0]
        if name not in names:
            raise InputFileError(
                f"{path.name} has no sheet '{name}'; its sheets are {', '.join(names)}.",
                f"{path.name} 中没有工作表“{name}”;现有工作表:{', '.join(names)}。",
            )
        rows = list(book[name].iter_rows(values_only=True))
    finally:
        book.close()
    rows = [r for r in rows if any(v is not None and str(v).strip() for v in r)]
    if not rows:
        return pd.DataFrame(), name
    head = [
        str(v).strip() if v is not None else f"column{k + 1}"
        for k, v in enumerate(rows[0])
    ]
    body = [list(r) + [None] * (len(head) - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=head, dtype=object)
    frame = frame.map(lambda v: v.strip() or None if isinstance(v, str) else v)
    return frame, name


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    wanted = {normalise(n) for n in names}
    for column in columns:
        if normalise(column) in wanted:
            return column
    return None


def _numbers(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def _table_geometry(frame: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, list[Text]]:
    """Turn coordinate or WKT columns into a geometry column (if there are any)."""
    columns = [str(c) for c in frame.columns]
    notes: list[Text] = []
    wkt = _find(columns, _WKT_NAMES)
    xcol, ycol = _find(columns, _X_NAMES), _find(columns, _Y_NAMES)
    if wkt is not None:
        texts = frame[wkt].astype(object).where(frame[wkt].notna(), None)
        try:
            geoms = shapely.from_wkt(
                np.asarray(texts, dtype=object), on_invalid="raise"
            )
        except shapely.errors.GEOSException as exc:
            raise InputFileError(
                f"The column {wkt} of {path.name} holds text that is not WKT ({exc}).",
                f"{path.name} 的 {wkt} 列含有不是 WKT 的内容({exc})。",
            ) from None
        out = gpd.GeoDataFrame(frame.drop(columns=[wkt]), geometry=geoms)
        return out, notes
    if xcol is None or ycol is None:
        return frame, notes
    x, y = _numbers(frame[xcol]), _numbers(frame[ycol])
    bad = (np.isnan(x) | np.isnan(y)) & (
        frame[xcol].notna() | frame[ycol].notna()
    ).to_numpy()
    if bad.any():
        rows = [int(i) + 2 for i in np.flatnonzero(bad)[:5]]
        raise InputFileError(
            f"Columns {xcol}/{ycol} of {path.name} hold values that are not numbers in "
            f"{int(bad.sum())} row(s), for example rows {rows}.",
            f"{path.name} 的 {xcol}/{ycol} 列有 {int(bad.sum())} 行不是数字(例如第 {rows} 行)。",
        )
    if np.isnan(x).all():
        return frame.drop(columns=[xcol, ycol]), notes
    mx, my = float(np.nanmedian(x)), float(np.nanmedian(y))
    swap = (1e6 <= mx <= 7e6 and (1e5 <= my < 1e6 or 13e6 <= my < 46e6)) or (
        3 <= mx <= 54 and 73 <= my <= 136
    )
    if swap:
        x, y = y, x
        notes.append(
            Text(
                f"{xcol}/{ycol} 列按测量习惯为北、东坐标(或纬度、经度),已交换为东、北坐标。",
                f"Columns {xcol}/{ycol} were in surveying order (northing first, or "
                "latitude first); they were swapped to easting/northing.",
            )
        )
    present = ~(np.isnan(x) | np.isnan(y))
    geoms = np.full(len(x), None, dtype=object)
    geoms[present] = shapely.points(x[present], y[present])
    out = gpd.GeoDataFrame(frame.drop(columns=[xcol, ycol]), geometry=geoms)
    return out, notes


# -- opening ------------------------------------------------------------------------


@contextlib.contextmanager
def _kml_names(fmt: str) -> Iterator[None]:
    """Keep Chinese field names of KML ExtendedData (GDAL's LIBKML replaces them)."""
    import pyogrio

    if fmt != "kml":
        yield
        return
    key = "LIBKML_LAUNDER_FIELD_NAMES"
    before = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: "NO"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: before})


def open_source(
    path: str | Path,
    *,
    project_epsg: int,
    layer: str | None = None,
    encoding: str | None = None,
    crs: str | None = None,
) -> SourceData:
    """Read one layer of a file to import.

    Parameters
    ----------
    path
        The file (.shp, .gpkg, .geojson/.json, .kml, .csv/.txt, .xlsx).
    project_epsg
        The project's CRS (for ``crs="project"``).
    layer
        The layer of a GeoPackage or KML file, or the sheet of a workbook.
    encoding
        The text encoding, when the file does not say it right (default: detected).
    crs
        The coordinate system the coordinates are really in (``gcj02`` for points
        taken from Amap, ``4549`` …); default: what the file says.

    Raises
    ------
    InputFileError
        Missing, empty, broken or unsupported files, and files without rows.
    CrsError
        An unknown CRS name.
    """
    import pyogrio

    path = Path(path)
    fmt = check_path(path)
    declared = (
        coord_system(crs, project_epsg=project_epsg) if crs not in (None, "") else None
    )
    notes: list[Text] = []
    enc_how: Text | None = None
    codec: str | None = encoding
    header_rows = 0
    name = layer
    if fmt in TABLE_FORMATS:
        if fmt == "csv":
            frame, codec, enc_how = _read_csv(path, encoding)
        else:
            frame, name = _read_xlsx(path, layer)
        header_rows = 1
        frame, notes = _table_geometry(frame, path)
        file_crs: CoordSystem | None = None
    else:
        if fmt == "shp":
            check_record_counts(path)
            if encoding is None:
                guess = dbf.detect_encoding(
                    _sidecar(path, ".dbf") or path.with_suffix(".dbf"),
                    _sidecar(path, ".cpg"),
                )
                codec, enc_how = guess.codec, guess.how
            else:
                codec = dbf.check_encoding(
                    _sidecar(path, ".dbf") or path.with_suffix(".dbf"), encoding
                )
                enc_how = Text(
                    f"编码 {encoding}(指定)", f"encoding {encoding} (as given)"
                )
        if fmt in {"gpkg", "kml"}:
            layers = source_layers(path)
            if name is None:
                if len(layers) > 1:
                    raise InputFileError(
                        f"{path.name} holds several layers ({', '.join(layers)}); "
                        "say which one to import.",
                        f"{path.name} 包含多个图层({', '.join(layers)});请指定要导入的图层。",
                    )
                name = layers[0] if layers else None
            elif name not in layers:
                raise InputFileError(
                    f"{path.name} has no layer '{name}'; its layers are "
                    f"{', '.join(layers)}.",
                    f"{path.name} 中没有图层“{name}”;现有图层:{', '.join(layers)}。",
                )
        try:
            with warnings.catch_warnings(), _kml_names(fmt):
                warnings.simplefilter("ignore", RuntimeWarning)
                frame = pyogrio.read_dataframe(
                    path, layer=name, encoding=codec if fmt == "shp" else None
                )
        except Exception as exc:  # GDAL raises its own error types
            raise InputFileError(
                f"{path.name} cannot be read ({exc}). Check that the file is complete; "
                "export it again from the program that made it.",
                f"无法读取 {path.name}({exc})。请检查文件是否完整,或从原软件重新导出。",
            ) from None
        file_crs = None
        if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
            file_crs = from_crs(
                CRS.from_user_input(frame.crs), project_epsg=project_epsg
            )
        elif fmt == "shp" and _sidecar(path, ".prj") is not None:
            prj = _sidecar(path, ".prj")
            assert prj is not None
            try:
                file_crs = from_crs(
                    CRS.from_wkt(prj.read_text(errors="replace")),
                    project_epsg=project_epsg,
                )
            except ProjCRSError:
                raise CrsError(
                    f"{prj.name} does not describe a coordinate system PROJ can read. "
                    "Name the CRS the coordinates are in with --crs (e.g. 4549, "
                    "cgcs2000, gcj02).",
                    f"{prj.name} 中的坐标系描述无法识别。请用 --crs 指定数据所用坐标系"
                    "(如 4549、cgcs2000、gcj02)。",
                ) from None
        if fmt == "kml":
            if file_crs is None:
                file_crs = coord_system("wgs84", project_epsg=project_epsg)
            # KML readers add a dozen styling columns; keep those that hold data.
            frame = frame.dropna(axis="columns", how="all")
        if isinstance(frame, gpd.GeoDataFrame):
            geoms = np.asarray(frame.geometry.values, dtype=object)
            frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
            frame["geometry"] = geoms
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    if len(frame) == 0:
        raise InputFileError(
            f"{path.name}{f' ({name})' if name and fmt != 'shp' else ''} has no rows "
            "or features to import.",
            f"{path.name}{f'({name})' if name and fmt != 'shp' else ''} 中没有可导入的数据。",
        )
    if declared is not None:
        system: CoordSystem | None = declared
        how = Text(
            f"坐标系 {declared.label.zh}(指定)", f"CRS {declared.label.en} (as given)"
        )
        if file_crs is not None and file_crs.key != declared.key:
            how = Text(
                f"坐标系 {declared.label.zh}(指定;文件写的是 {file_crs.label.zh})",
                f"CRS {declared.label.en} (as given; the file says {file_crs.label.en})",
            )
    elif file_crs is not None:
        system = file_crs
        how = Text(
            f"坐标系 {file_crs.label.zh}(文件中)",
            f"CRS {file_crs.label.en} (from the file)",
        )
    else:
        system = None
        how = Text("坐标系未知", "CRS unknown")
    if isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame.drop(columns="geometry")).assign(
            geometry=np.asarray(frame.geometry.values, dtype=object)
        )
    return SourceData(
        path=path,
        format=fmt,
        layer=name,
        frame=frame,
        crs=system,
        crs_how=how,
        encoding=codec,
        encoding_how=enc_how,
        header_rows=header_rows,
        notes=tuple(notes),
    )


def require_crs(source: SourceData) -> CoordSystem:
    """The source's CRS; a :class:`CrsError` saying what to do when it is unknown."""
    if source.crs is not None:
        return source.crs
    hint = describe_coordinates(*_xy(source.frame))
    raise CrsError(
        f"{source.path.name} does not say which coordinate system it uses (no .prj or "
        f"CRS in the file). Name it with --crs. {hint.en}",
        f"{source.path.name} 没有说明所用坐标系(缺少 .prj 或坐标系信息)。"
        f"请用 --crs 指定。{hint.zh}",
    )


def source_xy(source: SourceData) -> tuple[np.ndarray, np.ndarray]:
    """A sample of the raw coordinates of a source (for hints)."""
    return _xy(source.frame)
