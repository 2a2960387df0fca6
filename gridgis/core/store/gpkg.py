"""The GeoPackage store: a whole GridGIS project in one ``.gpkg`` file.

Reads go through GDAL (pyogrio, Arrow) for speed; writes go through SQLite so that a
change is one transaction: it lands whole or, on any error, leaves the file as it was.
The file is GeoPackage 1.2, which passes the system GDAL's ``validate_gpkg.py`` and opens
in QGIS 3.22 without a version warning.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from gridgis.core import schema
from gridgis.core.errors import (
    GridGisError,
    ProjectBusyError,
    ProjectFileError,
    ReadOnlyProjectError,
    SchemaError,
)
from gridgis.core.settings import FORMAT_MARKER, Settings
from gridgis.core.store import gpkg_ddl as ddl
from gridgis.core.store import gpkgblob
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

_SQLITE_MAGIC = b"SQLite format 3\x00"
_GPKG_IDS = {ddl.APPLICATION_ID, 0x47503130, 0x47503131}  # GPKG, GP10, GP11
#: Inserts larger than this fill the R-tree in one statement instead of per row.
_BULK_ROWS = 5000
#: ``UPDATE … FROM`` (SQLite 3.33) lets a large update run as one statement.
_SET_BASED_UPDATE = sqlite3.sqlite_version_info >= (3, 33, 0)


def busy_seconds() -> float:
    """How long a command waits for another program's write to finish."""
    try:
        return max(0.0, float(os.environ.get("GRIDGIS_BUSY_SECONDS", "8")))
    except ValueError:
        return 8.0


def _connect(path: str | Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=busy_seconds())
    gpkgblob.register_functions(conn)
    return conn


def holders(path: Path) -> list[str]:
    """The programs (``pid name``) that have ``path`` or its journal open, if visible."""
    targets = {str(path.resolve()), str(path.resolve()) + "-journal"}
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        if int(proc.name) == os.getpid():
            continue
        try:
            links = {os.readlink(fd) for fd in (proc / "fd").iterdir()}
            if links & targets:
                name = (proc / "comm").read_text().strip()
                cmd = (
                    (proc / "cmdline")
                    .read_bytes()
                    .replace(b"\0", b" ")
                    .decode(errors="replace")
                )
                found.append(f"{proc.name} {cmd.strip()[:80] or name}")
        except OSError:
            continue
    return found


def database_error(path: Path, exc: Exception) -> GridGisError | None:
    """The message for an SQLite (or GDAL) error about the project file itself.

    ``None`` when the error is not about the file (a programming error).
    """
    text = str(exc)
    lower = text.lower()
    if "locked" in lower or "busy" in lower:
        who = holders(path)
        held = "; ".join(who) or "another program"
        return ProjectBusyError(
            f"{path} is busy: {held} is writing to it (waited {busy_seconds():g} s). "
            "Wait until that program has finished saving (or close it) and run the "
            "command again.",
            f"{path} 正被占用:{'; '.join(who) or '其他程序'}正在写入(已等待 "
            f"{busy_seconds():g} 秒)。请等该程序保存完毕(或关闭它)后再运行。",
        )
    if "readonly" in lower or "read-only" in lower or "read only" in lower:
        return read_only_error(path)
    if any(k in lower for k in ("malformed", "not a database", "corrupt")):
        return damaged_error(path, text)
    return None


def read_only_error(path: Path) -> ReadOnlyProjectError:
    """Writing is refused: the file or its folder may not be written."""
    return ReadOnlyProjectError(
        f"{path} can be read but not written (the file or its folder is read-only "
        "for you); nothing was changed. Copy it somewhere you may write, or ask for "
        "write permission, then repeat the change.",
        f"{path} 只能读取、不能写入(文件或其所在文件夹对您是只读的);未做任何修改。"
        "请把它复制到可写的位置,或申请写入权限后重做修改。",
    )


def damaged_error(path: Path, reason: str) -> ProjectFileError:
    """A damaged file: what SQLite finds damaged, and how to get the data out."""
    findings: list[str] = []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            findings = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        findings = [str(exc)]
    found = "; ".join(f for f in findings if f != "ok") or reason
    rescue = (
        f"sqlite3 {path} .recover | sqlite3 rescued.gpkg   or   "
        f"ogr2ogr -f GPKG rescued.gpkg {path} -skipfailures"
    )
    return ProjectFileError(
        f"{path} is damaged: {found}. Restore it from a backup, or get out what can "
        f"still be read: {rescue}; then check the result with `gridgis validate`.",
        f"{path} 已损坏:{found}。请从备份恢复,或导出仍可读取的内容:{rescue};"
        "再用 `gridgis validate` 检查结果。",
    )


@contextlib.contextmanager
def explained(path: Path) -> Iterator[None]:
    """Turn errors about the project file into messages that say what to do."""
    try:
        yield
    except (sqlite3.DatabaseError, pyogrio.errors.DataSourceError) as exc:
        error = database_error(path, exc)
        if error is None:
            raise
        raise error from None
    except OSError as exc:
        if exc.errno in (13, 30):  # EACCES, EROFS
            raise read_only_error(path) from None
        raise


def recover(path: Path) -> None:
    """Roll back what a crashed writer left (a hot journal), as SQLite means it.

    A program killed inside its transaction leaves ``path-journal``; SQLite puts the
    file back as it was before that transaction when it is next opened for writing.
    Read-only openers cannot do that, so this opens it for writing first.
    """
    journal = Path(f"{path}-journal")
    try:
        if not journal.exists() or journal.stat().st_size == 0:
            return
    except OSError:
        return
    try:
        conn = _connect(path)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        lower = str(exc).lower()
        if "readonly" in lower or "read-only" in lower or "unable to open" in lower:
            raise ProjectFileError(
                f"{path} was being written when a program stopped, and putting it back "
                f"needs write access (it is read-only for you). Nothing is lost: ask "
                f"for write permission, or copy {path.name} together with "
                f"{journal.name} to a folder you may write and open the copy.",
                f"{path} 在写入时程序中断,恢复需要写入权限(该文件对您只读)。数据没有丢失:"
                f"请申请写入权限,或把 {path.name} 与 {journal.name} 一起复制到可写的文件夹"
                "后打开副本。",
            ) from None
        error = database_error(path, exc)
        if error is None:
            raise
        raise error from None


def sql_literal(value: Any) -> str:
    """An SQL literal for ``value`` (text, number, boolean)."""
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return "'" + str(value).replace("'", "''") + "'"


def where_sql(where: Where | None) -> str | None:
    """The SQL ``WHERE`` condition of a ``where`` mapping."""
    if not where:
        return None
    parts = []
    for name, value in where.items():
        values = where_values(value)
        column = ddl.quote(name)
        if values is None:
            parts.append(f"{column} IS NULL")
        elif not values:
            parts.append("0")
        else:
            parts.append(f"{column} IN ({', '.join(sql_literal(v) for v in values)})")
    return " AND ".join(parts)


def _sql_column(series: pd.Series, fld: schema.Field) -> list[Any]:
    """Python values SQLite can bind, from a conformed column."""
    if fld.type is schema.FieldType.TEXT:
        return series.astype(object).where(series.notna(), None).tolist()
    if fld.type is schema.FieldType.INTEGER:
        return [None if v is pd.NA else int(v) for v in series.array]
    if fld.type is schema.FieldType.REAL:
        return [None if v != v else float(v) for v in series.to_numpy(dtype=float)]
    if fld.type is schema.FieldType.BOOLEAN:
        return [None if v is pd.NA else int(bool(v)) for v in series.array]
    if fld.type is schema.FieldType.DATETIME:
        return [
            None
            if pd.isna(v)
            else pd.Timestamp(v).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            for v in series
        ]
    return series.tolist()


def _revision_rows(
    conn: sqlite3.Connection, communities: Iterable[str] | None = None
) -> dict[str, Revision]:
    sql = "SELECT community_code, revision, changed_by, changed_at, tool FROM "
    sql += "community_revisions"
    codes = None if communities is None else [str(c) for c in communities]
    if codes is not None:
        sql += f" WHERE community_code IN ({', '.join('?' * len(codes))})"
    try:
        rows = conn.execute(sql, codes or []).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        rows = []  # a file not migrated yet (read-only): nothing recorded
    found = {
        str(code): Revision(
            str(code),
            int(number),
            by,
            None if at is None else pd.Timestamp(at).tz_localize(None),
            tool,
        )
        for code, number, by, at, tool in rows
    }
    if codes is not None:
        for code in codes:
            found.setdefault(code, Revision(code, 0))
    return found


class _GeoPackageTransaction(Transaction):
    def __init__(self, store: GeoPackageStore, conn: sqlite3.Connection) -> None:
        self.store = store
        self.conn = conn
        self.touched: set[str] = set()
        self.settings: Settings | None = None
        # Revisions as they were when the write lock was taken: each community this
        # transaction changes moves on by exactly one from there.
        self.before = {c: r.number for c, r in _revision_rows(conn).items()}
        self.bumped: set[str] = set()
        self.written: set[str] = set()

    def expect_revisions(self, expected: Mapping[str, int]) -> None:
        check_revisions(
            _revision_rows(self.conn, list(expected)), expected, self.store.location
        )

    def bump_revisions(self, communities: Iterable[str]) -> dict[str, int]:
        codes = [str(c) for c in communities]
        self.bumped.update(codes)
        return {c: self.before.get(c, 0) + 1 for c in codes}

    def _settle_revisions(self) -> None:
        """Record one step per changed community, with who, when and which tool."""
        after = {c: r.number for c, r in _revision_rows(self.conn).items()}
        moved = {c for c, n in after.items() if n != self.before.get(c, 0)}
        if "community_revisions" in self.written:
            moved = set()  # revisions written as rows (a copy of a project) stay
        when = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        self.conn.executemany(
            "INSERT INTO community_revisions (community_code, revision, changed_by, "
            "changed_at, tool) VALUES (?, ?, ?, ?, ?) ON CONFLICT (community_code) DO "
            "UPDATE SET revision = excluded.revision, changed_by = excluded.changed_by,"
            " changed_at = excluded.changed_at, tool = excluded.tool",
            [
                (c, self.before.get(c, 0) + 1, self.store.user, when, self.tool or None)
                for c in sorted(moved | self.bumped)
            ],
        )

    def _srs(self) -> int:
        return self.store.settings.crs_epsg

    def insert(
        self, layer: str, frame: pd.DataFrame, *, keep_fids: bool = False
    ) -> np.ndarray:
        check_writable(layer)
        self.written.add(layer)
        lyr = schema.layer(layer)
        data = schema.conform(layer, frame, partial=False, crs=self.store.crs)
        n = len(data)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        table = ddl.quote(layer)
        last = 0
        if keep_fids:
            fids = requested_fids(layer, data)
            placeholders = ", ".join("?" * len(fids))
            (taken,) = self.conn.execute(
                f"SELECT count(*) FROM {table} WHERE fid IN ({placeholders})",
                fids.tolist(),
            ).fetchone()
            if taken:
                fids_taken(layer, fids)
        else:
            (last,) = self.conn.execute(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), "
                f"0), coalesce((SELECT max(fid) FROM {table}), 0))",
                (layer,),
            ).fetchone()
            fids = np.arange(last + 1, last + 1 + n, dtype=np.int64)
        names = [f.name for f in lyr.fields if f.name in data.columns]
        columns: list[list[Any]] = [fids.tolist()]
        columns += [_sql_column(data[name], lyr.field(name)) for name in names]
        sql_names = ["fid", *names]
        bulk = lyr.is_spatial and n > _BULK_ROWS
        if lyr.is_spatial:
            geoms = np.asarray(data.geometry.values, dtype=object)
            columns.append(gpkgblob.encode(geoms, self._srs()))
            sql_names.append(schema.GEOMETRY_COLUMN)
        placeholders = ", ".join("?" * len(sql_names))
        statement = (
            f"INSERT INTO {table} ({', '.join(map(ddl.quote, sql_names))}) "
            f"VALUES ({placeholders})"
        )
        # A large insert next to few rows (a register's million residents): the
        # indexes are built once afterwards instead of row by row, as a large update
        # does. All inside the transaction.
        indexed = ddl.index_fields(lyr) if n > _BULK_ROWS and n >= last // 2 else []
        if bulk:
            ddl.drop_rtree_triggers(self.conn, layer)
        for name in indexed:
            self.conn.execute(f"DROP INDEX IF EXISTS {ddl.index_name(layer, name)}")
        self.conn.executemany(statement, zip(*columns, strict=True))
        for name in indexed:
            ddl.create_index(self.conn, layer, name)
        if bulk:
            self._fill_rtree(layer, fids, geoms)
            ddl.create_rtree_triggers(self.conn, layer)
        if lyr.is_spatial:
            self.touched.add(layer)
        return fids

    def _fill_rtree(self, layer: str, fids: np.ndarray, geoms: np.ndarray) -> None:
        keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        bounds = shapely.bounds(geoms[keep])
        rows = zip(
            fids[keep].tolist(),
            bounds[:, 0].tolist(),
            bounds[:, 2].tolist(),
            bounds[:, 1].tolist(),
            bounds[:, 3].tolist(),
            strict=True,
        )
        self.conn.executemany(
            f"INSERT OR REPLACE INTO {ddl.quote(ddl.rtree_name(layer))} "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )

    def update(self, layer: str, frame: pd.DataFrame) -> None:
        check_writable(layer)
        self.written.add(layer)
        lyr = schema.layer(layer)
        data = schema.conform(layer, frame, partial=True, crs=self.store.crs)
        if len(data) == 0:
            return
        names = [f.name for f in lyr.fields if f.name in data.columns]
        columns = [_sql_column(data[name], lyr.field(name)) for name in names]
        assignments = [f"{ddl.quote(n)} = ?" for n in names]
        if isinstance(data, gpd.GeoDataFrame):
            geoms = np.asarray(data.geometry.values, dtype=object)
            columns.append(gpkgblob.encode(geoms, self._srs()))
            assignments.append(f"{ddl.quote(schema.GEOMETRY_COLUMN)} = ?")
            self.touched.add(layer)
        if not assignments:
            return
        fids = [int(f) for f in data.index]
        columns.append(fids)
        # A large update of attributes only (linking a city writes a grid code on every
        # building): the R-tree triggers act only when a geometry or fid changes, so
        # they are set aside, and indexes of the changed fields are rebuilt once
        # instead of being updated row by row. All inside the transaction.
        bulk = len(fids) > _BULK_ROWS and not isinstance(data, gpd.GeoDataFrame)
        indexed = [n for n in names if n in ddl.index_fields(lyr)] if bulk else []
        if bulk:
            if lyr.is_spatial:
                ddl.drop_rtree_triggers(self.conn, layer)
            for name in indexed:
                self.conn.execute(f"DROP INDEX IF EXISTS {ddl.index_name(layer, name)}")
        if (
            bulk
            and _SET_BASED_UPDATE
            and all(lyr.field(n).type is not schema.FieldType.BLOB for n in names)
        ):
            # One statement over a JSON array of rows: SQLite does the whole update
            # without coming back to Python per row, so other threads run meanwhile.
            values = ", ".join(
                f"{ddl.quote(n)} = json_extract(j.value, '$[{k + 1}]')"
                for k, n in enumerate(names)
            )
            payload = json.dumps([[fid, *row] for fid, row in zip(
                fids, zip(*columns[:-1], strict=True), strict=True
            )], ensure_ascii=False)  # fmt: skip
            cursor = self.conn.execute(
                f"UPDATE {ddl.quote(layer)} SET {values} FROM json_each(?) AS j "
                f"WHERE {ddl.quote(layer)}.fid = json_extract(j.value, '$[0]')",
                (payload,),
            )
        else:
            cursor = self.conn.executemany(
                f"UPDATE {ddl.quote(layer)} SET {', '.join(assignments)} WHERE fid = ?",
                zip(*columns, strict=True),
            )
        if bulk:
            for name in indexed:
                ddl.create_index(self.conn, layer, name)
            if lyr.is_spatial:
                ddl.create_rtree_triggers(self.conn, layer)
        if cursor.rowcount != len(fids):
            missing = len(fids) - cursor.rowcount
            raise SchemaError(
                f"{missing} of the {len(fids)} rows of '{layer}' to update no longer "
                "exist; read the layer again and repeat the change.",
                f"待更新的“{lyr.zh}”中有 {missing} 行已不存在;请重新读取图层后再修改。",
            )

    def delete(self, layer: str, fids: Sequence[int] | np.ndarray) -> None:
        check_writable(layer)
        self.written.add(layer)
        lyr = schema.layer(layer)
        self.conn.executemany(
            f"DELETE FROM {ddl.quote(layer)} WHERE fid = ?",
            ((int(f),) for f in fids),
        )
        if lyr.is_spatial:
            self.touched.add(layer)

    def delete_where(self, layer: str, where: Where) -> int:
        check_writable(layer)
        self.written.add(layer)
        lyr = schema.layer(layer)
        check_where(layer, where)
        condition = where_sql(where) or "1"
        cursor = self.conn.execute(f"DELETE FROM {ddl.quote(layer)} WHERE {condition}")
        if lyr.is_spatial:
            self.touched.add(layer)
        return int(cursor.rowcount)

    def write_settings(self, settings: Settings) -> None:
        if not isinstance(settings, Settings):
            raise TypeError(f"settings must be Settings, got {type(settings).__name__}")
        self.conn.execute("DELETE FROM settings")
        self.conn.executemany(
            "INSERT INTO settings (key, value) VALUES (?, ?)", settings.to_rows()
        )
        ddl.add_srs(self.conn, settings.crs_epsg)
        self.settings = settings

    def rows(self, layer: str, fids: Sequence[int] | np.ndarray) -> pd.DataFrame:
        lyr = schema.layer(layer)
        names = lyr.field_names
        columns = ["fid", *names]
        if lyr.is_spatial:
            columns.append(schema.GEOMETRY_COLUMN)
        wanted = [int(f) for f in fids]
        records = self.conn.execute(
            f"SELECT {', '.join(map(ddl.quote, columns))} FROM {ddl.quote(layer)} "
            "WHERE fid IN (SELECT value FROM json_each(?))",
            (json.dumps(wanted),),
        ).fetchall()
        frame = pd.DataFrame.from_records(records, columns=columns).set_index("fid")
        if lyr.is_spatial:
            geoms = gpkgblob.decode(frame.pop(schema.GEOMETRY_COLUMN).tolist())
            frame = gpd.GeoDataFrame(frame, geometry=geoms, crs=self.store.crs)
        frame.index = frame.index.astype("int64")
        return schema_dtypes(layer, frame)

    def fids_where(self, layer: str, where: Where) -> np.ndarray:
        check_where(layer, where)
        condition = where_sql(where) or "1"
        records = self.conn.execute(
            f"SELECT fid FROM {ddl.quote(layer)} WHERE {condition}"
        ).fetchall()
        return np.array([r[0] for r in records], dtype=np.int64)

    def last_change_set(self) -> int:
        (last,) = self.conn.execute(
            f"SELECT coalesce(max(change_set), 0) FROM {ddl.quote(ddl.CHANGE_LOG)}"
        ).fetchone()
        return int(last)

    def finish(self) -> None:
        """Record the change in ``gpkg_contents`` (time and extent) and revisions."""
        self._settle_revisions()
        for layer in sorted(self.touched):
            extent = self.conn.execute(
                "SELECT min(minx), min(miny), max(maxx), max(maxy) FROM "
                f"{ddl.quote(ddl.rtree_name(layer))}"
            ).fetchone()
            self.conn.execute(
                "UPDATE gpkg_contents SET last_change = "
                "strftime('%Y-%m-%dT%H:%M:%fZ','now'), min_x = ?, min_y = ?, "
                "max_x = ?, max_y = ? WHERE table_name = ?",
                (*extent, layer),
            )


class GeoPackageStore(Store):
    """A GridGIS project in a GeoPackage file.

    Use :meth:`create` for a new project and :meth:`open` (or
    :func:`gridgis.core.store.open_project`) for an existing one.
    """

    def __init__(self, path: str | Path, settings: Settings) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._settings = settings
        self._conn: sqlite3.Connection | None = None
        self._absent: set[str] = set()
        #: Fields a file not yet migrated lacks, per layer: read as empty.
        self._lacking: dict[str, set[str]] = {}

    # -- creating and opening ------------------------------------------------------

    @classmethod
    def create(
        cls, path: str | Path, settings: Settings, *, overwrite: bool = False
    ) -> GeoPackageStore:
        """Create a new project file with every layer of the schema.

        The file is built under a temporary name beside ``path`` and moved into place
        only when complete, so an error never leaves a half-made project behind.

        Raises
        ------
        ProjectFileError
            If ``path`` exists and ``overwrite`` is false, or its folder does not exist.
        """
        path = Path(path)
        if path.exists() and not overwrite:
            raise ProjectFileError(
                f"{path} already exists; choose another name or allow overwriting "
                "(--overwrite).",
                f"{path} 已存在;请换一个文件名,或允许覆盖(--overwrite)。",
            )
        if not path.parent.is_dir():
            raise ProjectFileError(
                f"The folder {path.parent} does not exist; create it first.",
                f"文件夹 {path.parent} 不存在,请先创建。",
            )
        settings = settings.with_changes(schema_version=schema.SCHEMA_VERSION)
        fd, tmp = tempfile.mkstemp(suffix=".gpkg.part", dir=path.parent)
        os.close(fd)
        os.unlink(tmp)
        try:
            conn = _connect(tmp)
            try:
                conn.execute("BEGIN")
                ddl.create_core(conn, settings.crs_epsg)
                for lyr in schema.LAYERS.values():
                    ddl.create_layer(conn, lyr, settings.crs_epsg)
                ddl.create_revision_triggers(conn)
                ddl.protect_change_log(conn)
                conn.executemany(
                    "INSERT INTO settings (key, value) VALUES (?, ?)",
                    settings.to_rows(),
                )
                conn.execute("COMMIT")
            finally:
                conn.close()
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return cls(path, settings)

    @classmethod
    def open(cls, path: str | Path, *, migrate: bool = True) -> GeoPackageStore:
        """Open an existing project file, migrating an older schema version.

        Raises
        ------
        ProjectFileError
            The file is missing, not a GeoPackage, not a GridGIS project, or was made by
            a newer GridGIS.
        """
        path = Path(path)
        check_project_file(path)
        with explained(path):
            return cls._open(path, migrate)

    @classmethod
    def _open(cls, path: Path, migrate: bool) -> GeoPackageStore:
        from gridgis.core.store import migrate as migrations

        conn = _connect(path)
        try:
            rows = conn.execute("SELECT key, value FROM settings").fetchall()
            settings = Settings.from_rows(rows)
            version = settings.schema_version
            if version > schema.SCHEMA_VERSION:
                raise ProjectFileError(
                    f"{path} was made by a newer GridGIS (schema {version}; this one "
                    f"reads up to {schema.SCHEMA_VERSION}). Update GridGIS to open it.",
                    f"{path} 由更新版本的 GridGIS 创建(数据结构版本 {version},"
                    f"当前版本最高支持 {schema.SCHEMA_VERSION});请升级 GridGIS。",
                )
            if version < schema.SCHEMA_VERSION:
                if not migrate:
                    raise ProjectFileError(
                        f"{path} has schema version {version} and needs migrating to "
                        f"{schema.SCHEMA_VERSION}; open it with migration allowed.",
                        f"{path} 的数据结构版本为 {version},需要升级到 "
                        f"{schema.SCHEMA_VERSION};请允许升级后再打开。",
                    )
                # A file GridGIS reads as it is is migrated when first written, so
                # that opening it to look (info, validate, the app) changes nothing;
                # a read-only older file is read as it is, writing it is refused.
                writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
                if writable and version < migrations.READABLE_FROM:
                    settings = migrations.migrate(conn, settings)
            tables = ddl.existing_tables(conn)
            lacking = {
                lyr.name: set(lyr.field_names)
                - set(ddl.existing_columns(conn, lyr.name))
                for lyr in schema.LAYERS.values()
                if lyr.name in tables
            }
        finally:
            conn.close()
        store = cls(path, settings)
        # Layers and fields a file not yet migrated lacks read as empty until its
        # first write migrates it.
        store._absent = {n for n in schema.LAYER_NAMES if n not in tables}
        store._lacking = {name: names for name, names in lacking.items() if names}
        return store

    # -- reading --------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._settings

    def reload_settings(self) -> Settings:
        tx = self.open_transaction()
        if isinstance(tx, _GeoPackageTransaction):
            rows = tx.conn.execute("SELECT key, value FROM settings").fetchall()
        else:
            with self.sqlite() as conn:
                rows = conn.execute("SELECT key, value FROM settings").fetchall()
        self._settings = Settings.from_rows(rows)
        return self._settings

    def read(
        self,
        layer: str,
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        lyr, names = read_request(layer, columns, bbox, where)
        tx = self.open_transaction()
        if isinstance(tx, _GeoPackageTransaction):
            return self._read_sql(tx.conn, lyr, names, bbox, where)
        if layer in self._absent:
            empty = schema.empty_frame(layer, crs=self.crs)
            return empty[[*names, "geometry"]] if lyr.is_spatial else empty[names]
        lacking = self._lacking.get(layer, set())
        with warnings.catch_warnings(), explained(self.path):
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = pyogrio.read_dataframe(
                self.path,
                layer=layer,
                columns=[n for n in names if n not in lacking],
                bbox=tuple(bbox) if bbox is not None else None,
                where=where_sql(where),
                fid_as_index=True,
                use_arrow=True,
                read_geometry=lyr.is_spatial,
            )
        frame.index = frame.index.astype("int64")
        frame.index.name = "fid"
        for name in lacking.intersection(names):
            frame[name] = None
        frame = schema_dtypes(layer, frame)
        if lyr.is_spatial:
            assert isinstance(frame, gpd.GeoDataFrame)
            if frame.crs is None or frame.crs.to_epsg() != self.settings.crs_epsg:
                frame = frame.set_crs(self.settings.crs_epsg, allow_override=True)
            return frame[[*names, "geometry"]]
        return pd.DataFrame(frame[names])

    def _read_sql(
        self,
        conn: sqlite3.Connection,
        lyr: schema.Layer,
        names: list[str],
        bbox: BBox | None,
        where: Where | None,
    ) -> pd.DataFrame:
        """Read through an SQLite connection (the open transaction's, to see its rows)."""
        selected = ["fid", *names]
        if lyr.is_spatial:
            selected.append(schema.GEOMETRY_COLUMN)
        conditions = [where_sql(where) or "1"]
        if bbox is not None:
            minx, miny, maxx, maxy = (sql_literal(float(v)) for v in bbox)
            conditions.append(
                f"fid IN (SELECT id FROM {ddl.quote(ddl.rtree_name(lyr.name))} "
                f"WHERE minx <= {maxx} AND maxx >= {minx} "
                f"AND miny <= {maxy} AND maxy >= {miny})"
            )
        rows = conn.execute(
            f"SELECT {', '.join(map(ddl.quote, selected))} FROM {ddl.quote(lyr.name)} "
            f"WHERE {' AND '.join(f'({c})' for c in conditions)} ORDER BY fid"
        ).fetchall()
        values = list(zip(*rows, strict=True)) if rows else [()] * len(selected)
        index = pd.Index(np.asarray(values[0], dtype=np.int64), name="fid")
        data = {}
        for name, column in zip(names, values[1:], strict=False):
            series = pd.Series(list(column), index=index, dtype=object)
            if lyr.field(name).type is schema.FieldType.DATETIME:
                series = pd.to_datetime(series, utc=True, format="ISO8601")
            elif lyr.field(name).type is schema.FieldType.REAL:
                series = series.astype(float)
            data[name] = series
        frame = schema_dtypes(lyr.name, pd.DataFrame(data, index=index, columns=names))
        if not lyr.is_spatial:
            return frame
        geoms = gpkgblob.decode(list(values[-1]))
        return gpd.GeoDataFrame(frame, geometry=geoms, crs=self.crs)[
            [*names, "geometry"]
        ]

    def count(self, layer: str, *, where: Where | None = None) -> int:
        schema.layer(layer)
        check_where(layer, where)
        condition = where_sql(where) or "1"
        sql = f"SELECT count(*) FROM {ddl.quote(layer)} WHERE {condition}"
        tx = self.open_transaction()
        if isinstance(tx, _GeoPackageTransaction):
            return int(tx.conn.execute(sql).fetchone()[0])
        if layer in self._absent:
            return 0
        with explained(self.path), self.sqlite() as conn:
            (n,) = conn.execute(sql).fetchone()
        return int(n)

    def revisions(
        self, communities: Iterable[str] | None = None
    ) -> dict[str, Revision]:
        tx = self.open_transaction()
        if isinstance(tx, _GeoPackageTransaction):
            return _revision_rows(tx.conn, communities)
        with explained(self.path), self.sqlite() as conn:
            return _revision_rows(conn, communities)

    # -- writing --------------------------------------------------------------------

    def _begin(self) -> Transaction:
        with explained(self.path):
            if not os.access(self.path, os.W_OK) or not os.access(
                self.path.parent, os.W_OK
            ):
                raise read_only_error(self.path)
            conn = _connect(self.path)
            try:
                conn.execute("BEGIN IMMEDIATE")
                # Under the write lock the settings are the file's, not those read
                # when the project was opened (another program may have written). An
                # older file is migrated in this same transaction: a change that is
                # rolled back leaves the file exactly as it was.
                from gridgis.core.store.migrate import migrate_locked

                self._settings = migrate_locked(conn)
                self._absent = set()
                self._lacking = {}
                return _GeoPackageTransaction(self, conn)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                conn.close()
                raise

    def _commit(self, tx: Transaction) -> None:
        assert isinstance(tx, _GeoPackageTransaction)
        try:
            with explained(self.path):
                tx.finish()
                tx.conn.execute("COMMIT")
        except BaseException:
            if tx.conn.in_transaction:
                tx.conn.execute("ROLLBACK")
            tx.conn.close()
            raise
        tx.conn.close()
        if tx.settings is not None:
            self._settings = tx.settings

    def _rollback(self, tx: Transaction) -> None:
        assert isinstance(tx, _GeoPackageTransaction)
        try:
            tx.conn.execute("ROLLBACK")
        finally:
            tx.conn.close()

    @contextlib.contextmanager
    def sqlite(self) -> Iterator[sqlite3.Connection]:
        """A read-only SQLite connection, for the few queries a layer read cannot do."""
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            yield conn
        finally:
            conn.close()


def check_project_file(path: Path) -> None:
    """Raise :class:`ProjectFileError` unless ``path`` is a GridGIS GeoPackage."""
    if not path.exists():
        raise ProjectFileError(
            f"There is no project file at {path}. Check the path, or create a project "
            f"with `gridgis demo --out {path}`.",
            f"找不到项目文件 {path}。请检查路径,或用 `gridgis demo --out {path}` "
            "创建一个项目。",
        )
    if path.is_dir():
        raise ProjectFileError(
            f"{path} is a folder; give the path of a .gpkg project file.",
            f"{path} 是文件夹;请指定 .gpkg 项目文件的路径。",
        )
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise ProjectFileError(
            f"{path} cannot be read ({exc.strerror}); check its permissions.",
            f"无法读取 {path}({exc.strerror});请检查文件权限。",
        ) from None
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise ProjectFileError(
            f"{path} is not a GeoPackage (it is not an SQLite database). GridGIS "
            "projects are .gpkg files; to bring in shapefiles or other data use "
            "`gridgis import`.",
            f"{path} 不是 GeoPackage 文件(不是 SQLite 数据库)。GridGIS 项目是 .gpkg "
            "文件;导入 Shapefile 等数据请使用 `gridgis import`。",
        )
    application_id = int.from_bytes(header[68:72], "big")
    if application_id not in _GPKG_IDS:
        raise ProjectFileError(
            f"{path} is an SQLite database but not a GeoPackage.",
            f"{path} 是 SQLite 数据库,但不是 GeoPackage 文件。",
        )
    recover(path)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        has_settings = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'"
        ).fetchone()
        marker = None
        if has_settings:
            row = conn.execute(
                "SELECT value FROM settings WHERE key = 'format'"
            ).fetchone()
            marker = row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise database_error(path, exc) or damaged_error(path, str(exc)) from None
    finally:
        conn.close()
    if marker != f'"{FORMAT_MARKER}"':
        raise ProjectFileError(
            f"{path} is a GeoPackage but not a GridGIS project (it has no GridGIS "
            "settings). Create a project and bring its layers in with "
            f"`gridgis import PROJECT {path} --layer …`.",
            f"{path} 是 GeoPackage,但不是 GridGIS 项目(缺少 GridGIS 项目设置)。"
            f"请新建项目,再用 `gridgis import 项目文件 {path} --layer …` 导入其中的图层。",
        )
