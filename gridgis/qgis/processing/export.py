"""Processing algorithm ``gridgis:export``: shapefile bundles for the city platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFolderDestination,
)

from gridgis.core import schema
from gridgis.core.exchange.export import DEFAULT_LAYERS, export_project
from gridgis.core.i18n import current_language
from gridgis.qgis.layers import project_title
from gridgis.qgis.processing.base import GridGisAlgorithm

#: How the export is split: one zip per community, per street, or one for everything.
SPLITS = ("community", "street", None)
#: Coordinate systems offered (keys of :func:`gridgis.core.exchange.coords.coord_system`).
CRS_CHOICES = ("project", "cgcs2000", "wgs84", "gcj02", "bd09")
ENCODINGS = ("utf-8", "gbk")


class ExportAlgorithm(GridGisAlgorithm):
    """Export layers of a project as zipped shapefile bundles."""

    ALGORITHM = "export"
    GROUP = "deliver"
    ICON = "export"

    LAYERS = "LAYERS"
    BY = "BY"
    CRS = "CRS"
    ENCODING = "ENCODING"
    PRIVACY = "PRIVACY"
    OVERWRITE = "OVERWRITE"
    OUTPUT = "OUTPUT"
    FILES = "FILES"

    def displayName(self) -> str:
        return self.tr("Export shapefile bundles")

    def shortHelpString(self) -> str:
        return self.tr(
            "Exports layers of a GridGIS project as shapefiles in zip bundles, ready "
            "for the city platform and ArcGIS: one zip per community (the community, "
            "its street, grids, buildings and facilities inside it, roads and overlays "
            "touching it, the staff of its grids), one per street, or one for the "
            "whole project. Every shapefile has its .cpg (encoding) and .prj "
            "(coordinate system); field names are the short ASCII names of the "
            "schema and aliases.csv gives their Chinese and English names. Tables "
            "(staff, assignments) are written as .dbf files.\n\n"
            "Coordinate system: the project's CGCS2000 Gauss–Krüger zone, CGCS2000 or "
            "WGS 84 longitude/latitude, or GCJ-02 (Amap, Tencent) / BD-09 (Baidu) for "
            "web maps.\n"
            "Encoding: UTF-8, or GBK for ArcMap 10.2 and older.\n"
            "Leave out personal data: no phone numbers or photos.\n"
            "Output folder: the bundles are written into it; it must be empty unless "
            "replacing existing files is allowed."
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_project_parameter()
        language = current_language()
        self.addParameter(
            QgsProcessingParameterEnum(
                self.LAYERS,
                self.tr("Layers (empty: all)"),
                options=[schema.layer(n).title(language) for n in DEFAULT_LAYERS],
                allowMultiple=True,
                optional=True,
                defaultValue=[],
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.BY,
                self.tr("Bundles"),
                options=[
                    self.tr("one zip per community"),
                    self.tr("one zip per street"),
                    self.tr("one zip for the whole project"),
                ],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.CRS,
                self.tr("Coordinate system"),
                options=[
                    self.tr("project (CGCS2000 Gauss–Krüger zone)"),
                    self.tr("CGCS2000 longitude/latitude (EPSG:4490)"),
                    self.tr("WGS 84 longitude/latitude (EPSG:4326)"),
                    self.tr("GCJ-02 (Amap, Tencent)"),
                    self.tr("BD-09 (Baidu)"),
                ],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.ENCODING,
                self.tr("Encoding"),
                options=["UTF-8", "GBK"],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.PRIVACY,
                self.tr("Leave out personal data (phones, photos)"),
                defaultValue=False,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.OVERWRITE,
                self.tr("Replace existing files in the output folder"),
                defaultValue=False,
            )
        )
        self.addParameter(
            QgsProcessingParameterFolderDestination(
                self.OUTPUT, self.tr("Output folder")
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.FILES, self.tr("Zip files")))

    def process(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        path = self.project_location(parameters, context)
        layers = [
            DEFAULT_LAYERS[k]
            for k in self.parameterAsEnums(parameters, self.LAYERS, context)
        ]
        by = SPLITS[self.parameterAsEnum(parameters, self.BY, context)]
        crs = CRS_CHOICES[self.parameterAsEnum(parameters, self.CRS, context)]
        encoding = ENCODINGS[self.parameterAsEnum(parameters, self.ENCODING, context)]
        folder = Path(self.parameterAsString(parameters, self.OUTPUT, context))
        folder.mkdir(parents=True, exist_ok=True)
        store = self.open_store(path)
        with self.engine_errors():
            report = export_project(
                store,
                folder if by is not None else folder / f"{project_title(path)}.zip",
                layers=layers or None,
                fmt="shp",
                crs=crs,
                encoding=encoding,
                privacy=self.parameterAsBoolean(parameters, self.PRIVACY, context),
                by=by,
                overwrite=self.parameterAsBoolean(parameters, self.OVERWRITE, context),
                feedback=self.feedback_for(feedback),
            )
        feedback.pushInfo(report.summary().get())
        for warning in report.warnings:
            feedback.pushInfo(warning.get())
        for file in report.files:
            feedback.pushInfo(str(file))
        return {self.OUTPUT: str(folder), self.FILES: len(report.files)}
