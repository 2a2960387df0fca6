"""New projects in the Gauss–Krüger zone of their data."""

import pytest

from gridgis.core.errors import CodeError, CrsError
from gridgis.core.exchange import create_project_for, export_project, import_layer
from tests.conftest import validate_gpkg


def test_zone_from_a_longitude(tmp_path):
    store = create_project_for(tmp_path / "bj.gpkg", county="110105", lon=116.45)
    assert store.settings.crs_epsg == 4548  # CM 117°E
    assert validate_gpkg(store.path).returncode == 0


def test_zone_from_a_web_map_file_and_import_into_it(demo_store, tmp_path):
    export_project(
        demo_store, tmp_path / "x", fmt="geojson", layers=["buildings"], crs="gcj02"
    )
    source = tmp_path / "x" / "buildings.geojson"
    with pytest.raises(CrsError):
        # GeoJSON says WGS 84; the zone would still be right, but say what it is.
        create_project_for(
            tmp_path / "p.gpkg", county="320599", source=source, crs="bd09x"
        )
    store = create_project_for(
        tmp_path / "p.gpkg", county="320599", source=source, crs="gcj02"
    )
    assert store.settings.crs_epsg == 4549
    report = import_layer(store, source, "buildings", crs="gcj02")
    assert report.inserted == demo_store.count("buildings")


def test_a_new_project_needs_a_place_and_a_county(tmp_path):
    with pytest.raises(CrsError, match="--lon"):
        create_project_for(tmp_path / "p.gpkg", county="320599")
    with pytest.raises(CodeError, match="6 digits"):
        create_project_for(tmp_path / "p.gpkg", county="3205", lon=120.6)
    with pytest.raises(CrsError, match="outside"):
        create_project_for(tmp_path / "p.gpkg", county="320599", lon=10.0)
    assert not (tmp_path / "p.gpkg").exists()
