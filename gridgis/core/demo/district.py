"""The demo district: a deterministic, realistic district to show and test GridGIS.

Three streets, twelve communities, arterial and local roads, about 3,000 buildings with
floors, households and population, about 150 facilities, about 250 staff with portraits,
police precincts and school districts. Five communities already have grids — with four
deliberate faults for the validator to find (a gap, an overlap, an over-full grid, a grid
without a leader) — and seven have none, for a planner to divide.

Geometry is built in a flat "plan" (metres, 4 × 3 km, roads on a 5 m lattice) where
blocks come from polygonising the road network, then bent by one smooth deformation and
moved into CGCS2000 / 3-degree GK CM 120E. Shared boundaries keep identical vertices
through the deformation, so neighbouring grids meet exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from gridgis.core import codes as codes_mod
from gridgis.core.definitions import (
    BuildingUse,
    OverlayKind,
    RoadClass,
)
from gridgis.core.demo import names as N
from gridgis.core.i18n import Text
from gridgis.core.settings import Settings

#: Default seed of the shipped demo district.
DEFAULT_SEED = 2024
#: Stored CRS: CGCS2000 / 3-degree Gauss-Kruger CM 120E.
EPSG = 4549
#: County code of the (fictional) demo district.
COUNTY = "320599"
#: Plan origin in the stored CRS (near 120.62°E, 31.28°N).
ORIGIN = (558_000.0, 3_462_000.0)

STEP = 5.0
COLS, ROWS, CELL = 4, 3, 1000.0
WIDTH, HEIGHT = COLS * CELL, ROWS * CELL
#: Communities (column, row) that already have grids; row 0 is the south.
DRAWN = ((0, 2), (1, 2), (2, 2), (1, 0), (3, 0))
#: Street of each row of communities (north to south).
STREET_OF_ROW = {2: 0, 1: 1, 0: 2}

ARTERIAL_SETBACK, LOCAL_SETBACK, EDGE_SETBACK = 24.0, 14.0, 10.0
BAND = (300, 500)


@dataclass(frozen=True)
class SeededFault:
    """A fault the demo puts in on purpose, for the validator to find."""

    kind: str
    codes: tuple[str, ...]
    description: Text

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description."""
        return {
            "kind": self.kind,
            "codes": list(self.codes),
            "zh": self.description.zh,
            "en": self.description.en,
        }


@dataclass
class Demo:
    """The generated district: layer frames, settings and the faults put in."""

    layers: dict[str, pd.DataFrame]
    settings: Settings
    faults: list[SeededFault] = field(default_factory=list)


# ---------------------------------------------------------------------------------
# Geometry helpers
# ---------------------------------------------------------------------------------


def _snap(value: float) -> float:
    return float(round(value / STEP) * STEP)


def _axis_line(fixed: float, start: float, stop: float, vertical: bool) -> LineString:
    """A straight line on the lattice with a vertex every STEP metres."""
    t = np.arange(_snap(start), _snap(stop) + STEP / 2, STEP)
    f = np.full_like(t, fixed)
    return LineString(np.column_stack([f, t] if vertical else [t, f]))


def _smooth_noise(
    rng: np.random.Generator, length: float, amplitude: float
) -> Callable:
    k1, k2 = rng.integers(1, 4), rng.integers(3, 7)
    p1, p2 = rng.uniform(0, 2 * math.pi, 2)

    def noise(t: np.ndarray) -> np.ndarray:
        envelope = np.sin(math.pi * t / length)
        wave = 0.7 * np.sin(2 * math.pi * k1 * t / length + p1) + 0.3 * np.sin(
            2 * math.pi * k2 * t / length + p2
        )
        return amplitude * envelope * wave

    return noise


def _district_outline(rng: np.random.Generator) -> Polygon:
    """An irregular outline around the 4 × 3 km plan; corners stay put."""
    nb, nr, nt, nl = (
        _smooth_noise(rng, WIDTH, 70),
        _smooth_noise(rng, HEIGHT, 60),
        _smooth_noise(rng, WIDTH, 80),
        _smooth_noise(rng, HEIGHT, 60),
    )
    xs = np.arange(0, WIDTH, STEP)
    ys = np.arange(0, HEIGHT, STEP)
    bottom = np.column_stack([xs, nb(xs)])
    right = np.column_stack([WIDTH + nr(ys), ys])
    top = np.column_stack([WIDTH - xs, HEIGHT + nt(WIDTH - xs)])
    left = np.column_stack([nl(HEIGHT - ys), HEIGHT - ys])
    ring = np.vstack([bottom, right, top, left])
    return Polygon(ring)


def _deformation(rng: np.random.Generator) -> Callable[[np.ndarray], np.ndarray]:
    """A smooth bend of the plan, then the move into the stored CRS."""
    p = rng.uniform(0, 2 * math.pi, 4)

    def deform(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        dx = 45 * np.sin(2 * math.pi * y / 2600 + p[0]) + 18 * np.sin(
            2 * math.pi * (x + y) / 1500 + p[1]
        )
        dy = 40 * np.sin(2 * math.pi * x / 3100 + p[2]) + 15 * np.sin(
            2 * math.pi * (x - y) / 1700 + p[3]
        )
        return np.column_stack([ORIGIN[0] + x + dx, ORIGIN[1] + y + dy])

    return deform


# ---------------------------------------------------------------------------------
# Buildings
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Template:
    use: BuildingUse
    width: tuple[float, ...]
    depth: float
    gap_x: float
    gap_y: float
    floors: tuple[int, int]
    units_per_floor: Callable[[float], int]
    keep: float


TEMPLATES = {
    "slab": _Template(BuildingUse.RESIDENTIAL, (36, 42, 48), 12, 16, 30, (5, 7),
                      lambda w: 2 * int(w // 18), 0.8),
    "midrise": _Template(BuildingUse.RESIDENTIAL, (40, 48), 14, 20, 36, (9, 12),
                         lambda w: 2 * int(w // 20), 0.75),
    "tower": _Template(BuildingUse.RESIDENTIAL, (22,), 20, 34, 40, (14, 26),
                       lambda w: 2, 0.75),
    "villa": _Template(BuildingUse.RESIDENTIAL, (14,), 12, 18, 20, (2, 3),
                       lambda w: 0, 0.7),
    "shops": _Template(BuildingUse.MIXED, (30, 36), 16, 14, 24, (3, 5),
                       lambda w: 1, 0.85),
    "offices": _Template(BuildingUse.OFFICE, (30, 40), 22, 20, 30, (6, 15),
                         lambda w: 0, 0.75),
}  # fmt: skip

PROFILES = {
    "old": {"slab": 0.75, "shops": 0.15, "villa": 0.10},
    "new": {"midrise": 0.45, "tower": 0.30, "slab": 0.15, "offices": 0.10},
    "mixed": {
        "slab": 0.45,
        "villa": 0.15,
        "shops": 0.20,
        "tower": 0.10,
        "offices": 0.10,
    },
}


@dataclass
class _Building:
    geom: Polygon
    use: BuildingUse
    floors: int
    households: int
    row: int
    block: int


def _fill_block(
    rng: np.random.Generator, inner: BaseGeometry, template: _Template, block: int
) -> list[_Building]:
    """Rows of buildings from the north edge of ``inner`` down, kept fully inside."""
    if inner.is_empty:
        return []
    minx, miny, maxx, maxy = inner.bounds
    width = float(rng.choice(template.width))
    depth = template.depth
    pitch_x, pitch_y = width + template.gap_x, depth + template.gap_y
    offset_x = rng.uniform(0, template.gap_x)
    xs = np.arange(minx + offset_x, maxx - width + 1e-9, pitch_x)
    ys = np.arange(maxy - depth, miny - 1e-9, -pitch_y)
    if len(xs) == 0 or len(ys) == 0:
        return []
    gx, gy = np.meshgrid(xs, ys)
    rows = np.repeat(np.arange(len(ys)), len(xs))
    rects = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + width, gy.ravel() + depth)
    inside = shapely.contains(inner, rects)
    keep = inside & (rng.random(len(rects)) < template.keep)
    out = []
    for rect, row in zip(rects[keep], rows[keep], strict=True):
        floors = int(rng.integers(template.floors[0], template.floors[1] + 1))
        units = template.units_per_floor(width)
        if template.use is BuildingUse.RESIDENTIAL and units == 0:
            households = int(rng.integers(1, 3))
        else:
            households = floors * units
        if template.use is BuildingUse.MIXED:
            households = (floors - 1) * 2
        out.append(_Building(rect, template.use, floors, households, int(row), block))
    return out


# ---------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------


class _Generator:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.names = N.NamePool(self.rng)
        self.deform = _deformation(self.rng)

    # -- plan geometry -----------------------------------------------------------

    def road_network(self) -> None:
        rng = self.rng
        self.outline = _district_outline(rng)
        roads: list[dict[str, Any]] = []
        for k, x in enumerate((1000.0, 2000.0, 3000.0)):
            roads.append(
                {"line": _axis_line(x, -200, HEIGHT + 200, True),
                 "class": RoadClass.ARTERIAL, "name": N.ARTERIAL_NAMES[k]}
            )  # fmt: skip
        for k, y in enumerate((1000.0, 2000.0)):
            roads.append(
                {"line": _axis_line(y, -200, WIDTH + 200, False),
                 "class": RoadClass.ARTERIAL, "name": N.ARTERIAL_NAMES[3 + k]}
            )  # fmt: skip
        for c in range(COLS):
            for r in range(ROWS):
                roads += self._local_roads(c, r)
        for road in roads:
            clipped = road["line"].intersection(self.outline)
            road["line"] = (
                shapely.line_merge(clipped) if not clipped.is_empty else clipped
            )
        self.roads = [r for r in roads if not r["line"].is_empty]

    def _local_roads(self, c: int, r: int) -> list[dict[str, Any]]:
        rng = self.rng
        x0, x1 = c * CELL, (c + 1) * CELL
        y0, y1 = r * CELL, (r + 1) * CELL
        lo_x = -200 if c == 0 else x0
        hi_x = WIDTH + 200 if c == COLS - 1 else x1
        lo_y = -200 if r == 0 else y0
        hi_y = HEIGHT + 200 if r == ROWS - 1 else y1
        n_v, n_h = int(rng.integers(2, 4)), int(rng.integers(2, 4))
        xs = [
            _snap(x0 + CELL * (i + 1) / (n_v + 1) + rng.uniform(-50, 50))
            for i in range(n_v)
        ]
        ys = [
            _snap(y0 + CELL * (j + 1) / (n_h + 1) + rng.uniform(-50, 50))
            for j in range(n_h)
        ]
        out = []
        for i, x in enumerate(xs):
            out.append(
                {"line": _axis_line(x, lo_y, hi_y, True),
                 "class": RoadClass.SECONDARY if i == 0 else RoadClass.LOCAL,
                 "name": self.names.place(("路", "街"))}
            )  # fmt: skip
        stops = [lo_x, *xs, hi_x]
        for y in ys:
            present = rng.random(len(stops) - 1) < 0.75
            start = None
            name = self.names.place(("路", "街", "巷"))
            for k in range(len(stops) - 1):
                if present[k] and start is None:
                    start = stops[k]
                if (not present[k] or k == len(stops) - 2) and start is not None:
                    stop = stops[k + 1] if present[k] else stops[k]
                    if stop > start:
                        out.append(
                            {"line": _axis_line(y, start, stop, False),
                             "class": RoadClass.LOCAL, "name": name}
                        )  # fmt: skip
                    start = None
        return out

    def blocks_and_communities(self) -> None:
        lines = [self.outline.exterior] + [r["line"] for r in self.roads]
        noded = shapely.union_all(lines)
        faces = list(shapely.get_parts(shapely.polygonize([noded])))
        faces = [f for f in faces if self.outline.contains(f.representative_point())]
        cells = []
        for f in faces:
            p = f.representative_point()
            c = min(COLS - 1, max(0, int(p.x // CELL)))
            r = min(ROWS - 1, max(0, int(p.y // CELL)))
            cells.append((c, r))
        order = codes_mod.reading_order(np.asarray(faces, dtype=object))
        self.blocks = [faces[i] for i in order]
        self.block_cell = [cells[i] for i in order]
        self.community_cells = sorted(
            set(self.block_cell), key=lambda cr: (-cr[1], cr[0])
        )

    def _setback_zone(self) -> BaseGeometry:
        arterial = [r["line"] for r in self.roads if r["class"] is RoadClass.ARTERIAL]
        local = [r["line"] for r in self.roads if r["class"] is not RoadClass.ARTERIAL]
        return shapely.union_all(
            [
                shapely.buffer(shapely.union_all(arterial), ARTERIAL_SETBACK),
                shapely.buffer(shapely.union_all(local), LOCAL_SETBACK),
                shapely.buffer(self.outline.exterior, EDGE_SETBACK),
            ]
        )

    def land_use(self) -> None:
        """Profiles per community; campuses and parks among the blocks."""
        rng = self.rng
        profile_names = list(PROFILES)
        self.profile = {
            cell: profile_names[int(rng.integers(len(profile_names)))]
            for cell in self.community_cells
        }
        areas = np.array([b.area for b in self.blocks])
        self.block_kind: list[str] = ["estate"] * len(self.blocks)
        campus_kinds = ["school"] * 6 + ["hospital"] * 2
        candidates = [i for i, a in enumerate(areas) if 25_000 <= a <= 120_000]
        rng.shuffle(candidates)
        used_cells: dict[tuple[int, int], int] = {}
        for kind in campus_kinds:
            for i in candidates:
                cell = self.block_cell[i]
                if self.block_kind[i] == "estate" and used_cells.get(cell, 0) < 1:
                    self.block_kind[i] = kind
                    used_cells[cell] = used_cells.get(cell, 0) + 1
                    break
        for cell in self.community_cells:
            small = [
                i for i, c in enumerate(self.block_cell)
                if c == cell and self.block_kind[i] == "estate" and areas[i] < 40_000
            ]  # fmt: skip
            if small and rng.random() < 0.8:
                self.block_kind[small[int(rng.integers(len(small)))]] = "park"

    def buildings(self) -> None:
        rng = self.rng
        zone = self._setback_zone()
        self.setback_zone = zone
        self.inner = [b.difference(zone) for b in self.blocks]
        out: list[_Building] = []
        for i, inner in enumerate(self.inner):
            kind = self.block_kind[i]
            if kind == "park":
                continue
            if kind in ("school", "hospital"):
                out += self._campus(i, inner, kind)
                continue
            weights = PROFILES[self.profile[self.block_cell[i]]]
            choice = rng.choice(list(weights), p=np.array(list(weights.values())))
            out += _fill_block(rng, inner, TEMPLATES[str(choice)], i)
        self.building_list = out

    def _campus(self, block: int, inner: BaseGeometry, kind: str) -> list[_Building]:
        rng = self.rng
        use = BuildingUse.EDUCATION if kind == "school" else BuildingUse.MEDICAL
        template = _Template(use, (50, 60), 18, 30, 40, (3, 6) if kind == "school"
                             else (5, 12), lambda w: 0, 0.7)  # fmt: skip
        buildings = _fill_block(rng, inner, template, block)
        return buildings[:8]

    # -- attributes ---------------------------------------------------------------

    def community_table(self) -> None:
        street_names = N.STREET_NAMES
        self.street_codes = [f"{COUNTY}{k + 1:03d}" for k in range(len(street_names))]
        per_street: dict[int, int] = {}
        self.community_code: dict[tuple[int, int], str] = {}
        self.community_name: dict[tuple[int, int], str] = {}
        self.community_street: dict[tuple[int, int], int] = {}
        for k, cell in enumerate(self.community_cells):
            street = STREET_OF_ROW[cell[1]]
            per_street[street] = per_street.get(street, 0) + 1
            self.community_code[cell] = (
                f"{self.street_codes[street]}{per_street[street]:03d}"
            )
            self.community_name[cell] = N.COMMUNITY_NAMES[k]
            self.community_street[cell] = street

    def overlays(self) -> list[dict[str, Any]]:
        """Police precincts and school districts (blocks nearest each school).

        One precinct boundary runs through the middle row of communities, along roads.
        """
        rows = []
        precinct_of = []
        for b in self.blocks:
            p = b.representative_point()
            precinct_of.append((1 if p.x >= 2000 else 0) + (2 if p.y < 1500 else 0))
        self.block_precinct = precinct_of
        precinct_names = ("东园派出所第一警务区", "东园派出所第二警务区",
                          "南湖派出所第一警务区", "南湖派出所第二警务区")  # fmt: skip
        for k, name in enumerate(precinct_names):
            parts = [b for b, p in zip(self.blocks, precinct_of, strict=True) if p == k]
            rows.append({"kind": OverlayKind.POLICE, "name": name,
                         "geom": shapely.union_all(parts)})  # fmt: skip
        schools = [i for i, k in enumerate(self.block_kind) if k == "school"]
        centres = np.array([[b.centroid.x, b.centroid.y] for b in self.blocks])
        school_of = []
        for i in range(len(self.blocks)):
            d = [np.hypot(*(centres[i] - centres[s])) for s in schools]
            school_of.append(int(np.argmin(d)))
        self.block_school = school_of
        self.school_names = [
            N.SCHOOL_NAMES[k % len(N.SCHOOL_NAMES)] for k in range(len(schools))
        ]
        for k, name in enumerate(self.school_names):
            parts = [b for b, s in zip(self.blocks, school_of, strict=True) if s == k]
            rows.append({"kind": OverlayKind.SCHOOL, "name": f"{name}学区",
                         "geom": shapely.union_all(parts)})  # fmt: skip
        return rows

    # -- grids of the drawn communities ---------------------------------------------------

    def _split_block(
        self, i: int, members: list[int]
    ) -> list[tuple[Polygon, list[int]]]:
        """Cut an over-full block between rows of buildings into band-sized strips."""
        bl = self.building_list
        total = sum(bl[m].households for m in members)
        parts = math.ceil(total / 440)
        rows = sorted({bl[m].row for m in members})
        if parts <= 1 or len(rows) < 2:
            return [(self.blocks[i], members)]
        row_hh = {
            r: sum(bl[m].households for m in members if bl[m].row == r) for r in rows
        }
        cumulative = np.cumsum([row_hh[r] for r in rows])
        cuts = []
        for j in range(1, parts):
            k = int(np.argmin(np.abs(cumulative[:-1] - j * total / parts)))
            if k not in cuts:
                cuts.append(k)
        block = self.blocks[i]
        minx, _, maxx, _ = block.bounds
        lines = [block.exterior]
        for k in sorted(cuts):
            upper = [bl[m].geom.bounds[1] for m in members if bl[m].row == rows[k]]
            lower = [bl[m].geom.bounds[3] for m in members if bl[m].row == rows[k + 1]]
            y = _snap((min(upper) + max(lower)) / 2)
            lines.append(_axis_line(y, minx - 10, maxx + 10, False).intersection(block))
        pieces = list(shapely.get_parts(shapely.polygonize([shapely.union_all(lines)])))
        out = []
        for piece in pieces:
            inside = [m for m in members if piece.contains(bl[m].geom.centroid)]
            out.append((piece, inside))
        return out

    def drawn_grids(self) -> list[dict[str, Any]]:
        rng = self.rng
        bl = self.building_list
        by_block: dict[int, list[int]] = {}
        for k, b in enumerate(bl):
            by_block.setdefault(b.block, []).append(k)
        grids = []
        for cell in DRAWN:
            pieces: list[dict[str, Any]] = []
            for i, c in enumerate(self.block_cell):
                if c != cell:
                    continue
                members = by_block.get(i, [])
                meta = {
                    "precinct": self.block_precinct[i],
                    "school": self.block_school[i],
                }
                if self.block_kind[i] in ("school", "hospital"):
                    pieces.append({"geom": self.blocks[i], "members": members,
                                   "unit": self.block_kind[i], **meta})  # fmt: skip
                    continue
                for geom, inside in self._split_block(i, members):
                    pieces.append(
                        {"geom": geom, "members": inside, "unit": None, **meta}
                    )
            pieces = self._merge_small(pieces)
            for piece in pieces:
                grids.append({"cell": cell, **piece})
        self._calibrate(grids, rng)
        return grids

    def _households(self, piece: dict[str, Any]) -> int:
        return sum(self.building_list[m].households for m in piece["members"])

    def _merge_small(self, pieces: list[dict[str, Any]]) -> list[dict[str, Any]]:
        low = BAND[0]
        while True:
            residential = [p for p in pieces if p["unit"] is None]
            small = sorted(
                (p for p in residential if self._households(p) < low),
                key=self._households,
            )
            merged = False
            for p in small:
                best, best_hh = None, None
                for q in residential:
                    if q is p or (q["precinct"], q["school"]) != (
                        p["precinct"],
                        p["school"],
                    ):
                        continue
                    shared = p["geom"].boundary.intersection(q["geom"].boundary).length
                    if shared < 20:
                        continue
                    hh = self._households(p) + self._households(q)
                    if best_hh is None or abs(hh - 400) < abs(best_hh - 400):
                        best, best_hh = q, hh
                if best is not None and best_hh is not None and best_hh <= 560:
                    union = shapely.union_all([p["geom"], best["geom"]])
                    if union.geom_type != "Polygon":
                        continue
                    best["geom"] = union
                    best["members"] = best["members"] + p["members"]
                    pieces.remove(p)
                    merged = True
                    break
            if not merged:
                return pieces

    def _calibrate(self, grids: list[dict[str, Any]], rng: np.random.Generator) -> None:
        """Scale homes so that every drawn residential grid sits inside the band."""
        bl = self.building_list
        for g in grids:
            if g["unit"] is not None:
                continue
            homes = [m for m in g["members"] if bl[m].households > 0]
            total = sum(bl[m].households for m in homes)
            if BAND[0] + 20 <= total <= BAND[1] - 20 or not homes:
                continue
            target = rng.uniform(BAND[0] + 40, BAND[1] - 40)
            for m in homes:
                bl[m].households = max(1, round(bl[m].households * target / total))

    # -- assembling --------------------------------------------------------------------

    def bend(self, geoms: Sequence[BaseGeometry]) -> np.ndarray:
        """Deform plan geometries into the stored CRS."""
        return shapely.transform(np.asarray(geoms, dtype=object), self.deform)


def generate(seed: int = DEFAULT_SEED) -> Demo:
    """Generate the demo district for ``seed`` (the same seed gives the same district)."""
    gen = _Generator(seed)
    gen.road_network()
    gen.blocks_and_communities()
    gen.land_use()
    gen.buildings()
    gen.community_table()
    overlay_rows = gen.overlays()
    grid_rows = gen.drawn_grids()
    return _assemble(gen, overlay_rows, grid_rows)


def _assemble(
    gen: _Generator, overlay_rows: list[dict[str, Any]], grid_rows: list[dict[str, Any]]
) -> Demo:
    from gridgis.core.demo.assemble import assemble

    return assemble(gen, overlay_rows, grid_rows)
