"""Key persons counted per grid, community and street, and the register joined up.

Residents hang on houses, houses on buildings, buildings on grids (their stored
``grid_code``, kept by linking), grids on communities and communities on streets.
Buildings outside every grid (undivided communities) are placed in their community
by location. Nothing here reads a personal field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gridgis.core.i18n import Text
from gridgis.core.settings import Settings
from gridgis.core.store import GeoPackageStore, Store


def attributes(
    store: Store,
    layer: str,
    columns: Sequence[str],
    where: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Fields of a layer without its geometry (quick on big GeoPackages)."""
    if isinstance(store, GeoPackageStore):
        import warnings

        import pyogrio

        from gridgis.core.store.base import read_request, schema_dtypes
        from gridgis.core.store.gpkg import where_sql

        read_request(layer, columns, None, where)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = pyogrio.read_dataframe(
                store.path,
                layer=layer,
                columns=list(columns),
                where=where_sql(where),
                fid_as_index=True,
                use_arrow=True,
                read_geometry=False,
            )
        frame.index = frame.index.astype("int64")
        frame.index.name = "fid"
        return pd.DataFrame(schema_dtypes(layer, frame)[list(columns)])
    frame = store.read(layer, columns=list(columns), where=where)
    return pd.DataFrame(frame[list(columns)])


def building_places(
    store: Store, buildings: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Each building's ``grid_code`` and ``community_code`` (indexed by building ID).

    ``buildings``: the buildings' ``id`` and ``grid_code`` when already read.
    """
    from gridgis.core.link import assign_points, inside_points

    if buildings is None:
        buildings = attributes(store, "buildings", ["id", "grid_code"])
    grids = attributes(store, "grids", ["code", "community_code"])
    community_of_grid = dict(zip(grids["code"], grids["community_code"], strict=True))
    community = buildings["grid_code"].map(community_of_grid)
    loose = buildings["grid_code"].isna().to_numpy()
    if loose.any():
        communities = store.read("communities", columns=["code"])
        footprints = store.read("buildings", columns=["id"], where={"grid_code": None})
        found = assign_points(
            inside_points(np.asarray(footprints.geometry.values, dtype=object)),
            np.asarray(communities.geometry.values, dtype=object),
        ).codes(communities["code"].to_numpy(dtype=object))
        by_id = dict(zip(footprints["id"], found, strict=True))
        community[loose] = buildings["id"][loose].map(by_id)
    return pd.DataFrame(
        {
            "grid_code": buildings["grid_code"].to_numpy(dtype=object),
            "community_code": community.to_numpy(dtype=object),
        },
        index=pd.Index(buildings["id"].to_numpy(dtype=object), name="building_id"),
    )


def category_flags(categories: pd.Series, settings: Settings) -> pd.DataFrame:
    """One boolean column per catalogue category: whether each resident has it."""
    codes, uniques = pd.factorize(categories.fillna(""), sort=False)
    cells = [f";{v};" for v in uniques]
    return pd.DataFrame(
        {
            c.id: np.array(
                [f";{c.id};" in cell for cell in cells] + [False], dtype=bool
            )[codes]
            for c in settings.categories
        },
        index=categories.index,
    )


def _pick(values: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``values[positions]``, ``None`` where a position is -1."""
    out = np.full(len(positions), None, dtype=object)
    found = positions >= 0
    out[found] = values[positions[found]]
    return out


@dataclass(frozen=True)
class CategoryCounts:
    """Residents and key persons per street, community and grid."""

    streets: pd.DataFrame
    communities: pd.DataFrame
    grids: pd.DataFrame
    settings: Settings

    def headings(self, language: str) -> dict[str, str]:
        """Column headings in ``language``."""
        out = {
            "code": Text("编码", "code").get(language),
            "name": Text("名称", "name").get(language),
            "houses": Text("登记房屋", "houses").get(language),
            "residents": Text("登记居民", "residents").get(language),
        }
        out.update({c.id: c.label.get(language) for c in self.settings.categories})
        return out

    def labelled(self, frame: pd.DataFrame, language: str) -> pd.DataFrame:
        """``frame`` with headings in ``language``."""
        return frame.rename(columns=self.headings(language))


def _per_building_frames(store: Store) -> pd.DataFrame:
    """Houses, residents and key persons per category of every registered building.

    Indexed by building ID, with the building's ``grid_code``. Read through pandas.
    """
    settings = store.settings
    houses = attributes(store, "houses", ["id", "building_id"])
    residents = attributes(store, "residents", ["house_id", "categories"])
    building_of = pd.Series(
        houses["building_id"].to_numpy(dtype=object), index=houses["id"].to_numpy()
    )
    people = category_flags(residents["categories"], settings).astype(np.int64)
    people["residents"] = 1
    people["building_id"] = building_of.reindex(
        residents["house_id"].to_numpy()
    ).to_numpy()
    out = people.groupby("building_id").sum()
    homes = houses.groupby("building_id").size().rename("houses")
    out = pd.concat([homes, out], axis=1).fillna(0).astype(np.int64)
    places = attributes(store, "buildings", ["id", "grid_code"]).set_index("id")
    out["grid_code"] = places["grid_code"].reindex(out.index).to_numpy(dtype=object)
    return out


def _arrays(store: GeoPackageStore, layer: str, columns: list[str]) -> list[Any]:
    """Columns of a layer as Arrow arrays (no geometry, no pandas objects)."""
    import warnings

    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, table = pyogrio.read_arrow(
            store.path, layer=layer, columns=columns, read_geometry=False
        )
    return [table.column(c).combine_chunks() for c in columns]


def _per_building_arrow(store: GeoPackageStore) -> pd.DataFrame:
    """The same as :func:`_per_building_frames`, read from the file as Arrow arrays.

    Each resident is put in the building of its house by Arrow's hash look-up, and
    the categories are read once per distinct cell; the buildings' grids are joined
    by SQLite on the index of ``houses.building_id``.
    """
    import sqlite3

    import pyarrow.compute as pc

    settings = store.settings
    house_ids, house_buildings = _arrays(store, "houses", ["id", "building_id"])
    house_of, cells = _arrays(store, "residents", ["house_id", "categories"])
    conn = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True)
    try:
        grid_of = dict(
            conn.execute(
                "SELECT b.id, b.grid_code FROM buildings b JOIN "
                "(SELECT DISTINCT building_id FROM houses) h ON b.id = h.building_id"
            ).fetchall()
        )
    finally:
        conn.close()
    encoded = pc.dictionary_encode(house_buildings)
    building = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    buildings = encoded.dictionary.to_pylist()
    n = len(buildings)
    at = pc.index_in(house_of, value_set=house_ids)
    known = at.is_valid().to_numpy(zero_copy_only=False)
    where = building[at.fill_null(0).to_numpy(zero_copy_only=False)[known]]
    out = pd.DataFrame(
        {
            "houses": np.bincount(building, minlength=n),
            "residents": np.bincount(where, minlength=n),
        },
        index=pd.Index(buildings, name="building_id", dtype=object),
    )
    kinds = pc.dictionary_encode(cells.fill_null(""))
    flags = category_flags(
        pd.Series(kinds.dictionary.to_pylist(), dtype=object), settings
    ).to_numpy()
    kind = kinds.indices.to_numpy(zero_copy_only=False)[known]
    for k, category in enumerate(settings.categories):
        has = flags[kind, k]
        out[category.id] = np.bincount(where[has], minlength=n)
    out = out.astype(np.int64)
    out["grid_code"] = [grid_of.get(b) for b in out.index]
    return out


def category_counts(store: Store) -> CategoryCounts:
    """Registered houses, residents and key persons per grid, community and street."""
    from gridgis.core.link import assign_points, inside_points

    settings = store.settings
    ids = [c.id for c in settings.categories]
    per_building = (
        _per_building_arrow(store)
        if isinstance(store, GeoPackageStore)
        else _per_building_frames(store)
    )
    grids = attributes(store, "grids", ["code", "name", "community_code"])
    communities = attributes(store, "communities", ["code", "name", "street_code"])
    streets = attributes(store, "streets", ["code", "name"])
    community_of = dict(zip(grids["code"], grids["community_code"], strict=True))
    community = per_building["grid_code"].map(community_of)
    loose = per_building["grid_code"].isna().to_numpy()
    if loose.any():
        # Buildings outside every grid: their community by location.
        footprints = store.read(
            "buildings", columns=["id"], where={"id": list(per_building.index[loose])}
        )
        areas = store.read("communities", columns=["code"])
        found = assign_points(
            inside_points(np.asarray(footprints.geometry.values, dtype=object)),
            np.asarray(areas.geometry.values, dtype=object),
        ).codes(areas["code"].to_numpy(dtype=object))
        by_id = dict(zip(footprints["id"], found, strict=True))
        community[loose] = per_building.index[loose].map(by_id)
    street_of = dict(zip(communities["code"], communities["street_code"], strict=True))
    frame = per_building.assign(
        grid=per_building["grid_code"],
        community=community.to_numpy(dtype=object),
        street=community.map(street_of).to_numpy(dtype=object),
    )
    columns = ["houses", "residents", *ids]

    def table(units: pd.DataFrame, key: str) -> pd.DataFrame:
        sums = frame.groupby(key)[columns].sum()
        joined = sums.reindex(units["code"]).fillna(0).astype(np.int64)
        out = pd.DataFrame(
            {
                "code": units["code"].to_numpy(dtype=object),
                "name": units["name"].to_numpy(dtype=object),
            }
        )
        for column in columns:
            out[column] = joined[column].to_numpy()
        return out.sort_values("code", kind="stable").reset_index(drop=True)

    return CategoryCounts(
        streets=table(streets, "street"),
        communities=table(communities, "community"),
        grids=table(grids, "grid"),
        settings=settings,
    )


def write_sheet(
    book: object, title: str, frame: pd.DataFrame, text: Sequence[str] = ()
) -> None:
    """Add ``frame`` as a sheet of an openpyxl workbook: bold headings, text codes."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from gridgis.core.stats import _cell, _display_width

    sheet = book.create_sheet(title)  # type: ignore[attr-defined]
    sheet.append([str(c) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    for k, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(k)
        if column in text:
            for cell in sheet[letter][1:]:
                cell.number_format = "@"
        values = [str(c.value) for c in sheet[letter] if c.value is not None]
        width = max((_display_width(v) for v in values), default=8)
        sheet.column_dimensions[letter].width = min(max(width + 2, 8), 40)
    sheet.freeze_panes = "A2"


def add_category_sheets(path: str | Path, counts: CategoryCounts) -> Path:
    """Add the key-person counts to a workbook (重点人员-街道/社区/网格 sheets)."""
    from openpyxl import load_workbook

    path = Path(path)
    book = load_workbook(path)
    code = counts.headings("zh")["code"]
    for title, frame in (
        ("重点人员-街道", counts.streets),
        ("重点人员-社区", counts.communities),
        ("重点人员-网格", counts.grids),
    ):
        write_sheet(book, title, counts.labelled(frame, "zh"), (code,))
    book.save(path)
    return path


__all__ = [
    "CategoryCounts",
    "add_category_sheets",
    "attributes",
    "building_category_counts",
    "building_places",
    "category_counts",
    "category_flags",
    "grid_residents",
    "write_sheet",
]


def building_category_counts(store: Store, category: str) -> pd.DataFrame:
    """Residents with key-person category ``category`` per building (those with any).

    Returns a frame indexed by building ID with ``key_persons`` (of the category),
    ``key_households`` (houses with such a person) and ``residents`` (all registered
    residents of the building).

    Raises
    ------
    SchemaError
        If the project's catalogue has no such category.
    """
    from gridgis.core.errors import SchemaError

    settings = store.settings
    found = settings.category(category)
    if found is None:
        names = "、".join(f"{c.zh}({c.id})" for c in settings.categories)
        raise SchemaError(
            f"The project has no key-person category '{category}'; choose one of "
            f"{', '.join(c.id for c in settings.categories)}.",
            f"项目中没有重点人员类别“{category}”;可选:{names}。",
        )
    houses = attributes(store, "houses", ["id", "building_id"])
    residents = attributes(store, "residents", ["house_id", "categories"])
    has = category_flags(residents["categories"], settings)[found.id].to_numpy()
    building = pd.Series(
        houses["building_id"].to_numpy(), index=houses["id"].to_numpy()
    )
    of_resident = building.reindex(residents["house_id"].to_numpy()).to_numpy()
    frame = pd.DataFrame(
        {
            "building_id": of_resident,
            "house_id": residents["house_id"].to_numpy(),
            "has": has,
        }
    )
    key = frame[frame["has"]]
    out = pd.DataFrame(
        {
            "key_persons": key.groupby("building_id").size(),
            "key_households": key.groupby("building_id")["house_id"].nunique(),
            "residents": frame.groupby("building_id").size(),
        }
    )
    out = out[out["key_persons"].notna()].fillna(0).astype(np.int64)
    out.index.name = "building_id"
    return out.sort_index()


def grid_residents(store: Store, code: str) -> pd.DataFrame:
    """The registered residents of grid ``code`` with their house's address.

    Columns: ``house_id``, ``address`` (the house's), ``name``, ``gender``,
    ``id_number``, ``phone``, ``residence``, ``categories`` — unmasked: whoever shows
    them masks them.
    """
    buildings = attributes(store, "buildings", ["id"], where={"grid_code": code})
    houses = attributes(
        store, "houses", ["id", "address"],
        where={"building_id": buildings["id"].tolist()},
    )  # fmt: skip
    residents = attributes(
        store, "residents",
        ["house_id", "name", "gender", "id_number", "phone", "residence", "categories"],
        where={"house_id": houses["id"].tolist()},
    )  # fmt: skip
    address = dict(zip(houses["id"], houses["address"], strict=True))
    residents.insert(1, "address", residents["house_id"].map(address))
    return residents.sort_values(["house_id", "name"], kind="stable").reset_index(
        drop=True
    )
