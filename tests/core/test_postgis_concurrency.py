"""Many users on one PostGIS project: no lost update, no needless wait, no leftovers.

Every test runs with either side first. The users are separate connections (threads
or a separate process), as planners on separate machines would be.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pandas as pd
import psycopg
import pytest

from gridgis.core.divide import DivisionOptions, apply_division, divide_community
from gridgis.core.divide import history as division_history
from gridgis.core.errors import ConflictError
from gridgis.core.store import open_project

COMMUNITY = "320599001004"  # undivided in the demo
DIVIDED = ("320599001001", "320599001002")

pytestmark = pytest.mark.slow


@pytest.fixture
def shared(pg_demo) -> str:
    return pg_demo


@pytest.mark.parametrize("first", [0, 1])
def test_two_divisions_of_one_community_exactly_one_wins(shared, monkeypatch, first):
    stores = [open_project(shared), open_project(shared)]
    divisions = [
        divide_community(stores[0], COMMUNITY, DivisionOptions(grids=5)),
        divide_community(stores[1], COMMUNITY, DivisionOptions(grids=7)),
    ]
    assert len(divisions[0].new_grids) != len(divisions[1].new_grids)
    # Both divisions were computed from the same revision. One planner reaches the
    # database first and holds the community while the other one arrives.
    arrived = threading.Event()
    original = division_history.current_grids

    def checked(store, division):
        current = original(store, division)
        if division is divisions[first]:
            arrived.set()
            time.sleep(1.0)
        return current

    monkeypatch.setattr(division_history, "current_grids", checked)
    outcome: dict[int, object] = {}

    def run(k: int) -> None:
        try:
            outcome[k] = apply_division(stores[k], divisions[k])
        except ConflictError as exc:
            outcome[k] = exc

    threads = {k: threading.Thread(target=run, args=(k,)) for k in (0, 1)}
    threads[first].start()
    assert arrived.wait(timeout=60)
    threads[1 - first].start()
    for t in threads.values():
        t.join(timeout=60)
    second = 1 - first
    assert isinstance(outcome[first], int), outcome
    # Refused by the revision check, made under the community's lock.
    assert isinstance(outcome[second], ConflictError), outcome
    assert COMMUNITY in str(outcome[second])
    grids = open_project(shared).read("grids", where={"community_code": COMMUNITY})
    won = divisions[first].new_grids
    assert sorted(grids["code"]) == sorted(won["code"])  # nothing of the loser
    assert open_project(shared).count("grid_history") == 0  # nothing replaced twice


def _hold(store, community: str, started: threading.Event, release: threading.Event):
    """Edit a grid of ``community`` and keep the transaction open until released."""
    grids = store.read("grids", where={"community_code": community})
    read = {community: store.revisions([community])[community].number}
    with store.transaction(tool="app edit") as tx:
        tx.expect_revisions(read)
        tx.update("grids", pd.DataFrame({"name": "持有"}, index=grids.index[:1]))
        started.set()
        release.wait(timeout=30)


@pytest.mark.parametrize("holder", [0, 1])
def test_planners_in_different_communities_never_wait(shared, holder):
    store_hold, store_edit = open_project(shared), open_project(shared)
    held, other = DIVIDED[holder], DIVIDED[1 - holder]
    started, release = threading.Event(), threading.Event()
    thread = threading.Thread(target=_hold, args=(store_hold, held, started, release))
    thread.start()
    assert started.wait(timeout=30)
    try:
        grids = store_edit.read("grids", where={"community_code": other})
        read = {other: store_edit.revisions([other])[other].number}
        begin = time.perf_counter()
        with store_edit.transaction(tool="gridgis divide") as tx:
            tx.conn.execute("SET LOCAL lock_timeout = '3s'")  # waiting would fail
            tx.expect_revisions(read)
            tx.update("grids", pd.DataFrame({"name": "另一位"}, index=grids.index[:1]))
        assert time.perf_counter() - begin < 2.0
    finally:
        release.set()
        thread.join(timeout=30)
    check = open_project(shared)
    assert check.count("grids", where={"name": "持有"}) == 1
    assert check.count("grids", where={"name": "另一位"}) == 1


@pytest.mark.parametrize("holder", [0, 1])
def test_an_app_edit_and_a_command_on_one_community_conflict(shared, holder):
    # One side (the app, say) holds its edit open; the other (a command) read the same
    # revision, waits for the lock and then gets the conflict, writing nothing.
    community = DIVIDED[holder]
    stores = open_project(shared), open_project(shared)
    grids = stores[1].read("grids", where={"community_code": community})
    read = {community: stores[1].revisions([community])[community].number}
    started, release = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=_hold, args=(stores[0], community, started, release)
    )
    thread.start()
    assert started.wait(timeout=30)
    threading.Timer(0.5, release.set).start()
    with pytest.raises(ConflictError, match="app edit"), stores[1].transaction() as tx:
        tx.expect_revisions(read)
        tx.update("grids", pd.DataFrame({"name": "后到"}, index=grids.index[:1]))
    thread.join(timeout=30)
    check = open_project(shared)
    assert check.count("grids", where={"name": "后到"}) == 0
    assert check.count("grids", where={"name": "持有"}) == 1


_KILLED = textwrap.dedent(
    """
    import sys
    from gridgis.core.store import open_project
    from gridgis.core.testing import sample_frame

    store = open_project(sys.argv[1])
    with store.transaction(tool=sys.argv[2]) as tx:
        if sys.argv[2] == "import":
            frame = sample_frame("buildings", 50000, seed=4)
            frame["grid_code"] = sys.argv[3] + "001"
            tx.insert("buildings", frame)
        else:
            code = sys.argv[3]
            rev = store.revisions([code])[code].number
            tx.expect_revisions({code: rev})
            grids = store.read("grids", where={"community_code": code})
            tx.delete("grids", grids.index)
            tx.insert("grids", grids.reset_index(drop=True))
        print("IN THE MIDDLE", flush=True)
        sys.stdin.read()
    """
)


@pytest.mark.parametrize("work", ["import", "division"])
def test_a_killed_client_leaves_no_rows_and_no_locks(shared, work):
    community = DIVIDED[0]
    store = open_project(shared)
    before = {n: store.count(n) for n in ("buildings", "grids")}
    revision = store.revisions([community])[community].number
    client = subprocess.Popen(
        [sys.executable, "-c", _KILLED, shared, work, community],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert client.stdout is not None
    assert client.stdout.readline().strip() == "IN THE MIDDLE"
    admin = psycopg.connect(shared, autocommit=True)
    (backends,) = admin.execute(
        "SELECT array_agg(pid) FROM pg_stat_activity WHERE application_name = "
        "'GridGIS' AND state = 'idle in transaction'"
    ).fetchone()
    assert backends
    os.kill(client.pid, signal.SIGKILL)
    client.wait(timeout=10)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        (alive,) = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [backends]
        ).fetchone()
        if not alive:
            break
        time.sleep(0.1)
    assert alive == 0
    (locks,) = admin.execute(
        "SELECT count(*) FROM pg_locks WHERE pid = ANY(%s)", [backends]
    ).fetchone()
    assert locks == 0
    assert {n: store.count(n) for n in ("buildings", "grids")} == before
    assert store.revisions([community])[community].number == revision
    # The community is free: its revision row can be locked at once.
    with store.transaction() as tx:
        tx.conn.execute("SET LOCAL lock_timeout = '1s'")
        tx.expect_revisions({community: revision})
    admin.close()
    assert np.all(store.read("grids", where={"community_code": community}).is_valid)
