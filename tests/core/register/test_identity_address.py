"""ID numbers, masking and the many ways an address is written."""

import pytest

from gridgis.core.register.address import BuildingIndex, parse_address
from gridgis.core.register.identity import check_id_number, mask_id, mask_phone
from tests.core.register.conftest import person_id


def test_valid_number_gives_birth_date_and_gender():
    number = person_id("320502", "19800101", "123")
    checked = check_id_number(number)
    assert checked.problem is None
    assert (checked.birth_date, checked.gender) == ("1980-01-01", "male")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("320502198001011230", "check digit"),
        ("320502198013011234", "birth date"),
        ("320502800101123", "15-digit"),
        ("32050219800101", "18 characters"),
    ],
)
def test_bad_numbers_say_what_is_wrong(value, fragment):
    checked = check_id_number(value)
    assert checked.problem is not None
    assert fragment in checked.problem.en


def test_full_width_number_is_read():
    number = person_id("320502", "19800101", "124")
    wide = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert check_id_number(wide).number == number


def test_masks():
    assert mask_id("320502198001011234") == "320***********1234"
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize(
    "text",
    [
        "幸福路12号3幢2单元501室",
        "幸福路１２号３栋２单元５０１",
        "幸福路12号3号楼2单元501",
        "幸福路12号 3-2-501",
        "幸福路12号三幢2单元501室",
    ],
)
def test_address_variants_read_alike(text):
    parts = parse_address(text)
    assert (parts.base, parts.building, parts.unit, parts.room) == (
        "幸福路12号",
        "3",
        "2",
        "501",
    )


def test_index_matches_refuses_and_suggests():
    index = BuildingIndex(
        ["B0", "B1", "B9"],
        ["3幢", "4栋", "3号楼"],
        ["幸福路12号", "幸福路12号", "幸福路16号"],
    )
    assert index.find("幸福路12号4号楼1单元101").position == 1
    ambiguous = index.find(None, "3幢")
    assert ambiguous.status == "ambiguous"
    assert len(ambiguous.candidates) == 2
    missing = index.find("幸福路12号5幢")
    assert missing.status == "unmatched"
    assert [c.split()[0] for c in missing.candidates] == ["B0", "B1"]
    assert index.by_building_id("b1").position == 1
