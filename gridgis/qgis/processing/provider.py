"""The GridGIS Processing provider: the engines in QGIS's Processing Toolbox.

Registered by the QGIS plugin (``plugins/gridgis_qgis``), the algorithms appear in the
toolbox, the graphical modeler, batch mode and ``qgis_process`` under the id prefix
``gridgis:``.
"""

from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

import gridgis
from gridgis.qgis.auth import use_qgis_credentials
from gridgis.qgis.processing.base import GridGisAlgorithm, icon
from gridgis.qgis.processing.boards import BoardsAlgorithm
from gridgis.qgis.processing.divide import DivideAlgorithm
from gridgis.qgis.processing.export import ExportAlgorithm
from gridgis.qgis.processing.i18n import install_translation, remove_translation
from gridgis.qgis.processing.link import LinkAlgorithm
from gridgis.qgis.processing.validate import ValidateAlgorithm

#: The algorithms, in the order a planner uses them.
ALGORITHMS: tuple[type[GridGisAlgorithm], ...] = (
    ValidateAlgorithm,
    LinkAlgorithm,
    DivideAlgorithm,
    BoardsAlgorithm,
    ExportAlgorithm,
)


class GridGisProvider(QgsProcessingProvider):
    """GridGIS's algorithms: validate, link, divide, print boards, export."""

    def id(self) -> str:
        return "gridgis"

    def name(self) -> str:
        return "GridGIS"

    def longName(self) -> str:
        return QCoreApplication.translate(
            "GridGisProvider", "GridGIS community grid management {version}"
        ).format(version=gridgis.__version__)

    def versionInfo(self) -> str:
        return gridgis.__version__

    def icon(self) -> QIcon:
        return icon("gridgis")

    def load(self) -> bool:
        install_translation()
        use_qgis_credentials()  # database projects with a QGIS authcfg login
        return super().load()

    def unload(self) -> None:
        remove_translation()
        super().unload()

    def loadAlgorithms(self) -> None:
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())


__all__ = ["ALGORITHMS", "GridGisProvider"]
