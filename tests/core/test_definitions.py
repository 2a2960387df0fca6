"""Every member of every enumeration has its own bilingual label."""

import pytest

from gridgis.core import definitions
from gridgis.core.definitions import (
    BuildingUse,
    FacilityCategory,
    GridKind,
    LabelledEnum,
    OverlayKind,
)

ENUMS = [
    e
    for e in vars(definitions).values()
    if isinstance(e, type) and issubclass(e, LabelledEnum) and e is not LabelledEnum
]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_member_has_a_distinct_label(enum):
    labels = [m.label for m in enum]
    assert all(label.zh and label.en for label in labels)
    assert len({label.zh for label in labels}) == len(labels)


def test_members_sharing_a_value_keep_their_own_labels():
    # "residential", "police" and "school" are values of two enumerations each
    assert GridKind.RESIDENTIAL.label.zh == "居民网格"
    assert BuildingUse.RESIDENTIAL.label.zh == "住宅"
    assert FacilityCategory.POLICE.label.zh == "警务室"
    assert OverlayKind.POLICE.label.zh == "警务区"
    assert FacilityCategory.SCHOOL.label.zh == "学校"
    assert OverlayKind.SCHOOL.label.zh == "学区"
