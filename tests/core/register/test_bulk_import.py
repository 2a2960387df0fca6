"""Large rosters: read column-wise, totals kept up to date without relinking."""

from gridgis.core.link import plan_link
from gridgis.core.register import apply_register, plan_register, read_table
from tests.conftest import COMMUNITY, OTHER
from tests.core.register.conftest import person_id

ROWS = [
    "姓名,身份证号,联系电话,其他,标准地址",
    "说明:必填,18 位,11 位,,如 幸福路12号3幢2单元501室",
    f" 张三 ,{person_id('320502', '19800101', '123')},13812345678,甲,幸福路12号3幢2单元501室",
    f"\u3000李四\u3000,{person_id('320502', '19900202', '224')},  ,,幸福路１２号３栋２单元５０２",
    ",,,,",
    "王五,,,乙,",
    "  ,,,,",
    "赵六,12345,,,新华路8号1幢1单元101",
]


def test_a_csv_read_column_wise_gives_the_rows_read_row_by_row(tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_bytes("\r\n".join(ROWS).encode("gbk"))  # GBK, no BOM
    # A quoted cell, or a blank line: read row by row.
    quoted = tmp_path / "quoted.csv"
    lines = [*ROWS[:2], ROWS[2].replace(" 张三 ", '" 张三 "'), *ROWS[3:]]
    quoted.write_bytes("\r\n".join(lines).encode("gbk"))
    blank = tmp_path / "blank.csv"
    blank.write_text("\n".join([*ROWS[:3], "", *ROWS[3:]]), encoding="utf-8-sig")

    table = read_table("residents", plain)
    assert table.keys == ["name", "id_number", "phone", None, "address"]
    assert table.unknown == ["其他"]
    assert table.rows == [
        (3, {"name": "张三", "id_number": ROWS[2].split(",")[1],
             "phone": "13812345678", "address": "幸福路12号3幢2单元501室"}),
        (4, {"name": "李四", "id_number": ROWS[3].split(",")[1],
             "address": "幸福路１２号３栋２单元５０２"}),
        (6, {"name": "王五"}),
        (8, {"name": "赵六", "id_number": "12345", "address": "新华路8号1幢1单元101"}),
    ]  # fmt: skip
    row_by_row = read_table("residents", quoted)
    assert row_by_row.rows == table.rows
    assert row_by_row.keys == table.keys
    after_blank = read_table("residents", blank)
    assert [n for n, _ in after_blank.rows] == [3, 5, 7, 9]
    assert [r for _, r in after_blank.rows] == [r for _, r in table.rows]


def _totals(store):
    out = {}
    for layer in ("grids", "communities", "streets"):
        frame = store.read(layer, columns=["code", "households", "population"])
        out[layer] = {
            code: (int(h), int(p))
            for code, h, p in zip(
                frame["code"], frame["households"], frame["population"], strict=True
            )
        }
    return out


def _linked(store):
    report = plan_link(store).report
    return {
        layer: {
            code: (int(h), int(p))
            for code, h, p in zip(
                frame["code"], frame["households"], frame["population"], strict=True
            )
        }
        for layer, frame in (
            ("grids", report.grids),
            ("communities", report.communities),
            ("streets", report.streets),
        )
    }


def test_an_import_leaves_the_totals_a_full_link_gives(addressed, tmp_path):
    before = _totals(addressed)
    source = tmp_path / "roster.csv"
    people = [
        "姓名,身份证号,建筑编号,单元,室号,标准地址",
        f"甲,{person_id('320502', '19400101', '111')},B0,1,101,",
        f"乙,{person_id('320502', '19410101', '112')},B0,1,101,",
        f"丙,{person_id('320502', '19800101', '113')},,,,幸福路12号4幢1单元101",
        # B5 lies in the community without grids: placed there by its location.
        f"丁,{person_id('320502', '19810101', '114')},,,,新华路8号1幢2单元201",
    ]
    source.write_text("\n".join(people), encoding="utf-8")
    apply_register(addressed, plan_register(addressed, source, "residents"))
    after = _totals(addressed)
    assert after == _linked(addressed)
    assert after != before
    assert after["grids"][f"{COMMUNITY}001"] == (
        2,
        3,
    )  # houses in B0 (2 people) and B1 (1)
    assert after["communities"][OTHER] == (1, 1)  # B5 alone, registered
    # Registered anew with fewer people: the totals follow again.
    source.write_text("\n".join(people[:2] + people[3:4]), encoding="utf-8")
    apply_register(
        addressed, plan_register(addressed, source, "residents", mode="replace")
    )
    assert _totals(addressed) == _linked(addressed)
