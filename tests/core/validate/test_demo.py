"""The validator on the demo district: exactly the seeded faults, per community too."""

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from gridgis.core.definitions import Level, Severity
from gridgis.core.i18n import Text
from gridgis.core.progress import Cancelled, Recorder
from gridgis.core.store import MemoryStore, open_project
from gridgis.core.validate import (
    Issue,
    issues_frame,
    validate_project,
    validation_report,
    write_issues,
)
from gridgis.core.validate.layer import LINE_BUFFER, POINT_BUFFER
from tests.conftest import validate_gpkg

#: What each kind of seeded fault is called by the validator.
FAULT_RULES = {
    "gap": "topology.gap",
    "overlap": "topology.overlap",
    "over_full": "capacity.above_band",
    "no_leader": "staffing.missing_role",
}


def _expected(store):
    faults = store.settings.extra["demo"]["faults"]
    return sorted((FAULT_RULES[f["kind"]], f["codes"]) for f in faults)


def _matches(issue, codes):
    """Whether the issue names the fault's objects (a gap names its community)."""
    if issue.rule == "topology.gap":
        return issue.code == codes[0][:12] and all(c in issue.message.en for c in codes)
    return issue.code in codes and all(c in issue.message.en for c in codes)


def test_the_demo_gives_exactly_its_seeded_faults(demo_copy):
    store = open_project(demo_copy)
    issues = validate_project(store)
    expected = _expected(store)
    assert sorted(i.rule for i in issues) == sorted(rule for rule, _ in expected)
    for rule, codes in expected:
        (issue,) = [i for i in issues if i.rule == rule]
        assert _matches(issue, codes), (issue, codes)
        assert issue.severity is Severity.ERROR
        assert issue.location is not None
        assert issue.location.area > 0
    overlap = next(i for i in issues if i.rule == "topology.overlap")
    assert 100 < overlap.location.area < 400


def test_each_community_alone_gives_what_the_whole_check_gives_for_it(demo_copy):
    store = open_project(demo_copy)
    whole = validate_project(store)
    for code in store.read("communities")["code"]:
        alone = validate_project(store, community=code)
        assert [i.as_dict() for i in alone] == [
            i.as_dict() for i in whole if i.community == code
        ], code


def test_a_memory_store_gives_the_same_findings(demo_copy):
    source = open_project(demo_copy)
    memory = MemoryStore(source.settings)
    with memory.transaction() as tx:
        for layer in ("streets", "communities", "grids", "buildings", "facilities",
                      "roads", "overlays", "staff", "assignments"):  # fmt: skip
            tx.insert(layer, source.read(layer))
    gpkg = [i.as_dict() for i in validate_project(source)]
    assert [i.as_dict() for i in validate_project(memory)] == gpkg
    community = "320599001002"
    alone = [i.as_dict() for i in validate_project(memory, community=community)]
    assert alone == [i for i in gpkg if i["community"] == community]


def test_an_edit_is_found_when_its_community_is_checked_again(demo_copy):
    store = open_project(demo_copy)
    grids = store.read("grids", where={"community_code": "320599002002"})
    assert grids.empty  # not divided: nothing to find
    grids = store.read("grids", where={"community_code": "320599003004"})
    fid = grids.index[0]
    shrunk = grids.loc[[fid], ["geometry"]].copy()
    shrunk["geometry"] = shrunk.geometry.buffer(-3)
    with store.transaction() as tx:
        tx.update("grids", shrunk)
    issues = validate_project(store, community="320599003004")
    rules = {i.rule for i in issues}
    assert "topology.gap" in rules


def test_the_report_lists_undivided_communities_and_links_on_request(demo_copy):
    store = open_project(demo_copy)
    report = validation_report(store, link=True)
    assert report.errors == 4
    assert report.warnings == 0
    assert len(report.undivided) == 7
    assert {c.code for c in report.communities if c.errors} == {
        codes[0][:12] for _, codes in _expected(store)
    }
    assert report.link is not None
    assert report.link.written["grids"] == 57
    groups = report.by_community()
    assert [len(found) for _, found in groups] == [1, 1, 1, 1]


def test_progress_is_reported_and_cancelling_stops(demo_copy):
    store = open_project(demo_copy)
    feedback = Recorder()
    validate_project(store, feedback=feedback)
    assert feedback.values[-1] == 100.0
    assert feedback.values == sorted(feedback.values)
    with pytest.raises(Cancelled):
        validate_project(store, feedback=Recorder(cancel_after=50.0))


def test_findings_are_written_to_the_issues_layer(demo_copy):
    store = open_project(demo_copy)
    issues = validate_project(store)
    assert write_issues(store, issues) == 4
    stored = store.read("issues")
    assert sorted(stored["rule"]) == sorted(i.rule for i in issues)
    assert set(stored.geometry.geom_type) == {"MultiPolygon"}
    assert stored["message_zh"].str.contains("请").all()
    assert set(stored["community_code"]) == {i.community for i in issues}
    assert validate_gpkg(demo_copy).returncode == 0
    # Checking one community again replaces only that community's findings.
    community = "320599001001"
    write_issues(store, [], community=community)
    assert sorted(store.read("issues")["community_code"]) == sorted(
        i.community for i in issues if i.community != community
    )


def test_points_and_lines_become_small_polygons_in_the_issues_layer():
    text = Text("请检查。", "Check it.")
    issues = [
        Issue("a.point", Severity.ERROR, Level.GRID, "1", text, Point(0, 0)),
        Issue(
            "a.line",
            Severity.WARNING,
            Level.GRID,
            "2",
            text,
            LineString([(0, 0), (100, 0)]),
        ),
        Issue("a.polygon", Severity.ERROR, Level.GRID, "3", text, box(0, 0, 10, 10)),
        Issue("a.none", Severity.WARNING, Level.GRID, None, text, None),
    ]
    frame = issues_frame(issues, 4549)
    geoms = frame.geometry.values
    assert list(frame.geometry.geom_type[:3]) == ["MultiPolygon"] * 3
    assert shapely.area(geoms[0]) == pytest.approx(np.pi * POINT_BUFFER**2, rel=0.02)
    assert shapely.area(geoms[1]) == pytest.approx(200 * LINE_BUFFER, rel=0.05)
    assert shapely.area(geoms[2]) == pytest.approx(100)
    assert geoms[3] is None


def test_findings_without_a_location_are_stored_without_geometry(store):
    text = Text("请补充电话。", "Add a phone.")
    issues = [
        Issue(
            "staffing.phone",
            Severity.ERROR,
            Level.GRID,
            None,
            text,
            None,
            feature="S0001",
        ),
        Issue(
            "linkage.facility_unassigned",
            Severity.ERROR,
            Level.COMMUNITY,
            "320508001001",
            text,
            Point(500_000, 3_460_000),
            community="320508001001",
            feature="F1",
        ),
    ]
    assert write_issues(store, issues) == 2
    stored = store.read("issues").sort_values("rule")
    assert stored["feature"].tolist() == ["F1", "S0001"]
    assert stored.geometry.isna().tolist() == [False, True]
