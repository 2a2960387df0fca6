"""What goes on a grid board and a service card: people, numbers, texts, the QR vCard.

This module gathers the content of the public grid boards (网格公示牌) and the
convenient service cards (便民服务卡) from a project: for every grid its community and
street, households and population, the AB partner grid, and its staff ordered by the
role catalogue (backup staff of the AB partner after the grid's own), the grid leader's
vCard for the QR code, the duties, the supervision hotline and the service numbers.
Printing them is :mod:`gridgis.qgis.boards`' job; this module is plain Python.

The grid leader is whoever holds the first role of the catalogue (``settings.roles[0]``,
网格长 in the default preset) in the grid itself, not as an AB backup. A grid without
one gets no QR code; its board says so.

Examples
--------
>>> phone_text("18267792272")
'182 6779 2272'
>>> phone_text("0512-12345")
'0512-12345'
>>> [n.number for n in service_numbers(Settings.default(4549, "320599"))][:2]
['12349', '12385']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from gridgis.core.errors import CodeError, GridGisError, SchemaError
from gridgis.core.i18n import Text
from gridgis.core.settings import Role, Settings
from gridgis.core.store.base import Store

#: Key of the service numbers in ``settings.extra``.
SERVICE_NUMBERS_KEY = "service_numbers"


@dataclass(frozen=True)
class ServiceNumber:
    """A public service line printed on the service cards.

    Parameters
    ----------
    zh, en
        What the line is for, in Chinese and English.
    number
        The number to dial.
    """

    zh: str
    en: str
    number: str

    @property
    def label(self) -> Text:
        """The line's user-visible name."""
        return Text(self.zh, self.en)


#: Service lines printed on the cards when the project sets none: the national
#: hotlines of each service. Offices replace them with local numbers (for example the
#: gas company's 24-hour line) in ``settings.extra["service_numbers"]``.
DEFAULT_SERVICE_NUMBERS: tuple[ServiceNumber, ...] = (
    ServiceNumber("民政服务", "civil affairs", "12349"),
    ServiceNumber("残联服务", "disabled persons' federation", "12385"),
    ServiceNumber("劳动保障", "labour and social security", "12333"),
    ServiceNumber("卫生健康", "health", "12320"),
    ServiceNumber("燃气服务", "gas (urban services line)", "12319"),
    ServiceNumber("火警", "fire", "119"),
)


def service_numbers(settings: Settings) -> tuple[ServiceNumber, ...]:
    """The service lines of a project (the defaults when it sets none).

    ``settings.extra["service_numbers"]`` is a list of ``{"zh": …, "en": …,
    "number": …}`` objects, printed in that order.

    Raises
    ------
    SchemaError
        If the stored value is not such a list.
    """
    raw = settings.extra.get(SERVICE_NUMBERS_KEY)
    if raw is None:
        return DEFAULT_SERVICE_NUMBERS
    try:
        if not isinstance(raw, list):
            raise TypeError("not a list")
        numbers = tuple(
            ServiceNumber(str(e["zh"]), str(e.get("en") or e["zh"]), str(e["number"]))
            for e in raw
        )
    except (TypeError, KeyError, AttributeError):
        raise SchemaError(
            f"The setting '{SERVICE_NUMBERS_KEY}' must be a list of "
            '{"zh": ..., "en": ..., "number": ...} entries; it holds '
            f"{raw!r}. Fix it in the project settings.",
            f"设置项“{SERVICE_NUMBERS_KEY}”应为由 "
            '{"zh": …, "en": …, "number": …} 组成的列表,当前为 '
            f"{raw!r};请在项目设置中修正。",
        ) from None
    return numbers


def with_service_numbers(
    settings: Settings, numbers: Iterable[ServiceNumber]
) -> Settings:
    """A copy of ``settings`` with these service lines."""
    extra = dict(settings.extra)
    extra[SERVICE_NUMBERS_KEY] = [
        {"zh": n.zh, "en": n.en, "number": n.number} for n in numbers
    ]
    return settings.with_changes(extra=extra)


def phone_text(phone: str | None) -> str:
    """A phone number as printed: mobiles grouped 3-4-4, other numbers as stored."""
    if not phone:
        return ""
    digits = re.sub(r"[\s-]", "", str(phone))
    if re.fullmatch(r"1\d{10}", digits):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return str(phone).strip()


#: Two-character surnames, so that a vCard's family and given names are split right.
_COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "钟离",
        "单于",
        "澹台",
        "南宫",
        "西门",
        "呼延",
        "端木",
        "百里",
        "东郭",
        "独孤",
        "万俟",
        "闻人",
        "赫连",
    ]
)


def split_name(name: str) -> tuple[str, str]:
    """A Chinese name split into (family name, given name).

    >>> split_name("田坚旭")
    ('田', '坚旭')
    >>> split_name("欧阳娜娜")
    ('欧阳', '娜娜')
    """
    name = name.strip()
    if len(name) > 2 and name[:2] in _COMPOUND_SURNAMES:
        return name[:2], name[2:]
    if len(name) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in name):
        return name[:1], name[1:]
    return name, ""


@dataclass(frozen=True)
class StaffMember:
    """One person on a grid's staff panel."""

    staff_id: str
    name: str
    role: str
    role_label: Text
    phone: str | None
    organisation: str | None
    photo: bytes | None
    is_backup: bool

    @property
    def post(self) -> Text:
        """The post as printed: the role, marked when the person is an AB backup."""
        if self.is_backup:
            return Text(f"{self.role_label.zh}(AB岗)", f"{self.role_label.en} (AB)")
        return self.role_label


@dataclass(frozen=True)
class Board:
    """Everything printed on one grid's board and service cards."""

    code: str
    name: str
    kind: str
    households: int | None
    population: int | None
    community_code: str
    community_name: str
    street_code: str
    street_name: str
    ab_partner: str | None
    ab_partner_name: str | None
    staff: tuple[StaffMember, ...]
    leader_role: str

    @property
    def leader(self) -> StaffMember | None:
        """The grid leader: the grid's own holder of the catalogue's first role."""
        return next(
            (s for s in self.staff if s.role == self.leader_role and not s.is_backup),
            None,
        )

    @property
    def contacts(self) -> tuple[StaffMember, ...]:
        """The grid's own staff with a phone, in panel order (for service cards)."""
        return tuple(s for s in self.staff if not s.is_backup and s.phone)

    def vcard(self) -> str | None:
        """The grid leader's contact card (vCard 3.0), or ``None`` without a leader."""
        leader = self.leader
        if leader is None:
            return None
        return vcard(leader, self)


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


def vcard(member: StaffMember, board: Board) -> str:
    """A vCard 3.0 for ``member`` of ``board``'s grid, as encoded in the QR code.

    Examples
    --------
    >>> m = StaffMember("S1", "田坚旭", "grid_leader", Text("网格长", "grid leader"),
    ...                 "18267792272", "幸福里社区居委会", None, False)
    >>> b = Board("320599001001001", "幸福里第1网格", "residential", 428, 1058,
    ...           "320599001001", "幸福里社区", "320599001", "东园街道", None, None,
    ...           (m,), "grid_leader")
    >>> print(vcard(m, b))  # doctest: +NORMALIZE_WHITESPACE
    BEGIN:VCARD
    VERSION:3.0
    N:田;坚旭;;;
    FN:田坚旭
    ORG:幸福里社区居委会
    TITLE:幸福里社区幸福里第1网格 网格长
    TEL;TYPE=CELL:18267792272
    NOTE:网格编码 320599001001001
    END:VCARD
    """
    family, given = split_name(member.name)
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{_escape(family)};{_escape(given)};;;",
        f"FN:{_escape(member.name)}",
    ]
    if member.organisation:
        lines.append(f"ORG:{_escape(member.organisation)}")
    lines.append(
        f"TITLE:{_escape(board.community_name + board.name)} "
        f"{_escape(member.role_label.zh)}"
    )
    if member.phone:
        lines.append(f"TEL;TYPE=CELL:{re.sub(r'[^0-9+]', '', member.phone)}")
    lines.append(f"NOTE:网格编码 {board.code}")
    lines.append("END:VCARD")
    return "\r\n".join(lines)


# ---------------------------------------------------------------------------------
# Reading the boards of a project
# ---------------------------------------------------------------------------------


def _names(frame: pd.DataFrame) -> dict[str, str]:
    codes = [str(v) for v in frame["code"]]
    names = [str(v) for v in frame["name"]]
    return dict(zip(codes, names, strict=True))


def select_grids(
    store: Store,
    *,
    community: str | None = None,
    street: str | None = None,
    grids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The grids a print run covers, in code order (north to south, west to east).

    Parameters
    ----------
    community, street
        Only the grids of this community or street (12- or 9-digit code).
    grids
        Only these grid codes.

    Raises
    ------
    CodeError
        If the community, street or a grid does not exist in the project.
    GridGisError
        If the selection holds no grid.
    """
    if community is not None and street is not None:
        raise GridGisError(
            "Choose either a community or a street, not both.",
            "请只选择一个社区或一个街道,不能同时选择。",
        )
    where: dict[str, Any] = {}
    if community is not None:
        if store.count("communities", where={"code": community}) == 0:
            raise CodeError(
                f"The project has no community with code {community}; "
                "`gridgis info` lists the project, the communities layer their codes.",
                f"项目中没有编码为 {community} 的社区;请核对社区编码。",
            )
        where["community_code"] = community
    if street is not None:
        if store.count("streets", where={"code": street}) == 0:
            raise CodeError(
                f"The project has no street with code {street}; check the code.",
                f"项目中没有编码为 {street} 的街道;请核对街道编码。",
            )
        communities = store.read("communities", where={"street_code": street})
        where["community_code"] = list(communities["code"])
    if grids is not None:
        where["code"] = list(grids)
    frame = store.read("grids", where=where or None)
    if grids is not None:
        missing = sorted(set(grids) - set(frame["code"]))
        if missing:
            raise CodeError(
                f"The project has no grid(s) {', '.join(missing)}.",
                f"项目中没有网格 {'、'.join(missing)}。",
            )
    if frame.empty:
        scope = community or street
        raise GridGisError(
            f"There are no grids to print{f' in {scope}' if scope else ''}; "
            "divide the community into grids first.",
            f"{f'{scope} 中' if scope else ''}没有可打印的网格;请先划分网格。",
        )
    return frame.sort_values("code")


def order_staff(
    staff: Iterable[StaffMember], roles: Sequence[Role]
) -> list[StaffMember]:
    """Staff in panel order: by the role catalogue, own staff before AB backups.

    Roles outside the catalogue come last; ties keep the name order.
    """
    rank = {r.id: k for k, r in enumerate(roles)}
    return sorted(
        staff,
        key=lambda s: (s.is_backup, rank.get(s.role, len(rank)), s.name, s.staff_id),
    )


def read_boards(
    store: Store,
    *,
    community: str | None = None,
    street: str | None = None,
    grids: Sequence[str] | None = None,
) -> list[Board]:
    """The boards of the selected grids (see :func:`select_grids`), in code order."""
    settings = store.settings
    selected = select_grids(store, community=community, street=street, grids=grids)
    codes = list(selected["code"])
    communities = store.read(
        "communities",
        where={"code": sorted(set(selected["community_code"]))},
        columns=["code", "name", "street_code"],
    )
    street_of = dict(
        zip(
            communities["code"].tolist(),
            communities["street_code"].tolist(),
            strict=True,
        )
    )
    community_names = _names(communities)
    street_names = _names(
        store.read(
            "streets",
            where={"code": sorted(set(communities["street_code"]))},
            columns=["code", "name"],
        )
    )
    partners = sorted({p for p in selected["ab_partner"].dropna() if p})
    partner_names = (
        _names(store.read("grids", where={"code": partners}, columns=["code", "name"]))
        if partners
        else {}
    )
    assignments = store.read("assignments", where={"grid_code": codes})
    people = store.read(
        "staff", where={"id": sorted(set(assignments["staff_id"]))}
    ).set_index("id")
    labels = {r.id: r.label for r in settings.roles}
    by_grid: dict[str, list[StaffMember]] = {c: [] for c in codes}
    for row in assignments.itertuples(index=False):
        if row.staff_id not in people.index:
            continue
        person = people.loc[row.staff_id]
        by_grid[str(row.grid_code)].append(
            StaffMember(
                staff_id=str(row.staff_id),
                name=str(person["name"]),
                role=str(row.role),
                role_label=labels.get(
                    str(row.role), Text(str(row.role), str(row.role))
                ),
                phone=_text_or_none(person["phone"]),
                organisation=_text_or_none(person["organisation"]),
                photo=person["photo"] if isinstance(person["photo"], bytes) else None,
                is_backup=_flag(row.is_backup),
            )
        )
    leader_role = settings.roles[0].id if settings.roles else ""
    boards = []
    for row in selected.itertuples(index=False):
        community_code = str(row.community_code)
        street_code = str(street_of.get(community_code, community_code[:9]))
        partner = _text_or_none(row.ab_partner)
        boards.append(
            Board(
                code=str(row.code),
                name=str(row.name),
                kind=str(row.kind),
                households=_int_or_none(row.households),
                population=_int_or_none(row.population),
                community_code=community_code,
                community_name=community_names.get(community_code, community_code),
                street_code=street_code,
                street_name=street_names.get(street_code, street_code),
                ab_partner=partner,
                ab_partner_name=partner_names.get(partner) if partner else None,
                staff=tuple(order_staff(by_grid[str(row.code)], settings.roles)),
                leader_role=leader_role,
            )
        )
    return boards


def _text_or_none(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _flag(value: Any) -> bool:
    return False if value is None or value is pd.NA else bool(value)


def _int_or_none(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def duties_text(settings: Settings) -> str:
    """The duties as printed: one numbered line per duty."""
    return "\n".join(f"{k}. {d}" for k, d in enumerate(settings.duties, 1))


def service_text(numbers: Iterable[ServiceNumber], language: str = "zh") -> str:
    """The service lines as printed on a card: one ``name  number`` line each."""
    return "\n".join(f"{n.label.get(language)}  {n.number}" for n in numbers)


def board_summary(boards: Sequence[Board]) -> Mapping[str, int]:
    """Counts for a print run's report: boards, staff, grids without a leader."""
    return {
        "boards": len(boards),
        "staff": sum(len(b.staff) for b in boards),
        "without_leader": sum(b.leader is None for b in boards),
    }
