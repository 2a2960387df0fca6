"""Importing layers into a project: read, map, convert, check, then write in one go.

:func:`plan_import` reads a file (:mod:`~gridgis.core.exchange.sources`), maps its
columns onto a layer (:mod:`~gridgis.core.exchange.mapping`), converts its coordinates
into the project's Gauss–Krüger zone, repairs what can be repaired and checks the rest
— without writing anything. :func:`apply_imports` writes one or several plans in a
single transaction of the store: everything lands, or nothing does and the project file
stays as it was.

Examples
--------
>>> import pathlib, shutil, tempfile
>>> import gridgis
>>> from gridgis.core.exchange.export import export_project
>>> from gridgis.core.store import open_project
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> demo = pathlib.Path(gridgis.__file__).parents[1] / "data" / "demo.gpkg"
>>> _ = shutil.copyfile(demo, folder / "demo.gpkg")
>>> demo = open_project(folder / "demo.gpkg")
>>> _ = export_project(demo, folder / "shp", layers=["roads"], fmt="shp", crs="gcj02")
>>> plan = plan_import(demo, folder / "shp" / "roads.shp", "roads")
>>> report = apply_imports(demo, [plan], mode="replace")[0]
>>> report.removed, report.inserted
(67, 67)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgis.core import schema
from gridgis.core.crs import central_meridian, is_gk_epsg
from gridgis.core.errors import CrsError, GeometryError, SchemaError
from gridgis.core.exchange.coords import (
    CoordSystem,
    converter,
    coord_system,
    transform_geometries,
)
from gridgis.core.exchange.geometry import describe_repairs, duplicate_shapes, repair
from gridgis.core.exchange.mapping import (
    check_mapping,
    guess_mapping,
    map_values,
)
from gridgis.core.exchange.sources import (
    SourceData,
    describe_coordinates,
    open_source,
    require_crs,
    source_xy,
)
from gridgis.core.i18n import Text
from gridgis.core.progress import Feedback, check
from gridgis.core.store import Store

#: How imported rows meet the rows already in the layer.
MODES = ("add", "update", "replace")
MODE_TITLES = {
    "add": Text("追加(编号重复则报错)", "add (refuse IDs already present)"),
    "update": Text("更新已有、追加新增", "update existing, add new"),
    "replace": Text("替换图层全部内容", "replace the whole layer"),
}
#: Prefixes of generated IDs when a file has none.
ID_PREFIXES = {
    "buildings": "B",
    "facilities": "F",
    "roads": "R",
    "overlays": "O",
    "staff": "S",
}
#: Parent codes that can be read off a DB11/T 2157 code when a file lacks them.
PARENT_CODES = {("grids", "community_code"): 12, ("communities", "street_code"): 9}


@dataclass
class ImportReport:
    """What an import read, decided and wrote."""

    layer: str
    source: Path
    source_layer: str | None
    rows: int
    mapping: dict[str, str | None]
    unused_columns: list[str]
    encoding: Text | None = None
    crs: Text | None = None
    notes: list[Text] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    removed: int = 0
    applied: bool = False
    """Whether the rows were written (``False`` for a plan only checked)."""

    def lines(self) -> list[Text]:
        """The report as lines of text for the user."""
        lyr = schema.layer(self.layer)
        named = self.source_layer and self.source_layer != self.source.stem
        title = Text(
            f"{self.source.name}{f'({self.source_layer})' if named else ''} → {lyr.zh}",
            f"{self.source.name}{f' ({self.source_layer})' if named else ''} → {self.layer}",
        )
        if self.applied:
            done = Text(
                f":读取 {self.rows} 行;新增 {self.inserted},更新 {self.updated},"
                f"删除 {self.removed}。",
                f": read {self.rows} rows; added {self.inserted}, updated "
                f"{self.updated}, removed {self.removed}.",
            )
        else:
            done = Text(
                f":读取 {self.rows} 行,可以导入。", f": read {self.rows} rows, ready."
            )
        out = [Text(title.zh + done.zh, title.en + done.en)]
        if self.encoding is not None:
            out.append(self.encoding)
        if self.crs is not None:
            out.append(self.crs)
        pairs = [(f, c) for f, c in self.mapping.items() if c is not None]
        out.append(
            Text(
                "字段映射:" + ",".join(f"{lyr.field(f).zh} ← {c}" for f, c in pairs),
                "Fields: " + ", ".join(f"{f} ← {c}" for f, c in pairs),
            )
        )
        if self.unused_columns:
            out.append(
                Text(
                    "未导入的列:" + "、".join(self.unused_columns),
                    "Columns not imported: " + ", ".join(self.unused_columns),
                )
            )
        return out + self.notes


@dataclass
class ImportPlan:
    """Rows ready to write into one layer (nothing written yet)."""

    layer: str
    source: SourceData
    mapping: dict[str, str | None]
    frame: pd.DataFrame
    """Schema columns (and geometry in the project CRS), one row per source row."""
    row_number: np.ndarray
    report: ImportReport
    row_ids: list[str] = field(default_factory=list)
    """For staff: the person ID of every source row (rosters with several posts)."""


def _check_layer(layer: str) -> schema.Layer:
    lyr = schema.layer(layer)
    if not lyr.user_data:
        raise SchemaError(
            f"'{layer}' is kept by GridGIS itself and cannot be imported. Import into "
            f"one of: {', '.join(n for n, x in schema.LAYERS.items() if x.user_data)}.",
            f"“{lyr.zh}”由 GridGIS 自动维护,不能导入。可导入的图层:"
            f"{', '.join(n for n, x in schema.LAYERS.items() if x.user_data)}。",
        )
    return lyr


def _rows_text(row_number: np.ndarray, positions: np.ndarray) -> str:
    return ", ".join(str(int(row_number[p])) for p in positions[:8]) + (
        " …" if len(positions) > 8 else ""
    )


def _require_fields(
    lyr: schema.Layer, values: pd.DataFrame, source: SourceData
) -> None:
    missing = [f for f in lyr.fields if f.required and f.name not in values.columns]
    if missing:
        names_en = ", ".join(f"{f.name} ({f.en})" for f in missing)
        names_zh = "、".join(f"{f.zh}({f.name})" for f in missing)
        example = f"--map {missing[0].name}=COLUMN"
        raise SchemaError(
            f"No column of {source.path.name} fills {names_en}, which {lyr.name} "
            f"need(s). Map one with {example}. The file's columns are: "
            f"{', '.join(source.columns) or '(none)'}.",
            f"{source.path.name} 中没有列对应{lyr.zh}的必填字段 {names_zh}。请用 "
            f"--map {missing[0].name}=列名 指定。文件中的列:{'、'.join(source.columns) or '(无)'}。",
        )


def _check_required_values(
    lyr: schema.Layer, values: pd.DataFrame, row_number: np.ndarray
) -> None:
    for fld in lyr.fields:
        if not fld.required or fld.name not in values:
            continue
        empty = values[fld.name].isna().to_numpy()
        if empty.any():
            rows = _rows_text(row_number, np.flatnonzero(empty))
            raise SchemaError(
                f"{fld.name} ({fld.en}) is required but empty in {int(empty.sum())} "
                f"row(s): {rows}. Fill it in in the file.",
                f"必填字段“{fld.zh}”有 {int(empty.sum())} 行为空:第 {rows} 行。请在文件中补全。",
            )


def _check_duplicate_keys(
    lyr: schema.Layer, values: pd.DataFrame, row_number: np.ndarray
) -> None:
    keys = [k for k in lyr.key if k in values]
    if len(keys) != len(lyr.key):
        return
    duplicated = values.duplicated(subset=keys, keep=False).to_numpy()
    if not duplicated.any():
        return
    by = keys if len(keys) > 1 else keys[0]
    groups = values[duplicated].groupby(by, sort=False).groups
    examples, examples_zh = [], []
    for key, index in list(groups.items())[:5]:
        rows = "/".join(str(int(row_number[i])) for i in index)
        label = "/".join(map(str, key)) if isinstance(key, tuple) else str(key)
        examples.append(f"{label} (rows {rows})")
        examples_zh.append(f"{label}(第 {rows} 行)")
    title = "/".join(lyr.field(k).en for k in keys)
    raise SchemaError(
        f"{len(groups)} {title} value(s) occur more than once in the file: "
        f"{'; '.join(examples)}. Each must be unique; fix the file.",
        f"文件中有 {len(groups)} 个{'/'.join(lyr.field(k).zh for k in keys)}重复出现:"
        f"{';'.join(examples_zh)}。编号必须唯一,请修正文件。",
    )


def _generate_ids(store: Store, layer: str, n: int) -> list[str]:
    prefix = ID_PREFIXES[layer]
    existing = [str(v) for v in store.read(layer, columns=["id"])["id"].dropna()]
    pattern = re.compile(rf"^{prefix}(\d+)$")
    numbers = [int(m.group(1)) for v in existing if (m := pattern.match(v))]
    start = max(numbers, default=0) + 1
    width = max(5, len(str(start + n)))
    return [f"{prefix}{k:0{width}d}" for k in range(start, start + n)]


def _convert_geometries(
    source: SourceData,
    lyr: schema.Layer,
    project: CoordSystem,
    row_number: np.ndarray,
    notes: list[Text],
) -> np.ndarray:
    if not source.is_spatial:
        raise GeometryError(
            f"{source.path.name} has no shapes, and {lyr.name} need them. Give a file "
            "with geometries, or a table with coordinate columns (经度/纬度, X/Y) or a "
            "WKT column.",
            f"{source.path.name} 中没有图形,而{lyr.zh}需要图形。请提供含几何的文件,"
            "或含坐标列(经度/纬度、X/Y)或 WKT 列的表格。",
        )
    geoms = np.asarray(source.frame["geometry"].values, dtype=object)
    missing = shapely.is_missing(geoms)
    missing[~missing] = shapely.is_empty(geoms[~missing])
    if missing.any():
        rows = _rows_text(row_number, np.flatnonzero(missing))
        raise GeometryError(
            f"{int(missing.sum())} row(s) of {source.path.name} have no shape: {rows}. "
            "Every feature of a layer needs one; fix or delete those rows.",
            f"{source.path.name} 中有 {int(missing.sum())} 行没有图形:第 {rows} 行。"
            "图层中的每个要素都需要图形,请修正或删除这些行。",
        )
    geoms = shapely.force_2d(geoms)
    _check_types(geoms, lyr, source, row_number)
    system = require_crs(source)
    convert = converter(system, project)
    converted = transform_geometries(geoms, convert)
    coords = shapely.get_coordinates(converted)
    broken = ~np.isfinite(coords).all(axis=1)
    lonlat = None
    if not broken.any():
        to_geo = converter(
            project, coord_system("cgcs2000", project_epsg=project.proj_epsg)
        )
        sample = coords[:: max(1, len(coords) // 5000)]
        lon, lat = (
            to_geo(sample[:, 0], sample[:, 1])
            if to_geo
            else (sample[:, 0], sample[:, 1])
        )
        lonlat = (np.asarray(lon), np.asarray(lat))
    inside = lonlat is not None and bool(
        np.all(
            (lonlat[0] > 73) & (lonlat[0] < 136) & (lonlat[1] > 3) & (lonlat[1] < 54)
        )
    )
    if not inside:
        hint = describe_coordinates(*source_xy(source))
        raise CrsError(
            f"Read as {system.label.en}, the coordinates of {source.path.name} do not "
            f"fall in China: the CRS is wrong. {hint.en}",
            f"按{system.label.zh}读取时,{source.path.name} 的坐标不在中国境内,说明坐标系不对。"
            f"{hint.zh}",
        )
    assert lonlat is not None
    if is_gk_epsg(project.epsg):
        meridian = central_meridian(int(project.proj_epsg))
        off = float(np.median(lonlat[0])) - meridian
        if abs(off) > 2.0:
            notes.append(
                Text(
                    f"注意:数据位于东经 {np.median(lonlat[0]):.2f}°,距项目中央经线 "
                    f"{meridian}° 超过 2°,长度和面积会有明显变形;请确认数据属于本项目。",
                    f"Note: the data lie at {np.median(lonlat[0]):.2f}°E, more than 2° "
                    f"from the project's central meridian {meridian}°E; lengths and "
                    "areas distort noticeably. Check that the data belong to this project.",
                )
            )
    return converted


_TYPE_FAMILY = {
    "Point": "Point",
    "MultiPoint": "Point",
    "LineString": "LineString",
    "MultiLineString": "LineString",
    "LinearRing": "LineString",
    "Polygon": "Polygon",
    "MultiPolygon": "Polygon",
}
#: Geometry family by shapely type id (Point, LineString, LinearRing, Polygon, Multi…).
_FAMILY_BY_ID = np.array(
    ["Point", "LineString", "LineString", "Polygon", "Point", "LineString", "Polygon",
     "GeometryCollection"],
    dtype=object,
)  # fmt: skip
_FAMILY_ZH = {"Point": "点", "LineString": "线", "Polygon": "面"}


def _check_types(
    geoms: np.ndarray, lyr: schema.Layer, source: SourceData, row_number: np.ndarray
) -> None:
    assert lyr.geometry is not None
    want = _TYPE_FAMILY[lyr.geometry]
    type_ids = shapely.get_type_id(geoms).astype(int)
    families = _FAMILY_BY_ID[np.clip(type_ids, 0, 7)]
    wrong = families != want
    if wrong.any():
        found = sorted(set(families[wrong]))
        rows = _rows_text(row_number, np.flatnonzero(wrong))
        raise GeometryError(
            f"{lyr.name} are {want.lower()}s ({lyr.geometry}), but {int(wrong.sum())} "
            f"feature(s) of {source.path.name} are {', '.join(f.lower() for f in found)}"
            f"s (rows {rows}). Check that you picked the right file and layer.",
            f"{lyr.zh}应为{_FAMILY_ZH[want]}要素,但 {source.path.name} 中有 "
            f"{int(wrong.sum())} 个要素是{'、'.join(_FAMILY_ZH.get(f, f) for f in found)}"
            f"(第 {rows} 行)。请检查是否选错了文件或图层。",
        )
    if lyr.geometry == "Polygon" or lyr.geometry == "LineString":
        parts = shapely.get_num_geometries(geoms)
        multi = np.isin(type_ids, (4, 5, 6)) & (parts > 1)
        if multi.any():
            rows = _rows_text(row_number, np.flatnonzero(multi))
            raise GeometryError(
                f"{int(multi.sum())} feature(s) of {source.path.name} have several "
                f"separate parts (rows {rows}); each of the {lyr.name} must be one "
                f"{lyr.geometry.lower()}. Split them into separate features first.",
                f"{source.path.name} 中有 {int(multi.sum())} 个要素由多个分离部分组成"
                f"(第 {rows} 行);每个{lyr.zh}必须是一个整体。请先拆分为多个要素。",
            )


def plan_import(
    store: Store,
    source: str | Path | SourceData,
    layer: str,
    *,
    mapping: Mapping[str, str | None] | None = None,
    source_layer: str | None = None,
    encoding: str | None = None,
    crs: str | None = None,
    photos: Path | None = None,
) -> ImportPlan:
    """Read, map, convert and check a file for ``layer``; write nothing.

    Parameters
    ----------
    store
        The project.
    source
        A file path, or a source already read with :func:`open_source`.
    layer
        The layer to fill.
    mapping
        ``{field: column}`` pairs that override the guessed mapping (``None`` unmaps).
    source_layer, encoding, crs
        See :func:`~gridgis.core.exchange.sources.open_source`.
    photos
        For staff: the folder of photos named in the file, or named by staff ID or
        name (default: ``photos`` or ``<file>_photos`` beside the file).

    Raises
    ------
    InputFileError, SchemaError, GeometryError, CrsError
        With a message that says what is wrong, where, and what to do.
    """
    lyr = _check_layer(layer)
    project = coord_system("project", project_epsg=store.settings.crs_epsg)
    if not isinstance(source, SourceData):
        source = open_source(
            source,
            project_epsg=store.settings.crs_epsg,
            layer=source_layer,
            encoding=encoding,
            crs=crs,
        )
    columns = source.columns
    chosen = guess_mapping(layer, columns)
    if mapping:
        check_mapping(layer, mapping, columns)
        chosen.update(mapping)
    n = len(source.frame)
    row_number = np.array([source.row_number(k) for k in range(n)])
    values = map_values(
        layer, source.frame, chosen, row_number=row_number, settings=store.settings
    )
    notes: list[Text] = list(source.notes)
    keep = np.arange(n)
    row_ids: list[str] = []
    if layer == "staff":
        from gridgis.core.exchange.roster import prepare_staff

        values, keep, row_ids = prepare_staff(
            values, source, row_number, chosen, photos=photos, notes=notes
        )
        row_number = row_number[keep]
        values = values.reset_index(drop=True)
    for (lname, fname), width in PARENT_CODES.items():
        if lname == layer and fname not in values and "code" in values:
            values[fname] = values["code"].map(
                lambda c, w=width: c[:w] if isinstance(c, str) and len(c) > w else None
            )
            notes.append(
                Text(
                    f"“{lyr.field(fname).zh}”取自编码的前 {width} 位。",
                    f"{fname} taken from the first {width} digits of the code.",
                )
            )
    if layer in ID_PREFIXES and "id" not in values:
        values["id"] = _generate_ids(store, layer, len(values))
        row_ids = list(values["id"])
        notes.append(
            Text(
                f"文件中没有编号,已生成 {values['id'].iloc[0]} … {values['id'].iloc[-1]}。",
                f"The file has no IDs; generated {values['id'].iloc[0]} … "
                f"{values['id'].iloc[-1]}.",
            )
        )
    _require_fields(lyr, values, source)
    _check_required_values(lyr, values, row_number)
    _check_duplicate_keys(lyr, values, row_number)
    ordered = [f.name for f in lyr.fields if f.name in values]
    values = values[ordered]
    if lyr.is_spatial:
        assert lyr.geometry is not None
        geoms = _convert_geometries(source, lyr, project, row_number, notes)[keep]
        geoms, repairs = repair(geoms, lyr.geometry, row_number=row_number)
        notes += describe_repairs(repairs, row_number)
        for group in duplicate_shapes(geoms):
            rows = "/".join(str(int(row_number[p])) for p in group)
            notes.append(
                Text(
                    f"注意:第 {rows} 行的图形完全相同(可能是重复要素)。",
                    f"Note: rows {rows} have identical shapes (possibly duplicates).",
                )
            )
        frame: pd.DataFrame = gpd.GeoDataFrame(
            values.reset_index(drop=True), geometry=geoms, crs=store.settings.crs_epsg
        )
    else:
        frame = values.reset_index(drop=True)
    frame = schema.conform(layer, frame, crs=store.crs)
    report = ImportReport(
        layer=layer,
        source=source.path,
        source_layer=source.layer,
        rows=n,
        mapping=chosen,
        unused_columns=[c for c in columns if c not in set(chosen.values())],
        encoding=source.encoding_how,
        crs=source.crs_how if lyr.is_spatial else None,
        notes=notes,
    )
    return ImportPlan(layer, source, chosen, frame, row_number, report, row_ids)


def _existing_keys(store: Store, layer: str) -> pd.DataFrame:
    lyr = schema.layer(layer)
    return store.read(layer, columns=list(lyr.key))


def _key_tuples(frame: pd.DataFrame, keys: Sequence[str]) -> list[tuple[object, ...]]:
    return list(frame[list(keys)].itertuples(index=False, name=None))


def _check_references(store: Store, plans: Sequence[ImportPlan], mode: str) -> None:
    """Assignments must point at grids and staff that exist (in the project or import)."""
    for plan in plans:
        if plan.layer != "assignments":
            continue
        for fld, target, key in (
            ("grid_code", "grids", "code"),
            ("staff_id", "staff", "id"),
        ):
            known = set(store.read(target, columns=[key])[key].dropna())
            for other in plans:
                if other.layer == target:
                    if mode == "replace":
                        known = set()
                    known |= set(other.frame[key].dropna())
                    if mode == "replace":
                        break
            unknown = ~plan.frame[fld].isin(known).to_numpy()
            if unknown.any():
                positions = np.flatnonzero(unknown)
                rows = _rows_text(plan.row_number, positions)
                sample = sorted(set(plan.frame[fld].iloc[positions]))[:5]
                raise SchemaError(
                    f"{int(unknown.sum())} assignment(s) name a {target[:-1] if target != 'staff' else 'staff member'} "
                    f"that is not in the project ({', '.join(map(str, sample))}; rows "
                    f"{rows}). Import the {target} first or correct the codes.",
                    f"有 {int(unknown.sum())} 条岗位分配引用了项目中不存在的"
                    f"{'网格' if target == 'grids' else '人员'}({'、'.join(map(str, sample))};"
                    f"第 {rows} 行)。请先导入{'网格' if target == 'grids' else '人员'},或更正编码。",
                )


def apply_imports(
    store: Store,
    plans: Sequence[ImportPlan],
    *,
    mode: str = "add",
    feedback: Feedback | None = None,
) -> list[ImportReport]:
    """Write the plans into the project in one transaction.

    Parameters
    ----------
    mode
        ``add``: refuse rows whose key (ID, code) is already in the layer; ``update``:
        change those rows and add the others; ``replace``: remove every row of the
        layer first.

    Raises
    ------
    SchemaError
        Keys already present (``add``), references to missing grids or staff.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    _check_references(store, plans, mode)
    prepared: list[tuple[ImportPlan, pd.DataFrame, pd.DataFrame]] = []
    for plan in plans:
        check(feedback)
        lyr = schema.layer(plan.layer)
        frame = plan.frame
        updates = frame.iloc[0:0]
        if mode in {"add", "update"}:
            existing = _existing_keys(store, plan.layer)
            fid_of = dict(
                zip(_key_tuples(existing, lyr.key), existing.index, strict=True)
            )
            keys = _key_tuples(frame, lyr.key)
            found = np.array([k in fid_of for k in keys], dtype=bool)
            if found.any() and mode == "add":
                positions = np.flatnonzero(found)
                sample = ", ".join("/".join(map(str, keys[p])) for p in positions[:5])
                raise SchemaError(
                    f"{int(found.sum())} row(s) of {plan.source.path.name} are already in "
                    f"{plan.layer} ({sample}; rows {_rows_text(plan.row_number, positions)}). "
                    "Choose mode 'update' to change them, or 'replace' to replace the "
                    "whole layer.",
                    f"{plan.source.path.name} 中有 {int(found.sum())} 行在“{lyr.zh}”中已存在"
                    f"({sample};第 {_rows_text(plan.row_number, positions)} 行)。"
                    "如需修改请选择“更新”方式,或选择“替换”以替换整个图层。",
                )
            if found.any():
                updates = frame[found].copy()
                updates.index = pd.Index(
                    [int(fid_of[keys[p]]) for p in np.flatnonzero(found)], name="fid"
                )
                frame = frame[~found]
        prepared.append((plan, frame, updates))
    with store.transaction(tool="import") as tx:
        for k, (plan, inserts, updates) in enumerate(prepared):
            check(feedback)
            if feedback is not None:
                feedback.set_progress(100.0 * k / len(prepared))
            if mode == "replace":
                plan.report.removed = tx.delete_where(plan.layer, {})
            if len(updates):
                tx.update(plan.layer, updates)
            tx.insert(plan.layer, inserts)
            plan.report.inserted = len(inserts)
            plan.report.updated = len(updates)
    for plan in plans:
        plan.report.applied = True
    if feedback is not None:
        feedback.set_progress(100.0)
    return [plan.report for plan in plans]


def import_layer(
    store: Store,
    path: str | Path,
    layer: str,
    *,
    mode: str = "add",
    mapping: Mapping[str, str | None] | None = None,
    source_layer: str | None = None,
    encoding: str | None = None,
    crs: str | None = None,
    feedback: Feedback | None = None,
) -> ImportReport:
    """Plan and apply the import of one layer (see :func:`plan_import`)."""
    plan = plan_import(
        store,
        path,
        layer,
        mapping=mapping,
        source_layer=source_layer,
        encoding=encoding,
        crs=crs,
    )
    return apply_imports(store, [plan], mode=mode, feedback=feedback)[0]


__all__ = [
    "MODES",
    "ImportPlan",
    "ImportReport",
    "apply_imports",
    "import_layer",
    "plan_import",
]
