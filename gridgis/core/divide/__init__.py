"""Automatic division of a community into grids inside the household band, along roads.

The community is cut into blocks by its roads (:mod:`.blocks`); the blocks and the
boundary they share form a graph that is cut in two, recursively, until every part is
one grid inside the band — along roads where the households allow it, between buildings
where they do not (:mod:`.regions`, :mod:`.split`); a grid the cuts leave outside the
band is divided again with its neighbours (:mod:`.balance`). Schools and hospitals can
stay unit grids of their own; chosen grids can be kept; overlay boundaries (police
precincts, school districts) can be respected. Grids are numbered west→east, north→south.

Computing a division writes nothing; the planner reads its quality report first,
then ``apply_division`` writes it (one transaction, the replaced grids kept) and
``restore_grids`` goes back. ``partition_blocks`` runs the same engine on blocks the
caller already has:

>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> from gridgis.core.settings import HouseholdBand
>>> blocks = gpd.GeoSeries([box(0, 0, 100, 100), box(100, 0, 200, 100),
...                         box(200, 0, 300, 100)])
>>> homes = gpd.GeoDataFrame(
...     {"id": ["a", "b", "c"], "households": [250, 250, 300],
...      "population": [600, 600, 700], "use": ["residential"] * 3},
...     geometry=[box(40, 40, 60, 60), box(140, 40, 160, 60), box(240, 40, 260, 60)])
>>> grids = partition_blocks(blocks, homes, HouseholdBand(300, 500))
>>> sorted(grids["households"])
[300, 500]
"""

from __future__ import annotations

from gridgis.core.divide.engine import (
    Division,
    divide_community,
    partition_blocks,
    short_name,
)
from gridgis.core.divide.history import (
    LOG_KEY,
    StaleDivisionError,
    apply_division,
    division_history,
    restore_grids,
)
from gridgis.core.divide.options import DivisionOptions
from gridgis.core.divide.report import QualityReport

__all__ = [
    "LOG_KEY",
    "Division",
    "DivisionOptions",
    "QualityReport",
    "StaleDivisionError",
    "apply_division",
    "divide_community",
    "division_history",
    "partition_blocks",
    "restore_grids",
    "short_name",
    "undivided_communities",
]


def undivided_communities(store: "Store") -> list[str]:  # noqa: UP037
    """Codes of the communities that have no grid yet, in code order."""
    communities = store.read("communities", columns=["code"])
    grids = store.read("grids", columns=["community_code"])
    divided = set(grids["community_code"])
    return sorted(c for c in communities["code"] if c not in divided)


from gridgis.core.store import Store  # noqa: E402
