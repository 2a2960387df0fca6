"""A throwaway PostgreSQL/PostGIS cluster for the tests and benchmarks.

The cluster runs on a free loopback port under a name of its own, as the ``postgres``
user (``pg_createcluster``/``pg_ctlcluster`` switch to it; the server refuses root),
with ``trust`` authentication: only for tests on this machine. :meth:`Cluster.drop`
stops it and removes every file.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

VERSION = "15"
PACKAGES = ("postgresql-15-postgis-3", "postgresql-15-postgis-3-scripts")


class ClusterUnavailable(RuntimeError):
    """PostgreSQL with PostGIS is not installed here and cannot be started."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False)


def available() -> str | None:
    """``None`` if a cluster can be made here, else why not."""
    if shutil.which("pg_createcluster") is None:
        return "pg_createcluster is missing (install " + " ".join(PACKAGES) + ")"
    control = f"/usr/share/postgresql/{VERSION}/extension/postgis.control"
    if not os.path.exists(control):
        return "PostGIS is missing (install " + " ".join(PACKAGES) + ")"
    return None


@dataclass
class Cluster:
    """A running cluster; :meth:`conninfo` connects to one of its databases."""

    name: str
    port: int
    databases: list[str] = field(default_factory=list)

    def conninfo(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} dbname={dbname} user={user}"

    def uri(self, dbname: str, user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def sql(self, statement: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.conninfo(dbname), autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]

    def new_database(self, *, postgis: bool = True) -> str:
        """A fresh empty database (with the PostGIS extension unless told otherwise)."""
        name = f"gg_{uuid.uuid4().hex[:12]}"
        template = "gridgis_template" if postgis else "template0"
        self.sql(f"CREATE DATABASE {name} TEMPLATE {template}")
        self.databases.append(name)
        return name

    def password_login(self, role: str, password: str) -> None:
        """Create superuser ``role`` that logs in over TCP with its password only."""
        self.sql(f"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{password}'")
        hba = f"/etc/postgresql/{VERSION}/{self.name}/pg_hba.conf"
        with open(hba, encoding="utf-8") as file:
            rules = file.read()
        with open(hba, "w", encoding="utf-8") as file:
            file.write(f"host all {role} 127.0.0.1/32 scram-sha-256\n{rules}")
        _run("pg_ctlcluster", VERSION, self.name, "reload")

    def drop(self) -> None:
        _run("pg_dropcluster", "--stop", VERSION, self.name)


def drop_stale() -> list[str]:
    """Drop the clusters this module made for processes that are gone (killed runs)."""
    listed = _run("pg_lsclusters", "--no-header")
    dropped = []
    for line in listed.stdout.splitlines():
        parts = line.split()
        if len(parts) < 2 or parts[0] != VERSION:
            continue
        match = re.fullmatch(r"gridgis_(\d+)_[0-9a-f]{6}", parts[1])
        if match and not os.path.exists(f"/proc/{match.group(1)}"):
            _run("pg_dropcluster", "--stop", VERSION, parts[1])
            dropped.append(parts[1])
    return dropped


def start(*, fsync: bool = False) -> Cluster:
    """Create and start a cluster; raise :class:`ClusterUnavailable` if impossible."""
    reason = available()
    if reason:
        raise ClusterUnavailable(reason)
    drop_stale()
    name = f"gridgis_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    port = _free_port()
    options = ["-o", "max_connections=200"]
    if not fsync:
        options += ["-o", "fsync=off", "-o", "synchronous_commit=off"]
    made = _run(
        "pg_createcluster", VERSION, name, "--port", str(port), *options,
        "--", "--auth-local=trust", "--auth-host=trust",
    )  # fmt: skip
    if made.returncode != 0:
        raise ClusterUnavailable(f"pg_createcluster failed: {made.stderr.strip()}")
    cluster = Cluster(name, port)
    started = _run("pg_ctlcluster", VERSION, name, "start")
    if started.returncode != 0:
        cluster.drop()
        raise ClusterUnavailable(f"pg_ctlcluster failed: {started.stderr.strip()}")
    try:
        cluster.sql("CREATE DATABASE gridgis_template")
        cluster.sql("CREATE EXTENSION postgis", "gridgis_template")
    except Exception:
        cluster.drop()
        raise
    return cluster


@contextlib.contextmanager
def running(*, fsync: bool = False) -> Iterator[Cluster]:
    """A cluster for the duration of the ``with`` block."""
    cluster = start(fsync=fsync)
    try:
        yield cluster
    finally:
        cluster.drop()
