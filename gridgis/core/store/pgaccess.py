"""Per-street access to a PostGIS project: which database login sees and edits what.

A login is granted a street as ``planner`` (reads and edits that street's communities,
grids, buildings, facilities, staff and posts), or as ``viewer`` (reads them only), or
the whole district as ``district``. The database enforces it: row-level security
policies keyed on ``session_user`` (see :mod:`gridgis.core.store.postgis_ddl`), so a
plain QGIS layer or SQL gets no more than GridGIS shows. Granting needs the project's
owner (or a role allowed to create roles).

From the command line: ``gridgis access grant DATABASE wang_li --street 320508019
--role planner``; in Python ``grant(store, "wang_li", street="320508019",
role="planner")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gridgis.core.errors import ProjectFileError
from gridgis.core.store.base import Store
from gridgis.core.store.postgis import AccessError, PostGISStore
from gridgis.core.store.postgis_ddl import ACCESS_TABLE, ROLES, quote, role_name


@dataclass(frozen=True)
class Grant:
    """One row of the access table."""

    login: str
    street: str | None
    role: str


def _postgis(store: Store) -> PostGISStore:
    if not isinstance(store, PostGISStore):
        raise ProjectFileError(
            "Per-street access exists only for projects in PostgreSQL/PostGIS; a "
            "project file is used by one person at a time. Copy it into a database "
            "with `gridgis copy`.",
            "按街道的访问权限只适用于 PostgreSQL/PostGIS 项目;项目文件一次只供一人使用。"
            "请先用 `gridgis copy` 将项目复制到数据库。",
        )
    return store


def _check(store: PostGISStore, login: str, street: str | None, role: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]{0,62}", login):
        raise AccessError(
            f"'{login}' is not a database login name (letters, digits, _ . -).",
            f"“{login}”不是有效的数据库登录名(字母、数字、_ . -)。",
        )
    if role not in ROLES:
        raise AccessError(
            f"Unknown role '{role}'; use one of {', '.join(ROLES)}.",
            f"未知角色“{role}”;可用角色:{', '.join(ROLES)}。",
        )
    if role == "district":
        return
    if street is None or store.count("streets", where={"code": street}) == 0:
        raise AccessError(
            f"The project has no street '{street}'; give a street code with --street "
            "(see `gridgis stats`).",
            f"项目中没有街道“{street}”;请用 --street 指定街道编码(见 `gridgis stats`)。",
        )


def grant(store: Store, login: str, *, street: str | None, role: str) -> Grant:
    """Let ``login`` read (viewer) or edit (planner) ``street``; district: all.

    The login is created (without a password: set one, or use the server's own
    authentication) when the database has none of that name.
    """
    pg = _postgis(store)
    _check(pg, login, street, role)
    street = None if role == "district" else street
    with pg.transaction(tool="gridgis access") as tx:
        conn = tx.conn  # type: ignore[attr-defined]
        exists = conn.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", [login]
        ).fetchone()
        if not exists:
            conn.execute(f"CREATE ROLE {quote(login)} LOGIN")
        conn.execute(
            f"DELETE FROM {quote(ACCESS_TABLE)} WHERE login = %s "
            "AND street_code IS NOT DISTINCT FROM %s",
            [login, street],
        )
        conn.execute(
            f"INSERT INTO {quote(ACCESS_TABLE)} (login, street_code, role) "
            "VALUES (%s, %s, %s)",
            [login, street, role],
        )
        conn.execute(f"GRANT {quote(role_name(role))} TO {quote(login)}")
        _drop_unused_roles(conn, login)
    return Grant(login, street, role)


def revoke(store: Store, login: str, *, street: str | None = None) -> int:
    """Take ``login``'s access to ``street`` (all its access without a street)."""
    pg = _postgis(store)
    with pg.transaction(tool="gridgis access") as tx:
        conn = tx.conn  # type: ignore[attr-defined]
        if street is None:
            cursor = conn.execute(
                f"DELETE FROM {quote(ACCESS_TABLE)} WHERE login = %s", [login]
            )
        else:
            cursor = conn.execute(
                f"DELETE FROM {quote(ACCESS_TABLE)} WHERE login = %s "
                "AND street_code = %s",
                [login, street],
            )
        _drop_unused_roles(conn, login)
        return int(cursor.rowcount)


def _drop_unused_roles(conn: object, login: str) -> None:
    """Keep the login's group roles exactly those its grants need."""
    rows = conn.execute(  # type: ignore[attr-defined]
        f"SELECT DISTINCT role FROM {quote(ACCESS_TABLE)} WHERE login = %s", [login]
    ).fetchall()
    needed = {r[0] for r in rows}
    exists = conn.execute(  # type: ignore[attr-defined]
        "SELECT 1 FROM pg_roles WHERE rolname = %s", [login]
    ).fetchone()
    if not exists:
        return
    for role in ROLES:
        if role not in needed:
            conn.execute(  # type: ignore[attr-defined]
                f"REVOKE {quote(role_name(role))} FROM {quote(login)}"
            )


def grants(store: Store) -> list[Grant]:
    """Every grant, by login and street."""
    pg = _postgis(store)
    rows = pg._conn.execute(
        f"SELECT login, street_code, role FROM {quote(ACCESS_TABLE)} "
        "ORDER BY login, street_code NULLS FIRST"
    ).fetchall()
    return [Grant(str(a), b, str(c)) for a, b, c in rows]
