"""``validate --link --write-layer``: the link and the findings land together."""

import pandas as pd
import pytest

import gridgis.core.validate as validation
from gridgis.core.store import open_project


def _unlink(store) -> int:
    buildings = store.read("buildings", columns=["grid_code"])
    with store.transaction(tool="test") as tx:
        tx.update("buildings", pd.DataFrame({"grid_code": None}, index=buildings.index))
    return len(buildings)


def test_a_failed_check_leaves_neither_the_link_nor_the_findings(
    demo_copy, monkeypatch
):
    store = open_project(demo_copy)
    n = _unlink(store)
    issues_before = store.count("issues")

    def broken(*args, **kwargs):
        raise RuntimeError("check failed")

    monkeypatch.setattr(validation, "validate_project", broken)
    with pytest.raises(RuntimeError, match="check failed"):
        validation.validation_report(store, link=True, write_layer=True)
    assert store.count("buildings", where={"grid_code": None}) == n
    assert store.count("issues") == issues_before


def test_link_and_findings_are_written_in_one_go(demo_copy):
    store = open_project(demo_copy)
    linked = store.count("buildings") - store.count(
        "buildings", where={"grid_code": None}
    )
    _unlink(store)
    before = store.read("changes", columns=["change_set"])["change_set"].max()
    report = validation.validation_report(store, link=True, write_layer=True)
    assert report.link is not None
    assert report.written == len(report.issues) == store.count("issues") > 0
    unlinked = store.count("buildings", where={"grid_code": None})
    assert store.count("buildings") - unlinked == linked > 0
    # One change set: the link and the findings are one transaction.
    log = store.read("changes", columns=["change_set"])
    assert set(log.loc[log["change_set"] > before, "change_set"]) == {before + 1}
