"""Grid boards, service cards and overview maps as print-ready PDFs.

One call prints a whole street, community or project:

- **grid boards** (网格公示牌): an atlas over the grids on a board template
  (``board-a3``, ``board-a4`` or a user's ``.qpt``): one PDF per grid and one combined
  PDF, optionally a PNG per grid for sharing;
- **service cards** (便民服务卡): ten business cards per A4 sheet, one sheet per grid;
- **overview maps**: the street map marked to every community and the community map
  marked to every grid, coloured by household status, with a legend.

The templates are QGIS print layouts in ``styles/``; this module binds them: the atlas
coverage layer (one feature per grid holding everything printed on its board), the map
items' layers, the ``@gridgis_*`` layout variables (hotline, duties, service numbers),
the pictures' paths (photos and QR codes, written once to a scratch folder), and a
:class:`~gridgis.qgis.templates.TextFitter` that keeps long names inside their boxes.

Nothing partial is ever left in the output folder: every file is written to a hidden
staging folder inside it and moved into place when the whole run has succeeded; a
cancelled or failed run leaves the folder as it was.

Fields a board template can use (``[% "field" %]``): ``code``, ``name``,
``kind_label``, ``community_code``, ``community_name``, ``street_code``,
``street_name``, ``households``, ``population``, ``ab_partner_name``, ``staff_count``,
``staff_more``, ``staff_name_N``, ``staff_role_N``, ``staff_phone_N``, ``staff_photo_N``
(N = 1 … the template's slots), ``leader_name``, ``leader_phone``, ``qr_path`` (empty
when the grid has no leader), ``card_contacts``, ``inset_xmin`` … ``inset_ymax``.
Variables: ``@gridgis_hotline``, ``@gridgis_duties``, ``@gridgis_services``,
``@gridgis_bands``. Pages are stepped by :class:`~gridgis.qgis.templates.AtlasPages`:
use the fields (or ``@atlas_feature``) rather than ``@atlas_pagename``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import segno
import shapely
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsLayoutExporter,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutRenderContext,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsRenderContext,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QMarginsF, QSize, QSizeF, QVariant
from qgis.PyQt.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from gridgis.core.boards import (
    Board,
    duties_text,
    phone_text,
    read_boards,
    service_numbers,
    service_text,
)
from gridgis.core.definitions import GridKind
from gridgis.core.errors import GridGisError
from gridgis.core.progress import Feedback, check
from gridgis.core.settings import Settings
from gridgis.core.store import Store, open_project
from gridgis.qgis import pdf
from gridgis.qgis.layers import STYLES_DIR, open_layer, set_project_variables
from gridgis.qgis.templates import (
    AtlasPages,
    TextFitter,
    check_font,
    item,
    load_template,
    numbered_ids,
    template_path,
    tile,
)

#: Picture shown for a person without a photo.
NO_PHOTO = STYLES_DIR / "board-no-photo.svg"
#: Layers of the board's grid map, top first, with their board styles.
BOARD_MAP = (
    ("facilities", "board-facilities"),
    ("grids", "board-grids"),
    ("roads", "board-roads"),
    ("buildings", "board-buildings"),
    ("grids", "board-grid-fill"),
)
#: Layers of the board's locator inset, top first.
BOARD_INSET = (
    ("communities", "board-inset-communities"),
    ("grids", "board-inset-grids"),
)
#: Layers of the overview maps, top first, with their usual styles.
OVERVIEW_MAP = {
    "community": ("facilities", "communities", "grids", "buildings", "roads"),
    "street": ("streets", "communities", "grids", "roads"),
}
#: How far around the printed grids the maps need data (metres).
MAP_MARGIN = 600.0
#: Resolution of pictures inside the PDFs and of the shared PNGs.
PDF_DPI = 300
PNG_DPI = 110


@dataclass
class PrintResult:
    """What a print run wrote (paths inside ``directory``)."""

    directory: Path
    grids: list[str]
    boards: Path | None = None
    board_pages: list[Path] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    cards: Path | None = None
    card_pages: list[Path] = field(default_factory=list)
    overviews: list[Path] = field(default_factory=list)
    without_leader: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        """Every file written."""
        singles = [self.boards, self.cards]
        return [
            *(p for p in singles if p is not None),
            *self.board_pages,
            *self.images,
            *self.card_pages,
            *self.overviews,
        ]


def file_stem(board: Board) -> str:
    """The file name (without suffix) of a grid's board: ``<code>_<name>``."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", board.name).strip("_")
    return f"{board.code}_{name}" if name else board.code


# ---------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------


def _qgs_geometry(geom: object) -> QgsGeometry:
    g = QgsGeometry()
    g.fromWkb(shapely.to_wkb(geom))
    return g


def map_layer(
    path: Path,
    name: str,
    style: str | None,
    extent: QgsRectangle | None,
    project: QgsProject,
) -> QgsVectorLayer:
    """Table ``name`` of the project file as an in-memory, spatially indexed layer.

    Only the features meeting ``extent`` are copied; pages then render from memory
    instead of querying the file for every page.
    """
    source = open_layer(path, name, language="zh")
    request = QgsFeatureRequest()
    if extent is not None:
        request.setFilterRect(extent)
    layer = source.materialize(request)
    layer.setName(source.name())
    layer.dataProvider().createSpatialIndex()
    style_file = STYLES_DIR / f"{style or name}.qml"
    if style_file.exists():
        layer.loadNamedStyle(str(style_file))
    project.addMapLayer(layer, False)
    return layer


def _fill(layer: QgsVectorLayer, rows: Sequence[dict], geometries: Sequence) -> None:
    fields = layer.fields()
    features = []
    for row, geom in zip(rows, geometries, strict=True):
        feature = QgsFeature(fields)
        feature.setGeometry(_qgs_geometry(geom))
        feature.setAttributes([row.get(f.name()) for f in fields])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    layer.updateExtents()


# ---------------------------------------------------------------------------------
# The board coverage layer: one feature per grid with everything printed on it
# ---------------------------------------------------------------------------------


def _image_suffix(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG"):
        return ".png"
    if data.startswith(b"\xff\xd8"):
        return ".jpg"
    return None


def qr_svg(text: str, *, border: int = 2) -> str:
    """A QR code of ``text`` as SVG: one filled path of the dark runs of each row.

    Vector, so it prints sharp at any size; filled runs draw four times faster in
    QGIS than the stroked lines of segno's own SVG. The mask is fixed: choosing the
    best of eight costs 8 ms per code in pure Python, and every mask is valid.
    """
    matrix = segno.make(text, error="m", micro=False, mask=4).matrix
    runs = []
    for y, row in enumerate(matrix):
        x, width = 0, len(row)
        while x < width:
            if row[x]:
                start = x
                while x < width and row[x]:
                    x += 1
                runs.append(
                    f"M{start + border} {y + border}h{x - start}v1h{start - x}z"
                )
            else:
                x += 1
    size = len(matrix) + 2 * border
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}"><rect width="{size}" height="{size}" '
        f'fill="#fff"/><path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def write_assets(boards: Sequence[Board], folder: Path) -> dict[str, str]:
    """Write each person's photo and each leader's QR code once; return their paths.

    Keys are ``photo:<staff id>`` and ``qr:<grid code>``.
    """
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    (folder / "qr").mkdir(exist_ok=True)
    paths: dict[str, str] = {}
    for board in boards:
        for person in board.staff:
            key = f"photo:{person.staff_id}"
            if key in paths:
                continue
            suffix = _image_suffix(person.photo) if person.photo else None
            if suffix is None:
                paths[key] = str(NO_PHOTO)
                continue
            target = folder / "photos" / f"{len(paths)}{suffix}"
            target.write_bytes(person.photo)  # type: ignore[arg-type]
            paths[key] = str(target)
        card = board.vcard()
        if card is not None:
            target = folder / "qr" / f"{board.code}.svg"
            target.write_text(qr_svg(card), encoding="utf-8")
            paths[f"qr:{board.code}"] = str(target)
    return paths


def board_rows(
    boards: Sequence[Board],
    slots: int,
    assets: dict[str, str],
    insets: dict[str, tuple[float, float, float, float]],
) -> list[dict]:
    """The coverage layer's attributes, one dict per board (see the module doc)."""
    kinds = {k.value: k.label.zh for k in GridKind}
    rows = []
    for board in boards:
        leader = board.leader
        shown = board.staff[:slots]
        contacts = board.contacts[:2]
        row: dict[str, object] = {
            "code": board.code,
            "name": board.name,
            "file_stem": file_stem(board),
            "kind_label": kinds.get(board.kind, board.kind),
            "community_code": board.community_code,
            "community_name": board.community_name,
            "street_code": board.street_code,
            "street_name": board.street_name,
            "households": board.households,
            "population": board.population,
            "ab_partner_name": board.ab_partner_name,
            "staff_count": len(shown),
            "staff_more": len(board.staff) - len(shown),
            "leader_name": leader.name if leader else None,
            "leader_phone": phone_text(leader.phone) if leader else None,
            "qr_path": assets.get(f"qr:{board.code}"),
            "card_contacts": "\n".join(
                f"{p.role_label.zh} {p.name}  {phone_text(p.phone)}" for p in contacts
            )
            or "网格员待配备,请拨打监督电话",
        }
        for k in range(1, slots + 1):
            person = shown[k - 1] if k <= len(shown) else None
            row[f"staff_name_{k}"] = person.name if person else None
            row[f"staff_role_{k}"] = person.post.zh if person else None
            row[f"staff_phone_{k}"] = phone_text(person.phone) if person else None
            row[f"staff_photo_{k}"] = (
                assets.get(f"photo:{person.staff_id}") if person else None
            )
        xmin, ymin, xmax, ymax = insets[board.community_code]
        row.update(inset_xmin=xmin, inset_ymin=ymin, inset_xmax=xmax, inset_ymax=ymax)
        rows.append(row)
    return rows


def _columns(rows: Sequence[dict]) -> dict[str, type]:
    columns: dict[str, type] = {}
    for name in rows[0]:
        values = [r[name] for r in rows if r[name] is not None]
        ints = bool(values) and all(isinstance(v, int) for v in values)
        columns[name] = int if ints else str
    for name in ("inset_xmin", "inset_ymin", "inset_xmax", "inset_ymax"):
        columns[name] = float
    return columns


def _coverage(
    name: str,
    rows: Sequence[dict],
    geometries: Sequence,
    crs: QgsCoordinateReferenceSystem,
    project: QgsProject,
) -> QgsVectorLayer:
    columns = _columns(rows)
    layer = QgsVectorLayer(f"Polygon?crs={crs.authid()}", name, "memory")
    fields = QgsFields()
    for column, kind in columns.items():
        qtype = {int: QVariant.Int, float: QVariant.Double}.get(kind, QVariant.String)
        fields.append(QgsField(column, qtype))
    layer.dataProvider().addAttributes(fields)
    layer.updateFields()
    _fill(layer, rows, geometries)
    project.addMapLayer(layer, False)
    return layer


def _square_around(bounds: Sequence[float], margin: float = 0.08) -> tuple:
    xmin, ymin, xmax, ymax = bounds
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    half = max(xmax - xmin, ymax - ymin) * (0.5 + margin)
    return (cx - half, cy - half, cx + half, cy + half)


def start_extent(map_item: QgsLayoutItemMap, bounds: Sequence[float]) -> None:
    """Give ``map_item`` an extent around ``bounds`` with the item's own shape.

    Atlas and data-defined extents keep a map's current width/height ratio; a map
    item without an extent has none, and QGIS would then stretch the item itself.
    """
    xmin, ymin, xmax, ymax = bounds
    ratio = map_item.rect().width() / max(map_item.rect().height(), 1e-9)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    half_h = max(ymax - ymin, (xmax - xmin) / ratio, 1.0) / 2
    half_w = half_h * ratio
    map_item.setExtent(QgsRectangle(cx - half_w, cy - half_h, cx + half_w, cy + half_h))


# ---------------------------------------------------------------------------------
# Exporting
# ---------------------------------------------------------------------------------


def qgis_pdf_settings() -> QgsLayoutExporter.PdfExportSettings:
    """QGIS exporter settings that match GridGIS's output (for comparisons)."""
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = PDF_DPI
    settings.textRenderFormat = QgsRenderContext.TextFormatAlwaysText
    settings.appendGeoreference = False
    return settings


def prepare_export(layout: QgsPrintLayout, dpi: float = PDF_DPI) -> None:
    """Set ``layout`` up for print output: real text, vector maps, ``dpi``."""
    context = layout.renderContext()
    context.setDpi(dpi)
    context.setTextRenderFormat(QgsRenderContext.TextFormatAlwaysText)
    context.setFlag(QgsLayoutRenderContext.FlagForceVectorOutput, False)
    context.setFlag(QgsLayoutRenderContext.FlagAntialiasing, True)
    context.setFlag(QgsLayoutRenderContext.FlagUseAdvancedEffects, True)


def _report(
    feedback: Feedback | None, start: float, stop: float, done: int, total: int
) -> None:
    check(feedback)
    if feedback is not None:
        feedback.set_progress(start + (stop - start) * done / max(total, 1))


def render_pdf(
    layout: QgsPrintLayout,
    target: Path,
    *,
    title: str = "",
    feedback: Feedback | None = None,
    start: float = 0.0,
    stop: float = 100.0,
    on_page: Callable[[QgsFeature], None] | None = None,
) -> int:
    """Print every atlas page of ``layout`` into one PDF; return the page count.

    The layout is reused from page to page (:class:`AtlasPages`); text stays text with
    its fonts embedded, maps stay vector, pictures keep their own resolution.

    Raises
    ------
    Cancelled
        If the user cancelled (the partial file is removed).
    """
    pages = AtlasPages(layout)
    size = layout.pageCollection().page(0).pageSize()
    writer = QPdfWriter(str(target))
    writer.setResolution(PDF_DPI)
    writer.setPageSize(
        QPageSize(QSizeF(size.width(), size.height()), QPageSize.Millimeter)
    )
    writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Millimeter)
    writer.setTitle(title or layout.name())
    writer.setCreator("GridGIS")
    prepare_export(layout)
    exporter = QgsLayoutExporter(layout)
    painter = QPainter()
    if not painter.begin(writer):
        raise GridGisError(
            f"Cannot write {target}; check that the output folder is writable.",
            f"无法写入 {target};请检查输出文件夹是否可写。",
        )
    pages.begin()
    try:
        for index in range(len(pages)):
            _report(feedback, start, stop, index, len(pages))
            if index:
                writer.newPage()
            feature = pages.seek(index)
            if on_page is not None:
                on_page(feature)
            exporter.renderPage(painter, 0)
    except BaseException:
        painter.end()
        target.unlink(missing_ok=True)
        raise
    finally:
        pages.end()
    painter.end()
    _report(feedback, start, stop, len(pages), len(pages))
    return len(pages)


def render_png(
    layout: QgsPrintLayout,
    folder: Path,
    *,
    dpi: float = PNG_DPI,
    feedback: Feedback | None = None,
    start: float = 0.0,
    stop: float = 100.0,
    on_page: Callable[[QgsFeature], None] | None = None,
) -> list[Path]:
    """Render every atlas page of ``layout`` to ``folder/<file_stem>.png``."""
    pages = AtlasPages(layout)
    prepare_export(layout, dpi)
    exporter = QgsLayoutExporter(layout)
    written = []
    pages.begin()
    try:
        for index in range(len(pages)):
            _report(feedback, start, stop, index, len(pages))
            feature = pages.seek(index)
            if on_page is not None:
                on_page(feature)
            image = exporter.renderPageToImage(0, QSize(), dpi)
            target = folder / f"{feature['file_stem']}.png"
            if not image.save(str(target), "PNG"):
                raise GridGisError(
                    f"Cannot write {target}; check that the folder is writable.",
                    f"无法写入 {target};请检查文件夹是否可写。",
                )
            written.append(target)
    finally:
        pages.end()
    _report(feedback, start, stop, len(pages), len(pages))
    return written


def publish(staging: Path, out: Path) -> None:
    """Move everything in ``staging`` into ``out``, replacing earlier runs' entries."""
    trash = Path(tempfile.mkdtemp(prefix=".gridgis-old-", dir=out))
    try:
        for entry in sorted(staging.iterdir()):
            target = out / entry.name
            if target.exists():
                os.replace(target, trash / entry.name)
            os.replace(entry, target)
    finally:
        shutil.rmtree(trash, ignore_errors=True)


# ---------------------------------------------------------------------------------
# The print job
# ---------------------------------------------------------------------------------


class BoardPrinter:
    """The QGIS side of one print run: layers, coverage layers and bound layouts.

    Parameters
    ----------
    project_file
        The GridGIS project (GeoPackage).
    community, street, grids
        Which grids to print (default: all of the project's grids).
    template
        Board template name (``board-a3``, ``board-a4``) or a ``.qpt`` path.
    assets
        Scratch folder for photos and QR codes (deleted by the caller); ``None``
        for a printer of overview maps only.
    """

    def __init__(
        self,
        project_file: str | Path,
        *,
        community: str | None = None,
        street: str | None = None,
        grids: Sequence[str] | None = None,
        template: str | Path = "board-a3",
        assets: Path | None,
    ) -> None:
        check_font()
        self.path = Path(project_file)
        self.store: Store = open_project(self.path)
        self.settings: Settings = self.store.settings
        self.boards = read_boards(
            self.store, community=community, street=street, grids=grids
        )
        self.template = template
        self.assets = assets
        self.project = QgsProject()
        self.crs = QgsCoordinateReferenceSystem(f"EPSG:{self.settings.crs_epsg}")
        self.project.setCrs(self.crs)
        set_project_variables(self.project, self.settings)
        codes = [b.code for b in self.boards]
        self.grid_frame = (
            self.store.read("grids", where={"code": codes}).set_index("code").loc[codes]
        )
        community_codes = sorted({b.community_code for b in self.boards})
        self.community_frame = self.store.read(
            "communities", where={"code": community_codes}
        ).set_index("code")
        xmin, ymin, xmax, ymax = self.community_frame.total_bounds
        self.extent = QgsRectangle(
            xmin - MAP_MARGIN, ymin - MAP_MARGIN, xmax + MAP_MARGIN, ymax + MAP_MARGIN
        )
        self._layers: dict[tuple[str, str | None], QgsVectorLayer] = {}
        self.asset_paths = write_assets(self.boards, assets) if assets else {}

    # -- layers --------------------------------------------------------------------

    def layer(self, name: str, style: str | None = None) -> QgsVectorLayer:
        """Layer ``name`` of the project with ``style``, loaded once per run."""
        key = (name, style)
        if key not in self._layers:
            self._layers[key] = map_layer(
                self.path, name, style, self.extent, self.project
            )
        return self._layers[key]

    # -- layouts -------------------------------------------------------------------

    def _variables(self, layout: QgsPrintLayout) -> None:
        s = self.settings
        values = {
            "gridgis_hotline": s.hotline,
            "gridgis_duties": duties_text(s),
            "gridgis_services": service_text(service_numbers(s)),
            "gridgis_bands": ";".join(
                f"{GridKind(k).label.zh} {b.min}–{b.max} 户"
                for k, b in s.household_bands.items()
                if k in {g.value for g in GridKind}
            ),
        }
        for name, value in values.items():
            QgsExpressionContextUtils.setLayoutVariable(layout, name, value)

    def _board_coverage(self, slots: int) -> QgsVectorLayer:
        insets = {
            code: _square_around(geom.bounds)
            for code, geom in self.community_frame.geometry.items()
        }
        rows = board_rows(self.boards, slots, self.asset_paths, insets)
        return _coverage(
            "boards", rows, list(self.grid_frame.geometry), self.crs, self.project
        )

    def _atlas(self, layout: QgsPrintLayout, coverage: QgsVectorLayer) -> None:
        atlas = layout.atlas()
        atlas.setCoverageLayer(coverage)
        atlas.setPageNameExpression('"code"')
        atlas.setSortFeatures(True)
        atlas.setSortExpression('"code"')
        atlas.setFilenameExpression('"file_stem"')
        atlas.setEnabled(True)

    def board_layout(self, template: str | Path | None = None) -> QgsPrintLayout:
        """The board template bound to this run's grids (one atlas page per grid)."""
        layout = load_template(template or self.template, self.project)
        slots = numbered_ids(layout, "staff_name")
        coverage = self._board_coverage(slots)
        self._atlas(layout, coverage)
        grid_map = item(layout, "grid_map", QgsLayoutItemMap)
        grid_map.setCrs(self.crs)
        start_extent(grid_map, self.grid_frame.total_bounds)
        grid_map.setLayers([self.layer(n, s) for n, s in BOARD_MAP])
        grid_map.setAtlasDriven(True)
        grid_map.setAtlasScalingMode(QgsLayoutItemMap.Auto)
        grid_map.setAtlasMargin(0.12)
        inset = layout.itemById("inset_map")
        if isinstance(inset, QgsLayoutItemMap):
            inset.setCrs(self.crs)
            inset.setLayers([self.layer(n, s) for n, s in BOARD_INSET])
            start_extent(inset, _square_around(self.community_frame.total_bounds))
        self._variables(layout)
        return layout

    def card_layout(self) -> QgsPrintLayout:
        """Ten service cards per A4 sheet, one sheet per grid."""
        card = load_template("service-card", self.project)
        sheet = tile(card, self.project)
        coverage = self._board_coverage(0)
        self._atlas(sheet, coverage)
        self._variables(sheet)
        return sheet

    def overview_layout(self, level: str) -> QgsPrintLayout | None:
        """The overview map of every community (``level="community"``) or street."""
        layout = load_template(f"overview-{level}", self.project)
        rows, geometries = self._overview_rows(level)
        if not rows:
            return None
        coverage = _coverage(
            f"{level}-overview", rows, geometries, self.crs, self.project
        )
        self._atlas(layout, coverage)
        overview = item(layout, "overview_map", QgsLayoutItemMap)
        overview.setCrs(self.crs)
        start_extent(overview, self.community_frame.total_bounds)
        layers = [self.layer(n) for n in OVERVIEW_MAP[level]]
        overview.setLayers(layers)
        overview.setAtlasDriven(True)
        overview.setAtlasScalingMode(QgsLayoutItemMap.Auto)
        overview.setAtlasMargin(0.04)
        legend = layout.itemById("legend")
        if isinstance(legend, QgsLayoutItemLegend):
            root = legend.model().rootGroup()
            root.removeAllChildren()
            for name in ("grids", "communities", "roads"):
                root.addLayer(self.layer(name))
            legend.updateLegend()
        self._variables(layout)
        return layout

    def _overview_rows(self, level: str) -> tuple[list[dict], list]:
        settings = self.settings
        grids = self.store.read(
            "grids",
            where={"community_code": sorted(self.community_frame.index)},
        )
        grids = grids.merge(
            self.community_frame[["street_code"]],
            left_on="community_code",
            right_index=True,
        )
        without_leader = {b.code for b in self.boards if b.leader is None}
        status = []
        for row in grids.itertuples(index=False):
            band = settings.household_bands.get(str(row.kind))
            low = row.min_households if pd.notna(row.min_households) else None
            high = row.max_households if pd.notna(row.max_households) else None
            low = low if low is not None else (band.min if band else None)
            high = high if high is not None else (band.max if band else None)
            if pd.isna(row.households) or low is None or high is None:
                status.append("unknown")
            elif row.households < low:
                status.append("under")
            elif row.households > high:
                status.append("over")
            else:
                status.append("in")
        grids = grids.assign(
            status=status, no_leader=grids["code"].isin(without_leader)
        )
        if level == "community":
            units = self.community_frame.reset_index()
            key = "community_code"
            streets = self.store.read("streets", columns=["code", "name"])
            street_names = dict(zip(streets["code"], streets["name"], strict=True))
            extra = {
                code: {"street_name": street_names.get(street, street)}
                for code, street in zip(
                    units["code"], units["street_code"], strict=True
                )
            }
        else:
            street_codes = sorted(set(self.community_frame["street_code"]))
            units = self.store.read("streets", where={"code": street_codes})
            key = "street_code"
            every = self.store.read(
                "communities",
                where={"street_code": street_codes},
                columns=["code", "street_code"],
            )
            counts = every.groupby("street_code").size()
            extra = {
                code: {"community_count": int(counts.get(code, 0))}
                for code in units["code"]
            }
        rows, geometries = [], []
        for unit in units.itertuples(index=False):
            mine = grids[grids[key] == unit.code]
            if mine.empty:
                continue
            rows.append(
                {
                    "code": unit.code,
                    "name": unit.name,
                    "file_stem": f"{unit.code}_{unit.name}",
                    "households": int(mine["households"].fillna(0).sum()),
                    "population": int(mine["population"].fillna(0).sum()),
                    "grid_count": len(mine),
                    "grids_in": int((mine["status"] == "in").sum()),
                    "grids_under": int((mine["status"] == "under").sum()),
                    "grids_over": int((mine["status"] == "over").sum()),
                    "grids_without_leader": int(mine["no_leader"].sum()),
                    **extra[unit.code],
                }
            )
            geometries.append(unit.geometry)
        return rows, geometries


#: Products of a print run that are rendered per grid, with their relative cost.
_PRODUCT_WEIGHTS = {"boards": 1.0, "cards": 0.8, "png": 1.6, "overview": 0.2}


@dataclass(frozen=True)
class PrintOptions:
    """What a print run makes for each grid."""

    template: str = "board-a3"
    boards: bool = True
    cards: bool = False
    png: bool = False

    def products(self) -> list[str]:
        """The per-grid products asked for, in the order they are made."""
        wanted = {"boards": self.boards, "cards": self.cards, "png": self.png}
        return [name for name, on in wanted.items() if on]


def print_chunk(
    project_file: str | Path,
    codes: Sequence[str],
    options: PrintOptions,
    staging: Path,
    part: str,
    feedback: Feedback | None = None,
    overview_codes: Sequence[str] | None = None,
) -> dict[str, float]:
    """Render the per-grid products of grids ``codes`` into ``staging``.

    Writes ``boards/<stem>.pdf``, ``service-cards/<stem>.pdf`` and
    ``boards-png/<stem>.png`` for each grid, and this chunk's combined PDFs as
    ``.parts/<product>-<part>.pdf`` (joined by :func:`print_boards`); with
    ``overview_codes`` also the overview maps of those grids' streets and
    communities. Returns the seconds spent per product.
    """
    assets = Path(tempfile.mkdtemp(prefix="gridgis-assets-"))
    seconds: dict[str, float] = {}
    try:
        clock = time.perf_counter()
        printer = BoardPrinter(
            project_file, grids=codes, template=options.template, assets=assets
        )
        seconds["prepare"] = time.perf_counter() - clock
        stems = [file_stem(b) for b in printer.boards]
        products = options.products() + (["overview"] if overview_codes else [])
        total = sum(_PRODUCT_WEIGHTS[p] for p in products) or 1.0
        position = 0.0
        parts = staging / ".parts"
        parts.mkdir(parents=True, exist_ok=True)
        for product in products:
            clock = time.perf_counter()
            stop = position + 100.0 * _PRODUCT_WEIGHTS[product] / total
            if product == "overview":
                _print_overviews(project_file, overview_codes or codes, staging)
            elif product == "png":
                layout = printer.board_layout()
                folder = staging / "boards-png"
                folder.mkdir(exist_ok=True)
                render_png(
                    layout,
                    folder,
                    feedback=feedback,
                    start=position,
                    stop=stop,
                    on_page=TextFitter.for_layout(layout).fit,
                )
            else:
                layout = (
                    printer.board_layout()
                    if product == "boards"
                    else printer.card_layout()
                )
                folder_name, title = _PDF_PRODUCTS[product]
                target = parts / f"{product}-{part}.pdf"
                render_pdf(
                    layout,
                    target,
                    title=title,
                    feedback=feedback,
                    start=position,
                    stop=stop,
                    on_page=TextFitter.for_layout(layout).fit,
                )
                check(feedback)
                folder = staging / folder_name
                folder.mkdir(exist_ok=True)
                pdf.finish(target, [folder / f"{s}.pdf" for s in stems], title=title)
            position = stop
            seconds[product] = time.perf_counter() - clock
        return seconds
    finally:
        shutil.rmtree(assets, ignore_errors=True)


#: Per-grid PDF products: (folder of the single files, title).
_PDF_PRODUCTS = {
    "boards": ("boards", "网格公示牌"),
    "cards": ("service-cards", "便民服务卡"),
}
#: The combined PDF of each product in the output folder.
_COMBINED = {"boards": "boards.pdf", "cards": "service-cards.pdf"}


def default_workers(grids: int) -> int:
    """How many processes print ``grids`` boards: one for a small run, else a core each."""
    if grids < 120:
        return 1
    return max(1, min(os.cpu_count() or 1, 4, grids // 60))


def _chunks(codes: Sequence[str], count: int) -> list[list[str]]:
    size = -(-len(codes) // count)
    return [list(codes[k : k + size]) for k in range(0, len(codes), size)]


def print_boards(
    project_file: str | Path,
    out: str | Path,
    *,
    community: str | None = None,
    street: str | None = None,
    grids: Sequence[str] | None = None,
    template: str | Path = "board-a3",
    cards: bool = False,
    overview: bool = False,
    png: bool = False,
    boards: bool = True,
    workers: int | None = None,
    feedback: Feedback | None = None,
) -> PrintResult:
    """Print the grid boards (and cards, overview maps) of a project into ``out``.

    Parameters
    ----------
    project_file
        The GridGIS project file.
    out
        Output folder (created if missing). It receives ``boards.pdf`` (all boards),
        ``boards/<code>_<name>.pdf`` (one per grid), with ``png``
        ``boards-png/<code>_<name>.png``, with ``cards`` ``service-cards.pdf`` and
        ``service-cards/<code>_<name>.pdf``, with ``overview``
        ``overview-streets.pdf`` and ``overview-communities.pdf``.
    community, street, grids
        Print only these grids (a community's, a street's, or a list of codes).
    template
        The board template: ``board-a3`` (default), ``board-a4`` or a ``.qpt`` path.
    workers
        Processes that print in parallel (default: :func:`default_workers`).
    feedback
        Progress and cancellation (:mod:`gridgis.core.progress`).

    Raises
    ------
    Cancelled
        When ``feedback`` asks to stop; ``out`` is then as it was.
    GridGisError
        Unknown codes, no grids to print, a missing template or font.
    """
    check_font()
    template_path(template)
    store = open_project(project_file)
    selected = read_boards(store, community=community, street=street, grids=grids)
    codes = [b.code for b in selected]
    options = PrintOptions(str(template), boards=boards, cards=cards, png=png)
    count = workers if workers is not None else default_workers(len(codes))
    count = max(1, min(count, len(codes)))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".gridgis-print-", dir=out))
    result = PrintResult(
        directory=out,
        grids=codes,
        without_leader=[b.code for b in selected if b.leader is None],
    )
    clock = time.perf_counter()
    try:
        chunks = _chunks(codes, count)
        if len(chunks) == 1:
            result.seconds.update(
                print_chunk(
                    project_file,
                    codes,
                    options,
                    staging,
                    "0",
                    _Scaled(feedback, 0.0, 99.0),
                    overview_codes=codes if overview else None,
                )
            )
        else:
            from gridgis.qgis.print_worker import run_workers

            run_workers(
                project_file,
                chunks,
                options,
                staging,
                feedback,
                99.0,
                overview_codes=codes if overview else None,
            )
        _join_parts(staging, options)
        result.seconds["total"] = time.perf_counter() - clock
        if overview:
            result.overviews = [
                out / name
                for name in ("overview-streets.pdf", "overview-communities.pdf")
                if (staging / name).exists()
            ]
        check(feedback)
        stems = [file_stem(b) for b in selected]
        if boards:
            result.boards = out / _COMBINED["boards"]
            result.board_pages = [out / "boards" / f"{s}.pdf" for s in stems]
        if cards:
            result.cards = out / _COMBINED["cards"]
            result.card_pages = [out / "service-cards" / f"{s}.pdf" for s in stems]
        if png:
            result.images = [out / "boards-png" / f"{s}.png" for s in stems]
        publish(staging, out)
        if feedback is not None:
            feedback.set_progress(100.0)
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _print_overviews(
    project_file: str | Path, codes: Sequence[str], staging: Path
) -> None:
    """The street and community overview maps of grids ``codes``, into ``staging``."""
    printer = BoardPrinter(project_file, grids=codes, assets=None)
    for level, name in (("street", "streets"), ("community", "communities")):
        layout = printer.overview_layout(level)
        if layout is None:
            continue
        target = staging / f"overview-{name}.pdf"
        render_pdf(
            layout,
            target,
            title="网格分布图",
            on_page=TextFitter.for_layout(layout).fit,
        )
        pdf.finish(target, title="网格分布图")


def _join_parts(staging: Path, options: PrintOptions) -> None:
    """Join the chunks' combined PDFs into one per product, in grid order."""
    parts = staging / ".parts"
    for product in options.products():
        if product not in _COMBINED:
            continue
        pieces = sorted(
            parts.glob(f"{product}-*.pdf"), key=lambda p: int(p.stem.split("-")[-1])
        )
        target = staging / _COMBINED[product]
        if len(pieces) == 1:
            os.replace(pieces[0], target)
        else:
            pdf.merge(pieces, target)
    shutil.rmtree(parts, ignore_errors=True)


class _Scaled:
    """A feedback that maps 0–100 onto ``start``–``stop`` of another feedback."""

    def __init__(self, target: Feedback | None, start: float, stop: float) -> None:
        self.target = target
        self.start = start
        self.stop = stop

    def set_progress(self, percent: float) -> None:
        if self.target is not None:
            self.target.set_progress(
                self.start + (self.stop - self.start) * percent / 100
            )

    def is_cancelled(self) -> bool:
        return self.target is not None and self.target.is_cancelled()


def render_preview(
    project_file: str | Path,
    grid: str,
    *,
    template: str | Path = "board-a3",
    dpi: float = 60,
) -> QImage:
    """The board of ``grid`` as an image (for the print dialog's preview)."""
    assets = Path(tempfile.mkdtemp(prefix="gridgis-preview-"))
    try:
        printer = BoardPrinter(
            project_file, grids=[grid], template=template, assets=assets
        )
        layout = printer.board_layout()
        fitter = TextFitter.for_layout(layout)
        pages = AtlasPages(layout)
        prepare_export(layout, dpi)
        pages.begin()
        try:
            fitter.fit(pages.seek(0))
            return QgsLayoutExporter(layout).renderPageToImage(0, QSize(), dpi)
        finally:
            pages.end()
    finally:
        shutil.rmtree(assets, ignore_errors=True)


__all__ = [
    "BoardPrinter",
    "PrintResult",
    "file_stem",
    "print_boards",
    "render_preview",
]
