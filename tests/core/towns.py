"""Hand-made communities with known answers, for the division tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, box

COMMUNITY = "320508019044"
STREET = "320508019"
X0, Y0 = 500_000.0, 3_460_000.0


def frame(rows: list[dict], geoms: Sequence) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=list(geoms), crs=4549)


def insert(store, layer: str, rows: list[dict], geoms: Sequence) -> None:
    if not rows:
        return
    with store.transaction() as tx:
        tx.insert(layer, frame(rows, geoms))


def rows_of_buildings(
    x0: float,
    y0: float,
    width: float,
    height: float,
    *,
    rows: int,
    cols: int,
    households: int | Callable[[int, int], int],
    size: tuple[float, float] = (20.0, 10.0),
    margin: float = 15.0,
    use: str = "residential",
    start: int = 0,
) -> tuple[list[dict], list]:
    """Buildings in ``rows`` × ``cols`` inside the box, kept ``margin`` from its edges."""
    w, h = size
    xs = np.linspace(x0 + margin, x0 + width - margin - w, cols)
    ys = np.linspace(y0 + height - margin - h, y0 + margin, rows)
    out_rows, geoms = [], []
    for r, y in enumerate(ys):
        for c, x in enumerate(xs):
            hh = households(r, c) if callable(households) else households
            out_rows.append(
                {
                    "id": f"B{start + len(out_rows):05d}",
                    "households": hh,
                    "population": 3 * hh,
                    "use": use,
                }
            )
            geoms.append(box(x, y, x + w, y + h))
    return out_rows, geoms


def town(
    store,
    *,
    cols: int,
    rows: int,
    block: float = 100.0,
    households: int | Callable[[int, int], int] = 200,
    per_block: tuple[int, int] = (2, 2),
    roads: bool = True,
    empty: tuple[tuple[int, int], ...] = (),
) -> dict:
    """A community of ``cols`` × ``rows`` square blocks with roads between them.

    Every block holds ``per_block`` (rows, cols) buildings sharing the block's
    households (``households(col, row)`` or one number for all blocks); roads are
    centre lines on the block edges inside the community. Blocks listed in ``empty``
    (col, row) get no buildings.
    """
    width, height = cols * block, rows * block
    community = box(X0, Y0, X0 + width, Y0 + height)
    insert(store, "streets", [{"code": STREET, "name": "东园街道"}], [community])
    insert(
        store,
        "communities",
        [{"code": COMMUNITY, "name": "幸福里社区", "street_code": STREET}],
        [community],
    )
    road_rows, road_geoms = [], []
    if roads:
        for i in range(1, cols):
            x = X0 + i * block
            road_rows.append({"id": f"V{i}", "name": f"纬{i}路", "class": "local"})
            road_geoms.append(LineString([(x, Y0), (x, Y0 + height)]))
        for j in range(1, rows):
            y = Y0 + j * block
            road_rows.append({"id": f"H{j}", "name": f"经{j}路", "class": "local"})
            road_geoms.append(LineString([(X0, y), (X0 + width, y)]))
    insert(store, "roads", road_rows, road_geoms)
    b_rows, b_geoms = [], []
    for c in range(cols):
        for r in range(rows):
            if (c, r) in empty:
                continue
            total = households(c, r) if callable(households) else households
            n = per_block[0] * per_block[1]
            share = [total // n + (1 if k < total % n else 0) for k in range(n)]
            more, geoms = rows_of_buildings(
                X0 + c * block,
                Y0 + r * block,
                block,
                block,
                rows=per_block[0],
                cols=per_block[1],
                households=lambda rr, cc, share=share, pc=per_block[1]: share[
                    rr * pc + cc
                ],
                start=len(b_rows),
            )
            b_rows += more
            b_geoms += geoms
    insert(store, "buildings", b_rows, b_geoms)
    return {"community": community, "block": block, "width": width, "height": height}
