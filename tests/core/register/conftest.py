"""A small district with addressed buildings, linked, in each kind of store."""

import pandas as pd
import pytest

from gridgis.core.link import link_project
from gridgis.core.register.identity import check_digit

#: Building → (road address, building number), as offices write them.
ADDRESSES = {
    "B0": ("幸福路12号", "3幢"),  # grid 001
    "B1": ("幸福路12号", "4幢"),  # grid 001
    "B2": ("幸福路14号", "1幢"),  # grid 002
    "B3": ("和平路1号", "1幢"),  # grid 003
    "B4": ("和平路3号", "1幢"),  # grid 004
    "B5": ("新华路8号", "1幢"),  # the other community, not divided
    "B99": ("幸福路16号", "3幢"),  # grid 002
}


def person_id(area: str, born: str, seq: str) -> str:
    """A valid 18-character ID number."""
    body = f"{area}{born}{seq}"
    return body + check_digit(body)


@pytest.fixture
def addressed(small_district):
    store = small_district
    buildings = store.read("buildings", columns=["id"])
    frame = pd.DataFrame(
        {
            "address": [ADDRESSES[i][0] for i in buildings["id"]],
            "number": [ADDRESSES[i][1] for i in buildings["id"]],
        },
        index=buildings.index,
    )
    with store.transaction() as tx:
        tx.update("buildings", frame)
    link_project(store)
    return store
