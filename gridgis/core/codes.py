"""Division codes: parse, check, build and renumber.

A grid code has 15 digits: 6 for the county (GB/T 2260), 3 for the street or town, 3 for
the community or village and 3 for the grid sequence (Beijing DB11/T 2157-2023, Xi'an
DB6101/T 3185-2024). Street, community and grid codes are its 9-, 12- and 15-digit
prefixes. Which numbers a segment may take is data (:data:`STREET_RANGES`,
:data:`COMMUNITY_RANGES`, :data:`GRID_RANGE`), not scattered constants.

Examples
--------
>>> from gridgis.core.codes import parse_code, build_code
>>> code = parse_code("320508019044")
>>> code.level.value, code.county, code.street, code.community
('community', '320508', '019', '044')
>>> code.street_kind.en
'street'
>>> build_code("320508019044", 3)
'320508019044003'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from gridgis.core.definitions import Level
from gridgis.core.errors import CodeError
from gridgis.core.i18n import Text

#: Digits of the county prefix (GB/T 2260).
COUNTY_DIGITS = 6

#: Total digits of a code at each level.
LEVEL_DIGITS: dict[Level, int] = {
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
}

#: Province prefixes of GB/T 2260 (the first two digits of a county code).
PROVINCES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip


@dataclass(frozen=True)
class SegmentRange:
    """A run of numbers a code segment may take, and what the number means."""

    low: int
    high: int
    kind: Text

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and self.low <= number <= self.high


#: Street segment (digits 7–9): street offices, towns, townships.
STREET_RANGES: tuple[SegmentRange, ...] = (
    SegmentRange(1, 99, Text("街道", "street")),
    SegmentRange(100, 199, Text("镇", "town")),
    SegmentRange(200, 399, Text("乡", "township")),
)

#: Community segment (digits 10–12): residents' committees and villages.
COMMUNITY_RANGES: tuple[SegmentRange, ...] = (
    SegmentRange(1, 199, Text("社区居委会", "community")),
    SegmentRange(200, 399, Text("村委会", "village")),
)

#: Grid sequence (digits 13–15).
GRID_RANGE = SegmentRange(1, 999, Text("网格", "grid"))

_LEVEL_ZH = {Level.STREET: "街道", Level.COMMUNITY: "社区", Level.GRID: "网格"}
_DIGITS = re.compile(r"^[0-9]+$")


def _segment_kind(number: int, ranges: Sequence[SegmentRange]) -> Text | None:
    for rng in ranges:
        if number in rng:
            return rng.kind
    return None


@dataclass(frozen=True)
class DivisionCode:
    """A checked street (9), community (12) or grid (15) code."""

    text: str

    @property
    def level(self) -> Level:
        """The level the code identifies."""
        return {9: Level.STREET, 12: Level.COMMUNITY, 15: Level.GRID}[len(self.text)]

    @property
    def county(self) -> str:
        """The 6-digit county code."""
        return self.text[:6]

    @property
    def street(self) -> str:
        """The 3-digit street segment."""
        return self.text[6:9]

    @property
    def community(self) -> str | None:
        """The 3-digit community segment, or ``None`` for a street code."""
        return self.text[9:12] or None

    @property
    def grid(self) -> str | None:
        """The 3-digit grid sequence, or ``None`` above grid level."""
        return self.text[12:15] or None

    @property
    def sequence(self) -> int:
        """The number of the last segment (street, community or grid number)."""
        return int(self.text[-3:])

    @property
    def street_kind(self) -> Text:
        """Street office, town or township."""
        kind = _segment_kind(int(self.street), STREET_RANGES)
        assert kind is not None
        return kind

    @property
    def community_kind(self) -> Text | None:
        """Community or village; ``None`` for a street code."""
        if self.community is None:
            return None
        return _segment_kind(int(self.community), COMMUNITY_RANGES)

    @property
    def parent(self) -> str | None:
        """The code of the level above (``None`` for a street, whose parent is a county)."""
        return self.text[:-3] if self.level is not Level.STREET else None

    def __str__(self) -> str:
        return self.text


def code_problem(text: object, level: Level | None = None) -> Text | None:
    """Return what is wrong with ``text`` as a division code, or ``None`` if nothing.

    Parameters
    ----------
    text
        The code to check.
    level
        The level the code must have; ``None`` accepts a street, community or grid code.
    """
    if not isinstance(text, str) or not text:
        return Text("编码为空;请填写编码。", "The code is empty; fill it in.")
    if not _DIGITS.match(text):
        return Text(
            f"编码“{text}”含有非数字字符;编码只能由数字组成。",
            f"Code '{text}' has characters other than digits; codes are digits only.",
        )
    expected = [LEVEL_DIGITS[level]] if level else sorted(LEVEL_DIGITS.values())
    if len(text) not in expected:
        what = (
            f"{_LEVEL_ZH[level]}编码应为 {LEVEL_DIGITS[level]} 位"
            if level
            else "编码应为 9、12 或 15 位"
        )
        what_en = (
            f"a {level.value} code has {LEVEL_DIGITS[level]} digits"
            if level
            else "codes have 9, 12 or 15 digits"
        )
        return Text(
            f"编码“{text}”有 {len(text)} 位;{what}。",
            f"Code '{text}' has {len(text)} digits; {what_en}.",
        )
    if text[:2] not in PROVINCES:
        return Text(
            f"编码“{text}”的前两位 {text[:2]} 不是 GB/T 2260 中的省级代码;"
            "请检查县级区划代码。",
            f"Code '{text}' starts with {text[:2]}, which is not a GB/T 2260 province; "
            "check the county code.",
        )
    if text[4:6] == "00":
        return Text(
            f"编码“{text}”的县级代码 {text[:6]} 以 00 结尾,是地级代码;"
            "请使用县(区)代码。",
            f"County code {text[:6]} of '{text}' ends in 00, which is a prefecture; "
            "use the county or district code.",
        )
    checks = (
        (text[6:9], STREET_RANGES, "街道(乡镇)", "street/town"),
        (text[9:12], COMMUNITY_RANGES, "社区(村)", "community/village"),
        (text[12:15], (GRID_RANGE,), "网格", "grid"),
    )
    for segment, ranges, zh, en in checks:
        if not segment:
            break
        if _segment_kind(int(segment), ranges) is None:
            allowed = ", ".join(f"{r.low:03d}–{r.high:03d}" for r in ranges)
            return Text(
                f"编码“{text}”中的{zh}段 {segment} 不在允许范围({allowed})内。",
                f"The {en} segment {segment} of '{text}' is outside {allowed}.",
            )
    return None


def is_valid_code(text: object, level: Level | None = None) -> bool:
    """Whether ``text`` is a well-formed code (of ``level``, if given)."""
    return code_problem(text, level) is None


def parse_code(text: object, level: Level | None = None) -> DivisionCode:
    """Parse and check a division code.

    Raises
    ------
    CodeError
        With a message that says what is wrong with the code.
    """
    problem = code_problem(text, level)
    if problem is not None:
        raise CodeError(problem.en, problem.zh)
    assert isinstance(text, str)
    return DivisionCode(text)


def parent_code(text: str) -> str | None:
    """The code of the level above ``text`` (``None`` for a street code)."""
    return parse_code(text).parent


def build_code(parent: str, sequence: int) -> str:
    """Build the code of child number ``sequence`` under ``parent``.

    ``parent`` may be a 6-digit county code (giving a street code), a street code
    (giving a community code) or a community code (giving a grid code).
    """
    if not isinstance(sequence, (int, np.integer)) or isinstance(sequence, bool):
        raise TypeError(f"sequence must be an int, got {type(sequence).__name__}")
    if len(parent) == COUNTY_DIGITS:
        problem = code_problem(parent + "001", Level.STREET)
        if problem is not None:
            raise CodeError(problem.en, problem.zh)
    else:
        parent_level = parse_code(parent).level
        if parent_level is Level.GRID:
            raise CodeError(
                f"'{parent}' is a grid code; grids have no children.",
                f"“{parent}”是网格编码,网格下不再分级。",
            )
    code = f"{parent}{int(sequence):03d}"
    return parse_code(code).text


def next_grid_sequence(
    community_code: str, existing: Iterable[str], *, fill_gaps: bool = False
) -> int:
    """The next free grid sequence number in a community.

    Parameters
    ----------
    community_code
        The 12-digit community code.
    existing
        Codes already in use (codes of other communities are ignored).
    fill_gaps
        Reuse the lowest unused number instead of the one after the highest.

    Raises
    ------
    CodeError
        When all 999 sequence numbers are taken.
    """
    parse_code(community_code, Level.COMMUNITY)
    used = {
        int(c[12:15])
        for c in existing
        if isinstance(c, str)
        and len(c) == 15
        and c.startswith(community_code)
        and c[12:15].isdigit()
    }
    if fill_gaps:
        candidate = next(
            (n for n in range(GRID_RANGE.low, GRID_RANGE.high + 1) if n not in used),
            None,
        )
    else:
        candidate = max(used, default=0) + 1
    if candidate is None or candidate > GRID_RANGE.high:
        raise CodeError(
            f"Community {community_code} has no free grid number left (001–999); "
            "merge grids or renumber the community.",
            f"社区 {community_code} 已没有可用的网格序号(001–999);"
            "请合并网格或重新编号。",
        )
    return candidate


def reading_order(geometries: Sequence[object] | np.ndarray) -> np.ndarray:
    """Positions of ``geometries`` in reading order: north→south rows, west→east.

    Grids whose centres lie within half a typical grid height of each other form a row;
    rows run from north to south and, inside a row, grids run from west to east.
    """
    geoms = np.asarray(geometries, dtype=object)
    n = len(geoms)
    if n == 0:
        return np.empty(0, dtype=int)
    centres = shapely.get_coordinates(shapely.point_on_surface(geoms))
    centroids = shapely.get_coordinates(shapely.centroid(geoms))
    inside = shapely.contains_xy(geoms, centroids[:, 0], centroids[:, 1])
    centres[inside] = centroids[inside]
    bounds = shapely.bounds(geoms)
    heights = bounds[:, 3] - bounds[:, 1]
    tolerance = 0.5 * float(np.median(heights)) if n > 1 else 0.0
    by_north = np.lexsort((centres[:, 0], -centres[:, 1]))
    rows = np.empty(n, dtype=int)
    row = 0
    top = centres[by_north[0], 1]
    for pos in by_north:
        if top - centres[pos, 1] > tolerance:
            row += 1
            top = centres[pos, 1]
        rows[pos] = row
    return np.lexsort((np.arange(n), centres[:, 0], rows))


def renumber_grids(community_code: str, geometries: pd.Series) -> pd.Series:
    """New grid codes for a community's grids, numbered in reading order.

    Parameters
    ----------
    community_code
        The 12-digit community code.
    geometries
        The community's grid polygons (a GeoSeries or Series of shapely geometries).

    Returns
    -------
    pandas.Series
        The new codes, aligned with ``geometries``' index.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> g = gpd.GeoSeries([box(1, 0, 2, 1), box(0, 1, 1, 2), box(0, 0, 1, 1),
    ...                    box(1, 1, 2, 2)], index=list("abcd"))
    >>> renumber_grids("320508019044", g).str[-3:].to_dict()
    {'a': '004', 'b': '001', 'c': '003', 'd': '002'}
    """
    parse_code(community_code, Level.COMMUNITY)
    if len(geometries) > GRID_RANGE.high:
        raise CodeError(
            f"Community {community_code} has {len(geometries)} grids; at most "
            f"{GRID_RANGE.high} can be numbered.",
            f"社区 {community_code} 有 {len(geometries)} 个网格,"
            f"最多只能编号 {GRID_RANGE.high} 个。",
        )
    order = reading_order(np.asarray(geometries, dtype=object))
    codes = np.empty(len(order), dtype=object)
    codes[order] = [f"{community_code}{k:03d}" for k in range(1, len(order) + 1)]
    return pd.Series(codes, index=geometries.index, name="code")
