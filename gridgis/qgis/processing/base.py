"""What every GridGIS Processing algorithm shares.

The project parameter, the groups, translations, icons, errors as Processing errors,
output layers styled like the project's, and layers redrawn after a write.

Algorithms are thin: they read their parameters, call one engine of
:mod:`gridgis.core` with a :class:`~gridgis.qgis.feedback.QgisFeedback` on the
``QgsProcessingFeedback`` (progress bar and Cancel button), and turn what the engine
returns into Processing outputs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsMapLayer,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
    QgsProject,
)
from qgis.PyQt.QtCore import QCoreApplication, QObject, pyqtSignal
from qgis.PyQt.QtGui import QIcon

from gridgis.core.audit import acting_as
from gridgis.core.errors import GridGisError
from gridgis.core.i18n import Text, current_language
from gridgis.core.settings import Settings
from gridgis.core.store import Store, is_postgres, open_project
from gridgis.qgis.feedback import QgisFeedback
from gridgis.qgis.layers import (
    apply_aliases,
    project_of,
    same_project,
    set_project_variables,
    style_path,
)
from gridgis.qgis.tasks import keep_proj_context

ICONS_DIR = Path(__file__).resolve().parent / "icons"


def icon(name: str) -> QIcon:
    """One of the algorithms' icons (``icons/<name>.svg``)."""
    return QIcon(str(ICONS_DIR / f"{name}.svg"))


def reload_layers(project: QgsProject | None, path: str | Path) -> int:
    """Make the layers of ``project`` that show the project at ``path`` read it again.

    An algorithm that writes into a project (a file or a database) runs beside the
    map, which still shows what the project held before; this redraws those layers.
    Returns how many.
    """
    if project is None:
        return 0
    count = 0
    for layer in project.mapLayers().values():
        if layer.type() != QgsMapLayer.VectorLayer:
            continue
        if layer.providerType() == "ogr" and not is_postgres(path):
            source: str | Path = Path(layer.source().split("|", 1)[0])
        elif layer.providerType() == "postgres" and layer.customProperty(
            "gridgis/project"
        ):
            source = project_of(layer)
        else:
            continue
        try:
            same = same_project(source, path)
        except OSError:
            same = False
        if same:
            layer.dataProvider().reloadData()
            layer.triggerRepaint()
            count += 1
    return count


class ProjectParameter(QgsProcessingParameterFile):
    """A GridGIS project: a ``.gpkg`` file, or a database address.

    A file parameter (the Toolbox shows a file chooser whose line also takes typed
    text) that also accepts ``postgresql://user@host/database`` and ``service=NAME``
    (with ``authcfg=ID`` for a QGIS authentication configuration), so that models,
    batch runs and ``qgis_process --PROJECT=…`` give either.
    """

    def __init__(self, name: str, description: str, file_filter: str) -> None:
        super().__init__(
            name,
            description,
            behavior=QgsProcessingParameterFile.File,
            fileFilter=file_filter,
        )

    def clone(self) -> ProjectParameter:
        return ProjectParameter(self.name(), self.description(), self.fileFilter())

    def checkValueIsAcceptable(
        self, value: Any, context: QgsProcessingContext | None = None
    ) -> bool:
        if isinstance(value, str) and is_postgres(value.strip()):
            return True
        return bool(super().checkValueIsAcceptable(value, context))


class _Notices(QObject):
    """Signals of the algorithms, for whoever shows the project in QGIS."""

    #: An algorithm wrote into a project file (its path); emitted on the main thread.
    project_written = pyqtSignal(str)


#: :attr:`_Notices.project_written` tells the QGIS plugin that an algorithm changed the
#: file it shows, so that it reloads the file instead of undoing on top of it.
NOTICES = _Notices()


class StyleOutput(QgsProcessingLayerPostProcessorInterface):
    """Give an output layer loaded into QGIS the style and aliases of a GridGIS layer.

    The issues of a check look like the project's issues layer, the grids of a division
    like its grids (coloured by household status against the project's bands).
    """

    #: PyQGIS drops a post-processor nobody refers to before QGIS calls it.
    _alive: ClassVar[dict[int, StyleOutput]] = {}

    def __init__(self, layer_name: str, settings: Settings | None = None) -> None:
        super().__init__()
        self.layer_name = layer_name
        self.settings = settings

    @classmethod
    def attach(
        cls,
        context: QgsProcessingContext,
        dest_id: str,
        layer_name: str,
        settings: Settings | None = None,
    ) -> bool:
        """Style output ``dest_id`` when QGIS loads it; whether it will be loaded."""
        if not context.willLoadLayerOnCompletion(dest_id):
            return False
        styler = cls(layer_name, settings)
        cls._alive[id(styler)] = styler
        context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(styler)
        return True

    def postProcessLayer(
        self,
        layer: QgsMapLayer,
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> None:
        style = style_path(self.layer_name)
        if style.exists():
            layer.loadNamedStyle(str(style))
        apply_aliases(layer, self.layer_name, current_language())
        project = context.project()
        if self.settings is not None and project is not None:
            grids = layer if self.layer_name == "grids" else None
            set_project_variables(project, self.settings, grids)
        layer.triggerRepaint()
        self._alive.pop(id(self), None)  # QGIS calls a post-processor once


class GridGisAlgorithm(QgsProcessingAlgorithm):
    """A GridGIS algorithm: one engine of the core run on a project file."""

    PROJECT = "PROJECT"
    COMMUNITY = "COMMUNITY"

    #: The algorithm's id inside the provider (``gridgis:<ALGORITHM>``).
    ALGORITHM = ""
    #: Its group's id: ``check``, ``divide`` or ``deliver``.
    GROUP = "check"
    #: Its icon (a file of ``icons/`` without ``.svg``).
    ICON = "gridgis"

    def __init__(self) -> None:
        super().__init__()
        #: The project the run wrote into, if any (its layers are redrawn).
        self.written: str | Path | None = None

    # -- identity -------------------------------------------------------------------

    def tr(self, text: str) -> str:
        """Translate ``text`` (the catalogue holds each string under its class)."""
        for cls in type(self).__mro__:
            if not issubclass(cls, GridGisAlgorithm):
                break
            translated = QCoreApplication.translate(cls.__name__, text)
            if translated != text:
                return translated
        return text

    def createInstance(self) -> GridGisAlgorithm:
        return type(self)()

    def name(self) -> str:
        return self.ALGORITHM

    def group(self) -> str:
        return self.group_name(self.GROUP)

    def groupId(self) -> str:
        return self.GROUP

    def group_name(self, group: str) -> str:
        """The user-visible name of group ``group``."""
        names = {
            "check": self.tr("Check and link"),
            "divide": self.tr("Division"),
            "deliver": self.tr("Deliver"),
        }
        return names[group]

    def icon(self) -> QIcon:
        return icon(self.ICON)

    # -- parameters -----------------------------------------------------------------

    def add_project_parameter(self) -> None:
        """The GridGIS project the algorithm works on: a file or a database."""
        self.addParameter(
            ProjectParameter(
                self.PROJECT,
                self.tr(
                    "GridGIS project (.gpkg file, or database: "
                    "postgresql://user@host/database or service=NAME)"
                ),
                self.tr("GridGIS project (*.gpkg)"),
            )
        )

    def add_community_parameter(self, *, optional: bool, description: str) -> None:
        """A community code (12 digits)."""
        self.addParameter(
            QgsProcessingParameterString(self.COMMUNITY, description, optional=optional)
        )

    def project_location(
        self, parameters: dict[str, Any], context: QgsProcessingContext
    ) -> str | Path:
        """The project of this run: a file, or a database address.

        An error that says what to do if there is no such file.
        """
        value = (self.parameterAsFile(parameters, self.PROJECT, context) or "").strip()
        if value and is_postgres(value):
            return value
        path = Path(value) if value else None
        if path is None or not path.is_file():
            raise QgsProcessingException(
                Text(
                    f"找不到 GridGIS 项目文件 {value};请选择一个 .gpkg 项目文件,"
                    "或输入数据库地址(postgresql://用户@主机/数据库 或 service=服务名)。",
                    f"There is no GridGIS project file {value}; choose a .gpkg "
                    "project file, or give a database address "
                    "(postgresql://user@host/database or service=NAME).",
                ).get()
            )
        return path

    def community_code(
        self, parameters: dict[str, Any], context: QgsProcessingContext
    ) -> str | None:
        """The community code given (spaces removed), or ``None`` when left empty."""
        text = self.parameterAsString(parameters, self.COMMUNITY, context) or ""
        code = "".join(text.split())
        return code or None

    def open_store(self, path: str | Path) -> Store:
        """Open the project, turning GridGIS's errors into Processing errors."""
        try:
            return open_project(path)
        except GridGisError as exc:
            raise QgsProcessingException(str(exc)) from exc

    @staticmethod
    def crs(store: Store) -> QgsCoordinateReferenceSystem:
        """The project's stored coordinate reference system."""
        return QgsCoordinateReferenceSystem(f"EPSG:{store.settings.crs_epsg}")

    @staticmethod
    def feedback_for(feedback: QgsProcessingFeedback | None) -> QgisFeedback | None:
        """The engines' feedback on Processing's progress bar and Cancel button."""
        return QgisFeedback(feedback) if feedback is not None else None

    @contextlib.contextmanager
    def engine_errors(self) -> Iterator[None]:
        """Run an engine; its errors (and a cancel) end the algorithm with its message.

        GridGIS's errors say what to do in the user's language; Processing shows them
        in the log and ``qgis_process`` prints them and exits with status 1.
        """
        try:
            yield
        except GridGisError as exc:
            raise QgsProcessingException(str(exc)) from exc

    # -- the run ----------------------------------------------------------------------

    def processAlgorithm(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        try:
            # The change log names the algorithm that wrote each change set.
            with acting_as(f"processing: {self.name()}"):
                return self.process(parameters, context, feedback)
        finally:
            # QGIS Desktop runs algorithms on its pooled task threads: the next run on
            # this thread must not find pyproj's PROJ context freed.
            keep_proj_context()

    def process(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        """The algorithm's work (``processAlgorithm`` of QGIS's API)."""
        raise NotImplementedError

    # -- after the run ----------------------------------------------------------------

    def postProcessAlgorithm(
        self, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        if self.written is not None:
            reload_layers(context.project(), self.written)
            NOTICES.project_written.emit(str(self.written))
        return {}


__all__ = [
    "ICONS_DIR",
    "NOTICES",
    "GridGisAlgorithm",
    "ProjectParameter",
    "StyleOutput",
    "icon",
    "reload_layers",
]
