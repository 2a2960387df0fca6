"""After a crash, beside a second writer, on a read-only file: what a user gets."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import DEMO, ROOT

GRIDGIS = [sys.executable, "-m", "gridgis.cli"]
CRASH = (
    "import os, signal, sqlite3\n"
    "c = sqlite3.connect({path!r}, isolation_level=None)\n"
    "c.execute('PRAGMA cache_size=2')\n"
    "c.execute('BEGIN IMMEDIATE')\n"
    "c.execute(\"UPDATE staff SET organisation = organisation || '*'\")\n"
    "os.kill(os.getpid(), signal.SIGKILL)\n"
)


def gridgis(*args, env=None, user=None):  # type: ignore[no-untyped-def]
    command = [*GRIDGIS, "--lang", "en", *map(str, args)]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups",
                   "env", "HOME=/tmp", *command]  # fmt: skip
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )


def crashed(path: Path) -> Path:
    shutil.copyfile(DEMO, path)
    subprocess.run([sys.executable, "-c", CRASH.format(path=str(path))], check=False)
    assert Path(f"{path}-journal").stat().st_size > 0  # a hot journal is left
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", [["info"], ["validate"], ["link"], ["stats"]])
def test_after_a_crash_every_command_opens_the_project(tmp_path, command):
    path = crashed(tmp_path / "p.gpkg")
    done = gridgis(command[0], path)
    assert done.returncode in (0, 1), done.stderr
    assert "damaged" not in done.stderr
    assert "Traceback" not in done.stderr
    import sqlite3

    with sqlite3.connect(path) as conn:  # the half-written change was rolled back
        changed = "SELECT count(*) FROM staff WHERE organisation LIKE '%*'"
        assert conn.execute(changed).fetchone() == (0,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.fixture
def shared():  # type: ignore[no-untyped-def]
    """A folder another user may enter (pytest's own folders are private)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="gridgis-shared-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _as_nobody() -> bool:
    return os.geteuid() == 0 and shutil.which("setpriv") is not None


@pytest.mark.skipif(not _as_nobody(), reason="needs root to run as another user")
def test_a_read_only_project_is_read_and_writing_is_refused(shared):
    path = shared / "p.gpkg"
    shutil.copyfile(DEMO, path)
    path.chmod(0o644)
    before = digest(path)
    nobody = 65534
    info = gridgis("info", path, user=nobody)
    assert info.returncode == 0, info.stderr
    assert "Buildings" in info.stdout
    check = gridgis("validate", path, user=nobody)
    assert check.returncode in (0, 1), check.stderr
    for args in (["divide", path, "--community", "320599001001"], ["link", path]):
        refused = gridgis(*args, user=nobody)
        assert refused.returncode == 2, refused.stderr
        assert "can be read but not written" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert digest(path) == before


@pytest.mark.skipif(not _as_nobody(), reason="needs root to run as another user")
def test_a_crashed_read_only_project_says_it_needs_write_access(shared):
    path = crashed(shared / "p.gpkg")
    path.chmod(0o644)
    done = gridgis("info", path, user=65534)
    assert done.returncode == 2
    assert "needs write access" in done.stderr
    assert "Nothing is lost" in done.stderr
    assert Path(f"{path}-journal").exists()  # kept for whoever may write


def test_a_busy_project_waits_then_names_who_holds_it(tmp_path):
    path = tmp_path / "p.gpkg"
    shutil.copyfile(DEMO, path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, time\n"
         f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
         "c.execute('BEGIN EXCLUSIVE')\n"
         "print('held', flush=True)\n"
         "time.sleep(20)\n"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        started = time.perf_counter()
        done = gridgis("link", path, env={"GRIDGIS_BUSY_SECONDS": "1"})
        waited = time.perf_counter() - started
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2, done.stderr
    assert "is busy" in done.stderr
    assert "waited 1 s" in done.stderr
    assert str(holder.pid) in done.stderr  # who holds it
    assert "Traceback" not in done.stderr
    assert waited >= 1.0


def test_a_project_being_written_can_still_be_read(tmp_path):
    path = tmp_path / "p.gpkg"
    shutil.copyfile(DEMO, path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, time\n"
         f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
         "c.execute('BEGIN IMMEDIATE')\n"
         "c.execute(\"UPDATE staff SET organisation = 'x'\")\n"
         "print('held', flush=True)\n"
         "time.sleep(20)\n"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        done = gridgis("info", path)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 0, done.stderr
