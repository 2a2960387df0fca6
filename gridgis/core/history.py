"""The project's history, read from the change log (the audit trail).

Every transaction written through a store is one change set in the ``changes`` layer
(:mod:`gridgis.core.store.changelog`). This module lists change sets — who, when, which
tool, what — for the whole project, a community or a grid, and rebuilds the grids as
they were right after any change set, for the ``gridgis history`` command and the
application's History panel.

Examples
--------
>>> from gridgis.core.settings import Settings
>>> from gridgis.core.store import MemoryStore
>>> store = MemoryStore(Settings.default(crs_epsg=4549, code_prefix="320508"))
>>> change_sets(store).columns.tolist()[:4]
['change_set', 'changed_at', 'changed_by', 'tool']
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gridgis.core import schema
from gridgis.core.codes import parse_code
from gridgis.core.definitions import ChangeOperation, Level
from gridgis.core.errors import ExportError, SchemaError, unwritable_workbook
from gridgis.core.i18n import Text, current_language
from gridgis.core.store import Store
from gridgis.core.store.changelog import LOG_LAYER

#: Column headings of :func:`change_sets`.
HEADINGS: dict[str, Text] = {
    "change_set": Text("变更集", "change set"),
    "changed_at": Text("时间(UTC)", "when (UTC)"),
    "changed_by": Text("修改人", "who"),
    "tool": Text("工具", "tool"),
    "communities": Text("社区", "communities"),
    "what": Text("内容", "what"),
}


def _check_filter(community: str | None, grid: str | None) -> None:
    if community is not None and grid is not None:
        raise SchemaError(
            "Give either a community or a grid, not both.",
            "请只指定社区或网格之一,不要同时指定。",
        )
    if community is not None:
        parse_code(community, Level.COMMUNITY)
    if grid is not None:
        parse_code(grid, Level.GRID)


def read_log(
    store: Store, *, community: str | None = None, grid: str | None = None
) -> pd.DataFrame:
    """The change-log rows about ``community`` or ``grid`` (all rows by default).

    A grid's rows are its own (``grids``) and those of the buildings, facilities and
    staff posts in it; a community's are those of its grids and everything in them,
    and of the community itself. Summary rows of large writes (a link) count when
    they name the code.
    """
    _check_filter(community, grid)
    log = store.read(LOG_LAYER)
    if community is not None:
        codes = log["community_code"].fillna("").str.split(",")
        log = log[codes.map(lambda values: community in values).to_numpy(dtype=bool)]
    elif grid is not None:
        own = log["grid_code"].eq(grid).fillna(False).to_numpy(dtype=bool)
        summary = log["feature_fid"].isna().to_numpy(dtype=bool)
        named = log["after"].fillna("").str.contains(f'"{grid}"', regex=False)
        log = log[own | (summary & named.to_numpy(dtype=bool))]
    return log.sort_values(["change_set"], kind="stable")


def _what(rows: pd.DataFrame, language: str) -> str:
    parts = []
    for layer, of_layer in rows.groupby("layer", sort=False):
        counts = of_layer.groupby("operation", sort=False)["rows"].sum()
        operations = ", ".join(
            f"{ChangeOperation(op).label.get(language)} {int(n)}"
            for op, n in counts.items()
        )
        title = schema.layer(str(layer)).title(language)
        parts.append(
            f"{title}: {operations}" if language == "en" else f"{title}:{operations}"
        )
    return "; ".join(parts) if language == "en" else ";".join(parts)


def change_sets(
    store: Store,
    *,
    community: str | None = None,
    grid: str | None = None,
    language: str | None = None,
) -> pd.DataFrame:
    """One row per change set, newest first: number, when, who, tool, communities, what.

    ``what`` says per layer how many rows were added, changed and removed, in
    ``language`` (default: the current one).
    """
    language = language or current_language()
    log = read_log(store, community=community, grid=grid)
    columns = list(HEADINGS)
    if log.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    records = []
    for number, rows in log.groupby("change_set", sort=True):
        first = rows.iloc[0]
        communities = sorted(
            {c for v in rows["community_code"].dropna() for c in str(v).split(",") if c}
        )
        records.append(
            {
                "change_set": int(str(number)),
                "changed_at": first["changed_at"],
                "changed_by": first["changed_by"],
                "tool": first["tool"],
                "communities": ",".join(communities[:5])
                + (f" (+{len(communities) - 5})" if len(communities) > 5 else ""),
                "what": _what(rows, language),
            }
        )
    return (
        pd.DataFrame.from_records(records, columns=columns)
        .iloc[::-1]
        .reset_index(drop=True)
    )


def labelled(frame: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    """``frame`` of :func:`change_sets` with headings in ``language``."""
    language = language or current_language()
    out = frame.copy()
    out["changed_at"] = out["changed_at"].map(
        lambda t: "" if pd.isna(t) else pd.Timestamp(t).strftime("%Y-%m-%d %H:%M:%S")
    )
    return out.rename(columns={c: HEADINGS[c].get(language) for c in out.columns})


def write_xlsx(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write the change sets of :func:`change_sets` to an Excel workbook (Chinese).

    Raises
    ------
    ExportError
        The file cannot be written (folder missing, file open in Excel or WPS).
    """
    from gridgis.core.exchange.tables import write_xlsx as write_sheets

    path = Path(path)
    try:
        write_sheets(path, {"变更记录": labelled(frame, "zh")})
    except OSError as exc:
        raise unwritable_workbook(path, exc, ExportError) from None
    return path


def _row(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    values = json.loads(text)
    wkb = values.pop("geometry", None)
    values["geometry"] = shapely.from_wkb(wkb) if wkb else None
    return values


def grids_at(
    store: Store,
    change_set: int,
    *,
    community: str | None = None,
    grid: str | None = None,
) -> gpd.GeoDataFrame:
    """The grids as they were right after ``change_set`` (of a community or one grid).

    Starts from the grids as they are and takes back, newest first, every change the
    log recorded on them after ``change_set``.
    """
    _check_filter(community, grid)
    current = store.read("grids")
    names = schema.layer("grids").field_names
    state: dict[int, dict[str, Any] | None] = {
        int(fid): {**{n: row[n] for n in names}, "geometry": row["geometry"]}
        for fid, row in zip(current.index, current.to_dict("records"), strict=True)
    }
    log = store.read(
        LOG_LAYER, where={"layer": "grids"},
        columns=["change_set", "feature_fid", "operation", "before"],
    )  # fmt: skip
    later = log[(log["change_set"] > change_set) & log["feature_fid"].notna()]
    for _, entry in later.iloc[::-1].iterrows():
        fid = int(entry["feature_fid"])
        if entry["operation"] == ChangeOperation.INSERT.value:
            state.pop(fid, None)
        else:
            state[fid] = _row(entry["before"])
    rows = {fid: row for fid, row in state.items() if row is not None}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[*names, "geometry"])
    frame.index = pd.Index(frame.index.astype("int64"), name="fid")
    out = gpd.GeoDataFrame(frame, geometry="geometry", crs=store.crs)
    if community is not None:
        out = out[out["community_code"] == community]
    if grid is not None:
        out = out[out["code"] == grid]
    return out.sort_values("code")


__all__ = [
    "HEADINGS",
    "change_sets",
    "grids_at",
    "labelled",
    "read_log",
    "write_xlsx",
]
