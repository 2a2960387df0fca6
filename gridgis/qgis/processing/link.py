"""Processing algorithm ``gridgis:link``: buildings and facilities to their grids."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
)

from gridgis.core.link import link_project
from gridgis.core.staffing import pair_ab_partners
from gridgis.qgis.processing.base import GridGisAlgorithm


class LinkAlgorithm(GridGisAlgorithm):
    """Write the grid code of every building and facility and roll totals up."""

    ALGORITHM = "link"
    GROUP = "check"
    ICON = "link"

    PAIR_AB = "PAIR_AB"
    OUTPUT = "OUTPUT"
    BUILDINGS = "BUILDINGS"
    FACILITIES = "FACILITIES"
    CUT = "CUT"
    AMBIGUOUS = "AMBIGUOUS"

    def displayName(self) -> str:
        return self.tr("Link buildings and facilities")

    def shortHelpString(self) -> str:
        return self.tr(
            "Assigns every building and facility of a GridGIS project to the grid it "
            "stands in and writes its grid code, then rolls households and population "
            "up to grids, communities and streets — all in one transaction, so the "
            "project file is either fully updated or left as it was. A building "
            "belongs to the grid that holds a point inside its footprint.\n\n"
            "Community: link only this community (12-digit code); empty links the "
            "whole project.\n"
            "Pair AB posts: give every unpaired grid an adjacent AB partner (pairs "
            "already set are kept).\n\n"
            "The log lists the buildings cut by a grid boundary and those where grids "
            "overlap. Outputs: the project file (to chain algorithms in a model) and "
            "the number of buildings and facilities whose grid code changed."
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_project_parameter()
        self.add_community_parameter(
            optional=True,
            description=self.tr("Community code (empty: the whole project)"),
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.PAIR_AB, self.tr("Pair grids for AB posts"), defaultValue=False
            )
        )
        self.addOutput(QgsProcessingOutputFile(self.OUTPUT, self.tr("Project")))
        self.addOutput(
            QgsProcessingOutputNumber(self.BUILDINGS, self.tr("Buildings relinked"))
        )
        self.addOutput(
            QgsProcessingOutputNumber(self.FACILITIES, self.tr("Facilities relinked"))
        )
        self.addOutput(QgsProcessingOutputNumber(self.CUT, self.tr("Buildings cut")))
        self.addOutput(
            QgsProcessingOutputNumber(
                self.AMBIGUOUS, self.tr("Buildings and facilities in several grids")
            )
        )

    def process(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        path = self.project_location(parameters, context)
        community = self.community_code(parameters, context)
        pair_ab = self.parameterAsBoolean(parameters, self.PAIR_AB, context)
        store = self.open_store(path)
        with self.engine_errors():
            report = link_project(
                store, community=community, feedback=self.feedback_for(feedback)
            )
            self.written = path
            pairs = pair_ab_partners(store, community=community) if pair_ab else None

        written = report.written
        feedback.pushInfo(
            self.tr(
                "Wrote the grid code of {buildings} buildings and {facilities} "
                "facilities; households and population of {grids} grids, "
                "{communities} communities and {streets} streets."
            ).format(
                buildings=written.get("buildings", 0),
                facilities=written.get("facilities", 0),
                grids=written.get("grids", 0),
                communities=written.get("communities", 0),
                streets=written.get("streets", 0),
            )
        )
        for row in report.cut.itertuples():
            feedback.pushInfo(
                self.tr(
                    "Building {id} is cut: it belongs to {grid} and reaches into "
                    "{other}"
                ).format(id=row.id, grid=row.grid_code, other=row.other)
            )
        for row in report.ambiguous.itertuples():
            feedback.pushInfo(
                self.tr("{id} lies where grids overlap").format(id=row.id)
            )
        if pairs is not None:
            feedback.pushInfo(
                self.tr(
                    "AB pairs: kept {kept}, made {made}; {unpaired} grids have no "
                    "free neighbour."
                ).format(
                    kept=len(pairs.kept),
                    made=len(pairs.made),
                    unpaired=len(pairs.unpaired),
                )
            )
        return {
            self.OUTPUT: str(path),
            self.BUILDINGS: written.get("buildings", 0),
            self.FACILITIES: written.get("facilities", 0),
            self.CUT: len(report.cut),
            self.AMBIGUOUS: len(report.ambiguous),
        }
