"""Run GridGIS commands in forked children and SIGKILL them at chosen points.

``python -m tests.faults.worker PLAN.json`` reads a list of runs
``{"project": path, "argv": [...], "kill_at": k | null, "kill_after": s | null}``
and prints, one JSON line per run, how the child ended. A child with ``kill_at``
kills itself (SIGKILL) when it is about to run its ``k``-th SQLite statement — inside
its transactions as often as outside; ``kill_after`` kills it after that many seconds
instead; with neither it runs to the end and reports how many statements it ran.
GridGIS is imported once, before forking, so each run costs only the command itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import sys
import time

import click

import gridgis.core.divide
import gridgis.core.exchange
import gridgis.core.link
import gridgis.core.validate  # noqa: F401
from gridgis.cli import main

_connect = sqlite3.connect


def _child(run: dict, count_file: str) -> None:
    statements = [0]
    kill_at = run.get("kill_at")

    def trace(_sql: str) -> None:
        statements[0] += 1
        if kill_at is not None and statements[0] >= kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def connect(*args, **kwargs):  # type: ignore[no-untyped-def]
        conn = _connect(*args, **kwargs)
        conn.set_trace_callback(trace)
        return conn

    sqlite3.connect = connect  # type: ignore[assignment]
    code = 0
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        main.main(args=["--lang", "en", *run["argv"]], standalone_mode=False)
    except SystemExit as exc:
        code = int(exc.code or 0)
    except click.ClickException:
        code = 2
    except BaseException as exc:  # a traceback: reported, the test fails on it
        sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
        code = 3
    with open(count_file, "w") as handle:
        handle.write(str(statements[0]))
    os._exit(code)


def _party(part: dict, project: str, err: str) -> None:
    """One side of a race: a command, or plain SQL as another program would write."""
    fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 2)
    signal_file = part.get("signal")
    wait_for = part.get("wait_for")
    while wait_for and not os.path.exists(wait_for):
        time.sleep(0.005)
    pause = part.get("pause")
    if pause:
        # The command takes this long between reading and writing (a long division).
        from gridgis.core.store.gpkg import GeoPackageStore

        begin = GeoPackageStore._begin

        def slow_begin(self):  # type: ignore[no-untyped-def]
            if signal_file:  # it has read and computed: the other side may go
                open(signal_file, "w").close()
            time.sleep(pause)
            return begin(self)

        GeoPackageStore._begin = slow_begin  # type: ignore[method-assign]
    if "sql" in part:
        from gridgis.core.store import gpkgblob

        conn = _connect(project, isolation_level=None, timeout=30)
        gpkgblob.register_functions(conn)
        conn.execute("BEGIN IMMEDIATE")
        for statement in part["sql"]:
            conn.execute(statement)
        if signal_file:  # it holds the write lock: the other side may go
            open(signal_file, "w").close()
        time.sleep(part.get("hold", 0))
        conn.execute("COMMIT")
        os._exit(0)
    _child({"argv": part["argv"]}, err + ".count")


def race(run: dict, k: int) -> dict:
    """Start the parties of ``run`` at their offsets; wait for all; how each ended."""
    started = time.perf_counter()
    pids = []
    for n, part in enumerate(run["parallel"]):
        delay = started + part.get("start", 0) - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        err = f"{run['project']}.{n}.err"
        pid = os.fork()
        if pid == 0:
            _party(part, run["project"], err)
        pids.append((pid, err))
    ends = []
    for pid, err in pids:
        _, status = os.waitpid(pid, 0)
        with open(err) as handle:
            message = handle.read()
        ends.append({"exit": os.WEXITSTATUS(status), "stderr": message})
        for name in (err, err + ".count"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
    return {"run": k, "parties": ends, "seconds": time.perf_counter() - started}


def main_() -> None:
    with open(sys.argv[1]) as handle:
        runs = json.load(handle)
    for k, run in enumerate(runs):
        if "parallel" in run:
            print(json.dumps(race(run, k)), flush=True)
            continue
        count_file = f"{run['project']}.count"
        started = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            _child(run, count_file)
        if run.get("kill_after") is not None:
            time.sleep(run["kill_after"])
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        count = None
        if os.path.exists(count_file):
            with open(count_file) as handle:
                count = int(handle.read() or 0)
            os.unlink(count_file)
        print(
            json.dumps(
                {
                    "run": k,
                    "killed": killed,
                    "exit": None if killed else os.WEXITSTATUS(status),
                    "statements": count,
                    "seconds": time.perf_counter() - started,
                    "journal": os.path.exists(run["project"] + "-journal"),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main_()
