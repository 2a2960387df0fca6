"""Staffing rules: required posts filled, AB partners adjacent and mutual, phones valid.

Every grid has the people its roles require, AB partner grids are neighbours and name
each other, and phone numbers can be dialled.

Roles and their required counts come from the project's role catalogue
(``settings.roles``). A backup (AB) assignment covers for the partner grid and does not
count towards that grid's own posts.

Phone numbers
-------------
A phone is well-formed when, after removing spaces and hyphens, it is

* a mainland mobile: ``1[3-9]`` followed by 9 digits (11 digits), optionally preceded
  by ``+86`` or ``86``; or
* a landline with its area code: ``010`` or ``02X`` (3 digits) or ``0XXX`` (4 digits,
  X not 0/1/2 in the second place), then a local number of 7 or 8 digits that does not
  start with 0 or 1, optionally followed by an extension written ``-123`` or ``#123``
  (up to 6 digits; the hyphen before an extension is kept for this check).

Service numbers (12345, 110) are not personal phones and are refused. An empty phone of
a person with a post is a warning (boards print the phone); a malformed one is an error.

Examples
--------
>>> [phone_ok(p) for p in ("13912345678", "+86 139 1234 5678", "0512-65123456",
...                        "010-6512345-801", "12345", "1391234567", "0512-0123456")]
[True, True, True, True, False, False, False]
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from gridgis.core.definitions import Level, Severity
from gridgis.core.i18n import Text
from gridgis.core.staffing import shared_boundary
from gridgis.core.validate.context import Context
from gridgis.core.validate.issue import Issue, Rule, rule

_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
_LANDLINE_PARTS = re.compile(
    r"^(?P<area>0\d{2,3})-?(?P<local>\d{7,8})(?:[-#]\d{1,6})?$"
)
_LANDLINE = re.compile(r"^0(?:10|2\d|[3-9]\d{2})[2-9]\d{6,7}$")


def phone_ok(phone: str) -> bool:
    """Whether ``phone`` is a well-formed mainland mobile or landline number."""
    text = phone.strip().replace(" ", "")
    if _MOBILE.match(text.replace("-", "")):
        return True
    parts = _LANDLINE_PARTS.match(text)
    return parts is not None and bool(_LANDLINE.match(parts["area"] + parts["local"]))


def _grid_lookup(context: Context) -> dict[str, int]:
    if "grid_lookup" not in context.memo:
        lookup: dict[str, int] = {}
        for k, code in enumerate(context.grid_codes):
            if code is not None and code not in lookup:
                lookup[code] = k
        context.memo["grid_lookup"] = lookup
    found: dict[str, int] = context.memo["grid_lookup"]
    return found


def _community_of_code(context: Context, code: object) -> str | None:
    """The community of a finding about grid ``code`` (also when it is not loaded)."""
    if code is None:
        return None
    k = _grid_lookup(context).get(str(code))
    if k is not None:
        return context.community_of_grid(k)
    text = str(code)
    return text[:12] if len(text) >= 12 else None


def _backup(context: Context) -> np.ndarray:
    """Per assignment: whether it is a backup (AB) post."""
    flags = context.snapshot.frame("assignments")["is_backup"]
    return flags.fillna(False).to_numpy(dtype=bool)


@rule(
    "staffing.missing_role",
    Severity.ERROR,
    Level.GRID,
    Text("缺少必配岗位", "required post missing"),
    needs=("grids", "assignments"),
)
def missing_roles(context: Context, me: Rule) -> list[Issue]:
    """Grids with fewer people in a role than the role catalogue requires."""
    required = [r for r in context.settings.roles if r.required > 0]
    if not required or len(context.grid_codes) == 0:
        return []
    own = ~_backup(context)
    counts = Counter(
        zip(
            context.snapshot.column("assignments", "grid_code")[own],
            context.snapshot.column("assignments", "role")[own],
            strict=True,
        )
    )
    issues = []
    for role in required:
        have = np.fromiter(
            (counts.get((code, role.id), 0) for code in context.grid_codes),
            dtype=np.int64,
            count=len(context.grid_codes),
        )
        for k in np.flatnonzero(have < role.required):
            code = context.grid_codes[k]
            issues.append(
                me.issue(
                    code,
                    Text(
                        f"网格 {code} 应配 {role.required} 名{role.zh},现有 {have[k]} 名;"
                        f"请在人员分配中为该网格指定{role.zh}。",
                        f"Grid {code} needs {role.required} {role.en}(s) and has "
                        f"{have[k]}; assign a {role.en} to it.",
                    ),
                    context.grid_geoms[k],
                    community=context.community_of_grid(k),
                )
            )
    return issues


@rule(
    "staffing.unknown_role",
    Severity.ERROR,
    Level.GRID,
    Text("岗位不在岗位目录中", "role not in the catalogue"),
    needs=("assignments",),
)
def unknown_roles(context: Context, me: Rule) -> list[Issue]:
    """Assignments to a role the project's catalogue does not have."""
    assignments = context.snapshot.frame("assignments")
    known = {r.id for r in context.settings.roles}
    bad = assignments[~assignments["role"].isin(known)]
    catalogue = "、".join(r.zh for r in context.settings.roles)
    catalogue_en = ", ".join(r.id for r in context.settings.roles)
    return [
        me.issue(
            row.grid_code,
            Text(
                f"人员 {row.staff_id} 在网格 {row.grid_code} 的岗位“{row.role}”不在本项目的"
                f"岗位目录中(可用:{catalogue});请改为目录中的岗位,或在项目设置中增加该岗位。",
                f"Staff {row.staff_id} holds the post '{row.role}' in grid "
                f"{row.grid_code}, which is not in the project's role catalogue "
                f"({catalogue_en}); pick a role from it or add the role in the settings.",
            ),
            community=_community_of_code(context, row.grid_code),
            feature=row.staff_id,
        )
        for row in bad.itertuples()
    ]


@rule(
    "staffing.unknown_grid",
    Severity.ERROR,
    Level.GRID,
    Text("分配到不存在的网格", "assigned to a grid that does not exist"),
    needs=("grids", "assignments"),
)
def unknown_grids(context: Context, me: Rule) -> list[Issue]:
    """Assignments to a grid code that no grid has."""
    assignments = context.snapshot.frame("assignments")
    lookup = _grid_lookup(context)
    bad = assignments[~assignments["grid_code"].isin(list(lookup))]
    return [
        me.issue(
            row.grid_code,
            Text(
                f"人员 {row.staff_id} 被分配到网格 {row.grid_code},但没有这个网格;"
                "请改为现有网格的编码,或删除这条分配。",
                f"Staff {row.staff_id} is assigned to grid {row.grid_code}, which does "
                "not exist; change it to an existing grid's code or delete the "
                "assignment.",
            ),
            community=_community_of_code(context, row.grid_code),
            feature=row.staff_id,
        )
        for row in bad.itertuples()
    ]


@rule(
    "staffing.unknown_staff",
    Severity.ERROR,
    Level.GRID,
    Text("分配了不存在的人员", "assignment of unknown staff"),
    needs=("staff", "assignments"),
)
def unknown_staff(context: Context, me: Rule) -> list[Issue]:
    """Assignments of a staff ID that is not in the staff table."""
    assignments = context.snapshot.frame("assignments")
    people = set(context.snapshot.column("staff", "id"))
    bad = assignments[~assignments["staff_id"].isin(list(people))]
    return [
        me.issue(
            row.grid_code,
            Text(
                f"网格 {row.grid_code} 的岗位分配引用了人员 {row.staff_id},但人员表中没有此人;"
                "请先在人员表中登记,或删除这条分配。",
                f"An assignment in grid {row.grid_code} names staff {row.staff_id}, "
                "who is not in the staff table; add the person first or delete the "
                "assignment.",
            ),
            community=_community_of_code(context, row.grid_code),
            feature=row.staff_id,
        )
        for row in bad.itertuples()
    ]


def _first_grid(context: Context) -> dict[str, str]:
    """Per staff ID: the lowest grid code the person serves."""
    if "first_grid" not in context.memo:
        firsts: dict[str, str] = {}
        people = context.snapshot.column("assignments", "staff_id")
        grids = context.snapshot.column("assignments", "grid_code")
        for person, grid in zip(people, grids, strict=True):
            if (
                person is not None
                and grid is not None
                and (person not in firsts or grid < firsts[person])
            ):
                firsts[person] = grid
        context.memo["first_grid"] = firsts
    found: dict[str, str] = context.memo["first_grid"]
    return found


def _phones(context: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Staff IDs, names and phones (``""`` where empty)."""
    phones = context.snapshot.column("staff", "phone")
    cleaned = np.array(
        ["" if p is None else str(p).strip() for p in phones], dtype=object
    )
    return (
        context.snapshot.column("staff", "id"),
        context.snapshot.column("staff", "name"),
        cleaned,
    )


@rule(
    "staffing.phone",
    Severity.ERROR,
    Level.GRID,
    Text("电话号码格式错误", "malformed phone number"),
    needs=("staff", "assignments"),
)
def malformed_phones(context: Context, me: Rule) -> list[Issue]:
    """Phone numbers that are neither a mainland mobile nor a landline with area code."""
    ids, names, phones = _phones(context)
    first = _first_grid(context)
    issues = []
    for person, name, phone in zip(ids, names, phones, strict=True):
        if not phone or phone_ok(phone):
            continue
        grid = first.get(person)
        issues.append(
            me.issue(
                grid,
                Text(
                    f"人员 {name}({person})的电话“{phone}”格式不正确;"
                    "请填写 11 位手机号码,或带区号的固定电话(如 0512-65123456)。",
                    f"The phone '{phone}' of {name} ({person}) is malformed; "
                    "enter an 11-digit mobile number or a landline with its area code "
                    "(such as 0512-65123456).",
                ),
                _grid_geometry(context, grid),
                community=_community_of_code(context, grid),
                feature=person,
            )
        )
    return issues


@rule(
    "staffing.phone_missing",
    Severity.WARNING,
    Level.GRID,
    Text("缺少电话号码", "phone number missing"),
    needs=("staff", "assignments"),
)
def missing_phones(context: Context, me: Rule) -> list[Issue]:
    """People with a post but no phone number (boards and service cards print it)."""
    ids, names, phones = _phones(context)
    first = _first_grid(context)
    issues = []
    for person, name, phone in zip(ids, names, phones, strict=True):
        grid = first.get(person)
        if phone or grid is None:
            continue
        issues.append(
            me.issue(
                grid,
                Text(
                    f"人员 {name}({person})在网格 {grid} 任职,但没有登记电话;"
                    "公示牌和便民服务卡需要电话,请补充。",
                    f"{name} ({person}) serves grid {grid} but has no phone number; "
                    "grid boards and service cards print it, so add one.",
                ),
                _grid_geometry(context, grid),
                community=_community_of_code(context, grid),
                feature=person,
            )
        )
    return issues


def _grid_geometry(context: Context, code: str | None) -> object:
    if code is None:
        return None
    k = _grid_lookup(context).get(code)
    return None if k is None else context.grid_geoms[k]


@rule(
    "staffing.backup_not_partner",
    Severity.WARNING,
    Level.GRID,
    Text("AB岗替补不在搭档网格", "backup outside the partner grid"),
    needs=("grids", "assignments"),
)
def backups_outside_partners(context: Context, me: Rule) -> list[Issue]:
    """Backup (AB) posts in a grid whose partner is not one of the person's grids."""
    assignments = context.snapshot.frame("assignments")
    backup = assignments["is_backup"].fillna(False).to_numpy(dtype=bool)
    if not backup.any():
        return []
    own: dict[str, set[str]] = {}
    primary = ~backup
    for person, grid in zip(
        context.snapshot.column("assignments", "staff_id")[primary],
        context.snapshot.column("assignments", "grid_code")[primary],
        strict=True,
    ):
        own.setdefault(person, set()).add(grid)
    lookup = _grid_lookup(context)
    partners = context.snapshot.column("grids", "ab_partner")
    issues = []
    for row in assignments[backup].itertuples():
        k = lookup.get(row.grid_code)
        if k is None:
            continue  # staffing.unknown_grid reports it
        partner = partners[k]
        if partner is not None and partner in own.get(row.staff_id, set()):
            continue
        issues.append(
            me.issue(
                row.grid_code,
                Text(
                    f"人员 {row.staff_id} 在网格 {row.grid_code} 担任AB岗替补,"
                    f"但该网格的AB岗搭档网格({partner or '未设置'})不是此人的本职网格;"
                    "请核对AB岗搭档或替补人员。",
                    f"Staff {row.staff_id} is the AB backup in grid {row.grid_code}, but "
                    f"that grid's AB partner ({partner or 'none'}) is not one of the "
                    "person's own grids; check the AB pairing or the backup.",
                ),
                context.grid_geoms[k],
                community=context.community_of_grid(k),
                feature=row.staff_id,
            )
        )
    return issues


def _partner_positions(context: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grids with a partner: their positions, the partner codes, partner positions."""
    partners = context.snapshot.column("grids", "ab_partner")
    lookup = _grid_lookup(context)
    has = np.flatnonzero(pd.notna(partners))
    target = np.fromiter(
        (lookup.get(str(partners[k]), -1) for k in has), dtype=np.int64, count=len(has)
    )
    return has, partners[has], target


@rule(
    "staffing.ab_unknown",
    Severity.ERROR,
    Level.GRID,
    Text("AB岗搭档网格不存在", "AB partner does not exist"),
)
def unknown_partners(context: Context, me: Rule) -> list[Issue]:
    """AB partners that name no grid, or the grid itself."""
    grids, partners, target = _partner_positions(context)
    bad = (target < 0) | (target == grids)
    issues = []
    for k, partner in zip(grids[bad], partners[bad], strict=True):
        code = context.grid_codes[k]
        issues.append(
            me.issue(
                code,
                Text(
                    f"网格 {code} 的AB岗搭档“{partner}”"
                    + ("是它自己" if partner == code else "不是现有网格")
                    + ";请选择一个相邻网格作为搭档。",
                    f"The AB partner '{partner}' of grid {code} "
                    + ("is the grid itself" if partner == code else "is not a grid")
                    + "; choose a neighbouring grid as its partner.",
                ),
                context.grid_geoms[k],
                community=context.community_of_grid(k),
            )
        )
    return issues


@rule(
    "staffing.ab_not_mutual",
    Severity.ERROR,
    Level.GRID,
    Text("AB岗搭档不对应", "AB partners not mutual"),
)
def one_sided_partners(context: Context, me: Rule) -> list[Issue]:
    """AB partners that do not name each other."""
    grids, _, target = _partner_positions(context)
    ok = (target >= 0) & (target != grids)
    grids, target = grids[ok], target[ok]
    back = context.snapshot.column("grids", "ab_partner")[target]
    codes = context.grid_codes
    bad = np.asarray(back != codes[grids], dtype=bool)
    issues = []
    for k, t, other in zip(grids[bad], target[bad], back[bad], strict=True):
        code, partner = codes[k], codes[t]
        issues.append(
            me.issue(
                code,
                Text(
                    f"网格 {code} 以 {partner} 为AB岗搭档,但 {partner} 的搭档是"
                    f"“{other or '未设置'}”;AB岗须两两互为搭档,请修正其中一方。",
                    f"Grid {code} names {partner} as its AB partner, but the partner of "
                    f"{partner} is '{other or 'none'}'; AB partners name each other, so "
                    "correct one of them.",
                ),
                context.grid_geoms[k],
                community=context.community_of_grid(k),
            )
        )
    return issues


@rule(
    "staffing.ab_not_adjacent",
    Severity.ERROR,
    Level.GRID,
    Text("AB岗搭档不相邻", "AB partners not adjacent"),
)
def distant_partners(context: Context, me: Rule) -> list[Issue]:
    """AB partners that do not share a boundary."""
    grids, _, target = _partner_positions(context)
    ok = (target >= 0) & (target != grids)
    grids, target = grids[ok], target[ok]
    shared = shared_boundary(
        context.grid_geoms[grids],
        context.grid_geoms[target],
        context.tolerance,
        enough=context.options.min_shared_boundary,
    )
    bad = shared < context.options.min_shared_boundary
    codes = context.grid_codes
    issues = []
    for k, t, length in zip(grids[bad], target[bad], shared[bad], strict=True):
        issues.append(
            me.issue(
                codes[k],
                Text(
                    f"网格 {codes[k]} 与其AB岗搭档 {codes[t]} 不相邻(共同边界 {length:.0f} 米);"
                    "AB岗应由相邻网格结对,请另选相邻网格。",
                    f"Grid {codes[k]} and its AB partner {codes[t]} are not neighbours "
                    f"(common boundary {length:.0f} m); AB partners must be adjacent, so "
                    "pick a neighbouring grid.",
                ),
                context.grid_geoms[k],
                community=context.community_of_grid(k),
            )
        )
    return issues
