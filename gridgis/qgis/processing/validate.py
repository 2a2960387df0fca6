"""Processing algorithm ``gridgis:validate``: check a project, findings as a layer."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
)

from gridgis.core.definitions import Severity
from gridgis.core.validate import issues_frame, validation_report, write_issues
from gridgis.qgis.features import frame_features, layer_fields, layer_wkb_type
from gridgis.qgis.processing.base import GridGisAlgorithm, StyleOutput

#: Findings also written to the algorithm's log (all of them are in the layer).
LOGGED_ISSUES = 200


class ValidateAlgorithm(GridGisAlgorithm):
    """Check every rule of the grid system; each finding becomes a feature."""

    ALGORITHM = "validate"
    GROUP = "check"
    ICON = "validate"

    LINK = "LINK"
    WRITE_LAYER = "WRITE_LAYER"
    OUTPUT = "OUTPUT"
    ERRORS = "ERRORS"
    WARNINGS = "WARNINGS"

    def displayName(self) -> str:
        return self.tr("Validate project")

    def shortHelpString(self) -> str:
        return self.tr(
            "Checks a GridGIS project against every rule of the grid system: "
            "geometry, topology (gaps and overlaps between the grids of a community), "
            "household bands, buildings and facilities in exactly one grid, staffing, "
            "codes and shape. Each finding becomes a feature of the output layer with "
            "its rule, severity, code and a message in Chinese and English that says "
            "what to do; findings without a place have no geometry.\n\n"
            "Community: check only this community (12-digit code); empty checks the "
            "whole project. Communities without grids are not yet divided and are "
            "not checked.\n"
            "Link first: write the grid codes of buildings and facilities and the "
            "household totals into the project before checking (the project file is "
            "changed).\n"
            "Store the findings in the project: replace the project's issues layer "
            "with these findings (the project file is changed).\n\n"
            "The algorithm succeeds whatever it finds; the outputs ERRORS and "
            "WARNINGS count the findings."
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_project_parameter()
        self.add_community_parameter(
            optional=True,
            description=self.tr("Community code (empty: the whole project)"),
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.LINK,
                self.tr("Link buildings and facilities first (writes the project)"),
                defaultValue=False,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.WRITE_LAYER,
                self.tr("Store the findings in the project's issues layer"),
                defaultValue=False,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, self.tr("Issues"), QgsProcessing.TypeVectorPolygon
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.ERRORS, self.tr("Errors")))
        self.addOutput(QgsProcessingOutputNumber(self.WARNINGS, self.tr("Warnings")))

    def process(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        path = self.project_location(parameters, context)
        community = self.community_code(parameters, context)
        link = self.parameterAsBoolean(parameters, self.LINK, context)
        write = self.parameterAsBoolean(parameters, self.WRITE_LAYER, context)
        store = self.open_store(path)
        progress = self.feedback_for(feedback)
        with self.engine_errors():
            report = validation_report(
                store,
                community=community,
                link=link,
                feedback=progress.part(0, 90) if progress else None,
            )
            if link or write:
                self.written = path
            if write:
                write_issues(store, report.issues, community=community)

        fields = layer_fields("issues")
        sink, dest_id = self.parameterAsSink(
            parameters,
            self.OUTPUT,
            context,
            fields,
            layer_wkb_type("issues"),
            self.crs(store),
        )
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        StyleOutput.attach(context, dest_id, "issues", store.settings)
        frame = issues_frame(report.issues, store.crs)
        total = max(len(frame), 1)
        for k, feature in enumerate(frame_features(frame, fields)):
            if feedback.isCanceled():
                break
            sink.addFeature(feature, QgsFeatureSink.FastInsert)
            feedback.setProgress(90 + 10 * (k + 1) / total)

        for issue in report.issues[:LOGGED_ISSUES]:
            line = f"{issue.severity.label.get()} [{issue.rule}] {issue.message.get()}"
            if issue.severity is Severity.ERROR:
                feedback.pushWarning(line)
            else:
                feedback.pushInfo(line)
        if len(report.issues) > LOGGED_ISSUES:
            feedback.pushInfo(
                self.tr("… and {more} more findings in the output layer.").format(
                    more=len(report.issues) - LOGGED_ISSUES
                )
            )
        feedback.pushInfo(
            self.tr(
                "{errors} errors, {warnings} warnings; {undivided} communities "
                "not yet divided."
            ).format(
                errors=report.errors,
                warnings=report.warnings,
                undivided=len(report.undivided),
            )
        )
        return {
            self.OUTPUT: dest_id,
            self.ERRORS: report.errors,
            self.WARNINGS: report.warnings,
        }
