"""What a planner can ask of an automatic division."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gridgis.core.definitions import GridKind, OverlayKind
from gridgis.core.errors import SchemaError
from gridgis.core.settings import HouseholdBand, Settings


@dataclass(frozen=True)
class DivisionOptions:
    """Options of :func:`~gridgis.core.divide.divide_community`.

    Parameters
    ----------
    bands
        Household bands per grid kind (``"residential"``, ``"unit"``) that replace the
        project's bands for this division; kinds not given keep the project's band.
    grids
        A hint for the number of residential grids; it is kept when the band allows,
        otherwise the nearest number the band allows is used (and the report says so).
    target
        Households to aim at per residential grid (default: the middle of the band).
    locked
        Codes of existing grids of the community to keep exactly as they are (area,
        code, name, staff); the rest of the community is divided around them.
    respect
        Overlay kinds (``"police"``, ``"school"``, …) whose boundaries grids must not
        cross. A part of the community between such boundaries that cannot reach the
        band's minimum is joined to its neighbour, and the report says where.
    unit_grids
        Keep every school or hospital campus (a block holding a school or hospital
        whose buildings are mainly for education or health) as a unit grid of its own.
    snap_distance
        Roads that stop short of another road or the community boundary by at most
        this many metres are extended to meet it, so that they still close blocks.
    sliver_area
        Faces without buildings smaller than this (m²), or thinner than 4 m on
        average, are slivers between nearly coincident lines and join a neighbour.
    """

    bands: Mapping[str, HouseholdBand] = field(default_factory=dict)
    grids: int | None = None
    target: int | None = None
    locked: tuple[str, ...] = ()
    respect: tuple[str, ...] = ()
    unit_grids: bool = True
    snap_distance: float = 25.0
    sliver_area: float = 500.0

    def __post_init__(self) -> None:
        known_kinds = {k.value for k in GridKind}
        for kind, band in self.bands.items():
            if kind not in known_kinds:
                raise SchemaError(
                    f"There is no grid kind '{kind}'; bands can be given for "
                    f"{', '.join(sorted(known_kinds))}.",
                    f"没有“{kind}”这种网格类型;可设置户数范围的类型:"
                    f"{', '.join(sorted(known_kinds))}。",
                )
            if not isinstance(band, HouseholdBand):
                raise TypeError(
                    f"bands['{kind}'] must be a HouseholdBand, got {type(band).__name__}"
                )
        known_overlays = {k.value for k in OverlayKind}
        unknown = [k for k in self.respect if k not in known_overlays]
        if unknown:
            raise SchemaError(
                f"Unknown overlay kind(s) {', '.join(unknown)}; choose from "
                f"{', '.join(sorted(known_overlays))}.",
                f"未知的专题区划类型 {', '.join(unknown)};可选:"
                f"{', '.join(sorted(known_overlays))}。",
            )
        if self.grids is not None and self.grids < 1:
            raise SchemaError(
                f"The number of grids must be at least 1, got {self.grids}.",
                f"网格数量至少为 1,收到 {self.grids}。",
            )
        if self.snap_distance < 0 or self.sliver_area < 0:
            raise SchemaError(
                "Snap distance and sliver area cannot be negative.",
                "道路延伸距离和碎面面积不能为负数。",
            )

    def band(self, settings: Settings, kind: str | GridKind) -> HouseholdBand:
        """The band of grids of ``kind``: this division's, else the project's."""
        key = kind.value if isinstance(kind, GridKind) else str(kind)
        if key in self.bands:
            return self.bands[key]
        return settings.band(key)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready description (for the report and the division log)."""
        return {
            "bands": {k: [b.min, b.max] for k, b in sorted(self.bands.items())},
            "grids": self.grids,
            "target": self.target,
            "locked": list(self.locked),
            "respect": list(self.respect),
            "unit_grids": self.unit_grids,
            "snap_distance": self.snap_distance,
            "sliver_area": self.sliver_area,
        }
