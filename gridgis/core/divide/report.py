"""The quality report of a division: what a planner checks before accepting it.

:class:`QualityReport` holds the figures; :func:`measure` computes them from the grids
of a community, and the report renders itself as text (Chinese or English), as a
JSON-ready dict and as HTML (for the QGIS Processing algorithm).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from gridgis.core.definitions import OverlayKind
from gridgis.core.i18n import Text, current_language
from gridgis.core.link import assign_points, cut_buildings, inside_points

#: Boundary within this distance (m) of a road or the community boundary counts as on it.
ON_LINE = 1.0


@dataclass
class QualityReport:
    """Figures of one division of a community.

    Households and the band refer to residential grids; compactness and boundaries to
    every grid of the community after the division.
    """

    community_code: str
    community_name: str
    band: tuple[int, int]
    grids: int = 0
    residential: int = 0
    unit: int = 0
    locked: int = 0
    #: Residential grids whose households lie inside their band.
    in_band: int = 0
    households_min: int = 0
    households_median: float = 0.0
    households_max: int = 0
    households_total: int = 0
    #: Polsby–Popper compactness, 4πA/P² (1 for a circle, 0.785 for a square).
    compactness_min: float = 0.0
    compactness_median: float = 0.0
    #: Share of the grid boundary network that runs on roads or the community boundary.
    road_share: float = 0.0
    #: The same for the boundaries between grids only.
    inner_road_share: float = 0.0
    buildings_cut: int = 0
    #: Grids that are not a single piece.
    not_contiguous: int = 0
    #: Area of the community left outside every grid, and covered twice (m²).
    gap_area: float = 0.0
    overlap_area: float = 0.0
    blocks: int = 0
    #: Cuts through blocks between buildings (a block in n grids counts n - 1).
    block_cuts: int = 0
    road_extensions: int = 0
    slivers: int = 0
    #: Buildings above the band's maximum on their own: (building id, households).
    oversize_buildings: list[tuple[str, int]] = field(default_factory=list)
    #: Grids crossing the boundary of a respected overlay kind, per kind.
    overlay_crossings: dict[str, int] = field(default_factory=dict)
    #: Grids an arterial road runs through (only where the land between arterials
    #: cannot hold a grid; the notes say where).
    arterial_crossings: int = 0
    #: Why the band cannot be met (empty when it is met).
    infeasible: list[Text] = field(default_factory=list)
    #: Other things the planner should know.
    notes: list[Text] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def in_band_share(self) -> float:
        """Share of residential grids inside their band (1.0 when there are none)."""
        return self.in_band / self.residential if self.residential else 1.0

    @property
    def feasible(self) -> bool:
        """Whether the band could be met everywhere in the community."""
        return not self.infeasible

    # -- rendering ------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain JSON-ready values (messages in both languages)."""
        return {
            "community_code": self.community_code,
            "community_name": self.community_name,
            "band": list(self.band),
            "grids": self.grids,
            "residential": self.residential,
            "unit": self.unit,
            "locked": self.locked,
            "in_band": self.in_band,
            "in_band_share": round(self.in_band_share, 4),
            "households": {
                "min": self.households_min,
                "median": self.households_median,
                "max": self.households_max,
                "total": self.households_total,
            },
            "compactness": {
                "min": round(self.compactness_min, 4),
                "median": round(self.compactness_median, 4),
            },
            "road_share": round(self.road_share, 4),
            "inner_road_share": round(self.inner_road_share, 4),
            "buildings_cut": self.buildings_cut,
            "not_contiguous": self.not_contiguous,
            "gap_area": round(self.gap_area, 2),
            "overlap_area": round(self.overlap_area, 2),
            "blocks": self.blocks,
            "block_cuts": self.block_cuts,
            "road_extensions": self.road_extensions,
            "slivers": self.slivers,
            "oversize_buildings": [
                {"id": b, "households": h} for b, h in self.oversize_buildings
            ],
            "overlay_crossings": dict(self.overlay_crossings),
            "arterial_crossings": self.arterial_crossings,
            "feasible": self.feasible,
            "infeasible": [{"zh": t.zh, "en": t.en} for t in self.infeasible],
            "notes": [{"zh": t.zh, "en": t.en} for t in self.notes],
            "seconds": round(self.seconds, 3),
        }

    def lines(self, language: str | None = None) -> list[tuple[str, str]]:
        """The report as (label, value) rows in ``language``."""
        lang = language or current_language()

        def t(zh: str, en: str) -> str:
            return zh if lang == "zh" else en

        rows = [
            (t("户数范围", "household band"), f"{self.band[0]}–{self.band[1]}"),
            (
                t("网格", "grids"),
                t(
                    f"{self.grids} 个(居民网格 {self.residential},单位网格 "
                    f"{self.unit},保留 {self.locked})",
                    f"{self.grids} ({self.residential} residential, {self.unit} unit, "
                    f"{self.locked} locked)",
                ),
            ),
            (
                t("户数在范围内", "grids in band"),
                f"{self.in_band}/{self.residential} ({self.in_band_share:.0%})",
            ),
            (
                t("每格户数", "households per grid"),
                t(
                    f"最少 {self.households_min} · 中位 {self.households_median:g} · "
                    f"最多 {self.households_max}",
                    f"min {self.households_min} · median {self.households_median:g} · "
                    f"max {self.households_max}",
                ),
            ),
            (
                t("紧凑度 (Polsby–Popper)", "compactness (Polsby–Popper)"),
                t(
                    f"最低 {self.compactness_min:.2f} · 中位 {self.compactness_median:.2f}",
                    f"min {self.compactness_min:.2f} · median "
                    f"{self.compactness_median:.2f}",
                ),
            ),
            (
                t("边界沿道路或社区边界", "boundary on roads or community edge"),
                t(
                    f"{self.road_share:.0%}(网格之间 {self.inner_road_share:.0%})",
                    f"{self.road_share:.0%} (between grids {self.inner_road_share:.0%})",
                ),
            ),
            (t("被切割的建筑", "buildings cut"), str(self.buildings_cut)),
            (t("不连续的网格", "grids in several pieces"), str(self.not_contiguous)),
            (
                t("空隙 / 重叠", "gap / overlap"),
                f"{self.gap_area:.1f} m² / {self.overlap_area:.1f} m²",
            ),
            (
                t("街坊与切分", "blocks and cuts"),
                t(
                    f"{self.blocks} 个街坊,在建筑之间切分 {self.block_cuts} 处",
                    f"{self.blocks} blocks, {self.block_cuts} cuts between buildings",
                ),
            ),
        ]
        rows.append(
            (
                t("主干路穿过的网格", "grids crossed by an arterial road"),
                str(self.arterial_crossings),
            )
        )
        for kind, count in self.overlay_crossings.items():
            name = OverlayKind(kind).label.get(lang)
            rows.append(
                (t(f"跨越{name}边界的网格", f"grids crossing a {name}"), str(count))
            )
        rows.append((t("用时", "time"), f"{self.seconds:.2f} s"))
        return rows

    def to_text(self, language: str | None = None) -> str:
        """The report as plain text in ``language`` (default: the current language)."""
        lang = language or current_language()
        title = (
            f"{self.community_name}({self.community_code})自动划分质量报告"
            if lang == "zh"
            else f"Division of {self.community_name} ({self.community_code}): quality"
        )
        rows = self.lines(lang)
        width = max(_width(label) for label, _ in rows)
        out = [title]
        for label, value in rows:
            out.append(f"  {label}{' ' * (width - _width(label))}  {value}")
        if self.oversize_buildings:
            out.append(
                "  "
                + (
                    "单栋超过上限、自成网格的建筑:"
                    if lang == "zh"
                    else "Buildings above the band, each its own grid: "
                )
                + ", ".join(f"{b} ({h})" for b, h in self.oversize_buildings)
            )
        for heading, items in (
            (("无法满足户数范围:", "The band cannot be met:"), self.infeasible),
            (("说明:", "Notes:"), self.notes),
        ):
            if items:
                out.append(heading[0] if lang == "zh" else heading[1])
                out.extend(f"  - {item.get(lang)}" for item in items)
        return "\n".join(out)

    def to_html(self, language: str | None = None) -> str:
        """The report as an HTML fragment (a heading, a table and lists)."""
        lang = language or current_language()
        esc = html.escape
        title = self.to_text(lang).splitlines()[0]
        rows = "".join(
            f"<tr><th>{esc(label)}</th><td>{esc(value)}</td></tr>"
            for label, value in self.lines(lang)
        )
        parts = [f"<h3>{esc(title)}</h3>", f"<table>{rows}</table>"]
        for heading, items in (
            (("无法满足户数范围", "The band cannot be met"), self.infeasible),
            (("说明", "Notes"), self.notes),
        ):
            if items:
                parts.append(
                    f"<h4>{esc(heading[0] if lang == 'zh' else heading[1])}</h4>"
                )
                parts.append(
                    "<ul>"
                    + "".join(f"<li>{esc(item.get(lang))}</li>" for item in items)
                    + "</ul>"
                )
        return "\n".join(parts)


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal (CJK characters take two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def polsby_popper(geoms: np.ndarray) -> np.ndarray:
    """4π·area / perimeter² of each polygon."""
    geoms = np.asarray(geoms, dtype=object)
    perimeter = shapely.length(geoms)
    return np.where(
        perimeter > 0,
        4 * math.pi * shapely.area(geoms) / np.maximum(perimeter, 1e-12) ** 2,
        0.0,
    )


def boundary_on_lines(
    grids: np.ndarray, community: BaseGeometry, roads: BaseGeometry
) -> tuple[float, float]:
    """Share of grid boundaries on roads or the community boundary; and between grids.

    The boundary network (every edge once) is cut into pieces of at most 5 m; a piece
    is on a line when its middle lies within :data:`ON_LINE` of it.
    """
    from gridgis.core.divide.blocks import near_mask, split_segments
    from gridgis.core.divide.split import line_segments

    network = shapely.union_all(shapely.boundary(np.asarray(grids, dtype=object)))
    pieces = split_segments(line_segments(network), 5.0)
    if len(pieces) == 0:
        return 1.0, 1.0
    lengths = np.hypot(*(pieces[:, 1] - pieces[:, 0]).T)
    edge = near_mask(pieces, line_segments(community.boundary), ON_LINE)
    road = near_mask(pieces, line_segments(roads), ON_LINE)
    total = lengths.sum()
    inner = lengths[~edge].sum()
    share = lengths[edge | road].sum() / total
    inner_share = lengths[~edge & road].sum() / inner if inner > 0 else 1.0
    return float(share), float(inner_share)


def measure(
    report: QualityReport,
    grids: pd.DataFrame,
    community: BaseGeometry,
    roads: BaseGeometry,
    footprints: np.ndarray,
    bands: dict[str, tuple[int, int]],
) -> QualityReport:
    """Fill in ``report``'s figures from the community's grids after the division.

    Parameters
    ----------
    grids
        The community's grids: ``kind``, ``households``, ``min_households``,
        ``max_households`` and ``geometry``.
    community
        The community polygon.
    roads
        The roads inside the community (lines).
    footprints
        Every building of the community.
    bands
        Band (min, max) per grid kind.
    """
    geoms = np.asarray(grids.geometry.values, dtype=object)
    kinds = grids["kind"].to_numpy(dtype=object)
    households = grids["households"].fillna(0).to_numpy(dtype=np.int64)
    report.grids = len(grids)
    residential = kinds == "residential"
    report.residential = int(residential.sum())
    report.unit = int((kinds == "unit").sum())
    low = np.array(
        [
            bands.get(k, (0, 10**9))[0] if pd.isna(v) else int(v)
            for k, v in zip(kinds, grids["min_households"], strict=True)
        ]
    )
    high = np.array(
        [
            bands.get(k, (0, 10**9))[1] if pd.isna(v) else int(v)
            for k, v in zip(kinds, grids["max_households"], strict=True)
        ]
    )
    inside = (households >= low) & (households <= high)
    report.in_band = int((inside & residential).sum())
    if residential.any():
        hh = households[residential]
        report.households_min = int(hh.min())
        report.households_median = float(np.median(hh))
        report.households_max = int(hh.max())
    report.households_total = int(households.sum())
    if len(geoms):
        pp = polsby_popper(geoms)
        report.compactness_min = float(pp.min())
        report.compactness_median = float(np.median(pp))
        report.road_share, report.inner_road_share = boundary_on_lines(
            geoms, community, roads
        )
        report.not_contiguous = int((shapely.get_num_geometries(geoms) != 1).sum())
        covered = shapely.union_all(geoms)
        report.gap_area = float(shapely.difference(community, covered).area)
        report.overlap_area = float(max(0.0, shapely.area(geoms).sum() - covered.area))
        points = inside_points(footprints)
        assigned = assign_points(points, geoms).index
        report.buildings_cut = int(
            cut_buildings(footprints, geoms, assigned)["building"].nunique()
        )
    return report
