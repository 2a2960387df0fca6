"""The audit trail: every change set written through a store, recorded with it.

:meth:`Store.transaction` hands out a :class:`RecordingTransaction`. It passes each
insert, update and delete on to the store's own transaction and notes the rows before
and after; when the block ends it writes them to the ``changes`` layer through that same
transaction, so the log and the change land together or not at all. Every store —
memory, GeoPackage, a server — gets the log through this one code path.

What a change-log row holds: the change-set number (one per transaction), who
(:attr:`Store.user`), when (UTC), the tool, the community and grid codes, the layer,
the feature's fid, the operation and the row before and after as JSON text (geometry
as WKB in hex, personal fields masked, photos left out).

Large writes are recorded compactly: an update that changes only derived fields (the
grid code a link writes on every building, the household totals) and any write of more
than :data:`COMPACT_ROWS` rows become one row per layer and operation with the count,
the fids and the new values of the fields written.

Only the layers users own are logged (``Layer.user_data``); GridGIS's bookkeeping
(validation issues, the division history, settings) is not. Nobody writes to the log
through a transaction: :class:`RecordingTransaction` refuses it, and the GeoPackage
refuses ``UPDATE`` and ``DELETE`` on it with a trigger.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely

from gridgis.core import schema
from gridgis.core.definitions import ChangeOperation
from gridgis.core.errors import SchemaError
from gridgis.core.settings import Settings
from gridgis.core.store.base import Store, Transaction, Where, naive_utc

#: The change-log layer.
LOG_LAYER = "changes"
#: Writes of more rows than this in one call are recorded as one summary row.
COMPACT_ROWS = 1000
#: Summarised updates of up to this many rows also note the communities the rows
#: were in before (a million-building link does not read them back).
LOOKUP_ROWS = 20_000
#: Shown instead of a personal value in the log.
MASK = "***"


def refuse_log_writes(layer: str) -> None:
    """Raise: the change log is written by GridGIS alone and never edited."""
    if layer == LOG_LAYER:
        raise SchemaError(
            "The change log records what happened; it cannot be written or edited.",
            "变更记录如实记录历史,不能写入或修改。",
        )


def is_logged(layer: str) -> bool:
    """Whether changes to ``layer`` go to the change log (the layers users own)."""
    return schema.layer(layer).user_data


# ---------------------------------------------------------------------------------
# Rows as JSON
# ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON-ready value."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if value != value else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def row_json(layer: str, row: pd.Series) -> str:
    """One row as JSON text: fields by name, geometry as WKB hex, personal masked."""
    lyr = schema.layer(layer)
    out: dict[str, Any] = {}
    for fld in lyr.fields:
        if fld.name not in row.index:
            continue
        value = _plain(row[fld.name])
        if fld.type is schema.FieldType.BLOB:
            continue
        if fld.personal and value not in (None, ""):
            value = MASK
        out[fld.name] = value
    if lyr.is_spatial and "geometry" in row.index:
        geom = row["geometry"]
        out["geometry"] = (
            None
            if geom is None or shapely.is_missing(geom)
            else shapely.to_wkb(geom, hex=True, output_dimension=2)
        )
    return json.dumps(out, ensure_ascii=False)


def row_geometry(text: str | None) -> shapely.Geometry | None:
    """The geometry kept in a logged row (JSON text), if any."""
    if not text:
        return None
    wkb = json.loads(text).get("geometry")
    return shapely.from_wkb(wkb) if wkb else None


def _codes(layer: str, row: pd.Series | None) -> tuple[str | None, str | None]:
    """The community and grid codes a row belongs to."""
    if row is None:
        return None, None
    lyr = schema.layer(layer)

    def text(name: str) -> str | None:
        value = row.get(name) if lyr.has_field(name) else None
        return value if isinstance(value, str) and value else None

    grid = text("code") if layer == "grids" else text("grid_code")
    if layer == "communities":
        community = text("code")
    else:
        community = text("community_code") or (grid[:12] if grid else None)
    return community, grid


def _communities(layer: str, frame: pd.DataFrame) -> set[str]:
    """The communities the rows of ``frame`` belong to (by their codes)."""
    lyr = schema.layer(layer)
    found: set[str] = set()
    for name in ("community_code", "grid_code", "code"):
        if name not in frame.columns or not lyr.has_field(name):
            continue
        if name == "code" and layer not in ("grids", "communities"):
            continue
        values = frame[name].dropna().astype(str)
        found.update(values.str[:12].unique().tolist())
    return found


def _joined(*values: str | None) -> str | None:
    present = sorted({v for v in values if v})
    return ",".join(present) if present else None


# ---------------------------------------------------------------------------------
# The recording transaction
# ---------------------------------------------------------------------------------


class RecordingTransaction(Transaction):
    """A store's transaction that records what it changes (see the module notes)."""

    def __init__(self, store: Store, inner: Transaction) -> None:
        self.store = store
        self.inner = inner
        self.tool = inner.tool
        self.entries: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        # Everything else a store's transaction offers.
        return getattr(self.inner, name)

    def expect_revisions(self, expected: Mapping[str, int]) -> None:
        self.inner.expect_revisions(expected)

    def bump_revisions(self, communities: Iterable[str]) -> dict[str, int]:
        return self.inner.bump_revisions(communities)

    # -- reading inside the transaction ----------------------------------------

    def _rows(self, layer: str, fids: Sequence[int] | np.ndarray) -> pd.DataFrame:
        rows = self.inner.rows(layer, fids)
        if rows is None:
            rows = self.store.read(layer)
            rows = rows[rows.index.isin(np.asarray(fids))]
        return rows

    def _fids_where(self, layer: str, where: Where) -> np.ndarray:
        fids = self.inner.fids_where(layer, where)
        if fids is None:
            current = self.store.read(layer, where=where, columns=[])
            fids = current.index.to_numpy()
        return np.asarray(fids, dtype=np.int64)

    # -- writing -----------------------------------------------------------------

    def insert(
        self, layer: str, frame: pd.DataFrame, *, keep_fids: bool = False
    ) -> np.ndarray:
        refuse_log_writes(layer)
        fids = self.inner.insert(layer, frame, keep_fids=keep_fids)
        if is_logged(layer) and len(fids):
            if len(fids) > COMPACT_ROWS:
                self._summary(layer, ChangeOperation.INSERT, fids, frame)
            else:
                self._detail(
                    layer, ChangeOperation.INSERT, None, self._rows(layer, fids)
                )
        return fids

    def update(self, layer: str, frame: pd.DataFrame) -> None:
        refuse_log_writes(layer)
        if not is_logged(layer) or len(frame) == 0:
            self.inner.update(layer, frame)
            return
        lyr = schema.layer(layer)
        fids = frame.index.to_numpy()
        written = [c for c in frame.columns if c != "geometry"]
        derived = all(lyr.has_field(c) and lyr.field(c).derived for c in written)
        if (derived and "geometry" not in frame.columns) or len(frame) > COMPACT_ROWS:
            # The communities the rows were in (a link may take buildings out of
            # all), and the codes of the grids or communities whose totals change.
            known: set[str] = set()
            codes = None
            if len(fids) <= LOOKUP_ROWS:
                rows = self._rows(layer, fids)
                known = _communities(layer, rows)
                if "code" in rows.columns and "code" not in frame.columns:
                    codes = rows["code"].reindex(fids).tolist()
            self.inner.update(layer, frame)
            self._summary(layer, ChangeOperation.UPDATE, fids, frame, known, codes)
            return
        before = self._rows(layer, fids)
        self.inner.update(layer, frame)
        self._detail(layer, ChangeOperation.UPDATE, before, self._rows(layer, fids))

    def delete(self, layer: str, fids: Sequence[int] | np.ndarray) -> None:
        refuse_log_writes(layer)
        fids = np.asarray(fids, dtype=np.int64)
        self._deleting(layer, fids)
        self.inner.delete(layer, fids)

    def delete_where(self, layer: str, where: Where) -> int:
        refuse_log_writes(layer)
        if is_logged(layer):
            self._deleting(layer, self._fids_where(layer, where))
        return self.inner.delete_where(layer, where)

    def write_settings(self, settings: Settings) -> None:
        self.inner.write_settings(settings)

    def _deleting(self, layer: str, fids: np.ndarray) -> None:
        if not is_logged(layer) or len(fids) == 0:
            return
        if len(fids) > COMPACT_ROWS:
            self._summary(layer, ChangeOperation.DELETE, fids, None)
        else:
            self._detail(layer, ChangeOperation.DELETE, self._rows(layer, fids), None)

    # -- entries -----------------------------------------------------------------

    def _detail(
        self,
        layer: str,
        operation: ChangeOperation,
        before: pd.DataFrame | None,
        after: pd.DataFrame | None,
    ) -> None:
        fids = (after if after is not None else before).index  # type: ignore[union-attr]
        for fid in fids:
            old = (
                before.loc[fid] if before is not None and fid in before.index else None
            )
            new = after.loc[fid] if after is not None and fid in after.index else None
            old_community, old_grid = _codes(layer, old)
            new_community, new_grid = _codes(layer, new)
            self.entries.append(
                {
                    "community_code": _joined(old_community, new_community),
                    "grid_code": new_grid or old_grid,
                    "layer": layer,
                    "feature_fid": int(fid),
                    "operation": operation.value,
                    "rows": 1,
                    "before": None if old is None else row_json(layer, old),
                    "after": None if new is None else row_json(layer, new),
                }
            )

    def _summary(
        self,
        layer: str,
        operation: ChangeOperation,
        fids: np.ndarray,
        frame: pd.DataFrame | None,
        communities: set[str] | None = None,
        codes: list[Any] | None = None,
    ) -> None:
        """One row for a large write: the count, the fids and the values written.

        ``codes`` are the codes of the rows (streets, communities, grids) when the
        write does not carry them.
        """
        lyr = schema.layer(layer)
        fids = np.asarray(fids, dtype=np.int64)
        content: dict[str, Any] = {}
        communities = set(communities or ())
        written = [
            name
            for name in (frame.columns if frame is not None else ())
            if lyr.has_field(name) and not lyr.field(name).personal
        ]
        if (
            frame is not None
            and operation is ChangeOperation.UPDATE
            and len(written) == 1
            and lyr.field(written[0]).type is schema.FieldType.TEXT
        ):
            # One text field (a link's grid codes): the fids grouped by the value
            # written, which is several times smaller than a value per row.
            name = written[0]
            keys, values = pd.factorize(frame[name].to_numpy(dtype=object))
            order = np.argsort(keys, kind="stable")
            counts = np.bincount(keys[keys >= 0], minlength=len(values))
            missing = int((keys < 0).sum())
            groups = np.split(fids[order], np.cumsum([missing, *counts])[:-1])
            content["field"] = name
            content["by_value"] = [
                [None if k < 0 else values[k], group.tolist()]
                for k, group in zip([-1, *range(len(values))], groups, strict=True)
                if len(group)
            ]
            communities |= _communities(layer, pd.DataFrame({name: values}))
        else:
            content["fids"] = fids.tolist()
            if codes is not None:
                content["code"] = codes
            if frame is not None and operation is ChangeOperation.UPDATE:
                for name in written:
                    column = frame[name]
                    content[name] = (
                        column.astype(object).where(column.notna(), None).tolist()
                    )
            if frame is not None:
                communities |= _communities(layer, frame)
        self.entries.append(
            {
                "community_code": ",".join(sorted(communities)) or None,
                "grid_code": None,
                "layer": layer,
                "feature_fid": None,
                "operation": operation.value,
                "rows": len(fids),
                "before": None,
                "after": json.dumps(content, ensure_ascii=False, default=_plain),
            }
        )

    def flush(self) -> None:
        """Write the recorded entries to the log, in the store's transaction."""
        if not self.entries:
            return
        last = self.inner.last_change_set()
        if last is None:
            log = self.store.read(LOG_LAYER, columns=["change_set"])
            last = int(log["change_set"].max()) if len(log) else 0
        frame = pd.DataFrame(self.entries)
        frame.insert(0, "change_set", last + 1)
        frame.insert(1, "changed_by", self.store.user)
        frame.insert(
            2, "changed_at", naive_utc(pd.Series([pd.Timestamp.now("UTC")]))[0]
        )
        frame.insert(3, "tool", self.tool)
        self.entries = []
        self.inner.insert(LOG_LAYER, frame)
