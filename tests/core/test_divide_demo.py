"""Dividing every undivided community of the demo district leaves a clean map there."""

import numpy as np
import pytest
import shapely

from gridgis.core import codes
from gridgis.core.divide import apply_division, divide_community, undivided_communities
from gridgis.core.link import link_project
from gridgis.core.store import open_project


@pytest.mark.slow
def test_every_undivided_demo_community_divides_into_a_clean_map(demo_copy):
    store = open_project(demo_copy)
    tolerance = store.settings.topology_tolerance
    band = store.settings.band("residential")
    targets = undivided_communities(store)
    assert len(targets) == 7
    for code in targets:
        division = divide_community(store, code)
        assert division.report.feasible, division.report.to_text("en")
        apply_division(store, division)
    assert undivided_communities(store) == []

    communities = store.read("communities").set_index("code")
    for code in targets:
        community = communities.geometry[code]
        grids = store.read("grids", where={"community_code": code})
        geoms = np.asarray(grids.geometry.values)
        # Grids tile the community: no gap, no overlap beyond the tolerance.
        covered = shapely.union_all(geoms)
        allowed = tolerance * community.length
        assert shapely.difference(community, covered).area <= allowed, code
        assert shapely.area(geoms).sum() - covered.area <= allowed, code
        assert shapely.difference(covered, community).area <= allowed, code
        # Every grid is one contiguous polygon.
        assert all(g.geom_type == "Polygon" and g.is_valid for g in geoms), code
        # Residential grids are inside the band; unit grids are named campuses.
        residential = grids[grids["kind"] == "residential"]
        assert residential["households"].between(band.min, band.max).all(), code
        units = grids[grids["kind"] == "unit"]
        assert units["name"].str.endswith("单位网格").all()
        assert (units["households"].fillna(0) <= store.settings.band("unit").max).all()
        # Codes are valid, under the community, in reading order.
        assert all(codes.is_valid_code(c) for c in grids["code"])
        assert grids["code"].str.startswith(code).all()
        order = codes.reading_order(geoms)
        assert list(grids["code"].to_numpy()[order]) == sorted(grids["code"]), code
        assert sorted(int(c[-3:]) for c in grids["code"]) == list(
            range(1, len(grids) + 1)
        )
        # No building is cut and every building of the community is in a grid.
        report = link_project(store, community=code)
        assert report.cut.empty, code
        assert report.ambiguous.empty, code
        assert report.building_grid.notna().all(), code
        assert (report.grids["households"].to_numpy() == grids["households"]).all()
