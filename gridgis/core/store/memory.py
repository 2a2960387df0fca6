"""An in-memory store: the store interface without a file, for fast service tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgis.core import schema
from gridgis.core.errors import SchemaError
from gridgis.core.settings import Settings
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
    revised_communities,
    schema_dtypes,
    where_mask,
)


class _MemoryTransaction(Transaction):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.layers = dict(store._layers)
        self.sequences = dict(store._sequences)
        self.settings: Settings | None = None
        #: Communities whose rows this transaction wrote or that were bumped.
        self.moved: set[str] = set()

    def expect_revisions(self, expected: Mapping[str, int]) -> None:
        check_revisions(self.store.revisions(expected), expected, self.store.location)

    def bump_revisions(self, communities: Iterable[str]) -> dict[str, int]:
        codes = [str(c) for c in communities]
        self.moved.update(codes)
        return {c: r.number + 1 for c, r in self.store.revisions(codes).items()}

    def _rows(self, layer: str, fids: Sequence[int] | np.ndarray) -> pd.DataFrame:
        current = self.layers[layer]
        return current.loc[current.index.intersection(pd.Index(fids))]

    def insert(
        self, layer: str, frame: pd.DataFrame, *, keep_fids: bool = False
    ) -> np.ndarray:
        check_writable(layer)
        data = schema.conform(layer, frame, partial=False, crs=self.store.crs)
        current = self.layers[layer]
        start = self.sequences.get(layer, 0)
        if keep_fids:
            fids = requested_fids(layer, data)
            if np.isin(fids, current.index).any():
                fids_taken(layer, fids)
            self.sequences[layer] = max(start, int(fids.max(initial=0)))
        else:
            fids = np.arange(start + 1, start + 1 + len(data), dtype=np.int64)
            self.sequences[layer] = start + len(data)
        data = data.reindex(columns=current.columns)
        data.index = pd.Index(fids, name="fid")
        combined = data if len(current) == 0 else pd.concat([current, data])
        if isinstance(current, gpd.GeoDataFrame):
            combined = gpd.GeoDataFrame(combined, geometry="geometry", crs=current.crs)
        self.layers[layer] = schema_frame(layer, combined, current)
        self.moved |= revised_communities(layer, data)
        return fids

    def update(self, layer: str, frame: pd.DataFrame) -> None:
        check_writable(layer)
        data = schema.conform(layer, frame, partial=True, crs=self.store.crs)
        current = self.layers[layer].copy()
        missing = ~data.index.isin(current.index)
        if missing.any():
            raise SchemaError(
                f"{int(missing.sum())} rows of '{layer}' to update no longer exist; "
                "read the layer again and repeat the change.",
                f"待更新的“{schema.layer(layer).zh}”中有 {int(missing.sum())} "
                "行已不存在;请重新读取图层后再修改。",
            )
        derived = layer == "grids" and set(data.columns) <= {"households", "population"}
        if not derived:
            self.moved |= revised_communities(layer, current.loc[data.index])
            self.moved |= revised_communities(layer, data)
        for column in data.columns:
            current.loc[data.index, column] = data[column]
        self.layers[layer] = current

    def delete(self, layer: str, fids: Sequence[int] | np.ndarray) -> None:
        check_writable(layer)
        current = self.layers[layer]
        self.moved |= revised_communities(layer, self._rows(layer, fids))
        self.layers[layer] = current.drop(index=[f for f in fids if f in current.index])

    def delete_where(self, layer: str, where: Where) -> int:
        check_writable(layer)
        check_where(layer, where)
        current = self.layers[layer]
        mask = where_mask(current, where)
        self.moved |= revised_communities(layer, current[mask])
        self.layers[layer] = current[~mask]
        return int(mask.sum())

    def write_settings(self, settings: Settings) -> None:
        self.settings = settings

    def rows(self, layer: str, fids: Sequence[int] | np.ndarray) -> pd.DataFrame:
        current = self.layers[layer]
        return schema_dtypes(
            layer, current[current.index.isin(np.asarray(fids))].copy()
        )

    def fids_where(self, layer: str, where: Where) -> np.ndarray:
        check_where(layer, where)
        current = self.layers[layer]
        return current.index.to_numpy()[where_mask(current, where)]

    def last_change_set(self) -> int:
        log = self.layers["changes"]["change_set"]
        return int(log.max()) if len(log) else 0


def schema_frame(layer: str, frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """Give ``frame`` the dtypes of ``like`` column by column."""
    for column in like.columns:
        if column != "geometry" and frame[column].dtype != like[column].dtype:
            frame[column] = frame[column].astype(like[column].dtype)
    return frame


class MemoryStore(Store):
    """A project held in memory; it satisfies the same contract as the file stores."""

    def __init__(self, settings: Settings) -> None:
        self.location = ":memory:"
        self._settings = settings.with_changes(schema_version=schema.SCHEMA_VERSION)
        self._layers: dict[str, pd.DataFrame] = {
            name: schema.empty_frame(name, crs=settings.crs_epsg)
            for name in schema.LAYER_NAMES
        }
        self._sequences: dict[str, int] = {}

    @property
    def settings(self) -> Settings:
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
        frame = self._frames()[layer]
        mask = where_mask(frame, where)
        if bbox is not None:
            geoms = np.asarray(frame.geometry.values, dtype=object)
            mask &= shapely.intersects(geoms, shapely.box(*bbox))
        out = frame[mask]
        out = out[[*names, "geometry"]] if lyr.is_spatial else out[names]
        return schema_dtypes(layer, out.copy())

    def count(self, layer: str, *, where: Where | None = None) -> int:
        schema.layer(layer)
        check_where(layer, where)
        return int(where_mask(self._frames()[layer], where).sum())

    def _frames(self) -> dict[str, pd.DataFrame]:
        """The layers as this thread sees them: with an open transaction's changes."""
        tx = self.open_transaction()
        return tx.layers if isinstance(tx, _MemoryTransaction) else self._layers

    def revisions(
        self, communities: Iterable[str] | None = None
    ) -> dict[str, Revision]:
        rows = self._frames()["community_revisions"]
        found = {
            str(code): Revision(
                str(code),
                int(number),
                None if pd.isna(by) else str(by),
                None if pd.isna(at) else pd.Timestamp(at),
                None if pd.isna(tool) else str(tool),
            )
            for code, number, by, at, tool in zip(
                rows["community_code"],
                rows["revision"],
                rows["changed_by"],
                rows["changed_at"],
                rows["tool"],
                strict=True,
            )
        }
        if communities is None:
            return found
        return {str(c): found.get(str(c), Revision(str(c), 0)) for c in communities}

    def _begin(self) -> Transaction:
        return _MemoryTransaction(self)

    def _commit(self, tx: Transaction) -> None:
        assert isinstance(tx, _MemoryTransaction)
        if tx.moved:
            self._record_revisions(tx)
        self._layers = tx.layers
        self._sequences = tx.sequences
        if tx.settings is not None:
            self._settings = tx.settings

    def _record_revisions(self, tx: _MemoryTransaction) -> None:
        """One step per community the transaction changed: who, when, which tool."""
        current = tx.layers["community_revisions"]
        fid_of = dict(zip(current["community_code"], current.index, strict=True))
        number_of = dict(
            zip(current["community_code"], current["revision"], strict=True)
        )
        codes = sorted(tx.moved)
        rows = pd.DataFrame(
            {
                "community_code": codes,
                "revision": [int(number_of.get(c, 0)) + 1 for c in codes],
                "changed_by": self.user,
                "changed_at": pd.Timestamp.now(tz="UTC").tz_localize(None).floor("ms"),
                "tool": tx.tool or None,
            }
        )
        known = rows["community_code"].isin(list(fid_of)).to_numpy()
        if known.any():
            update = rows[known].copy()
            update.index = pd.Index([fid_of[c] for c in update["community_code"]])
            tx.update("community_revisions", update)
        if (~known).any():
            tx.insert("community_revisions", rows[~known])

    def _rollback(self, tx: Transaction) -> None:
        """Nothing to undo: changes were made to the transaction's own copies."""
