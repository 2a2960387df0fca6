"""The store interface: a GridGIS project behind one small API.

A :class:`Store` reads layers into (Geo)DataFrames indexed by ``fid`` and writes
changes through a :class:`Transaction` that either applies completely or not at all.
The GeoPackage store (one file, the default), the in-memory store (fast tests) and a
PostGIS store share this interface, so services never know which one they hold.
"""

from __future__ import annotations

import contextlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import pandas as pd
from pyproj import CRS

from gridgis.core import schema
from gridgis.core.settings import Settings

#: ``where`` filters: field → value (equality), list of values (membership) or
#: ``None`` (empty).
Where = Mapping[str, Any]
#: A bounding box (minx, miny, maxx, maxy) in the project CRS.
BBox = tuple[float, float, float, float]


def check_where(layer: str, where: Where | None) -> None:
    """Check that every field named in ``where`` exists in ``layer``."""
    if where:
        lyr = schema.layer(layer)
        for name in where:
            lyr.field(name)


def read_request(
    layer: str,
    columns: Sequence[str] | None,
    bbox: BBox | None,
    where: Where | None,
) -> tuple[schema.Layer, list[str]]:
    """Check the arguments of :meth:`Store.read`; return the layer and field names."""
    lyr = schema.layer(layer)
    check_where(layer, where)
    names = lyr.field_names if columns is None else list(columns)
    for name in names:
        lyr.field(name)
    if bbox is not None and not lyr.is_spatial:
        from gridgis.core.errors import SchemaError

        raise SchemaError(
            f"'{layer}' has no geometry to filter by a box.",
            f"“{lyr.zh}”没有几何字段,不能按范围筛选。",
        )
    return lyr, names


def where_values(value: Any) -> list[Any] | None:
    """The list of values a ``where`` entry matches; ``None`` means "is empty"."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def where_mask(frame: pd.DataFrame, where: Where | None) -> np.ndarray:
    """Rows of ``frame`` that match ``where`` (see :meth:`Store.read`)."""
    mask = np.ones(len(frame), dtype=bool)
    for name, value in (where or {}).items():
        values = where_values(value)
        column = frame[name]
        if values is None:
            mask &= column.isna().to_numpy()
        else:
            mask &= column.isin(values).fillna(False).to_numpy(dtype=bool)
    return mask


@dataclass(frozen=True)
class Revision:
    """How often a community was changed, and the last change: who, when, which tool.

    Every write to a community's grids, buildings, facilities or staff posts moves its
    revision on by one; an editor that records the revisions it read can refuse to
    write over a change made meanwhile (:meth:`Transaction.expect_revisions`).
    """

    community: str
    number: int  # 0 when the community was never changed
    by: str | None = None  # database login, or the OS user for a file
    at: pd.Timestamp | None = None
    tool: str | None = None  # command or app tool, e.g. "gridgis divide"


#: Layers whose rows move their community's revision, with the field naming it:
#: the community code itself, or a grid code whose first 12 digits are it.
REVISED_LAYERS: dict[str, str] = {
    "grids": "community_code",
    "buildings": "grid_code",
    "facilities": "grid_code",
    "assignments": "grid_code",
}


def revised_communities(layer: str, frame: pd.DataFrame) -> set[str]:
    """The communities whose revision rows of ``frame`` in ``layer`` move."""
    name = REVISED_LAYERS.get(layer)
    if name is None or name not in frame.columns:
        return set()
    values = frame[name].dropna().astype(str)
    return {str(v)[:12] for v in values if v}


def check_revisions(
    current: Mapping[str, Revision], expected: Mapping[str, int], location: str
) -> None:
    """Raise :class:`ConflictError` for the first community not at its expected number."""
    from gridgis.core.errors import ConflictError

    for code, number in expected.items():
        found = current.get(code, Revision(code, 0))
        if found.number == int(number):
            continue
        who = found.by or "another program"
        who_zh = found.by or "其他程序"
        tool = f" with {found.tool}" if found.tool else ""
        tool_zh = f"用 {found.tool} " if found.tool else ""
        when = f" at {found.at:%Y-%m-%d %H:%M:%S} UTC" if found.at is not None else ""
        when_zh = (
            f"于 {found.at:%Y-%m-%d %H:%M:%S}(UTC)" if found.at is not None else ""
        )
        raise ConflictError(
            f"Community {code} in {location} was changed by {who}{tool}{when} after "
            f"it was read (revision {number} → {found.number}); nothing was written. "
            "Reload the project (or run the command again) and repeat the change on "
            "what is there now.",
            f"{location} 中的社区 {code} 在读取后已被{who_zh}{when_zh}{tool_zh}修改"
            f"(修订号 {number} → {found.number});本次未写入任何内容。"
            "请重新加载项目(或重新运行命令),在最新数据上重做修改。",
        )


class Transaction(ABC):
    """Changes to a store that apply all together when the transaction ends.

    Obtain one with ``with store.transaction(tool="gridgis divide") as tx:``; leaving
    the block normally commits, an exception rolls every change back. Reads are not part
    of a transaction: read what you need before you open it. Every insert, update and
    delete is recorded in the change log (:mod:`gridgis.core.store.changelog`) in the
    same transaction.
    """

    #: The command or app tool writing, e.g. ``"gridgis divide"`` or ``"app: split"``.
    tool: str = ""

    def name_tool(self, tool: str) -> None:
        """Record which command or tool writes (a server store also tells the server)."""
        self.tool = tool

    # Optional hooks for the change log; a store that can read its own uncommitted rows
    # overrides them (the defaults read what is committed).

    def rows(self, layer: str, fids: Sequence[int] | np.ndarray) -> pd.DataFrame | None:
        """The rows ``fids`` of ``layer`` as this transaction sees them, or ``None``."""
        return None

    def fids_where(self, layer: str, where: Where) -> np.ndarray | None:
        """The fids of the rows matching ``where`` in this transaction, or ``None``."""
        return None

    def last_change_set(self) -> int | None:
        """The number before this transaction's change set, or ``None``.

        With one writer at a time, the log's highest number (0 if empty); a store
        whose writers number change sets side by side takes its number here.
        """
        return None

    @abstractmethod
    def insert(
        self, layer: str, frame: pd.DataFrame, *, keep_fids: bool = False
    ) -> np.ndarray:
        """Add the rows of ``frame``; return their fids (in row order).

        New rows get fresh fids; ``keep_fids=True`` inserts them under the fids in
        ``frame.index`` instead (to undo a deletion), which must be free.
        """

    @abstractmethod
    def update(self, layer: str, frame: pd.DataFrame) -> None:
        """Change the columns present in ``frame`` of the rows whose fids are its index."""

    @abstractmethod
    def delete(self, layer: str, fids: Sequence[int] | np.ndarray) -> None:
        """Remove the rows with these fids."""

    @abstractmethod
    def delete_where(self, layer: str, where: Where) -> int:
        """Remove the rows matching ``where``; return how many were removed."""

    @abstractmethod
    def write_settings(self, settings: Settings) -> None:
        """Replace the project settings."""

    @abstractmethod
    def expect_revisions(self, expected: Mapping[str, int]) -> None:
        """Refuse to go on unless each community is still at the revision given.

        Made inside the write transaction, after the write lock, so the check and the
        write are one. Raises :class:`~gridgis.core.errors.ConflictError` naming who
        changed the first community that moved, when and with which tool.
        """

    @abstractmethod
    def bump_revisions(self, communities: Iterable[str]) -> dict[str, int]:
        """Move each community's revision on by one; return the new numbers.

        The change is recorded with :attr:`Store.user`, the time and the
        transaction's tool. Writes to a community's rows move it anyway; a community
        moves at most once per transaction.
        """

    def replace(self, layer: str, frame: pd.DataFrame, *, where: Where) -> np.ndarray:
        """Remove the rows matching ``where`` and add those of ``frame``."""
        self.delete_where(layer, where)
        return self.insert(layer, frame)


class Store(ABC):
    """A GridGIS project: the layers of :mod:`gridgis.core.schema` and settings."""

    #: Where the project lives (a path or a connection string), for messages.
    location: str = ""

    @property
    @abstractmethod
    def settings(self) -> Settings:
        """The project settings."""

    @property
    def crs(self) -> CRS:
        """The CRS every layer is stored in."""
        return CRS.from_epsg(self.settings.crs_epsg)

    @abstractmethod
    def read(
        self,
        layer: str,
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Read a layer.

        Parameters
        ----------
        layer
            Layer name (see :data:`gridgis.core.schema.LAYER_NAMES`).
        bbox
            Only features whose envelope meets this box (spatial layers).
        where
            Only rows whose fields match: ``{"community_code": "320508019044"}``,
            ``{"kind": ["unit", "special"]}``, ``{"grid_code": None}``.
        columns
            Only these fields (default: all). Geometry always comes with spatial layers.

        Returns
        -------
        GeoDataFrame or DataFrame
            Indexed by ``fid``, columns in schema order, dtypes of the schema.
        """

    @abstractmethod
    def count(self, layer: str, *, where: Where | None = None) -> int:
        """Number of rows of ``layer`` (matching ``where``)."""

    @property
    def user(self) -> str:
        """Who writes: the OS user for a file (a server store gives its login)."""
        from gridgis.core.audit import os_user

        return os_user()

    @abstractmethod
    def revisions(
        self, communities: Iterable[str] | None = None
    ) -> dict[str, Revision]:
        """The revisions of ``communities`` (default: every community ever changed).

        A community never changed has revision 0. Read them *before* reading what an
        edit is computed from, and pass them to :meth:`Transaction.expect_revisions`.
        """

    @abstractmethod
    def _begin(self) -> Transaction:
        """Start a transaction."""

    @abstractmethod
    def _commit(self, tx: Transaction) -> None:
        """Make the transaction's changes permanent."""

    @abstractmethod
    def _rollback(self, tx: Transaction) -> None:
        """Undo the transaction's changes."""

    @contextlib.contextmanager
    def transaction(self, *, tool: str = "") -> Iterator[Transaction]:
        """Open a transaction; all of its changes land together or none does.

        The write lock is taken when it opens, so checks made inside it
        (:meth:`Transaction.expect_revisions`) are atomic with the write. Reads made
        while it is open (in the same thread) see its changes. A transaction opened
        while one is open joins it: a step of a command (linking after a division)
        lands with the command.

        ``tool`` names the command or app tool writing (``"gridgis divide"``,
        ``"app: split"``); a front end that set one with
        :func:`gridgis.core.audit.acting_as` takes precedence. The changes
        are recorded in the change log inside the same transaction.
        """
        from gridgis.core.audit import current_tool
        from gridgis.core.store.changelog import RecordingTransaction

        local = self._local()
        joined = getattr(local, "recorder", None)
        if joined is not None:
            yield joined
            return
        tx = self._begin()
        tx.name_tool(current_tool() or tool or "python")
        recorder = RecordingTransaction(self, tx)
        local.tx, local.recorder = tx, recorder
        try:
            yield recorder
            recorder.flush()
        except BaseException as exc:
            local.tx = local.recorder = None
            self._rollback(tx)
            plain = self._explain(exc)
            if plain is not None:
                raise plain from None
            raise
        else:
            local.tx = local.recorder = None
            self._commit(tx)

    def reload_settings(self) -> Settings:
        """Read the settings again: another program may have changed them.

        Inside a transaction this reads what the transaction sees, and a change of
        the settings made next (the division log) cannot overwrite someone else's.
        """
        return self.settings

    def _explain(self, exc: BaseException) -> BaseException | None:
        """A plain error for one the store's database raised, or ``None`` to keep it."""
        return None

    def _local(self) -> threading.local:
        local = self.__dict__.get("_tx_local")
        if local is None:
            local = self.__dict__.setdefault("_tx_local", threading.local())
        return local

    def open_transaction(self) -> Transaction | None:
        """The transaction open in this thread, if any."""
        return getattr(self._local(), "tx", None)

    def write_settings(self, settings: Settings) -> None:
        """Replace the project settings (in a transaction of its own)."""
        with self.transaction() as tx:
            tx.write_settings(settings)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the store's resources."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.location!r})"


def naive_utc(values: pd.Series) -> pd.Series:
    """Datetimes as naive UTC (``datetime64[ms]``), the way GridGIS holds them."""
    times = pd.to_datetime(values)
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    return times.astype("datetime64[ms]")


def requested_fids(layer: str, frame: pd.DataFrame) -> np.ndarray:
    """The fids in ``frame.index`` for an insert that keeps them, checked."""
    fids = np.asarray(frame.index)
    if (
        fids.dtype.kind not in "iu"
        or len(np.unique(fids)) != len(fids)
        or (fids < 1).any()
    ):
        from gridgis.core.errors import SchemaError

        raise SchemaError(
            f"Rows for '{layer}' must carry distinct positive integer fids to keep them.",
            f"“{layer}”的待写入行必须带有互不相同的正整数 fid。",
        )
    return fids.astype(np.int64)


def fids_taken(layer: str, fids: np.ndarray) -> NoReturn:
    """Raise: some of ``fids`` are already used in ``layer``."""
    from gridgis.core.errors import SchemaError

    raise SchemaError(
        f"Some of the fids {fids[:5].tolist()} are already used in '{layer}'; "
        "the layer changed since the edit — reload it.",
        f"“{layer}”中已存在部分 fid {fids[:5].tolist()};图层已被修改,请重新加载。",
    )


def check_writable(layer: str) -> None:
    """Refuse row-level writes to the settings table; settings have their own call."""
    if layer == "settings":
        from gridgis.core.errors import SchemaError

        raise SchemaError(
            "The settings table is written whole with write_settings(), not row by row.",
            "项目设置须通过 write_settings() 整体写入,不能逐行修改。",
        )


def schema_dtypes(layer: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give ``frame``'s schema columns the schema's dtypes (in place) and return it."""
    lyr = schema.layer(layer)
    for fld in lyr.fields:
        if fld.name not in frame.columns:
            continue
        col = frame[fld.name]
        if fld.type is schema.FieldType.TEXT:
            frame[fld.name] = col.astype(object).where(col.notna(), None)
        elif fld.type is schema.FieldType.BLOB:
            frame[fld.name] = col.map(
                lambda v: None if v is None or v is pd.NA or v != v else bytes(v)
            ).astype(object)
        elif fld.type is schema.FieldType.DATETIME:
            frame[fld.name] = naive_utc(col)
        else:
            frame[fld.name] = col.astype(fld.type.pandas_dtype)
    return frame
