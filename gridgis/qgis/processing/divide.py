"""Processing algorithm ``gridgis:divide``: divide a community into grids.

By default the algorithm only computes: the grids go to the output layer and the
quality report to an HTML file, and the project is left untouched, so a planner can
look at a division (or several, in batch mode with different bands) before accepting
one. With "write into the project" the division is written like ``gridgis divide``
does: in one transaction, the replaced grids kept in the project's history (undo with
``gridgis divide --restore``), then buildings and totals linked again.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from gridgis.core.definitions import GridKind, OverlayKind
from gridgis.core.divide import DivisionOptions, apply_division, divide_community
from gridgis.core.divide.report import QualityReport
from gridgis.core.i18n import current_language
from gridgis.core.settings import HouseholdBand
from gridgis.qgis.features import frame_features, layer_fields, layer_wkb_type
from gridgis.qgis.processing.base import GridGisAlgorithm, StyleOutput

#: Overlay kinds a division can respect, in the order the parameter lists them.
OVERLAY_KINDS = [k.value for k in OverlayKind]


def report_document(report: QualityReport, language: str | None = None) -> str:
    """The quality report as a complete HTML page (UTF-8, readable in any browser)."""
    language = language or current_language()
    title = html.escape(report.to_text(language).splitlines()[0])
    lang = "zh-CN" if language == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>\n"
        "body { font-family: 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif; }\n"
        "th { text-align: left; padding-right: 1.5em; font-weight: normal; "
        "color: #444; }\n"
        "</style>\n</head>\n<body>\n"
        f"{report.to_html(language)}\n</body>\n</html>\n"
    )


class DivideAlgorithm(GridGisAlgorithm):
    """Cut a community into grids inside the household band, along roads."""

    ALGORITHM = "divide"
    GROUP = "divide"
    ICON = "divide"

    MIN_HOUSEHOLDS = "MIN_HOUSEHOLDS"
    MAX_HOUSEHOLDS = "MAX_HOUSEHOLDS"
    GRIDS = "GRIDS"
    RESPECT = "RESPECT"
    LOCK = "LOCK"
    UNIT_GRIDS = "UNIT_GRIDS"
    WRITE = "WRITE"
    OUTPUT = "OUTPUT"
    REPORT = "REPORT"
    PROJECT_OUT = "PROJECT_OUT"
    GRID_COUNT = "GRID_COUNT"
    IN_BAND = "IN_BAND"
    REVISION = "REVISION"

    def displayName(self) -> str:
        return self.tr("Divide a community")

    def shortHelpString(self) -> str:
        return self.tr(
            "Divides a community of a GridGIS project into responsibility grids that "
            "stay inside the household band, follow roads where there are roads, "
            "never cut a building and are numbered west to east, north to south. "
            "The grids go to the output layer, the quality report (grids in band, "
            "households per grid, compactness, boundary on roads, cut buildings, "
            "gaps and overlaps, and why a band cannot be met) to an HTML file.\n\n"
            "Minimum/maximum households: the band for this division (empty: the "
            "project's band for residential grids).\n"
            "Number of grids: a hint; the nearest number the band allows is used.\n"
            "Respect overlays: grids do not cross these boundaries (police areas, "
            "school districts, …).\n"
            "Grids to keep: codes of existing grids kept exactly as they are, "
            "separated by commas.\n"
            "Write into the project: off by default — nothing is written and the "
            "project is unchanged. When on, the division replaces the community's "
            "grids in one transaction; the grids it replaces are kept in the "
            "project's history (gridgis divide --restore puts them back) and "
            "buildings and totals are linked again."
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_project_parameter()
        self.add_community_parameter(
            optional=False, description=self.tr("Community code (12 digits)")
        )
        for name, label in (
            (self.MIN_HOUSEHOLDS, self.tr("Minimum households per grid")),
            (self.MAX_HOUSEHOLDS, self.tr("Maximum households per grid")),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(
                    name,
                    label,
                    QgsProcessingParameterNumber.Integer,
                    optional=True,
                    minValue=0,
                )
            )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.GRIDS,
                self.tr("Number of grids (a hint)"),
                QgsProcessingParameterNumber.Integer,
                optional=True,
                minValue=1,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.RESPECT,
                self.tr("Respect overlays"),
                options=[OverlayKind(k).label.get() for k in OVERLAY_KINDS],
                allowMultiple=True,
                optional=True,
                defaultValue=[],
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.LOCK,
                self.tr("Grids to keep (codes, separated by commas)"),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.UNIT_GRIDS,
                self.tr("Keep schools and hospitals as unit grids"),
                defaultValue=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.WRITE, self.tr("Write into the project"), defaultValue=False
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, self.tr("Grids"), QgsProcessing.TypeVectorPolygon
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.REPORT,
                self.tr("Quality report"),
                self.tr("HTML files (*.html)"),
            )
        )
        self.addOutput(QgsProcessingOutputFile(self.PROJECT_OUT, self.tr("Project")))
        self.addOutput(QgsProcessingOutputNumber(self.GRID_COUNT, self.tr("Grids")))
        self.addOutput(
            QgsProcessingOutputNumber(
                self.IN_BAND, self.tr("Residential grids in band")
            )
        )
        self.addOutput(
            QgsProcessingOutputNumber(
                self.REVISION, self.tr("Revision written (0: not written)")
            )
        )

    def _options(
        self, parameters: dict[str, Any], context: QgsProcessingContext, store: Any
    ) -> DivisionOptions:
        bands = {}
        given = {
            key: self.parameterAsInt(parameters, key, context)
            if parameters.get(key) not in (None, "")
            else None
            for key in (self.MIN_HOUSEHOLDS, self.MAX_HOUSEHOLDS)
        }
        if any(v is not None for v in given.values()):
            base = store.settings.band(GridKind.RESIDENTIAL)
            low = given[self.MIN_HOUSEHOLDS]
            high = given[self.MAX_HOUSEHOLDS]
            bands[GridKind.RESIDENTIAL.value] = HouseholdBand(
                base.min if low is None else low, base.max if high is None else high
            )
        grids = (
            self.parameterAsInt(parameters, self.GRIDS, context)
            if parameters.get(self.GRIDS) not in (None, "")
            else None
        )
        respect = tuple(
            OVERLAY_KINDS[k]
            for k in self.parameterAsEnums(parameters, self.RESPECT, context)
        )
        lock_text = self.parameterAsString(parameters, self.LOCK, context) or ""
        locked = tuple(
            c
            for c in (part.strip() for part in lock_text.replace("，", ",").split(","))
            if c
        )
        return DivisionOptions(
            bands=bands,
            grids=grids,
            locked=locked,
            respect=respect,
            unit_grids=self.parameterAsBoolean(parameters, self.UNIT_GRIDS, context),
        )

    def process(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        path = self.project_location(parameters, context)
        community = self.community_code(parameters, context)
        if community is None:
            raise QgsProcessingException(
                self.tr("Give the code of the community to divide (12 digits).")
            )
        write = self.parameterAsBoolean(parameters, self.WRITE, context)
        store = self.open_store(path)
        progress = self.feedback_for(feedback)
        revision = 0
        with self.engine_errors():
            options = self._options(parameters, context, store)
            division = divide_community(
                store,
                community,
                options,
                feedback=progress.part(0, 80) if progress else None,
            )
            if write:
                if feedback.isCanceled():
                    raise QgsProcessingException(
                        self.tr("Cancelled; nothing was written.")
                    )
                revision = apply_division(store, division)
                self.written = path
        feedback.setProgress(90)

        fields = layer_fields("grids")
        sink, dest_id = self.parameterAsSink(
            parameters,
            self.OUTPUT,
            context,
            fields,
            layer_wkb_type("grids"),
            self.crs(store),
        )
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        StyleOutput.attach(context, dest_id, "grids", store.settings)
        for feature in frame_features(division.grids, fields):
            sink.addFeature(feature, QgsFeatureSink.FastInsert)

        report = division.report
        report_path = self.parameterAsFileOutput(parameters, self.REPORT, context)
        Path(report_path).write_text(report_document(report), encoding="utf-8")
        for line in report.to_text().splitlines():
            feedback.pushInfo(line)
        if write:
            feedback.pushInfo(
                self.tr("Written into the project as revision {revision}.").format(
                    revision=revision
                )
            )
        else:
            feedback.pushInfo(self.tr("Nothing was written into the project."))
        feedback.setProgress(100)
        return {
            self.OUTPUT: dest_id,
            self.REPORT: report_path,
            self.PROJECT_OUT: str(path),
            self.GRID_COUNT: report.grids,
            self.IN_BAND: report.in_band,
            self.REVISION: revision,
        }
