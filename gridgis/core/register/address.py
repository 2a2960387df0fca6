"""Standard addresses of houses and the matching of register rows to buildings.

Rosters write the same dwelling many ways: ``幸福路12号3幢2单元501室``,
``幸福路１２号３栋２单元５０１``, ``幸福路12号3号楼2单元501``, ``幸福路12号3-2-501``.
:func:`parse_address` reads them all into the road address, building number, unit and
room; :class:`BuildingIndex` finds the building a row means — by building ID, by road
address and building number, or by building number alone — and, where it cannot tell,
says so with the closest candidates rather than guessing.

Examples
--------
>>> parse_address("幸福路１２号３栋２单元５０１")
AddressParts(base='幸福路12号', building='3', unit='2', room='501')
>>> parse_address("幸福路12号3-2-501") == parse_address("幸福路12号3号楼2单元501室")
True
>>> standard_address("幸福路12号", "3", "2", "501")
'幸福路12号3幢2单元501室'
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十]+(?=栋|幢|号楼|座|单元)")

_BUILDING_MARK = r"(?:栋|幢|号楼|座|#)"
_ROAD_AND_NUMBER = re.compile(rf"(.*?)(\d+){_BUILDING_MARK}$")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_TAIL = re.compile(
    rf"(?:(?P<bldg>\d+){_BUILDING_MARK})?(?:(?P<unit>\d+)单元)?(?:(?P<room>\d+)室?)?$"
)
_DASH = re.compile(r"(?P<bldg>\d+)-(?P<unit>\d+)-(?P<room>\d+)(?:室)?$")
_DASH2 = re.compile(r"(?P<bldg>\d+)-(?P<room>\d+)(?:室)?$")
_ROAD = re.compile(r"^(.*?(?:路|街|道|巷|弄|胡同|大道))")


def _cn_to_int(text: str) -> int:
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def clean(text: object) -> str:
    """Text folded for matching: half-width digits and letters, no spaces."""
    if text is None:
        return ""
    if type(text) is str and text.isascii() and text.isalnum():
        return text
    return _clean(text)


@functools.lru_cache(maxsize=200_000)
def _clean(text: object) -> str:
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    folded = unicodedata.normalize("NFKC", str(text))
    folded = re.sub(r"\s+", "", folded)
    folded = folded.replace("—", "-").replace("－", "-").replace("–", "-")
    return _CN_NUMBER.sub(lambda m: str(_cn_to_int(m.group(0))), folded)


def digits(text: object) -> str | None:
    """The number in a building number, unit or room (``"3幢"`` → ``"3"``)."""
    found = re.search(r"\d+", clean(text))
    return str(int(found.group(0))) if found else None


@dataclass(frozen=True)
class AddressParts:
    """An address split into its parts (each ``None`` or ``""`` when not written)."""

    base: str
    building: str | None = None
    unit: str | None = None
    room: str | None = None


def parse_address(text: object) -> AddressParts:
    """Split an address into road address, building number, unit and room."""
    return _parse(clean(text))


@functools.lru_cache(maxsize=200_000)
def _parse(folded: str) -> AddressParts:
    if not folded:
        return AddressParts("")
    for pattern in (_DASH, _DASH2):
        match = pattern.search(folded)
        if match and (match.start() == 0 or not folded[match.start() - 1].isdigit()):
            parts = match.groupdict()
            return AddressParts(
                folded[: match.start()],
                str(int(parts["bldg"])),
                str(int(parts["unit"])) if parts.get("unit") else None,
                parts["room"],
            )
    # The road number ends at its 号 (unless that 号 begins 号楼).
    base_end = 0
    for match in re.finditer(r"\d+号(?!楼)", folded):
        base_end = match.end()
        break
    tail = folded[base_end:]
    match = _TAIL.search(tail)
    if match is None or match.group(0) == "":
        return AddressParts(folded)
    base = folded[:base_end] + tail[: match.start()]
    bldg, unit, room = match.group("bldg"), match.group("unit"), match.group("room")
    if bldg is None and unit is None and base_end == 0:
        # A bare number after a name is part of the name (幸福里5).
        return AddressParts(folded)
    return AddressParts(
        base,
        str(int(bldg)) if bldg else None,
        str(int(unit)) if unit else None,
        room,
    )


def standard_address(
    base: str | None, building: str | None, unit: str | None, room: str | None
) -> str:
    """A house's address written the standard way (幸福路12号3幢2单元501室)."""
    text = base or ""
    if building:
        text += f"{building}幢"
    if unit:
        text += f"{unit}单元"
    if room:
        text += f"{room}室"
    return text


def standard_addresses(
    bases: np.ndarray, buildings: np.ndarray, units: np.ndarray, rooms: np.ndarray
) -> np.ndarray:
    """:func:`standard_address` of many houses at once.

    The parts are object arrays, ``None`` or ``""`` where a part is not written.
    """
    text = np.where(bases.astype(bool), bases, "").astype(object)
    for parts, mark in ((buildings, "幢"), (units, "单元"), (rooms, "室")):
        given = parts.astype(bool)
        text[given] = text[given] + parts[given] + mark
    return text


def floor_of(room: str | None) -> int | None:
    """The floor a room number gives (``"501"`` → 5, ``"1203"`` → 12)."""
    if room and room.isdigit() and len(room) >= 3:
        return int(room[:-2])
    return None


#: Python's white space (what ``str.strip`` and regular expressions take as
#: white space), as an RE2 character class.
WHITE_SPACE = (
    r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
    r"\x{202f}\x{205f}\x{3000}]"
)


def _road(address: object, mark: object) -> tuple[str, str | None]:
    """A building's road address and number, from its address and number fields."""
    folded = _SPACE.sub("", unicodedata.normalize("NFKC", _str(address)))
    found = _ROAD_AND_NUMBER.match(folded)
    if found is not None:
        base, number = found.group(1), found.group(2)
    else:
        own = _DIGITS.search(unicodedata.normalize("NFKC", _str(mark)))
        base, number = folded, (own.group(0) if own else None)
    return base, (None if number is None else str(int(number)))


def _str(value: object) -> str:
    return "" if value is None else str(value)


def _roads(
    addresses: Sequence[object], marks: Sequence[object]
) -> tuple[list[str], list[str | None]]:
    """:func:`_road` of every building, on Arrow arrays (a city at once).

    Text with digits other than ASCII ones after folding (which Python's regular
    expressions take as digits and RE2's ``[0-9]`` does not) is read by
    :func:`_road` itself.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(addresses) != len(marks):
        raise ValueError("addresses and numbers differ in length")
    try:
        address = pa.array(addresses, type=pa.string()).fill_null("")
        mark = pa.array(marks, type=pa.string()).fill_null("")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pairs = [_road(a, m) for a, m in zip(addresses, marks, strict=True)]
        return [b for b, _ in pairs], [n for _, n in pairs]
    folded = pc.replace_substring_regex(
        pc.utf8_normalize(address, "NFKC"), f"{WHITE_SPACE}+", ""
    )
    mark = pc.utf8_normalize(mark, "NFKC")
    found = pc.extract_regex(
        folded, r"^(?P<base>.*?)(?P<number>[0-9]+)(?:栋|幢|号楼|座|#)$"
    )
    matched = found.is_valid()
    own = pc.struct_field(pc.extract_regex(mark, r"(?P<number>[0-9]+)"), [0])
    base = pc.if_else(matched, pc.struct_field(found, [0]), folded)
    number = pc.if_else(matched, pc.struct_field(found, [1]), own)
    trimmed = pc.utf8_ltrim(number, "0")
    number = pc.if_else(pc.equal(trimmed, ""), "0", trimmed)
    bases: list[str] = base.to_numpy(zero_copy_only=False).tolist()
    numbers: list[str | None] = number.to_numpy(zero_copy_only=False).tolist()
    other_digits = r"[^0-9\P{Nd}]"
    odd = pc.or_(
        pc.match_substring_regex(folded, other_digits),
        pc.match_substring_regex(mark, other_digits),
    )
    for k in np.flatnonzero(odd.to_numpy(zero_copy_only=False)):
        bases[k], numbers[k] = _road(addresses[k], marks[k])
    return bases, numbers


@dataclass(frozen=True)
class Match:
    """Which building a row means."""

    #: Position of the building in the index, or -1.
    position: int
    #: ``"ok"``, ``"unmatched"`` or ``"ambiguous"``.
    status: str
    #: The closest buildings (as "ID 地址楼号") when there is no single match.
    candidates: tuple[str, ...] = ()
    #: Unit and room read from the address (when the row has no columns for them).
    unit: str | None = None
    room: str | None = None


class BuildingIndex:
    """The project's buildings, looked up by ID, address and building number."""

    def __init__(
        self,
        ids: Sequence[object],
        numbers: Sequence[object],
        addresses: Sequence[object],
    ) -> None:
        self.ids = [str(i) for i in ids]
        self.by_id: dict[str, int] = {}
        for k, bid in enumerate(self.ids):
            self.by_id.setdefault(bid.upper(), k)
        # Road addresses and building numbers: "幸福路12号3幢" gives the road address
        # "幸福路12号" and the number 3; without a building mark the number comes from
        # the building's own number field.
        self.bases, self.numbers = _roads(addresses, numbers)
        self._by_base: dict[str, list[int]] | None = None
        self._by_number: dict[str, list[int]] | None = None
        self._by_base_number: dict[tuple[str, str], list[int]] | None = None

    @property
    def by_base(self) -> dict[str, list[int]]:
        """Buildings by road address (made on first use)."""
        if self._by_base is None:
            self._by_base = defaultdict(list)
            for k, base in enumerate(self.bases):
                if base:
                    self._by_base[base].append(k)
        return self._by_base

    @property
    def by_base_number(self) -> dict[tuple[str, str], list[int]]:
        """Buildings by road address and building number (made on first use)."""
        if self._by_base_number is None:
            self._by_base_number = defaultdict(list)
            for k, (base, number) in enumerate(
                zip(self.bases, self.numbers, strict=True)
            ):
                if base and number:
                    self._by_base_number[(base, number)].append(k)
        return self._by_base_number

    @property
    def by_number(self) -> dict[str, list[int]]:
        """Buildings by building number (made on first use)."""
        if self._by_number is None:
            self._by_number = defaultdict(list)
            for k, number in enumerate(self.numbers):
                if number:
                    self._by_number[number].append(k)
        return self._by_number

    def label(self, k: int) -> str:
        """A building as a candidate is shown: ID and address with its number."""
        return f"{self.ids[k]} {standard_address(self.bases[k], self.numbers[k], None, None)}"

    def _closest(
        self, query: str, pool: Sequence[int] | None = None
    ) -> tuple[str, ...]:
        if pool is None:
            road = _ROAD.match(query)
            prefix = road.group(1) if road else query[:2]
            pool = [
                k
                for base, ks in self.by_base.items()
                if base.startswith(prefix)
                for k in ks
            ] or range(len(self.ids))
        keys = {
            standard_address(self.bases[k], self.numbers[k], None, None): k
            for k in pool
        }
        best = difflib.get_close_matches(query, list(keys), n=3, cutoff=0.4)
        return tuple(self.label(keys[b]) for b in best)

    def by_building_id(self, value: object) -> Match:
        """The building with this ID."""
        key = clean(value).upper()
        found = self.by_id.get(key)
        if found is None and value is not None:
            found = self.by_id.get(str(value).strip().upper())
        if found is not None:
            return Match(found, "ok")
        best = difflib.get_close_matches(key, list(self.by_id), n=3, cutoff=0.6)
        return Match(-1, "unmatched", tuple(self.label(self.by_id[b]) for b in best))

    def find(
        self, address: object, number: object = None, scope: set[int] | None = None
    ) -> Match:
        """The building an address (and a separate building number) means."""
        parts = parse_address(address)
        bnum = digits(number) if clean(number) else parts.building
        query = standard_address(parts.base, bnum, None, None)
        if parts.base:
            pool = self.by_base.get(parts.base, [])
            if scope is not None:
                pool = [k for k in pool if k in scope]
                found = [k for k in pool if bnum is None or self.numbers[k] == bnum]
            elif bnum is None:
                found = pool
            else:
                found = self.by_base_number.get((parts.base, bnum), [])
            if not found and pool:
                return Match(
                    -1,
                    "unmatched",
                    tuple(self.label(k) for k in pool[:3]),
                    parts.unit,
                    parts.room,
                )
        elif bnum:
            found = self.by_number.get(bnum, [])
            if scope is not None:
                found = [k for k in found if k in scope]
        else:
            found = []
        if len(found) == 1:
            return Match(found[0], "ok", (), parts.unit, parts.room)
        if len(found) > 1:
            return Match(
                -1,
                "ambiguous",
                tuple(self.label(k) for k in found[:3]),
                parts.unit,
                parts.room,
            )
        return Match(-1, "unmatched", self._closest(query), parts.unit, parts.room)
