"""The register's links are indexed in every kind of project."""

import sqlite3

from gridgis.core import schema
from gridgis.core.store import GeoPackageStore
from gridgis.core.store.postgis_ddl import create_indexes


def test_geopackage_reads_a_house_and_a_building_by_index(tmp_path, settings):
    GeoPackageStore.create(tmp_path / "p.gpkg", settings)
    conn = sqlite3.connect(tmp_path / "p.gpkg")
    try:
        plans = {
            sql: " ".join(str(r[-1]) for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            for sql in (
                "SELECT id FROM residents WHERE house_id = 'B1-1-101'",
                "SELECT id FROM houses WHERE building_id = 'B1'",
            )
        }
    finally:
        conn.close()
    assert [("USING INDEX" in p) for p in plans.values()] == [True, True], plans


def test_postgis_indexes_the_same_links():
    statements = create_indexes(schema.layer("houses")) + create_indexes(
        schema.layer("residents")
    )
    assert any('"houses" ("building_id")' in s for s in statements), statements
    assert any('"residents" ("house_id")' in s for s in statements), statements
