"""The one definition of every layer and table of a GridGIS project.

Each :class:`Layer` lists its :class:`Field` s with the stored name, the type, the
Chinese and English alias, the ≤10-character ASCII name used in shapefiles, and whether
the field is required, derived (computed by GridGIS, never typed in) or personal (left
out by privacy exports). The GeoPackage and in-memory stores, the exporters and the QGIS
field aliases all read this module; nothing repeats it.

Examples
--------
>>> from gridgis.core import schema
>>> grids = schema.layer("grids")
>>> grids.field("households").zh
'户数'
>>> grids.field("households").shp
'HH'
>>> [f.name for f in grids.fields if f.required]
['code', 'name', 'community_code', 'kind']
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgis.core.definitions import (
    BuildingUse,
    ChangeOperation,
    FacilityCategory,
    Gender,
    GridKind,
    HouseUse,
    LabelledEnum,
    Level,
    OverlayKind,
    Residence,
    RoadClass,
    Severity,
)
from gridgis.core.errors import GeometryError, SchemaError

#: Version of the project-file schema written by this GridGIS; files with a lower
#: version are migrated when opened, files with a higher one are refused.
SCHEMA_VERSION = 4

#: Name of the geometry column in every spatial layer.
GEOMETRY_COLUMN = "geom"


class FieldType(str, Enum):
    """Storage types of fields."""

    TEXT = "TEXT"
    """Unicode text (UTF-8 in files)."""
    INTEGER = "INTEGER"
    """64-bit integer, may be empty."""
    REAL = "REAL"
    """Double-precision number."""
    BOOLEAN = "BOOLEAN"
    """True or false, may be empty."""
    BLOB = "BLOB"
    """Binary data, such as a photo."""
    DATETIME = "DATETIME"
    """A date and time (ISO 8601 text in GeoPackage)."""

    @property
    def pandas_dtype(self) -> Any:
        """The pandas dtype that holds values of this type, empty values included."""
        return _PANDAS_DTYPES[self]


_PANDAS_DTYPES = {
    FieldType.TEXT: "object",
    FieldType.INTEGER: "Int64",
    FieldType.REAL: "float64",
    FieldType.BOOLEAN: "boolean",
    FieldType.BLOB: "object",
    FieldType.DATETIME: "datetime64[ms]",
}


@dataclass(frozen=True)
class Field:
    """One field of a layer.

    Parameters
    ----------
    name
        Stored name (ASCII, snake case).
    type
        Storage type.
    zh, en
        User-visible alias in Chinese and English.
    shp
        Field name in shapefiles: at most 10 ASCII characters, upper case; ``None`` for
        fields that shapefiles cannot hold (photos).
    required
        Every row must have a value.
    derived
        Computed by GridGIS (linking, roll-ups); imports never need it.
    personal
        Personal data (phones, photos) that privacy exports leave out.
    choices
        The enumeration whose values the field may take.
    width
        Text width used when a format needs one (shapefile, CSV readers).
    """

    name: str
    type: FieldType
    zh: str
    en: str
    shp: str | None
    required: bool = False
    derived: bool = False
    personal: bool = False
    choices: builtins.type[LabelledEnum] | None = None
    width: int | None = None

    def alias(self, language: str) -> str:
        """The field's user-visible name in ``language`` (``"zh"`` or ``"en"``)."""
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class Layer:
    """A layer (with geometry) or table (without) of the project file."""

    name: str
    zh: str
    en: str
    geometry: str | None
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    level: Level | None = None
    #: Layers a user imports and exports; ``False`` for GridGIS's own bookkeeping.
    user_data: bool = True
    #: The information base (houses, residents): imported through templates, left
    #: out of every export that does not name it, its personal fields out unless
    #: personal data is asked for by name.
    register: bool = False
    _by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})

    @property
    def is_spatial(self) -> bool:
        """Whether the layer has a geometry column."""
        return self.geometry is not None

    @property
    def field_names(self) -> list[str]:
        """Stored field names in schema order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """Return the field called ``name``; :class:`SchemaError` if there is none."""
        try:
            return self._by_name[name]
        except KeyError:
            raise SchemaError(
                f"Layer '{self.name}' has no field '{name}'. "
                f"Its fields are: {', '.join(self.field_names)}.",
                f"图层“{self.zh}”({self.name})没有字段“{name}”。"
                f"可用字段:{', '.join(self.field_names)}。",
            ) from None

    def has_field(self, name: str) -> bool:
        """Whether the layer has a field called ``name``."""
        return name in self._by_name

    def aliases(self, language: str) -> dict[str, str]:
        """Map of stored field name → alias in ``language``."""
        return {f.name: f.alias(language) for f in self.fields}

    def title(self, language: str) -> str:
        """The layer's user-visible name in ``language``."""
        return self.zh if language == "zh" else self.en


def _f(
    name: str,
    type_: FieldType,
    zh: str,
    en: str,
    shp: str | None,
    **kwargs: Any,
) -> Field:
    return Field(name, type_, zh, en, shp, **kwargs)


TEXT, INT, REAL, BOOL, BLOB, DT = (
    FieldType.TEXT,
    FieldType.INTEGER,
    FieldType.REAL,
    FieldType.BOOLEAN,
    FieldType.BLOB,
    FieldType.DATETIME,
)

_HOUSEHOLDS = _f("households", INT, "户数", "households", "HH", derived=True)
_POPULATION = _f("population", INT, "人口", "population", "POP", derived=True)
_GRID_CODE = _f(
    "grid_code", TEXT, "所属网格编码", "grid code", "GRID_CODE", derived=True, width=15
)

_GRID_FIELDS = (
    _f("code", TEXT, "网格编码", "grid code", "CODE", required=True, width=15),
    _f("name", TEXT, "网格名称", "grid name", "NAME", required=True, width=60),
    _f(
        "community_code",
        TEXT,
        "所属社区编码",
        "community code",
        "COMM_CODE",
        required=True,
        width=12,
    ),
    _f(
        "kind",
        TEXT,
        "网格类型",
        "grid kind",
        "KIND",
        required=True,
        choices=GridKind,
        width=12,
    ),
    _HOUSEHOLDS,
    _POPULATION,
    _f("min_households", INT, "户数下限", "minimum households", "MIN_HH"),
    _f("max_households", INT, "户数上限", "maximum households", "MAX_HH"),
    _f("ab_partner", TEXT, "AB岗网格", "AB partner grid", "AB_PARTNER", width=15),
)

LAYERS: dict[str, Layer] = {
    lyr.name: lyr
    for lyr in (
        Layer(
            "streets",
            "街道",
            "Streets",
            "MultiPolygon",
            (
                _f(
                    "code",
                    TEXT,
                    "街道编码",
                    "street code",
                    "CODE",
                    required=True,
                    width=9,
                ),
                _f(
                    "name",
                    TEXT,
                    "街道名称",
                    "street name",
                    "NAME",
                    required=True,
                    width=60,
                ),
                _HOUSEHOLDS,
                _POPULATION,
            ),
            key=("code",),
            level=Level.STREET,
        ),
        Layer(
            "communities",
            "社区",
            "Communities",
            "MultiPolygon",
            (
                _f(
                    "code",
                    TEXT,
                    "社区编码",
                    "community code",
                    "CODE",
                    required=True,
                    width=12,
                ),
                _f(
                    "name",
                    TEXT,
                    "社区名称",
                    "community name",
                    "NAME",
                    required=True,
                    width=60,
                ),
                _f(
                    "street_code",
                    TEXT,
                    "所属街道编码",
                    "street code",
                    "STRT_CODE",
                    required=True,
                    width=9,
                ),
                _HOUSEHOLDS,
                _POPULATION,
            ),
            key=("code",),
            level=Level.COMMUNITY,
        ),
        Layer(
            "grids",
            "网格",
            "Grids",
            "Polygon",
            _GRID_FIELDS,
            key=("code",),
            level=Level.GRID,
        ),
        Layer(
            "buildings",
            "建筑",
            "Buildings",
            "Polygon",
            (
                _f(
                    "id", TEXT, "建筑编号", "building ID", "ID", required=True, width=20
                ),
                _f("number", TEXT, "楼号", "building number", "BLDG_NO", width=20),
                _f("address", TEXT, "地址", "address", "ADDRESS", width=120),
                _f("households", INT, "户数", "households", "HH"),
                _f("population", INT, "人口", "population", "POP"),
                _f("floors", INT, "层数", "floors", "FLOORS"),
                _f("use", TEXT, "用途", "use", "USE", choices=BuildingUse, width=12),
                _GRID_CODE,
                _f(
                    "reg_households",
                    INT,
                    "登记户数",
                    "registered households",
                    "REG_HH",
                    derived=True,
                ),
                _f(
                    "reg_population",
                    INT,
                    "登记人口",
                    "registered population",
                    "REG_POP",
                    derived=True,
                ),
            ),
            key=("id",),
        ),
        Layer(
            "facilities",
            "设施",
            "Facilities",
            "Point",
            (
                _f(
                    "id", TEXT, "设施编号", "facility ID", "ID", required=True, width=20
                ),
                _f(
                    "name",
                    TEXT,
                    "设施名称",
                    "facility name",
                    "NAME",
                    required=True,
                    width=80,
                ),
                _f(
                    "category",
                    TEXT,
                    "类别",
                    "category",
                    "CATEGORY",
                    required=True,
                    choices=FacilityCategory,
                    width=20,
                ),
                _f("address", TEXT, "地址", "address", "ADDRESS", width=120),
                _GRID_CODE,
            ),
            key=("id",),
        ),
        Layer(
            "roads",
            "道路",
            "Roads",
            "LineString",
            (
                _f("id", TEXT, "道路编号", "road ID", "ID", required=True, width=20),
                _f("name", TEXT, "道路名称", "road name", "NAME", width=60),
                _f(
                    "class",
                    TEXT,
                    "道路等级",
                    "road class",
                    "CLASS",
                    required=True,
                    choices=RoadClass,
                    width=12,
                ),
            ),
            key=("id",),
        ),
        Layer(
            "overlays",
            "专题区划",
            "Overlays",
            "MultiPolygon",
            (
                _f("id", TEXT, "区划编号", "overlay ID", "ID", required=True, width=20),
                _f(
                    "kind",
                    TEXT,
                    "区划类型",
                    "overlay kind",
                    "KIND",
                    required=True,
                    choices=OverlayKind,
                    width=20,
                ),
                _f("name", TEXT, "区划名称", "overlay name", "NAME", width=80),
            ),
            key=("id",),
        ),
        Layer(
            "staff",
            "工作人员",
            "Staff",
            None,
            (
                _f("id", TEXT, "人员编号", "staff ID", "ID", required=True, width=20),
                _f("name", TEXT, "姓名", "name", "NAME", required=True, width=40),
                _f(
                    "phone",
                    TEXT,
                    "手机号码",
                    "mobile phone",
                    "PHONE",
                    personal=True,
                    width=20,
                ),
                _f("photo", BLOB, "照片", "photo", None, personal=True),
                _f("organisation", TEXT, "所属单位", "organisation", "ORG", width=80),
            ),
            key=("id",),
        ),
        Layer(
            "assignments",
            "岗位分配",
            "Assignments",
            None,
            (
                _f("staff_id", TEXT, "人员编号", "staff ID", "STAFF_ID", required=True),
                _f(
                    "grid_code",
                    TEXT,
                    "网格编码",
                    "grid code",
                    "GRID_CODE",
                    required=True,
                    width=15,
                ),
                _f("role", TEXT, "岗位", "role", "ROLE", required=True, width=30),
                _f("is_backup", BOOL, "AB岗替补", "AB backup", "IS_BACKUP"),
            ),
            key=("staff_id", "grid_code", "role"),
        ),
        Layer(
            "houses",
            "房屋",
            "Houses",
            None,
            (
                _f("id", TEXT, "房屋编号", "house ID", "ID", required=True, width=40),
                _f(
                    "building_id",
                    TEXT,
                    "建筑编号",
                    "building ID",
                    "BLDG_ID",
                    required=True,
                    width=20,
                ),
                _f("unit", TEXT, "单元", "unit", "UNIT", width=10),
                _f("floor", INT, "楼层", "floor", "FLOOR"),
                _f("room", TEXT, "室号", "room", "ROOM", width=10),
                _f(
                    "address",
                    TEXT,
                    "标准地址",
                    "standard address",
                    "ADDRESS",
                    width=160,
                ),
                _f("use", TEXT, "房屋用途", "use", "USE", choices=HouseUse, width=12),
                _f("area", REAL, "面积(㎡)", "area (m²)", "AREA"),
            ),
            key=("id",),
            user_data=False,
            register=True,
        ),
        Layer(
            "residents",
            "居民",
            "Residents",
            None,
            (
                _f(
                    "id", TEXT, "居民编号", "resident ID", "ID", required=True, width=40
                ),
                _f(
                    "house_id",
                    TEXT,
                    "房屋编号",
                    "house ID",
                    "HOUSE_ID",
                    required=True,
                    width=40,
                ),
                _f(
                    "name",
                    TEXT,
                    "姓名",
                    "name",
                    "NAME",
                    required=True,
                    personal=True,
                    width=40,
                ),
                _f(
                    "id_number",
                    TEXT,
                    "身份证号",
                    "ID number",
                    "ID_NUMBER",
                    personal=True,
                    width=18,
                ),
                _f("gender", TEXT, "性别", "gender", "GENDER", choices=Gender, width=8),
                _f(
                    "birth_date",
                    TEXT,
                    "出生日期",
                    "birth date",
                    "BIRTH",
                    personal=True,
                    width=10,
                ),
                _f(
                    "phone",
                    TEXT,
                    "联系电话",
                    "phone",
                    "PHONE",
                    personal=True,
                    width=20,
                ),
                _f("relation", TEXT, "与户主关系", "relation to head", "RELATION"),
                _f(
                    "residence",
                    TEXT,
                    "人口类型",
                    "registered or floating",
                    "RESIDENCE",
                    choices=Residence,
                    width=12,
                ),
                _f("categories", TEXT, "重点人员类别", "categories", "CATEGORIES"),
                _f("tags", TEXT, "标签", "tags", "TAGS"),
            ),
            key=("id",),
            user_data=False,
            register=True,
        ),
        Layer(
            "settings",
            "项目设置",
            "Settings",
            None,
            (
                _f("key", TEXT, "设置项", "key", "KEY", required=True, width=40),
                _f("value", TEXT, "值", "value", "VALUE", width=254),
            ),
            key=("key",),
            user_data=False,
        ),
        Layer(
            "issues",
            "检查问题",
            "Issues",
            "MultiPolygon",
            (
                _f("rule", TEXT, "规则", "rule", "RULE", required=True, width=40),
                _f(
                    "severity",
                    TEXT,
                    "严重程度",
                    "severity",
                    "SEVERITY",
                    required=True,
                    choices=Severity,
                    width=10,
                ),
                _f(
                    "level",
                    TEXT,
                    "层级",
                    "level",
                    "LEVEL",
                    required=True,
                    choices=Level,
                    width=10,
                ),
                _f("code", TEXT, "对象编码", "object code", "CODE", width=20),
                _f("message_zh", TEXT, "说明(中文)", "message (Chinese)", "MSG_ZH"),
                _f("message_en", TEXT, "说明(英文)", "message (English)", "MSG_EN"),
                _f(
                    "community_code",
                    TEXT,
                    "所属社区编码",
                    "community code",
                    "COMM_CODE",
                    width=12,
                ),
                _f("feature", TEXT, "相关要素", "feature", "FEATURE", width=20),
            ),
            key=("rule", "code"),
            user_data=False,
        ),
        Layer(
            "grid_history",
            "网格历史",
            "Grid history",
            "Polygon",
            (
                *_GRID_FIELDS,
                _f(
                    "replaced_at",
                    DT,
                    "替换时间",
                    "replaced at",
                    "REPLACED",
                    required=True,
                ),
                _f("revision", INT, "版本号", "revision", "REVISION", required=True),
            ),
            key=("revision", "code"),
            user_data=False,
        ),
        Layer(
            "community_revisions",
            "社区修订号",
            "Community revisions",
            None,
            (
                _f(
                    "community_code",
                    TEXT,
                    "社区编码",
                    "community code",
                    "COMM_CODE",
                    required=True,
                    width=12,
                ),
                _f("revision", INT, "修订号", "revision", "REVISION", required=True),
                _f("changed_by", TEXT, "修改人", "changed by", "CHANGED_BY", width=60),
                _f("changed_at", DT, "修改时间", "changed at", "CHANGED_AT"),
                _f("tool", TEXT, "修改工具", "tool", "TOOL", width=60),
            ),
            key=("community_code",),
            user_data=False,
        ),
        Layer(
            "changes",
            "变更记录",
            "Change log",
            None,
            (
                _f(
                    "change_set",
                    INT,
                    "变更集",
                    "change set",
                    "CHANGE_SET",
                    required=True,
                ),
                _f("changed_by", TEXT, "修改人", "changed by", "CHANGED_BY", width=80),
                _f(
                    "changed_at",
                    DT,
                    "修改时间",
                    "changed at",
                    "CHANGED_AT",
                    required=True,
                ),
                _f("tool", TEXT, "工具", "tool", "TOOL", width=80),
                _f(
                    "community_code",
                    TEXT,
                    "所属社区编码",
                    "community code(s)",
                    "COMM_CODE",
                ),
                _f("grid_code", TEXT, "网格编码", "grid code", "GRID_CODE", width=15),
                _f("layer", TEXT, "图层", "layer", "LAYER", required=True, width=40),
                _f("feature_fid", INT, "要素编号", "feature fid", "FEAT_FID"),
                _f(
                    "operation",
                    TEXT,
                    "操作",
                    "operation",
                    "OPERATION",
                    required=True,
                    choices=ChangeOperation,
                    width=10,
                ),
                _f("rows", INT, "行数", "rows", "ROWS"),
                _f("before", TEXT, "修改前", "before", "BEFORE"),
                _f("after", TEXT, "修改后", "after", "AFTER"),
            ),
            key=("change_set", "layer", "feature_fid"),
            user_data=False,
        ),
    )
}

#: Tables present in every GridGIS project, in creation order.
LAYER_NAMES: tuple[str, ...] = tuple(LAYERS)

#: The layers of the three-level map, from the top.
LEVEL_LAYERS: dict[Level, str] = {
    Level.STREET: "streets",
    Level.COMMUNITY: "communities",
    Level.GRID: "grids",
}


def layer(name: str) -> Layer:
    """Return the layer definition called ``name``.

    Raises
    ------
    SchemaError
        If GridGIS has no such layer; the message lists the layers it has.
    """
    if not isinstance(name, str):
        raise TypeError(f"layer name must be a str, got {type(name).__name__}")
    try:
        return LAYERS[name]
    except KeyError:
        raise SchemaError(
            f"GridGIS has no layer '{name}'. Layers: {', '.join(LAYER_NAMES)}.",
            f"GridGIS 没有名为“{name}”的图层。可用图层:{', '.join(LAYER_NAMES)}。",
        ) from None


# ---------------------------------------------------------------------------------
# Frames that fit the schema
# ---------------------------------------------------------------------------------

_SINGLE_TO_MULTI = {"Polygon": "MultiPolygon", "LineString": "MultiLineString"}


def empty_frame(name: str, crs: Any = None) -> pd.DataFrame:
    """An empty (Geo)DataFrame with the layer's columns and dtypes.

    Spatial layers give a GeoDataFrame with a ``geometry`` column in ``crs``.
    """
    lyr = layer(name)
    data = {f.name: pd.Series(dtype=f.type.pandas_dtype) for f in lyr.fields}
    frame = pd.DataFrame(data, index=pd.Index([], dtype="int64", name="fid"))
    if lyr.is_spatial:
        return gpd.GeoDataFrame(
            frame, geometry=gpd.GeoSeries([], crs=crs, index=frame.index), crs=crs
        )
    return frame


def _coerce(series: pd.Series, fld: Field, layer_name: str) -> pd.Series:
    try:
        if fld.type is FieldType.TEXT:
            values = series.astype(object)
            mask = values.isna()
            if mask.all():
                return values.where(~mask, None)
            if pd.api.types.infer_dtype(values, skipna=True) == "string":
                return values.where(~mask, None)  # text already
            out = values.where(mask, values.astype(str))
            return out.where(~mask, None)
        if fld.type is FieldType.INTEGER:
            numeric = pd.to_numeric(series, errors="raise")
            if numeric.dtype.kind == "f":
                finite = numeric.dropna()
                if not np.all(np.equal(np.mod(finite, 1), 0)):
                    raise ValueError("has fractions")
            return numeric.astype("Int64")
        if fld.type is FieldType.REAL:
            return pd.to_numeric(series, errors="raise").astype("float64")
        if fld.type is FieldType.BOOLEAN:
            return series.astype("boolean")
        if fld.type is FieldType.DATETIME:
            times = pd.to_datetime(series, errors="raise")
            if getattr(times.dt, "tz", None) is not None:
                times = times.dt.tz_convert("UTC").dt.tz_localize(None)
            return times.astype("datetime64[ms]")
        if fld.type is FieldType.BLOB:
            binary = (bytes, bytearray, memoryview)
            bad = series.map(lambda v: not _is_na(v) and not isinstance(v, binary))
            if bad.any():
                raise ValueError("not binary")
            return series.map(lambda v: None if _is_na(v) else bytes(v)).astype(object)
    except (ValueError, TypeError) as exc:
        raise SchemaError(
            f"Field '{fld.name}' of layer '{layer_name}' must hold {fld.type.value} "
            f"values ({exc}). Fix the values in the source or map another column to it.",
            f"图层“{layer_name}”的字段“{fld.zh}”({fld.name})应为 {fld.type.value} 类型"
            f"({exc})。请修正源数据中的值,或改用其他列映射到该字段。",
        ) from None
    raise AssertionError(fld.type)  # pragma: no cover


def _is_na(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (bytes, bytearray, memoryview, str)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def conform(
    name: str,
    frame: pd.DataFrame,
    *,
    partial: bool = False,
    crs: Any = None,
) -> pd.DataFrame:
    """Check ``frame`` against layer ``name`` and return a copy with schema dtypes.

    Parameters
    ----------
    name
        Layer name.
    frame
        Rows to write. Columns must be schema fields (plus ``geometry`` for spatial
        layers).
    partial
        ``True`` for updates that carry only some columns; ``False`` for new rows, which
        need every required field.
    crs
        The store's CRS; a frame in another CRS is refused.

    Raises
    ------
    SchemaError
        Unknown columns, a missing required field, empty required values, wrong types.
    GeometryError
        A geometry of the wrong type (points where polygons are expected).
    CrsError
        The frame is in another CRS than the store.
    """
    from gridgis.core.errors import CrsError

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a DataFrame, got {type(frame).__name__}")
    lyr = layer(name)
    geometry_name = None
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame:
        geometry_name = frame.geometry.name
    known = set(lyr.field_names)
    unknown = [c for c in frame.columns if c not in known and c != geometry_name]
    if unknown:
        raise SchemaError(
            f"Layer '{name}' has no field(s) {', '.join(map(str, unknown))}. "
            f"Rename or drop them, or map them onto: {', '.join(lyr.field_names)}.",
            f"图层“{lyr.zh}”没有字段 {', '.join(map(str, unknown))}。"
            f"请重命名或删除这些列,或映射到:{', '.join(lyr.field_names)}。",
        )
    if geometry_name is not None and not lyr.is_spatial:
        raise GeometryError(
            f"Table '{name}' has no geometry; drop the geometry column before writing.",
            f"表“{lyr.zh}”没有几何字段;写入前请删除几何列。",
        )
    if not partial:
        missing = [
            f.name for f in lyr.fields if f.required and f.name not in frame.columns
        ]
        if missing:
            raise SchemaError(
                f"Layer '{name}' needs the field(s) {', '.join(missing)}; "
                "add them or map source columns onto them.",
                f"图层“{lyr.zh}”缺少必填字段 "
                f"{', '.join(lyr.field(m).zh + '(' + m + ')' for m in missing)};"
                "请补充这些列或将源数据列映射到这些字段。",
            )
        if lyr.is_spatial and geometry_name is None:
            raise GeometryError(
                f"Layer '{name}' needs geometries; the rows to write have none.",
                f"图层“{lyr.zh}”需要几何图形,但待写入的数据没有几何列。",
            )
    columns: dict[str, pd.Series] = {}
    for col in frame.columns:
        if col == geometry_name:
            continue
        fld = lyr.field(col)
        series = _coerce(frame[col], fld, name)
        if fld.required:
            empty = series.isna()
            if fld.type is FieldType.TEXT:
                blank = [isinstance(v, str) and not v.strip() for v in series]
                empty |= np.array(blank, dtype=bool)
            if empty.any():
                rows = list(frame.index[empty.to_numpy()][:5])
                raise SchemaError(
                    f"Field '{col}' of layer '{name}' is required but empty in "
                    f"{int(empty.sum())} row(s) (for example rows {rows}). Fill it in.",
                    f"图层“{lyr.zh}”的必填字段“{fld.zh}”有 {int(empty.sum())} 行为空"
                    f"(例如第 {rows} 行),请补全。",
                )
        if fld.choices is not None:
            allowed = {m.value for m in fld.choices}
            bad = series.dropna()
            bad = bad[~bad.isin(allowed)]
            if len(bad):
                raise SchemaError(
                    f"Field '{col}' of layer '{name}' has value(s) "
                    f"{sorted(set(map(str, bad)))[:5]}; allowed: {sorted(allowed)}.",
                    f"图层“{lyr.zh}”的字段“{fld.zh}”含有不允许的值 "
                    f"{sorted(set(map(str, bad)))[:5]};允许的值:{sorted(allowed)}。",
                )
        columns[col] = series
    out = pd.DataFrame(columns, index=frame.index)
    if geometry_name is None:
        return out
    assert isinstance(frame, gpd.GeoDataFrame)
    if crs is not None and frame.crs is not None:
        from pyproj import CRS

        if not CRS.from_user_input(frame.crs).equals(CRS.from_user_input(crs)):
            raise CrsError(
                f"The rows for '{name}' are in {frame.crs.name}, the project is in "
                f"{CRS.from_user_input(crs).name}; reproject them with "
                f"to_crs({CRS.from_user_input(crs).to_epsg()}) first.",
                f"待写入“{lyr.zh}”的数据坐标系为 {frame.crs.name},项目坐标系为 "
                f"{CRS.from_user_input(crs).name};请先转换坐标系。",
            )
    geoms = _conform_geometry(lyr, np.asarray(frame.geometry.values, dtype=object))
    return gpd.GeoDataFrame(out, geometry=geoms, crs=crs or frame.crs)


def _conform_geometry(lyr: Layer, geoms: np.ndarray) -> np.ndarray:
    """Check geometry types; promote single parts where the layer is multi-part."""
    expected = lyr.geometry
    assert expected is not None
    if expected == "Geometry" or len(geoms) == 0:
        return geoms
    present = ~shapely.is_missing(geoms)
    types = np.full(len(geoms), None, dtype=object)
    types[present] = shapely.get_type_id(geoms[present])
    names = np.array(
        [
            "Point",
            "LineString",
            "LinearRing",
            "Polygon",
            "MultiPoint",
            "MultiLineString",
            "MultiPolygon",
            "GeometryCollection",
        ],
        dtype=object,
    )
    type_names = np.full(len(geoms), None, dtype=object)
    type_names[present] = names[types[present].astype(int)]
    out = geoms.copy()
    single = [k for k, v in _SINGLE_TO_MULTI.items() if v == expected]
    if single:
        promote = present & np.isin(type_names, single)
        if promote.any():
            make_multi = (
                shapely.multipolygons
                if expected == "MultiPolygon"
                else shapely.multilinestrings
            )
            out[promote] = make_multi(geoms[promote].reshape(-1, 1))
    elif expected in _SINGLE_TO_MULTI:
        multi = _SINGLE_TO_MULTI[expected]
        demote = present & (type_names == multi)
        if demote.any():
            parts = shapely.get_num_geometries(geoms[demote])
            if (parts > 1).any():
                raise GeometryError(
                    f"{int((parts > 1).sum())} geometries for '{lyr.name}' have several "
                    f"parts; a {lyr.en[:-1].lower()} must be a single {expected}. "
                    "Split them into separate features or dissolve the parts.",
                    f"有 {int((parts > 1).sum())} 个“{lyr.zh}”几何由多个部分组成;"
                    f"每个{lyr.zh}必须是单个面。请拆分为多个要素或合并各部分。",
                )
            out[demote] = shapely.get_geometry(geoms[demote], 0)
            type_names[demote] = expected
    ok_types = {expected, *single}
    wrong = present & ~np.isin(type_names, list(ok_types))
    if wrong.any():
        found = sorted(set(type_names[wrong]))
        raise GeometryError(
            f"Layer '{lyr.name}' holds {expected} geometries but "
            f"{int(wrong.sum())} row(s) are {', '.join(found)}. "
            "Check that you picked the right source layer.",
            f"图层“{lyr.zh}”应为{_GEOM_ZH.get(expected, expected)},但有 "
            f"{int(wrong.sum())} 行为 {', '.join(found)}。请检查是否选错了源图层。",
        )
    return out


_GEOM_ZH = {
    "Point": "点",
    "LineString": "线",
    "Polygon": "面",
    "MultiPolygon": "面",
}


def shapefile_names(name: str) -> dict[str, str]:
    """Map of stored field name → shapefile field name for layer ``name``.

    Fields that shapefiles cannot hold (photos) are left out.
    """
    return {f.name: f.shp for f in layer(name).fields if f.shp is not None}


def fields_of(name: str, *, personal: bool = True) -> Iterable[Field]:
    """Fields of layer ``name``; ``personal=False`` leaves personal fields out."""
    return (f for f in layer(name).fields if personal or not f.personal)
