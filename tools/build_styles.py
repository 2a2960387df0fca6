"""Write the default QML layer styles into ``styles/``.

The QML files are the styles GridGIS ships; users may edit them in QGIS afterwards.
Run this only to reset them to the defaults:

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/build_styles.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Qt writes XML attributes in hash order; a fixed seed keeps regenerated files stable.
os.environ.setdefault("QT_HASH_SEED", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsLineSymbol,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsProperty,
    QgsRendererCategory,
    QgsSimpleLineSymbolLayer,
    QgsSingleSymbolRenderer,
    QgsSvgMarkerSymbolLayer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont

from gridgis.core import schema
from gridgis.core.definitions import FacilityCategory, OverlayKind, RoadClass
from gridgis.qgis.runtime import start_qgis

STYLES = Path(__file__).resolve().parents[1] / "styles"
FONT = "Noto Sans CJK SC"
#: Buildings and facilities are drawn only at scales larger than these (1:n), so that
#: a whole city opens quickly; a district of a few streets still shows them.
BUILDINGS_MIN_SCALE = 40000
FACILITIES_MIN_SCALE = 60000

#: Grid household status, computed from the band in the project variables.
GRID_STATUS = (
    "CASE WHEN \"households\" IS NULL THEN 'unknown' "
    'WHEN "households" < coalesce("min_households", var(\'gridgis_min_\' || "kind")) '
    "THEN 'under' "
    'WHEN "households" > coalesce("max_households", var(\'gridgis_max_\' || "kind")) '
    "THEN 'over' ELSE 'in' END"
)


def text_format(
    size: float, color: str = "#222222", bold: bool = False, buffer: float = 0.8
) -> QgsTextFormat:
    fmt = QgsTextFormat()
    font = QFont(FONT)
    font.setBold(bold)
    fmt.setFont(font)
    fmt.setSize(size)
    fmt.setColor(QColor(color))
    buf = QgsTextBufferSettings()
    buf.setEnabled(buffer > 0)
    buf.setSize(buffer)
    buf.setColor(QColor("white"))
    fmt.setBuffer(buf)
    return fmt


def labels(
    expression: str,
    size: float,
    *,
    placement: int | None = None,
    max_scale: float = 0,
    min_scale: float = 0,
    **kw,
) -> QgsVectorLayerSimpleLabeling:
    s = QgsPalLayerSettings()
    s.fieldName = expression
    s.isExpression = True
    s.setFormat(text_format(size, **kw))
    if placement is not None:
        s.placement = placement
    if max_scale or min_scale:
        s.scaleVisibility = True
        s.maximumScale = max_scale
        s.minimumScale = min_scale
    return QgsVectorLayerSimpleLabeling(s)


def save(layer_name: str, layer) -> None:
    path = STYLES / f"{layer_name}.qml"
    message, ok = layer.saveNamedStyle(str(path))
    if not ok:
        raise SystemExit(f"could not write {path}: {message}")
    print("wrote", path)


def memory_layer(name: str):
    from qgis.core import QgsVectorLayer

    lyr = schema.layer(name)
    geometry = lyr.geometry or "None"
    fields = "&".join(f"field={f.name}:string" for f in lyr.fields)
    return QgsVectorLayer(f"{geometry}?crs=EPSG:4549&{fields}", name, "memory")


def streets() -> None:
    layer = memory_layer("streets")
    symbol = QgsFillSymbol.createSimple(
        {
            "color": "0,0,0,0",
            "outline_color": "#4a2a6a",
            "outline_width": "1.2",
            "outline_style": "solid",
        }
    )
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    layer.setLabeling(
        labels(
            '"name"',
            13,
            color="#4a2a6a",
            bold=True,
            buffer=1.2,
            min_scale=200000,
            max_scale=15000,
        )
    )
    layer.setLabelsEnabled(True)
    save("streets", layer)


def communities() -> None:
    layer = memory_layer("communities")
    symbol = QgsFillSymbol.createSimple(
        {
            "color": "0,0,0,0",
            "outline_color": "#1f4e9c",
            "outline_width": "0.7",
            "outline_style": "dash",
        }
    )
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    layer.setLabeling(
        labels(
            '"name"',
            11,
            color="#1f4e9c",
            bold=True,
            buffer=1.0,
            min_scale=60000,
            max_scale=8000,
        )
    )
    layer.setLabelsEnabled(True)
    save("communities", layer)


def grids() -> None:
    layer = memory_layer("grids")
    colours = {
        "in": ("#b8e0b0", "在范围内 / in band"),
        "under": ("#bcd7f0", "户数不足 / under band"),
        "over": ("#f4b2a6", "户数超限 / over band"),
        "unknown": ("#dddddd", "未统计 / not counted"),
    }
    categories = []
    for value, (colour, label) in colours.items():
        symbol = QgsFillSymbol.createSimple(
            {"color": colour, "outline_color": "#7b3294", "outline_width": "0.45"}
        )
        symbol.setOpacity(0.75)
        categories.append(QgsRendererCategory(value, symbol, label))
    renderer = QgsCategorizedSymbolRenderer(GRID_STATUS, categories)
    layer.setRenderer(renderer)
    layer.setLabeling(
        labels(
            "\"name\" || '\\n' || right(\"code\", 3) || ' · ' || "
            "coalesce(to_string(\"households\"), '?') || ' 户'",
            8.5,
            color="#3b1f4a",
            buffer=1.0,
            max_scale=1,
            min_scale=25000,
        )
    )
    layer.setLabelsEnabled(True)
    save("grids", layer)


def buildings() -> None:
    layer = memory_layer("buildings")
    symbol = QgsFillSymbol.createSimple(
        {"color": "#c9a77c", "outline_color": "#8a6a45", "outline_width": "0.15"}
    )
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    layer.setLabeling(
        labels('"number"', 6.5, color="#5a4025", buffer=0.6, min_scale=4000)
    )
    layer.setLabelsEnabled(True)
    # A city has a million buildings: they appear from the scale of a street down.
    layer.setScaleBasedVisibility(True)
    layer.setMinimumScale(BUILDINGS_MIN_SCALE)
    save("buildings", layer)


FACILITY_SYMBOLS = {
    FacilityCategory.SCHOOL: ("symbol/education_school.svg", "#1b6ac9"),
    FacilityCategory.KINDERGARTEN: ("symbol/education_nursery.svg", "#4fa3e0"),
    FacilityCategory.HOSPITAL: ("health/health_hospital.svg", "#d7191c"),
    FacilityCategory.CLINIC: ("health/health_doctors.svg", "#e8555a"),
    FacilityCategory.MARKET: ("shopping/shopping_supermarket.svg", "#d98a00"),
    FacilityCategory.POLICE: ("amenity/amenity_police.svg", "#1d3f8f"),
    FacilityCategory.PARK: ("gpsicons/tree.svg", "#2e8b3a"),
    FacilityCategory.SERVICE_STATION: ("amenity/amenity_information.svg", "#7b3294"),
    FacilityCategory.ELDERLY_CARE: (
        "accommodation/accommodation_shelter.svg",
        "#a0522d",
    ),
    FacilityCategory.FIRE: ("amenity/amenity_firestation.svg", "#e34a33"),
}


def facilities() -> None:
    layer = memory_layer("facilities")
    categories = []
    for category, (svg, colour) in FACILITY_SYMBOLS.items():
        background = QgsMarkerSymbol.createSimple(
            {
                "name": "circle",
                "color": "white",
                "outline_color": colour,
                "outline_width": "0.4",
                "size": "5.2",
            }
        )
        icon = QgsSvgMarkerSymbolLayer(svg, 3.6)
        icon.setFillColor(QColor(colour))
        icon.setStrokeColor(QColor(colour))
        background.appendSymbolLayer(icon)
        categories.append(
            QgsRendererCategory(
                category.value, background, f"{category.label.zh} / {category.label.en}"
            )
        )
    layer.setRenderer(QgsCategorizedSymbolRenderer("category", categories))
    layer.setLabeling(labels('"name"', 7, color="#333333", buffer=0.7, min_scale=6000))
    layer.setLabelsEnabled(True)
    layer.setScaleBasedVisibility(True)
    layer.setMinimumScale(FACILITIES_MIN_SCALE)
    save("facilities", layer)


def roads() -> None:
    layer = memory_layer("roads")
    widths = {
        RoadClass.ARTERIAL: (2.6, "#f6d67a"),
        RoadClass.SECONDARY: (1.7, "#ffffff"),
        RoadClass.LOCAL: (1.2, "#ffffff"),
        RoadClass.ALLEY: (0.6, "#ffffff"),
    }
    categories = []
    for road_class, (width, colour) in widths.items():
        symbol = QgsLineSymbol.createSimple(
            {
                "line_color": "#9a9a9a",
                "line_width": str(width + 0.5),
                "capstyle": "round",
                "joinstyle": "round",
            }
        )
        inner = QgsSimpleLineSymbolLayer(QColor(colour), width)
        inner.setPenCapStyle(Qt.RoundCap)
        inner.setPenJoinStyle(Qt.RoundJoin)
        symbol.appendSymbolLayer(inner)
        categories.append(
            QgsRendererCategory(
                road_class.value,
                symbol,
                f"{road_class.label.zh} / {road_class.label.en}",
            )
        )
    renderer = QgsCategorizedSymbolRenderer("class", categories)
    layer.setRenderer(renderer)
    s = QgsPalLayerSettings()
    s.fieldName = '"name"'
    s.isExpression = True
    s.placement = (
        QgsPalLayerSettings.Curved if hasattr(QgsPalLayerSettings, "Curved") else 3
    )
    s.setFormat(text_format(7.5, color="#444444", buffer=0.8))
    s.scaleVisibility = True
    s.minimumScale = 20000
    s.maximumScale = 1
    layer.setLabeling(QgsVectorLayerSimpleLabeling(s))
    layer.setLabelsEnabled(True)
    save("roads", layer)


def overlays() -> None:
    layer = memory_layer("overlays")
    colours = {
        OverlayKind.POLICE: "#d7301f",
        OverlayKind.SCHOOL: "#238b45",
        OverlayKind.PROPERTY: "#8c6bb1",
        OverlayKind.SANITATION: "#737373",
        OverlayKind.HEALTH: "#e7298a",
        OverlayKind.RESIDENTS_GROUP: "#fd8d3c",
    }
    categories = []
    for kind, colour in colours.items():
        symbol = QgsFillSymbol.createSimple(
            {
                "color": "0,0,0,0",
                "outline_color": colour,
                "outline_width": "0.9",
                "outline_style": "dash",
            }
        )
        categories.append(
            QgsRendererCategory(
                kind.value, symbol, f"{kind.label.zh} / {kind.label.en}"
            )
        )
    layer.setRenderer(QgsCategorizedSymbolRenderer("kind", categories))
    layer.setLabeling(labels('"name"', 8, color="#555555", buffer=0.8))
    layer.setLabelsEnabled(True)
    save("overlays", layer)


def issues() -> None:
    layer = memory_layer("issues")
    categories = []
    for value, colour in (("error", "#e31a1c"), ("warning", "#ff9900")):
        symbol = QgsFillSymbol.createSimple(
            {"color": colour, "outline_color": colour, "outline_width": "0.8"}
        )
        symbol.symbolLayer(0).setDataDefinedProperty(
            QgsFillSymbol.createSimple({}).symbolLayer(0).PropertyFillColor,
            QgsProperty.fromExpression(
                f"color_rgba({QColor(colour).red()}, "
                f"{QColor(colour).green()}, {QColor(colour).blue()}, 90)"
            ),
        )
        categories.append(QgsRendererCategory(value, symbol, value))
    layer.setRenderer(QgsCategorizedSymbolRenderer("severity", categories))
    save("issues", layer)


def main() -> None:
    start_qgis()
    STYLES.mkdir(exist_ok=True)
    for build in (
        streets,
        communities,
        grids,
        buildings,
        facilities,
        roads,
        overlays,
        issues,
    ):
        build()


if __name__ == "__main__":
    main()
