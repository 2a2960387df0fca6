"""Importing filled templates into the information base, in one transaction.

:func:`plan_register` reads a houses or residents template, finds the building of
every row (:class:`~gridgis.core.register.address.BuildingIndex`), checks ID numbers,
phones, categories and duplicates, and either returns a :class:`RegisterPlan` or raises
:class:`RegisterError` listing every problem with its row number — nothing is written
then. :func:`apply_register` writes the houses and residents, the buildings' registered
households and population, and the grid, community and street totals that follow from
them, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from gridgis.core import schema
from gridgis.core.definitions import Gender, HouseUse, LabelledEnum, Residence
from gridgis.core.errors import InputFileError
from gridgis.core.exchange.roster import normalise_phone
from gridgis.core.i18n import Text
from gridgis.core.progress import Feedback, check
from gridgis.core.register.address import (
    BuildingIndex,
    Match,
    clean,
    digits,
    floor_of,
    parse_address,
    standard_address,
    standard_addresses,
)
from gridgis.core.register.counts import attributes
from gridgis.core.register.identity import check_id_number, mask_id
from gridgis.core.register.templates import Table, read_table
from gridgis.core.settings import Settings
from gridgis.core.store import Store

MODES = ("add", "replace")

#: Houses with these uses hold no household.
NO_HOUSEHOLD = (HouseUse.VACANT.value, HouseUse.BUSINESS.value)

_KINDS = {
    "unmatched": Text("找不到建筑", "no such building"),
    "ambiguous": Text("建筑不唯一", "building not unique"),
    "missing": Text("缺少必填项", "required value missing"),
    "id_number": Text("身份证号有误", "bad ID number"),
    "birth_date": Text("出生日期有误", "bad birth date"),
    "gender": Text("性别有误", "bad gender"),
    "phone": Text("电话有误", "bad phone"),
    "category": Text("未知的重点人员类别", "unknown category"),
    "choice": Text("取值有误", "value not allowed"),
    "number": Text("数值有误", "not a number"),
    "duplicate": Text("重复", "duplicate"),
    "two_houses": Text("同一人登记在两处房屋", "one person in two houses"),
    "registered": Text("已登记", "already registered"),
    "house": Text("找不到房屋", "no such house"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row of a register."""

    row: int
    kind: str
    message: Text
    candidates: tuple[str, ...] = ()

    def line(self) -> Text:
        """The problem as one line of a report."""
        title = _KINDS[self.kind]
        extra_zh = f";最接近的:{'、'.join(self.candidates)}" if self.candidates else ""
        extra_en = f"; closest: {', '.join(self.candidates)}" if self.candidates else ""
        return Text(
            f"第 {self.row} 行 {title.zh}:{self.message.zh}{extra_zh}",
            f"row {self.row} {title.en}: {self.message.en}{extra_en}",
        )


@dataclass
class RegisterReport:
    """What an import of a register found and wrote."""

    layer: str
    source: str
    rows: int
    how: Text
    houses_added: int = 0
    residents_added: int = 0
    houses_removed: int = 0
    residents_removed: int = 0
    buildings: int = 0
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def lines(self) -> list[Text]:
        """The report, line by line."""
        out = [
            Text(
                f"{self.source}:{self.rows} 行({self.how.zh}),新增房屋 "
                f"{self.houses_added} 套、居民 {self.residents_added} 人,"
                f"涉及 {self.buildings} 栋建筑。",
                f"{self.source}: {self.rows} rows ({self.how.en}); added "
                f"{self.houses_added} houses and {self.residents_added} residents in "
                f"{self.buildings} buildings.",
            )
        ]
        if self.houses_removed or self.residents_removed:
            out.append(
                Text(
                    f"替换:移除原有房屋 {self.houses_removed} 套、居民 "
                    f"{self.residents_removed} 人。",
                    f"Replaced: removed {self.houses_removed} houses and "
                    f"{self.residents_removed} residents registered before.",
                )
            )
        if self.ignored:
            out.append(
                Text(
                    f"未识别的列(已忽略):{'、'.join(self.ignored)}",
                    f"Columns not recognised (ignored): {', '.join(self.ignored)}",
                )
            )
        out += [p.line() for p in self.problems]
        return out


class RegisterError(InputFileError):
    """A register has rows GridGIS cannot take as they are; nothing was written."""

    def __init__(self, report: RegisterReport) -> None:
        self.report = report
        n = len(report.problems)
        super().__init__(
            f"{report.source}: {n} row problem(s); nothing was imported. Correct the "
            "rows listed below (the closest buildings are named) and import again.",
            f"{report.source}:有 {n} 处问题,未导入任何数据。"
            "请按下列行号修正(已列出最接近的建筑)后重新导入。",
            details="\n".join(p.line().get() for p in report.problems),
        )


@dataclass
class RegisterPlan:
    """What an import will write, computed and checked but not yet stored."""

    houses: pd.DataFrame
    residents: pd.DataFrame
    #: House and resident fids to remove first (``replace``).
    remove_houses: np.ndarray
    remove_residents: np.ndarray
    #: Buildings' registered households and population (indexed by building fid).
    buildings: pd.DataFrame
    report: RegisterReport


# -- values ------------------------------------------------------------------------

_PERSON = ("name", "id_number", "gender", "birth_date", "phone", "relation",
           "residence", "categories", "tags")  # fmt: skip
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SPLIT = re.compile(r"[,,、;;/|\s]+")
_GENDERS = tuple({"男": "male", "女": "female", "male": "male", "female": "female",
            "m": "male", "f": "female"}.items())  # fmt: skip
_RESIDENCE = tuple({"户籍": "registered", "户籍人口": "registered", "常住": "registered",
              "本地": "registered", "registered": "registered", "流动": "floating",
              "流动人口": "floating", "外来": "floating", "floating": "floating"}.items())  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _choice(
    value: object, enum: type[LabelledEnum], extra: tuple[tuple[str, str], ...] = ()
) -> str | None:
    text = clean(value).lower()
    if extra and text in dict(extra):
        return dict(extra)[text]
    for member in enum:
        if text in (member.value, member.label.zh.lower(), member.label.en.lower()):
            return str(member.value)
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _date(value: object) -> str | None:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    text = clean(value)
    match = re.fullmatch(r"(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?", text)
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None


_UNIT = re.compile(r"\d+(?:单元)?")
_ROOM = re.compile(r"\d+室?")


def _per_value(
    values: pd.Series, read: Callable[[object], tuple[str | None, bool]]
) -> tuple[pd.Series, np.ndarray]:
    """``read`` applied to each value (once per distinct one): the values, their checks."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    done = [read(v) for v in uniques] + [read(None)]
    value = np.empty(len(done), dtype=object)
    value[:] = [v for v, _ in done]
    good = np.array([g for _, g in done], dtype=bool)
    return pd.Series(value[codes], index=values.index, dtype=object), good[codes]


def _as_text(value: object) -> tuple[str | None, bool]:
    return _text(value), True


def _where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` where ``mask``, ``None`` elsewhere."""
    out = np.full(len(values), None, dtype=object)
    out[mask] = values[mask]
    return out


# -- the plan -----------------------------------------------------------------------


class _Planner:
    def __init__(self, store: Store, table: Table, layer: str, mode: str) -> None:
        self.store = store
        self.settings: Settings = store.settings
        self.table = table
        self.layer = layer
        self.mode = mode
        self.problems: list[Problem] = []
        self._categories: dict[str, tuple[str | None, list[str]]] = {}
        buildings = attributes(store, "buildings", ["id", "number", "address"])
        self.building_fids = buildings.index.to_numpy()
        self.index = BuildingIndex(
            buildings["id"].tolist(),
            buildings["number"].tolist(),
            buildings["address"].tolist(),
        )
        self.houses = attributes(store, "houses", schema.layer("houses").field_names)
        self.residents = attributes(store, "residents", ["id", "house_id", "id_number"])

    def problem(
        self, row: int, kind: str, zh: str, en: str, candidates: tuple[str, ...] = ()
    ) -> None:
        self.problems.append(Problem(row, kind, Text(zh, en), candidates))

    # -- where a row lives ---------------------------------------------------------

    def building(self, number: int, row: dict[str, object]) -> Match | None:
        if "building_id" in row:
            match = self.index.by_building_id(row["building_id"])
            what = str(row["building_id"])
        elif "address" in row or "number" in row:
            match = self.index.find(row.get("address"), row.get("number"))
            what = " ".join(str(row[k]) for k in ("address", "number") if k in row)
        else:
            self.problem(
                number, "missing",
                "没有建筑编号、标准地址或楼号,无法确定所在建筑",
                "no building ID, address or building number to find the building by",
            )  # fmt: skip
            return None
        if match.status == "unmatched":
            self.problem(
                number, "unmatched", f"“{what}”不是本项目的建筑",
                f"'{what}' is no building of the project", match.candidates,
            )  # fmt: skip
            return None
        if match.status == "ambiguous":
            self.problem(
                number, "ambiguous",
                f"“{what}”对应多栋建筑,请写明建筑编号或完整地址",
                f"'{what}' fits several buildings; give the building ID or the full "
                "address", match.candidates,
            )  # fmt: skip
            return None
        return match

    def house_parts(
        self, number: int, row: dict[str, object]
    ) -> tuple[str, dict[str, object]] | None:
        """The house a row means: its ID and its fields (for a new house)."""
        match = self.building(number, row)
        if match is None:
            return None
        k = match.position
        building_id = self.index.ids[k]
        unit = digits(row["unit"]) if "unit" in row else match.unit
        room = clean(row["room"]) if "room" in row else match.room
        if room:
            room = re.sub(r"室$", "", room)
        house_id = "-".join(p for p in (building_id, unit, room) if p)
        fields: dict[str, object] = {
            "id": house_id,
            "building_id": building_id,
            "unit": unit,
            "room": room,
            "floor": floor_of(room),
            "address": standard_address(
                self.index.bases[k] or None, self.index.numbers[k], unit, room
            ),
        }
        return house_id, fields

    # -- houses ----------------------------------------------------------------------

    def plan_houses(self) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        known = set(self.houses["id"])
        seen: dict[str, int] = {}
        houses: list[dict[str, object]] = []
        for number, row in self.table.rows:
            parts = self.house_parts(number, row)
            if parts is None:
                continue
            house_id, fields = parts
            if "id" in row:
                house_id = fields["id"] = str(_text(row["id"]))
            if "floor" in row:
                floor = pd.to_numeric(clean(row["floor"]), errors="coerce")
                if pd.isna(floor):
                    self.problem(number, "number", f"楼层“{row['floor']}”不是数字",
                                 f"floor '{row['floor']}' is not a number")  # fmt: skip
                else:
                    fields["floor"] = int(floor)
            if "use" in row:
                use = _choice(row["use"], HouseUse)
                if use is None:
                    self.problem(
                        number, "choice",
                        f"房屋用途“{row['use']}”应为 自住/出租/群租/空置/经营",
                        f"use '{row['use']}' must be owner/rented/group_rented/"
                        "vacant/business",
                    )  # fmt: skip
                fields["use"] = use
            if "area" in row:
                area = pd.to_numeric(clean(row["area"]), errors="coerce")
                if pd.isna(area) or area <= 0:
                    self.problem(number, "number", f"面积“{row['area']}”不是正数",
                                 f"area '{row['area']}' is not a positive number")  # fmt: skip
                else:
                    fields["area"] = float(area)
            if house_id in seen:
                self.problem(
                    number, "duplicate", f"房屋 {house_id} 与第 {seen[house_id]} 行重复",
                    f"house {house_id} repeats row {seen[house_id]}",
                )  # fmt: skip
                continue
            seen[house_id] = number
            if self.mode == "add" and house_id in known:
                self.problem(
                    number, "registered", f"房屋 {house_id} 已在登记库中",
                    f"house {house_id} is already registered (import with --mode "
                    "replace to register its building anew)",
                )  # fmt: skip
                continue
            houses.append(fields)
        return houses, []

    # -- residents --------------------------------------------------------------------

    def plan_residents(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        by_id = dict(zip(self.houses["id"], self.houses.index, strict=True))
        fast, fast_houses = self._fast_residents(by_id)
        new_houses: dict[str, dict[str, object]] = {}
        people: list[tuple[int, str, dict[str, object]]] = []
        handled = np.zeros(len(self.table), dtype=bool)
        if len(fast):
            handled[fast["position"].to_numpy()] = True
            fast = fast.drop(columns="position")
        for k in np.flatnonzero(~handled):
            number, row = self.table.row(int(k))
            house_id: str | None
            if "house_id" in row:
                house_id = str(_text(row["house_id"]))
                if house_id not in by_id:
                    self.problem(
                        number, "house", f"房屋编号 {house_id} 未登记",
                        f"house {house_id} is not registered",
                    )  # fmt: skip
                    house_id = None
            else:
                parts = self.house_parts(number, row)
                house_id = None
                if parts is not None:
                    house_id, fields = parts
                    if house_id not in by_id:
                        new_houses.setdefault(
                            house_id, {"group": 1, "row": number, **fields}
                        )
            person = self.person(number, row)
            if house_id is not None and person is not None:
                people.append((number, house_id, person))
        slow = pd.DataFrame(
            [{**p, "house_id": h, "row": n} for n, h, p in people],
            columns=[*_PERSON, "house_id", "row"],
        )
        everyone = pd.concat([fast, slow], ignore_index=True).sort_values(
            "row", kind="stable"
        )
        # Duplicates: only people whose number repeats or is registered already.
        numbers = everyone["id_number"]
        known = set(self.residents["id_number"].dropna().astype(str))
        suspect = numbers.notna() & (
            numbers.duplicated(keep=False) | numbers.isin(known)
        )
        self.duplicates(
            [
                (int(r.row), str(r.house_id), {"id_number": r.id_number})
                for r in everyone[suspect.to_numpy()].itertuples(index=False)
            ]
        )
        existing = self.residents["house_id"].value_counts()
        before = everyone["house_id"].map(existing).fillna(0).astype(np.int64)
        order = everyone.groupby("house_id", sort=False).cumcount() + 1
        everyone["id"] = everyone["house_id"] + "-" + (before + order).astype(str)
        # New houses in the order they are first named: by the rows naming their
        # building by ID and written the common way, then by the other rows.
        houses = fast_houses
        if new_houses:
            houses = (
                pd.concat(
                    [houses, pd.DataFrame(list(new_houses.values()))],
                    ignore_index=True,
                )
                .sort_values(["group", "row"], kind="stable")
                .drop_duplicates("id")
            )
        return houses, everyone.drop(columns="row")

    def _fast_residents(
        self, by_id: dict[str, object]
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Rows written the common way, checked all at once (vectorised).

        A row qualifies when it names its building by ID (unit and room in their
        columns) or by a standard address alone that fits one building, has a name,
        a valid ID number or none, a mobile or no phone, and known 户籍/流动 and
        category values; every other row goes the row-by-row way, which reports its
        problems. Returns the people (with their ``row`` number and ``position`` in
        the table) and the new houses (with ``group``: 0 when first named by a row
        by building ID, else 1, and the ``row`` first naming them there).
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        empty = pd.DataFrame(columns=[*_PERSON, "house_id", "row", "position"])
        no_houses = pd.DataFrame(
            columns=["group", "row", *schema.layer("houses").field_names]
        )
        table = self.table
        if not len(table) or not {"building_id", "address"} & set(table.values):
            return empty, no_houses
        number = table.numbers.astype(np.int64)

        def text(name: str) -> pd.Series:
            return pd.Series(table.column(name), dtype=object)

        def is_text(series: pd.Series) -> np.ndarray:
            values = series.to_numpy(dtype=object)
            if pd.api.types.infer_dtype(values, skipna=True) == "string":
                return np.asarray(pd.notna(values), dtype=bool)
            return np.array([type(v) is str for v in values], dtype=bool)

        ok = np.ones(len(table), dtype=bool)
        for name in ("house_id", "gender", "birth_date"):
            ok &= text(name).isna().to_numpy()
        bid = text("building_id")
        by_bid = is_text(bid)
        # Cells are read stripped.
        upper = bid.where(by_bid, "").str.upper()
        lookup = pd.Index(list(self.index.by_id))
        building = lookup.get_indexer(upper)
        positions = np.array(list(self.index.by_id.values()), dtype=np.int64)
        building = np.where(
            by_bid & (building >= 0), positions[np.maximum(building, 0)], -1
        )

        def plain_text(value: object) -> str:
            return (
                unicodedata.normalize("NFKC", value).strip()
                if type(value) is str
                else ""
            )

        def unit_of(value: object) -> tuple[str | None, bool]:
            if value is None:
                return None, True
            plain = plain_text(value)
            if _UNIT.fullmatch(plain) is None:
                return None, False
            return plain.replace("单元", "").lstrip("0") or "0", True

        def room_of(value: object) -> tuple[str | None, bool]:
            if value is None:
                return None, True
            plain = plain_text(value)
            if _ROOM.fullmatch(plain) is None:
                return None, False
            return plain.replace("室", ""), True

        # Units and rooms repeat over the rows: each distinct value is read once.
        unit_cells, room_cells = text("unit"), text("room")
        unit, good_unit = _per_value(unit_cells, unit_of)
        room, good_room = _per_value(room_cells, room_of)
        ok &= good_unit & good_room
        # Rows by standard address alone: each distinct address is read once.
        address = text("address")
        by_address = (
            bid.isna().to_numpy()
            & is_text(address)
            & text("number").isna().to_numpy()
            & unit_cells.isna().to_numpy()
            & room_cells.isna().to_numpy()
        )
        if by_address.any():
            at, unit_at, room_at = self._addresses(address[by_address])
            building[by_address] = at
            unit[by_address] = unit_at
            room[by_address] = room_at
        ok &= building >= 0

        names = text("name")
        ok &= is_text(names)
        ids = text("id_number")
        id_given = ids.notna().to_numpy()
        # Upper case: a number with other than ASCII digits and X is no valid one.
        upper = pc.ascii_upper(
            pa.array(ids.where(is_text(ids), None).to_numpy(), type=pa.string())
        )
        id_text = upper.to_numpy(zero_copy_only=False)
        shape = (
            pc.match_substring_regex(upper, "^[0-9]{17}[0-9X]$")
            .fill_null(False)
            .to_numpy(zero_copy_only=False)
        )
        valid = shape.copy()
        birth = np.full(len(table), None, dtype=object)
        odd = np.zeros(len(table), dtype=bool)
        if shape.any():
            chars = id_text[shape].astype("S18").view(np.uint8).reshape(-1, 18)
            digits = chars[:, :17].astype(np.int64) - 48
            born = pd.to_datetime(
                chars[:, 6:14].copy().view("S8").ravel().astype(str),
                format="%Y%m%d",
                errors="coerce",
            )
            today = pd.Timestamp.today()
            dated = np.asarray(born.notna() & (born.year >= 1900) & (born <= today))
            weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
            check = np.frombuffer(b"10X98765432", dtype=np.uint8)[
                (digits * weights).sum(axis=1) % 11
            ]
            valid[shape] = dated & (check == chars[:, 17])
            birth[shape] = np.asarray(born.strftime("%Y-%m-%d"), dtype=object)
            odd[shape] = digits[:, 16] % 2 == 1
        ok &= ~id_given | valid
        phone = text("phone")
        ok &= phone.isna().to_numpy() | (
            is_text(phone)
            & phone.where(is_text(phone), "")
            .str.fullmatch(_MOBILE.pattern[1:-1])
            .fillna(False)
            .to_numpy(bool)
        )

        def residence_of(value: object) -> tuple[str | None, bool]:
            if value is None:
                return None, True
            found = _choice(value, Residence, _RESIDENCE)
            return found, found is not None

        def categories_of(value: object) -> tuple[str | None, bool]:
            if value is None:
                return None, True
            found, unknown = self.categories(value)
            return found, not unknown

        mapped_res, good_res = _per_value(text("residence"), residence_of)
        mapped_cat, good_cat = _per_value(text("categories"), categories_of)
        ok &= good_res & good_cat
        if not ok.any():
            return empty, no_houses

        k = building[ok]
        b_ids = np.array(self.index.ids, dtype=object)[k]
        u = unit[ok].to_numpy(dtype=object)
        r = room[ok].to_numpy(dtype=object)
        house_ids = b_ids.copy()
        for piece in (u, r):
            has = pd.notna(piece)
            house_ids[has] = house_ids[has] + "-" + piece[has]
        gender = _where(valid[ok], np.where(odd[ok], "male", "female").astype(object))
        out = pd.DataFrame(
            {
                "name": names[ok].to_numpy(dtype=object),
                "id_number": _where(id_given[ok], id_text[ok]),
                "gender": gender,
                "birth_date": _where(valid[ok], birth[ok]),
                "phone": phone[ok].to_numpy(dtype=object),
                "relation": _per_value(text("relation")[ok], _as_text)[0].to_numpy(
                    dtype=object
                ),
                "residence": mapped_res[ok].to_numpy(dtype=object),
                "categories": mapped_cat[ok].to_numpy(dtype=object),
                "tags": _per_value(text("tags")[ok], _as_text)[0].to_numpy(
                    dtype=object
                ),
                "house_id": house_ids,
                "row": number[ok],
                "position": np.flatnonzero(ok),
            }
        )
        # Each new house once, where first named (rows by building ID before others).
        first = (
            pd.DataFrame(
                {
                    "id": house_ids,
                    "group": np.where(by_bid[ok], 0, 1),
                    "row": number[ok],
                    "j": np.arange(len(house_ids)),
                }
            )
            .sort_values(["group", "row"], kind="stable")
            .drop_duplicates("id")
        )
        first = first[~first["id"].isin(list(by_id))]
        j = first["j"].to_numpy()
        kk = k[j]
        units, rooms = u[j], r[j]
        floors, known_rooms = pd.factorize(pd.Series(rooms, dtype=object))
        floor = pd.array([floor_of(v) for v in known_rooms] + [None], dtype="Int64")[
            floors
        ]
        houses = pd.DataFrame(
            {
                "group": first["group"].to_numpy(),
                "row": first["row"].to_numpy(),
                "id": first["id"].to_numpy(dtype=object),
                "building_id": b_ids[j],
                "unit": units,
                "room": rooms,
                "floor": floor,
                "address": standard_addresses(
                    np.array(self.index.bases, dtype=object)[kk],
                    np.array(self.index.numbers, dtype=object)[kk],
                    units,
                    rooms,
                ),
            }
        )
        return out, houses

    def _addresses(
        self, addresses: pd.Series
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where standard addresses lead, read as :meth:`BuildingIndex.find` reads them.

        Returns each address's building position (-1 unless exactly one building
        fits), unit and room.
        """
        codes, uniques = pd.factorize(addresses)
        parsed = [parse_address(value) for value in uniques]
        bases = np.array([p.base or "" for p in parsed], dtype=object)
        numbers = np.array([p.building or "" for p in parsed], dtype=object)
        units = np.array([p.unit for p in parsed], dtype=object)
        rooms = np.array([p.room for p in parsed], dtype=object)
        # The buildings on these roads by road address and number: the first one
        # and how many (BuildingIndex.by_base_number, without making all of it).
        known_bases = pd.Series(self.index.bases, dtype=object)
        known_numbers = pd.Series(self.index.numbers, dtype=object)
        near = np.flatnonzero(
            known_bases.isin(set(bases) - {""}).to_numpy()
            & known_numbers.astype(bool).to_numpy()
        )
        found = (
            pd.DataFrame(
                {
                    "base": known_bases.to_numpy()[near],
                    "number": known_numbers.to_numpy()[near],
                    "position": near,
                }
            )
            .groupby(["base", "number"], sort=False)["position"]
            .agg(["first", "size"])
        )
        at = np.full(len(uniques), -1, dtype=np.int64)
        if len(found):
            keys = pd.MultiIndex.from_arrays([bases, numbers])
            where = found.index.get_indexer(keys)
            one = (where >= 0) & bases.astype(bool) & numbers.astype(bool)
            one[one] = found["size"].to_numpy()[where[one]] == 1
            at[one] = found["first"].to_numpy()[where[one]]
        return at[codes], units[codes], rooms[codes]

    def person(self, number: int, row: dict[str, object]) -> dict[str, object] | None:
        before = len(self.problems)
        name = _text(row.get("name"))
        if name is None:
            self.problem(number, "missing", "姓名为空", "the name is empty")
        person: dict[str, object] = {"name": name}
        checked = check_id_number(row.get("id_number"))
        if checked.problem is not None:
            self.problem(
                number, "id_number",
                f"身份证号 {mask_id(checked.number)} {checked.problem.zh}",
                f"ID number {mask_id(checked.number)} {checked.problem.en}",
            )  # fmt: skip
        person["id_number"] = checked.number or None
        gender = None
        if "gender" in row:
            gender = _choice(row["gender"], Gender, _GENDERS)
            if gender is None:
                self.problem(number, "gender", f"性别“{row['gender']}”应为 男 或 女",
                             f"gender '{row['gender']}' must be 男 or 女")  # fmt: skip
            elif checked.gender and gender != checked.gender:
                self.problem(
                    number, "gender", "性别与身份证号不符",
                    "the gender does not match the ID number",
                )  # fmt: skip
        person["gender"] = gender or checked.gender
        born = None
        if "birth_date" in row:
            born = _date(row["birth_date"])
            if born is None:
                self.problem(
                    number, "birth_date", f"出生日期“{row['birth_date']}”不是日期",
                    f"birth date '{row['birth_date']}' is not a date",
                )  # fmt: skip
            elif checked.birth_date and born != checked.birth_date:
                self.problem(
                    number, "birth_date", "出生日期与身份证号不符",
                    "the birth date does not match the ID number",
                )  # fmt: skip
        person["birth_date"] = born or checked.birth_date
        raw_phone = row.get("phone")
        phone = (
            raw_phone
            if type(raw_phone) is str and _MOBILE.match(raw_phone)
            else normalise_phone(raw_phone)
        )
        if phone is None:
            self.problem(
                number, "phone", "电话号码格式不正确(手机 11 位,固话带区号)",
                "the phone number is malformed (11-digit mobile, or a landline with "
                "its area code)",
            )  # fmt: skip
        person["phone"] = phone or None
        person["relation"] = _text(row.get("relation"))
        residence = None
        if "residence" in row:
            residence = _choice(row["residence"], Residence, _RESIDENCE)
            if residence is None:
                self.problem(
                    number, "choice", f"人口类型“{row['residence']}”应为 户籍 或 流动",
                    f"'{row['residence']}' must be 户籍 (registered) or 流动 (floating)",
                )  # fmt: skip
        person["residence"] = residence
        person["categories"] = None
        if "categories" in row:
            found, unknown = self.categories(row["categories"])
            for value in unknown:
                names = "、".join(c.zh for c in self.settings.categories)
                self.problem(
                    number, "category",
                    f"“{value}”不在项目的重点人员类别中({names})",
                    f"'{value}' is not a category of the project ({names})",
                )  # fmt: skip
            person["categories"] = found
        person["tags"] = _text(row.get("tags"))
        return person if len(self.problems) == before else None

    def categories(self, value: object) -> tuple[str | None, list[str]]:
        """Catalogue ids (joined by ``;``) of a categories cell, and unknown names."""
        key = clean(value)
        if key not in self._categories:
            ids: list[str] = []
            unknown: list[str] = []
            for part in _SPLIT.split(key):
                if not part:
                    continue
                found = self.settings.category(part)
                if found is None:
                    unknown.append(part)
                elif found.id not in ids:
                    ids.append(found.id)
            self._categories[key] = (";".join(ids) or None, unknown)
        return self._categories[key]

    def duplicates(self, people: list[tuple[int, str, dict[str, object]]]) -> None:
        """One person (by ID number) in two houses, or twice in one."""
        rows_of: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for number, house_id, person in people:
            if person["id_number"]:
                rows_of[str(person["id_number"])].append((number, house_id))
        registered: dict[str, str] = {}
        if len(self.residents):
            kept = self.residents
            if self.mode == "replace":
                touched = {h for _, h, _ in people}
                kept = kept[~kept["house_id"].isin(touched)]
            kept = kept[kept["id_number"].notna()]
            registered = dict(
                zip(kept["id_number"].astype(str), kept["house_id"], strict=True)
            )
        address = dict(zip(self.houses["id"], self.houses["address"], strict=True))
        for id_number, rows in rows_of.items():
            masked = mask_id(id_number)
            for k, (number, house_id) in enumerate(rows):
                for other_number, other_house in rows[:k]:
                    if other_house == house_id:
                        self.problem(
                            number, "duplicate",
                            f"身份证号 {masked} 与第 {other_number} 行重复",
                            f"ID number {masked} repeats row {other_number}",
                        )  # fmt: skip
                    else:
                        self.problem(
                            number, "two_houses",
                            f"身份证号 {masked} 在第 {other_number} 行登记于房屋 "
                            f"{other_house},本行为房屋 {house_id}",
                            f"ID number {masked} is in house {other_house} on row "
                            f"{other_number} and in house {house_id} here",
                        )  # fmt: skip
                    break
                there = registered.get(id_number)
                if there is None:
                    continue
                where = address.get(there) or there
                if there == house_id:
                    self.problem(
                        number, "registered",
                        f"身份证号 {masked} 已登记在本房屋",
                        f"ID number {masked} is already registered in this house",
                    )  # fmt: skip
                else:
                    self.problem(
                        number, "two_houses",
                        f"身份证号 {masked} 已登记于 {where}",
                        f"ID number {masked} is already registered in {where}",
                    )  # fmt: skip


def _frame(layer: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    """The rows in the layer's columns (the store conforms them as it writes)."""
    names = schema.layer(layer).field_names
    frame = pd.DataFrame(rows, columns=names) if rows else schema.empty_frame(layer)
    return frame[names].reset_index(drop=True)


def plan_register(
    store: Store,
    source: str | Path,
    layer: str,
    *,
    mode: str = "add",
    encoding: str | None = None,
    sheet: str | None = None,
    feedback: Feedback | None = None,
) -> RegisterPlan:
    """Read and check a filled houses or residents template.

    Parameters
    ----------
    mode
        ``add``: refuse houses and people already registered; ``replace``: register the
        houses (or the residents of the houses) in the file anew.

    Raises
    ------
    RegisterError
        Rows with problems (each with its row number); nothing is planned.
    InputFileError
        The file cannot be read.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if layer not in ("houses", "residents"):
        raise ValueError(f"layer must be houses or residents, got {layer!r}")
    check(feedback)
    table = read_table(layer, source, encoding=encoding, sheet=sheet)
    planner = _Planner(store, table, layer, mode)
    houses: list[dict[str, object]] | pd.DataFrame
    residents: list[dict[str, object]] | pd.DataFrame
    if layer == "houses":
        houses, residents = planner.plan_houses()
    else:
        houses, residents = planner.plan_residents()
    check(feedback)
    report = RegisterReport(
        layer, Path(source).name, len(table), table.how,
        problems=sorted(planner.problems, key=lambda p: (p.row, p.kind)),
        ignored=table.unknown,
    )  # fmt: skip
    if report.problems:
        raise RegisterError(report)
    new_houses = (
        _frame("houses", houses)
        if isinstance(houses, list)
        else houses.reindex(columns=schema.layer("houses").field_names).reset_index(
            drop=True
        )
    )
    new_residents = (
        _frame("residents", residents)
        if isinstance(residents, list)
        else residents[schema.layer("residents").field_names].reset_index(drop=True)
    )
    old_houses = planner.houses
    old_residents = planner.residents
    remove_houses = np.empty(0, dtype=np.int64)
    remove_residents = np.empty(0, dtype=np.int64)
    if mode == "replace":
        if layer == "houses":
            touched = set(new_houses["building_id"])
            gone = old_houses["building_id"].isin(touched).to_numpy()
            remove_houses = old_houses.index.to_numpy()[gone]
            gone_ids = set(old_houses["id"][gone])
            remove_residents = old_residents.index.to_numpy()[
                old_residents["house_id"].isin(gone_ids).to_numpy()
            ]
        else:
            touched = set(new_residents["house_id"])
            remove_residents = old_residents.index.to_numpy()[
                old_residents["house_id"].isin(touched).to_numpy()
            ]
    # The register after the import, for the buildings' counts.
    houses_after = pd.concat(
        [
            old_houses.drop(index=pd.Index(remove_houses))[
                ["id", "building_id", "use"]
            ],
            new_houses[["id", "building_id", "use"]],
        ],
        ignore_index=True,
    )
    residents_after = pd.concat(
        [
            old_residents.drop(index=pd.Index(remove_residents))[["house_id"]],
            new_residents[["house_id"]],
        ],
        ignore_index=True,
    )
    touched_buildings = set(new_houses["building_id"]) | set(
        old_houses["building_id"][old_houses.index.isin(remove_houses)]
    )
    if len(new_residents):
        building_of = dict(
            zip(houses_after["id"], houses_after["building_id"], strict=True)
        )
        touched_buildings |= {building_of[h] for h in set(new_residents["house_id"])}
    counts = building_totals(houses_after, residents_after)
    fid_of = dict(zip(planner.index.ids, planner.building_fids, strict=True))
    chosen = sorted(touched_buildings)
    buildings = pd.DataFrame(
        {
            "reg_households": [
                counts.households.get(b) if b in counts.households else None
                for b in chosen
            ],
            "reg_population": [
                counts.population.get(b, 0) if b in counts.households else None
                for b in chosen
            ],
        },
        index=pd.Index([fid_of[b] for b in chosen], name="fid"),
        dtype="Int64",
    )
    report.houses_added = len(new_houses)
    report.residents_added = len(new_residents)
    report.houses_removed = len(remove_houses)
    report.residents_removed = len(remove_residents)
    report.buildings = len(chosen)
    return RegisterPlan(
        new_houses, new_residents, remove_houses, remove_residents, buildings, report
    )


@dataclass(frozen=True)
class BuildingTotals:
    """Registered households and population per building ID (registered ones only)."""

    households: dict[str, int]
    population: dict[str, int]


def building_totals(houses: pd.DataFrame, residents: pd.DataFrame) -> BuildingTotals:
    """Households (houses lived in) and residents of each building with a register."""
    lived_in = ~houses["use"].isin(NO_HOUSEHOLD).to_numpy()
    households = (
        pd.Series(lived_in.astype(np.int64), index=houses["building_id"].to_numpy())
        .groupby(level=0)
        .sum()
    )
    building_of = pd.Series(
        houses["building_id"].to_numpy(), index=houses["id"].to_numpy()
    )
    people = building_of.reindex(residents["house_id"].to_numpy()).value_counts()
    return BuildingTotals(
        {str(k): int(v) for k, v in households.items()},
        {str(k): int(v) for k, v in people.items()},
    )


def register_totals(
    store: Store, changed: pd.DataFrame
) -> list[tuple[str, pd.DataFrame]]:
    """The grid, community and street totals that buildings' new registers change.

    ``changed``: the buildings' new ``reg_households`` and ``reg_population`` (indexed
    by fid). Only the grids, communities and streets these buildings are in are
    counted again, each from all of its buildings (registered or stated households,
    as linking counts them), through the stored links building → grid → community →
    street; buildings outside every grid are placed in their community by location.
    No other geometry is read. Returns the updates (layer, frame of ``households``
    and ``population`` by fid) of the rows whose totals change.
    """
    from gridgis.core.link import building_counts
    from gridgis.core.register.counts import building_places

    columns = ["id", "grid_code", "households", "population", "reg_households",
               "reg_population"]  # fmt: skip
    buildings = attributes(store, "buildings", columns)
    wanted = ["reg_households", "reg_population"]
    buildings.loc[changed.index, wanted] = changed[wanted].to_numpy()
    households, population = building_counts(buildings)
    places = building_places(store, buildings[["id", "grid_code"]])
    grid_of = places["grid_code"].to_numpy(dtype=object)
    community_of = places["community_code"].to_numpy(dtype=object)
    touched = buildings.index.get_indexer(changed.index)

    def totals(keys: np.ndarray, chosen: set[object]) -> pd.DataFrame:
        inside = pd.Series(keys).isin(chosen).to_numpy()
        return (
            pd.DataFrame(
                {
                    "key": keys[inside],
                    "households": households[inside],
                    "population": population[inside],
                }
            )
            .groupby("key")[["households", "population"]]
            .sum()
        )

    updates: list[tuple[str, pd.DataFrame]] = []

    def update(layer: str, rows: pd.DataFrame, sums: pd.DataFrame) -> None:
        new = sums.reindex(rows["code"].to_numpy(), fill_value=0)
        new.index = rows.index
        old = rows[["households", "population"]].astype("float64")
        moved = (old.to_numpy() != new.to_numpy(dtype="float64")).any(axis=1)
        if moved.any():
            updates.append((layer, new[moved].astype("int64")))

    grids_in = set(grid_of[touched]) - {None}
    grids = attributes(store, "grids", ["code", "households", "population"])
    grids = grids[grids["code"].isin(grids_in)]
    update("grids", grids, totals(grid_of, grids_in))
    communities_in = set(community_of[touched]) - {None}
    communities = attributes(
        store, "communities", ["code", "street_code", "households", "population"]
    )
    community_sums = totals(community_of, communities_in)
    update("communities", communities[communities["code"].isin(communities_in)],
           community_sums)  # fmt: skip
    # Streets add up their communities, as stored after this change.
    after = communities.set_index("code")[["street_code", "households", "population"]]
    present = community_sums.index.intersection(after.index)
    after.loc[present, ["households", "population"]] = community_sums.loc[
        present
    ].to_numpy()
    streets_in = set(after.loc[list(communities_in & set(after.index)), "street_code"])
    streets = attributes(store, "streets", ["code", "households", "population"])
    streets = streets[streets["code"].isin(streets_in)]
    street_sums = after.groupby("street_code")[["households", "population"]].sum()
    update("streets", streets, street_sums)
    return updates


def apply_register(
    store: Store,
    plan: RegisterPlan,
    *,
    relink: bool = True,
    feedback: Feedback | None = None,
) -> RegisterReport:
    """Write a :class:`RegisterPlan` in one transaction (with the new totals)."""
    check(feedback)
    link_updates: list[tuple[str, pd.DataFrame]] = []
    if relink and len(plan.buildings):
        link_updates = register_totals(store, plan.buildings)
    check(feedback)
    with store.transaction() as tx:
        if len(plan.remove_residents):
            tx.delete("residents", plan.remove_residents)
        if len(plan.remove_houses):
            tx.delete("houses", plan.remove_houses)
        if len(plan.houses):
            tx.insert("houses", plan.houses)
        if len(plan.residents):
            tx.insert("residents", plan.residents)
        if len(plan.buildings):
            tx.update("buildings", plan.buildings)
        for layer, frame in link_updates:
            tx.update(layer, frame)
    if feedback is not None:
        feedback.set_progress(100.0)
    return plan.report
