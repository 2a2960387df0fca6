"""Write the default print templates (``styles/*.qpt``) and the board map styles.

The templates are what GridGIS ships; users edit them afterwards in QGIS's layout
designer (Project ▸ Layout Manager ▸ Templates ▸ Add from file). Run this only to reset
them to the defaults:

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/build_templates.py

What the code binds, by item id (see gridgis/qgis/boards.py): ``grid_map`` and
``inset_map`` (layers), every label's ``[% "field" %]`` / ``[% @variable %]``
expressions (the board fields and the ``@gridgis_*`` variables), the pictures whose
source is a field (photos, QR code), and the atlas coverage layer.
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
    QgsFontMarkerSymbolLayer,
    QgsLayoutItem,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutItemShape,
    QgsLayoutMeasurement,
    QgsLayoutObject,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLegendStyle,
    QgsLineSymbol,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsPathResolver,
    QgsPrintLayout,
    QgsProject,
    QgsProperty,
    QgsReadWriteContext,
    QgsRectangle,
    QgsRendererCategory,
    QgsRuleBasedLabeling,
    QgsRuleBasedRenderer,
    QgsScaleBarSettings,
    QgsSimpleLineSymbolLayer,
    QgsSingleSymbolRenderer,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont

from gridgis.qgis.runtime import start_qgis

STYLES = Path(__file__).resolve().parents[1] / "styles"
FONT = "Noto Sans CJK SC"
RED = "#b8281d"
INK = "#222222"
GREY = "#666666"
MM = QgsUnitTypes.LayoutMillimeters
#: Staff slots on the boards; the code finds them by item id.
STAFF_SLOTS = 8

# --------------------------------------------------------------------------------
# Layout items
# --------------------------------------------------------------------------------


def font(size: float, bold: bool = False) -> QFont:
    f = QFont(FONT)
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


def place(layout, item, item_id: str, x: float, y: float, w: float, h: float):
    item.setId(item_id)
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(x, y, MM))
    item.attemptResize(QgsLayoutSize(w, h, MM))
    return item


def label(
    layout,
    item_id: str,
    text: str,
    x: float,
    y: float,
    w: float,
    h: float,
    size: float,
    *,
    bold: bool = False,
    color: str = INK,
    align=Qt.AlignLeft,
    valign=Qt.AlignTop,
    exclude: str | None = None,
) -> QgsLayoutItemLabel:
    item = QgsLayoutItemLabel(layout)
    item.setText(text)
    item.setFont(font(size, bold))
    item.setFontColor(QColor(color))
    item.setHAlign(align)
    item.setVAlign(valign)
    item.setMarginX(0)
    item.setMarginY(0)
    place(layout, item, item_id, x, y, w, h)
    if exclude:
        excluded(item, exclude)
    return item


def excluded(item, expression: str) -> None:
    """Leave ``item`` out of a page when ``expression`` is true."""
    item.dataDefinedProperties().setProperty(
        QgsLayoutObject.ExcludeFromExports, QgsProperty.fromExpression(expression)
    )


def rect(
    layout,
    item_id: str,
    x: float,
    y: float,
    w: float,
    h: float,
    fill: str,
    stroke: str = "0,0,0,0",
    width: float = 0.0,
    style: str = "solid",
) -> QgsLayoutItemShape:
    item = QgsLayoutItemShape(layout)
    item.setShapeType(QgsLayoutItemShape.Rectangle)
    item.setSymbol(
        QgsFillSymbol.createSimple(
            {
                "color": fill,
                "outline_color": stroke,
                "outline_width": str(width),
                "outline_style": style if width else "no",
            }
        )
    )
    return place(layout, item, item_id, x, y, w, h)


def picture(
    layout, item_id: str, x, y, w, h, *, field: str | None = None, path: str = ""
) -> QgsLayoutItemPicture:
    item = QgsLayoutItemPicture(layout)
    item.setMode(QgsLayoutItemPicture.FormatUnknown)
    item.setResizeMode(QgsLayoutItemPicture.Zoom)
    item.setPictureAnchor(QgsLayoutItem.Middle)
    if path:
        item.setPicturePath(path)
    if field:
        item.dataDefinedProperties().setProperty(
            QgsLayoutObject.PictureSource, QgsProperty.fromField(field)
        )
    return place(layout, item, item_id, x, y, w, h)


def map_item(layout, item_id: str, x, y, w, h, *, frame: float = 0.35):
    item = QgsLayoutItemMap(layout)
    item.setFrameEnabled(frame > 0)
    item.setFrameStrokeColor(QColor("#555555"))
    item.setFrameStrokeWidth(QgsLayoutMeasurement(frame, MM))
    item.setBackgroundColor(QColor("#f7f4ee"))
    place(layout, item, item_id, x, y, w, h)
    # An extent of the item's own shape, so that atlas and data-defined extents
    # keep the item's size (GridGIS sets the real extent when it prints).
    item.setExtent(QgsRectangle(0, 0, w * 100, h * 100))
    return item


def inset_map(layout, x, y, w, h):
    """The locator: the grid's community, the grid in red; extent from the fields."""
    inset = map_item(layout, "inset_map", x, y, w, h, frame=0.3)
    inset.setBackgroundColor(QColor("white"))
    for prop, name in (
        (QgsLayoutObject.MapXMin, "inset_xmin"),
        (QgsLayoutObject.MapYMin, "inset_ymin"),
        (QgsLayoutObject.MapXMax, "inset_xmax"),
        (QgsLayoutObject.MapYMax, "inset_ymax"),
    ):
        inset.dataDefinedProperties().setProperty(prop, QgsProperty.fromField(name))
    return inset


def north_arrow(layout, x, y, w, h):
    return picture(
        layout,
        "north_arrow",
        x,
        y,
        w,
        h,
        path=str(STYLES / "board-north-arrow.svg"),
    )


def scale_bar(layout, linked: QgsLayoutItemMap, x, y, *, max_width: float = 45):
    bar = QgsLayoutItemScaleBar(layout)
    bar.setLinkedMap(linked)
    bar.setStyle("Single Box")
    bar.setUnits(QgsUnitTypes.DistanceMeters)
    bar.setUnitLabel("米")
    bar.setNumberOfSegments(2)
    bar.setNumberOfSegmentsLeft(0)
    bar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeFitWidth)
    bar.setMinimumBarWidth(max_width / 2)
    bar.setMaximumBarWidth(max_width)
    bar.setHeight(2.0)
    fmt = QgsTextFormat()
    fmt.setFont(font(8))
    fmt.setSize(8)
    fmt.setColor(QColor(INK))
    bar.setTextFormat(fmt)
    bar.setBackgroundEnabled(True)
    bar.setBackgroundColor(QColor(255, 255, 255, 220))
    place(layout, bar, "scale_bar", x, y, max_width + 10, 9)
    return bar


def new_layout(name: str, width: float, height: float) -> QgsPrintLayout:
    layout = QgsPrintLayout(QgsProject.instance())
    layout.initializeDefaults()
    layout.setName(name)
    page = layout.pageCollection().page(0)
    page.setPageSize(QgsLayoutSize(width, height, MM))
    return layout


def save(layout: QgsPrintLayout, name: str) -> None:
    path = STYLES / f"{name}.qpt"
    context = QgsReadWriteContext()
    # pictures beside the template (the north arrow) are stored relative to it
    context.setPathResolver(QgsPathResolver(str(path)))
    if not layout.saveAsTemplate(str(path), context):
        raise SystemExit(f"could not write {path}")
    print("wrote", path)


# --------------------------------------------------------------------------------
# Grid boards
# --------------------------------------------------------------------------------

STAFF_FIELDS = ("staff_photo", "staff_name", "staff_role", "staff_phone")


def staff_slot(layout, k: int, x, y, *, photo_w, photo_h, text_w, sizes) -> None:
    """Slot ``k`` (1-based) of the staff panel: photo, name, then post and mobile."""
    hide = f'"staff_count" < {k}'
    frame = picture(
        layout, f"staff_photo_{k}", x, y, photo_w, photo_h, field=f"staff_photo_{k}"
    )
    frame.setFrameEnabled(True)
    frame.setFrameStrokeColor(QColor("#bbbbbb"))
    frame.setFrameStrokeWidth(QgsLayoutMeasurement(0.2, MM))
    excluded(frame, hide)
    tx = x + photo_w + 2.5
    name_size, detail_size = sizes
    third = photo_h / 3
    label(
        layout,
        f"staff_name_{k}",
        f'[% "staff_name_{k}" %]',
        tx,
        y + 0.5,
        text_w,
        third,
        name_size,
        bold=True,
        valign=Qt.AlignVCenter,
        exclude=hide,
    )
    label(
        layout,
        f"staff_post_{k}",
        f'[% "staff_role_{k}" %]\n[% "staff_phone_{k}" %]',
        tx,
        y + third + 0.5,
        text_w,
        photo_h - third - 0.5,
        detail_size,
        color=INK,
        valign=Qt.AlignVCenter,
        exclude=hide,
    )


def heading(layout, item_id: str, text: str, x, y, w, size: float) -> list:
    h = size * 0.55
    return [
        label(layout, item_id, text, x, y, w, h, size, bold=True, color=RED),
        rect(layout, f"{item_id}_rule", x, y + h + 0.6, w, 0.5, RED),
    ]


def move_with(item, y_expression: str, offset: float) -> None:
    """Place ``item`` ``offset`` mm below the y given by ``y_expression``."""
    item.dataDefinedProperties().setProperty(
        QgsLayoutObject.PositionY,
        QgsProperty.fromExpression(f"({y_expression}) + {offset:g}"),
    )


def duties(layout, x, w, *, top, row, columns, bottom, sizes) -> None:
    """The duties, right below the staff panel's last used row, down to ``bottom``."""
    rows_used = f'max(1, ceil(min("staff_count", {STAFF_SLOTS}) / {columns}))'
    y = f'{top} + {rows_used} * {row} + if("staff_more" > 0, 6, 0)'
    heading_size, text_size = sizes
    head = heading(layout, "duties_heading", "网格职责", x, 0, w, heading_size)
    move_with(head[0], y, 2)
    move_with(head[1], y, 2 + heading_size * 0.55 + 0.6)
    text_top = 2 + heading_size * 0.55 + 3
    text = label(
        layout, "duties", "[% @gridgis_duties %]", x, 0, w, 20, text_size, color=INK
    )
    move_with(text, y, text_top)
    text.dataDefinedProperties().setProperty(
        QgsLayoutObject.ItemHeight,
        QgsProperty.fromExpression(f"{bottom} - (({y}) + {text_top:g})"),
    )


def board_a3() -> None:
    layout = new_layout("网格公示牌 A3", 420, 297)
    rect(layout, "header", 0, 0, 420, 36, RED)
    label(
        layout,
        "subtitle",
        '[% "street_name" %] · [% "community_name" %] · [% "kind_label" %]',
        14,
        5,
        280,
        9,
        15,
        color="white",
        valign=Qt.AlignVCenter,
    )
    label(
        layout,
        "title",
        '[% "name" %]',
        14,
        14,
        290,
        19,
        36,
        bold=True,
        color="white",
        valign=Qt.AlignVCenter,
    )
    label(
        layout,
        "board_kind",
        "网格公示牌",
        300,
        5,
        106,
        10,
        20,
        bold=True,
        color="white",
        align=Qt.AlignRight,
        valign=Qt.AlignVCenter,
    )
    label(
        layout,
        "grid_code",
        '网格编码 [% "code" %]',
        290,
        19,
        116,
        10,
        14,
        color="white",
        align=Qt.AlignRight,
        valign=Qt.AlignVCenter,
    )
    grid_map = map_item(layout, "grid_map", 14, 44, 250, 210)
    north_arrow(layout, 250, 47, 11, 15)
    scale_bar(layout, grid_map, 17, 243)
    inset_map(layout, 216, 206, 48, 48)

    x0 = 276
    heading(layout, "staff_heading", "网格工作人员", x0, 44, 130, 16)
    for k in range(STAFF_SLOTS):
        col, row = k % 2, k // 2
        staff_slot(
            layout,
            k + 1,
            x0 + col * 66,
            56 + row * 37,
            photo_w=24,
            photo_h=32,
            text_w=37,
            sizes=(15, 10.5),
        )
    label(
        layout,
        "staff_more",
        '另有 [% "staff_more" %] 名工作人员,详见社区公示',
        x0,
        203,
        130,
        5,
        9,
        color=GREY,
        exclude='"staff_more" = 0',
    )
    duties(layout, x0, 130, top=56, row=37, columns=2, bottom=254, sizes=(14, 12))

    rect(layout, "footer", 0, 260, 420, 37, "#f3eee6")
    rect(layout, "footer_rule", 0, 260, 420, 0.8, RED)
    for k, (caption, field, unit) in enumerate(
        (("户数", "households", "户"), ("人口", "population", "人"))
    ):
        x = 14 + k * 58
        label(layout, f"{field}_caption", caption, x, 265, 55, 7, 11, color=GREY)
        label(
            layout,
            field,
            f"[% coalesce(format_number(\"{field}\", 0), '—') %] {unit}",
            x,
            272,
            55,
            16,
            28,
            bold=True,
            valign=Qt.AlignVCenter,
        )
    label(layout, "ab_caption", "AB岗结对网格", 132, 265, 80, 7, 11, color=GREY)
    label(
        layout,
        "ab_partner",
        "[% coalesce(\"ab_partner_name\", '未结对') %]",
        132,
        272,
        85,
        16,
        18,
        bold=True,
        valign=Qt.AlignVCenter,
    )
    label(layout, "hotline_caption", "监督电话", 222, 265, 100, 7, 11, color=GREY)
    label(
        layout,
        "hotline",
        "[% @gridgis_hotline %]",
        222,
        272,
        110,
        16,
        30,
        bold=True,
        color=RED,
        valign=Qt.AlignVCenter,
    )
    qr = picture(layout, "qr_code", 373, 263, 33, 33, field="qr_path")
    excluded(qr, '"qr_path" IS NULL')
    label(
        layout,
        "qr_caption",
        '扫码保存\n网格长[% "leader_name" %]\n的联系方式',
        330,
        267,
        41,
        24,
        10,
        color=GREY,
        align=Qt.AlignRight,
        valign=Qt.AlignVCenter,
        exclude='"qr_path" IS NULL',
    )
    label(
        layout,
        "qr_missing",
        "本网格暂未配备网格长\n请联系社区或拨打监督电话",
        330,
        266,
        76,
        26,
        11,
        bold=True,
        color=RED,
        align=Qt.AlignRight,
        valign=Qt.AlignVCenter,
        exclude='"qr_path" IS NOT NULL',
    )
    save(layout, "board-a3")


def board_a4() -> None:
    layout = new_layout("网格公示牌 A4", 210, 297)
    rect(layout, "header", 0, 0, 210, 30, RED)
    label(
        layout,
        "subtitle",
        '[% "street_name" %] · [% "community_name" %] · [% "kind_label" %]',
        10,
        4,
        130,
        7,
        11,
        color="white",
        valign=Qt.AlignVCenter,
    )
    label(
        layout,
        "title",
        '[% "name" %]',
        10,
        12,
        135,
        15,
        26,
        bold=True,
        color="white",
        valign=Qt.AlignVCenter,
    )
    label(
        layout,
        "board_kind",
        "网格公示牌",
        145,
        4,
        55,
        8,
        15,
        bold=True,
        color="white",
        align=Qt.AlignRight,
        valign=Qt.AlignVCenter,
    )
    label(
        layout,
        "grid_code",
        '网格编码\n[% "code" %]',
        145,
        14,
        55,
        12,
        9.5,
        color="white",
        align=Qt.AlignRight,
        valign=Qt.AlignVCenter,
    )
    grid_map = map_item(layout, "grid_map", 10, 35, 190, 115)
    north_arrow(layout, 188, 38, 9, 12)
    scale_bar(layout, grid_map, 12.5, 140, max_width=35)
    inset_map(layout, 163, 114, 37, 36)

    heading(layout, "staff_heading", "网格工作人员", 10, 155, 190, 13)
    for k in range(STAFF_SLOTS):
        col, row = k % 4, k // 4
        staff_slot(
            layout,
            k + 1,
            10 + col * 48,
            165 + row * 31,
            photo_w=21,
            photo_h=28,
            text_w=23.5,
            sizes=(11.5, 7.5),
        )
    label(
        layout,
        "staff_more",
        '另有 [% "staff_more" %] 名工作人员,详见社区公示',
        10,
        226,
        190,
        4,
        7,
        color=GREY,
        exclude='"staff_more" = 0',
    )
    duties(layout, 10, 145, top=165, row=31, columns=4, bottom=266, sizes=(11, 9))
    qr = picture(layout, "qr_code", 171, 234, 29, 29, field="qr_path")
    excluded(qr, '"qr_path" IS NULL')
    label(
        layout,
        "qr_caption",
        '扫码保存网格长\n[% "leader_name" %]的联系方式',
        160,
        263.5,
        40,
        6,
        6.5,
        color=GREY,
        align=Qt.AlignRight,
        exclude='"qr_path" IS NULL',
    )
    label(
        layout,
        "qr_missing",
        "本网格暂未配备网格长\n请联系社区或\n拨打监督电话",
        158,
        236,
        42,
        26,
        9,
        bold=True,
        color=RED,
        align=Qt.AlignRight,
        valign=Qt.AlignVCenter,
        exclude='"qr_path" IS NOT NULL',
    )

    rect(layout, "footer", 0, 271, 210, 26, "#f3eee6")
    rect(layout, "footer_rule", 0, 271, 210, 0.6, RED)
    for k, (caption, field, unit) in enumerate(
        (("户数", "households", "户"), ("人口", "population", "人"))
    ):
        x = 10 + k * 36
        label(layout, f"{field}_caption", caption, x, 274, 34, 5, 8, color=GREY)
        label(
            layout,
            field,
            f"[% coalesce(format_number(\"{field}\", 0), '—') %] {unit}",
            x,
            279,
            34,
            12,
            17,
            bold=True,
            valign=Qt.AlignVCenter,
        )
    label(layout, "ab_caption", "AB岗结对网格", 82, 274, 50, 5, 8, color=GREY)
    label(
        layout,
        "ab_partner",
        "[% coalesce(\"ab_partner_name\", '未结对') %]",
        82,
        279,
        50,
        12,
        12,
        bold=True,
        valign=Qt.AlignVCenter,
    )
    label(
        layout,
        "hotline_caption",
        "监督电话",
        135,
        274,
        65,
        5,
        8,
        color=GREY,
        align=Qt.AlignRight,
    )
    label(
        layout,
        "hotline",
        "[% @gridgis_hotline %]",
        135,
        279,
        65,
        12,
        20,
        bold=True,
        color=RED,
        align=Qt.AlignRight,
        valign=Qt.AlignVCenter,
    )
    save(layout, "board-a4")


# --------------------------------------------------------------------------------
# Service card: one business card (90 × 54 mm); the code puts ten on an A4 sheet
# --------------------------------------------------------------------------------


def service_card() -> None:
    layout = new_layout("便民服务卡", 90, 54)
    rect(layout, "card_band", 0, 0, 90, 12.5, RED)
    label(
        layout,
        "card_title",
        "便民服务卡",
        3.5,
        1.3,
        40,
        5,
        10,
        bold=True,
        color="white",
        valign=Qt.AlignVCenter,
    )
    label(
        layout,
        "card_code",
        '[% "code" %]',
        45,
        1.3,
        41.5,
        5,
        6,
        color="white",
        align=Qt.AlignRight,
        valign=Qt.AlignVCenter,
    )
    label(
        layout,
        "card_grid",
        '[% "community_name" %] · [% "name" %]',
        3.5,
        6.5,
        83,
        5,
        7.5,
        color="white",
        valign=Qt.AlignVCenter,
    )
    label(
        layout,
        "card_contacts",
        '[% "card_contacts" %]',
        3.5,
        14.5,
        58,
        9.5,
        7,
        bold=True,
        valign=Qt.AlignVCenter,
    )
    rect(layout, "card_rule", 3.5, 24.8, 58, 0.25, "#cccccc")
    label(
        layout,
        "card_services",
        "[% @gridgis_services %]",
        3.5,
        26,
        58,
        21.5,
        6.3,
        color=INK,
    )
    label(
        layout,
        "card_hotline",
        "监督电话 [% @gridgis_hotline %]",
        3.5,
        48,
        58,
        4.5,
        7.5,
        bold=True,
        color=RED,
        valign=Qt.AlignVCenter,
    )
    qr = picture(layout, "qr_code", 64, 15, 23, 23, field="qr_path")
    excluded(qr, '"qr_path" IS NULL')
    label(
        layout,
        "qr_caption",
        "扫码保存\n网格长电话",
        63,
        38.5,
        25,
        6,
        5.5,
        color=GREY,
        align=Qt.AlignHCenter,
        exclude='"qr_path" IS NULL',
    )
    label(
        layout,
        "qr_missing",
        "暂未配备\n网格长",
        63,
        18,
        25,
        12,
        7,
        bold=True,
        color=RED,
        align=Qt.AlignHCenter,
        valign=Qt.AlignVCenter,
        exclude='"qr_path" IS NOT NULL',
    )
    rect(layout, "card_cut", 0, 0, 90, 54, "0,0,0,0", "#9a9a9a", 0.1, "dash")
    save(layout, "service-card")


# --------------------------------------------------------------------------------
# Overview maps: the street map marked to every community, the community map marked
# to every grid
# --------------------------------------------------------------------------------


def overview(name: str, title: str, subtitle: str, stats: str) -> None:
    layout = new_layout(title.replace('[% "name" %]', ""), 420, 297)
    rect(layout, "header", 0, 0, 420, 30, RED)
    label(
        layout,
        "title",
        title,
        14,
        4,
        300,
        15,
        28,
        bold=True,
        color="white",
        valign=Qt.AlignVCenter,
    )
    label(
        layout,
        "subtitle",
        subtitle,
        14,
        19,
        300,
        8,
        13,
        color="white",
        valign=Qt.AlignVCenter,
    )
    overview_map = map_item(layout, "overview_map", 14, 38, 304, 248)
    north_arrow(layout, 303, 41, 11, 15)
    scale_bar(layout, overview_map, 17, 275, max_width=60)
    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("图例")
    legend.setLinkedMap(overview_map)
    legend.setAutoUpdateModel(False)
    for style, size, bold in (
        (QgsLegendStyle.Title, 14, True),
        (QgsLegendStyle.Group, 11, True),
        (QgsLegendStyle.Subgroup, 10, True),
        (QgsLegendStyle.SymbolLabel, 9.5, False),
    ):
        legend.setStyleFont(style, font(size, bold))
    legend.setBackgroundEnabled(False)
    legend.setResizeToContents(False)
    place(layout, legend, "legend", 326, 38, 82, 130)
    heading(layout, "stats_heading", "统计", 326, 172, 82, 14)
    label(layout, "stats", stats, 326, 183, 82, 70, 11, color=INK)
    label(
        layout,
        "bands",
        "户数范围:[% @gridgis_bands %]",
        326,
        256,
        82,
        20,
        9,
        color=GREY,
    )
    label(
        layout,
        "hotline",
        "监督电话 [% @gridgis_hotline %]",
        326,
        278,
        82,
        8,
        12,
        bold=True,
        color=RED,
        valign=Qt.AlignVCenter,
    )
    save(layout, name)


GRID_STATS = (
    '网格 [% "grid_count" %] 个\n'
    '户数 [% format_number("households", 0) %] 户\n'
    '人口 [% format_number("population", 0) %] 人\n'
    '在范围内 [% "grids_in" %] 个\n'
    '户数不足 [% "grids_under" %] 个\n'
    '户数超限 [% "grids_over" %] 个\n'
    '未配网格长 [% "grids_without_leader" %] 个'
)


def overviews() -> None:
    overview(
        "overview-community",
        '[% "name" %]网格划分图',
        '[% "street_name" %] · 社区编码 [% "code" %] · 责任网格分布与户数状态',
        GRID_STATS,
    )
    overview(
        "overview-street",
        '[% "name" %]社区网格图',
        '街道编码 [% "code" %] · [% "community_count" %] 个社区 · 责任网格分布与户数状态',
        GRID_STATS,
    )


# --------------------------------------------------------------------------------
# Board map styles: the grid highlighted, its neighbours faded
# --------------------------------------------------------------------------------

#: The grid whose board is being printed.
CURRENT = "\"code\" = attribute(@atlas_feature, 'code')"
IN_CURRENT = "\"grid_code\" = attribute(@atlas_feature, 'code')"


def text_format(size: float, color: str, bold: bool = False) -> QgsTextFormat:
    fmt = QgsTextFormat()
    fmt.setFont(font(size, bold))
    fmt.setSize(size)
    fmt.setColor(QColor(color))
    return fmt


def memory_layer(geometry: str, fields: str) -> QgsVectorLayer:
    return QgsVectorLayer(f"{geometry}?crs=EPSG:4549&{fields}", "board", "memory")


def save_style(layer: QgsVectorLayer, name: str) -> None:
    path = STYLES / f"{name}.qml"
    message, ok = layer.saveNamedStyle(str(path))
    if not ok:
        raise SystemExit(f"could not write {path}: {message}")
    print("wrote", path)


def rule_labels(*rules: tuple[str, QgsPalLayerSettings]) -> QgsRuleBasedLabeling:
    root = QgsRuleBasedLabeling.Rule(None)
    for expression, settings in rules:
        root.appendChild(QgsRuleBasedLabeling.Rule(settings, 0, 0, expression))
    return QgsRuleBasedLabeling(root)


def pal(expression: str, fmt: QgsTextFormat, placement: int) -> QgsPalLayerSettings:
    s = QgsPalLayerSettings()
    s.fieldName = expression
    s.isExpression = True
    s.placement = placement
    s.setFormat(fmt)
    return s


def board_grids() -> None:
    """Over the map: neighbours faded under a white veil and named; the grid's edge."""
    layer = memory_layer("Polygon", "field=code:string&field=name:string")
    root = QgsRuleBasedRenderer.Rule(None)
    others = QgsFillSymbol.createSimple(
        {
            "color": "255,255,255,140",
            "outline_color": "#8a8a8a",
            "outline_width": "0.3",
        }
    )
    root.appendChild(QgsRuleBasedRenderer.Rule(others, 0, 0, f"NOT ({CURRENT})"))
    edge = QgsFillSymbol.createSimple(
        {
            "color": "0,0,0,0",
            "outline_color": RED,
            "outline_width": "1.0",
            "outline_style": "dash",
        }
    )
    root.appendChild(QgsRuleBasedRenderer.Rule(edge, 0, 0, CURRENT))
    layer.setRenderer(QgsRuleBasedRenderer(root))
    neighbour = pal('"name"', text_format(9, "#7a7a7a"), QgsPalLayerSettings.OverPoint)
    neighbour.fitInPolygonOnly = True
    layer.setLabeling(rule_labels((f"NOT ({CURRENT})", neighbour)))
    layer.setLabelsEnabled(True)
    save_style(layer, "board-grids")


def board_grid_fill() -> None:
    """Below the map: the grid's area tinted."""
    layer = memory_layer("Polygon", "field=code:string")
    root = QgsRuleBasedRenderer.Rule(None)
    tint = QgsFillSymbol.createSimple(
        {"color": "#fdf0d5", "outline_style": "no", "outline_color": "0,0,0,0"}
    )
    root.appendChild(QgsRuleBasedRenderer.Rule(tint, 0, 0, CURRENT))
    layer.setRenderer(QgsRuleBasedRenderer(root))
    save_style(layer, "board-grid-fill")


def board_buildings() -> None:
    layer = memory_layer("Polygon", "field=number:string&field=grid_code:string")
    symbol = QgsFillSymbol.createSimple(
        {"color": "#e6cfa8", "outline_color": "#a4814f", "outline_width": "0.15"}
    )
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    layer.setLabeling(
        rule_labels(
            (
                IN_CURRENT,
                pal(
                    '"number"',
                    text_format(8.5, "#5a4025"),
                    QgsPalLayerSettings.OverPoint,
                ),
            )
        )
    )
    layer.setLabelsEnabled(True)
    save_style(layer, "board-buildings")


def board_roads() -> None:
    """Roads wide enough to read at board scale, named along the line."""
    layer = memory_layer("LineString", "field=name:string&field=class:string")
    widths = {
        "arterial": (4.2, "#f6d67a"),
        "secondary": (3.2, "#ffffff"),
        "local": (2.6, "#ffffff"),
        "alley": (1.4, "#ffffff"),
    }
    categories = []
    for road_class, (width, colour) in widths.items():
        symbol = QgsLineSymbol.createSimple(
            {
                "line_color": "#a9a39a",
                "line_width": str(width + 0.6),
                "capstyle": "round",
                "joinstyle": "round",
            }
        )
        inner = QgsSimpleLineSymbolLayer(QColor(colour), width)
        inner.setPenCapStyle(Qt.RoundCap)
        inner.setPenJoinStyle(Qt.RoundJoin)
        symbol.appendSymbolLayer(inner)
        categories.append(QgsRendererCategory(road_class, symbol, road_class))
    renderer = QgsCategorizedSymbolRenderer("class", categories)
    renderer.setUsingSymbolLevels(True)
    layer.setRenderer(renderer)
    s = pal('"name"', text_format(8.5, "#333333"), QgsPalLayerSettings.Line)
    s.placementFlags = QgsPalLayerSettings.OnLine
    s.repeatDistance = 0
    layer.setLabeling(QgsVectorLayerSimpleLabeling(s))
    layer.setLabelsEnabled(True)
    save_style(layer, "board-roads")


#: Facility symbols on boards: a coloured disc with one character a reader knows.
FACILITY_MARKS = {
    "school": ("学", "#1b6ac9"),
    "kindergarten": ("幼", "#4fa3e0"),
    "hospital": ("医", "#d7191c"),
    "clinic": ("卫", "#e8555a"),
    "market": ("市", "#d98a00"),
    "police": ("警", "#1d3f8f"),
    "park": ("园", "#2e8b3a"),
    "service_station": ("服", "#7b3294"),
    "elderly_care": ("养", "#a0522d"),
    "fire": ("消", "#e34a33"),
}


def board_facilities() -> None:
    """Facilities as lettered discs (学 医 警 …), named inside the grid."""
    layer = memory_layer(
        "Point", "field=name:string&field=category:string&field=grid_code:string"
    )
    categories = []
    for category, (character, colour) in FACILITY_MARKS.items():
        symbol = QgsMarkerSymbol.createSimple(
            {
                "name": "circle",
                "color": colour,
                "outline_color": "white",
                "outline_width": "0.35",
                "size": "5.0",
            }
        )
        mark = QgsFontMarkerSymbolLayer(FONT, character, 3.4, QColor("white"))
        mark.setFontStyle("Bold")
        symbol.appendSymbolLayer(mark)
        categories.append(QgsRendererCategory(category, symbol, character))
    layer.setRenderer(QgsCategorizedSymbolRenderer("category", categories))
    s = pal(
        '"name"',
        text_format(7.5, "#333333"),
        QgsPalLayerSettings.OrderedPositionsAroundPoint,
    )
    s.dist = 1.2
    layer.setLabeling(rule_labels((IN_CURRENT, s)))
    layer.setLabelsEnabled(True)
    save_style(layer, "board-facilities")


def board_inset() -> None:
    layer = memory_layer("Polygon", "field=code:string")
    root = QgsRuleBasedRenderer.Rule(None)
    root.appendChild(
        QgsRuleBasedRenderer.Rule(
            QgsFillSymbol.createSimple(
                {
                    "color": "#ece8e0",
                    "outline_color": "#9a9a9a",
                    "outline_width": "0.15",
                }
            ),
            0,
            0,
            f"NOT ({CURRENT})",
        )
    )
    root.appendChild(
        QgsRuleBasedRenderer.Rule(
            QgsFillSymbol.createSimple(
                {"color": RED, "outline_color": RED, "outline_width": "0.2"}
            ),
            0,
            0,
            CURRENT,
        )
    )
    layer.setRenderer(QgsRuleBasedRenderer(root))
    save_style(layer, "board-inset-grids")
    outline = memory_layer("Polygon", "field=code:string")
    outline.setRenderer(
        QgsSingleSymbolRenderer(
            QgsFillSymbol.createSimple(
                {"color": "0,0,0,0", "outline_color": "#1f4e9c", "outline_width": "0.4"}
            )
        )
    )
    save_style(outline, "board-inset-communities")


def main() -> None:
    start_qgis()
    STYLES.mkdir(exist_ok=True)
    for build in (
        board_grids,
        board_grid_fill,
        board_buildings,
        board_roads,
        board_facilities,
        board_inset,
        board_a3,
        board_a4,
        service_card,
        overviews,
    ):
        build()


if __name__ == "__main__":
    main()
