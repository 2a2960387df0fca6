"""A small hand-made district whose every check is green, to seed single faults into.

Street 320508001 holds two 200 m × 200 m communities: 001 (west) is divided into four
100 m grids (001 NW, 002 NE, 003 SW, 004 SE; AB pairs 001–002 and 003–004), 002 (east)
is not divided yet. Each grid has four buildings of 100 households, a facility, a grid
leader and a full-time worker who backs up the partner grid.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, box

from gridgis.core.settings import Settings

X0, Y0 = 500_000.0, 3_460_000.0
STREET = "320508001"
C1, C2 = "320508001001", "320508001002"
G1, G2, G3, G4 = (f"{C1}{k:03d}" for k in range(1, 5))
GRIDS = {G1: (0, 100), G2: (100, 100), G3: (0, 0), G4: (100, 0)}
PARTNER = {G1: G2, G2: G1, G3: G4, G4: G3}
BUILDINGS = {
    G1: [(10, 110), (10, 170), (20, 140), (60, 170)],
    G2: [(170, 110), (170, 170), (120, 120), (130, 140)],
    G3: [(10, 10), (10, 70), (60, 10), (60, 70)],
    G4: [(110, 10), (110, 70), (160, 10), (160, 70)],
}
FACILITIES = {
    G1: (30, 190),
    G2: (190, 190),
    G3: (30, 30),
    G4: (130, 50),
    None: (350, 50),
}


def rect(x: float, y: float, w: float, h: float):
    """A rectangle in district coordinates (metres from the south-west corner)."""
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


def at(x: float, y: float):
    return Point(X0 + x, Y0 + y)


def line(*points: tuple[float, float]):
    return LineString([(X0 + x, Y0 + y) for x, y in points])


def _geo(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=4549)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="fid")
    return frame


@dataclass
class District:
    """Frames of the district and its settings; change them, then :meth:`relink`."""

    frames: dict[str, pd.DataFrame]
    settings: Settings = field(
        default_factory=lambda: Settings.default(crs_epsg=4549, code_prefix="320508")
    )
    #: Keep the stored links and totals as they are (to seed out-of-date ones).
    frozen: bool = False

    def copy(self) -> District:
        return District(
            {k: v.copy() for k, v in self.frames.items()}, copy.deepcopy(self.settings)
        )

    def grid(self, code: str) -> int:
        """The fid of grid ``code``."""
        grids = self.frames["grids"]
        return int(grids.index[grids["code"] == code][0])

    def set_grid(self, target: str, **values) -> None:
        fid = self.grid(target)
        for name, value in values.items():
            if name == "geometry":
                self.frames["grids"].loc[fid, "geometry"] = value
            else:
                self.frames["grids"].loc[fid, name] = value

    def add(self, layer: str, rows: list[dict], geoms: list | None = None) -> None:
        frame = self.frames[layer]
        start = int(frame.index.max()) + 1
        index = pd.RangeIndex(start, start + len(rows), name="fid")
        new = pd.DataFrame(rows, index=index)
        if geoms is not None:
            new = gpd.GeoDataFrame(new, geometry=geoms, crs=4549)
        combined = pd.concat([frame, new])
        if geoms is not None:
            combined = gpd.GeoDataFrame(combined, geometry="geometry", crs=4549)
        self.frames[layer] = combined

    def relink(self) -> District:
        """Store the links and totals the map gives (as ``gridgis link`` would).

        Computed here independently of GridGIS, with geopandas: a building belongs to
        the first grid (in frame order) that contains its centroid.
        """
        if self.frozen:
            return self
        f = self.frames
        grids, communities = f["grids"], f["communities"]
        for layer, points in (
            ("buildings", f["buildings"].geometry.centroid),
            ("facilities", f["facilities"].geometry),
        ):
            frame = f[layer]
            codes, fids, homes = [], [], []
            for p in points:
                inside = grids.index[grids.geometry.contains(p)]
                fids.append(inside[0] if len(inside) else -1)
                codes.append(grids.loc[inside[0], "code"] if len(inside) else None)
                home = communities.index[communities.geometry.contains(p)]
                homes.append(communities.loc[home[0], "code"] if len(home) else None)
            frame["grid_code"] = codes
            frame["_grid"] = fids
            frame["_community"] = homes
        b = f["buildings"]
        counted = b.copy()
        if "reg_households" in b.columns:
            # Registered buildings count their register, the others their figures.
            registered = b["reg_households"].notna()
            counted.loc[registered, "households"] = b["reg_households"][registered]
            counted.loc[registered, "population"] = b["reg_population"][registered]
        for name in ("households", "population"):
            per_grid = counted.groupby("_grid")[name].sum()
            grids[name] = grids.index.map(per_grid).fillna(0).astype(int)
            per_community = counted.groupby("_community")[name].sum()
            communities[name] = (
                communities["code"].map(per_community).fillna(0).astype(int)
            )
            per_street = communities.groupby("street_code")[name].sum()
            f["streets"][name] = (
                f["streets"]["code"].map(per_street).fillna(0).astype(int)
            )
        f["buildings"] = b.drop(columns=["_community", "_grid"])
        f["facilities"] = f["facilities"].drop(columns=["_community", "_grid"])
        return self


def clean_district() -> District:
    """The district with every check green."""
    streets = _geo([{"code": STREET, "name": "东园街道"}], [rect(0, 0, 400, 200)])
    communities = _geo(
        [
            {"code": C1, "name": "幸福里社区", "street_code": STREET},
            {"code": C2, "name": "新华社区", "street_code": STREET},
        ],
        [rect(0, 0, 200, 200), rect(200, 0, 200, 200)],
    )
    grids = _geo(
        [
            {"code": code, "name": f"幸福里第{k + 1}网格", "community_code": C1,
             "kind": "residential", "ab_partner": PARTNER[code],
             "min_households": pd.NA, "max_households": pd.NA}
            for k, code in enumerate(GRIDS)
        ],
        [rect(x, y, 100, 100) for x, y in GRIDS.values()],
    )  # fmt: skip
    grids["min_households"] = grids["min_households"].astype("Int64")
    grids["max_households"] = grids["max_households"].astype("Int64")
    rows, geoms = [], []
    for spots in BUILDINGS.values():
        for x, y in spots:
            rows.append({"id": f"B{len(rows) + 1:03d}", "households": 100,
                         "population": 260})  # fmt: skip
            geoms.append(rect(x, y, 10, 10))
    rows.append({"id": "B900", "households": 50, "population": 120})
    geoms.append(rect(300, 100, 10, 10))
    buildings = _geo(rows, geoms)
    facilities = _geo(
        [{"id": f"F{k + 1}", "name": "服务站", "category": "service_station"}
         for k in range(len(FACILITIES))],
        [at(*xy) for xy in FACILITIES.values()],
    )  # fmt: skip
    roads = _geo(
        [
            {"id": "R1", "name": "人民路", "class": "arterial"},
            {"id": "R2", "name": "建设路", "class": "secondary"},
            {"id": "R3", "name": "桃花路", "class": "local"},
            {"id": "R4", "name": "杏林路", "class": "local"},
        ],
        [line((0, 0), (400, 0)), line((200, 0), (200, 200)),
         line((0, 100), (200, 100)), line((100, 0), (100, 200))],
    )  # fmt: skip
    overlays = _geo(
        [
            {"id": "O1", "kind": "police", "name": "东园警务区"},
            {"id": "O2", "kind": "school", "name": "实验小学学区"},
            {"id": "O3", "kind": "school", "name": "育才小学学区"},
        ],
        [rect(0, 0, 400, 200), rect(0, 0, 200, 200), rect(200, 0, 200, 200)],
    )
    people, posts = [], []
    for k, code in enumerate(GRIDS):
        leader, worker = f"S{2 * k + 1:02d}", f"S{2 * k + 2:02d}"
        for sid in (leader, worker):
            people.append({"id": sid, "name": f"张{'一二三四五六七八'[len(people)]}",
                           "phone": f"139{len(people) + 1:08d}"})  # fmt: skip
        posts.append({"staff_id": leader, "grid_code": code, "role": "grid_leader",
                      "is_backup": False})  # fmt: skip
        posts.append({"staff_id": worker, "grid_code": code, "role": "full_time",
                      "is_backup": False})  # fmt: skip
        posts.append({"staff_id": worker, "grid_code": PARTNER[code],
                      "role": "full_time", "is_backup": True})  # fmt: skip
    staff = pd.DataFrame(people, index=pd.RangeIndex(1, len(people) + 1, name="fid"))
    assignments = pd.DataFrame(
        posts, index=pd.RangeIndex(1, len(posts) + 1, name="fid")
    )
    district = District(
        {
            "streets": streets,
            "communities": communities,
            "grids": grids,
            "buildings": buildings,
            "facilities": facilities,
            "roads": roads,
            "overlays": overlays,
            "staff": staff,
            "assignments": assignments,
        }
    )
    return district.relink()


def rule_counts(issues) -> dict[str, int]:
    counts: dict[str, int] = {}
    for issue in issues:
        counts[issue.rule] = counts.get(issue.rule, 0) + 1
    return counts


__all__ = ["District", "clean_district", "np"]
