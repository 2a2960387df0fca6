"""A project file of the previous version gains the information base on its first write."""

import json
import shutil
import sqlite3

from gridgis.core import schema
from gridgis.core.settings import CATEGORY_PRESETS, Settings
from gridgis.core.store import open_project
from tests.conftest import DEMO


def test_version_3_file_gains_houses_residents_and_categories(tmp_path):
    path = tmp_path / "old.gpkg"
    shutil.copyfile(DEMO, path)
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM settings WHERE key = 'categories'")
    conn.execute("UPDATE settings SET value = '3' WHERE key = 'schema_version'")
    conn.commit()
    buildings_before = conn.execute("SELECT count(*) FROM buildings").fetchone()[0]
    conn.close()

    # Opening only reads; the first write migrates the file, in its own transaction.
    with open_project(path).transaction(tool="gridgis link"):
        pass
    store = open_project(path)
    assert store.settings.schema_version == schema.SCHEMA_VERSION == 4
    assert store.settings.categories == CATEGORY_PRESETS["standard"]
    assert store.count("houses") == 0
    assert store.count("residents") == 0
    assert store.count("buildings") == buildings_before
    buildings = store.read("buildings", columns=["reg_households", "reg_population"])
    assert buildings["reg_households"].isna().all()

    conn = sqlite3.connect(path)
    stored = dict(conn.execute("SELECT key, value FROM settings").fetchall())
    conn.close()
    assert json.loads(stored["schema_version"]) == 4
    assert [c["zh"] for c in json.loads(stored["categories"])][:3] == [
        "党员",
        "低保",
        "独居老人",
    ]


def test_categories_round_trip_in_the_settings():
    settings = Settings.default(4549, "320508")
    assert settings.category("党员").id == "party_member"
    assert settings.category("Veteran").zh == "退役军人"
    assert settings.category("神仙") is None
    assert Settings.from_rows(settings.to_rows()) == settings
