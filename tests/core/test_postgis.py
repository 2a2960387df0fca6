"""The PostGIS store on a real cluster: layout, copies, revisions, notifications, access."""

from __future__ import annotations

import re
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from gridgis.cli import main
from gridgis.core import schema
from gridgis.core.errors import ConflictError, ProjectFileError
from gridgis.core.store import PostGISStore, copy_project, open_project
from gridgis.core.store.pgaccess import AccessError, grant, grants, revoke

COMMUNITY = "320599001001"


def _grid(code: str, x: float = 500_000.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": [code], "name": ["测试网格"], "community_code": [code[:12]],
         "kind": ["residential"]},
        geometry=[box(x, 3_460_000, x + 100, 3_460_100)],
        crs=4549,
    )  # fmt: skip


def _sql(uri: str, statement: str, params=None, user: str = "postgres"):
    info = re.sub(r"//[^@]+@", f"//{user}@", uri)
    with psycopg.connect(info, autocommit=True) as conn:
        cur = conn.execute(statement, params)
        return cur.fetchall() if cur.description else cur.rowcount


def test_layers_are_typed_geometry_columns_with_gist_indexes(pg_uri, settings):
    PostGISStore.create(pg_uri, settings).close()
    columns = {
        row[0]: (row[1], row[2])
        for row in _sql(pg_uri, "SELECT f_table_name, type, srid FROM geometry_columns")
    }
    spatial = [n for n, lyr in schema.LAYERS.items() if lyr.is_spatial]
    assert set(columns) == set(spatial)
    assert columns["grids"] == ("POLYGON", 4549)
    assert columns["communities"] == ("MULTIPOLYGON", 4549)
    gist = {
        row[0]
        for row in _sql(
            pg_uri,
            "SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%USING gist%'",
        )
    }
    assert gist == set(spatial)
    comments = _sql(
        pg_uri, "SELECT col_description('grids'::regclass, 4)"
    )  # fid, geom, code, name
    assert comments[0][0] == "网格名称 / grid name"


def test_copy_to_postgis_and_back_keeps_every_row(demo_copy, pg_demo, tmp_path):
    back = tmp_path / "back.gpkg"
    with open_project(pg_demo) as pg, copy_project(pg, back) as copied:
        assert pg.settings == open_project(demo_copy).settings
        original = open_project(demo_copy)
        for name in schema.LAYER_NAMES:
            if name == "settings":
                continue
            a, b, c = original.read(name), pg.read(name), copied.read(name)
            for other in (b, c):
                pd.testing.assert_frame_equal(
                    pd.DataFrame(a.drop(columns="geometry", errors="ignore")),
                    pd.DataFrame(other.drop(columns="geometry", errors="ignore")),
                )
                if "geometry" in a:
                    assert np.all(
                        a.geometry.values.geom_equals_exact(other.geometry.values, 0)
                    ), name


def test_same_command_prints_the_same_on_a_file_and_its_postgis_copy(
    demo_copy, pg_demo
):
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, ["--lang", "en", *args])
        text = result.output.replace(str(demo_copy), "PROJECT").replace(
            pg_demo, "PROJECT"
        )
        return re.sub(r"\d+\.\d+ s\b", "_ s", text)

    for args in (["stats"], ["validate"], ["info"]):
        assert run(args[0], str(demo_copy)) == run(args[0], pg_demo), args
    community = "320599001004"
    file_division = run("divide", str(demo_copy), "--community", community)
    assert "Wrote 6 grids" in file_division
    assert file_division == run("divide", pg_demo, "--community", community)
    for project in (demo_copy, pg_demo):
        grids = open_project(project).read("grids", where={"community_code": community})
        assert len(grids) == 6
    file_grids = open_project(demo_copy).read(
        "grids", where={"community_code": community}
    )
    pg_grids = open_project(pg_demo).read("grids", where={"community_code": community})
    assert file_grids["code"].tolist() == pg_grids["code"].tolist()
    assert np.all(
        file_grids.geometry.values.geom_equals_exact(pg_grids.geometry.values, 1e-6)
    )


def test_addresses_with_a_password_are_refused_and_connection_errors_say_what_to_do(
    pg_cluster,
):
    with pytest.raises(ProjectFileError, match="pgpass") as caught:
        open_project(f"postgresql://postgres:s3cret@127.0.0.1:{pg_cluster.port}/x")
    assert "s3cret" not in str(caught.value)
    with pytest.raises(ProjectFileError, match="Cannot connect"):
        open_project(f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/missing_db")
    empty = pg_cluster.uri(pg_cluster.new_database())
    with pytest.raises(ProjectFileError, match="holds no GridGIS project"):
        open_project(empty)


def test_new_project_needs_an_empty_database(pg_uri, settings):
    _sql(pg_uri, "CREATE TABLE parcels (id int)")
    with pytest.raises(ProjectFileError, match="not empty"):
        PostGISStore.create(pg_uri, settings)
    with PostGISStore.create(pg_uri, settings, overwrite=True) as store:
        assert store.count("grids") == 0
    runner = CliRunner()
    result = runner.invoke(
        main, ["new", pg_uri, "--county", "320508", "--lon", "120.6"]
    )
    assert result.exit_code == 2
    assert "not empty" in result.output


def test_revisions_move_once_per_transaction_even_for_plain_sql(pg_uri, settings):
    store = PostGISStore.create(pg_uri, settings)
    assert store.revisions([COMMUNITY])[COMMUNITY].number == 0
    with store.transaction(tool="gridgis test") as tx:
        fids = tx.insert("grids", _grid(COMMUNITY + "001"))
        tx.update("grids", pd.DataFrame({"households": [420]}, index=fids))
    first = store.revisions([COMMUNITY])[COMMUNITY]
    assert (first.number, first.by, first.tool) == (1, "postgres", "gridgis test")
    assert first.at is not None
    # A plain SQL edit (a QGIS layer, a script) moves the revision as well.
    _sql(pg_uri, "UPDATE grids SET name = 'renamed' WHERE community_code = %s",
         [COMMUNITY])  # fmt: skip
    assert store.revisions([COMMUNITY])[COMMUNITY].number == 2
    # A post in the community and a building linked to one of its grids move it too.
    _sql(pg_uri, "INSERT INTO assignments (staff_id, grid_code, role) "
         f"VALUES ('S1', '{COMMUNITY}001', 'grid_leader')")  # fmt: skip
    _sql(pg_uri, "INSERT INTO buildings (id, grid_code) "
         f"VALUES ('B1', '{COMMUNITY}001')")  # fmt: skip
    assert store.revisions([COMMUNITY])[COMMUNITY].number == 4
    other = "320599001002"
    assert store.revisions([other])[other].number == 0
    with store.transaction() as tx:
        assert tx.bump_revisions([other]) == {other: 1}


def test_stale_edit_is_refused_with_who_when_and_tool(pg_uri, settings):
    store = PostGISStore.create(pg_uri, settings)
    with store.transaction(tool="gridgis divide") as tx:
        fids = tx.insert("grids", _grid(COMMUNITY + "001"))
    read = {COMMUNITY: store.revisions([COMMUNITY])[COMMUNITY].number}
    _sql(pg_uri, "CREATE ROLE wang_li LOGIN; GRANT postgres TO wang_li")
    _sql(pg_uri, "SET gridgis.tool = 'QGIS'; UPDATE grids SET households = 5",
         user="wang_li")  # fmt: skip
    with pytest.raises(ConflictError) as caught, store.transaction() as tx:
        tx.expect_revisions(read)
        tx.update("grids", pd.DataFrame({"households": [999]}, index=fids))
    message = str(caught.value)
    assert "wang_li" in message
    assert "QGIS" in message
    assert COMMUNITY in message
    assert "nothing was written" in message
    assert store.read("grids")["households"].tolist() == [5]
    # Started from the current revision, the same edit goes through.
    with store.transaction() as tx:
        tx.expect_revisions({COMMUNITY: store.revisions([COMMUNITY])[COMMUNITY].number})
        tx.update("grids", pd.DataFrame({"households": [999]}, index=fids))
    assert store.read("grids")["households"].tolist() == [999]


def test_commits_notify_the_community_codes_only(pg_uri, settings):
    store = PostGISStore.create(pg_uri, settings)
    listener = psycopg.connect(pg_uri, autocommit=True)
    listener.execute("LISTEN gridgis")
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.insert("grids", _grid("320599001002001"))
        raise RuntimeError("cancelled")
    with store.transaction() as tx:
        tx.insert("grids", _grid(COMMUNITY + "001"))
    got = [n.payload for n in listener.notifies(timeout=2, stop_after=1)]
    listener.close()
    assert got == [COMMUNITY]


@pytest.fixture
def streets_project(pg_demo):
    """The demo in PostGIS with a planner and a viewer of street 001, a planner of
    street 002 and a district analyst."""
    store = open_project(pg_demo)
    grant(store, "planner_a", street="320599001", role="planner")
    grant(store, "viewer_a", street="320599001", role="viewer")
    grant(store, "planner_b", street="320599002", role="planner")
    grant(store, "analyst", street=None, role="district")
    return pg_demo


def _as(uri: str, login: str) -> PostGISStore:
    store = open_project(re.sub(r"//[^@]+@", f"//{login}@", uri))
    assert isinstance(store, PostGISStore)
    return store


def test_street_planner_sees_and_edits_only_their_street(streets_project):
    uri = streets_project
    a, b = _as(uri, "planner_a"), _as(uri, "planner_b")
    for layer, column in (("communities", "street_code"), ("grids", "community_code"),
                          ("buildings", "grid_code"), ("assignments", "grid_code")):  # fmt: skip
        mine = a.read(layer, columns=[column])[column].dropna().str[:9]
        assert len(mine), layer
        assert set(mine) == {"320599001"}, layer
    # Staff: those holding a post in the street (street 002 has no grids yet).
    posts = open_project(uri).read("assignments")
    posted = set(posts.loc[posts["grid_code"].str.startswith("320599001"), "staff_id"])
    assert set(a.read("staff")["id"]) == posted
    assert b.count("staff") == 0
    assert b.count("grids") == 0
    assert b.count("communities") == 4
    # Plain SQL as planner_b: 0 rows of street 001, and no way to change them.
    assert _sql(uri, "SELECT count(*) FROM grids WHERE community_code LIKE '320599001%'",
                user="planner_b") == [(0,)]  # fmt: skip
    assert _sql(uri, "UPDATE grids SET name = 'x' WHERE community_code LIKE "
                "'320599001%'", user="planner_b") == 0  # fmt: skip
    assert _sql(uri, "DELETE FROM buildings WHERE grid_code LIKE '320599001%'",
                user="planner_b") == 0  # fmt: skip
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(uri, "INSERT INTO grids (code, name, community_code, kind) VALUES "
             "('320599001001099', 'x', '320599001001', 'residential')", user="planner_b")  # fmt: skip
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(uri, "UPDATE community_revisions SET revision = 0", user="planner_b")
    # planner_a edits their own street through GridGIS (rows pass the policies).
    grids = a.read("grids", where={"community_code": "320599001001"})
    with a.transaction() as tx:
        tx.update("grids", pd.DataFrame({"name": "改名"}, index=grids.index[:1]))
        tx.insert("grids", _grid("320599001001099"))
    owner = open_project(uri)
    assert owner.count("grids", where={"name": "改名"}) == 1
    assert owner.count("grids", where={"code": "320599001001099"}) == 1
    # … but not across the street boundary, not even with GridGIS.
    with pytest.raises(AccessError, match="planner_a may not"), a.transaction() as tx:
        tx.insert("grids", _grid("320599002001099"))


def test_viewer_reads_only_and_district_sees_everything(streets_project):
    uri = streets_project
    viewer = _as(uri, "viewer_a")
    assert set(viewer.read("grids")["community_code"].str[:9]) == {"320599001"}
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(uri, "UPDATE grids SET name = 'x'", user="viewer_a")
    analyst = _as(uri, "analyst")
    owner = open_project(uri)
    assert analyst.count("grids") == owner.count("grids")
    assert analyst.count("buildings") == owner.count("buildings")


def test_access_commands_grant_list_and_revoke(streets_project):
    runner = CliRunner()
    listed = runner.invoke(main, ["access", "list", streets_project]).output
    assert re.search(r"planner_a\s+320599001\s+planner", listed)
    assert re.search(r"analyst\s+whole district\s+district", listed)
    result = runner.invoke(main, ["access", "revoke", streets_project, "planner_a"])
    assert result.exit_code == 0, result.output
    for statement in ("SELECT count(*) FROM grids", "DELETE FROM grids"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _sql(streets_project, statement, user="planner_a")
    store = open_project(streets_project)
    assert [g.login for g in grants(store)] == ["analyst", "planner_b", "viewer_a"]
    with pytest.raises(AccessError, match="no street"):
        grant(store, "someone", street="999999999", role="planner")
    assert revoke(store, "nobody") == 0


def test_a_store_hears_which_communities_others_changed(pg_uri, settings):
    mine = PostGISStore.create(pg_uri, settings)
    theirs = open_project(pg_uri)
    mine.listen()
    assert mine.changed_by_others() == set()
    with theirs.transaction() as tx:
        tx.insert("grids", _grid(COMMUNITY + "001"))
        tx.insert("grids", _grid("320599001002001"))
    with mine.transaction() as tx:  # my own edit is not news to me
        tx.insert("grids", _grid("320599001003001"))
    assert mine.changed_by_others(timeout=1) == {COMMUNITY, "320599001002"}
    assert mine.changed_by_others() == set()


def test_a_service_name_opens_the_project(pg_demo, tmp_path, monkeypatch):
    host, port, db = re.match(r".*@([^:]+):(\d+)/(\w+)", pg_demo).groups()
    services = tmp_path / "pg_service.conf"
    services.write_text(
        f"[dongyuan]\nhost={host}\nport={port}\ndbname={db}\nuser=postgres\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    result = CliRunner().invoke(main, ["--lang", "en", "info", "service=dongyuan"])
    assert result.exit_code == 0, result.output
    assert re.search(r"grids\s+57", result.output)


def _kill_listener(store: PostGISStore, uri: str) -> None:
    (pid,) = store._listener.execute("SELECT pg_backend_pid()").fetchone()
    assert _sql(uri, "SELECT pg_terminate_backend(%s)", [pid]) == [(True,)]


def test_after_a_lost_connection_a_store_catches_up_from_the_change_log(
    pg_uri, settings
):
    mine = PostGISStore.create(pg_uri, settings)
    theirs = open_project(pg_uri)
    mine.listen()
    with mine.transaction() as tx:
        tx.insert("grids", _grid("320599001003001"))
    assert mine.changed_by_others() == set()
    _kill_listener(mine, pg_uri)
    with theirs.transaction() as tx:  # while nobody listens
        tx.insert("grids", _grid(COMMUNITY + "001"))
    with mine.transaction() as tx:  # my own edit is not news to me
        tx.insert("grids", _grid("320599001002001"))
    assert mine.changed_by_others(timeout=0.5) == {COMMUNITY}
    assert mine.changed_by_others() == set()  # listening again
    with theirs.transaction() as tx:
        tx.insert("grids", _grid("320599001004001"))
    assert mine.changed_by_others(timeout=1) == {"320599001004"}
    assert mine.changed_by_others() == set()  # the change set heard counts as known
    _kill_listener(mine, pg_uri)
    assert mine.changed_by_others(timeout=0.5) == set()  # nothing changed meanwhile


def test_when_the_log_cannot_say_every_community_counts_as_changed(pg_demo):
    store = open_project(pg_demo)
    theirs = open_project(pg_demo)
    store.listen()
    _kill_listener(store, pg_demo)
    streets = theirs.read("streets", columns=["name"])
    with theirs.transaction() as tx:  # a street belongs to no one community
        tx.update("streets", streets.assign(name=streets["name"] + "街"))
    everything = set(store.read("communities")["code"])
    assert store.changed_by_others(timeout=0.5) == everything
    assert store.changed_by_others() == set()  # listening again


def test_residents_follow_the_street_of_their_building_and_the_log_is_append_only(
    streets_project,
):
    uri = streets_project
    owner = open_project(uri)
    buildings = owner.read("buildings", columns=["id", "grid_code"])
    ours = buildings[buildings["grid_code"].fillna("").str.startswith("320599001")]
    with owner.transaction(tool="gridgis import") as tx:
        tx.insert(
            "houses",
            pd.DataFrame({"id": ["H1"], "building_id": [ours["id"].iloc[0]]}),
        )
        tx.insert(
            "residents",
            pd.DataFrame(
                {
                    "id": ["R1"],
                    "house_id": ["H1"],
                    "name": ["张三"],
                    "id_number": ["11010519491231002X"],
                }
            ),
        )
    a, b = _as(uri, "planner_a"), _as(uri, "planner_b")
    assert a.count("residents") == 1
    assert a.count("houses") == 1
    assert b.count("residents") == 0
    assert b.count("houses") == 0
    assert _sql(uri, "SELECT count(*) FROM residents", user="planner_b") == [(0,)]
    assert _sql(uri, "UPDATE residents SET name = 'x'", user="planner_b") == 0
    # The change log keeps no personal data; planners add to it through their
    # edits, never change it.
    assert owner.count("changes", where={"layer": ["houses", "residents"]}) == 0
    assert b.count("changes", where={"tool": "gridgis import"}) == 0
    for statement in (
        "UPDATE changes SET tool = 'forged'",
        "DELETE FROM changes",
        # The writing transaction's id and the change-set numbers are the server's.
        "INSERT INTO changes (change_set, changed_at, layer, operation, xid) "
        "VALUES (1, now(), 'grids', 'insert', '0')",
        "SELECT setval('gridgis_change_set', 1)",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _sql(uri, statement, user="planner_a")


def test_bulk_writes_of_every_field_type_read_back_as_written(pg_uri, settings):
    # Inserts and large updates go through binary COPY built column by column:
    # integers, reals, booleans, times, text (Chinese, quotes, tabs), bytes and
    # geometries land exactly, with their missing values, as in the memory store.
    from gridgis.core.store import MemoryStore
    from gridgis.core.testing import assert_same_content, sample_frame

    def holed(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
        frame = frame.copy()
        rng = np.random.default_rng(seed)
        lyr = schema.layer(frame.attrs.get("layer", "buildings"))
        for fld in lyr.fields:
            if not fld.required and fld.name in frame.columns:
                gone = rng.random(len(frame)) < 0.3
                frame[fld.name] = frame[fld.name].astype(object).where(~gone, None)
        return frame

    layers = ["buildings", "staff", "assignments", "houses", "grid_history"]
    kinds = {f.type for name in layers for f in schema.layer(name).fields}
    assert kinds == set(schema.FieldType)
    pg = PostGISStore.create(pg_uri, settings)
    memory = MemoryStore(settings)
    for seed, name in enumerate(layers):
        frame = sample_frame(name, 60, seed=seed)
        frame.attrs["layer"] = name
        frame = holed(frame, seed)
        if "name" in frame.columns:
            frame.loc[frame.index[:3], "name"] = [
                "甲\t乙",
                'say "hi"\\n',
                "\u00e9\u6d4b",
            ]
        for store in (pg, memory):
            with store.transaction() as tx:
                fids = tx.insert(name, frame)
        change = sample_frame(name, 60, seed=seed + 10)
        change.attrs["layer"] = name
        change = holed(change, seed + 10).set_axis(fids)
        if schema.layer(name).is_spatial:
            change = change.set_geometry(change.geometry.translate(5, 5))
        for store in (pg, memory):
            with store.transaction() as tx:
                tx.update(name, change)
        assert_same_content(pg.read(name), memory.read(name), check_index=True)
        back = pg.read(name)
        for fld in schema.layer(name).fields:
            if not fld.required:
                assert back[fld.name].isna().any(), (name, fld.name)
    pg.close()


def test_a_copy_lands_frozen_so_its_first_reads_rewrite_no_page(pg_demo):
    # Rows copied into the tables made in the same transaction are written frozen
    # and visible to all: no page has to be written again by the first read or link.
    pages = _sql(
        pg_demo,
        "SELECT relname, relpages, relallvisible FROM pg_class "
        "WHERE relname IN ('buildings', 'grids', 'staff') ORDER BY 1",
    )
    assert [name for name, *_ in pages] == ["buildings", "grids", "staff"]
    for name, total, visible in pages:
        assert total > 0, name
        assert visible == total, (name, total, visible)


def test_the_log_records_an_edit_row_by_row_as_the_geopackage_does(
    pg_uri, settings, tmp_path
):
    # The rows before and after an edit are read inside the transaction (only
    # those rows), and the log holds the same entries as a file's.
    from gridgis.core.store import GeoPackageStore

    grids = pd.concat(
        [_grid(f"{COMMUNITY}00{k}", 500_000.0 + 100 * k) for k in range(1, 4)]
    )
    stores = [PostGISStore.create(pg_uri, settings),
              GeoPackageStore.create(tmp_path / "p.gpkg", settings)]  # fmt: skip
    logs = []
    for store in stores:
        with store.transaction(tool="test") as tx:
            fids = tx.insert("grids", grids)
        with store.transaction(tool="test") as tx:
            tx.update("grids", pd.DataFrame({"name": ["改名网格"]}, index=fids[1:2]))
            tx.delete_where("grids", {"code": f"{COMMUNITY}003"})
        log = store.read("changes")
        logs.append(
            log[log["change_set"] == log["change_set"].max()][
                ["layer", "feature_fid", "operation", "grid_code", "before", "after"]
            ].reset_index(drop=True)
        )
        store.close()
    pd.testing.assert_frame_equal(logs[0], logs[1])
    assert logs[0]["operation"].tolist() == ["update", "delete"]
    assert "改名网格" in logs[0].loc[0, "after"]
    assert "测试网格" in logs[0].loc[0, "before"]
    assert logs[0].loc[1, "after"] is None


def _log(uri: str) -> list[tuple[int, str, str]]:
    """The change log's numbers, communities and transaction ids, in number order."""
    return _sql(uri, "SELECT change_set, community_code, xid::text FROM changes "
                "ORDER BY change_set")  # fmt: skip


def test_change_sets_that_commit_out_of_number_order_are_caught_up(
    pg_uri, settings, monkeypatch
):
    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=5s")  # a wait fails, never hangs
    mine = PostGISStore.create(pg_uri, settings)
    a, b = open_project(pg_uri), open_project(pg_uri)
    mine.listen()
    assert mine.changed_by_others() == set()
    with a.transaction() as tx:
        tx.insert("grids", _grid(COMMUNITY + "001"))
        tx.flush()  # A has taken its number; it commits last
        with b.transaction() as later:
            later.insert("grids", _grid("320599001002001"))
        assert mine.changed_by_others(timeout=1) == {"320599001002"}
        assert mine.changed_by_others() == set()  # B's number is known here
        _kill_listener(mine, pg_uri)
    (first, x, _), (second, y, _) = _log(pg_uri)
    assert (first, x, y) == (second - 1, COMMUNITY, "320599001002")
    caught = mine.changed_by_others(timeout=0.5)
    assert COMMUNITY in caught  # A's lower number committed after B's
    assert caught <= {COMMUNITY, "320599001002"}
    assert mine.changed_by_others() == set()  # listening again


def test_change_sets_of_different_communities_commit_side_by_side(
    pg_uri, settings, monkeypatch
):
    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=2s")  # a wait fails, never hangs
    PostGISStore.create(pg_uri, settings).close()
    a, b = open_project(pg_uri), open_project(pg_uri)
    with a.transaction() as tx:
        tx.insert("grids", _grid(COMMUNITY + "001"))
        tx.flush()  # between its change-log entry and its commit
        start = time.perf_counter()
        with b.transaction() as other:
            other.insert("grids", _grid("320599001002001"))
        waited = time.perf_counter() - start
        assert _log(pg_uri)[0][1] == "320599001002"  # B committed, A still open
    assert waited < 1.5
    log = _log(pg_uri)
    assert [(n, c) for n, c, _ in log] == [(1, COMMUNITY), (2, "320599001002")]
    assert log[0][2] != log[1][2]


def test_a_project_made_before_numbered_change_sets_continues_its_numbers(
    pg_uri, settings
):
    store = PostGISStore.create(pg_uri, settings)
    for code in ("320599001001001", "320599001002001"):
        with store.transaction() as tx:
            tx.insert("grids", _grid(code))
    store.close()
    # The project as the first PostGIS version made it.
    for statement in (
        "DROP SEQUENCE gridgis_change_set",
        "ALTER TABLE changes DROP COLUMN xid",
        "GRANT INSERT ON changes TO gridgis_planner, gridgis_district",
    ):
        _sql(pg_uri, statement)
    reopened = open_project(pg_uri)
    with reopened.transaction() as tx:
        tx.insert("grids", _grid("320599001003001"))
    log = _log(pg_uri)
    assert [n for n, _, _ in log] == [1, 2, 3]
    assert [x for _, _, x in log][:2] == ["0", "0"]  # rows from before: no id
    assert int(log[2][2]) > 0
    open_project(pg_uri).close()  # opened again: the numbers go on
    with reopened.transaction() as tx:
        tx.insert("grids", _grid("320599001004001"))
    assert [n for n, _, _ in _log(pg_uri)] == [1, 2, 3, 4]
    rights = _sql(pg_uri, "SELECT has_column_privilege('gridgis_planner', 'changes', "
                  "'change_set', 'INSERT'), has_column_privilege('gridgis_planner', "
                  "'changes', 'xid', 'INSERT')")  # fmt: skip
    assert rights == [(True, False)]
