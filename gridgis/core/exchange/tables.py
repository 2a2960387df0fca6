"""Layers as plain tables for Excel, WPS and CSV readers.

Headers are the schema's Chinese (or English) aliases, choice values become their
labels (居民网格 rather than ``residential``), points get coordinate columns and other
geometries a WKT column. CSV files start with a byte-order mark so that Excel opens the
Chinese text as UTF-8; XLSX cells holding codes and phone numbers are text, so Excel
neither drops leading zeros nor turns 15-digit grid codes into 3.20599E+14.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from gridgis.core.errors import ExportError
from gridgis.core.exchange.coords import CoordSystem
from gridgis.core.schema import FieldType, Layer

#: Excel's limits.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELL = 32_767

#: Header languages: Chinese aliases, English aliases, stored field names.
HEADERS = ("zh", "en", "name")

_BOOL_TEXT = {"zh": ("是", "否"), "en": ("yes", "no"), "name": ("true", "false")}
_COORD_HEADERS = {
    # (geographic, projected) × header language
    "zh": (("经度", "纬度"), ("X坐标", "Y坐标")),
    "en": (("longitude", "latitude"), ("X (easting)", "Y (northing)")),
    "name": (("lon", "lat"), ("x", "y")),
}
WKT_HEADER = "WKT"


def _check_headers(headers: str) -> None:
    if headers not in HEADERS:
        raise ValueError(f"headers must be one of {HEADERS}, got {headers!r}")


def header(lyr: Layer, name: str, headers: str) -> str:
    """The column header of field ``name`` in ``headers`` language."""
    _check_headers(headers)
    fld = lyr.field(name)
    return fld.name if headers == "name" else fld.alias(headers)


def coordinate_headers(target: CoordSystem, headers: str) -> tuple[str, str]:
    """Headers of the X and Y columns of point layers."""
    _check_headers(headers)
    geographic, projected = _COORD_HEADERS[headers]
    return geographic if target.is_geographic else projected


def _labels(series: pd.Series, choices: Any, headers: str) -> pd.Series:
    if headers == "name":
        return series
    mapping = {m.value: m.label.get(headers) for m in choices}
    return series.map(lambda v: mapping.get(v, v) if isinstance(v, str) else v)


def _yes_no(series: pd.Series, yes: str, no: str) -> pd.Series:
    return series.map(lambda v: None if v is pd.NA else (yes if v else no))


def table(
    frame: pd.DataFrame,
    lyr: Layer,
    target: CoordSystem,
    headers: str = "zh",
    *,
    photo_files: Mapping[int, str] | None = None,
    shapes: bool = True,
) -> pd.DataFrame:
    """``frame`` (fields of ``lyr`` and geometry) as a flat table for CSV and Excel.

    Parameters
    ----------
    shapes
        Lines and polygons as a WKT column (CSV); ``False`` gives the coordinates of a
        label point inside each shape instead (Excel cells cannot hold big shapes).
    photo_files
        File names of exported photos by fid, for the photo column of staff.
    """
    _check_headers(headers)
    out: dict[str, pd.Series] = {}
    for fld in lyr.fields:
        title = header(lyr, fld.name, headers)
        if fld.type is FieldType.BLOB:
            if photo_files is not None:
                out[title] = pd.Series(
                    [photo_files.get(int(fid)) for fid in frame.index],
                    index=frame.index,
                    dtype=object,
                )
            continue
        series = frame[fld.name]
        if fld.choices is not None:
            series = _labels(series, fld.choices, headers)
        elif fld.type is FieldType.BOOLEAN:
            series = _yes_no(series, *_BOOL_TEXT[headers])
        elif fld.type is FieldType.DATETIME:
            series = series.map(
                lambda v: None if pd.isna(v) else v.isoformat(timespec="milliseconds")
            )
        out[title] = series
    result = pd.DataFrame(out, index=frame.index)
    if lyr.is_spatial:
        geoms = np.asarray(frame.geometry.values, dtype=object)
        # Nine decimals of a degree keep cleaned coordinates as they are (eight would
        # round neighbouring vertices into duplicates and folds).
        digits = 9 if target.is_geographic else 3
        present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if lyr.geometry == "Point" or not shapes:
            x_title, y_title = coordinate_headers(target, headers)
            if lyr.geometry != "Point":
                prefix = {"zh": "标注点", "en": "label point ", "name": "label_"}[
                    headers
                ]
                x_title, y_title = prefix + x_title, prefix + y_title
                labels = np.full(len(geoms), None, dtype=object)
                labels[present] = shapely.point_on_surface(geoms[present])
                geoms = labels
            x = np.full(len(geoms), np.nan)
            y = np.full(len(geoms), np.nan)
            x[present] = shapely.get_x(geoms[present])
            y[present] = shapely.get_y(geoms[present])
            result[x_title] = np.round(x, digits)
            result[y_title] = np.round(y, digits)
        else:
            result[WKT_HEADER] = shapely.to_wkt(
                geoms, rounding_precision=digits, trim=True
            )
    return result


def write_csv(path: Path, data: pd.DataFrame, encoding: str = "utf-8") -> None:
    """Write ``data`` as CSV that Excel and WPS open correctly (UTF-8 with BOM or GBK)."""
    codec = (
        "utf-8-sig"
        if encoding.lower().replace("_", "-") in {"utf-8", "utf8"}
        else "gbk"
    )
    try:
        data.to_csv(path, index=False, encoding=codec, quoting=csv.QUOTE_MINIMAL)
    except UnicodeEncodeError as exc:
        raise ExportError(
            f"Some text cannot be written in GBK ({exc.object[exc.start : exc.end]!r}); "
            "export the CSV in UTF-8 instead.",
            f"部分文字无法用 GBK 编码写出({exc.object[exc.start : exc.end]!r});"
            "请改用 UTF-8 导出 CSV。",
        ) from None


def check_xlsx(data: pd.DataFrame, title: str) -> None:
    """Refuse tables Excel cannot hold (too many rows)."""
    if len(data) + 1 > XLSX_MAX_ROWS:
        raise ExportError(
            f"'{title}' has {len(data):,} rows; an Excel sheet holds at most "
            f"{XLSX_MAX_ROWS - 1:,}. Export it as CSV or GeoPackage, or per community.",
            f"“{title}”有 {len(data):,} 行,Excel 工作表最多 {XLSX_MAX_ROWS - 1:,} 行。"
            "请导出为 CSV 或 GeoPackage,或按社区分包导出。",
        )


def write_xlsx(path: Path, sheets: Mapping[str, pd.DataFrame]) -> None:
    """Write one sheet per table; text cells stay text, the header row is frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, data in sheets.items():
        check_xlsx(data, title)
        sheet = book.create_sheet(title=title[:31])
        sheet.freeze_panes = "A2"
        for k, column in enumerate(data.columns, start=1):
            sample = (
                data[column]
                .head(200)
                .map(lambda v: len(str(v)) if v is not None else 0)
            )
            width = max(len(str(column)) * 2, int(sample.max()) if len(sample) else 0)
            sheet.column_dimensions[get_column_letter(k)].width = min(max(width, 8), 60)
        head = []
        for column in data.columns:
            cell = WriteOnlyCell(sheet, value=str(column))
            cell.font = bold
            head.append(cell)
        sheet.append(head)
        text_columns = [data[c].dtype == object for c in data.columns]
        for row in data.itertuples(index=False, name=None):
            cells = []
            for value, is_text in zip(row, text_columns, strict=True):
                value = _cell_value(value)
                cell = WriteOnlyCell(sheet, value=value)
                if is_text and isinstance(value, str):
                    cell.number_format = "@"
                cells.append(cell)
            sheet.append(cells)
    book.save(path)


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def photo_extension(data: bytes) -> str:
    """File extension of an image by its first bytes."""
    if data.startswith(b"\x89PNG"):
        return ".png"
    if data.startswith(b"\xff\xd8"):
        return ".jpg"
    return ".bin"


def write_photos(folder: Path, staff: pd.DataFrame) -> dict[int, str]:
    """Write staff photos as ``<id>.png``/``.jpg`` into ``folder``; file names by fid."""
    names: dict[int, str] = {}
    for fid, staff_id, photo in zip(
        staff.index, staff["id"], staff["photo"], strict=True
    ):
        if photo is None or photo is pd.NA:
            continue
        data = bytes(photo)
        stem = re.sub(r"[^\w.-]", "_", str(staff_id))
        name = f"{stem}{photo_extension(data)}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        names[int(fid)] = name
    return names
