"""Regions: blocks grouped, and cut between buildings, into grids inside the band.

The blocks of a community and the length of boundary each pair shares form a graph.
A connected part of it that must become ``k`` grids is cut in two, recursively, until
every part is one grid: a part that becomes ``k_a`` grids grows from one edge of the
region, block by neighbouring block in the direction of a sweep, and stops where its
households reach ``k_a / k`` of the total. Where that point falls on a road (between
two blocks) the cut follows the road; where it falls inside a block, the block is cut
between its buildings. Every cut keeps both sides connected and within the households
that ``k_a`` and ``k - k_a`` grids can hold, so the last cuts always land inside the
band when the band can be met at all. Among the cuts found for a dozen sweep directions
the one chosen balances the sides best, runs on roads and leaves compact shapes.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from gridgis.core.divide.blocks import (
    MIN_SHARED,
    SHARED_GRID,
    BuildingSet,
    dominant_orientation,
    split_segments,
)
from gridgis.core.divide.split import (
    Cells,
    GapTable,
    building_cells,
    clip_segments,
    cut_cells,
    cut_straight,
    gap_table,
    gaps,
    insert_vertices,
    line_segments,
    segment_length,
    simple_cut,
    solid,
)
from gridgis.core.progress import Feedback, check

#: Weights of a cut's score: households off the ideal share, households near the band's
#: edges, share of the cut that is not on a road, and the less compact side's shape.
W_BALANCE, W_EDGE, W_ROAD, W_SHAPE = 1.0, 2.0, 1.5, 3.0
#: Sweep directions tried for every cut, besides the buildings' own axes.
SWEEPS = 8
#: Road cuts and block cuts kept per sweep direction and side size.
KEEP_ROAD, KEEP_SPLIT = 3, 1
#: Slack a side still to be divided keeps inside the band (share of the band's width).
SLACK = 0.1
#: Cuts along Voronoi cells tried per search for a cut (each takes milliseconds).
CELL_BUDGET = 8
#: Cuts along the cells tried for one piece in one search.
CELL_TRIES = 6
#: The last search for a cut along the cells before the band is given up; it also
#: grows parts around this many buildings spread over the piece.
THOROUGH, SEEDS = "thorough", 32
#: A piece of at most this many buildings gets a diagram of its own (exact midlines
#: between its buildings, in a few milliseconds); a larger one takes its cells from
#: the piece it was cut from.
OWN_CELLS = 128
#: Side sizes tried one by one when balanced sides fail; above that, a factor apart.
SIZES_ALL, SIZES_STEP = 4, 1.25
#: Length (m) of the pieces of boundary sampled to weigh a cut being considered.
SAMPLE = 6.0

Edge = tuple[float, float]  # shared length, of which on roads


def area_moments(geom: BaseGeometry, origin: np.ndarray) -> np.ndarray:
    """Area, first and second moments of area of a polygon about ``origin``.

    ``[A, ∫x, ∫y, ∫x², ∫y², ∫xy]``; they add up over pieces, so the elongation of
    any group of pieces follows without building its geometry.
    """
    out = np.zeros(6)
    for polygon in shapely.get_parts(geom):
        if polygon.geom_type != "Polygon":
            continue
        for k, ring in enumerate([polygon.exterior, *polygon.interiors]):
            c = np.asarray(ring.coords)[:, :2] - origin
            x0, y0 = c[:-1, 0], c[:-1, 1]
            x1, y1 = c[1:, 0], c[1:, 1]
            cross = x0 * y1 - x1 * y0
            m = np.array(
                [
                    cross.sum() / 2,
                    ((x0 + x1) * cross).sum() / 6,
                    ((y0 + y1) * cross).sum() / 6,
                    ((x0 * x0 + x0 * x1 + x1 * x1) * cross).sum() / 12,
                    ((y0 * y0 + y0 * y1 + y1 * y1) * cross).sum() / 12,
                    ((x0 * y1 + 2 * x0 * y0 + 2 * x1 * y1 + x1 * y0) * cross).sum()
                    / 24,
                ]
            )
            if m[0] < 0:
                m = -m
            out += m if k == 0 else -m
    return out


def _rectangle_compactness(aspect: float) -> float:
    return math.pi * aspect / (1 + aspect) ** 2


def child_compactness(
    area: float, perimeter: float, k: int, moments: np.ndarray
) -> float:
    """Expected Polsby–Popper compactness of the ``k`` grids a shape will become.

    The shape's elongation ``r`` comes from its second moments of area (a rectangle
    of sides ``a ≥ b`` has ``r = a / b``); what its compactness falls short of a
    rectangle's of the same elongation is irregularity, which its parts inherit. Cut
    into ``k`` across its length, the parts have elongation ``max(r / k, k / r)``.
    """
    if area <= 0 or moments[0] <= 0:
        return 0.0
    a = moments[0]
    cx, cy = moments[1] / a, moments[2] / a
    cxx = moments[3] / a - cx * cx
    cyy = moments[4] / a - cy * cy
    cxy = moments[5] / a - cx * cy
    half = (cxx + cyy) / 2
    spread = math.sqrt(max(half * half - (cxx * cyy - cxy * cxy), 0.0))
    major, minor = half + spread, max(half - spread, 1e-12)
    aspect = math.sqrt(max(major / minor, 1.0))
    pp = 4 * math.pi * area / max(perimeter, 1e-9) ** 2
    irregular = min(1.0, pp / _rectangle_compactness(aspect))
    child = max(aspect / k, k / aspect) if k > 1 else aspect
    return irregular * _rectangle_compactness(child)


def side_sizes(k: int) -> list[int]:
    """Sizes (in grids) of the smaller side tried when a balanced cut fails, and the rest.

    Every size up to :data:`SIZES_ALL`, then about :data:`SIZES_STEP` times apart
    (a side of many grids has a wide window of households, which its neighbouring
    sizes share), each with its complement: about log k sizes, not k.
    """
    small = set(range(1, min(SIZES_ALL, k - 1) + 1))
    n = float(SIZES_ALL)
    while n * SIZES_STEP < k / 2:
        n *= SIZES_STEP
        small.add(round(n))
    sizes = small | {k - n for n in small}
    return sorted(n for n in sizes if 1 <= n <= k - 1)


@dataclass
class Piece:
    """A block or a part of a block cut between buildings."""

    geom: BaseGeometry
    members: np.ndarray
    households: int
    zone: int
    area: float
    perimeter: float
    centroid: np.ndarray
    #: The block the piece was cut from.
    block: int = -1
    #: Part of its boundary follows the midlines between buildings (Voronoi cut).
    cells: bool = False
    #: Area moments about the partition's origin (see :func:`area_moments`).
    moments: np.ndarray = field(default_factory=lambda: np.zeros(6))
    alive: bool = True


@dataclass
class _Part:
    """One side of a block cut being considered (not yet in the graph)."""

    geom: BaseGeometry
    members: np.ndarray
    households: int
    area: float
    perimeter: float
    adj: dict[int, Edge]
    moments: np.ndarray
    #: Cut along Voronoi cells rather than a straight line.
    cells: bool = False
    #: Boundary shared with each neighbour, as segments (straight cuts only).
    lines: dict[int, np.ndarray] | None = None
    #: Whether ``adj`` was measured on the geometry (else sampled, see
    #: :meth:`Partition._adjacent_sampled`).
    measured: bool = True


@dataclass
class _Candidate:
    a: list[int]
    b: list[int]
    k_a: int
    households_a: int
    score: float = math.inf
    split: tuple[int, _Part, _Part, float] | None = None  # piece, part a, part b, cut


@dataclass
class Partition:
    """The piece graph of one community and the cuts made in it."""

    buildings: BuildingSet
    pieces: list[Piece] = field(default_factory=list)
    adj: list[dict[int, Edge]] = field(default_factory=list)
    feedback: Feedback | None = None
    lines: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)
    _split_cache: dict[int, dict[tuple[Any, ...], tuple[_Part, _Part] | None]] = field(
        default_factory=dict, repr=False
    )
    #: Origin of the area moments (the first piece's centroid).
    origin: np.ndarray | None = None
    #: Per piece: its buildings' cells (see :func:`building_cells`).
    _cells: dict[int, Cells | None] = field(default_factory=dict, repr=False)
    #: Per piece cut from another: that piece and which of its buildings it holds.
    _cut_from: dict[int, tuple[int, np.ndarray]] = field(
        default_factory=dict, repr=False
    )
    #: Cuts along Voronoi cells still allowed in the current search (they are slow).
    _cell_budget: int = field(default=0, repr=False)
    #: Per piece: its outline without tails (see :meth:`outline`), with the geometry
    #: it was drawn from.
    _outlines: dict[int, tuple[BaseGeometry, BaseGeometry]] = field(
        default_factory=dict, repr=False
    )
    #: Per piece: its buildings' axes (see :meth:`piece_angles`).
    _axes: dict[int, list[float]] = field(default_factory=dict, repr=False)
    #: Per piece and direction: the straight lines between its buildings.
    _gaps: dict[tuple[int, float], GapTable] = field(default_factory=dict, repr=False)

    # -- building the graph ---------------------------------------------------------

    def cells(self, x: int) -> Cells | None:
        """The cells of piece ``x``'s buildings inside it.

        A piece of more than :data:`OWN_CELLS` buildings cut from one that has its
        cells takes them from it (see :meth:`Cells.part`); otherwise its own
        diagram is made, once. So a building is in one diagram of more than
        :data:`OWN_CELLS` buildings at most, whatever the number of cuts: the
        diagrams take n log n time in all.
        """
        if x in self._cells:
            return self._cells[x]
        chain = [x]
        while chain[-1] not in self._cells and chain[-1] in self._cut_from:
            chain.append(self._cut_from[chain[-1]][0])
        if chain[-1] not in self._cells or len(self.pieces[x].members) <= OWN_CELLS:
            piece = self.pieces[x]
            self._cells[x] = building_cells(piece.geom, self.buildings, piece.members)
            return self._cells[x]
        for child in reversed(chain[:-1]):
            parent, mask = self._cut_from[child]
            cells = self._cells[parent]
            self._cells[child] = (
                None if cells is None else cells.part(mask, self.pieces[child].geom)
            )
        return self._cells[x]

    def add(
        self,
        geom: BaseGeometry,
        members: np.ndarray,
        zone: int = 0,
        block: int | None = None,
    ) -> int:
        """Add a piece (by default a block of its own); return its id."""
        members = np.asarray(members, dtype=np.int64)
        centroid = shapely.get_coordinates(shapely.centroid(geom))[0]
        if self.origin is None:
            self.origin = centroid.copy()
        self.pieces.append(
            Piece(
                geom=geom,
                members=members,
                households=int(self.buildings.households[members].sum()),
                zone=zone,
                area=float(geom.area),
                perimeter=float(geom.length),
                centroid=centroid,
                block=len(self.pieces) if block is None else block,
                moments=area_moments(geom, self.origin),
            )
        )
        self.adj.append({})
        return len(self.pieces) - 1

    def connect(
        self,
        i: int,
        j: int,
        length: float,
        road: float,
        segments: np.ndarray | None = None,
    ) -> None:
        """Record that pieces ``i`` and ``j`` share ``length`` m of boundary."""
        if length < MIN_SHARED or i == j:
            return
        self.adj[i][j] = (length, road)
        self.adj[j][i] = (length, road)
        if segments is not None:
            self.lines[(min(i, j), max(i, j))] = segments

    def neighbours(self, i: int) -> dict[int, Edge]:
        """The pieces sharing boundary with piece ``i``."""
        return self.adj[i]

    def households(self, ids: Iterable[int]) -> int:
        """Households in the pieces ``ids``."""
        return sum(self.pieces[i].households for i in ids)

    def components(self, ids: Iterable[int], same_zone: bool = True) -> list[list[int]]:
        """Connected groups of ``ids`` (only through pieces of one zone if asked)."""
        todo = set(ids)
        out = []
        while todo:
            start = min(todo)
            todo.discard(start)
            group, stack = [start], [start]
            while stack:
                p = stack.pop()
                for q in self.adj[p]:
                    if q in todo and (
                        not same_zone or self.pieces[q].zone == self.pieces[p].zone
                    ):
                        todo.discard(q)
                        group.append(q)
                        stack.append(q)
            out.append(sorted(group))
        return out

    # -- cutting a piece --------------------------------------------------------------

    def shared(self, i: int, j: int) -> np.ndarray:
        """The boundary pieces ``i`` and ``j`` share, as segments ``(n, 2, 2)``."""
        key = (min(i, j), max(i, j))
        if key not in self.lines:
            line = shapely.intersection(
                self.outline(i), self.outline(j), grid_size=SHARED_GRID
            )
            self.lines[key] = line_segments(line)
        return self.lines[key]

    def outline(self, i: int) -> BaseGeometry:
        """The boundary of piece ``i`` without tails of no width (see :func:`solid`).

        Drawn once per piece, again only when its geometry changes (a neighbour's
        cut adds vertices to it).
        """
        geom = self.pieces[i].geom
        known = self._outlines.get(i)
        if known is None or known[0] is not geom:
            known = (geom, shapely.boundary(solid(geom)))
            self._outlines[i] = known
        return known[1]

    def _part(
        self, x: int, geom: BaseGeometry, members: np.ndarray, adj: dict[int, Edge]
    ) -> _Part:
        assert self.origin is not None  # set by the first piece
        return _Part(
            geom=geom,
            members=members,
            households=int(self.buildings.households[members].sum()),
            area=float(geom.area),
            perimeter=float(geom.length),
            adj=adj,
            moments=area_moments(geom, self.origin),
        )

    def _cut(self, x: int, angle: float, position: float) -> tuple[_Part, _Part] | None:
        cache = self._split_cache.setdefault(x, {})
        key = (round(angle, 9), round(position, 6))
        if key in cache:
            return cache[key]
        piece = self.pieces[x]
        cut = cut_straight(piece.geom, angle, position)
        if cut is None:
            cache[key] = None
            return None
        u = np.array([math.cos(angle), math.sin(angle)])
        low = self.buildings.xy[piece.members] @ u <= position
        if not simple_cut(piece.geom, angle, position):
            # The parts do not lie wholly on their side of the line (bends, crumbs):
            # measure what each shares with the neighbours on the geometry itself.
            adj_a, adj_b = self._adjacent_sampled(x, cut[0])
            parts = (
                self._part(x, cut[0], piece.members[low], adj_a),
                self._part(x, cut[1], piece.members[~low], adj_b),
            )
            parts[0].measured = parts[1].measured = False
            cache[key] = parts
            return parts
        adj: tuple[dict[int, Edge], dict[int, Edge]] = ({}, {})
        lines: tuple[dict[int, np.ndarray], dict[int, np.ndarray]] = ({}, {})
        for q, (total, road) in self.adj[x].items():
            for side, segs in enumerate(
                clip_segments(self.shared(x, q), angle, position)
            ):
                length = segment_length(segs)
                if length >= MIN_SHARED:
                    adj[side][q] = (length, road * min(1.0, length / total))
                    lines[side][q] = segs
        parts = (
            self._part(x, cut[0], piece.members[low], adj[0]),
            self._part(x, cut[1], piece.members[~low], adj[1]),
        )
        parts[0].lines, parts[1].lines = lines
        cache[key] = parts
        return parts

    def _cut_cells(self, x: int, side_a: np.ndarray) -> tuple[_Part, _Part] | None:
        cache = self._split_cache.setdefault(x, {})
        key = ("cells", side_a.tobytes())
        if key not in cache:
            cache[key] = self._cut_cells_now(x, side_a)
        return cache[key]

    def _cells_split(
        self, x: int, side_a: np.ndarray
    ) -> tuple[tuple[BaseGeometry, BaseGeometry], np.ndarray] | None:
        """The geometry of a cut along the cells and which buildings side A holds.

        Buildings go with the part holding them (the cut may have moved a few).
        """
        cache = self._split_cache.setdefault(x, {})
        key = ("cell geometry", side_a.tobytes())
        if key not in cache:
            piece = self.pieces[x]
            found = None
            cut = cut_cells(piece.geom, self.cells(x), side_a)
            if cut is not None:
                shapely.prepare(cut[0])
                held = shapely.contains(cut[0], self.buildings.points[piece.members])
                if held.any() and not held.all():
                    found = (cut, held)
            cache[key] = found  # type: ignore[assignment]
        return cache[key]  # type: ignore[return-value]

    def _cells_households(self, x: int, side_a: np.ndarray) -> int | None:
        """Households side A of a cut along the cells holds (``None``: no cut)."""
        split = self._cells_split(x, side_a)
        if split is None:
            return None
        members = self.pieces[x].members[split[1]]
        return int(self.buildings.households[members].sum())

    def _cut_cells_now(self, x: int, side_a: np.ndarray) -> tuple[_Part, _Part] | None:
        piece = self.pieces[x]
        split = self._cells_split(x, side_a)
        if split is None:
            return None
        cut, side_a = split
        parts = []
        sides = self._adjacent_sampled(x, cut[0])
        for geom, mask, adj in zip(cut, (side_a, ~side_a), sides, strict=True):
            part = self._part(x, geom, piece.members[mask], adj)
            part.measured = False
            part.cells = True
            parts.append(part)
        return parts[0], parts[1]

    def _adjacent_sampled(
        self, x: int, geom: BaseGeometry
    ) -> tuple[dict[int, Edge], dict[int, Edge]]:
        """What a part of piece ``x``, and the rest of ``x``, share with its neighbours.

        The boundary ``x`` shares with each neighbour, in pieces of :data:`SAMPLE` m,
        counts where the part holds the piece's middle, and the rest where it does
        not: close enough to weigh a cut being considered; :meth:`apply_cut`
        measures the one made exactly. One test of the middles serves both sides.
        """
        adj: dict[int, Edge] = {}
        rest: dict[int, Edge] = {}
        near = list(self.adj[x])
        if not near:
            return adj, rest
        owner, middles, lengths = self._samples(x)
        if len(middles) == 0:
            return adj, rest
        shapely.prepare(geom)
        held = shapely.dwithin(geom, middles, 1e-3)
        for side, mask in ((adj, held), (rest, ~held)):
            shared = np.bincount(
                owner[mask], weights=lengths[mask], minlength=len(near)
            )
            for q, length in zip(near, shared, strict=True):
                if length >= MIN_SHARED:
                    total, road = self.adj[x][q]
                    side[q] = (float(length), road * min(1.0, length / total))
        return adj, rest

    def _samples(self, x: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The boundary piece ``x`` shares with its neighbours in :data:`SAMPLE` m bits.

        Per bit: which neighbour (position in ``self.adj[x]``), its middle point
        and its length.
        """
        cache = self._split_cache.setdefault(x, {})
        if ("samples",) not in cache:
            near = list(self.adj[x])
            segments = [split_segments(self.shared(x, q), SAMPLE) for q in near]
            counts = [len(seg) for seg in segments]
            flat = (
                np.concatenate([seg for seg in segments if len(seg)])
                if sum(counts)
                else np.empty((0, 2, 2))
            )
            cache[("samples",)] = (  # type: ignore[assignment]
                np.repeat(np.arange(len(near)), counts),
                shapely.points((flat[:, 0] + flat[:, 1]) / 2),
                np.hypot(*(flat[:, 1] - flat[:, 0]).T),
            )
        return cache[("samples",)]  # type: ignore[return-value]

    def _contacts(self, x: int) -> dict[int, np.ndarray]:
        """Per neighbour of piece ``x``: its buildings whose cells reach that neighbour.

        (Positions in ``x``'s members.) A cut along the cells keeps a part in
        touch with a neighbour only if the part holds one of these buildings.
        """
        cache = self._split_cache.setdefault(x, {})
        if ("contacts",) not in cache:
            out: dict[int, np.ndarray] = {}
            cells = self.cells(x)
            owner, middles, _ = self._samples(x)
            if cells is not None and len(middles):
                at, cell = cells.tree.query(middles, predicate="intersects")
                held = cells.owner[cell]
                at, held = at[held >= 0], held[held >= 0]
                near = list(self.adj[x])
                for k, q in enumerate(near):
                    out[q] = np.unique(held[owner[at] == k])
            cache[("contacts",)] = out  # type: ignore[assignment]
        return cache[("contacts",)]  # type: ignore[return-value]

    def _adjacent(self, x: int, geom: BaseGeometry) -> dict[int, Edge]:
        """What a part of piece ``x`` shares with ``x``'s neighbours, measured."""
        adj: dict[int, Edge] = {}
        near = list(self.adj[x])
        if near:
            others = np.asarray([self.pieces[q].geom for q in near], dtype=object)
            # Tails of no width (where a cut ran a hair inside an outline) are
            # not shared boundary: the outlines are measured without them.
            outline = shapely.boundary(solid(geom))
            outlines = np.asarray([self.outline(q) for q in near], dtype=object)
            shared = shapely.length(
                shapely.intersection(
                    outline,
                    outlines,
                    grid_size=SHARED_GRID,  # the cut's new vertices are not
                )  # in the neighbours yet
            )
            # Edges a hair apart (where a vertex could not be added on both
            # sides) are measured again on a coarser grid.
            loose = np.flatnonzero(
                (shared < MIN_SHARED) & shapely.dwithin(geom, others, 0.01)
            )
            if len(loose):
                shared[loose] = shapely.length(
                    shapely.intersection(
                        outline,
                        outlines[loose],
                        grid_size=0.05,
                    )
                )
            for q, length in zip(near, shared, strict=True):
                if length >= MIN_SHARED:
                    total, road = self.adj[x][q]
                    adj[q] = (float(length), road * min(1.0, length / total))
        return adj

    def apply_cut(self, x: int, part_a: _Part, part_b: _Part) -> tuple[int, int]:
        """Replace piece ``x`` by its two parts; return their ids."""
        zone, block = self.pieces[x].zone, self.pieces[x].block
        self.pieces[x].alive = False
        # Cuts worked out for x and its neighbours refer to x: forget them.
        for q in [x, *self.adj[x]]:
            self._split_cache.pop(q, None)
        # Vertices the cut put on x's edges go into the neighbours across them.
        known = {
            (float(a), float(b))
            for a, b in shapely.get_coordinates(self.pieces[x].geom)
        }
        fresh = np.asarray(
            [
                xy
                for part in (part_a, part_b)
                for xy in shapely.get_coordinates(part.geom)
                if (float(xy[0]), float(xy[1])) not in known
            ]
        ).reshape(-1, 2)
        for q in self.adj[x] if len(fresh) else ():
            piece = self.pieces[q]
            minx, miny, maxx, maxy = piece.geom.bounds
            near = (
                (fresh[:, 0] >= minx - 1e-6)
                & (fresh[:, 0] <= maxx + 1e-6)
                & (fresh[:, 1] >= miny - 1e-6)
                & (fresh[:, 1] <= maxy + 1e-6)
            )
            if near.any():
                piece.geom = insert_vertices(piece.geom, fresh[near])
        for part in (part_a, part_b):
            if not part.measured:
                part.adj = self._adjacent(x, part.geom)
                part.measured = True
        ids = []
        was_cells = self.pieces[x].cells
        for part in (part_a, part_b):
            i = self.add(part.geom, part.members, zone, block)
            self.pieces[i].cells = was_cells or part.cells
            self._cut_from[i] = (x, np.isin(self.pieces[x].members, part.members))
            ids.append(i)
        ia, ib = ids
        for q in list(self.adj[x]):
            del self.adj[q][x]
        self.adj[x] = {}
        for i, part in ((ia, part_a), (ib, part_b)):
            for q, (length, road) in part.adj.items():
                segs = part.lines.get(q) if part.lines is not None else None
                self.connect(i, q, length, road, segs)
        cut = (part_a.perimeter + part_b.perimeter - self.pieces[x].perimeter) / 2
        self.connect(ia, ib, max(cut, MIN_SHARED), 0.0)
        return ia, ib

    def piece_angles(self, x: int) -> list[float]:
        """Directions worth cutting piece ``x`` across: its buildings' axes."""
        if x not in self._axes:
            alpha = dominant_orientation(self.buildings, self.pieces[x].members)
            self._axes[x] = [] if alpha is None else [alpha, alpha + math.pi / 2]
        return self._axes[x]

    def gap_table(self, x: int, angle: float) -> GapTable:
        """The straight lines between piece ``x``'s buildings across ``angle``.

        Made once per piece and direction (a piece's buildings never change).
        """
        key = (x, round(angle % (2 * math.pi), 9))
        if key not in self._gaps:
            self._gaps[key] = gap_table(self.buildings, self.pieces[x].members, angle)
        return self._gaps[key]

    def isolate(self, x: int, building: int) -> tuple[int, list[int]]:
        """Cut piece ``x`` until ``building`` stands alone in a piece.

        Returns the id of the building's piece and the ids of the other parts.
        """
        rest: list[int] = []
        current = x
        for _ in range(32):
            members = self.pieces[current].members
            if len(members) <= 1:
                break
            angles = [k * math.pi / 4 for k in range(4)] + self.piece_angles(current)
            best: tuple[int, float, float, bool] | None = None
            for angle in angles:
                lo_m, hi_m = self.buildings.extents(angle, members)
                mine = int(np.flatnonzero(members == building)[0])
                lo, hi = lo_m[mine], hi_m[mine]
                for gap in gaps(self.buildings, members, angle):
                    mine_low = hi < gap.position
                    if not mine_low and lo < gap.position:
                        continue
                    on_far = (
                        (lo_m > gap.position) if mine_low else (hi_m < gap.position)
                    )
                    removed = int(on_far.sum())
                    if best is None or removed > best[0]:
                        best = (removed, angle, gap.position, mine_low)
            parts = None
            if best is not None:
                cut = self._cut(current, best[1], best[2])
                if cut is not None:
                    parts = cut if best[3] else (cut[1], cut[0])
            if parts is None:
                parts = self._cut_cells(current, members == building)
            if parts is None:
                break
            mine, other = self.apply_cut(current, parts[0], parts[1])
            if building not in self.pieces[mine].members:
                mine, other = other, mine
            rest.append(other)
            current = mine
        return current, [r for r in rest if self.pieces[r].alive]

    # -- cutting a region in two --------------------------------------------------------

    def _sweep_angles(self, region: list[int]) -> list[float]:
        angles = [k * 2 * math.pi / SWEEPS for k in range(SWEEPS)]
        members = np.concatenate([self.pieces[p].members for p in region])
        alpha = dominant_orientation(self.buildings, members)
        if alpha is not None:
            for k in range(4):
                candidate = (alpha + k * math.pi / 2) % (2 * math.pi)
                if all(
                    abs((candidate - a + math.pi) % (2 * math.pi) - math.pi) > 0.09
                    for a in angles
                ):
                    angles.append(candidate)
        return angles

    def _grow(self, region: list[int], inside: set[int], angle: float) -> list[int]:
        """Region pieces in the order a side grows from the edge at ``angle``."""
        u = np.array([math.cos(angle), math.sin(angle)])
        proj = {p: float(self.pieces[p].centroid @ u) for p in region}
        start = min(region, key=lambda p: (proj[p], p))
        heap = [(proj[start], start)]
        seen = {start}
        order = []
        while heap:
            _, p = heapq.heappop(heap)
            order.append(p)
            for q in self.adj[p]:
                if q in inside and q not in seen:
                    seen.add(q)
                    heapq.heappush(heap, (proj[q], q))
        return order

    def _split_options(
        self,
        x: int,
        angle: float,
        need: float,
        window: tuple[float, float],
        side_a: set[int],
        cells: bool | str = False,
    ) -> list[tuple[_Part, _Part]]:
        """Cuts of piece ``x`` whose part for side A holds about ``need`` households.

        Straight cuts between buildings come first; with ``cells`` (or when there is no
        straight one) a cut along the buildings' Voronoi cells is added.
        """
        piece = self.pieces[x]
        out: list[tuple[_Part, _Part]] = []
        axes = self.piece_angles(x)
        # Along the buildings' rows and columns first; across the sweep if need be.
        for tier in (axes, [angle]) if axes else ([angle],):
            tables = [self.gap_table(x, a) for a in tier]
            # Every gap of every direction, each with side A on its low and on its
            # high side, in that order; the best fits first.
            hh = np.concatenate([np.stack([t.low, t.high], 1).ravel() for t in tables])
            which = np.concatenate(
                [np.full(2 * len(t), k, dtype=np.int64) for k, t in enumerate(tables)]
            )
            index = np.concatenate([np.repeat(np.arange(len(t)), 2) for t in tables])
            low_side = np.arange(len(hh)) % 2 == 0
            fit = np.flatnonzero((hh >= window[0]) & (hh <= window[1]))
            fit = fit[np.argsort(np.abs(hh[fit] - need), kind="stable")]
            # The best fits of each direction and side, so that shape can decide.
            taken: dict[tuple[float, bool], int] = {}
            for o in fit:
                table = tables[which[o]]
                low_joins_a = bool(low_side[o])
                kind = (round(table.angle % math.pi, 6), low_joins_a)
                if taken.get(kind, 0) >= KEEP_SPLIT:
                    continue
                cut = self._cut(x, table.angle, float(table.position[index[o]]))
                if cut is None:
                    continue
                part_a, part_b = cut if low_joins_a else (cut[1], cut[0])
                if side_a and not (part_a.adj.keys() & side_a):
                    continue
                out.append((part_a, part_b))
                taken[kind] = taken.get(kind, 0) + 1
                if len(taken) == 2 * len(tier) and min(taken.values()) >= KEEP_SPLIT:
                    break
            if out and not cells:
                return out
        if (out and not cells) or len(piece.members) < 2 or self._cell_budget <= 0:
            return out
        self._cell_budget -= 1
        # No straight line between buildings: follow the buildings' Voronoi cells,
        # taking first the buildings nearest side A (by distance to the boundary
        # they share, then along a few directions), so that the part stays whole.
        xy = self.buildings.xy[piece.members]
        keys: list[np.ndarray] = []
        touching = [q for q in side_a if q in self.adj[x]]
        if touching:
            segments = np.concatenate([self.shared(x, q) for q in touching])
            if len(segments):
                line = shapely.multilinestrings(shapely.linestrings(segments))
                keys.append(shapely.distance(line, shapely.points(xy)))
        directions = [angle]
        if side_a:
            towards = np.mean([self.pieces[p].centroid for p in side_a], axis=0)
            u = piece.centroid - towards
            if np.hypot(*u) > 1e-9:
                directions.insert(0, math.atan2(u[1], u[0]))
        else:
            directions += [angle + math.pi / 2, angle - math.pi / 2]
        for a in directions:
            keys.append(xy @ np.array([math.cos(a), math.sin(a)]))
        households = self.buildings.households[piece.members]
        tries = CELL_TRIES
        if cells is THOROUGH:
            # Parts grown around buildings spread over the piece: sets of
            # buildings that no straight sweep takes together.
            spread = np.argsort(keys[-1], kind="stable")
            step = max(len(spread) / SEEDS, 1.0)
            for seed in spread[(np.arange(min(SEEDS, len(spread))) * step).astype(int)]:
                keys.append(np.hypot(*(xy - xy[seed]).T))
            tries = CELL_TRIES * 4
        tried: set[bytes] = set()
        for key in keys:
            order = np.argsort(key, kind="stable")
            running = np.cumsum(households[order])
            feasible = np.flatnonzero((running >= window[0]) & (running <= window[1]))
            feasible = feasible[feasible < len(order) - 1]
            for i in sorted(feasible, key=lambda i: abs(running[i] - need))[:3]:
                mask = np.zeros(len(order), dtype=bool)
                mask[order[: i + 1]] = True
                if mask.tobytes() in tried or tries <= 0:
                    continue
                tried.add(mask.tobytes())
                tries -= 1
                # Households first: what they rule out needs no shape measured.
                held = self._cells_households(x, mask)
                if held is None or not window[0] <= held <= window[1]:
                    continue
                cut = self._cut_cells(x, mask)
                if cut is None:
                    continue
                part_a, part_b = cut
                if side_a and not (part_a.adj.keys() & side_a):
                    continue
                if not window[0] <= part_a.households <= window[1]:
                    continue
                out.append((part_a, part_b))
                break
            if len(out) >= 2 or tries <= 0:
                break
        return out

    def _separations(self, region: list[int]) -> list[tuple[int, list[list[int]]]]:
        """The pieces that hold the region together, each with the parts it joins.

        A piece is such a hub when removing it leaves the region in several parts
        (an articulation point of the piece graph). One depth-first search finds
        them all (Hopcroft–Tarjan): time linear in the pieces and their contacts.
        """
        inside = set(region)
        disc: dict[int, int] = {}
        low: dict[int, int] = {}
        size: dict[int, int] = {}
        children: dict[int, list[int]] = {}
        preorder: list[int] = []
        roots = []
        for root in region:
            if root in disc:
                continue
            roots.append(root)
            disc[root] = low[root] = len(preorder)
            preorder.append(root)
            children[root] = []
            parent = {root: -1}
            stack = [(root, iter(sorted(q for q in self.adj[root] if q in inside)))]
            while stack:
                v, todo = stack[-1]
                for w in todo:
                    if w not in disc:
                        parent[w] = v
                        children[v].append(w)
                        children[w] = []
                        disc[w] = low[w] = len(preorder)
                        preorder.append(w)
                        near = sorted(q for q in self.adj[w] if q in inside)
                        stack.append((w, iter(near)))
                        break
                    if w != parent[v]:
                        low[v] = min(low[v], disc[w])
                else:
                    stack.pop()
                    size[v] = len(preorder) - disc[v]
                    if stack:
                        u = stack[-1][0]
                        low[u] = min(low[u], low[v])
        out = []
        for h in region:
            if h in roots:
                cut_off = children[h] if len(children[h]) >= 2 else []
            else:
                cut_off = [c for c in children[h] if low[c] >= disc[h]]
            if not cut_off:
                continue
            groups = [preorder[disc[c] : disc[c] + size[c]] for c in cut_off]
            held = {p for g in groups for p in g}
            rest = [p for p in region if p != h and p not in held]
            if rest:
                groups.append(rest)
            if len(groups) >= 2:
                out.append((h, [sorted(g) for g in groups]))
        return out

    def _hub_candidates(
        self,
        region: list[int],
        k: int,
        band: tuple[float, float],
        sizes: list[int],
        relaxed: bool,
    ) -> list[_Candidate]:
        """Cuts through a piece that holds the region together (a hub).

        Where removing piece ``h`` leaves the region in several parts, one of those
        parts can form a side with a share of ``h``, the other parts keep the rest of
        ``h``, which still joins them. The hub's buildings nearest the boundary it
        shares with that part go with it.
        """
        total = self.households(region)
        out: list[_Candidate] = []
        for h, groups in self._separations(region):
            hub = self.pieces[h]
            if len(hub.members) < 2:
                continue
            for group in groups:
                mine = set(group)
                others = [g for g in groups if g is not group]
                have = self.households(group)
                order: np.ndarray | None = None
                for k_a in sizes:
                    k_b = k - k_a
                    goal = total * k_a / k
                    window = (
                        (-math.inf, math.inf)
                        if relaxed
                        else (
                            max(k_a * band[0], total - k_b * band[1]),
                            min(k_a * band[1], total - k_b * band[0]),
                        )
                    )
                    need = goal - have
                    if not (window[0] - have <= hub.households and window[1] >= have):
                        continue
                    if order is None:
                        order = self._nearest_first(h, group)
                    if order is None:
                        break
                    running = np.cumsum(self.buildings.households[hub.members][order])
                    fits = np.flatnonzero(
                        (running + have >= window[0]) & (running + have <= window[1])
                    )
                    fits = fits[fits < len(order) - 1]
                    ranked = sorted(fits, key=lambda i: abs(running[i] - need))
                    # The closest fits first, then ever further ones: the nearest
                    # may leave too little of the hub to join the other parts.
                    tries = [
                        ranked[j] for j in (0, 1, 2, 4, 8, 16, 32) if j < len(ranked)
                    ]
                    # Buildings of the hub whose cells reach each other part: a
                    # cut that takes them all would leave that part cut off.
                    contacts = self._contacts(h)
                    reach = [
                        np.concatenate(
                            [contacts[q] for q in g if q in contacts]
                            or [np.empty(0, dtype=np.int64)]
                        )
                        for g in others
                    ]
                    for i in tries:
                        mask = np.zeros(len(order), dtype=bool)
                        mask[order[: i + 1]] = True
                        if any(len(r) and mask[r].all() for r in reach):
                            continue
                        held = self._cells_households(h, mask)
                        if held is None or not window[0] <= have + held <= window[1]:
                            continue
                        cut = self._cut_cells(h, mask)
                        if cut is None:
                            continue
                        part_a, part_b = cut
                        if not (part_a.adj.keys() & mine) or any(
                            not (part_b.adj.keys() & set(g)) for g in others
                        ):
                            continue
                        if not window[0] <= have + part_a.households <= window[1]:
                            continue
                        length = (
                            part_a.perimeter + part_b.perimeter - hub.perimeter
                        ) / 2
                        out.append(
                            _Candidate(
                                list(group),
                                [p for g in others for p in g],
                                k_a,
                                have + part_a.households,
                                split=(h, part_a, part_b, max(length, MIN_SHARED)),
                            )
                        )
                        break
        return out

    def _nearest_first(self, x: int, group: list[int]) -> np.ndarray | None:
        """Piece ``x``'s buildings, nearest first to the boundary it shares with ``group``.

        Only that boundary is measured (not the group's whole outline), so the time
        does not grow with the group.
        """
        touching = [q for q in group if q in self.adj[x]]
        segments = [self.shared(x, q) for q in touching]
        segments = [seg for seg in segments if len(seg)]
        if not segments:
            return None
        line = shapely.multilinestrings(shapely.linestrings(np.concatenate(segments)))
        xy = self.buildings.xy[self.pieces[x].members]
        return np.argsort(shapely.distance(line, shapely.points(xy)), kind="stable")

    def _edges_with(self, split: tuple[int, _Part, _Part, float] | None) -> Any:
        """Neighbours of a piece with a considered cut applied (parts as -1, -2)."""
        x = split[0] if split else -1
        part_a = split[1] if split else None
        part_b = split[2] if split else None
        chord = split[3] if split else 0.0

        def edges(p: int) -> Iterable[tuple[int, Edge]]:
            if p == -1 and part_a is not None:
                yield from part_a.adj.items()
                yield -2, (chord, 0.0)
                return
            if p == -2 and part_b is not None:
                yield from part_b.adj.items()
                yield -1, (chord, 0.0)
                return
            for q, e in self.adj[p].items():
                if q != x:
                    yield q, e
            if part_a is not None and p in part_a.adj:
                yield -1, part_a.adj[p]
            if part_b is not None and p in part_b.adj:
                yield -2, part_b.adj[p]

        return edges

    def _b_connected(self, cand: _Candidate, side: int = -2) -> bool:
        """Whether side B (or with ``side=-1`` side A) of a candidate is in one piece."""
        edges = self._edges_with(cand.split)
        ids = cand.b if side == -2 else cand.a
        whole = set(ids) | ({side} if cand.split else set())
        if not whole:
            return False
        start = next(iter(whole))
        seen, stack = {start}, [start]
        while stack:
            p = stack.pop()
            for q, _ in edges(p):
                if q in whole and q not in seen:
                    seen.add(q)
                    stack.append(q)
        return len(seen) == len(whole)

    def _holds(self, cand: _Candidate) -> bool:
        """Whether both sides of a candidate cut are in one piece, measured exactly.

        A block cut being weighed shares boundary with its neighbours as sampled
        (see :meth:`_adjacent_sampled`); before it is made, its parts' contacts are
        measured on their geometry, so that a side joined only by a sample that
        does not hold is not taken.
        """
        if cand.split is not None:
            x, part_a, part_b, _ = cand.split
            for part in (part_a, part_b):
                if not part.measured:
                    part.adj = self._adjacent(x, part.geom)
                    part.measured = True
        return self._b_connected(cand) and self._b_connected(cand, -1)

    @staticmethod
    def _formula(
        s_a: float,
        k_a: int,
        total: int,
        k: int,
        band: tuple[float, float],
        window: tuple[float, float],
        shape_a: tuple[float, float, np.ndarray],
        shape_b: tuple[float, float, np.ndarray],
        cut: float,
        off_road: float,
    ) -> float:
        """The score of a cut (lower is better); see the module's weights."""
        k_b = k - k_a
        mean = total / k
        half = max((band[1] - band[0]) / 2, 1.0)
        centre = (band[0] + band[1]) / 2
        m_a, m_b = s_a / k_a, (total - s_a) / k_b
        balance = (abs(m_a - mean) + abs(m_b - mean)) / (2 * half)
        edge = sum(max(0.0, abs(m - centre) - 0.5 * half) for m in (m_a, m_b)) / half
        outside = max(0.0, window[0] - s_a, s_a - window[1]) / half
        pp_a = child_compactness(shape_a[0], shape_a[1], k_a, shape_a[2])
        pp_b = child_compactness(shape_b[0], shape_b[1], k_b, shape_b[2])
        return (
            W_BALANCE * balance
            + W_EDGE * edge
            + 10.0 * outside
            + W_ROAD * off_road / max(cut, 1e-9)
            + W_SHAPE * (1.0 - min(pp_a, pp_b, 1.0))
        )

    def _score(
        self,
        cand: _Candidate,
        total: int,
        k: int,
        band: tuple[float, float],
        window: tuple[float, float],
    ) -> None:
        """Fill in ``cand.score`` by walking both sides (``inf`` if B falls apart)."""
        if not self._b_connected(cand):
            cand.score = math.inf
            return
        split = cand.split
        part_a = split[1] if split else None
        part_b = split[2] if split else None
        edges = self._edges_with(split)

        def shape(side: set[int]) -> tuple[float, float, float, float, np.ndarray]:
            area = perimeter = inner = cut = off_road = 0.0
            moments = np.zeros(6)
            for p in side:
                if p == -1:
                    item: Piece | _Part = part_a  # type: ignore[assignment]
                elif p == -2:
                    item = part_b  # type: ignore[assignment]
                else:
                    item = self.pieces[p]
                area += item.area
                perimeter += item.perimeter
                moments += item.moments
                for q, (length, road) in edges(p):
                    if q in side:
                        inner += length
                    else:
                        cut += length
                        off_road += length - road
            return area, perimeter - inner, cut, off_road, moments

        side_a = set(cand.a) | ({-1} if split else set())
        side_b = set(cand.b) | ({-2} if split else set())
        area_a, per_a, cut, off_road, mom_a = shape(side_a)
        area_b, per_b, _, _, mom_b = shape(side_b)
        cand.score = self._formula(
            cand.households_a,
            cand.k_a,
            total,
            k,
            band,
            window,
            (area_a, per_a, mom_a),
            (area_b, per_b, mom_b),
            cut,
            off_road,
        )

    def _prefixes(self, order: list[int], inside: set[int]) -> dict[str, np.ndarray]:
        """Running totals along a growth order: what the first i + 1 pieces hold.

        ``hh``, ``area``, ``per`` (perimeter of their union), ``mom`` (area moments),
        ``cut`` (boundary they share with the rest of the region) and ``off`` (the
        part of that boundary not on roads).
        """
        n = len(order)
        pos = {p: i for i, p in enumerate(order)}
        hh = np.empty(n)
        area = np.empty(n)
        per = np.empty(n)
        cut = np.empty(n)
        off = np.empty(n)
        mom = np.empty((n, 6))
        run_hh = run_area = run_per = run_inner = run_deg = run_off = 0.0
        run_inner_off = 0.0
        run_mom = np.zeros(6)
        for i, p in enumerate(order):
            piece = self.pieces[p]
            run_hh += piece.households
            run_area += piece.area
            run_per += piece.perimeter
            run_mom = run_mom + piece.moments
            for q, (length, road) in self.adj[p].items():
                j = pos.get(q)
                if j is None:
                    continue
                run_deg += length
                run_off += length - road
                if j < i:
                    run_inner += length
                    run_inner_off += length - road
            hh[i], area[i], mom[i] = run_hh, run_area, run_mom
            per[i] = run_per - 2 * run_inner
            cut[i] = run_deg - 2 * run_inner
            off[i] = run_off - 2 * run_inner_off
        return {"hh": hh, "area": area, "per": per, "cut": cut, "off": off, "mom": mom}

    def _suffix_connected(self, order: list[int]) -> np.ndarray:
        """Per position ``c``: whether the pieces ``order[c:]`` are in one piece.

        The pieces are added back to front into a union–find: linear in the
        pieces and their contacts.
        """
        n = len(order)
        pos = {p: i for i, p in enumerate(order)}
        parent = list(range(n))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        out = np.zeros(n + 1, dtype=bool)
        groups = 0
        for c in range(n - 1, -1, -1):
            groups += 1
            for q in self.adj[order[c]]:
                j = pos.get(q)
                if j is not None and j > c:
                    a, b = root(c), root(j)
                    if a != b:
                        parent[a] = b
                        groups -= 1
            out[c] = groups == 1
        return out

    def best_cut(
        self, region: list[int], k: int, band: tuple[float, float]
    ) -> tuple[list[int], list[int], int] | None:
        """Cut ``region`` (to become ``k`` grids) in two; apply it; return the sides.

        Returns ``(side_a, side_b, k_a)`` or ``None`` when the region cannot be cut
        (one piece without room between its buildings).
        """
        total = self.households(region)
        inside = set(region)
        area_r = sum(self.pieces[p].area for p in region)
        mom_r = np.sum([self.pieces[p].moments for p in region], axis=0)
        inner_r = sum(
            length
            for p in region
            for q, (length, _) in self.adj[p].items()
            if q in inside and q > p
        )
        per_r = sum(self.pieces[p].perimeter for p in region) - 2 * inner_r
        balanced = sorted({k // 2, k - k // 2})
        others = [n for n in side_sizes(k) if n not in balanced]
        # Balanced sides and straight cuts first; then any side size and cuts along
        # the buildings' cells; the band is given up only when nothing else works.
        # A side still to be divided keeps some slack inside the band, so that its
        # own last cuts need not be exact; without slack only if nothing else works.
        # Before the band is given up, the cells are searched once more, growing
        # parts around the largest buildings too (see :meth:`_split_options`).
        passes: list[tuple[list[int], float, bool | str]] = [
            (balanced, SLACK, False),
            (balanced + others, SLACK, False),
            (balanced + others, 0.0, False),
            (balanced + others, 0.0, True),
            (balanced + others, 0.0, THOROUGH),
            (balanced, -1.0, True),
        ]

        def windows(k_a: int, slack: float = 0.0) -> tuple[float, float]:
            k_b = k - k_a
            room = slack * (band[1] - band[0])
            low_a = k_a * (band[0] + (room if k_a > 1 else 0.0))
            high_a = k_a * (band[1] - (room if k_a > 1 else 0.0))
            low_b = k_b * (band[0] + (room if k_b > 1 else 0.0))
            high_b = k_b * (band[1] - (room if k_b > 1 else 0.0))
            return max(low_a, total - high_b), min(high_a, total - low_b)

        def rest(
            s_a: float, area_a: float, per_a: float, mom_a: np.ndarray, cut: float
        ) -> tuple[float, float, np.ndarray]:
            return area_r - area_a, per_r + 2 * cut - per_a, mom_r - mom_a

        self._cell_budget = CELL_BUDGET
        for sizes, slack, cells in passes:
            relaxed = slack < 0
            if cells is THOROUGH:
                self._cell_budget = CELL_BUDGET
            found: list[_Candidate] = []
            seen: set[tuple[frozenset[int], int]] = set()
            for angle in self._sweep_angles(region):
                order = self._grow(region, inside, angle)
                if len(order) != len(region):
                    continue
                run = self._prefixes(order, inside)
                whole_rest = self._suffix_connected(order)
                for k_a in sizes:
                    goal = total * k_a / k
                    strict = windows(k_a)
                    window = (-math.inf, math.inf) if relaxed else windows(k_a, slack)
                    if window[0] > window[1]:
                        continue
                    # Cuts along roads: the first i + 1 pieces of the growth order.
                    prefix = run["hh"][:-1]
                    ok = np.flatnonzero((prefix >= window[0]) & (prefix <= window[1]))
                    for i in sorted(ok, key=lambda i: abs(prefix[i] - goal))[
                        :KEEP_ROAD
                    ]:
                        key = (frozenset(order[: i + 1]), k_a)
                        if key in seen:
                            continue
                        seen.add(key)
                        cand = _Candidate(
                            order[: i + 1], order[i + 1 :], k_a, int(prefix[i])
                        )
                        shape_a = (run["area"][i], run["per"][i], run["mom"][i])
                        cand.score = self._formula(
                            cand.households_a,
                            k_a,
                            total,
                            k,
                            band,
                            strict,
                            shape_a,
                            rest(prefix[i], *shape_a, run["cut"][i]),
                            run["cut"][i],
                            run["off"][i],
                        )
                        found.append(cand)
                    # A cut through the block where the side reaches its share.
                    c = min(int(np.searchsorted(run["hh"], goal)), len(order) - 1)
                    if not whole_rest[c]:
                        # The pieces from x on fall apart even with x whole: no
                        # cut of x can leave side B in one piece.
                        continue
                    before = int(run["hh"][c - 1]) if c > 0 else 0
                    x = order[c]
                    head = set(order[:c])
                    for part_a, part_b in self._split_options(
                        x,
                        angle,
                        goal - before,
                        (
                            max(window[0] - before, 1),
                            min(window[1] - before, self.pieces[x].households - 1),
                        ),
                        head,
                        cells,
                    ):
                        chord = max(
                            (
                                part_a.perimeter
                                + part_b.perimeter
                                - self.pieces[x].perimeter
                            )
                            / 2,
                            MIN_SHARED,
                        )
                        s_in = s_in_off = out = out_off = 0.0
                        for q, (length, road) in part_a.adj.items():
                            if q in head:
                                s_in += length
                                s_in_off += length - road
                            elif q in inside:
                                out += length
                                out_off += length - road
                        if c > 0:
                            p_area, p_per = run["area"][c - 1], run["per"][c - 1]
                            p_mom, p_cut = run["mom"][c - 1], run["cut"][c - 1]
                            p_off = run["off"][c - 1]
                        else:
                            p_area = p_per = p_cut = p_off = 0.0
                            p_mom = np.zeros(6)
                        area_a = p_area + part_a.area
                        per_a = p_per + part_a.perimeter - 2 * s_in
                        mom_a = p_mom + part_a.moments
                        cut = p_cut - s_in + out + chord
                        off = p_off - s_in_off + out_off + chord
                        cand = _Candidate(
                            order[:c],
                            order[c + 1 :],
                            k_a,
                            before + part_a.households,
                            split=(x, part_a, part_b, chord),
                        )
                        cand.score = self._formula(
                            cand.households_a,
                            k_a,
                            total,
                            k,
                            band,
                            strict,
                            (area_a, per_a, mom_a),
                            rest(cand.households_a, area_a, per_a, mom_a, cut),
                            cut,
                            off,
                        )
                        found.append(cand)
            if cells:
                for cand in self._hub_candidates(region, k, band, sizes, relaxed):
                    self._score(cand, total, k, band, windows(cand.k_a))
                    found.append(cand)
            found.sort(key=lambda cand: cand.score)
            best = next(
                (
                    cand
                    for cand in found
                    if math.isfinite(cand.score) and self._holds(cand)
                ),
                None,
            )
            if best is not None:
                break
        else:
            return None
        a, b = list(best.a), list(best.b)
        if best.split is not None:
            x, part_a, part_b, _ = best.split
            ia, ib = self.apply_cut(x, part_a, part_b)
            a.append(ia)
            b.append(ib)
        return a, b, best.k_a

    def divide(
        self, region: list[int], k: int, band: tuple[float, float]
    ) -> tuple[list[list[int]], int]:
        """Cut ``region`` into ``k`` connected groups of pieces.

        Returns the groups and how many grids could not be made (regions that could
        not be cut further).
        """
        leaves: list[list[int]] = []
        missing = 0
        stack = [(region, k)]
        while stack:
            check(self.feedback)
            part, n = stack.pop()
            if n <= 1:
                leaves.append(part)
                continue
            cut = self.best_cut(part, n, band)
            if cut is None:
                leaves.append(part)
                missing += n - 1
                continue
            a, b, k_a = cut
            a, b = self._mend(a, b)
            stack.append((b, n - k_a))
            stack.append((a, k_a))
        return leaves, missing

    def _mend(self, a: list[int], b: list[int]) -> tuple[list[int], list[int]]:
        """Sides of a cut, each in one piece.

        Parts of a side that the cut, measured exactly, left apart from the rest of
        it go to the other side.
        """
        for _ in range(2):
            for side, other in ((a, b), (b, a)):
                parts = self.components(side, same_zone=False)
                if len(parts) < 2:
                    continue
                parts.sort(key=lambda c: (-self.households(c), -len(c)))
                side[:] = parts[0]
                other.extend(p for c in parts[1:] for p in c)
        return a, b

    def union(self, ids: Iterable[int]) -> BaseGeometry:
        """The polygon covered by pieces ``ids``.

        Pieces cut on both sides of a road meet only between computed points that
        may lie a hair apart; when the exact union falls apart there, it is done
        again on the :data:`SHARED_GRID` precision grid, which closes such seams.
        """
        geoms = np.asarray([self.pieces[i].geom for i in ids], dtype=object)
        if len(geoms) == 1:
            return geoms[0]
        exact = shapely.union_all(geoms)
        real = [p for p in shapely.get_parts(exact) if p.area > 1.0]
        if len(real) <= 1:
            return exact
        return shapely.union_all(geoms, grid_size=SHARED_GRID)

    def members(self, ids: Iterable[int]) -> np.ndarray:
        """Buildings in pieces ``ids``."""
        parts = [self.pieces[i].members for i in ids]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
