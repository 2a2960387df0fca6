"""The grid ledger (网格台账): everything a grid worker keeps about one grid.

:func:`read_ledgers` gathers, per grid, its figures, houses, residents, key
households, facilities and staff; :func:`write_ledger_xlsx` writes them as one
workbook per grid. Residents' ID numbers and phones are masked and birth dates cut to
the year unless personal data is asked for by name; ``privacy`` masks the staff's
phones too. The printable summary with the grid map is made by
:mod:`gridgis.qgis.ledger`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gridgis.core.definitions import (
    FacilityCategory,
    Gender,
    GridKind,
    HouseUse,
    Residence,
)
from gridgis.core.errors import SchemaError, unwritable_workbook
from gridgis.core.i18n import Text
from gridgis.core.register.counts import attributes, category_flags, write_sheet
from gridgis.core.register.identity import mask_id, mask_phone
from gridgis.core.settings import Settings
from gridgis.core.store import Store


@dataclass
class GridLedger:
    """The ledger of one grid, ready to write (personal data already masked)."""

    code: str
    name: str
    community: str
    street: str
    kind: str
    #: (heading, value) pairs of the summary (户数, 人口, 楼栋 …).
    figures: list[tuple[str, object]]
    #: Key persons per category: (category name, count).
    categories: list[tuple[str, int]]
    houses: pd.DataFrame
    residents: pd.DataFrame
    key_households: pd.DataFrame
    facilities: pd.DataFrame
    staff: pd.DataFrame
    #: Whether the residents' personal data is in it unmasked.
    personal: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The ledger's title (朝阳第1网格台账)."""
        return f"{self.name}台账"


def _label(enum: type, value: object) -> object:
    if value is None or value is pd.NA:
        return None
    try:
        return enum(value).label.zh
    except ValueError:
        return value


def _category_names(value: object, settings: Settings) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    names = []
    for part in value.split(";"):
        found = settings.category(part)
        names.append(found.zh if found else part)
    return "、".join(names)


def grid_codes(store: Store, *, grid: str | None, community: str | None) -> list[str]:
    """The grids a ledger run covers: one grid, or every grid of a community."""
    grids = attributes(store, "grids", ["code", "community_code"])
    if grid is not None:
        if grid not in set(grids["code"]):
            raise SchemaError(
                f"There is no grid {grid} in {store.location}.",
                f"{store.location} 中没有网格 {grid}。",
            )
        return [grid]
    if community is None:
        raise SchemaError(
            "Name a grid (--grid) or a community (--community) for the ledger.",
            "请指定网格(--grid)或社区(--community)。",
        )
    chosen = sorted(grids["code"][grids["community_code"] == community])
    if not chosen:
        raise SchemaError(
            f"Community {community} has no grids in {store.location}; divide it first "
            "or check the code.",
            f"{store.location} 中社区 {community} 没有网格;请先划分网格或核对编码。",
        )
    return chosen


def read_ledgers(
    store: Store,
    *,
    grid: str | None = None,
    community: str | None = None,
    with_personal_data: bool = False,
    privacy: bool = False,
) -> list[GridLedger]:
    """The ledgers of one grid or of every grid of a community."""
    from gridgis.core.stats import project_stats

    settings = store.settings
    codes = grid_codes(store, grid=grid, community=community)
    personal = with_personal_data and not privacy
    figures = project_stats(store).grids.set_index("code")
    grids = attributes(store, "grids", ["code", "name", "community_code", "kind"])
    grids = grids.set_index("code")
    communities = attributes(store, "communities", ["code", "name", "street_code"])
    communities = communities.set_index("code")
    streets = attributes(store, "streets", ["code", "name"]).set_index("code")
    buildings = attributes(
        store,
        "buildings",
        ["id", "number", "address", "households", "reg_households", "grid_code"],
        where={"grid_code": codes},
    )
    houses = attributes(
        store,
        "houses",
        ["id", "building_id", "unit", "floor", "room", "address", "use", "area"],
        where={"building_id": buildings["id"].tolist()},
    )
    residents = attributes(
        store,
        "residents",
        [
            "house_id", "name", "id_number", "gender", "birth_date", "phone",
            "relation", "residence", "categories", "tags",
        ],
        where={"house_id": houses["id"].tolist()},
    )  # fmt: skip
    facilities = attributes(
        store, "facilities", ["id", "name", "category", "address", "grid_code"],
        where={"grid_code": codes},
    )  # fmt: skip
    assignments = attributes(
        store, "assignments", ["staff_id", "grid_code", "role", "is_backup"],
        where={"grid_code": codes},
    )  # fmt: skip
    staff = attributes(
        store, "staff", ["id", "name", "phone", "organisation"],
        where={"id": assignments["staff_id"].tolist()},
    ).set_index("id")  # fmt: skip
    grid_of_building = dict(zip(buildings["id"], buildings["grid_code"], strict=True))
    houses["grid_code"] = houses["building_id"].map(grid_of_building)
    grid_of_house = dict(zip(houses["id"], houses["grid_code"], strict=True))
    address_of_house = dict(zip(houses["id"], houses["address"], strict=True))
    residents["grid_code"] = residents["house_id"].map(grid_of_house)
    flags = category_flags(residents["categories"], settings)

    ledgers = []
    for code in codes:
        row = grids.loc[code]
        comm = (
            communities.loc[row["community_code"]]
            if row["community_code"] in communities.index
            else None
        )
        street = (
            streets.loc[comm["street_code"], "name"]
            if comm is not None and comm["street_code"] in streets.index
            else ""
        )
        mine = residents["grid_code"].to_numpy() == code
        people = residents[mine]
        my_houses = houses[houses["grid_code"] == code]
        my_buildings = buildings[buildings["grid_code"] == code]
        counts = flags[mine].sum()
        stat = figures.loc[code] if code in figures.index else None
        summary: list[tuple[str, object]] = [
            ("网格编码", code),
            ("网格名称", row["name"]),
            ("所属社区", comm["name"] if comm is not None else ""),
            ("所属街道", street),
            ("网格类型", _label(GridKind, row["kind"])),
            ("户数", int(stat["households"]) if stat is not None else 0),
            ("人口", int(stat["population"]) if stat is not None else 0),
            ("户数范围", stat["band"] if stat is not None else ""),
            ("楼栋数", len(my_buildings)),
            (
                "已登记楼栋",
                int(my_buildings["reg_households"].notna().sum()),
            ),
            ("登记房屋", len(my_houses)),
            ("登记居民", len(people)),
            ("设施", int((facilities["grid_code"] == code).sum())),
            ("工作人员", int((assignments["grid_code"] == code).sum())),
        ]
        categories = [(c.zh, int(counts.get(c.id, 0))) for c in settings.categories]
        ledgers.append(
            GridLedger(
                code=code,
                name=str(row["name"]),
                community=str(comm["name"]) if comm is not None else "",
                street=str(street),
                kind=str(row["kind"]),
                figures=summary,
                categories=categories,
                houses=_houses_table(my_houses, people),
                residents=_residents_table(
                    people, address_of_house, settings, personal
                ),
                key_households=_key_table(
                    people[flags[mine].any(axis=1).to_numpy()],
                    people,
                    address_of_house,
                    settings,
                ),
                facilities=_facilities_table(
                    facilities[facilities["grid_code"] == code]
                ),
                staff=_staff_table(
                    assignments[assignments["grid_code"] == code],
                    staff,
                    settings,
                    privacy,
                ),
                personal=personal,
            )
        )
    return ledgers


def _houses_table(houses: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    per_house = people["house_id"].value_counts()
    houses = houses.sort_values("id", kind="stable")
    return pd.DataFrame(
        {
            "房屋编号": houses["id"].to_numpy(dtype=object),
            "标准地址": houses["address"].to_numpy(dtype=object),
            "建筑编号": houses["building_id"].to_numpy(dtype=object),
            "单元": houses["unit"].to_numpy(dtype=object),
            "楼层": [None if v is pd.NA else int(v) for v in houses["floor"].array],
            "室号": houses["room"].to_numpy(dtype=object),
            "房屋用途": [_label(HouseUse, v) for v in houses["use"]],
            "面积(㎡)": houses["area"].to_numpy(dtype=float),
            "居住人数": [int(per_house.get(h, 0)) for h in houses["id"]],
        }
    )


def _residents_table(
    people: pd.DataFrame,
    address_of_house: dict[str, object],
    settings: Settings,
    personal: bool,
) -> pd.DataFrame:
    people = people.sort_values("house_id", kind="stable")
    born = people["birth_date"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "姓名": people["name"].to_numpy(dtype=object),
            "性别": [_label(Gender, v) for v in people["gender"]],
            ("出生日期" if personal else "出生年份"): [
                v if personal or not isinstance(v, str) else v[:4] for v in born
            ],
            "身份证号": [
                v if personal else (mask_id(v) if isinstance(v, str) else None)
                for v in people["id_number"]
            ],
            "联系电话": [
                v if personal else (mask_phone(v) if isinstance(v, str) else None)
                for v in people["phone"]
            ],
            "与户主关系": people["relation"].to_numpy(dtype=object),
            "人口类型": [_label(Residence, v) for v in people["residence"]],
            "重点人员类别": [
                _category_names(v, settings) for v in people["categories"]
            ],
            "标签": people["tags"].to_numpy(dtype=object),
            "房屋地址": [address_of_house.get(h) for h in people["house_id"]],
        }
    )


def _key_table(
    key: pd.DataFrame,
    people: pd.DataFrame,
    address_of_house: dict[str, object],
    settings: Settings,
) -> pd.DataFrame:
    rows = []
    sizes = people["house_id"].value_counts()
    for house_id, group in key.groupby("house_id", sort=True):
        names = [
            f"{n}({_category_names(c, settings)})"
            for n, c in zip(group["name"], group["categories"], strict=True)
        ]
        kinds = sorted(
            {
                name
                for c in group["categories"]
                for name in (_category_names(c, settings) or "").split("、")
                if name
            }
        )
        rows.append(
            {
                "房屋地址": address_of_house.get(str(house_id)),
                "房屋编号": house_id,
                "户内人数": int(sizes.get(house_id, 0)),
                "重点人员数": len(group),
                "类别": "、".join(kinds),
                "重点人员": ";".join(names),
            }
        )
    columns = ["房屋地址", "房屋编号", "户内人数", "重点人员数", "类别", "重点人员"]
    return pd.DataFrame(rows, columns=columns)


def _facilities_table(facilities: pd.DataFrame) -> pd.DataFrame:
    facilities = facilities.sort_values("id", kind="stable")
    return pd.DataFrame(
        {
            "设施编号": facilities["id"].to_numpy(dtype=object),
            "设施名称": facilities["name"].to_numpy(dtype=object),
            "类别": [_label(FacilityCategory, v) for v in facilities["category"]],
            "地址": facilities["address"].to_numpy(dtype=object),
        }
    )


def _staff_table(
    posts: pd.DataFrame, staff: pd.DataFrame, settings: Settings, privacy: bool
) -> pd.DataFrame:
    rows = []
    for post in posts.itertuples(index=False):
        staff_id = str(post.staff_id)
        person = staff.loc[staff_id] if staff_id in staff.index else None
        role = settings.role(str(post.role))
        phone = person["phone"] if person is not None else None
        rows.append(
            {
                "岗位": role.zh if role else post.role,
                "姓名": person["name"] if person is not None else post.staff_id,
                "手机号码": mask_phone(phone) if privacy and phone else phone,
                "所属单位": person["organisation"] if person is not None else None,
                "AB岗替补": "是" if post.is_backup is True else "",
            }
        )
    columns = ["岗位", "姓名", "手机号码", "所属单位", "AB岗替补"]
    return pd.DataFrame(rows, columns=columns)


def ledger_stem(ledger: GridLedger) -> str:
    """File name (without extension) of a grid's ledger."""
    safe = "".join(c if c.isalnum() else "_" for c in ledger.name)
    return f"{ledger.code}_{safe}台账"


def write_ledger_xlsx(ledger: GridLedger, path: str | Path) -> Path:
    """Write one grid's ledger as an Excel workbook (Chinese sheets and headings)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    summary = pd.DataFrame(ledger.figures, columns=["项目", "数值"])
    write_sheet(book, "概况", summary)
    sheet = book["概况"]
    sheet.insert_rows(1)
    sheet["A1"] = ledger.title
    sheet["A1"].font = Font(bold=True, size=14)
    categories = pd.DataFrame(ledger.categories, columns=["重点人员类别", "人数"])
    write_sheet(book, "重点人员统计", categories)
    write_sheet(book, "房屋", ledger.houses, ("房屋编号", "建筑编号", "单元", "室号"))
    write_sheet(book, "居民", ledger.residents, ("身份证号", "联系电话"))
    write_sheet(book, "重点户", ledger.key_households, ("房屋编号",))
    write_sheet(book, "设施", ledger.facilities, ("设施编号",))
    write_sheet(book, "工作人员", ledger.staff, ("手机号码",))
    try:
        book.save(path)
    except OSError as exc:
        raise unwritable_workbook(path, exc) from None
    return path


def summary_lines(ledger: GridLedger) -> list[str]:
    """The summary as lines of text (for the printed ledger)."""
    return [f"{k}\uff1a{'' if v is None else v}" for k, v in ledger.figures[4:]]


def category_line(ledger: GridLedger) -> str:
    """Key persons per category in one line (党员 3 人 …)."""
    return ";".join(f"{name} {n} 人" for name, n in ledger.categories)


def mask_note(ledger: GridLedger) -> Text:
    """What the ledger shows of personal data."""
    if ledger.personal:
        return Text("含个人信息,注意保密", "holds personal data: keep it safe")
    return Text("身份证号、电话已隐去中间位", "ID numbers and phones are partly hidden")


__all__ = [
    "GridLedger",
    "category_line",
    "grid_codes",
    "ledger_stem",
    "mask_note",
    "read_ledgers",
    "summary_lines",
    "write_ledger_xlsx",
]
