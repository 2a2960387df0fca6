"""A GridGIS project as QGIS layers: one layer per table, aliases and styles applied.

Every layer is a QGIS OGR layer on the project file itself, so QGIS, the command line
and the application always see the same data. Field aliases come from
:mod:`gridgis.core.schema`; styles are the QML files in ``styles/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsDataSourceUri,
    QgsExpressionContextUtils,
    QgsLayerTreeGroup,
    QgsProject,
    QgsVectorLayer,
)

from gridgis.core import schema
from gridgis.core.errors import ProjectFileError
from gridgis.core.i18n import current_language
from gridgis.core.settings import Settings
from gridgis.core.store import is_postgres, open_project, postgis

#: Where the QML styles and QPT templates live.
STYLES_DIR = Path(__file__).resolve().parents[2] / "styles"

#: Spatial layers from the top of the layer tree down (QGIS draws the bottom first).
MAP_ORDER = (
    "facilities",
    "buildings",
    "grids",
    "roads",
    "communities",
    "streets",
    "overlays",
    "issues",
)
#: Layers that start hidden.
HIDDEN = frozenset({"overlays", "issues"})


def style_path(name: str) -> Path:
    """The QML style file of layer ``name`` (it may not exist)."""
    return STYLES_DIR / f"{name}.qml"


def open_layer(
    path: str | Path, name: str, *, language: str | None = None
) -> QgsVectorLayer:
    """Open table ``name`` of project file ``path`` as a QGIS layer.

    The layer gets the schema's field aliases in ``language`` (default: the current
    language) and, when ``styles/<name>.qml`` exists, that style.
    """
    lyr = schema.layer(name)
    language = language or current_language()
    source, provider = layer_source(path, name)
    layer = QgsVectorLayer(source, lyr.title(language), provider)
    if not layer.isValid():
        raise ProjectFileError(
            f"QGIS cannot open layer '{name}' of {path}; check that the file is a "
            "GridGIS project and is not locked by another program.",
            f"QGIS 无法打开 {path} 中的图层“{lyr.zh}”;请确认它是 GridGIS 项目文件且"
            "未被其他程序锁定。",
        )
    apply_aliases(layer, name, language)
    style = style_path(name)
    if style.exists():
        layer.loadNamedStyle(str(style))
        apply_aliases(layer, name, language)
    layer.setCustomProperty("gridgis/layer", name)
    if is_postgres(path):
        # Which GridGIS project the layer shows (its source is in QGIS's own form).
        layer.setCustomProperty("gridgis/project", str(path))
    return layer


def project_of(layer: QgsVectorLayer) -> str | Path:
    """The GridGIS project a layer opened by :func:`open_layer` shows."""
    location = layer.customProperty("gridgis/project")
    if location:
        return str(location)
    return Path(layer.source().split("|", 1)[0]).resolve()


def same_project(a: str | Path, b: str | Path) -> bool:
    """Whether two project locations are the same file or the same database."""
    if is_postgres(a) or is_postgres(b):
        return str(a) == str(b)
    return Path(a).resolve() == Path(b).resolve()


def layer_source(path: str | Path, name: str) -> tuple[str, str]:
    """QGIS's data source and provider for table ``name`` of the project at ``path``.

    A file gives an OGR source; a database (``postgresql://…``, ``service=NAME``) a
    PostgreSQL one whose password, if any, libpq finds itself (``~/.pgpass``, the
    service file) — it is never written into the source.
    """
    if not is_postgres(path):
        return f"{path}|layername={name}", "ogr"
    conninfo = " ".join(
        f"{key}='{value}'" for key, value in postgis.keywords(path).items()
    )
    uri = QgsDataSourceUri(conninfo)
    geometry = schema.GEOMETRY_COLUMN if schema.layer(name).is_spatial else ""
    uri.setDataSource("public", name, geometry, "", "fid")
    return uri.uri(False), "postgres"


def project_title(path: str | Path) -> str:
    """The layer-tree group name of a project: the file's stem or the database."""
    return postgis.title(path) if is_postgres(path) else Path(path).stem


def apply_aliases(layer: QgsVectorLayer, name: str, language: str) -> None:
    """Set the schema's aliases on ``layer``'s fields."""
    aliases = schema.layer(name).aliases(language)
    fields = layer.fields()
    for field_name, alias in aliases.items():
        index = fields.indexOf(field_name)
        if index >= 0:
            layer.setFieldAlias(index, alias)


def load_project(
    path: str | Path,
    project: QgsProject | None = None,
    *,
    layers: Iterable[str] = MAP_ORDER,
    language: str | None = None,
) -> dict[str, QgsVectorLayer]:
    """Add the project's map layers to ``project`` in a "GridGIS" layer-tree group.

    Returns
    -------
    dict
        Layer name → the QGIS layer.
    """
    project = project or QgsProject.instance()
    language = language or current_language()
    root = project.layerTreeRoot()
    title = project_title(path)
    group = root.findGroup(title) or root.insertGroup(0, title)
    assert isinstance(group, QgsLayerTreeGroup)
    opened: dict[str, QgsVectorLayer] = {}
    for name in layers:
        layer = open_layer(path, name, language=language)
        project.addMapLayer(layer, False)
        node = group.addLayer(layer)
        node.setItemVisibilityChecked(name not in HIDDEN)
        opened[name] = layer
    settings = open_project(path).settings
    project.setCrs(QgsCoordinateReferenceSystem(f"EPSG:{settings.crs_epsg}"))
    set_project_variables(project, settings, opened.get("grids"))
    return opened


def set_project_variables(
    project: QgsProject, settings: Settings, grids: QgsVectorLayer | None = None
) -> None:
    """Expose the household bands to styles and labels as variables.

    ``@gridgis_min_<kind>`` and ``@gridgis_max_<kind>`` hold each grid kind's band, so
    the grid style can colour a grid by its household status with
    ``var('gridgis_max_' || "kind")``. They are set on the project and, when given, on
    the grids layer itself: a map canvas drawing layers of another project than QGIS's
    global one still finds them in the layer's scope.
    """
    for kind, band in settings.household_bands.items():
        for name, value in (
            (f"gridgis_min_{kind}", band.min),
            (f"gridgis_max_{kind}", band.max),
        ):
            QgsExpressionContextUtils.setProjectVariable(project, name, value)
            if grids is not None:
                QgsExpressionContextUtils.setLayerVariable(grids, name, value)
