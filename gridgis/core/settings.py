"""Project settings: household bands, the role catalogue, CRS, code prefix, board texts.

Settings live in the project's ``settings`` table, one JSON value per key, so that the
command line, the desktop application and the QGIS plugin see the same values. Bands and
roles are data set per project, never constants in the code.

Examples
--------
>>> s = Settings.default(crs_epsg=4549, code_prefix="320508")
>>> s.band("residential")
HouseholdBand(min=300, max=500)
>>> [r.zh for r in s.roles][:2]
['网格长', '专职网格员']
>>> Settings.from_rows(s.to_rows()) == s
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from gridgis.core.definitions import GridKind
from gridgis.core.errors import SchemaError
from gridgis.core.i18n import Text

#: Marker stored under ``format`` so a GridGIS project can be told from other files.
FORMAT_MARKER = "gridgis-project"


@dataclass(frozen=True)
class HouseholdBand:
    """The household count a grid of one kind must stay within (inclusive)."""

    min: int
    max: int

    def __post_init__(self) -> None:
        if self.min < 0 or self.max < self.min:
            raise SchemaError(
                f"Household band {self.min}–{self.max} is not a range; "
                "the minimum must be ≥ 0 and not above the maximum.",
                f"户数范围 {self.min}–{self.max} 无效;下限须 ≥ 0 且不大于上限。",
            )

    def contains(self, households: int) -> bool:
        """Whether ``households`` lies inside the band."""
        return self.min <= households <= self.max


@dataclass(frozen=True)
class Role:
    """A post in the role catalogue.

    Parameters
    ----------
    id
        Stored value in ``assignments.role``.
    zh, en
        User-visible names.
    required
        How many people in this role every grid needs (0: optional).
    """

    id: str
    zh: str
    en: str
    required: int = 0

    @property
    def label(self) -> Text:
        """The role's user-visible name."""
        return Text(self.zh, self.en)


#: Role catalogue presets (DOMAIN.md, "People").
ROLE_PRESETS: dict[str, tuple[Role, ...]] = {
    "grid-worker": (
        Role("grid_leader", "网格长", "grid leader", 1),
        Role("full_time", "专职网格员", "full-time grid worker", 1),
        Role("part_time", "兼职网格员", "part-time grid worker", 0),
        Role("instructor", "网格指导员", "grid instructor", 0),
        Role("police", "社区民警", "community police officer", 0),
    ),
    "1+6": (
        Role("supervisor", "督导员", "supervisor", 1),
        Role("manager", "管理员", "manager", 1),
        Role("patroller", "巡查员", "patroller", 1),
        Role("assistant", "协理员", "assistant", 1),
        Role("specialist", "专管员", "specialist", 1),
        Role("informant", "信息员", "information officer", 1),
    ),
}

#: Preset names with their user-visible titles.
ROLE_PRESET_TITLES: dict[str, Text] = {
    "grid-worker": Text("网格长 + 专职/兼职网格员", "grid leader + full/part-time"),
    "1+6": Text("“1+6”一格六员", "“1+6”: six kinds of staff"),
}


@dataclass(frozen=True)
class Category:
    """A key-person category of the information base (党员, 低保, 独居老人 …).

    Parameters
    ----------
    id
        Stored value in ``residents.categories`` (several joined by ``;``).
    zh, en
        User-visible names.
    colour
        Fill colour of buildings with such residents on the key-households map.
    """

    id: str
    zh: str
    en: str
    colour: str = "#d7301f"

    @property
    def label(self) -> Text:
        """The category's user-visible name."""
        return Text(self.zh, self.en)


#: Key-person category presets (重点人员类别).
CATEGORY_PRESETS: dict[str, tuple[Category, ...]] = {
    "standard": (
        Category("party_member", "党员", "party member", "#c0392b"),
        Category("low_income", "低保", "minimum allowance", "#e67e22"),
        Category("elderly_alone", "独居老人", "elderly living alone", "#8e44ad"),
        Category("aged_80", "高龄", "aged 80 and over", "#6c3483"),
        Category("disabled", "残疾", "disabled", "#2471a3"),
        Category("veteran", "退役军人", "veteran", "#1e8449"),
        Category("special_care", "重点关注", "special care", "#7b241c"),
        Category("floating", "流动人口", "floating population", "#b7950b"),
        Category("rented", "出租户", "rented home", "#117a65"),
    ),
}


DEFAULT_BANDS: dict[str, HouseholdBand] = {
    GridKind.RESIDENTIAL.value: HouseholdBand(300, 500),
    GridKind.UNIT.value: HouseholdBand(0, 500),
    GridKind.SPECIAL.value: HouseholdBand(0, 1000),
}

DEFAULT_DUTIES: tuple[str, ...] = (
    "信息采集:掌握网格内住户、人口、单位和设施底数,及时更新台账。",
    "日常巡查:每日巡查网格,记录民情日志,发现问题及时处置或上报。",
    "矛盾调解:排查化解邻里纠纷,重大矛盾第一时间上报社区。",
    "安全隐患:排查消防、燃气、治安等隐患,督促整改。",
    "便民服务:代办、帮办居民事项,做到小事不出网格、大事不出社区。",
    "政策宣传:宣传党和政府的方针政策,倾听并反映居民诉求。",
)


@dataclass(frozen=True)
class Settings:
    """All settings of one project."""

    crs_epsg: int
    code_prefix: str
    household_bands: Mapping[str, HouseholdBand] = field(
        default_factory=lambda: dict(DEFAULT_BANDS)
    )
    role_preset: str = "grid-worker"
    roles: tuple[Role, ...] = ROLE_PRESETS["grid-worker"]
    topology_tolerance: float = 0.5
    hotline: str = "12345"
    duties: tuple[str, ...] = DEFAULT_DUTIES
    categories: tuple[Category, ...] = CATEGORY_PRESETS["standard"]
    schema_version: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def default(
        cls,
        crs_epsg: int,
        code_prefix: str,
        *,
        role_preset: str = "grid-worker",
    ) -> Settings:
        """Settings of a new project with the bands and roles of a preset."""
        from gridgis.core.schema import SCHEMA_VERSION

        if role_preset not in ROLE_PRESETS:
            raise SchemaError(
                f"Unknown role preset '{role_preset}'; choose one of "
                f"{', '.join(ROLE_PRESETS)}.",
                f"未知的岗位预设“{role_preset}”;可选:{', '.join(ROLE_PRESETS)}。",
            )
        return cls(
            crs_epsg=int(crs_epsg),
            code_prefix=str(code_prefix),
            role_preset=role_preset,
            roles=ROLE_PRESETS[role_preset],
            schema_version=SCHEMA_VERSION,
        )

    def band(self, kind: str | GridKind) -> HouseholdBand:
        """The household band of grids of ``kind``."""
        key = kind.value if isinstance(kind, GridKind) else str(kind)
        try:
            return self.household_bands[key]
        except KeyError:
            raise SchemaError(
                f"No household band is set for grid kind '{key}'; "
                "add one in the project settings.",
                f"项目设置中没有“{key}”类网格的户数范围,请补充。",
            ) from None

    def role(self, role_id: str) -> Role | None:
        """The catalogue entry of ``role_id``, or ``None`` if it is not in the catalogue."""
        return next((r for r in self.roles if r.id == role_id), None)

    def category(self, value: str) -> Category | None:
        """The catalogue entry whose id, Chinese or English name is ``value``."""
        wanted = value.strip().lower()
        return next(
            (
                c
                for c in self.categories
                if wanted in (c.id.lower(), c.zh.lower(), c.en.lower())
            ),
            None,
        )

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)

    # -- storage ---------------------------------------------------------------

    def to_rows(self) -> list[tuple[str, str]]:
        """The ``(key, JSON value)`` rows of the settings table."""
        values: dict[str, Any] = {
            "format": FORMAT_MARKER,
            "schema_version": self.schema_version,
            "crs_epsg": self.crs_epsg,
            "code_prefix": self.code_prefix,
            "household_bands": {
                k: [b.min, b.max] for k, b in sorted(self.household_bands.items())
            },
            "role_preset": self.role_preset,
            "roles": [asdict(r) for r in self.roles],
            "topology_tolerance": self.topology_tolerance,
            "hotline": self.hotline,
            "duties": list(self.duties),
            "categories": [asdict(c) for c in self.categories],
        }
        values.update(self.extra)
        return [(k, json.dumps(v, ensure_ascii=False)) for k, v in values.items()]

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str | None]]) -> Settings:
        """Settings from the rows of a settings table.

        Raises
        ------
        SchemaError
            If a required key is missing or a value is not valid JSON.
        """
        values: dict[str, Any] = {}
        for key, raw in rows:
            try:
                values[key] = json.loads(raw) if raw is not None else None
            except json.JSONDecodeError:
                raise SchemaError(
                    f"Setting '{key}' holds '{raw}', which is not valid JSON; "
                    "fix or delete the row in the settings table.",
                    f"设置项“{key}”的值“{raw}”不是有效的 JSON;"
                    "请在 settings 表中修正或删除该行。",
                ) from None
        missing = [k for k in ("crs_epsg", "code_prefix") if values.get(k) is None]
        if missing:
            raise SchemaError(
                f"The project settings lack {', '.join(missing)}.",
                f"项目设置缺少 {', '.join(missing)}。",
            )
        known = {
            "format",
            "schema_version",
            "crs_epsg",
            "code_prefix",
            "household_bands",
            "role_preset",
            "roles",
            "topology_tolerance",
            "hotline",
            "duties",
            "categories",
        }
        kwargs: dict[str, Any] = {
            "crs_epsg": int(values["crs_epsg"]),
            "code_prefix": str(values["code_prefix"]),
            "schema_version": int(values.get("schema_version") or 0),
            "extra": {k: v for k, v in values.items() if k not in known},
        }
        if values.get("household_bands"):
            kwargs["household_bands"] = {
                k: HouseholdBand(int(v[0]), int(v[1]))
                for k, v in values["household_bands"].items()
            }
        if values.get("role_preset"):
            kwargs["role_preset"] = str(values["role_preset"])
        if values.get("roles"):
            kwargs["roles"] = tuple(Role(**r) for r in values["roles"])
        if values.get("topology_tolerance") is not None:
            kwargs["topology_tolerance"] = float(values["topology_tolerance"])
        if values.get("hotline") is not None:
            kwargs["hotline"] = str(values["hotline"])
        if values.get("duties") is not None:
            kwargs["duties"] = tuple(values["duties"])
        if values.get("categories"):
            kwargs["categories"] = tuple(Category(**c) for c in values["categories"])
        return cls(**kwargs)
