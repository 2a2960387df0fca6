"""Which column of a file fills which field of a layer, and turning its values into ours.

:func:`guess_mapping` matches column names in Chinese or English (full-width or
half-width, any case, with units in brackets) against the schema's names, aliases and
shapefile names and a small vocabulary of names used by survey offices and web maps.
The user can change every pair. :func:`map_values` then builds the layer's columns: codes
that spreadsheets turned into numbers become text again, Chinese labels become stored
values (住宅 → ``residential``), 是/否 become booleans, and every value that cannot be
converted is reported with its row number.

Examples
--------
>>> guess_mapping("buildings", ["楼栋编号", "门牌地址", "户数(户)", "LAYERS"])
{'id': '楼栋编号', 'number': None, 'address': '门牌地址', 'households': '户数(户)', 'population': None, 'floors': None, 'use': None, 'grid_code': None, 'reg_households': None, 'reg_population': None}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from gridgis.core import schema
from gridgis.core.errors import SchemaError
from gridgis.core.exchange.sources import normalise
from gridgis.core.schema import Field, FieldType
from gridgis.core.settings import Settings

#: Other names of fields, most specific first: per layer, then for every layer.
SYNONYMS: dict[tuple[str | None, str], tuple[str, ...]] = {
    ("streets", "code"): ("街道代码", "街道编号", "街道办代码", "乡镇街道代码", "jddm"),
    ("streets", "name"): ("街道", "街道办", "街道办事处", "乡镇街道", "jdmc"),
    ("communities", "code"): ("社区代码", "社区编号", "居委会代码", "村居代码", "sqdm"),
    ("communities", "name"): ("社区", "社区名", "居委会", "村居名称", "sqmc"),
    ("communities", "street_code"): ("街道编码", "街道代码", "所属街道", "jddm"),
    ("grids", "code"): ("网格代码", "网格编号", "网格号", "wgbm", "wgdm"),
    ("grids", "name"): ("网格", "网格名", "wgmc"),
    ("grids", "community_code"): ("社区编码", "社区代码", "所属社区", "sqdm", "sqbm"),
    ("grids", "kind"): ("类型", "网格类别", "type"),
    ("buildings", "id"): (
        "楼栋编号",
        "建筑物编号",
        "建筑编码",
        "楼栋编码",
        "编号",
        "bid",
    ),
    ("buildings", "number"): ("楼栋号", "幢号", "栋号", "楼幢号", "门牌号", "no"),
    ("buildings", "use"): ("建筑用途", "使用性质", "性质", "用途类型"),
    ("facilities", "id"): ("设施编码", "编号", "poiid", "poi编号"),
    ("facilities", "name"): ("名称", "poi名称", "单位名称", "设施"),
    ("facilities", "category"): ("设施类别", "设施类型", "类型", "type", "kind"),
    ("roads", "id"): ("道路编码", "编号", "roadid"),
    ("roads", "name"): ("名称", "路名", "道路"),
    ("roads", "class"): ("等级", "道路级别", "级别", "fclass", "highway"),
    ("overlays", "id"): ("区划编码", "编号"),
    ("overlays", "kind"): ("类型", "区划类别", "type"),
    ("overlays", "name"): ("名称", "区划"),
    ("staff", "id"): ("工号", "编号", "人员编码", "身份编号"),
    ("staff", "name"): ("名字", "人员姓名", "网格员姓名", "网格员"),
    ("staff", "phone"): (
        "手机",
        "手机号",
        "联系电话",
        "电话",
        "联系方式",
        "移动电话",
        "mobile",
        "tel",
        "telephone",
    ),
    ("staff", "photo"): ("相片", "头像", "照片文件", "照片文件名", "photo file"),
    ("staff", "organisation"): ("单位", "工作单位", "部门", "所在单位", "org"),
    ("assignments", "staff_id"): ("工号", "编号", "人员编码", "id"),
    ("assignments", "grid_code"): ("所属网格", "网格代码", "网格编号", "所属网格编码"),
    ("assignments", "role"): ("职务", "角色", "岗位名称", "post"),
    ("assignments", "is_backup"): ("替补", "是否替补", "b岗", "ab岗", "backup"),
    (None, "households"): ("住户数", "总户数", "户", "hs"),
    (None, "population"): ("人数", "总人口", "人口数", "常住人口", "rk"),
    (None, "floors"): ("楼层", "楼层数", "地上层数", "floor", "cs"),
    (None, "address"): ("门牌地址", "详细地址", "地址名称", "addr"),
    (None, "grid_code"): ("网格编码", "所属网格", "网格代码"),
}

_TRUE = {"是", "true", "t", "yes", "y", "1", "√", "对", "b", "b岗"}
_FALSE = {"否", "false", "f", "no", "n", "0", "×", "a", "a岗"}


def _candidates(layer: str, fld: Field) -> list[str]:
    names = [fld.name, fld.zh, fld.en]
    if fld.shp is not None:
        names.append(fld.shp)
    names += SYNONYMS.get((layer, fld.name), ())
    names += SYNONYMS.get((None, fld.name), ())
    return [normalise(n) for n in names]


def importable_fields(layer: str) -> list[Field]:
    """The fields a file can fill for ``layer``."""
    return list(schema.layer(layer).fields)


def guess_mapping(layer: str, columns: Sequence[str]) -> dict[str, str | None]:
    """Guess which source column fills each field of ``layer`` (``None``: none does)."""
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(normalise(column), column)
    used: set[str] = set()
    out: dict[str, str | None] = {}
    fields = importable_fields(layer)
    candidates = {f.name: _candidates(layer, f) for f in fields}
    # Pass by priority position: exact names of every field before synonyms of any.
    for f in fields:
        out[f.name] = None
    depth = max(len(c) for c in candidates.values())
    for k in range(depth):
        for f in fields:
            if out[f.name] is not None or k >= len(candidates[f.name]):
                continue
            found = by_norm.get(candidates[f.name][k])
            if found is not None and found not in used:
                out[f.name] = found
                used.add(found)
    return out


def check_mapping(
    layer: str, mapping: Mapping[str, str | None], columns: Sequence[str]
) -> None:
    """Refuse mappings to unknown fields or from columns the file does not have."""
    lyr = schema.layer(layer)
    for fld, column in mapping.items():
        lyr.field(fld)
        if column is not None and column not in columns:
            raise SchemaError(
                f"The file has no column '{column}' to map onto {fld}. Its columns are: "
                f"{', '.join(columns)}.",
                f"文件中没有列“{column}”可映射到字段 {fld}。文件中的列:{', '.join(columns)}。",
            )


def parse_mapping(pairs: Sequence[str]) -> dict[str, str | None]:
    """``field=column`` pairs from the command line (``field=`` unmaps a field)."""
    out: dict[str, str | None] = {}
    for pair in pairs:
        if "=" not in pair:
            raise SchemaError(
                f"'{pair}' is not a mapping; write FIELD=COLUMN, e.g. households=户数.",
                f"“{pair}”不是有效的字段映射;请写成 字段=列名,例如 households=户数。",
            )
        fld, column = pair.split("=", 1)
        out[fld.strip()] = column.strip() or None
    return out


# -- values ---------------------------------------------------------------------------


class _Problems:
    """Bad values of one field, with the row numbers a user sees."""

    def __init__(self, row_number: np.ndarray) -> None:
        self.row_number = row_number

    def raise_for(
        self,
        layer: str,
        fld: Field,
        column: str,
        bad: np.ndarray,
        values: pd.Series,
        what_en: str,
        what_zh: str,
    ) -> None:
        if not bad.any():
            return
        positions = np.flatnonzero(bad)
        examples = ", ".join(
            f"{self.row_number[p]} ({values.iloc[p]!r})" for p in positions[:5]
        )
        raise SchemaError(
            f"Column '{column}' → {fld.name} ({fld.en}) of {layer}: {len(positions)} "
            f"value(s) are not {what_en}, for example rows {examples}. Fix them in the "
            "file, or map another column.",
            f"列“{column}”→ {schema.layer(layer).zh}的“{fld.zh}”:有 {len(positions)} 个值"
            f"不是{what_zh}(例如第 {examples} 行)。请在文件中修正,或改映射其他列。",
        )


def _text(series: pd.Series) -> pd.Series:
    def one(value: object) -> object:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        if value is pd.NA:
            return None
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return str(int(value))
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return str(int(value))
        text = str(value).strip()
        return text or None

    return series.map(one).astype(object)


def _lookup(text: pd.Series, lookup: Mapping[str, str]) -> pd.Series:
    """Stored values of labels (``None`` where a label is unknown or empty)."""
    return text.map(lambda v: None if v is None else lookup.get(normalise(v)))


def _choice_lookup(fld: Field) -> dict[str, str]:
    assert fld.choices is not None
    lookup: dict[str, str] = {}
    for member in fld.choices:
        for name in (member.value, member.label.zh, member.label.en, member.name):
            lookup[normalise(name)] = member.value
    return lookup


def _role_lookup(settings: Settings) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for role in settings.roles:
        for name in (role.id, role.zh, role.en):
            lookup[normalise(name)] = role.id
    return lookup


def map_values(
    layer: str,
    frame: pd.DataFrame,
    mapping: Mapping[str, str | None],
    *,
    row_number: np.ndarray,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The layer's columns built from the mapped source columns.

    Parameters
    ----------
    row_number
        The row number a user sees for each source row (for messages).
    settings
        The project settings, for the role catalogue of assignments.

    Raises
    ------
    SchemaError
        Values that do not convert, with the row numbers; unknown roles and choices.
    """
    lyr = schema.layer(layer)
    problems = _Problems(row_number)
    out: dict[str, pd.Series] = {}
    for name, column in mapping.items():
        if column is None:
            continue
        fld = lyr.field(name)
        raw = frame[column]
        if fld.type is FieldType.BLOB:
            out[name] = raw
            continue
        text = _text(raw)
        if fld.type is FieldType.TEXT:
            if fld.choices is not None:
                lookup = _choice_lookup(fld)
                mapped = _lookup(text, lookup)
                bad = (mapped.isna() & text.notna()).to_numpy()
                allowed = "、".join(f"{m.label.zh}({m.value})" for m in fld.choices)
                problems.raise_for(
                    layer,
                    fld,
                    column,
                    bad,
                    text,
                    f"one of {', '.join(m.value for m in fld.choices)}",
                    f"允许的取值({allowed})",
                )
                out[name] = mapped
            elif layer == "assignments" and name == "role" and settings is not None:
                lookup = _role_lookup(settings)
                mapped = _lookup(text, lookup)
                bad = (mapped.isna() & text.notna()).to_numpy()
                allowed = "、".join(r.zh for r in settings.roles)
                problems.raise_for(
                    layer,
                    fld,
                    column,
                    bad,
                    text,
                    "roles of the project's catalogue "
                    f"({', '.join(r.en for r in settings.roles)})",
                    f"项目岗位目录中的岗位({allowed})",
                )
                out[name] = mapped
            else:
                out[name] = text
        elif fld.type in (FieldType.INTEGER, FieldType.REAL):
            numbers = pd.to_numeric(text, errors="coerce")
            bad = (numbers.isna() & text.notna()).to_numpy().copy()
            if fld.type is FieldType.INTEGER:
                finite = numbers.notna().to_numpy()
                bad |= finite & (
                    np.mod(numbers.fillna(0).to_numpy(dtype=float), 1) != 0
                )
            problems.raise_for(
                layer,
                fld,
                column,
                bad,
                text,
                "whole numbers" if fld.type is FieldType.INTEGER else "numbers",
                "整数" if fld.type is FieldType.INTEGER else "数字",
            )
            out[name] = numbers.astype(
                "Int64" if fld.type is FieldType.INTEGER else float
            )
        elif fld.type is FieldType.BOOLEAN:
            norm = text.map(lambda v: None if v is None else normalise(v))
            truth = norm.map(
                lambda v: True if v in _TRUE else False if v in _FALSE else None
            )
            bad = (truth.isna() & text.notna()).to_numpy()
            problems.raise_for(layer, fld, column, bad, text, "yes/no", "是/否")
            out[name] = truth.astype("boolean")
        elif fld.type is FieldType.DATETIME:
            times = pd.to_datetime(text, errors="coerce")
            bad = (times.isna() & text.notna()).to_numpy()
            problems.raise_for(layer, fld, column, bad, text, "dates", "日期")
            out[name] = times
    return pd.DataFrame(out, index=frame.index)
