"""The division log keeps every division, whoever wrote it and from whatever copy."""

import pytest

from gridgis.core.divide import DivisionOptions, apply_division, divide_community
from gridgis.core.divide.history import division_history
from gridgis.core.store import open_project

FIRST, SECOND = "320599001004", "320599002002"


@pytest.mark.parametrize("kind", ["gpkg", "postgis"])
def test_divisions_by_two_planners_of_different_communities_both_stay_logged(
    kind, request
):
    location = request.getfixturevalue("demo_copy" if kind == "gpkg" else "pg_demo")
    one, two = open_project(location), open_project(location)  # both read settings now
    first = divide_community(one, FIRST, DivisionOptions())
    second = divide_community(two, SECOND, DivisionOptions())
    revisions = [apply_division(one, first), apply_division(two, second)]
    log = division_history(open_project(location))
    assert set(log["community_code"]) >= {FIRST, SECOND}
    assert sorted(log["revision"].dropna()) == sorted(revisions)
    assert revisions[0] != revisions[1]
