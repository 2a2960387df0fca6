"""Automatic division of a community into grids inside the household band, along roads.

The community is cut into blocks by its roads (:mod:`.blocks`); the blocks and the
boundary they share form a graph that is cut in two, recursively, until every part is
one grid inside the band — along roads where the households allow it, between buildings
where they do not (:mod:`.regions`, :mod:`.split`). Schools and hospitals can stay unit
grids of their own; chosen grids can be kept; overlay boundaries (police precincts,
school districts) can be respected. Grids are numbered west→east, north→south.

Computing a division writes nothing; the planner reads its quality report first:

>>> from gridgis.core.divide import DivisionOptions, divide_community
>>> from gridgis.core.divide import apply_division, restore_grids
>>> # division = divide_community(store, "320599001004", DivisionOptions())
>>> # print(division.report.to_text())
>>> # revision = apply_division(store, division)   # one transaction, then relinked
>>> # restore_grids(store, revision)               # the grids it replaced come back
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
