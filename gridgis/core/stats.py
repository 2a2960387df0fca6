"""Figures per street, community and grid, and a spreadsheet of them for Excel/WPS.

Households and population are counted from the buildings on the map (each building in
the community and grid that hold a point inside its footprint), so the street totals add
up to the building layer: a building outside every community is counted in a row of its
own rather than lost. Staff are the people holding a post (backups not counted) in the
grids of the street, community or grid; a person with posts in several grids counts
once per row.

Examples
--------
>>> from gridgis.core.settings import Settings
>>> from gridgis.core.store import MemoryStore
>>> stats = project_stats(MemoryStore(Settings.default(4549, "320508")))
>>> stats.totals()["households"]
0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gridgis.core.errors import unwritable_workbook
from gridgis.core.i18n import Text
from gridgis.core.link import building_counts
from gridgis.core.snapshot import Snapshot
from gridgis.core.store import Store

#: Column → (Chinese, English) heading.
HEADINGS: dict[str, Text] = {
    "code": Text("编码", "code"),
    "name": Text("名称", "name"),
    "street_code": Text("所属街道编码", "street code"),
    "community_code": Text("所属社区编码", "community code"),
    "kind": Text("网格类型", "grid kind"),
    "divided": Text("网格划分", "division"),
    "households": Text("户数", "households"),
    "population": Text("人口", "population"),
    "communities": Text("社区数", "communities"),
    "grids": Text("网格数", "grids"),
    "buildings": Text("建筑数", "buildings"),
    "facilities": Text("设施数", "facilities"),
    "staff": Text("工作人员数", "staff"),
    "outside_band": Text("户数超出范围的网格数", "grids outside band"),
    "band": Text("户数范围", "household band"),
    "status": Text("户数状态", "household status"),
}

#: Household status of a grid.
STATUS: dict[str, Text] = {
    "within": Text("正常", "within band"),
    "above": Text("超过上限", "above band"),
    "below": Text("低于下限", "below band"),
    "unknown": Text("未设范围", "no band"),
}

#: Name of the row of buildings outside every community (or street).
NOWHERE = Text("(不属于任何社区)", "(in no community)")

_STREET_COLUMNS = ("code", "name", "communities", "grids", "households", "population",
                   "buildings", "facilities", "staff", "outside_band")  # fmt: skip
_COMMUNITY_COLUMNS = ("code", "name", "street_code", "divided", "grids", "households",
                      "population", "buildings", "facilities", "staff",
                      "outside_band")  # fmt: skip
_GRID_COLUMNS = ("code", "name", "community_code", "kind", "households", "population",
                 "band", "status", "buildings", "facilities", "staff")  # fmt: skip
_SUMMED = ("communities", "grids", "households", "population", "buildings",
           "facilities", "outside_band")  # fmt: skip


@dataclass
class ProjectStats:
    """Figures per street, community and grid (frames with :data:`HEADINGS` columns)."""

    streets: pd.DataFrame
    communities: pd.DataFrame
    grids: pd.DataFrame
    location: str = ""

    @property
    def outside_band(self) -> pd.DataFrame:
        """Grids whose households lie outside their band."""
        return self.grids[self.grids["status"].isin(["above", "below"])]

    def totals(self) -> dict[str, int]:
        """Sums over the streets (the whole project)."""
        out = {name: int(self.streets[name].sum()) for name in _SUMMED}
        out["staff"] = int(self.staff_total)
        return out

    #: People holding a post anywhere (each once).
    staff_total: int = 0


def _distinct_per(keys: np.ndarray, people: np.ndarray, n: int) -> np.ndarray:
    """Number of distinct people per key position (keys -1 are skipped)."""
    keep = keys >= 0
    if not keep.any():
        return np.zeros(n, dtype=np.int64)
    pairs = pd.DataFrame({"key": keys[keep], "person": people[keep]}).drop_duplicates()
    return np.bincount(pairs["key"].to_numpy(dtype=np.int64), minlength=n).astype(
        np.int64
    )


def _positions(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    lookup: dict[object, int] = {}
    for k, v in enumerate(table):
        lookup.setdefault(v, k)
    return np.fromiter(
        (lookup.get(v, -1) for v in values), dtype=np.int64, count=len(values)
    )


def project_stats(
    store: Store | None = None, *, snapshot: Snapshot | None = None
) -> ProjectStats:
    """Figures of a project (read from ``store``, or an already read ``snapshot``)."""
    from gridgis.core.validate.capacity import grid_bands

    if snapshot is None:
        if store is None:
            raise TypeError("give a store or a snapshot")
        snapshot = Snapshot.load(store)
    link = snapshot.linkage
    streets = snapshot.frame("streets")
    communities = snapshot.frame("communities")
    grids = snapshot.frame("grids")
    n_s, n_c, n_g = len(streets), len(communities), len(grids)

    street_codes = snapshot.column("streets", "code")
    community_codes = snapshot.column("communities", "code")
    grid_codes = snapshot.column("grids", "code")
    community_street = _positions(
        snapshot.column("communities", "street_code"), street_codes
    )
    grid_community = _positions(
        snapshot.column("grids", "community_code"), community_codes
    )

    # Buildings and facilities per grid and per community (-1: none; n: "nowhere").
    b_comm = link.building_community.index.copy()
    f_comm = link.facility_community.index.copy()
    b_comm[b_comm < 0] = n_c
    f_comm[f_comm < 0] = n_c
    households, population = building_counts(snapshot.frame("buildings"))

    def per(keys: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
        keep = keys >= 0
        w = None if weights is None else weights[keep]
        return np.bincount(keys[keep], weights=w, minlength=n).astype(np.int64)

    # People per grid (own posts only).
    assignments = snapshot.frame("assignments")
    own = ~assignments["is_backup"].fillna(False).to_numpy(dtype=bool)
    post_grid = _positions(snapshot.column("assignments", "grid_code")[own], grid_codes)
    people = snapshot.column("assignments", "staff_id")[own]
    post_comm = np.where(post_grid >= 0, grid_community[np.maximum(post_grid, 0)], -1)
    post_street = np.where(
        post_comm >= 0, community_street[np.maximum(post_comm, 0)], -1
    )

    low, high, known = grid_bands(grids, snapshot.settings)
    grid_hh = link.grid_households
    status = np.where(
        ~known,
        "unknown",
        np.where(grid_hh > high, "above", np.where(grid_hh < low, "below", "within")),
    )
    outside = (status == "above") | (status == "below")
    band = [
        f"{lo:.0f}–{hi:.0f}" if ok else ""
        for lo, hi, ok in zip(low, high, known, strict=True)
    ]
    grid_table = pd.DataFrame(
        {
            "code": grid_codes,
            "name": snapshot.column("grids", "name"),
            "community_code": snapshot.column("grids", "community_code"),
            "kind": snapshot.column("grids", "kind"),
            "households": grid_hh,
            "population": link.grid_population,
            "band": band,
            "status": status,
            "buildings": per(link.building_grid.index, n_g),
            "facilities": per(link.facility_grid.index, n_g),
            "staff": _distinct_per(post_grid, people, n_g),
        }
    )

    n_c1 = n_c + 1  # with the "nowhere" row
    c_names = np.append(snapshot.column("communities", "name"), NOWHERE.get())
    c_codes = np.append(community_codes, "")
    c_street = np.append(
        snapshot.column("communities", "street_code"), np.array([None], dtype=object)
    )
    c_grids = per(grid_community, n_c1)
    community_table = pd.DataFrame(
        {
            "code": c_codes,
            "name": c_names,
            "street_code": c_street,
            "divided": np.where(c_grids > 0, "yes", "no"),
            "grids": c_grids,
            "households": per(b_comm, n_c1, households),
            "population": per(b_comm, n_c1, population),
            "buildings": per(b_comm, n_c1),
            "facilities": per(f_comm, n_c1),
            "staff": _distinct_per(post_comm, people, n_c1),
            "outside_band": per(grid_community[outside], n_c1),
        }
    )
    nowhere_row = community_table.iloc[[-1]]
    community_table = community_table.iloc[:-1].sort_values("code", kind="stable")
    if int(nowhere_row[["households", "buildings", "facilities"]].to_numpy().sum()):
        community_table = pd.concat([community_table, nowhere_row])
    community_table = community_table.reset_index(drop=True)

    # Streets: what lies in their communities (and a row for what lies in none).
    street_of_community = np.append(community_street, -1)  # "nowhere" → no street
    street_of_community[street_of_community < 0] = n_s
    n_s1 = n_s + 1
    b_street = street_of_community[b_comm]
    f_street = street_of_community[f_comm]
    g_street = np.where(
        grid_community >= 0, street_of_community[np.maximum(grid_community, 0)], n_s
    )
    street_table = pd.DataFrame(
        {
            "code": np.append(street_codes, ""),
            "name": np.append(
                snapshot.column("streets", "name"),
                Text("(不属于任何街道)", "(in no street)").get(),
            ),
            "communities": per(street_of_community[:-1], n_s1),
            "grids": per(g_street, n_s1),
            "households": per(b_street, n_s1, households),
            "population": per(b_street, n_s1, population),
            "buildings": per(b_street, n_s1),
            "facilities": per(f_street, n_s1),
            "staff": _distinct_per(post_street, people, n_s1),
            "outside_band": per(g_street[outside], n_s1),
        }
    )
    nowhere = street_table.iloc[[-1]]
    street_table = street_table.iloc[:-1].sort_values("code", kind="stable")
    if int(
        nowhere[["communities", "grids", "households", "buildings", "facilities"]]
        .to_numpy()
        .sum()
    ):
        street_table = pd.concat([street_table, nowhere])
    street_table = street_table.reset_index(drop=True)
    return ProjectStats(
        streets=street_table[list(_STREET_COLUMNS)],
        communities=community_table[list(_COMMUNITY_COLUMNS)],
        grids=grid_table[list(_GRID_COLUMNS)]
        .sort_values("code", kind="stable")
        .reset_index(drop=True),
        location=getattr(store, "location", ""),
        staff_total=len(set(people[post_grid >= 0])),
    )


def labelled(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """``frame`` with headings and values in ``language`` (for display)."""
    out = frame.copy()
    if "status" in out:
        out["status"] = out["status"].map(lambda s: STATUS[s].get(language))
    if "divided" in out:
        out["divided"] = out["divided"].map(
            {"yes": Text("已划分", "divided").get(language),
             "no": Text("未划分", "not divided").get(language)}
        )  # fmt: skip
    if "kind" in out:
        from gridgis.core.definitions import GridKind

        out["kind"] = out["kind"].map(
            lambda k: (
                GridKind(k).label.get(language)
                if k in GridKind._value2member_map_
                else k
            )
        )
    return out.rename(columns={c: HEADINGS[c].get(language) for c in out.columns})


_TEXT_COLUMNS = {"code", "street_code", "community_code"}


def write_xlsx(stats: ProjectStats, path: str | Path) -> Path:
    """Write the figures as an Excel workbook with Chinese headings.

    Sheets: 街道 (streets), 社区 (communities), 网格 (grids) and 户数超出范围
    (grids outside their band). Division codes are stored as text, so Excel and WPS
    keep all 15 digits; each sheet ends with a total row.

    Raises
    ------
    InputFileError
        If the file cannot be written (folder missing, file open in Excel).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    sheets: Sequence[tuple[str, pd.DataFrame, bool]] = (
        ("街道", stats.streets, True),
        ("社区", stats.communities, True),
        ("网格", stats.grids, True),
        ("户数超出范围", stats.outside_band, False),
    )
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for title, frame, total in sheets:
        sheet = book.create_sheet(title)
        shown = labelled(frame, "zh")
        sheet.append(list(shown.columns))
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(horizontal="center", vertical="center")
        for row in shown.itertuples(index=False):
            sheet.append([_cell(v) for v in row])
        if total and len(frame):
            sums = ["合计"] + [
                int(frame[c].sum()) if c in _SUMMED else None for c in frame.columns[1:]
            ]
            if "staff" in frame.columns and frame is stats.streets:
                sums[list(frame.columns).index("staff")] = stats.staff_total
            sheet.append(sums)
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        for k, column in enumerate(frame.columns, start=1):
            letter = get_column_letter(k)
            if column in _TEXT_COLUMNS:
                for cell in sheet[letter][1:]:
                    cell.number_format = "@"
            values = [str(c.value) for c in sheet[letter] if c.value is not None]
            width = max((_display_width(v) for v in values), default=8)
            sheet.column_dimensions[letter].width = min(max(width + 2, 8), 40)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = (
            f"A1:{get_column_letter(len(frame.columns))}{max(len(frame) + 1, 1)}"
        )
    try:
        book.save(path)
    except OSError as exc:
        raise unwritable_workbook(path, exc) from None
    return path


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet (CJK characters count double)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


__all__ = [
    "HEADINGS",
    "NOWHERE",
    "STATUS",
    "ProjectStats",
    "labelled",
    "project_stats",
    "write_xlsx",
]
