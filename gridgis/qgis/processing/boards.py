"""Processing algorithm ``gridgis:boards``: print grid boards as PDFs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from gridgis.qgis.boards import print_boards
from gridgis.qgis.processing.base import GridGisAlgorithm

#: The board templates shipped in ``styles/``, as the parameter lists them.
TEMPLATES = ("board-a3", "board-a4")


class BoardsAlgorithm(GridGisAlgorithm):
    """Print a grid board for every selected grid, with cards and overview maps."""

    ALGORITHM = "boards"
    GROUP = "deliver"
    ICON = "boards"

    STREET = "STREET"
    TEMPLATE = "TEMPLATE"
    TEMPLATE_FILE = "TEMPLATE_FILE"
    CARDS = "CARDS"
    OVERVIEW = "OVERVIEW"
    PNG = "PNG"
    OUTPUT = "OUTPUT"
    BOARDS_PDF = "BOARDS_PDF"
    GRIDS = "GRIDS"

    def displayName(self) -> str:
        return self.tr("Print grid boards")

    def shortHelpString(self) -> str:
        return self.tr(
            "Prints the grid board (网格公示牌) of every grid of a GridGIS project, or "
            "of one community or street, as print-ready PDFs with Chinese text: the "
            "grid's map and locator, its staff with photo, role and phone, the grid "
            "leader's QR code, the duties and the supervision hotline. The output "
            "folder receives boards.pdf (every board, for the print shop) and "
            "boards/<code>_<name>.pdf (one per grid).\n\n"
            "Community / street: print only the grids of this community (12 digits) "
            "or street (9 digits); leave both empty for the whole project.\n"
            "Template: A3 or A4 board, or a .qpt template saved from QGIS's layout "
            "designer (it then replaces the choice).\n"
            "Service cards: also service-cards.pdf, ten cards per A4 sheet.\n"
            "Overview maps: also the street and community maps of the printed grids.\n"
            "PNG: also a picture of every board for sharing.\n\n"
            "Files appear in the output folder only when the whole run succeeded; a "
            "cancelled run leaves the folder as it was. Printing needs the Noto Sans "
            "CJK SC font. Inside QGIS the boards are printed in QGIS's own process; "
            "the gridgis boards command prints large runs in parallel."
        )

    def flags(self) -> QgsProcessingAlgorithm.Flags:
        # Print layouts are rendered on QGIS's main thread, as QGIS's own layout
        # export algorithms are.
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_project_parameter()
        self.add_community_parameter(
            optional=True, description=self.tr("Community code (empty: all)")
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.STREET, self.tr("Street code (empty: all)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.TEMPLATE,
                self.tr("Board template"),
                options=[self.tr("A3 board"), self.tr("A4 board")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.TEMPLATE_FILE,
                self.tr("Own template (.qpt, replaces the choice above)"),
                behavior=QgsProcessingParameterFile.File,
                fileFilter=self.tr("QGIS print templates (*.qpt)"),
                optional=True,
            )
        )
        for name, label in (
            (self.CARDS, self.tr("Also print service cards")),
            (self.OVERVIEW, self.tr("Also print the overview maps")),
            (self.PNG, self.tr("Also write a PNG of every board")),
        ):
            self.addParameter(
                QgsProcessingParameterBoolean(name, label, defaultValue=False)
            )
        self.addParameter(
            QgsProcessingParameterFolderDestination(
                self.OUTPUT, self.tr("Output folder")
            )
        )
        self.addOutput(
            QgsProcessingOutputFile(self.BOARDS_PDF, self.tr("All boards (PDF)"))
        )
        self.addOutput(QgsProcessingOutputNumber(self.GRIDS, self.tr("Boards")))

    def process(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        path = self.project_location(parameters, context)
        community = self.community_code(parameters, context)
        street_text = self.parameterAsString(parameters, self.STREET, context) or ""
        street = "".join(street_text.split()) or None
        if community and street:
            raise QgsProcessingException(
                self.tr("Give a community or a street, not both.")
            )
        template: str | Path = TEMPLATES[
            self.parameterAsEnum(parameters, self.TEMPLATE, context)
        ]
        own = self.parameterAsFile(parameters, self.TEMPLATE_FILE, context)
        if own:
            template = Path(own)
        out = Path(self.parameterAsString(parameters, self.OUTPUT, context))
        with self.engine_errors():
            result = print_boards(
                path,
                out,
                community=community,
                street=street,
                template=template,
                cards=self.parameterAsBoolean(parameters, self.CARDS, context),
                overview=self.parameterAsBoolean(parameters, self.OVERVIEW, context),
                png=self.parameterAsBoolean(parameters, self.PNG, context),
                # QGIS's Python cannot start the parallel print processes of the
                # command line: sys.executable is not a Python there.
                workers=1,
                feedback=self.feedback_for(feedback),
            )
        feedback.pushInfo(
            self.tr("Printed {count} grid boards into {folder}.").format(
                count=len(result.grids), folder=out
            )
        )
        for file in result.files:
            if file.parent == out:
                feedback.pushInfo(f"  {file.name}")
        if result.without_leader:
            feedback.pushWarning(
                self.tr(
                    "These grids have no grid leader; their boards carry no QR code: "
                    "{codes}"
                ).format(codes=", ".join(result.without_leader))
            )
        return {
            self.OUTPUT: str(out),
            self.BOARDS_PDF: str(result.boards) if result.boards else None,
            self.GRIDS: len(result.grids),
        }
