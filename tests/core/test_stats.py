"""Figures per street, community and grid add up to the building layer."""

from gridgis.core.snapshot import Snapshot
from gridgis.core.stats import NOWHERE, project_stats
from tests.core.validate.district import C1, C2, G1, clean_district, rect


def _stats(district):
    return project_stats(
        snapshot=Snapshot.from_frames(district.frames, district.settings)
    )


def test_figures_per_level():
    stats = _stats(clean_district())
    grids = stats.grids.set_index("code")
    assert grids.loc[G1, "households"] == 400
    assert grids.loc[G1, "buildings"] == 4
    assert grids.loc[G1, "staff"] == 2  # the partner grid's backup does not count
    assert grids.loc[G1, "status"] == "within"
    communities = stats.communities.set_index("code")
    assert communities.loc[C1, "staff"] == 8
    assert communities.loc[C2, "divided"] == "no"
    assert communities.loc[C2, "households"] == 50
    assert stats.totals() == {
        "communities": 2, "grids": 4, "households": 1650, "population": 4280,
        "buildings": 17, "facilities": 5, "outside_band": 0, "staff": 8,
    }  # fmt: skip


def test_a_building_outside_every_community_is_counted_in_a_row_of_its_own():
    district = clean_district()
    district.add("buildings", [{"id": "B999", "households": 7, "population": 9}],
                 [rect(600, 50, 10, 10)])  # fmt: skip
    stats = _stats(district)
    assert stats.communities["name"].iloc[-1] == NOWHERE.get()
    assert stats.communities["households"].iloc[-1] == 7
    buildings = district.frames["buildings"]
    assert stats.totals()["households"] == buildings["households"].sum()
    assert stats.streets["households"].sum() == buildings["households"].sum()


def test_grids_outside_their_band_are_listed():
    district = clean_district()
    b = district.frames["buildings"]
    b.loc[b["id"] == "B001", "households"] = 300
    stats = _stats(district)
    assert stats.outside_band["code"].tolist() == [G1]
    assert stats.outside_band["status"].tolist() == ["above"]
    assert stats.totals()["outside_band"] == 1
