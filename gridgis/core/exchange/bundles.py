"""What belongs to one community or one street, for the per-unit export bundles.

A bundle holds the unit itself, its parent street, its grids, the buildings and
facilities inside it (by where they stand, so undivided communities keep theirs), the
roads and overlays that touch it, and the staff assigned to its grids with their
assignments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from gridgis.core.errors import ExportError
from gridgis.core.link import assign_points

#: Units the export can be split by.
UNITS = ("community", "street")


@dataclass(frozen=True)
class Unit:
    """One community or street and the fids of every layer's rows that belong to it."""

    code: str
    name: str
    fids: dict[str, np.ndarray]


def _fids(frame: pd.DataFrame, mask: np.ndarray) -> np.ndarray:
    return np.asarray(frame.index[np.asarray(mask, dtype=bool)], dtype=np.int64)


def units(
    by: str, read: Callable[[str], pd.DataFrame], layers: list[str]
) -> list[Unit]:
    """The bundles of an export split ``by`` community or street.

    Parameters
    ----------
    read
        Reads a whole layer of the project (stored CRS).
    layers
        The layers exported.
    """
    if by not in UNITS:
        raise ExportError(
            f"Bundles are made per community or per street, not per '{by}'.",
            f"只能按社区或街道分包导出,不支持“{by}”。",
        )
    streets = read("streets")
    communities = read("communities")
    if by == "community":
        units_frame = communities
        unit_communities = [[code] for code in communities["code"]]
    else:
        units_frame = streets
        unit_communities = [
            list(communities.loc[communities["street_code"] == code, "code"])
            for code in streets["code"]
        ]
    if len(units_frame) == 0:
        raise ExportError(
            f"The project has no {by} to split the export by.",
            f"项目中没有{'社区' if by == 'community' else '街道'},无法分包导出。",
        )
    frames = {name: read(name) for name in layers}
    area = np.asarray(units_frame.geometry.values, dtype=object)
    where: dict[str, np.ndarray] = {}
    for name in ("buildings", "facilities"):
        if name in frames and len(frames[name]):
            geoms = np.asarray(frames[name].geometry.values, dtype=object)
            points = shapely.point_on_surface(geoms)
            where[name] = assign_points(points, area).index
    touching: dict[str, list[np.ndarray]] = {}
    for name in ("roads", "overlays"):
        if name in frames and len(frames[name]):
            tree = shapely.STRtree(
                np.asarray(frames[name].geometry.values, dtype=object)
            )
            unit_pos, row_pos = tree.query(area, predicate="intersects")
            touching[name] = [row_pos[unit_pos == k] for k in range(len(area))]
    grids = frames["grids"] if "grids" in frames else read("grids")
    assignments = (
        frames["assignments"] if "assignments" in frames else read("assignments")
    )
    out: list[Unit] = []
    for k, (code, name) in enumerate(
        zip(units_frame["code"], units_frame["name"], strict=True)
    ):
        comms = unit_communities[k]
        street_code = code if by == "street" else communities["street_code"].iloc[k]
        in_unit = grids["community_code"].isin(comms).to_numpy()
        grid_codes = list(grids.loc[in_unit, "code"])
        fids: dict[str, np.ndarray] = {}
        for layer_name, frame in frames.items():
            if layer_name == "streets":
                fids[layer_name] = _fids(
                    frame, (frame["code"] == street_code).to_numpy()
                )
            elif layer_name == "communities":
                fids[layer_name] = _fids(frame, frame["code"].isin(comms).to_numpy())
            elif layer_name in where:
                fids[layer_name] = _fids(frame, where[layer_name] == k)
            elif layer_name in touching:
                fids[layer_name] = np.asarray(
                    frame.index[np.sort(touching[layer_name][k])], dtype=np.int64
                )
            elif layer_name == "assignments":
                fids[layer_name] = _fids(
                    frame, frame["grid_code"].isin(grid_codes).to_numpy()
                )
            elif layer_name == "grids":
                fids[layer_name] = _fids(frame, in_unit)
            elif layer_name == "staff":
                staff_ids = assignments.loc[
                    assignments["grid_code"].isin(grid_codes), "staff_id"
                ]
                fids[layer_name] = _fids(frame, frame["id"].isin(staff_ids).to_numpy())
            else:
                fids[layer_name] = np.asarray(frame.index[:0], dtype=np.int64)
        out.append(Unit(str(code), str(name), fids))
    return out
