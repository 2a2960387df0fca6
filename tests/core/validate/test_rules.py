"""Every rule finds its one seeded fault in the small district, and nothing else fires.

Each case puts one fault into the clean district and lists everything the validator
must then report: the rule under test, and only where a fault cannot exist alone (a
building in a gap is also a gap) the unavoidable companion.
"""

from collections.abc import Callable

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from gridgis.core.definitions import Level, Severity
from gridgis.core.settings import HouseholdBand
from gridgis.core.validate import RULES, validate_frames
from tests.core.validate.district import (
    C1,
    C2,
    G1,
    G2,
    G3,
    G4,
    X0,
    Y0,
    District,
    at,
    clean_district,
    line,
    rect,
    rule_counts,
)


def check(district: District, **kwargs):
    return validate_frames(district.frames, district.settings, **kwargs)


def test_the_clean_district_has_no_findings():
    issues = check(clean_district())
    assert issues == []


def test_every_rule_has_a_seeded_fault():
    assert set(RULES) == {rule_id for rule_id, _, _ in CASES}


def _set_building(d: District, building_id: str, **values) -> None:
    b = d.frames["buildings"]
    fid = b.index[b["id"] == building_id][0]
    for name, value in values.items():
        b.loc[fid, name] = value


def _geometry_empty(d):
    d.set_grid(G4, geometry=Polygon())


def _geometry_invalid(d):
    # A zero-width spike into the grid: the same area, an invalid ring.
    ring = [
        (100, 0),
        (200, 0),
        (200, 100),
        (150, 100),
        (150, 50),
        (150, 100),
        (100, 100),
    ]
    d.set_grid(G4, geometry=Polygon([(X0 + x, Y0 + y) for x, y in ring]))


def _geometry_multipart(d):
    # An island of grid 004 inside grid 003 (the tiling stays exact).
    island = rect(40, 40, 20, 20)
    d.set_grid(G3, geometry=rect(0, 0, 100, 100).difference(island))
    d.set_grid(G4, geometry=MultiPolygon([rect(100, 0, 100, 100), island]))


def _coding_malformed(d):
    d.frames["communities"].loc[2, "code"] = "3205080010020"  # 13 digits


def _coding_duplicate(d):
    # Grid 004 takes grid 003's code (and its people follow it).
    d.set_grid(G3, ab_partner=None)
    d.set_grid(G4, code=G3, ab_partner=None)
    a = d.frames["assignments"]
    a.loc[a["grid_code"] == G4, "grid_code"] = G3
    d.frames["assignments"] = a[~a["is_backup"] | ~a["grid_code"].isin([G3, G4])]


def _coding_prefix(d):
    wrong = f"{C2}004"
    d.set_grid(G4, code=wrong)
    d.set_grid(G3, ab_partner=wrong)
    a = d.frames["assignments"]
    a.loc[a["grid_code"] == G4, "grid_code"] = wrong


def _coding_parent_missing(d):
    c = d.frames["communities"]
    c.loc[2, "code"] = "320508002001"
    c.loc[2, "street_code"] = "320508002"


def _topology_overlap(d):
    d.set_grid(G1, geometry=rect(0, 100, 110, 100))


def _topology_gap(d):
    d.set_grid(G4, geometry=rect(100, 0, 90, 100))


def _topology_outside_community(d):
    d.set_grid(G2, geometry=rect(100, 100, 105, 100))


def _topology_outside_street(d):
    d.frames["communities"].loc[2, "geometry"] = rect(200, 0, 210, 200)


def _capacity_band_setting(d):
    d.set_grid(G2, min_households=500, max_households=300)


def _capacity_above_band(d):
    _set_building(d, "B001", households=220)


def _capacity_below_band(d):
    _set_building(d, "B001", households=20)
    _set_building(d, "B002", households=20)


def _capacity_building_above_band(d):
    _set_building(d, "B001", households=520)


def _linkage_building_unassigned(d):
    _topology_gap(d)
    d.add("buildings", [{"id": "B950", "households": 0, "population": 0}],
          [rect(192, 40, 6, 6)])  # fmt: skip


def _linkage_facility_unassigned(d):
    _topology_gap(d)
    d.add("facilities", [{"id": "F9", "name": "岗亭", "category": "police"}],
          [at(195, 50)])  # fmt: skip


def _linkage_building_ambiguous(d):
    _topology_overlap(d)
    d.add("buildings", [{"id": "B950", "households": 0, "population": 0}],
          [rect(102, 150, 6, 6)])  # fmt: skip


def _linkage_facility_ambiguous(d):
    _topology_overlap(d)
    d.add("facilities", [{"id": "F9", "name": "岗亭", "category": "police"}],
          [at(105, 130)])  # fmt: skip


def _linkage_building_cut(d):
    d.add("buildings", [{"id": "B950", "households": 10, "population": 20}],
          [rect(97, 150, 10, 10)])  # fmt: skip


def _linkage_stale(d):
    d.set_grid(G3, households=399)
    d.frozen = True


def _staffing_missing_role(d):
    a = d.frames["assignments"]
    d.frames["assignments"] = a[
        ~((a["grid_code"] == G1) & (a["role"] == "grid_leader"))
    ]


def _staffing_unknown_role(d):
    d.add("assignments", [{"staff_id": "S01", "grid_code": G1, "role": "mayor",
                           "is_backup": False}])  # fmt: skip


def _staffing_unknown_grid(d):
    d.add("assignments", [{"staff_id": "S01", "grid_code": f"{C1}009",
                           "role": "part_time", "is_backup": False}])  # fmt: skip


def _staffing_unknown_staff(d):
    d.add("assignments", [{"staff_id": "S99", "grid_code": G1, "role": "part_time",
                           "is_backup": False}])  # fmt: skip


def _staffing_phone(d):
    d.frames["staff"].loc[3, "phone"] = "1391234567"  # ten digits


def _staffing_phone_missing(d):
    d.frames["staff"].loc[3, "phone"] = None


def _staffing_backup_not_partner(d):
    d.add("assignments", [{"staff_id": "S02", "grid_code": G4, "role": "full_time",
                           "is_backup": True}])  # fmt: skip


def _drop_backups(d, grids):
    a = d.frames["assignments"]
    d.frames["assignments"] = a[~(a["is_backup"] & a["grid_code"].isin(grids))]


def _staffing_ab_unknown(d):
    d.set_grid(G1, ab_partner=f"{C1}099")
    d.set_grid(G2, ab_partner=None)
    _drop_backups(d, [G1, G2])


def _staffing_ab_not_mutual(d):
    d.set_grid(G2, ab_partner=None)
    _drop_backups(d, [G2])


def _staffing_ab_not_adjacent(d):
    # Diagonal partners meet at one corner only.
    for a, b in ((G1, G4), (G2, G3)):
        d.set_grid(a, ab_partner=b)
        d.set_grid(b, ab_partner=a)
    frame = d.frames["assignments"]
    backup = frame["is_backup"]
    partner = {G1: G4, G4: G1, G2: G3, G3: G2}
    own = frame[~backup].set_index("staff_id")
    workers = own[own["role"] == "full_time"]["grid_code"]
    frame.loc[backup, "grid_code"] = [
        partner[workers[s]] for s in frame.loc[backup, "staff_id"]
    ]


def _shape_compactness(d):
    # Grids 001 and 002 hook into each other (L shapes); the threshold is raised to a
    # value squares pass and the hooks do not.
    d.settings = d.settings.with_changes(extra={"validation": {"min_compactness": 0.5}})
    hook = rect(40, 100, 120, 60)
    d.set_grid(G1, geometry=rect(0, 100, 160, 100).difference(hook))
    d.set_grid(
        G2,
        geometry=rect(100, 100, 100, 100).union(hook).difference(rect(0, 160, 160, 40)),
    )


def _shape_road_crossing(d):
    d.add("roads", [{"id": "R9", "name": "解放路", "class": "arterial"}],
          [line((50, 100), (50, 200))])  # fmt: skip


def _shape_overlay_crossing(d):
    o = d.frames["overlays"]
    o.loc[2, "geometry"] = rect(0, 0, 150, 200)
    o.loc[3, "geometry"] = rect(150, 0, 250, 200)


def _register(d, skip=(), **changed):
    """Register every building of community 001 as stated, but ``skip`` and ``changed``."""
    b = d.frames["buildings"]
    for building_id in b["id"]:
        if building_id == "B900" or building_id in skip:
            continue
        households = changed.get(building_id, 100)
        _set_building(d, building_id, reg_households=households, reg_population=260)


def _register_households(d):
    _register(d, B001=90)


def _register_coverage(d):
    _register(d, skip=("B016",))


CASES: list[tuple[str, Callable[[District], None], dict[str, int]]] = [
    ("geometry.empty", _geometry_empty,
     {"geometry.empty": 1, "topology.gap": 1, "capacity.below_band": 1,
      "linkage.building_unassigned": 4, "linkage.facility_unassigned": 1,
      "staffing.ab_not_adjacent": 2}),
    ("geometry.invalid", _geometry_invalid, {"geometry.invalid": 1}),
    ("geometry.multipart", _geometry_multipart, {"geometry.multipart": 1}),
    ("coding.malformed", _coding_malformed, {"coding.malformed": 1}),
    ("coding.duplicate", _coding_duplicate, {"coding.duplicate": 2}),
    ("coding.prefix", _coding_prefix, {"coding.prefix": 1}),
    ("coding.parent_missing", _coding_parent_missing, {"coding.parent_missing": 1}),
    ("topology.overlap", _topology_overlap, {"topology.overlap": 1}),
    ("topology.gap", _topology_gap, {"topology.gap": 1}),
    ("topology.outside_community", _topology_outside_community,
     {"topology.outside_community": 1}),
    ("topology.outside_street", _topology_outside_street, {"topology.outside_street": 1}),
    ("capacity.band_setting", _capacity_band_setting, {"capacity.band_setting": 1}),
    ("capacity.above_band", _capacity_above_band, {"capacity.above_band": 1}),
    ("capacity.below_band", _capacity_below_band, {"capacity.below_band": 1}),
    ("capacity.building_above_band", _capacity_building_above_band,
     {"capacity.building_above_band": 1, "capacity.above_band": 1}),
    ("linkage.building_unassigned", _linkage_building_unassigned,
     {"linkage.building_unassigned": 1, "topology.gap": 1}),
    ("linkage.facility_unassigned", _linkage_facility_unassigned,
     {"linkage.facility_unassigned": 1, "topology.gap": 1}),
    ("linkage.building_ambiguous", _linkage_building_ambiguous,
     {"linkage.building_ambiguous": 1, "topology.overlap": 1}),
    ("linkage.facility_ambiguous", _linkage_facility_ambiguous,
     {"linkage.facility_ambiguous": 1, "topology.overlap": 1}),
    ("linkage.building_cut", _linkage_building_cut, {"linkage.building_cut": 1}),
    ("linkage.stale", _linkage_stale, {"linkage.stale": 1}),
    ("staffing.missing_role", _staffing_missing_role, {"staffing.missing_role": 1}),
    ("staffing.unknown_role", _staffing_unknown_role, {"staffing.unknown_role": 1}),
    ("staffing.unknown_grid", _staffing_unknown_grid, {"staffing.unknown_grid": 1}),
    ("staffing.unknown_staff", _staffing_unknown_staff, {"staffing.unknown_staff": 1}),
    ("staffing.phone", _staffing_phone, {"staffing.phone": 1}),
    ("staffing.phone_missing", _staffing_phone_missing, {"staffing.phone_missing": 1}),
    ("staffing.backup_not_partner", _staffing_backup_not_partner,
     {"staffing.backup_not_partner": 1}),
    ("staffing.ab_unknown", _staffing_ab_unknown, {"staffing.ab_unknown": 1}),
    ("staffing.ab_not_mutual", _staffing_ab_not_mutual, {"staffing.ab_not_mutual": 1}),
    ("staffing.ab_not_adjacent", _staffing_ab_not_adjacent,
     {"staffing.ab_not_adjacent": 4}),
    ("shape.compactness", _shape_compactness, {"shape.compactness": 1}),
    ("shape.road_crossing", _shape_road_crossing, {"shape.road_crossing": 1}),
    ("shape.overlay_crossing", _shape_overlay_crossing, {"shape.overlay_crossing": 2}),
    ("register.households", _register_households, {"register.households": 1}),
    ("register.coverage", _register_coverage, {"register.coverage": 1}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule_id", "seed", "expected"), CASES, ids=[case[0] for case in CASES]
)
def test_rule_finds_its_seeded_fault(rule_id, seed, expected):
    district = clean_district()
    seed(district)
    district.relink()
    issues = check(district)
    assert rule_counts(issues) == expected
    found = [i for i in issues if i.rule == rule_id]
    rule = RULES[rule_id]
    for issue in found:
        assert issue.severity is rule.severity
        assert isinstance(issue.level, Level)
        # The message says what to do, in both languages.
        assert issue.message.zh
        assert issue.message.en
        assert any(w in issue.message.zh for w in ("请", "宜", "须", "需要", "考虑"))
        if issue.location is not None:
            assert issue.location.is_valid
            assert not issue.location.is_empty


def test_the_gap_is_located_and_named_between_its_grids():
    district = clean_district()
    _topology_gap(district)
    (issue,) = check(district.relink())
    assert issue.location.area == pytest.approx(1000.0)
    assert issue.code == C1
    assert issue.level is Level.COMMUNITY
    assert G4 in issue.message.en
    assert "1,000 m²" in issue.message.en


def test_the_band_comes_from_the_settings_and_the_grid_override():
    district = clean_district()
    _capacity_above_band(district)  # grid 001 now has 520 households
    district.relink()
    assert rule_counts(check(district)) == {"capacity.above_band": 1}
    wider = district.settings.household_bands | {"residential": HouseholdBand(300, 600)}
    district.settings = district.settings.with_changes(household_bands=wider)
    assert check(district) == []
    district.settings = district.settings.with_changes(
        household_bands=wider | {"residential": HouseholdBand(300, 500)}
    )
    district.set_grid(G1, max_households=550)
    assert check(district) == []


def test_slivers_within_the_tolerance_are_not_gaps_or_overlaps():
    district = clean_district()
    district.set_grid(G4, geometry=rect(100.3, 0, 99.7, 100))  # 0.3 m gap
    district.set_grid(G1, geometry=rect(0, 100, 100.2, 100))  # 0.2 m overlap
    assert check(district.relink()) == []
    district.settings = district.settings.with_changes(topology_tolerance=0.1)
    # ... with a finer tolerance they are, and grids 003 and 004 no longer touch.
    assert rule_counts(check(district)) == {
        "topology.gap": 1,
        "topology.overlap": 1,
        "staffing.ab_not_adjacent": 2,
    }


def test_households_are_counted_from_buildings_not_the_stored_totals():
    district = clean_district()
    district.set_grid(G1, households=450)  # stale, but inside the band
    _capacity_above_band(district)  # the buildings say 520
    issues = check(district)
    # Grid 001, its community and its street hold out-of-date totals.
    assert rule_counts(issues) == {"capacity.above_band": 1, "linkage.stale": 3}


def test_an_undivided_community_is_not_a_finding():
    district = clean_district()
    issues = check(district)
    assert not [i for i in issues if i.community == C2]
    # Dividing it halfway is: the rest of it is a gap.
    district.add(
        "grids",
        [{"code": f"{C2}001", "name": "新华第1网格", "community_code": C2,
          "kind": "unit"}],
        [rect(200, 0, 200, 100)],
    )  # fmt: skip
    district.relink()
    found = check(district, rules=["topology"])
    assert [(i.rule, i.code) for i in found] == [("topology.gap", C2)]


def test_rules_can_be_chosen_by_family_or_id():
    district = clean_district()
    _topology_gap(district)
    _staffing_phone(district)
    district.relink()
    assert rule_counts(check(district, rules=["topology"])) == {"topology.gap": 1}
    assert rule_counts(check(district, rules=["staffing.phone"])) == {
        "staffing.phone": 1
    }
    with pytest.raises(ValueError, match="no rule"):
        check(district, rules=["nonsense"])


def test_frames_need_only_the_layers_their_rules_read():
    district = clean_district()
    _topology_overlap(district)
    frames = {k: district.frames[k] for k in ("grids", "communities")}
    issues = validate_frames(frames, district.settings)
    assert rule_counts(issues) == {"topology.overlap": 1}


def test_one_community_of_frames_gives_that_community_s_findings():
    district = clean_district()
    _topology_gap(district)
    _coding_malformed(district)
    district.relink()
    whole = check(district)
    assert {i.community for i in whole} == {C1, "3205080010020"}
    scoped = check(district, community=C1)
    assert [(i.rule, i.code) for i in scoped] == [("topology.gap", C1)]


@pytest.mark.parametrize(
    "phone",
    ["13912345678", "+8613912345678", "139 1234 5678", "139-1234-5678",
     "0512-65123456", "051265123456", "010-65123456", "021 6512 3456",
     "0512-65123456-801", "0755-2345678"],
)  # fmt: skip
def test_well_formed_phones(phone):
    from gridgis.core.validate.staffing import phone_ok

    assert phone_ok(phone)


@pytest.mark.parametrize(
    "phone",
    ["12345", "110", "1391234567", "139123456789", "12912345678", "0512-0123456",
     "512-65123456", "0512-651234", "phone", "13912345678x", "0001-65123456"],
)  # fmt: skip
def test_malformed_phones(phone):
    from gridgis.core.validate.staffing import phone_ok

    assert not phone_ok(phone)


def test_issue_severity_and_sorting():
    district = clean_district()
    _topology_gap(district)
    _staffing_phone_missing(district)
    issues = check(district.relink())
    assert [i.severity for i in issues] == [Severity.ERROR, Severity.WARNING]
    assert shapely.equals(issues[1].location, district.frames["grids"].geometry[2])


def test_a_register_that_agrees_with_the_buildings_is_clean():
    district = clean_district()
    _register(district)
    assert check(district.relink()) == []
    # Registered figures count: a building registered with more households than its
    # grid allows is found by the band check, not by its stated figure.
    _set_building(district, "B001", reg_households=600)
    found = rule_counts(check(district.relink()))
    assert found == {"register.households": 1, "capacity.above_band": 1,
                     "capacity.building_above_band": 1}  # fmt: skip
