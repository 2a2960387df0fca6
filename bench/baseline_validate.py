"""The baseline for the validation benchmark: the same checks written the usual way.

What an analyst would write with geopandas: read the layers with ``read_file``, then
one rule at a time with ``sjoin``, ``overlay``, ``dissolve`` and pandas merges, each
rule starting from the layers (no shared spatial index, no shared link of buildings to
grids), and linking by a spatial join written back with ``to_file``. It finds the same
faults as GridGIS on the benchmark city; the benchmark checks that the counts agree.
"""

from __future__ import annotations

import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgis.core.settings import Settings

MOBILE = r"^(?:\+?86)?1[3-9]\d{9}$"
LANDLINE = r"^0(?:10|2\d|[3-9]\d{2})-?[2-9]\d{6,7}(?:[-#]\d{1,6})?$"


def read(path: Path) -> dict[str, Any]:
    """Every layer, as an analyst reads them."""
    layers = {}
    for name in ("streets", "communities", "grids", "buildings", "facilities", "roads",
                 "overlays"):  # fmt: skip
        layers[name] = gpd.read_file(path, layer=name, engine="pyogrio")
    for name in ("staff", "assignments"):
        layers[name] = gpd.read_file(
            path, layer=name, engine="pyogrio", ignore_geometry=True
        )
    return layers


def link(layers: dict[str, Any], path: Path) -> None:
    """Buildings and facilities to grids (spatial join), totals, written back."""
    grids = layers["grids"][["code", "geometry"]].rename(columns={"code": "grid"})
    buildings = layers["buildings"]
    points = buildings.copy()
    points["geometry"] = buildings.representative_point()
    joined = gpd.sjoin(points, grids, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    buildings["grid_code"] = joined["grid"]
    facilities = layers["facilities"]
    fj = gpd.sjoin(facilities, grids, how="left", predicate="within")
    fj = fj[~fj.index.duplicated(keep="first")]
    facilities["grid_code"] = fj["grid"]
    sums = buildings.groupby("grid_code")[["households", "population"]].sum()
    g = layers["grids"]
    g["households"] = g["code"].map(sums["households"]).fillna(0).astype(int)
    g["population"] = g["code"].map(sums["population"]).fillna(0).astype(int)
    communities = layers["communities"][["code", "geometry"]]
    cj = gpd.sjoin(
        points, communities.rename(columns={"code": "community"}), predicate="within"
    )
    csum = cj.groupby("community")[["households", "population"]].sum()
    c = layers["communities"]
    c["households"] = c["code"].map(csum["households"]).fillna(0).astype(int)
    c["population"] = c["code"].map(csum["population"]).fillna(0).astype(int)
    ssum = c.groupby("street_code")[["households", "population"]].sum()
    s = layers["streets"]
    s["households"] = s["code"].map(ssum["households"]).fillna(0).astype(int)
    s["population"] = s["code"].map(ssum["population"]).fillna(0).astype(int)
    for name in ("buildings", "facilities", "grids", "communities", "streets"):
        layers[name].to_file(path, layer=name, engine="pyogrio")


def _small(pieces: gpd.GeoSeries, tolerance: float) -> np.ndarray:
    shrunk = pieces.buffer(-tolerance / 2)
    return (pieces.area <= tolerance**2).to_numpy() | shrunk.is_empty.to_numpy()


def validate(layers: dict[str, Any], settings: Settings) -> Counter:
    """Every check, one at a time; returns the number of findings per rule id."""
    found: Counter = Counter()
    tol = settings.topology_tolerance
    streets, communities = layers["streets"], layers["communities"]
    grids, buildings = layers["grids"], layers["buildings"]
    facilities, roads, overlays = (
        layers["facilities"],
        layers["roads"],
        layers["overlays"],
    )
    staff, assignments = layers["staff"], layers["assignments"]

    # geometry
    for frame in (streets, communities, grids):
        found["geometry.empty"] += int(
            (frame.geometry.isna() | frame.geometry.is_empty).sum()
        )
        found["geometry.invalid"] += int((~frame.geometry.is_valid).sum())
    found["geometry.invalid"] += int((~buildings.geometry.is_valid).sum())
    found["geometry.multipart"] += int(
        (grids.geometry.geom_type == "MultiPolygon").sum()
    )

    # topology: overlaps (self-overlay of the grids)
    g = grids[["code", "community_code", "geometry"]].copy()
    g["i"] = range(len(g))
    pairs = gpd.overlay(g, g, how="intersection", keep_geom_type=True)
    pairs = pairs[pairs["i_1"] < pairs["i_2"]]
    pairs = pairs[~_small(pairs.geometry, tol)]
    found["topology.overlap"] += int(
        sum(1 if a == b else 2 for a, b in zip(pairs["community_code_1"],
                                                pairs["community_code_2"], strict=True))
    )  # fmt: skip
    # gaps: each divided community minus its dissolved grids
    dissolved = grids.dissolve("community_code")[["geometry"]].reset_index()
    divided = communities[communities["code"].isin(dissolved["community_code"])]
    holes = gpd.overlay(divided, dissolved, how="difference", keep_geom_type=True)
    holes = holes.explode(index_parts=False)
    found["topology.gap"] += int((~_small(holes.geometry, tol)).sum())
    # grids outside their community, communities outside their street
    for child, parent, key, rule in (
        (grids, communities, "community_code", "topology.outside_community"),
        (communities, streets, "street_code", "topology.outside_street"),
    ):
        merged = child.merge(
            pd.DataFrame({"pcode": parent["code"], "pgeom": parent.geometry.values}),
            left_on=key, right_on="pcode",
        )  # fmt: skip
        outside = gpd.GeoSeries(merged.geometry.values).difference(
            gpd.GeoSeries(merged["pgeom"].values)
        )
        parts = outside.explode(index_parts=True)
        parts = parts[~parts.is_empty]
        big = parts[~_small(parts, tol)]
        found[rule] += int(big.index.get_level_values(0).nunique())

    # capacity: households per grid from a spatial join of building points
    points = buildings[["id", "households", "population", "grid_code"]].copy()
    points["geometry"] = buildings.representative_point()
    points = gpd.GeoDataFrame(points, geometry="geometry", crs=buildings.crs)
    grid_shapes = grids[["code", "geometry"]].rename(columns={"code": "grid"})
    in_grid = gpd.sjoin(points, grid_shapes, predicate="within")
    first = in_grid[~in_grid.index.duplicated(keep="first")]
    per_grid = first.groupby("grid")["households"].sum()
    hh = grids["code"].map(per_grid).fillna(0)
    low = grids["kind"].map({k: b.min for k, b in settings.household_bands.items()})
    high = grids["kind"].map({k: b.max for k, b in settings.household_bands.items()})
    low = grids["min_households"].astype(float).fillna(low)
    high = grids["max_households"].astype(float).fillna(high)
    found["capacity.band_setting"] += int(
        (low.isna() | high.isna() | (low > high)).sum()
    )
    found["capacity.above_band"] += int((hh > high).sum())
    found["capacity.below_band"] += int((hh < low).sum())
    limit = first["grid"].map(dict(zip(grids["code"], high, strict=True)))
    found["capacity.building_above_band"] += int((first["households"] > limit).sum())

    # linkage
    community_shapes = communities[["code", "geometry"]].rename(
        columns={"code": "community"}
    )
    in_comm = gpd.sjoin(points, community_shapes, predicate="within")
    in_comm = in_comm[~in_comm.index.duplicated(keep="first")]
    divided_codes = set(grids["community_code"])
    in_divided = in_comm[in_comm["community"].isin(divided_codes)].index
    found["linkage.building_unassigned"] += int((~in_divided.isin(first.index)).sum())
    counts = in_grid.index.value_counts()
    found["linkage.building_ambiguous"] += int((counts > 1).sum())
    fin = gpd.sjoin(facilities, grid_shapes, predicate="within")
    fcounts = fin.index.value_counts()
    found["linkage.facility_ambiguous"] += int((fcounts > 1).sum())
    fcomm = gpd.sjoin(facilities, community_shapes, predicate="within")
    fdiv = fcomm[fcomm["community"].isin(divided_codes)].index.unique()
    found["linkage.facility_unassigned"] += int((~fdiv.isin(fin.index)).sum())
    touching = gpd.sjoin(
        buildings[["id", "geometry"]], grid_shapes, predicate="intersects"
    )
    several = touching.index.value_counts()
    crossing = buildings.loc[several[several > 1].index, ["id", "geometry"]]
    pieces = gpd.overlay(crossing, grid_shapes, how="intersection")
    area = pieces["id"].map(crossing.set_index("id").area)
    own = pieces["id"].map(dict(zip(first["id"], first["grid"], strict=True)))
    inside_own = pieces[pieces["grid"] == own].set_index("id").area
    outside = area - pieces["id"].map(inside_own).fillna(0)
    cut = pieces[
        (pieces["grid"] != own)
        & (pieces.area > 1.0)
        & (pieces.area > 0.01 * area)
        & (outside > 1.0)
    ]
    found["linkage.building_cut"] += int(cut["id"].nunique())
    stored = grids["households"].fillna(-1)
    found["linkage.stale"] += int((stored != hh).sum())

    # staffing
    own_posts = assignments[~assignments["is_backup"].fillna(False).astype(bool)]
    for role in settings.roles:
        if role.required:
            have = own_posts[own_posts["role"] == role.id].groupby("grid_code").size()
            n = grids["code"].map(have).fillna(0)
            found["staffing.missing_role"] += int((n < role.required).sum())
    roles = {r.id for r in settings.roles}
    found["staffing.unknown_role"] += int((~assignments["role"].isin(roles)).sum())
    found["staffing.unknown_grid"] += int(
        (~assignments["grid_code"].isin(grids["code"])).sum()
    )
    found["staffing.unknown_staff"] += int(
        (~assignments["staff_id"].isin(staff["id"])).sum()
    )
    phones = staff["phone"].fillna("").str.strip().str.replace(" ", "")
    ok = phones.str.replace("-", "").str.match(MOBILE) | phones.str.match(LANDLINE)
    found["staffing.phone"] += int(((phones != "") & ~ok).sum())
    serving = staff["id"].isin(assignments["staff_id"])
    found["staffing.phone_missing"] += int(((phones == "") & serving).sum())
    partner = grids.dropna(subset=["ab_partner"])
    lookup = grids.set_index("code")
    known = partner["ab_partner"].isin(lookup.index) & (
        partner["ab_partner"] != partner["code"]
    )
    found["staffing.ab_unknown"] += int((~known).sum())
    partner = partner[known]
    back = partner["ab_partner"].map(lookup["ab_partner"])
    found["staffing.ab_not_mutual"] += int((back != partner["code"]).sum())
    other = gpd.GeoSeries(
        partner["ab_partner"].map(lookup.geometry).values, crs=grids.crs
    )
    mine = gpd.GeoSeries(partner.geometry.values, crs=grids.crs)
    shared = mine.boundary.intersection(other.buffer(tol)).length
    found["staffing.ab_not_adjacent"] += int((shared < 10.0).sum())
    backups = assignments[assignments["is_backup"].fillna(False).astype(bool)]
    mine_grids = own_posts.groupby("staff_id")["grid_code"].agg(set)
    p_of = backups["grid_code"].map(lookup["ab_partner"])
    ok_backup = [
        isinstance(p, str) and p in mine_grids.get(s, set())
        for s, p in zip(backups["staff_id"], p_of, strict=True)
    ]
    known_grid = backups["grid_code"].isin(lookup.index).to_numpy()
    found["staffing.backup_not_partner"] += int(
        (~np.array(ok_backup, dtype=bool) & known_grid).sum()
    )

    # coding
    for frame, digits, parent, key in (
        (streets, 9, None, None), (communities, 12, streets, "street_code"),
        (grids, 15, communities, "community_code"),
    ):  # fmt: skip
        codes = frame["code"].fillna("")
        bad = ~codes.str.fullmatch(rf"\d{{{digits}}}")
        found["coding.malformed"] += int(bad.sum())
        found["coding.duplicate"] += int(codes.duplicated(keep=False).sum())
        prefix = settings.code_prefix if parent is None else frame[key]
        if parent is None:
            wrong = ~codes.str.startswith(prefix)
        else:
            wrong = pd.Series(
                [not c.startswith(str(p)) for c, p in zip(codes, prefix, strict=True)],
                index=codes.index,
            )
        found["coding.prefix"] += int((wrong & ~bad).sum())
        if parent is not None:
            found["coding.parent_missing"] += int(
                (~frame[key].isin(parent["code"])).sum()
            )

    # shape
    pp = 4 * np.pi * grids.area / grids.length**2
    found["shape.compactness"] += int((pp < 0.2).sum())
    arterial = roads[roads["class"] == "arterial"]
    cores = grids[["code", "geometry"]].copy()
    cores["geometry"] = grids.buffer(-1.0)
    crossing_roads = gpd.overlay(
        arterial, cores, how="intersection", keep_geom_type=True
    )
    per = (
        crossing_roads.assign(length=crossing_roads.length)
        .groupby("code")["length"]
        .sum()
    )
    found["shape.road_crossing"] += int((per >= 20.0).sum())
    for kind in ("police", "school"):
        zones = overlays[overlays["kind"] == kind][["id", "geometry"]]
        parts = gpd.overlay(grids[["code", "geometry"]], zones, how="intersection")
        parts["share"] = parts.area / parts["code"].map(grids.set_index("code").area)
        big = parts[parts["share"] >= 0.1].groupby("code").size()
        found["shape.overlay_crossing"] += int((big >= 2).sum())
    return Counter({k: v for k, v in found.items() if v})


def run(path: Path, settings: Settings) -> dict[str, Any]:
    """Read, link and check ``path``; times per phase and findings per rule."""
    warnings.simplefilter("ignore", UserWarning)  # overlay's notes on dropped lines
    times = {}
    start = time.perf_counter()
    layers = read(path)
    times["read"] = time.perf_counter() - start
    start = time.perf_counter()
    link(layers, path)
    times["link"] = time.perf_counter() - start
    start = time.perf_counter()
    found = validate(layers, settings)
    times["validate"] = time.perf_counter() - start
    return {"times": times, "found": dict(found)}


__all__ = ["link", "read", "run", "validate"]
