"""Importing filled templates: round trips, a messy roster, nothing written on error."""

import hashlib

import pandas as pd
import pytest
from openpyxl import load_workbook

from gridgis.core.register import RegisterError, apply_register, plan_register
from gridgis.core.register.templates import HOUSE_COLUMNS, NOTES_MARK, write_template
from gridgis.core.store import GeoPackageStore
from tests.core.register.conftest import person_id

ZHANG = person_id("320502", "19800101", "123")
LI = person_id("320502", "19900202", "224")
WANG = person_id("320502", "19400303", "331")
ZHAO = person_id("320502", "20100404", "442")
ZHOU = person_id("320502", "19750505", "551")
WU = person_id("320502", "19850606", "662")
ZHENG = person_id("320502", "19950707", "771")


def _wide(text: str) -> str:
    return "".join(
        chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text
    )


def _bad_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


MESSY = [
    "姓名,身份证号码,手机,人口类型,类别,住址",
    f"张三,{ZHANG},13812345678,户籍,党员、低保,幸福路12号3幢2单元501室",
    f"李四,{_wide(LI)},１３９ １２３４ ５６７８,流动,,幸福路１２号３栋２单元５０２",
    f"王五,{WANG},,,独居老人,幸福路12号4号楼1单元101",
    f"赵六,{ZHAO},,,,幸福路12号3-2-501",
    f"钱七,{_bad_check(ZHOU)},,,,幸福路14号1幢1单元201",
    "孙八,320502199913321234,,,,和平路1号1幢101",
    f"张三,{ZHANG},,,,和平路3号1幢2单元301",
    f"周九,{ZHOU},,,,火星路1号1幢101",
    f"吴十,{WU},,,,3幢2单元101",
    f"郑十一,{ZHENG},,,,幸福路12号5幢101",
]


def _digest(store) -> str:
    if isinstance(store, GeoPackageStore):
        return hashlib.sha256(store.path.read_bytes()).hexdigest()
    return f"{store.count('houses')}/{store.count('residents')}"


def test_messy_roster_gives_the_expected_report_and_writes_nothing(addressed, tmp_path):
    source = tmp_path / "名册.csv"
    source.write_bytes("\r\n".join(MESSY).encode("gbk"))  # GBK, no BOM
    before = _digest(addressed)
    with pytest.raises(RegisterError) as caught:
        plan_register(addressed, source, "residents")
    problems = [(p.row, p.kind) for p in caught.value.report.problems]
    assert problems == [
        (6, "id_number"),
        (7, "id_number"),
        (8, "two_houses"),
        (9, "unmatched"),
        (10, "ambiguous"),
        (11, "unmatched"),
    ]
    by_row = {p.row: p for p in caught.value.report.problems}
    assert [c.split()[0] for c in by_row[10].candidates] == ["B0", "B99"]
    assert [c.split()[0] for c in by_row[11].candidates] == ["B0", "B1"]
    text = str(caught.value)
    assert ZHANG not in text
    assert "320***********" in text
    assert _digest(addressed) == before
    assert addressed.count("residents") == 0

    # Without the bad rows the same roster goes in, in one transaction.
    source.write_bytes("\r\n".join(MESSY[:5]).encode("gbk"))
    report = apply_register(addressed, plan_register(addressed, source, "residents"))
    assert (report.houses_added, report.residents_added, report.buildings) == (3, 4, 2)
    residents = addressed.read("residents").set_index("name")
    assert residents.loc["李四", "id_number"] == LI
    assert residents.loc["李四", "phone"] == "13912345678"
    assert residents.loc["李四", "residence"] == "floating"
    assert residents.loc["张三", "categories"] == "party_member;low_income"
    assert residents.loc["张三", "house_id"] == residents.loc["赵六", "house_id"]
    assert residents.loc["王五", "gender"] == "male"
    houses = addressed.read("houses").set_index("id")
    assert houses.loc["B0-2-501", "address"] == "幸福路12号3幢2单元501室"
    assert houses.loc["B0-2-501", "floor"] == 5
    buildings = addressed.read("buildings").set_index("id")
    assert buildings.loc["B0", "reg_households"] == 2
    assert buildings.loc["B0", "reg_population"] == 3
    assert buildings.loc["B1", "reg_households"] == 1
    assert buildings.loc[["B2", "B3"], "reg_households"].isna().all()

    # The same people again: already registered, nothing written.
    with pytest.raises(RegisterError) as again:
        plan_register(addressed, source, "residents")
    assert {p.kind for p in again.value.report.problems} == {"registered"}
    # ... unless their houses are registered anew.
    report = apply_register(
        addressed, plan_register(addressed, source, "residents", mode="replace")
    )
    assert report.residents_removed == 4
    assert addressed.count("residents") == 4


def _fill(path, rows):
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_templates_round_trip(addressed, tmp_path):
    path = tmp_path / "房屋.xlsx"
    write_template("houses", path, addressed.settings)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [c.zh for c in HOUSE_COLUMNS]
    assert str(sheet["A2"].value).startswith(NOTES_MARK)
    assert [r[0] for r in book["类别"].iter_rows(min_row=2, values_only=True)][:2] == [
        "党员",
        "低保",
    ]
    headings = [c.zh for c in HOUSE_COLUMNS]
    row = dict.fromkeys(headings)
    rows = []
    for building, unit, room, use, area in [
        ("B3", "1", "101", "出租", 88.5),
        ("B3", "1", "102", "空置", 60),
        ("B3", "2", "201", "群租", 90),
    ]:
        values = dict(row, 建筑编号=building, 单元=unit, 室号=room, 房屋用途=use)
        values["面积(㎡)"] = area
        rows.append([values[h] for h in headings])
    _fill(path, rows)
    apply_register(addressed, plan_register(addressed, path, "houses"))
    houses = addressed.read("houses").set_index("id").sort_index()
    assert list(houses.index) == ["B3-1-101", "B3-1-102", "B3-2-201"]
    assert list(houses["use"]) == ["rented", "vacant", "group_rented"]
    assert list(houses["area"]) == [88.5, 60.0, 90.0]
    assert list(houses["floor"]) == [1, 1, 2]
    buildings = addressed.read("buildings").set_index("id")
    assert buildings.loc["B3", "reg_households"] == 2  # the vacant one holds none

    people = tmp_path / "居民.xlsx"
    write_template("residents", people, addressed.settings)
    book = load_workbook(people)
    headings = [c.value for c in book.worksheets[0][1]]
    values = dict.fromkeys(headings)
    values.update(
        {
            "姓名": "陈一",
            "身份证号": ZHOU,
            "房屋编号": "B3-1-101",
            "重点人员类别": "高龄",
        }
    )
    _fill(people, [[values[h] for h in headings]])
    apply_register(addressed, plan_register(addressed, people, "residents"))
    resident = addressed.read("residents").iloc[0]
    assert (resident["name"], resident["house_id"], resident["categories"]) == (
        "陈一",
        "B3-1-101",
        "aged_80",
    )
    assert resident["birth_date"] == "1975-05-05"
    assert addressed.count("houses") == 3


def test_rows_by_building_id_read_like_rows_by_address(addressed, tmp_path):
    # The same people, once by building ID, unit and room, once by address.
    by_id = tmp_path / "by_id.csv"
    by_id.write_text(
        "\n".join(
            [
                "姓名,身份证号,联系电话,人口类型,重点人员类别,建筑编号,单元,室号",
                f"张三,{ZHANG},13812345678,户籍,党员、低保,B0,2,501室",
                f"李四,{LI},１３９ １２３４ ５６７８,流动,,b0,２,502",
                f"王五,{WANG},,,独居老人,B1,01,101",
                f"钱七,{_bad_check(ZHOU)},,,,B2,1,201",
                f"周九,{ZHOU},12345,,,B3,1,101",
                f"吴十,{WU},,,,B77,1,101",
                f"张三,{ZHANG},,,,B4,2,301",
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(RegisterError) as caught:
        plan_register(addressed, by_id, "residents")
    assert [(p.row, p.kind) for p in caught.value.report.problems] == [
        (5, "id_number"),
        (6, "phone"),
        (7, "unmatched"),
        (8, "two_houses"),
    ]
    good = by_id.read_text(encoding="utf-8").splitlines()[:4]
    by_id.write_text("\n".join(good), encoding="utf-8")
    by_address = tmp_path / "by_address.csv"
    by_address.write_text("\n".join(MESSY[:2] + MESSY[2:4]), encoding="utf-8")
    first = plan_register(addressed, by_id, "residents")
    second = plan_register(addressed, by_address, "residents")
    columns = ["id", "house_id", "name", "id_number", "gender", "birth_date", "phone",
               "residence", "categories"]  # fmt: skip
    left = first.residents[columns].sort_values("name").reset_index(drop=True)
    right = second.residents[columns].sort_values("name").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
    pd.testing.assert_frame_equal(
        first.houses.sort_values("id").reset_index(drop=True),
        second.houses.sort_values("id").reset_index(drop=True),
    )
