"""Every enumeration member has its own bilingual label."""

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
    obj
    for obj in vars(definitions).values()
    if isinstance(obj, type)
    and issubclass(obj, LabelledEnum)
    and obj is not LabelledEnum
]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_member_has_a_label_in_both_languages(enum):
    for member in enum:
        assert member.label.zh
        assert member.label.en


def test_members_with_the_same_value_keep_their_own_labels():
    # The values are shared ("residential", "police", "school"); the labels are not.
    assert GridKind.RESIDENTIAL.label.zh == "居民网格"
    assert BuildingUse.RESIDENTIAL.label.zh == "住宅"
    assert FacilityCategory.POLICE.label.zh == "警务室"
    assert OverlayKind.POLICE.label.zh == "警务区"
    assert FacilityCategory.SCHOOL.label.zh == "学校"
    assert OverlayKind.SCHOOL.label.zh == "学区"
