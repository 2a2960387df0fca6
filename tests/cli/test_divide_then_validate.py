"""Dividing the demo's undivided communities leaves no capacity or topology error there."""

import json

import pytest
from click.testing import CliRunner

from gridgis.cli import main
from gridgis.core.divide import undivided_communities
from gridgis.core.store import open_project


@pytest.mark.slow
def test_divide_every_undivided_community_then_validate(demo_copy):
    targets = undivided_communities(open_project(demo_copy))
    assert len(targets) == 7
    runner = CliRunner()
    divided = runner.invoke(
        main, ["--lang", "en", "divide", str(demo_copy), "--undivided"]
    )
    assert divided.exit_code == 0, divided.output
    assert undivided_communities(open_project(demo_copy)) == []

    checked = runner.invoke(
        main, ["--lang", "en", "validate", str(demo_copy), "--format", "json"]
    )
    report = json.loads(checked.output)
    errors_there = [
        issue
        for issue in report["issues"]
        if issue["severity"] == "error"
        and issue["rule"].split(".")[0] in ("capacity", "topology")
        and (issue.get("community") or "") in targets
    ]
    assert errors_there == []
    # The seeded faults of the communities divided before are still reported.
    rules = {
        issue["rule"] for issue in report["issues"] if issue["severity"] == "error"
    }
    assert {"topology.gap", "topology.overlap", "capacity.above_band"} <= rules
    assert report["undivided"] == []
    assert {c["code"] for c in report["communities"] if c["divided"]} >= set(targets)
