"""The validation panel: a model/view on the validator's findings, filtered, on the map."""

from __future__ import annotations

import pytest
import shapely
from qgis.PyQt.QtCore import Qt
from shapely.geometry import box

from gridgis.app.docks.validation import IssueFilter, IssueModel, ValidationDock
from gridgis.core.definitions import Level, Severity
from gridgis.core.i18n import Text
from gridgis.core.validate import Issue

pytestmark = pytest.mark.gui

A, B = "320599001001", "320599001002"


def _issue(rule, severity, community, code, x=558000.0):
    return Issue(
        rule=rule,
        severity=severity,
        level=Level.GRID,
        code=code,
        message=Text(f"问题 {code}", f"problem {code}"),
        location=box(x, 3_463_000, x + 50, 3_463_050),
        community=community,
    )


ISSUES = [
    _issue("capacity.over_band", Severity.ERROR, A, f"{A}001"),
    _issue("capacity.under_band", Severity.WARNING, A, f"{A}002"),
    _issue("topology.gap", Severity.ERROR, B, B, x=559000.0),
    _issue("shape.compactness", Severity.WARNING, B, f"{B}003", x=559500.0),
]


def test_model_lists_filters_and_replaces_one_community(qtbot):
    model = IssueModel()
    proxy = IssueFilter()
    proxy.setSourceModel(model)
    model.set_issues(ISSUES)
    assert model.rowCount() == 4
    assert model.counts() == (2, 2)
    # Errors first within a community.
    assert [i.code for i in proxy.shown()][:2] == [f"{A}001", f"{A}002"]
    proxy.set_severity(Severity.ERROR)
    assert {i.rule for i in proxy.shown()} == {"capacity.over_band", "topology.gap"}
    proxy.set_severity(None)
    proxy.set_rule("capacity")
    assert [i.community for i in proxy.shown()] == [A, A]
    proxy.set_rule("topology.gap")
    assert [i.code for i in proxy.shown()] == [B]
    proxy.set_rule(None)
    proxy.set_scope(False, B)
    assert {i.community for i in proxy.shown()} == {B}
    proxy.set_scope(True)
    # A check of community A after an edit replaces only A's findings.
    model.replace_community(A, [ISSUES[1]])
    assert [i.code for i in model.issues] == [f"{A}002", B, f"{B}003"]
    assert model.data(model.index(0, 3)) == "problem 320599001001002"


def test_panel_shows_hand_made_issues_and_zooms_to_one(qtbot, window):
    dock = ValidationDock(window.session, window.canvas, check_on_open=False)
    qtbot.addWidget(dock)
    dock.model.set_issues(ISSUES)
    assert dock.summary.text() == "2 errors, 2 warnings"
    dock.severity.setCurrentIndex(dock.severity.findData(Severity.WARNING))
    assert dock.proxy.rowCount() == 2
    assert dock.summary.text() == "0 errors, 2 warnings"
    dock.severity.setCurrentIndex(0)
    index = dock.proxy.index(2, 0)
    issue = dock.proxy.data(index, Qt.UserRole + 1)
    dock.view.clicked.emit(index)
    centre = window.canvas.extent().center()
    assert issue.location.buffer(50).contains(shapely.Point(centre.x(), centre.y()))
    assert dock.highlight.numberOfVertices() > 0
