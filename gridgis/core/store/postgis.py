"""The PostGIS store: a GridGIS project in a PostgreSQL database, shared by many users.

A project is one database (its ``public`` schema): the layers of
:mod:`gridgis.core.schema` as tables with typed geometry columns in the project's SRID
and GiST indexes (see :mod:`gridgis.core.store.postgis_ddl`). Where the project lives
is a libpq connection string — ``postgresql://user@host/db`` or ``service=NAME`` —
whose password, if any, comes from libpq's own places (``~/.pgpass``, the service
file), never from the project or a message: a connection string carrying a password is
refused. Inside QGIS an address may instead name an authentication configuration of
QGIS's authentication manager (``authcfg=ID``), whose login QGIS supplies when
GridGIS connects (see :func:`use_credentials`).

Rows are written with ``COPY`` in one server transaction; a lost connection (a killed
client) rolls it back and releases its locks. Every write to a community's grids,
buildings, facilities or posts moves the community's revision (database triggers), and
:meth:`_PostGISTransaction.expect_revisions` checks the revisions an editor started
from under a row lock (``SELECT … FOR UPDATE``), so a change made from a stale read is
refused with :class:`~gridgis.core.errors.ConflictError` instead of overwriting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgis.core import schema
from gridgis.core.errors import GridGisError, ProjectFileError, SchemaError
from gridgis.core.settings import FORMAT_MARKER, Settings
from gridgis.core.store import pgcopy
from gridgis.core.store import postgis_ddl as ddl
from gridgis.core.store.base import (
    BBox,
    Revision,
    Store,
    Transaction,
    Where,
    check_revisions,
    check_where,
    check_writable,
    fids_taken,
    read_request,
    requested_fids,
    schema_dtypes,
    where_values,
)
from gridgis.core.store.gpkg import _sql_column

#: Updates of up to this many rows go row by row; larger ones through ``COPY``.
_FEW_ROWS = 20
#: Memory (``work_mem``) a large update's join gets per row, and at most (kB).
_JOIN_BYTES_PER_ROW = 96
_JOIN_MEMORY_KB = 1024 * 1024
_URI = re.compile(r"^postgres(ql)?:/+", re.IGNORECASE)
_KEYWORDS = re.compile(r"^\s*[A-Za-z_]+\s*=")
#: ``authcfg=ID`` among the keywords of a connection string, or in a URI's query.
_AUTHCFG_KEYWORD = re.compile(r"(?:^|\s+)authcfg\s*=\s*'?([A-Za-z0-9]+)'?(?=\s|$)")
_AUTHCFG_QUERY = re.compile(r"([?&])authcfg=([A-Za-z0-9]+)(&?)")

#: Gives the libpq keywords (``user='…' password='…'``) of an authentication
#: configuration; set by the QGIS side of GridGIS (:func:`use_credentials`).
_credentials: Callable[[str], str] | None = None


def is_postgres(location: str | Path) -> bool:
    """Whether ``location`` names a PostgreSQL database rather than a file."""
    text = str(location)
    return bool(_URI.match(text) or _KEYWORDS.match(text))


def _psycopg() -> Any:
    """The psycopg module; a clear error where it is not installed (a bare QGIS)."""
    try:
        import psycopg
    except ImportError:
        raise ProjectFileError(
            "Projects in PostgreSQL need the Python package psycopg 3; install it "
            "(pip install 'psycopg[binary]') into the Python that runs GridGIS.",
            "PostgreSQL 项目需要 Python 包 psycopg 3;请在运行 GridGIS 的 Python 中安装"
            "(pip install 'psycopg[binary]')。",
        ) from None
    return psycopg


def use_credentials(source: Callable[[str], str] | None) -> None:
    """Let ``source`` supply the login of addresses that carry ``authcfg=ID``.

    ``source(ID)`` returns libpq keywords (``user='…' password='…'``); they are given
    to libpq when GridGIS connects and are kept nowhere else. QGIS installs its
    authentication manager here (:mod:`gridgis.qgis.auth`); ``None`` removes it.
    """
    global _credentials
    _credentials = source


def split_authcfg(location: str | Path) -> tuple[str, str | None]:
    """``location`` without its ``authcfg=ID``, and that ID (``None`` if it has none)."""
    text = str(location).strip()
    found = _AUTHCFG_KEYWORD.search(text)
    if found:
        return (text[: found.start()] + text[found.end() :]).strip(), found.group(1)
    found = _AUTHCFG_QUERY.search(text) if _URI.match(text) else None
    if found:
        lead = found.group(1) if found.group(3) else ""
        return text[: found.start()] + lead + text[found.end() :], found.group(2)
    return text, None


def conninfo_of(location: str | Path) -> str:
    """The libpq connection string of ``location``, checked to carry no password.

    A URI that went through :class:`pathlib.Path` (``postgresql:/host/db``) gets its
    two slashes back. An ``authcfg=ID`` is kept (:func:`connect` resolves it).

    Raises
    ------
    ProjectFileError
        The string is malformed or carries a password.
    """
    conninfo = _psycopg().conninfo
    text = str(location).strip()
    match = _URI.match(text)
    if match:
        text = "postgresql://" + text[match.end() :]
    plain, _authcfg = split_authcfg(text)
    try:
        params = conninfo.conninfo_to_dict(plain)
    except Exception as exc:  # psycopg.ProgrammingError: not a connection string
        raise ProjectFileError(
            f"'{text}' is not a PostgreSQL connection string ({exc}). Use "
            "postgresql://user@host/database or service=NAME.",
            f"“{text}”不是 PostgreSQL 连接串({exc})。请使用 "
            "postgresql://用户@主机/数据库 或 service=服务名。",
        ) from None
    if params.get("password"):
        raise ProjectFileError(
            "Do not put a password in the project address: GridGIS takes it from "
            "~/.pgpass or pg_service.conf (libpq's usual places), or in QGIS from "
            "its authentication manager (authcfg=ID). Remove it and store it there.",
            "请勿在项目地址中写入密码:GridGIS 从 ~/.pgpass 或 pg_service.conf"
            "(libpq 的标准位置)读取密码,在 QGIS 中也可从其认证管理器读取"
            "(authcfg=编号)。请删去密码并保存到上述位置。",
        )
    return text


def keywords(location: str | Path) -> dict[str, str]:
    """The libpq keywords of ``location`` (host, port, dbname, user, service …).

    An ``authcfg`` (QGIS's authentication configuration) is among them.
    """
    plain, authcfg = split_authcfg(conninfo_of(location))
    parsed = _psycopg().conninfo.conninfo_to_dict(plain)
    found = {k: str(v) for k, v in parsed.items()}
    if authcfg:
        found["authcfg"] = authcfg
    return found


def title(location: str | Path) -> str:
    """A short name of the project at ``location``: its database or service."""
    found = keywords(location)
    return found.get("dbname") or found.get("service") or "PostGIS"


def _login(authcfg: str) -> dict[str, Any]:
    """The libpq keywords (user, password …) of authentication configuration ``authcfg``."""
    if _credentials is None:
        raise ProjectFileError(
            f"The project address names QGIS's authentication configuration "
            f"{authcfg}, which only QGIS can read. Open it in QGIS (the GridGIS plugin),"
            " or outside QGIS use an address whose password is in ~/.pgpass or "
            "pg_service.conf.",
            f"项目地址引用了 QGIS 认证配置 {authcfg},只有 QGIS 能读取。请在 QGIS"
            "(GridGIS 插件)中打开,或在 QGIS 之外使用密码保存在 ~/.pgpass 或 "
            "pg_service.conf 中的地址。",
        )
    return dict(_psycopg().conninfo.conninfo_to_dict(_credentials(authcfg)))


def connect(location: str | Path, *, autocommit: bool = True) -> Any:
    """A psycopg connection to ``location`` (see :func:`conninfo_of`).

    The login of an ``authcfg=ID`` comes from :func:`use_credentials`'s source and
    goes to libpq only.
    """
    psycopg = _psycopg()
    info = conninfo_of(location)
    plain, authcfg = split_authcfg(info)
    login = _login(authcfg) if authcfg else {}
    try:
        return psycopg.connect(
            plain,
            autocommit=autocommit,
            application_name="GridGIS",
            connect_timeout=10,
            **login,
        )
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
        if login.get("password"):
            reason = reason.replace(str(login["password"]), "…")
        raise ProjectFileError(
            f"Cannot connect to the PostgreSQL project {info} ({reason}). Check the "
            "server, the database name and your login (~/.pgpass, pg_service.conf).",
            f"无法连接 PostgreSQL 项目 {info}({reason})。请检查服务器、数据库名称"
            "和登录信息(~/.pgpass、pg_service.conf)。",
        ) from None


def _sql_values(where: Where | None) -> tuple[list[str], list[Any]]:
    """``where`` as SQL conditions with ``%s`` parameters."""
    parts: list[str] = []
    params: list[Any] = []
    for name, value in (where or {}).items():
        values = where_values(value)
        column = ddl.quote(name)
        if values is None:
            parts.append(f"{column} IS NULL")
        elif not values:
            parts.append("false")
        else:
            parts.append(f"{column} = ANY(%s)")
            params.append(
                [v.item() if isinstance(v, np.generic) else v for v in values]
            )
    return parts, params


def _loaded(values: np.ndarray, fld: schema.Field) -> Any:
    """A column read from the server (objects, ``None`` missing), for its field.

    Integers become a nullable integer array at once (exactly, and far faster than
    pandas guessing from objects); other types are left to :func:`schema_dtypes`.
    """
    if fld.type is not schema.FieldType.INTEGER:
        return pd.Series(values, dtype=object)
    missing = pd.isna(values)
    return pd.arrays.IntegerArray(
        np.where(missing, 0, values).astype(np.int64), missing
    )


def _ewkb(geoms: np.ndarray, epsg: int) -> list[Any]:
    """Hex EWKB (with SRID) of ``geoms``; ``None`` for missing geometries."""
    with_srid = shapely.set_srid(geoms, epsg)
    return list(shapely.to_wkb(with_srid, hex=True, include_srid=True))


class AccessError(GridGisError):
    """The database login may not read or change what was asked (per-street access)."""


#: The advisory lock under which a transaction reads settings it will write (and an
#: existing project gets its change-set sequence).
_SETTINGS_LOCK = 0x67726973  # "gris"


class _PostGISTransaction(Transaction):
    def __init__(self, store: PostGISStore, conn: Any, tool: str) -> None:
        self.store = store
        self.conn = conn
        self.tool = tool
        self.settings: Settings | None = None
        self._temp = 0
        self.change_set: int | None = None
        #: The id of this transaction once it has numbered a change set.
        self.xid: int | None = None
        #: The tables were made in this transaction (a new project being filled).
        self.fresh = False

    def name_tool(self, tool: str) -> None:
        """The tool is also told to the server, whose triggers record it."""
        self.tool = tool
        self.conn.execute(
            "SELECT set_config('gridgis.tool', %s, true)", [tool or "GridGIS"]
        )

    def last_change_set(self) -> int:
        """The number before this transaction's change set, which it takes now.

        Numbers come from the change-set sequence: two planners' change sets never
        share a number, and neither waits for the other's commit. A number taken by a
        transaction that rolls back is not used again.
        """
        (number, xid) = self.conn.execute(
            f"SELECT nextval({ddl.literal(ddl.CHANGE_SET_SEQUENCE)}), "
            "pg_current_xact_id()::text"
        ).fetchone()
        self.change_set, self.xid = int(number), int(xid)
        return self.change_set - 1

    # -- rows ---------------------------------------------------------------------

    def _copy(
        self,
        table: str,
        fids: np.ndarray,
        layer: str,
        data: pd.DataFrame,
        names: Sequence[str],
        *,
        freeze: bool = False,
    ) -> None:
        """``COPY`` the rows ``fids`` with the fields ``names`` of ``data`` (binary).

        ``freeze``: into a table made in this transaction, the rows are written frozen
        and marked visible to all, so the first reads and the first link after a copy
        need not write every page again (and no vacuum has to go over them).
        """
        lyr = schema.layer(layer)
        encoding = self.conn.info.encoding
        columns = [pgcopy.integers(fids)]
        for name in names:
            if name == schema.GEOMETRY_COLUMN:
                geoms = np.asarray(data.geometry.values, dtype=object)
                columns.append(pgcopy.geometries(geoms, self.store.settings.crs_epsg))
            else:
                columns.append(pgcopy.of_field(data[name], lyr.field(name), encoding))
        quoted = ", ".join(map(ddl.quote, ["fid", *names]))
        options = "FORMAT binary, FREEZE" if freeze else "FORMAT binary"
        with (
            self.conn.cursor() as cur,
            cur.copy(f"COPY {table} ({quoted}) FROM STDIN ({options})") as copy,
        ):
            for block in pgcopy.rows(columns, len(fids)):
                copy.write(block)

    @staticmethod
    def _names(layer: str, data: pd.DataFrame, geometry: bool) -> list[str]:
        """The columns of ``layer`` that ``data`` writes (the geometry last)."""
        names = [f.name for f in schema.layer(layer).fields if f.name in data.columns]
        return [*names, schema.GEOMETRY_COLUMN] if geometry else names

    def _values(
        self, layer: str, data: pd.DataFrame, names: Sequence[str]
    ) -> list[list[Any]]:
        """Python values of the columns ``names`` of ``data``, to bind row by row."""
        lyr = schema.layer(layer)
        columns = []
        for name in names:
            if name == schema.GEOMETRY_COLUMN:
                geoms = np.asarray(data.geometry.values, dtype=object)
                columns.append(_ewkb(geoms, self.store.settings.crs_epsg))
            else:
                columns.append(_sql_column(data[name], lyr.field(name)))
        return columns

    def insert(
        self, layer: str, frame: pd.DataFrame, *, keep_fids: bool = False
    ) -> np.ndarray:
        check_writable(layer)
        lyr = schema.layer(layer)
        data = schema.conform(layer, frame, partial=False, crs=self.store.crs)
        n = len(data)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        table = ddl.quote(layer)
        sequence = f"pg_get_serial_sequence({ddl.literal(table)}, 'fid')"
        if keep_fids:
            fids = requested_fids(layer, data)
            (taken,) = self.conn.execute(
                f"SELECT count(*) FROM {table} WHERE fid = ANY(%s)", [fids.tolist()]
            ).fetchone()
            if taken:
                fids_taken(layer, fids)
        else:
            rows = self.conn.execute(
                f"SELECT nextval({sequence}) FROM generate_series(1, %s)", [n]
            ).fetchall()
            fids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
        names = self._names(layer, data, lyr.is_spatial)
        if self._copies_directly():
            self._copy(table, fids, layer, data, names, freeze=self.fresh)
        else:
            # Row-level security refuses COPY into the table itself: the rows go
            # through a temporary table and one INSERT … SELECT, checked by the policies.
            temp = self._temp_table(layer, names)
            self._copy(temp, fids, layer, data, names)
            quoted = ", ".join(map(ddl.quote, ["fid", *names]))
            self.conn.execute(
                f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {temp}"
            )
            self.conn.execute(f"DROP TABLE {temp}")
        if keep_fids:
            self.conn.execute(
                f"SELECT setval({sequence}, greatest(%s, coalesce("
                f"pg_sequence_last_value({sequence}::regclass), 0)))",
                [int(fids.max())],
            )
        return fids

    def update(self, layer: str, frame: pd.DataFrame) -> None:
        check_writable(layer)
        lyr = schema.layer(layer)
        data = schema.conform(layer, frame, partial=True, crs=self.store.crs)
        if len(data) == 0:
            return
        names = self._names(layer, data, isinstance(data, gpd.GeoDataFrame))
        if not names:
            return
        fids = [int(f) for f in data.index]
        if len(fids) <= _FEW_ROWS:
            columns = self._values(layer, data, names)
            types = [
                "geometry" if n == schema.GEOMETRY_COLUMN else ddl.pg_type(lyr.field(n))
                for n in names
            ]
            assignments = ", ".join(
                f"{ddl.quote(n)} = %s::{t}" for n, t in zip(names, types, strict=True)
            )
            values = [
                [None if v is None else bool(v) for v in col] if t == "boolean" else col
                for col, t in zip(columns, types, strict=True)
            ]
            changed = 0
            with self.conn.cursor() as cur:
                for row in zip(*values, fids, strict=True):
                    cur.execute(
                        f"UPDATE {ddl.quote(layer)} SET {assignments} WHERE fid = %s",
                        row,
                    )
                    changed += cur.rowcount
        else:
            temp = self._temp_table(layer, names)
            self._copy(temp, np.asarray(fids, dtype=np.int64), layer, data, names)
            assignments = ", ".join(f"{ddl.quote(n)} = u.{ddl.quote(n)}" for n in names)
            before = self._join_memory(len(fids))
            changed = self.conn.execute(
                f"UPDATE {ddl.quote(layer)} AS t SET {assignments} FROM {temp} AS u "
                "WHERE t.fid = u.fid"
            ).rowcount
            self.conn.execute("SELECT set_config('work_mem', %s, true)", [before])
            self.conn.execute(f"DROP TABLE {temp}")
        if changed != len(fids):
            missing = len(fids) - changed
            raise SchemaError(
                f"{missing} of the {len(fids)} rows of '{layer}' to update no longer "
                "exist; read the layer again and repeat the change.",
                f"待更新的“{lyr.zh}”中有 {missing} 行已不存在;请重新读取图层后再修改。",
            )

    def _join_memory(self, rows: int) -> str:
        """Give the join of a large update room for ``rows``; return the old setting.

        A join that fits in memory (``work_mem``) meets the table's rows in the order
        they lie on disk, so each page is changed once; one that spills to disk meets
        them in hash order and writes every page many times over (several times
        slower for a city's million buildings). Never lowers the setting.
        """
        (before,) = self.conn.execute("SELECT current_setting('work_mem')").fetchone()
        kilobytes = min(max(rows * _JOIN_BYTES_PER_ROW // 1024, 4096), _JOIN_MEMORY_KB)
        self.conn.execute(
            "SELECT set_config('work_mem', greatest(pg_size_bytes(current_setting("
            "'work_mem')) / 1024, %s)::text || 'kB', true)",
            [kilobytes],
        )
        return str(before)

    def rows(self, layer: str, fids: Sequence[int] | np.ndarray) -> pd.DataFrame:
        """The rows ``fids`` of ``layer`` as this transaction sees them (for the log)."""
        lyr = schema.layer(layer)
        wanted = [int(f) for f in fids]
        return self.store._select(
            self.conn, lyr, lyr.field_names, ["fid = ANY(%s)"], [wanted]
        )

    def fids_where(self, layer: str, where: Where) -> np.ndarray:
        """The fids of the rows of ``layer`` matching ``where`` in this transaction."""
        check_where(layer, where)
        parts, params = _sql_values(where)
        condition = " AND ".join(parts) or "true"
        found = self.conn.execute(
            f"SELECT fid FROM {ddl.quote(layer)} WHERE {condition}", params
        ).fetchall()
        return np.fromiter((r[0] for r in found), dtype=np.int64, count=len(found))

    def _copies_directly(self) -> bool:
        """Whether rows may be copied straight into the tables.

        True for the project's owner or a superuser, whom row-level security spares.
        """
        if self.store._direct is None:
            (direct,) = self.conn.execute(
                "SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(current_user, "
                "t.tableowner, 'USAGE') FROM pg_roles AS r, pg_tables AS t "
                "WHERE r.rolname = current_user AND t.schemaname = 'public' "
                "AND t.tablename = 'grids'"
            ).fetchone()
            self.store._direct = bool(direct)
        return self.store._direct

    def _temp_table(self, layer: str, names: Sequence[str]) -> str:
        """A new temporary table (dropped at commit) with ``fid`` and ``names``."""
        lyr = schema.layer(layer)
        self._temp += 1
        temp = ddl.quote(f"gridgis_rows_{self._temp}")
        definition = ", ".join(
            f"{ddl.quote(n)} "
            + ("geometry" if n == schema.GEOMETRY_COLUMN else ddl.pg_type(lyr.field(n)))
            for n in names
        )
        # No key: the rows are joined once, by hash (an index would only slow COPY).
        self.conn.execute(
            f"CREATE TEMP TABLE {temp} (fid bigint, {definition}) ON COMMIT DROP"
        )
        return temp

    def delete(self, layer: str, fids: Sequence[int] | np.ndarray) -> None:
        check_writable(layer)
        schema.layer(layer)
        self.conn.execute(
            f"DELETE FROM {ddl.quote(layer)} WHERE fid = ANY(%s)",
            [[int(f) for f in fids]],
        )

    def delete_where(self, layer: str, where: Where) -> int:
        check_writable(layer)
        schema.layer(layer)
        check_where(layer, where)
        parts, params = _sql_values(where)
        condition = " AND ".join(parts) or "true"
        cursor = self.conn.execute(
            f"DELETE FROM {ddl.quote(layer)} WHERE {condition}", params
        )
        return int(cursor.rowcount)

    def write_settings(self, settings: Settings) -> None:
        if not isinstance(settings, Settings):
            raise TypeError(f"settings must be Settings, got {type(settings).__name__}")
        rows = settings.to_rows()
        # Only keys whose value changed are written (and so locked): two users who
        # change different settings do not wait for each other.
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO settings (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value "
                "WHERE settings.value IS DISTINCT FROM excluded.value",
                rows,
            )
        self.conn.execute(
            "DELETE FROM settings WHERE NOT (key = ANY(%s))", [[k for k, _ in rows]]
        )
        self.settings = settings

    # -- community revisions ----------------------------------------------------------

    def expect_revisions(self, expected: Mapping[str, int]) -> None:
        """Lock the communities' revisions; raise if one moved from ``expected``.

        The revision rows stay locked until the transaction ends, so the check and the
        writes that follow are one atomic step; other communities are not locked.
        """
        if not expected:
            return
        rows = self.conn.execute(
            "SELECT * FROM gridgis_lock_revisions(%s)", [sorted(expected)]
        ).fetchall()
        found = {r[0]: _revision(r) for r in rows}
        check_revisions(found, expected, self.store.location)

    def bump_revisions(self, communities: Iterable[str]) -> dict[str, int]:
        """+1 for each community (once per transaction); return the new numbers."""
        codes = sorted({str(c) for c in communities})
        if not codes:
            return {}
        self.conn.execute("SELECT gridgis_bump_revisions(%s)", [codes])
        rows = self.conn.execute(
            "SELECT community_code, revision FROM community_revisions "
            "WHERE community_code = ANY(%s)",
            [codes],
        ).fetchall()
        return {str(code): int(number) for code, number in rows}


def _revision(row: Sequence[Any]) -> Revision:
    code, number, by, at, tool = row
    return Revision(
        str(code),
        int(number or 0),
        by,
        pd.Timestamp(at) if at is not None else None,
        tool,
    )


class PostGISStore(Store):
    """A GridGIS project in a PostgreSQL/PostGIS database.

    Use :meth:`create` for a new project in an empty database and :meth:`open` (or
    :func:`gridgis.core.store.open_project`) for an existing one.
    """

    def __init__(self, conninfo: str, settings: Settings, conn: Any) -> None:
        self.conninfo = conninfo
        self.location = conninfo
        self._settings = settings
        self._conn = conn
        self._write: Any = None
        self._user: str | None = None
        self._direct: bool | None = None
        self._listener: Any = None
        #: Transaction-id horizons: the change sets of every transaction with a lower
        #: id are known to this store (None: not listening yet); the one read at the
        #: previous call moves it on at the next.
        self._seen: int | None = None
        self._pending: int | None = None
        #: The ids of this store's own transactions at or after ``_seen``.
        self._own: set[int] = set()
        self._lost = False

    # -- creating and opening ------------------------------------------------------

    @classmethod
    def create(
        cls,
        location: str | Path,
        settings: Settings,
        *,
        overwrite: bool = False,
        fill: Callable[[Transaction], None] | None = None,
        tool: str = "gridgis new",
    ) -> PostGISStore:
        """Make the database ``location`` a new, empty GridGIS project.

        Everything — tables, triggers, policies, settings and, with ``fill``, the rows
        it inserts — is one transaction: an error leaves the database as it was.

        Raises
        ------
        ProjectFileError
            The database already holds tables and ``overwrite`` is false.
        """
        info = conninfo_of(location)
        settings = settings.with_changes(schema_version=schema.SCHEMA_VERSION)
        conn = connect(info)
        try:
            existing = _tables(conn)
            if existing and not overwrite:
                raise ProjectFileError(
                    f"The database {info} is not empty (it has {', '.join(existing[:5])}"
                    "). Create the project in an empty database, or allow replacing "
                    "the GridGIS project in it (--overwrite).",
                    f"数据库 {info} 不是空的(已有 {', '.join(existing[:5])})。请在空"
                    "数据库中新建项目,或允许覆盖其中的 GridGIS 项目(--overwrite)。",
                )
            store = cls(info, settings, conn)
            tx = _PostGISTransaction(store, connect(info), tool)
            store._write = tx.conn
            tx.conn.execute("BEGIN")
            try:
                if existing:
                    _drop_project(tx.conn)
                for statement in ddl.create_tables(settings.crs_epsg):
                    tx.conn.execute(statement)
                tx.conn.execute("SELECT set_config('gridgis.tool', %s, true)", [tool])
                tx.write_settings(settings)
                tx.fresh = True
                if fill is not None:
                    # Rows first, then the indexes (built in bulk) and the triggers
                    # (the copied revisions stay as they were).
                    fill(tx)
                for statement in ddl.complete_project():
                    tx.conn.execute(statement)
                tx.conn.execute("ANALYZE")
                tx.conn.execute("COMMIT")
            except BaseException:
                tx.conn.execute("ROLLBACK")
                raise
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def open(cls, location: str | Path) -> PostGISStore:
        """Open the GridGIS project in the database ``location``.

        Raises
        ------
        ProjectFileError
            No connection, no GridGIS project in the database, or one made by a newer
            GridGIS.
        """
        info = conninfo_of(location)
        conn = connect(info)
        try:
            settings = _read_settings(conn, info)
            version = settings.schema_version
            if version > schema.SCHEMA_VERSION:
                raise ProjectFileError(
                    f"{info} was made by a newer GridGIS (schema {version}; this one "
                    f"reads up to {schema.SCHEMA_VERSION}). Update GridGIS to open it.",
                    f"{info} 由更新版本的 GridGIS 创建(数据结构版本 {version},"
                    f"当前版本最高支持 {schema.SCHEMA_VERSION});请升级 GridGIS。",
                )
            _number_change_sets(conn, info)
        except BaseException:
            conn.close()
            raise
        return cls(info, settings, conn)

    # -- reading --------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._settings

    def _reader(self) -> Any:
        """The connection reads go through: the open transaction's, to see its rows."""
        tx = self.open_transaction()
        return tx.conn if isinstance(tx, _PostGISTransaction) else self._conn

    @property
    def user(self) -> str:
        """The database login that writes (``session_user``)."""
        if self._user is None:
            (self._user,) = self._conn.execute("SELECT session_user").fetchone()
        return str(self._user)

    def read(
        self,
        layer: str,
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        lyr, names = read_request(layer, columns, bbox, where)
        parts, params = _sql_values(where)
        if bbox is not None:
            parts.append(
                f"{ddl.quote(schema.GEOMETRY_COLUMN)} && "
                "ST_MakeEnvelope(%s, %s, %s, %s, %s)"
            )
            params += [*map(float, bbox), self.settings.crs_epsg]
        return self._select(self._reader(), lyr, names, parts, params)

    def _select(
        self,
        conn: Any,
        lyr: schema.Layer,
        names: Sequence[str],
        parts: Sequence[str],
        params: Sequence[Any],
    ) -> pd.DataFrame:
        """The fields ``names`` of the rows of ``lyr`` meeting all of ``parts``."""
        layer = lyr.name
        selected = ["fid", *map(ddl.quote, names)]
        if lyr.is_spatial:
            # In binary results a geometry arrives as EWKB, which shapely reads.
            selected.append(ddl.quote(schema.GEOMETRY_COLUMN))
        condition = " AND ".join(parts) or "true"
        with conn.cursor(binary=True) as cur:
            cur.execute(
                f"SELECT {', '.join(selected)} FROM {ddl.quote(layer)} "
                f"WHERE {condition}",
                params,
            )
            rows = cur.fetchall()
        if not rows:
            empty = schema.empty_frame(layer, crs=self.settings.crs_epsg)
            return empty[[*names, "geometry"]] if lyr.is_spatial else empty[names]
        # Column by column, in C: a third of the time of taking rows apart in Python.
        values = [
            np.fromiter(map(itemgetter(k), rows), dtype=object, count=len(rows))
            for k in range(len(selected))
        ]
        del rows
        fids = values[0].astype(np.int64)
        if len(fids) > 1 and not (fids[1:] > fids[:-1]).all():
            order = np.argsort(fids, kind="stable")
            values = [v[order] for v in values]
            fids = fids[order]
        index = pd.Index(fids, name="fid")
        frame = pd.DataFrame(
            {n: _loaded(values[k + 1], lyr.field(n)) for k, n in enumerate(names)}
        )
        frame.index = index
        frame = schema_dtypes(layer, frame)
        if not lyr.is_spatial:
            return frame
        geoms = shapely.from_wkb(values[-1])
        return gpd.GeoDataFrame(
            frame,
            geometry=gpd.GeoSeries(geoms, index=index),
            crs=self.settings.crs_epsg,
        )[[*names, "geometry"]]

    def count(self, layer: str, *, where: Where | None = None) -> int:
        schema.layer(layer)
        check_where(layer, where)
        parts, params = _sql_values(where)
        condition = " AND ".join(parts) or "true"
        (n,) = (
            self._reader()
            .execute(
                f"SELECT count(*) FROM {ddl.quote(layer)} WHERE {condition}", params
            )
            .fetchone()
        )
        return int(n)

    def revisions(
        self, communities: Iterable[str] | None = None
    ) -> dict[str, Revision]:
        """The current revision of each community (0 when it was never changed)."""
        rows = (
            self._reader()
            .execute(
                "SELECT community_code, revision, changed_by, changed_at, tool "
                "FROM community_revisions"
                + ("" if communities is None else " WHERE community_code = ANY(%s)"),
                [] if communities is None else [sorted({str(c) for c in communities})],
            )
            .fetchall()
        )
        found = {str(r[0]): _revision(r) for r in rows}
        if communities is None:
            return found
        return {str(c): found.get(str(c), Revision(str(c), 0)) for c in communities}

    # -- writing --------------------------------------------------------------------

    def _explain(self, exc: BaseException) -> BaseException | None:
        psycopg = _psycopg()
        if not isinstance(exc, psycopg.errors.InsufficientPrivilege):
            return None
        return AccessError(
            f"Your login {self.user} may not make this change ({exc}). A street's "
            "planner edits only that street; a viewer edits nothing. Ask the "
            "district's administrator (gridgis access grant).",
            f"您的登录名 {self.user} 无权进行此修改({exc})。街道规划员只能修改本街道,"
            "查看者不能修改。请联系区级管理员(gridgis access grant)。",
        )

    def _begin(self) -> Transaction:
        return self._begin_tool("")

    def _begin_tool(self, tool: str) -> _PostGISTransaction:
        if self._write is None or self._write.closed:
            self._write = connect(self.conninfo)
        conn = self._write
        conn.execute("BEGIN")
        tx = _PostGISTransaction(self, conn, tool)
        tx.name_tool(tool)
        return tx

    def _commit(self, tx: Transaction) -> None:
        assert isinstance(tx, _PostGISTransaction)
        try:
            tx.conn.execute("COMMIT")
        except BaseException:
            self._rollback(tx)
            raise
        if tx.settings is not None:
            self._settings = tx.settings
        if tx.xid is not None:
            self._own.add(tx.xid)

    def _rollback(self, tx: Transaction) -> None:
        assert isinstance(tx, _PostGISTransaction)
        if tx.conn.closed:
            return
        try:
            tx.conn.execute("ROLLBACK")
        except Exception:  # a broken connection: the server has rolled back already
            tx.conn.close()

    def reload_settings(self) -> Settings:
        conn = self._reader()
        if conn is not self._conn:
            # Settings writers in a transaction go one after another.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [_SETTINGS_LOCK])
        self._settings = _read_settings(conn, self.conninfo)
        return self._settings

    # -- others' edits ---------------------------------------------------------------

    def listen(self) -> None:
        """Start receiving the codes of communities others change."""
        if self._listener is None or self._listener.closed:
            self._listener = connect(self.conninfo)
            self._listener.execute(f"LISTEN {ddl.CHANNEL}")
            if self._seen is None:
                self._seen = self._pending = self._horizon()

    def _horizon(self) -> int:
        """The oldest transaction still running: every one before it has ended.

        Read on the reading connection (a fresh one if the old one broke).
        """
        if self._conn.closed or self._conn.broken:
            self._conn.close()
            self._conn = connect(self.conninfo)
        (xmin,) = self._conn.execute(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text"
        ).fetchone()
        return int(xmin)

    def changed_by_others(self, timeout: float = 0.0) -> set[str]:
        """Communities other connections changed (committed) since the last call.

        Collects what arrives within ``timeout`` seconds (``0``: what has arrived
        already). This store's own writes are left out. Starts listening if needed.
        After a lost connection it catches up from the change log: the communities of
        the change sets of every transaction that had not ended when it last knew the
        log (change-set numbers may commit out of order, transaction ids tell); where
        the log cannot say (a change without a community), every community counts as
        changed. A community may then be reported again; none is missed.

        Raises
        ------
        ProjectFileError
            The server cannot be reached (try again later).
        """
        import psycopg

        if self._lost:
            return self._catch_up()
        if self._listener is None or self._listener.closed:
            self.listen()
        own = None
        if self._write is not None and not self._write.closed:
            own = self._write.info.backend_pid
        try:
            last = self._horizon()
            changed = {
                note.payload
                for note in self._listener.notifies(timeout=max(timeout, 0.001))
                if note.pid != own
            }
        except psycopg.OperationalError:
            self._lost = True
            return self._catch_up()
        # Notices of transactions before the previous call's horizon have arrived by now.
        self._seen, self._pending = self._pending, last
        self._own = {x for x in self._own if self._seen is None or x >= self._seen}
        return changed

    def _catch_up(self) -> set[str]:
        """Listen again; the communities of the change sets not known to be heard."""
        if self._listener is not None:
            self._listener.close()
        self._listener = None
        if self._write is not None and self._write.broken:
            self._write.close()
        seen = self._seen
        self.listen()  # before reading the log: later change sets will be heard
        horizon = self._horizon()
        rows = self._conn.execute(
            f"SELECT {ddl.XID_COLUMN}::text, community_code FROM changes "
            f"WHERE {ddl.XID_COLUMN} >= (%s::bigint)::text::xid8",
            [seen or 0],
        ).fetchall()
        self._seen = self._pending = horizon
        others = [r[1] for r in rows if int(r[0]) not in self._own]
        self._own = {x for x in self._own if x >= horizon}
        self._lost = False
        if seen is None or any(code is None for code in others):
            rows = self._conn.execute("SELECT code FROM communities").fetchall()
            return {str(r[0]) for r in rows}
        return {c for codes in others for c in str(codes).split(",") if c}

    def close(self) -> None:
        for conn in (self._conn, self._write, self._listener):
            if conn is not None and not conn.closed:
                conn.close()


def _tables(conn: Any) -> list[str]:
    """Tables of the database's ``public`` schema other than PostGIS's own."""
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'spatial_ref_sys' ORDER BY 1"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _drop_project(conn: Any) -> None:
    """Remove the GridGIS tables and functions from the database (to overwrite)."""
    tables = [*schema.LAYER_NAMES, ddl.ACCESS_TABLE]
    conn.execute(f"DROP TABLE IF EXISTS {', '.join(map(ddl.quote, tables))} CASCADE")
    rows = conn.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc AS p JOIN pg_namespace AS n "
        "ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
        "AND p.proname LIKE 'gridgis\\_%'"
    ).fetchall()
    for (signature,) in rows:
        conn.execute(f"DROP FUNCTION IF EXISTS {signature} CASCADE")


def _number_change_sets(conn: Any, info: str) -> None:
    """Give a project made without it the change-set sequence (once, by its owner).

    Under the settings lock, and only while the sequence is missing: once change sets
    take numbers from it, nothing sets it again.
    """
    import psycopg

    def numbered() -> bool:
        (found,) = conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL", [ddl.CHANGE_SET_SEQUENCE]
        ).fetchone()
        return bool(found)

    if numbered():
        return
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [_SETTINGS_LOCK])
            if not numbered():
                for statement in ddl.change_set_numbering() + ddl.log_grants():
                    conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        raise ProjectFileError(
            f"The change log of {info} must be updated once by the owner of the "
            "database project: open it once with the owner's login (for example "
            f"`gridgis info '{info}'`), then open it again.",
            f"{info} 的变更记录需要由数据库项目的所有者更新一次:请用所有者的登录名"
            f"打开一次(例如 `gridgis info '{info}'`),然后再打开。",
        ) from None


def _read_settings(conn: Any, info: str) -> Settings:
    import psycopg

    try:
        rows = conn.execute("SELECT key, value FROM settings").fetchall()
    except psycopg.errors.UndefinedTable:
        rows = []
    marker = dict(rows).get("format")
    if marker != f'"{FORMAT_MARKER}"':
        raise ProjectFileError(
            f"The database {info} holds no GridGIS project. Create one with "
            f"`gridgis new '{info}' --county CODE` or copy a project into it with "
            f"`gridgis copy PROJECT.gpkg '{info}'`.",
            f"数据库 {info} 中没有 GridGIS 项目。请用 `gridgis new '{info}' --county "
            f"代码` 新建,或用 `gridgis copy 项目.gpkg '{info}'` 复制项目到其中。",
        )
    return Settings.from_rows(rows)
