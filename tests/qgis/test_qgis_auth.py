"""Database logins kept in QGIS's authentication manager (``authcfg``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gridgis.core.errors import ProjectFileError
from gridgis.core.store import open_project, postgis

pytestmark = pytest.mark.qgis

ROOT = Path(__file__).resolve().parents[2]


def test_an_authcfg_address_is_split_from_the_login_keywords():
    assert postgis.split_authcfg("service=office authcfg=ab12cd3 dbname=x") == (
        "service=office dbname=x",
        "ab12cd3",
    )
    assert postgis.split_authcfg("postgresql://h:5432/db?authcfg=ab12cd3") == (
        "postgresql://h:5432/db",
        "ab12cd3",
    )
    assert postgis.split_authcfg(
        "postgresql://h/db?authcfg=ab12cd3&sslmode=require"
    ) == ("postgresql://h/db?sslmode=require", "ab12cd3")
    assert postgis.keywords("postgresql://h/db?authcfg=ab12cd3")["authcfg"] == "ab12cd3"
    with pytest.raises(ProjectFileError, match="password"):
        postgis.conninfo_of("postgresql://u:secret@h/db?authcfg=ab12cd3")


def test_outside_qgis_an_authcfg_address_says_where_it_works(monkeypatch, pg_demo):
    monkeypatch.setattr(postgis, "_credentials", None)
    with pytest.raises(ProjectFileError, match="only QGIS can read"):
        open_project(pg_demo + "?authcfg=ab12cd3")


def test_a_qgis_connection_with_an_authcfg_opens_without_showing_the_password(
    pg_cluster, pg_demo, tmp_path
):
    password = "Tao-yuan 7 secret"
    pg_cluster.password_login("planner_auth", password)
    dbname = postgis.keywords(pg_demo)["dbname"]
    # the login really needs the password: without it the server refuses
    with pytest.raises(ProjectFileError, match="password"):
        open_project(f"postgresql://planner_auth@127.0.0.1:{pg_cluster.port}/{dbname}")

    env = {
        **os.environ,
        "QGIS_AUTH_DB_DIR_PATH": str(tmp_path / "auth"),
        "QGIS_CUSTOM_CONFIG_PATH": str(tmp_path / "profile"),
        "QT_QPA_PLATFORM": "offscreen",
        "GRIDGIS_LANG": "en",
        "PGPASSFILE": str(tmp_path / "no-pgpass"),
    }
    (tmp_path / "auth").mkdir()
    args = ["127.0.0.1", str(pg_cluster.port), dbname, "planner_auth", password]
    done = subprocess.run(
        [sys.executable, "-m", "tests.qgis.auth_session", *args],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("SEEN "))
    seen = json.loads(line[5:])
    authcfg = seen["authcfg"]
    port = pg_cluster.port
    assert (
        seen["address"] == f"postgresql://127.0.0.1:{port}/{dbname}?authcfg={authcfg}"
    )
    assert seen["user"] == "planner_auth"  # the login of the configuration
    assert seen["grids"] == 57
    assert seen["layers_valid"]
    assert seen["grid_features"] == 57
    assert all(f"authcfg={authcfg}" in source for source in seen["sources"])
    assert f"authcfg={authcfg}" in seen["qgs"]
    assert seen["errors"] == 4
    assert "Cannot connect" in seen["wrong"]
    assert "not-the-password" not in seen["wrong"]
    assert "no authentication configuration zzzzzzz" in seen["unknown"]
    shown = [seen["address"], seen["conninfo"], seen["qgs"], seen["wrong"]]
    shown += seen["sources"] + seen["logged"] + [done.stdout, done.stderr]
    assert not [text for text in shown if password in text]
