"""A grid's household status (under / in / over its band), as the map colours it.

The grid style (``styles/grids.qml``) computes the same status with an expression on the
project variables; the docks use this module so that a grid's icon in the tree, its
figure in the inspector and its colour on the map always agree.
"""

from __future__ import annotations

from enum import Enum

import pandas as pd
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QIcon, QPainter, QPixmap

from gridgis.core.settings import HouseholdBand, Settings


class GridStatus(str, Enum):
    """Where a grid's households stand against its band."""

    UNDER = "under"
    """Fewer households than the band's minimum."""
    IN = "in"
    """Inside the band."""
    OVER = "over"
    """More households than the band's maximum."""
    UNKNOWN = "unknown"
    """Households not counted yet (the grid was never linked)."""


#: The grid style's fill colours (``tools/build_styles.py``), by status.
COLOURS = {
    GridStatus.IN: "#b8e0b0",
    GridStatus.UNDER: "#bcd7f0",
    GridStatus.OVER: "#f4b2a6",
    GridStatus.UNKNOWN: "#dddddd",
}
#: A darker shade of the same colours for text and icon outlines.
INK = {
    GridStatus.IN: "#2e7d32",
    GridStatus.UNDER: "#1f5fa8",
    GridStatus.OVER: "#c0392b",
    GridStatus.UNKNOWN: "#777777",
}


def _int_or_none(value: object) -> int | None:
    if value is None or value is pd.NA:
        return None
    try:
        if pd.isna(value):  # type: ignore[arg-type]
            return None
    except (TypeError, ValueError):
        pass
    return int(value)  # type: ignore[call-overload]


def grid_band(
    settings: Settings,
    kind: str,
    min_households: object = None,
    max_households: object = None,
) -> HouseholdBand:
    """The band of a grid: its own override where set, else its kind's."""
    band = settings.band(kind)
    low = _int_or_none(min_households)
    high = _int_or_none(max_households)
    return HouseholdBand(
        band.min if low is None else low, band.max if high is None else high
    )


def grid_status(households: object, band: HouseholdBand) -> GridStatus:
    """The status of a grid with ``households`` against ``band``."""
    count = _int_or_none(households)
    if count is None:
        return GridStatus.UNKNOWN
    if count < band.min:
        return GridStatus.UNDER
    if count > band.max:
        return GridStatus.OVER
    return GridStatus.IN


_icons: dict[GridStatus, QIcon] = {}


def status_icon(status: GridStatus) -> QIcon:
    """A small filled square in the status's map colour."""
    if status not in _icons:
        pixmap = QPixmap(14, 14)
        pixmap.fill(Qt.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setBrush(QColor(COLOURS[status]))
        painter.setPen(QColor(INK[status]))
        painter.drawRoundedRect(1, 1, 12, 12, 3, 3)
        painter.end()
        _icons[status] = QIcon(pixmap)
    return _icons[status]
