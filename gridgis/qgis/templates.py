"""Print templates (``styles/*.qpt``): finding, loading, and keeping their text inside.

Templates are data: QGIS print layouts saved as templates, editable in QGIS's layout
designer. GridGIS binds them by item id and by the expressions in their labels; it never
draws their content itself. This module loads a template into a layout, repeats a card
template over a sheet, and shrinks a label's font on the pages where its text would not
fit (long grid names, long names in the staff panel), so nothing is ever clipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from qgis.core import (
    NULL,
    QgsFeature,
    QgsFeatureRequest,
    QgsLayout,
    QgsLayoutItem,
    QgsLayoutItemLabel,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemPolygon,
    QgsLayoutItemPolyline,
    QgsLayoutItemScaleBar,
    QgsLayoutItemShape,
    QgsLayoutObject,
    QgsLayoutPoint,
    QgsPathResolver,
    QgsPrintLayout,
    QgsProject,
    QgsProperty,
    QgsReadWriteContext,
    QgsRectangle,
    QgsUnitTypes,
)
from qgis.PyQt.QtCore import QRectF, Qt
from qgis.PyQt.QtGui import QFont, QFontDatabase, QFontMetricsF
from qgis.PyQt.QtXml import QDomDocument

from gridgis.core.errors import GridGisError
from gridgis.qgis.layers import STYLES_DIR

#: The CJK font every template uses; it must be installed (``fonts-noto-cjk``).
CJK_FONT = "Noto Sans CJK SC"

#: Board templates shipped with GridGIS (``--template NAME``).
BOARD_TEMPLATES = ("board-a3", "board-a4")

MM = QgsUnitTypes.LayoutMillimeters


class TemplateError(GridGisError):
    """A print template is missing, unreadable or lacks an item GridGIS binds."""


def template_names() -> list[str]:
    """The names of the templates in ``styles/``."""
    return sorted(p.stem for p in STYLES_DIR.glob("*.qpt"))


def template_path(name: str | Path) -> Path:
    """The ``.qpt`` file of template ``name`` (a name in ``styles/`` or a path)."""
    path = Path(name)
    if path.suffix.lower() == ".qpt" and path.exists():
        return path
    candidate = STYLES_DIR / f"{name}.qpt"
    if candidate.exists():
        return candidate
    names = ", ".join(template_names())
    raise TemplateError(
        f"There is no print template '{name}'. Use one of: {names}, or the path of a "
        ".qpt file saved from QGIS's layout designer.",
        f"没有名为“{name}”的打印模板。可用模板:{names};也可以指定在 QGIS 布局"
        "设计器中保存的 .qpt 文件路径。",
    )


def check_font() -> None:
    """Refuse to print without the CJK font: Chinese would come out as boxes."""
    if CJK_FONT not in QFontDatabase().families():
        raise TemplateError(
            f"The font '{CJK_FONT}' is not installed, so Chinese text would print as "
            "boxes. Install it (Debian/Ubuntu: apt-get install fonts-noto-cjk).",
            f"未安装字体“{CJK_FONT}”,中文将无法正确显示。请先安装"
            "(Debian/Ubuntu:apt-get install fonts-noto-cjk)。",
        )


def load_template(name: str | Path, project: QgsProject) -> QgsPrintLayout:
    """A print layout of ``project`` made from template ``name``."""
    path = template_path(name)
    document = QDomDocument()
    ok = document.setContent(path.read_text(encoding="utf-8"))
    ok = ok[0] if isinstance(ok, tuple) else ok
    layout = QgsPrintLayout(project)
    if not ok:
        raise TemplateError(
            f"{path} is not a readable QGIS print template; save it again from the "
            "layout designer.",
            f"{path} 不是可读取的 QGIS 打印模板;请在布局设计器中重新保存。",
        )
    context = QgsReadWriteContext()
    # pictures beside the template (the north arrow) are stored relative to it
    context.setPathResolver(QgsPathResolver(str(path)))
    _, loaded = layout.loadFromTemplate(document, context)
    if not loaded:
        raise TemplateError(
            f"QGIS could not load the print template {path}.",
            f"QGIS 无法加载打印模板 {path}。",
        )
    layout.setName(path.stem)
    return layout


def item(layout: QgsLayout, item_id: str, kind: type | None = None) -> QgsLayoutItem:
    """The item with id ``item_id``; :class:`TemplateError` if the template lacks it."""
    found = layout.itemById(item_id)
    if found is None or (kind is not None and not isinstance(found, kind)):
        raise TemplateError(
            f"The print template '{layout.name()}' has no "
            f"{kind.__name__ if kind else 'item'} with the id '{item_id}'; "
            "restore it in the layout designer (Item Properties ▸ Item ID).",
            f"打印模板“{layout.name()}”中缺少 ID 为“{item_id}”的元素;"
            "请在布局设计器中恢复(元素属性 ▸ 元素 ID)。",
        )
    return found


def numbered_ids(layout: QgsLayout, prefix: str) -> int:
    """How many items ``prefix_1``, ``prefix_2``, … the template has, in a row."""
    count = 0
    while layout.itemById(f"{prefix}_{count + 1}") is not None:
        count += 1
    return count


def tile(
    card: QgsLayout,
    project: QgsProject,
    *,
    page: str = "A4",
    columns: int = 2,
    rows: int = 5,
) -> QgsPrintLayout:
    """A sheet layout with ``columns × rows`` copies of the one-card layout ``card``.

    The card template is one card on a page of the card's size; the sheet centres the
    copies on the page so that cutting along the cards' edges gives the cards.
    """
    size = card.pageCollection().page(0).pageSize()
    width = size.width()
    height = size.height()
    sheet = QgsPrintLayout(project)
    sheet.initializeDefaults()
    sheet.setName(card.name())
    sheet_page = sheet.pageCollection().page(0)
    sheet_page.setPageSize(page, QgsLayoutItemPage.Portrait)
    page_size = sheet_page.pageSize()
    margin_x = (page_size.width() - columns * width) / 2
    margin_y = (page_size.height() - rows * height) / 2
    if margin_x < 0 or margin_y < 0:
        raise TemplateError(
            f"{columns} × {rows} cards of {width:g} × {height:g} mm do not fit on {page}.",
            f"{columns} × {rows} 张 {width:g} × {height:g} 毫米的卡片放不下 {page} 纸。",
        )
    document = QDomDocument()
    element = document.createElement("Items")
    context = QgsReadWriteContext()
    for child in card.items():
        if isinstance(child, QgsLayoutItem) and not isinstance(
            child, QgsLayoutItemPage
        ):
            child.writeXml(element, document, context)
    document.appendChild(element)
    for row in range(rows):
        for column in range(columns):
            dx = margin_x + column * width
            dy = margin_y + row * height
            for copy in sheet.addItemsFromXml(element, document, context):
                at = copy.positionWithUnits()
                copy.attemptMove(QgsLayoutPoint(at.x() + dx, at.y() + dy, MM))
    sheet.setCustomProperty("gridgis/card-size", f"{width}x{height}")
    return sheet


_EXPRESSION = re.compile(r"\[%(.*?)%\]", re.S)
_FIELD = re.compile(r'^\s*"([^"]+)"\s*$')


def _field_parts(text: str) -> list[tuple[str, str]] | None:
    """A label text whose expressions are all plain fields, as (literal, field) parts.

    ``None`` when an expression does more than name a field (it is left to QGIS).

    >>> _field_parts('[% "street_name" %] · [% "name" %]')
    [('', 'street_name'), (' · ', 'name'), ('', '')]
    >>> _field_parts('[% coalesce("name", "code") %]') is None
    True
    """
    parts, position = [], 0
    for match in _EXPRESSION.finditer(text):
        field = _FIELD.match(match.group(1))
        if field is None:
            return None
        parts.append((text[position : match.start()], field.group(1)))
        position = match.end()
    parts.append((text[position:], ""))
    return parts


def _text(value: object) -> str:
    return "" if value is None or value == NULL else str(value)


def _page_independent(text: str) -> bool:
    """Whether a label's expressions use only variables, not the page's feature."""
    return all(
        not re.search(r'"|\$|@atlas|attribute\s*\(', expression)
        for expression in re.findall(r"\[%(.*?)%\]", text, flags=re.S)
    )


class TextFitter:
    """Shrinks labels whose text would overflow their box, page by page.

    A template fixes each label's font size for a typical text; a long grid name or a
    long personal name would be clipped at that size. Connected to an atlas, the fitter
    measures every label holding an expression after each page's feature is set and
    gives it the largest size (at most the template's, at least ``minimum`` of it) at
    which its text fits the box, wrapped as the label wraps it.
    """

    #: Points to millimetres, and the scale QGIS uses when it draws layout text.
    _PT_MM = 0.352777778
    _SCALE = 10.0

    def __init__(self, labels: Iterable[QgsLayoutItemLabel], minimum: float = 0.4):
        self.labels = [
            (label, QFont(label.font()), _field_parts(label.text()))
            for label in labels
            if "[%" in label.text()
        ]
        self.minimum = minimum
        #: label → (text, box height) it was last fitted for
        self._last: dict[int, tuple[str, float]] = {}
        #: texts of labels that only use variables: the same on every page
        self._constant: dict[int, str] = {}

    @classmethod
    def for_layout(cls, layout: QgsLayout) -> TextFitter:
        """A fitter for every expression label of ``layout``."""
        return cls(i for i in layout.items() if isinstance(i, QgsLayoutItemLabel))

    def _scaled(self, font: QFont, points: float) -> QFont:
        scaled = QFont(font)
        scaled.setPixelSize(int(points * self._PT_MM * self._SCALE + 0.5))
        return scaled

    def fits(self, label: QgsLayoutItemLabel, text: str, points: float) -> bool:
        """Whether ``text`` fits ``label``'s box at ``points``."""
        font = self._scaled(label.font(), points)
        rect = label.rect()
        width = (rect.width() - 2 * label.marginX()) * self._SCALE
        height = (rect.height() - 2 * label.marginY()) * self._SCALE
        em = font.pixelSize()
        lines = text.split("\n")
        if (
            max(len(line) for line in lines) * em <= width * 0.95
            and len(lines) * 1.5 * em <= height * 0.95
        ):
            return True  # no glyph is wider than an em: it fits without measuring
        metrics = QFontMetricsF(font)
        box = metrics.boundingRect(
            QRectF(0, 0, width, height * 100),
            int(Qt.TextWordWrap | label.hAlign()),
            text,
        )
        return box.width() <= width * 1.001 and box.height() <= height * 0.98

    def fit(self, feature: QgsFeature | None = None) -> None:
        """Fit every label to the current page's text (call after each page change).

        ``feature`` is the page's atlas feature; labels that only interpolate fields
        take their text from it instead of evaluating their expressions.
        """
        for label, template_font, parts in self.labels:
            key = id(label)
            if parts is not None and feature is not None:
                text = "".join(
                    literal + (_text(feature[name]) if name else "")
                    for literal, name in parts
                )
            elif key in self._constant:
                text = self._constant[key]
            else:
                text = label.currentText()
                if _page_independent(label.text()):
                    self._constant[key] = text
            state = (text, label.rect().height())
            if self._last.get(key) == state:
                continue
            points = template_font.pointSizeF()
            size = points
            floor = points * self.minimum
            while size > floor and not self.fits(label, text, size):
                size *= 0.93
            size = max(size, floor)
            self._last[key] = state
            if abs(label.font().pointSizeF() - size) > 1e-6:
                font = QFont(template_font)
                font.setPointSizeF(size)
                label.setFont(font)

    def size_of(self, label_id: str) -> float | None:
        """The size the label ``label_id`` got for the current page (for tests)."""
        for label, _, _ in self.labels:
            if label.id() == label_id:
                return label.font().pointSizeF()
        return None


#: Data-defined map extent properties: evaluating one evaluates all four.
_EXTENT_KEYS = (
    QgsLayoutObject.MapXMin,
    QgsLayoutObject.MapYMin,
    QgsLayoutObject.MapXMax,
    QgsLayoutObject.MapYMax,
)
#: Item types whose content follows the page without a refresh: a label evaluates
#: its expressions when it is drawn; shapes, pictures with a fixed file, scale bars
#: (which follow their map) and pages hold nothing that depends on the page.
_PAGE_INDEPENDENT = (
    QgsLayoutItemLabel,
    QgsLayoutItemShape,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutItemPage,
    QgsLayoutItemPolyline,
    QgsLayoutItemPolygon,
)


class AtlasPages:
    """Steps a layout's atlas page by page, refreshing only what depends on the page.

    QGIS's own atlas refreshes every item of the layout for every page, and each
    refresh builds several expression contexts (each reading the QGIS settings from
    disk): a board of some sixty items spends more time there than drawing. This
    driver sets the page's feature for the layout's expressions and then updates only
    the properties that depend on it: data-defined properties that are active,
    pictures whose file is data-defined, atlas-driven map extents, and items of kinds
    it does not know (legends, tables), which it refreshes whole.

    Expressions see the page through ``@atlas_feature``, ``@atlas_featureid``,
    ``@atlas_geometry`` and the coverage layer's fields; ``@atlas_featurenumber``
    and ``@atlas_pagename`` are not updated (use fields of the coverage layer).
    "Exclude from exports" expressions are evaluated in the layout's context (without
    the item's own variables) and hide the item for that page.
    """

    def __init__(self, layout: QgsLayout) -> None:
        self.layout = layout
        self.atlas = layout.atlas()
        coverage = self.atlas.coverageLayer()
        if coverage is None:
            raise TemplateError(
                f"The layout '{layout.name()}' has no atlas coverage layer.",
                f"布局“{layout.name()}”没有设置图集覆盖图层。",
            )
        request = QgsFeatureRequest()
        if self.atlas.filterFeatures() and self.atlas.filterExpression():
            request.setFilterExpression(self.atlas.filterExpression())
        if self.atlas.sortFeatures() and self.atlas.sortExpression():
            request.addOrderBy(self.atlas.sortExpression(), self.atlas.sortAscending())
        self.features = list(coverage.getFeatures(request))
        #: (item, update): updates of hidden items are skipped for the page.
        self._actions: list[tuple[QgsLayoutItem | None, Callable[[], None]]] = []
        self._maps: list[QgsLayoutItemMap] = []
        self._shown_when: list[tuple[QgsLayoutItem, QgsProperty]] = []
        self._visible: dict[QgsLayoutItem, bool] = {}
        self._prepared = False
        for child in layout.items():
            if isinstance(child, QgsLayoutItem):
                self._plan(child)

    def _plan(self, child: QgsLayoutItem) -> None:
        properties = child.dataDefinedProperties()
        active = [k for k in properties.propertyKeys() if properties.isActive(k)]
        if isinstance(child, QgsLayoutItemMap):
            if child.atlasDriven():
                self._maps.append(child)
            if any(k in _EXTENT_KEYS for k in active):
                self._actions.append(
                    (
                        child,
                        lambda m=child: m.refreshDataDefinedProperty(
                            QgsLayoutObject.MapXMin
                        ),
                    )
                )
            active = [k for k in active if k not in _EXTENT_KEYS]
        elif isinstance(child, QgsLayoutItemPicture):
            if QgsLayoutObject.PictureSource in active:
                self._actions.append((child, child.refreshPicture))
                active.remove(QgsLayoutObject.PictureSource)
        elif not isinstance(child, _PAGE_INDEPENDENT):
            self._actions.append((None, child.refresh))
            return
        if QgsLayoutObject.ExcludeFromExports in active:
            # Evaluated once per page for all such items, then shown or hidden.
            self._shown_when.append(
                (child, properties.property(QgsLayoutObject.ExcludeFromExports))
            )
            active.remove(QgsLayoutObject.ExcludeFromExports)
        for key in active:
            self._actions.append(
                (None, lambda c=child, k=key: c.refreshDataDefinedProperty(k))
            )

    def __len__(self) -> int:
        return len(self.features)

    def begin(self) -> None:
        """Start paging (the atlas provides the coverage fields to expressions)."""
        self._visible = {item: item.isVisible() for item, _ in self._shown_when}
        self.atlas.beginRender()

    def end(self) -> None:
        """Finish paging; items hidden for a page are shown again."""
        self.atlas.endRender()
        for item, visible in self._visible.items():
            item.setVisibility(visible)

    def seek(self, index: int) -> QgsFeature:
        """Show page ``index`` (0-based, in atlas order)."""
        feature = self.features[index]
        context = self.layout.reportContext()
        context.blockSignals(True)
        context.setFeature(feature)
        context.blockSignals(False)
        for map_item in self._maps:
            self._follow(map_item, feature)
        if self._shown_when:
            # One expression context for every "exclude from exports" of the page;
            # QGIS would build one per item (each reading the settings from disk).
            page = self.layout.createExpressionContext()
            if not self._prepared:
                # A property evaluated unprepared fails once (and falls back to "not
                # excluded"): the first page would show the frames of empty slots.
                for _, excluded in self._shown_when:
                    excluded.prepare(page)
                self._prepared = True
            for item, excluded in self._shown_when:
                hidden, _ = excluded.valueAsBool(page, False)
                item.setVisibility(self._visible.get(item, True) and not hidden)
        for item, action in self._actions:
            if item is None or item.isVisible():
                action()
        return feature

    @staticmethod
    def _follow(map_item: QgsLayoutItemMap, feature: QgsFeature) -> None:
        """Frame ``feature`` in an atlas-driven map (QGIS's "margin around feature")."""
        box = feature.geometry().boundingBox()
        if map_item.atlasScalingMode() == QgsLayoutItemMap.Fixed:
            current = map_item.extent()
            center = box.center()
            half_w, half_h = current.width() / 2, current.height() / 2
            map_item.setExtent(
                QgsRectangle(
                    center.x() - half_w,
                    center.y() - half_h,
                    center.x() + half_w,
                    center.y() + half_h,
                )
            )
            return
        margin = map_item.atlasMargin()
        if box.width() == 0 and box.height() == 0:
            box.grow(50)
        grown = QgsRectangle(
            box.xMinimum() - margin * box.width(),
            box.yMinimum() - margin * box.height(),
            box.xMaximum() + margin * box.width(),
            box.yMaximum() + margin * box.height(),
        )
        map_item.zoomToExtent(grown)
