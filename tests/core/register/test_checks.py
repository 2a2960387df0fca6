"""The register drives households in stats and validation; the register rules."""

import pandas as pd

from gridgis.core.register import apply_register, plan_register
from gridgis.core.register.counts import (
    _per_building_arrow,
    _per_building_frames,
    category_counts,
)
from gridgis.core.stats import project_stats
from gridgis.core.store import GeoPackageStore
from gridgis.core.validate import validate_project
from tests.conftest import COMMUNITY
from tests.core.register.conftest import person_id

ROSTER = [
    "姓名,身份证号,重点人员类别,标准地址",
    f"甲,{person_id('320502', '19400101', '111')},高龄、党员,幸福路12号3幢1单元101",
    f"乙,{person_id('320502', '19410101', '112')},高龄,幸福路12号3幢1单元101",
    f"丙,{person_id('320502', '19800101', '113')},,幸福路12号4幢1单元101",
]


def _import(store, tmp_path):
    source = tmp_path / "roster.csv"
    source.write_text("\n".join(ROSTER), encoding="utf-8")
    apply_register(store, plan_register(store, source, "residents"))


def _rules(store, family="register"):
    return sorted(
        (i.rule, i.code, i.feature) for i in validate_project(store, rules=[family])
    )


def test_register_drives_stats_and_validation(addressed, tmp_path):
    grid1 = f"{COMMUNITY}001"
    before = project_stats(addressed).grids.set_index("code")
    assert before.loc[grid1, "households"] == 50  # B0 30 + B1 20 as stated
    assert _rules(addressed) == []  # no register yet: nothing to say
    _import(addressed, tmp_path)
    after = project_stats(addressed).grids.set_index("code")
    assert after.loc[grid1, "households"] == 2  # one house in B0, one in B1
    assert after.loc[grid1, "population"] == 3
    stored = addressed.read("grids").set_index("code")
    assert stored.loc[grid1, "households"] == 2  # the import relinked the totals
    assert _rules(addressed) == [
        ("register.coverage", f"{COMMUNITY}002", None),
        ("register.coverage", f"{COMMUNITY}003", None),
        ("register.coverage", f"{COMMUNITY}004", None),
        ("register.households", grid1, "B0"),
        ("register.households", grid1, "B1"),
    ]
    # The same check on the community alone finds the same.
    scoped = validate_project(addressed, community=COMMUNITY, rules=["register"])
    assert len(scoped) == 5

    # Clean: stated figures that agree, and a lower coverage the project accepts.
    buildings = addressed.read("buildings", columns=["id"])
    fids = buildings.index[buildings["id"].isin(["B0", "B1"])]
    with addressed.transaction() as tx:
        tx.update("buildings", pd.DataFrame({"households": [1, 1]}, index=fids))
        settings = addressed.settings.with_changes(
            extra={"validation": {"min_register_coverage": 0.0}}
        )
        tx.write_settings(settings)
    assert _rules(addressed) == []


def test_category_counts(addressed, tmp_path):
    _import(addressed, tmp_path)
    counts = category_counts(addressed)
    grids = counts.grids.set_index("code")
    assert grids.loc[
        f"{COMMUNITY}001", ["houses", "residents", "aged_80", "party_member"]
    ].tolist() == [2, 3, 2, 1]
    assert grids["residents"].sum() == 3
    assert counts.communities.set_index("code").loc[COMMUNITY, "aged_80"] == 2
    assert counts.streets["residents"].tolist() == [3]
    if isinstance(addressed, GeoPackageStore):
        # The file's quick reading agrees with the general one, row for row.
        quick = _per_building_arrow(addressed)
        assert quick.loc["B0", ["houses", "residents", "aged_80"]].tolist() == [1, 2, 2]
        pd.testing.assert_frame_equal(
            quick.sort_index(), _per_building_frames(addressed).sort_index(),
            check_like=True, check_index_type=False,
        )  # fmt: skip
