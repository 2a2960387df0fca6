"""A project's layers in memory, read once and shared by linking, validation and stats.

A :class:`Snapshot` holds the frames of the layers that linking and the checks need,
the project settings and, optionally, a *scope*: one community. A scoped snapshot holds
that community, its street, its grids and every grid near it, and the buildings,
facilities, roads, overlays, staff and assignments around it — enough to check the
community exactly as a check of the whole project would.

Reading one community from a GeoPackage goes straight through SQLite and the R-tree
(one connection, a few milliseconds); reading a whole project goes through GDAL's Arrow
reader. :meth:`Snapshot.from_frames` builds a snapshot from frames already in memory
(the desktop application's edits); the spatial indexes geopandas keeps on those frames
make a scoped snapshot of a big project quick.

Examples
--------
>>> from gridgis.core.settings import Settings
>>> from gridgis.core.store import MemoryStore
>>> snap = Snapshot.load(MemoryStore(Settings.default(4549, "320508")))
>>> len(snap.frame("grids")), snap.community is None
(0, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgis.core import schema
from gridgis.core.errors import SchemaError
from gridgis.core.progress import Feedback, check
from gridgis.core.settings import Settings
from gridgis.core.store import GeoPackageStore, Store
from gridgis.core.store.base import BBox, Where, where_mask

if TYPE_CHECKING:
    from gridgis.core.link import Linkage

#: The fields read per layer (geometry comes with spatial layers). Photos and other
#: fields no check needs stay on disk.
COLUMNS: dict[str, tuple[str, ...]] = {
    "streets": ("code", "name", "households", "population"),
    "communities": ("code", "name", "street_code", "households", "population"),
    "grids": tuple(schema.layer("grids").field_names),
    "buildings": (
        "id",
        "households",
        "population",
        "grid_code",
        "reg_households",
        "reg_population",
    ),
    "facilities": ("id", "name", "category", "grid_code"),
    "roads": ("id", "name", "class"),
    "overlays": ("id", "kind", "name"),
    "staff": ("id", "name", "phone"),
    "assignments": tuple(schema.layer("assignments").field_names),
}

#: Layers of a snapshot, in reading order.
LAYERS: tuple[str, ...] = tuple(COLUMNS)


@dataclass(eq=False)
class Snapshot:
    """Frames of a project's layers and its settings, optionally scoped to a community.

    Parameters
    ----------
    settings
        The project settings.
    frames
        Layer name → frame (indexed by ``fid``). Missing layers count as not provided:
        :meth:`frame` gives an empty frame and checks that need them do not run.
    community
        The community the snapshot is scoped to, or ``None`` for the whole project.
    """

    settings: Settings
    frames: dict[str, pd.DataFrame]
    community: str | None = None
    _arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _empty: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    # -- building --------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        store: Store,
        *,
        community: str | None = None,
        layers: Sequence[str] = LAYERS,
        feedback: Feedback | None = None,
    ) -> Snapshot:
        """Read a project (or the part of it around one community) from ``store``.

        Raises
        ------
        SchemaError
            If ``community`` is not a community of the project.
        """
        unknown = [name for name in layers if name not in COLUMNS]
        if unknown:
            raise ValueError(f"a snapshot cannot hold {unknown}; choose from {LAYERS}")
        reader = _reader(store)
        try:
            if community is None:
                frames = {}
                for k, name in enumerate(layers):
                    check(feedback)
                    frames[name] = reader.read(name, COLUMNS[name])
                    if feedback is not None:
                        feedback.set_progress(100.0 * (k + 1) / len(layers))
                return cls(store.settings, frames)
            return cls(
                store.settings,
                _scoped_frames(reader, community, layers, store.location),
                community,
            )
        finally:
            reader.close()

    @classmethod
    def from_frames(
        cls,
        frames: Mapping[str, pd.DataFrame],
        settings: Settings,
        *,
        community: str | None = None,
    ) -> Snapshot:
        """A snapshot of frames in memory (layers not given count as not provided).

        With ``community`` the frames are cut down to the part around that community,
        through the spatial indexes geopandas keeps on them (built on first use).
        """
        unknown = [name for name in frames if name not in COLUMNS]
        if unknown:
            raise ValueError(f"a snapshot cannot hold {unknown}; choose from {LAYERS}")
        frames = {name: _complete(name, frame) for name, frame in frames.items()}
        if community is None:
            return cls(settings, frames)
        reader = _FrameReader(frames)
        return cls(
            settings,
            _scoped_frames(reader, community, list(frames), "the frames given"),
            community,
        )

    def with_frames(
        self, *, same_geometry: bool = False, **frames: pd.DataFrame
    ) -> Snapshot:
        """A copy with some frames replaced.

        Derived data is computed afresh, except the linkage when ``same_geometry``
        says that the new frames have the rows and geometries of the old ones.
        """
        copy = Snapshot(self.settings, {**self.frames, **frames}, self.community)
        if same_geometry and "linkage" in self.__dict__:
            copy.__dict__["linkage"] = self.__dict__["linkage"]
        return copy

    # -- access ----------------------------------------------------------------------

    def has(self, *layers: str) -> bool:
        """Whether all of ``layers`` were provided."""
        return all(name in self.frames for name in layers)

    def frame(self, layer: str) -> pd.DataFrame:
        """The frame of ``layer`` (an empty frame if it was not provided)."""
        found = self.frames.get(layer)
        if found is None:
            key = f"empty:{layer}"
            if key not in self._empty:
                self._empty[key] = schema.empty_frame(layer, crs=self.settings.crs_epsg)
            found = self._empty[key]
        return found

    def geoms(self, layer: str) -> np.ndarray:
        """The geometries of ``layer`` as an object array (cached)."""
        if layer not in self._arrays:
            frame = self.frame(layer)
            self._arrays[layer] = np.asarray(frame.geometry.values, dtype=object)
        return self._arrays[layer]

    def column(self, layer: str, name: str) -> np.ndarray:
        """Column ``name`` of ``layer`` as an object array (``None`` where empty)."""
        key = f"{layer}.{name}"
        if key not in self._arrays:
            values = self.frame(layer)[name].to_numpy(dtype=object)
            empty = pd.isna(values)
            if empty.any():
                values = values.copy()
                values[empty] = None
            self._arrays[key] = values
        return self._arrays[key]

    @cached_property
    def linkage(self) -> Linkage:
        """Which grid and community every building and facility lies in, and totals."""
        from gridgis.core.link import compute_linkage

        return compute_linkage(self)

    @cached_property
    def divided(self) -> np.ndarray:
        """Per community: whether it has grids.

        A community without grids is not yet divided, and the checks leave it alone.
        """
        codes = self.column("communities", "code")
        with_grids = set(self.column("grids", "community_code"))
        return np.array([c in with_grids for c in codes], dtype=bool)


# ---------------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------------


class _Reader:
    """Reads layers with a ``where`` filter and a bounding box."""

    def read(
        self,
        layer: str,
        columns: Sequence[str],
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
    ) -> pd.DataFrame:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the reader holds."""


class _StoreReader(_Reader):
    def __init__(self, store: Store) -> None:
        self.store = store

    def read(
        self,
        layer: str,
        columns: Sequence[str],
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
    ) -> pd.DataFrame:
        return self.store.read(layer, columns=list(columns), bbox=bbox, where=where)


class _SqliteReader(_Reader):
    """Small reads of a GeoPackage through one read-only SQLite connection.

    GDAL opens the file anew for every read, which costs more than a small read itself;
    a scoped snapshot makes about ten small reads, so they go through SQLite and the
    R-tree directly. Values get the schema's dtypes, as from :meth:`Store.read`.
    """

    def __init__(self, store: GeoPackageStore) -> None:
        import sqlite3

        self.store = store
        self.crs = store.crs
        self.conn = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True)

    def read(
        self,
        layer: str,
        columns: Sequence[str],
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
    ) -> pd.DataFrame:
        from gridgis.core.store import gpkg_ddl as ddl
        from gridgis.core.store import gpkgblob
        from gridgis.core.store.gpkg import sql_literal, where_sql

        lyr = schema.layer(layer)
        names = list(columns)
        selected = ["fid", *names]
        if lyr.is_spatial:
            selected.append(schema.GEOMETRY_COLUMN)
        conditions = []
        condition = where_sql(where)
        if condition:
            conditions.append(condition)
        if bbox is not None:
            minx, miny, maxx, maxy = (sql_literal(float(v)) for v in bbox)
            conditions.append(
                f"fid IN (SELECT id FROM {ddl.quote(ddl.rtree_name(layer))} "
                f"WHERE minx <= {maxx} AND maxx >= {minx} "
                f"AND miny <= {maxy} AND maxy >= {miny})"
            )
        sql = f"SELECT {', '.join(map(ddl.quote, selected))} FROM {ddl.quote(layer)}"
        if conditions:
            sql += " WHERE " + " AND ".join(f"({c})" for c in conditions)
        rows = self.conn.execute(sql).fetchall()
        values = list(zip(*rows, strict=True)) if rows else [()] * len(selected)
        index = pd.Index(np.asarray(values[0], dtype=np.int64), name="fid")
        data = {
            name: _column(lyr.field(name), column, index)
            for name, column in zip(names, values[1:], strict=False)
        }
        frame = pd.DataFrame(data, index=index)
        if not lyr.is_spatial:
            return frame
        geoms = gpkgblob.decode(list(values[-1]))
        return gpd.GeoDataFrame(frame, geometry=geoms, crs=self.crs)

    def close(self) -> None:
        self.conn.close()


def _column(fld: schema.Field, values: Sequence[Any], index: pd.Index) -> pd.Series:
    """A column of SQLite values with the schema's dtype."""
    kind = fld.type
    if kind is schema.FieldType.TEXT:
        data = np.empty(len(values), dtype=object)
        data[:] = values
        return pd.Series(data, index=index, dtype=object)
    if kind is schema.FieldType.INTEGER:
        return pd.Series(pd.array(values, dtype="Int64"), index=index)
    if kind is schema.FieldType.BOOLEAN:
        return pd.Series(
            pd.array([None if v is None else bool(v) for v in values], dtype="boolean"),
            index=index,
        )
    if kind is schema.FieldType.REAL:
        return pd.Series(
            np.array([np.nan if v is None else v for v in values], dtype=float),
            index=index,
        )
    raise ValueError(f"a snapshot does not read {kind.value} fields ({fld.name})")


class _FrameReader(_Reader):
    """Reads from frames in memory, through geopandas' spatial index."""

    def __init__(self, frames: Mapping[str, pd.DataFrame]) -> None:
        self.frames = frames

    def read(
        self,
        layer: str,
        columns: Sequence[str],
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
    ) -> pd.DataFrame:
        frame = self.frames[layer]
        if bbox is not None:
            # Only the rows the spatial index finds are looked at further.
            assert isinstance(frame, gpd.GeoDataFrame)
            frame = frame.iloc[np.sort(frame.sindex.query(shapely.box(*bbox)))]
        mask = where_mask(frame, where)
        return frame[mask] if not mask.all() else frame

    def close(self) -> None:
        """Nothing to release."""


def _complete(layer: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the snapshot's columns of ``layer`` (missing ones empty)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frames must be DataFrames, got {type(frame).__name__}")
    lyr = schema.layer(layer)
    if lyr.is_spatial and not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"the {layer} frame must be a GeoDataFrame")
    missing = [name for name in COLUMNS[layer] if name not in frame.columns]
    if not missing:
        return frame
    frame = frame.copy()
    for name in missing:
        frame[name] = (
            pd.Series(pd.NA, index=frame.index, dtype=lyr.field(name).type.pandas_dtype)
            if lyr.field(name).type.pandas_dtype != "object"
            else None
        )
    return frame


def _reader(store: Store) -> _Reader:
    if isinstance(store, GeoPackageStore) and store.open_transaction() is None:
        return _GeoPackageReader(store)
    return _StoreReader(store)


class _GeoPackageReader(_Reader):
    """Whole layers through GDAL (fast for big reads), small ones through SQLite."""

    def __init__(self, store: GeoPackageStore) -> None:
        self.whole = _StoreReader(store)
        self.small: _SqliteReader | None = None
        self.store = store

    def read(
        self,
        layer: str,
        columns: Sequence[str],
        *,
        bbox: BBox | None = None,
        where: Where | None = None,
    ) -> pd.DataFrame:
        if bbox is None and where is None:
            return self.whole.read(layer, columns)
        if self.small is None:
            self.small = _SqliteReader(self.store)
        return self.small.read(layer, columns, bbox=bbox, where=where)

    def close(self) -> None:
        if self.small is not None:
            self.small.close()


def _union_bbox(*boxes: Any) -> BBox:
    arr = np.array([b for b in boxes if b is not None and np.all(np.isfinite(b))])
    return (
        float(arr[:, 0].min()),
        float(arr[:, 1].min()),
        float(arr[:, 2].max()),
        float(arr[:, 3].max()),
    )


def _scoped_frames(
    reader: _Reader, community: str, layers: Sequence[str], location: str
) -> dict[str, pd.DataFrame]:
    """The frames around ``community``: what its checks need, and nothing far away."""
    wanted = set(layers)
    frames: dict[str, pd.DataFrame] = {}
    if "communities" not in wanted:
        raise ValueError("a snapshot scoped to a community needs the communities layer")
    communities = reader.read(
        "communities", COLUMNS["communities"], where={"code": community}
    )
    if communities.empty:
        raise SchemaError(
            f"There is no community {community} in {location}; check the code "
            "(12 digits) with `gridgis stats`.",
            f"{location} 中没有社区 {community};请核对社区编码(12 位),"
            "可用 `gridgis stats` 查看。",
        )
    frames["communities"] = communities
    own = None
    boxes: list[Any] = [communities.total_bounds]
    if "grids" in wanted:
        own = reader.read(
            "grids", COLUMNS["grids"], where={"community_code": community}
        )
        if len(own):
            boxes.append(own.total_bounds)
    bbox = _union_bbox(*boxes)
    if "streets" in wanted:
        frames["streets"] = reader.read(
            "streets",
            COLUMNS["streets"],
            where={"code": sorted(set(communities["street_code"].dropna()))},
        )
    if own is not None:
        near = reader.read("grids", COLUMNS["grids"], bbox=bbox)
        codes = sorted(set(own["code"].dropna()))
        partners = sorted(set(own["ab_partner"].dropna()) - set(near["code"].dropna()))
        extra = [near]
        if codes:
            # Grids elsewhere that carry one of this community's codes (duplicates).
            extra.append(reader.read("grids", COLUMNS["grids"], where={"code": codes}))
        if partners:
            extra.append(
                reader.read("grids", COLUMNS["grids"], where={"code": partners})
            )
        grids = pd.concat([own, *extra])
        grids = grids[~grids.index.duplicated()]
        frames["grids"] = gpd.GeoDataFrame(grids, geometry="geometry", crs=own.crs)
    for name in ("buildings", "facilities", "roads", "overlays"):
        if name in wanted:
            frames[name] = reader.read(name, COLUMNS[name], bbox=bbox)
    if "assignments" in wanted:
        grid_codes = sorted(set(own["code"].dropna())) if own is not None else []
        served = reader.read(
            "assignments", COLUMNS["assignments"], where={"grid_code": grid_codes}
        )
        people = sorted(set(served["staff_id"].dropna()))
        # Everything those people do elsewhere too (AB backups, phones).
        frames["assignments"] = reader.read(
            "assignments", COLUMNS["assignments"], where={"staff_id": people}
        )
        if "staff" in wanted:
            frames["staff"] = reader.read(
                "staff", COLUMNS["staff"], where={"id": people}
            )
    elif "staff" in wanted:
        frames["staff"] = reader.read("staff", COLUMNS["staff"], where={"id": []})
    return frames


__all__ = ["COLUMNS", "LAYERS", "Snapshot"]
