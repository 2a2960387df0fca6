"""The printed grid ledger: a one-page A4 summary with the grid map (``ledger-a4.qpt``).

The template is a QGIS print layout in ``styles/``; GridGIS binds its items by id —
``title``, ``subtitle``, ``map``, ``summary``, ``categories``, ``key``, ``note``,
``footer`` — and exports one PDF per grid. The page names no resident: the key
households are listed by address and category only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemMap,
    QgsProject,
    QgsRectangle,
)

from gridgis.core.errors import GridGisError
from gridgis.core.register.ledger import (
    GridLedger,
    category_line,
    ledger_stem,
    mask_note,
    summary_lines,
)
from gridgis.core.store import open_project
from gridgis.qgis import pdf
from gridgis.qgis.boards import map_layer, qgis_pdf_settings, start_extent
from gridgis.qgis.templates import check_font, item, load_template

#: The ledger's print template in ``styles/``.
LEDGER_TEMPLATE = "ledger-a4"
#: Key households listed on the page (the workbook holds them all).
KEY_LINES = 8
#: Metres of surroundings shown around the grid.
MARGIN = 40.0


def print_ledgers(
    project_file: str | Path,
    ledgers: Sequence[GridLedger],
    out: str | Path,
    *,
    template: str | Path = LEDGER_TEMPLATE,
) -> list[Path]:
    """Write ``<code>_<name>台账.pdf`` for every ledger into ``out``; return the files."""
    check_font()
    path = Path(project_file)
    out = Path(out)
    store = open_project(path)
    codes = [ledger.code for ledger in ledgers]
    grids = store.read("grids", where={"code": codes}).set_index("code")
    project = QgsProject()
    project.setCrs(QgsCoordinateReferenceSystem(f"EPSG:{store.settings.crs_epsg}"))
    xmin, ymin, xmax, ymax = grids.total_bounds
    extent = QgsRectangle(
        xmin - 4 * MARGIN, ymin - 4 * MARGIN, xmax + 4 * MARGIN, ymax + 4 * MARGIN
    )
    layers = [
        map_layer(path, "facilities", None, extent, project),
        map_layer(path, "buildings", None, extent, project),
        map_layer(path, "roads", None, extent, project),
        map_layer(path, "grids", None, extent, project),
    ]
    layout = load_template(template, project)
    map_item = item(layout, "map", QgsLayoutItemMap)
    assert isinstance(map_item, QgsLayoutItemMap)
    map_item.setLayers(layers)
    map_item.setKeepLayerSet(True)
    texts = {
        name: item(layout, name, QgsLayoutItemLabel)
        for name in (
            "title",
            "subtitle",
            "summary",
            "categories",
            "key",
            "note",
            "footer",
        )
    }
    today = dt.date.today().isoformat()
    files = []
    for ledger in ledgers:
        bounds = grids.loc[ledger.code].geometry.bounds
        start_extent(
            map_item,
            (
                bounds[0] - MARGIN,
                bounds[1] - MARGIN,
                bounds[2] + MARGIN,
                bounds[3] + MARGIN,
            ),
        )
        key = [
            f"{row.房屋地址}:{row.类别}"
            for row in ledger.key_households.head(KEY_LINES).itertuples(index=False)
        ]
        if len(ledger.key_households) > KEY_LINES:
            key.append(f"…… 共 {len(ledger.key_households)} 户,见台账工作簿")
        values = {
            "title": ledger.title,
            "subtitle": f"{ledger.street} {ledger.community} 网格编码 {ledger.code}",
            "summary": "\n".join(summary_lines(ledger)),
            "categories": category_line(ledger).replace(";", "\n"),
            "key": "\n".join(key) or "(无)",
            "note": mask_note(ledger).zh,
            "footer": f"GridGIS 网格台账 {today}",
        }
        for name, label in texts.items():
            assert isinstance(label, QgsLayoutItemLabel)
            label.setText(values[name])
        target = out / f"{ledger_stem(ledger)}.pdf"
        result = QgsLayoutExporter(layout).exportToPdf(str(target), qgis_pdf_settings())
        if result != QgsLayoutExporter.Success:
            raise GridGisError(
                f"Cannot write {target}; check that the folder is writable.",
                f"无法写入 {target};请检查文件夹是否可写。",
            )
        pdf.finish(target, title=ledger.title)
        files.append(target)
    return files
