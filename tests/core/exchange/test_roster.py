"""Staff rosters from Excel and CSV: phones, photos by file name, posts, and bad rows."""

import io

import pytest
from openpyxl import Workbook
from PIL import Image

from gridgis.core.errors import InputFileError, SchemaError
from gridgis.core.exchange import apply_imports, normalise_phone, plan_roster
from gridgis.core.exchange.roster import PHOTO_MAX_SIDE
from gridgis.core.store import open_project
from tests.core.exchange.conftest import digest

HEADERS = [
    "序号",
    "姓名",
    "人员编号",
    "手机号码",
    "所属单位",
    "网格编码",
    "岗位",
    "照片",
]
ROWS = [
    [
        1,
        "张三",
        "S9001",
        13812345678,
        "幸福里社区居委会",
        "320599001001001",
        "网格长",
        "zhang.jpg",
    ],
    [
        2,
        "李四",
        "S9002",
        "+86 139 1234 5678",
        "幸福里社区居委会",
        320599001001001,
        "专职网格员",
        "li",
    ],
    [
        3,
        "张三",
        "S9001",
        13812345678.0,
        "幸福里社区居委会",
        "320599001001002",
        "网格长",
        "zhang.jpg",
    ],
    [4, "王五", "S9003", "0512 6512 3456", "东园街道办事处", None, None, None],
]


def write_roster(path, rows, headers=HEADERS):
    book = Workbook()
    sheet = book.active
    sheet.title = "网格员名单"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_photos(folder):
    folder.mkdir()
    big = Image.new("RGB", (1200, 1800), (200, 30, 30))
    exif = big.getexif()
    exif[0x0112] = 6  # taken with the phone turned: show rotated by 90°
    big.save(folder / "zhang.jpg", quality=90, exif=exif)
    small = Image.new("RGB", (100, 140), (30, 30, 200))
    small.save(folder / "LI.PNG")
    return folder


@pytest.fixture
def project(demo_copy):
    return open_project(demo_copy)


def test_phone_numbers_are_written_one_way():
    assert normalise_phone("138 1234 5678") == "13812345678"
    assert normalise_phone("+8613812345678") == "13812345678"
    assert normalise_phone("(0512)65123456") == "0512-65123456"
    assert normalise_phone("010-12345678") == "010-12345678"
    assert normalise_phone("") == ""
    for bad in ("1381234567", "23812345678", "12345", "手机"):
        assert normalise_phone(bad) is None


def test_a_roster_with_photos_and_posts(project, tmp_path):
    roster = write_roster(tmp_path / "名单.xlsx", ROWS)
    photos = write_photos(tmp_path / "photos")
    staff_before = project.count("staff")
    posts_before = project.count("assignments")
    plans = plan_roster(project, roster, photos=photos)
    assert [p.layer for p in plans] == ["staff", "assignments"]
    reports = apply_imports(project, plans)
    assert reports[0].inserted == 3
    assert reports[1].inserted == 3
    assert any("repeat a person" in n.en for n in reports[0].notes)
    assert reports[0].mapping["phone"] == "手机号码"
    assert "序号" in reports[0].unused_columns
    staff = project.read("staff", where={"id": ["S9001", "S9002", "S9003"]}).set_index(
        "id"
    )
    assert project.count("staff") == staff_before + 3
    assert staff.loc["S9001", "phone"] == "13812345678"
    assert staff.loc["S9002", "phone"] == "13912345678"
    assert staff.loc["S9003", "phone"] == "0512-65123456"
    photo = Image.open(io.BytesIO(staff.loc["S9001", "photo"]))
    assert photo.format == "JPEG"
    assert max(photo.size) <= PHOTO_MAX_SIDE
    assert photo.size == (600, 400)  # turned upright, then scaled down
    assert staff.loc["S9002", "photo"] == (photos / "LI.PNG").read_bytes()
    assert staff.loc["S9003", "photo"] is None
    posts = project.read("assignments", where={"staff_id": ["S9001", "S9002"]})
    assert project.count("assignments") == posts_before + 3
    assert sorted(
        zip(posts["staff_id"], posts["grid_code"], posts["role"], strict=True)
    ) == [
        ("S9001", "320599001001001", "grid_leader"),
        ("S9001", "320599001001002", "grid_leader"),
        ("S9002", "320599001001001", "full_time"),
    ]


def refuse(project, error, match, *args, **kwargs):
    before = digest(project.path)
    with pytest.raises(error, match=match) as info:
        apply_imports(project, plan_roster(project, *args, **kwargs))
    assert digest(project.path) == before
    return info.value


def test_duplicate_ids_for_different_people(project, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][2] = "S9001"  # 李四 gets 张三's ID
    roster = write_roster(tmp_path / "r.xlsx", rows)
    error = refuse(
        project,
        SchemaError,
        "given to different people",
        roster,
        photos=write_photos(tmp_path / "p"),
    )
    assert "S9001 (rows 2/3)" in str(error)
    assert "第" in error.text.zh


def test_malformed_phones_name_their_rows(project, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][3] = "139123"
    rows[3][3] = "电话待补"
    roster = write_roster(tmp_path / "r.xlsx", rows)
    error = refuse(
        project, SchemaError, "malformed", roster, photos=write_photos(tmp_path / "p")
    )
    assert "rows 3 ('139123'), 5 ('电话待补')" in str(error)


def test_a_missing_photo_file(project, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][7] = "nobody.jpg"
    roster = write_roster(tmp_path / "r.xlsx", rows)
    refuse(
        project,
        InputFileError,
        r"rows 3 \(nobody.jpg\)",
        roster,
        photos=write_photos(tmp_path / "p"),
    )


def test_a_broken_photo(project, tmp_path):
    photos = write_photos(tmp_path / "p")
    (photos / "zhang.jpg").write_bytes(b"not a picture")
    roster = write_roster(tmp_path / "r.xlsx", ROWS)
    refuse(
        project,
        InputFileError,
        "Row 2: zhang.jpg is not a picture",
        roster,
        photos=photos,
    )


def test_roles_and_grids_must_be_known(project, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][6] = "楼长"
    error = refuse(
        project,
        SchemaError,
        "role",
        write_roster(tmp_path / "a.xlsx", rows),
        photos=write_photos(tmp_path / "p"),
    )
    assert "网格长" in error.text.zh  # the catalogue is listed
    rows = [list(r) for r in ROWS]
    rows[0][5] = "320599009009009"
    refuse(
        project,
        SchemaError,
        "not in the project",
        write_roster(tmp_path / "b.xlsx", rows),
        photos=tmp_path / "p",
    )


def test_a_gbk_csv_roster_without_ids_gets_ids_and_photos_by_name(project, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("姓名,手机,单位\n赵六,15912345678,桃园社区居委会\n", encoding="gbk")
    photos = tmp_path / "照片"
    photos.mkdir()
    Image.new("RGB", (80, 100)).save(photos / "赵六.jpg")
    reports = apply_imports(project, plan_roster(project, path))
    assert len(reports) == 1
    assert any("generated" in n.en for n in reports[0].notes)
    row = project.read("staff", where={"name": "赵六"}).iloc[0]
    assert row["id"].startswith("S")
    assert row["photo"] == (photos / "赵六.jpg").read_bytes()
