"""Resident ID numbers (GB 11643) and how personal numbers are shown.

Examples
--------
>>> check_id_number("11010519491231002X").birth_date
'1949-12-31'
>>> check_id_number("110105194912310021").problem.en
'check digit is 1, should be X'
>>> mask_id("320502198001011234"), mask_phone("13812345678")
('320***********1234', '138****5678')
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from gridgis.core.i18n import Text

_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True)
class IdCheck:
    """The result of checking one ID number."""

    #: The number written one way (half-width, upper-case X), or ``""`` when empty.
    number: str
    #: What is wrong, or ``None`` when the number is valid.
    problem: Text | None = None
    #: ``YYYY-MM-DD`` from the number (valid numbers only).
    birth_date: str | None = None
    #: ``"male"`` or ``"female"`` from the 17th digit (valid numbers only).
    gender: str | None = None


def check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    d = [int(c) for c in first17]
    total = (
        7 * d[0] + 9 * d[1] + 10 * d[2] + 5 * d[3] + 8 * d[4] + 4 * d[5] + 2 * d[6]
        + d[7] + 6 * d[8] + 3 * d[9] + 7 * d[10] + 9 * d[11] + 10 * d[12] + 5 * d[13]
        + 8 * d[14] + 4 * d[15] + 2 * d[16]
    )  # fmt: skip
    return _CHECK[total % 11]


def clean_id_number(value: object) -> str:
    """An ID number as text: half-width, no spaces, upper-case X."""
    if value is None:
        return ""
    if type(value) is str and value.isascii() and value.isalnum():
        return value.upper()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().upper()
    return re.sub(r"[\s\-]", "", text)


@functools.lru_cache(maxsize=65_536)
def _date(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def check_id_number(value: object, *, today: dt.date | None = None) -> IdCheck:
    """Check an 18-character resident ID number: shape, birth date and check digit."""
    number = clean_id_number(value)
    if not number:
        return IdCheck("")
    if len(number) == 15 and number.isdigit():
        return IdCheck(
            number,
            Text(
                "是 15 位旧身份证号,请换成 18 位号码",
                "is an old 15-digit number; give the 18-digit one",
            ),
        )
    if not _SHAPE.match(number):
        return IdCheck(
            number,
            Text(
                "不是 18 位(17 位数字加数字或 X)",
                "is not 18 characters (17 digits and a digit or X)",
            ),
        )
    born = _date(number[6:14])
    today = today or dt.date.today()
    if born is None or born > today or born.year < 1900:
        return IdCheck(
            number,
            Text(
                f"出生日期 {number[6:14]} 不是有效日期",
                f"birth date {number[6:14]} is not a valid date",
            ),
        )
    expected = check_digit(number[:17])
    if number[17] != expected:
        return IdCheck(
            number,
            Text(
                f"校验位为 {number[17]},应为 {expected}",
                f"check digit is {number[17]}, should be {expected}",
            ),
        )
    return IdCheck(
        number,
        None,
        born.isoformat(),
        "male" if int(number[16]) % 2 else "female",
    )


def mask_id(value: object) -> str:
    """An ID number shown masked: the first 3 and last 4 characters."""
    text = clean_id_number(value)
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def mask_phone(value: object) -> str:
    """A phone number shown masked: the first 3 and last 4 digits of a mobile."""
    if value is None:
        return ""
    text = str(value).strip()
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def mask_name(value: object) -> str:
    """A name shown masked: the surname and a star per other character."""
    if value is None:
        return ""
    text = str(value).strip()
    return text[:1] + "*" * (len(text) - 1) if len(text) > 1 else text
