"""Grids divided on real data pass QGIS's own validity check (QGIS method)."""

from __future__ import annotations

import pytest
from qgis.core import QgsVectorLayer

from gridgis.core.demo.realdata import project_settings, real_area
from gridgis.core.divide import apply_division, divide_community
from gridgis.core.store import GeoPackageStore

pytest.importorskip("pyrosm")
pytestmark = [pytest.mark.qgis, pytest.mark.slow]


@pytest.mark.parametrize("density", ["survey", "highrise"])
def test_written_grids_pass_qgis_check_validity(qgis_processing, tmp_path, density):
    import processing

    area = real_area("kouvola", density=density)
    path = tmp_path / "project.gpkg"
    store = GeoPackageStore.create(path, project_settings())
    area.insert(store)
    apply_division(store, divide_community(store, area.communities["code"].iloc[0]))
    layer = QgsVectorLayer(f"{path}|layername=grids", "grids", "ogr")
    assert layer.isValid()
    result = processing.run(
        "qgis:checkvalidity",
        {
            "INPUT_LAYER": layer,
            "METHOD": 1,  # QGIS's own checker
            "IGNORE_RING_SELF_INTERSECTION": False,
            "VALID_OUTPUT": "memory:",
            "INVALID_OUTPUT": "memory:",
            "ERROR_OUTPUT": "memory:",
        },
    )
    assert result["INVALID_COUNT"] == 0
    assert result["ERROR_COUNT"] == 0
    assert result["VALID_COUNT"] == layer.featureCount() >= 12
