"""Grid boards, service cards and overview maps of the demo district, read back as PDFs."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import zxingcpp
from PIL import Image
from qgis.core import QgsProject

from gridgis.core.boards import phone_text, read_boards, service_numbers
from gridgis.core.progress import Cancelled, Recorder
from gridgis.core.store import open_project
from gridgis.qgis import pdf
from gridgis.qgis.boards import file_stem, print_boards, render_preview
from gridgis.qgis.templates import TemplateError, load_template
from tests.qgis import pdftools

pytestmark = pytest.mark.qgis

NO_LEADER = "320599003002004"
A3 = (420.0, 297.0)
A4 = (210.0, 297.0)


def item_box(template: str, item_id: str) -> tuple[float, float, float, float]:
    """Where item ``item_id`` sits on the template's page (mm): x, y, w, h."""
    layout = load_template(template, QgsProject())
    found = layout.itemById(item_id)
    position, size = found.positionWithUnits(), found.sizeWithUnits()
    return position.x(), position.y(), size.width(), size.height()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo district printed once: boards, cards and overview maps."""
    from tests.conftest import DEMO

    folder = tmp_path_factory.mktemp("printed")
    project = folder / "demo.gpkg"
    shutil.copyfile(DEMO, project)
    out = folder / "out"
    feedback = Recorder()
    result = print_boards(
        project, out, cards=True, overview=True, workers=1, feedback=feedback
    )
    boards = {b.code: b for b in read_boards(open_project(project))}
    return result, boards, feedback, project


def test_one_a3_board_per_grid_and_one_combined_pdf(demo):
    result, boards, feedback, _ = demo
    assert result.boards.exists()
    assert pdftools.page_count(result.boards) == len(boards) == 57
    assert len(result.board_pages) == 57
    for path, code in zip(result.board_pages, sorted(boards), strict=True):
        assert path.exists(), path
        assert path.name == f"{file_stem(boards[code])}.pdf"
    assert pdftools.page_count(result.board_pages[5]) == 1
    width, height = pdftools.page_size_mm(result.boards, 1)
    assert (round(width), round(height)) == A3
    assert feedback.values == sorted(feedback.values)
    assert feedback.values[-1] == 100.0
    assert not [p for p in result.directory.iterdir() if p.name.startswith(".")]


def test_a_board_shows_the_grid_its_staff_and_the_hotline_in_chinese(demo):
    result, boards, _, project = demo
    store = open_project(project)
    code = "320599001001004"
    board = boards[code]
    page = sorted(boards).index(code) + 1
    for text in (
        pdftools.text(result.boards, page),
        pdftools.text(result.board_pages[page - 1]),
    ):
        assert board.name in text
        assert board.community_name in text
        assert code in text
        assert "网格职责" in text
        assert store.settings.hotline in text
        for person in board.staff:
            assert person.name in text
            assert person.role_label.zh in text
        assert "AB岗" in text


def test_chinese_text_is_searchable_not_radicals(demo):
    result, _, _, _ = demo
    text = pdftools.text(result.boards, 1)
    for word in ("网格", "幸福里", "网格长", "户数", "社区民警"):
        assert word in text
    for radical in ("⽹", "⾥", "⻓", "戶", "⺠"):
        assert radical not in text


def test_the_cjk_font_is_embedded(demo):
    result, _, _, _ = demo
    for path in (result.boards, result.board_pages[0], result.cards):
        fonts = pdftools.fonts(path)
        assert fonts, path
        assert all(f["emb"] == "yes" for f in fonts)
        assert any("NotoSansCJK" in f["name"] for f in fonts)


def test_the_map_area_is_drawn(demo, tmp_path):
    result, _, _, _ = demo
    x, y, w, h = item_box("board-a3", "grid_map")
    image = pdftools.raster(result.board_pages[0], 1, 60, tmp_path)
    area = pdftools.crop_mm(image, 60, x + 2, y + 2, w - 60, h - 4)
    colours = {tuple(c) for c in area.reshape(-1, 3)[::7]}
    assert len(colours) > 40, "the map looks blank"
    red = (area[..., 0] > 150) & (area[..., 1] < 80) & (area[..., 2] < 80)
    assert red.sum() > 200, "the grid's red boundary is missing"
    buildings = (
        (abs(area[..., 0].astype(int) - 230) < 12)
        & (abs(area[..., 1].astype(int) - 207) < 12)
        & (abs(area[..., 2].astype(int) - 168) < 12)
    )
    assert buildings.sum() > 500, "no buildings on the map"


def decode_qr(path: Path, page: int, template: str, tmp: Path) -> list[str]:
    x, y, w, h = item_box(template, "qr_code")
    image = pdftools.raster(path, page, 200, tmp)
    area = pdftools.crop_mm(image, 200, x - 2, y - 2, w + 4, h + 4)
    return [r.text for r in zxingcpp.read_barcodes(np.ascontiguousarray(area))]


def test_the_qr_code_holds_the_leaders_vcard(demo, tmp_path):
    result, boards, _, _ = demo
    for page, code in enumerate(sorted(boards)[:3], 1):
        decoded = decode_qr(result.boards, page, "board-a3", tmp_path)
        assert decoded == [boards[code].vcard()]


def test_a_grid_without_leader_prints_a_note_instead_of_a_qr_code(demo, tmp_path):
    result, boards, _, _ = demo
    page = sorted(boards).index(NO_LEADER) + 1
    text = pdftools.text(result.boards, page)
    assert boards[NO_LEADER].name in text
    assert "本网格暂未配备网格长" in text
    assert "扫码保存" not in text
    assert decode_qr(result.boards, page, "board-a3", tmp_path) == []
    assert NO_LEADER in result.without_leader


def test_service_cards_ten_per_a4_sheet(demo, tmp_path):
    result, boards, _, project = demo
    assert pdftools.page_count(result.cards) == 57
    width, height = pdftools.page_size_mm(result.cards, 1)
    assert (round(width), round(height)) == A4
    code = sorted(boards)[0]
    text = pdftools.text(result.cards, 1)
    assert text.count("便民服务卡") == 10
    assert text.count(boards[code].name) == 10
    for number in service_numbers(open_project(project).settings):
        assert f"{number.zh}  {number.number}".split()[0] in text
        assert number.number in text
    assert boards[code].leader.name in text
    image = pdftools.raster(result.cards, 1, 200, tmp_path)
    codes = zxingcpp.read_barcodes(np.ascontiguousarray(image))
    assert [c.text for c in codes] == [boards[code].vcard()] * 10


def test_overview_maps_of_streets_and_communities(demo):
    result, boards, _, _ = demo
    names = {p.name for p in result.overviews}
    assert names == {"overview-streets.pdf", "overview-communities.pdf"}
    communities = result.directory / "overview-communities.pdf"
    streets = result.directory / "overview-streets.pdf"
    assert pdftools.page_count(communities) == len(
        {b.community_code for b in boards.values()}
    )
    assert pdftools.page_count(streets) == len({b.street_code for b in boards.values()})
    text = pdftools.text(communities, 1)
    assert "幸福里社区网格划分图" in text
    assert "图例" in text
    assert "户数超限" in text
    assert "网格 17 个" in text
    street_text = pdftools.text(streets)
    assert "4 个社区" in street_text  # 锦绣社区 has no grids yet but belongs to it
    assert "东园街道社区网格图" in street_text
    assert "西桥街道社区网格图" in street_text


@pytest.fixture
def crowded(demo_copy):
    """A grid with a very long name and six staff, two of them with long names."""
    store = open_project(demo_copy)
    code = "320599001001002"
    grids = store.read("grids", where={"code": code}, columns=["code"])
    staff = store.read("staff").set_index("id")
    assignments = store.read("assignments", where={"grid_code": code})
    long_name = (
        "幸福里社区第二网格(玉兰路以东桃花路以北含幸福里小区一至十四幢及沿街商铺)"
    )
    extra = staff.index.difference(assignments["staff_id"])[:3]
    with store.transaction() as tx:
        tx.update("grids", pd.DataFrame({"name": [long_name]}, index=grids.index))
        first = staff.loc[staff.index.isin(assignments["staff_id"])].index[0]
        tx.update(
            "staff",
            pd.DataFrame(
                {"name": ["欧阳娜仁其其格", "阿依古丽·买买提明"]},
                index=store.read("staff", where={"id": [first, extra[0]]}).index,
            ),
        )
        tx.insert(
            "assignments",
            pd.DataFrame(
                {
                    "staff_id": list(extra),
                    "grid_code": code,
                    "role": ["part_time", "part_time", "instructor"],
                    "is_backup": False,
                }
            ),
        )
    board = read_boards(open_project(demo_copy), grids=[code])[0]
    return demo_copy, board, long_name


@pytest.mark.parametrize("template", ["board-a3", "board-a4"])
def test_long_names_and_big_staff_panels_fit(crowded, tmp_path, template):
    project, board, long_name = crowded
    assert len(board.staff) >= 6
    result = print_boards(
        project, tmp_path / "out", grids=[board.code], template=template, workers=1
    )
    path = result.board_pages[0]
    words = pdftools.words(path)

    def inside(box, word, slack=1.0):
        x, y, w, h = box
        _, x0, y0, x1, y1 = word
        return (
            x - slack <= x0 and x1 <= x + w + slack and y - 3 <= y0 and y1 <= y + h + 3
        )

    def text_in(item_id):
        box = item_box(template, item_id)
        return "".join(w[0] for w in words if inside(box, w))

    # the whole name is printed inside the title's box (wrapped or smaller)
    assert text_in("title") == long_name
    for k, person in enumerate(board.staff[:8], 1):
        assert text_in(f"staff_name_{k}") == person.name
        assert phone_text(person.phone).replace(" ", "") in text_in(
            f"staff_post_{k}"
        ).replace(" ", "")
    if len(board.staff) > 8:
        assert f"另有 {len(board.staff) - 8} 名工作人员" in pdftools.text(path)


def test_cancelling_leaves_the_output_as_it_was(demo_copy, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "boards.pdf"
    earlier.write_bytes(b"%PDF-1.4 an earlier run")
    feedback = Recorder(cancel_after=30)
    with pytest.raises(Cancelled):
        print_boards(demo_copy, out, community="320599001001", feedback=feedback)
    assert sorted(p.name for p in out.iterdir()) == ["boards.pdf"]
    assert earlier.read_bytes() == b"%PDF-1.4 an earlier run"


def test_an_unknown_template_is_refused_with_the_choices(demo_copy, tmp_path):
    with pytest.raises(TemplateError, match="board-a3") as error:
        print_boards(demo_copy, tmp_path / "out", template="poster")
    assert "可用模板" in error.value.text.zh
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_two_worker_processes_print_the_same_boards(demo_copy, tmp_path):
    codes = [b.code for b in read_boards(open_project(demo_copy), street="320599003")]
    result = print_boards(
        demo_copy, tmp_path / "out", street="320599003", workers=2, overview=True
    )
    assert result.grids == codes
    overview = tmp_path / "out" / "overview-communities.pdf"
    assert result.overviews[-1] == overview
    assert pdftools.page_count(overview) == 2
    assert pdftools.page_count(result.boards) == len(codes)
    for page in (1, len(codes)):
        assert codes[page - 1] in pdftools.text(result.boards, page)
    assert all(p.exists() for p in result.board_pages)


def test_png_boards_and_the_preview(demo_copy, tmp_path):
    result = print_boards(
        demo_copy, tmp_path / "out", community="320599003002", boards=False, png=True
    )
    assert result.boards is None
    assert len(result.images) == 8
    image = np.asarray(Image.open(result.images[0]))
    assert image.shape[1] > image.shape[0] > 1000
    preview = render_preview(demo_copy, "320599003002001", dpi=40)
    assert preview.width() == round(420 / 25.4 * 40)
    assert not preview.isNull()


def test_repaired_text_maps_radicals_to_ideographs():
    assert pdf.repair_cmap(b"1 beginbfchar\n<0005> <2F00>\nendbfchar") == (
        b"1 beginbfchar\n<0005> <4E00>\nendbfchar"
    )


def test_empty_staff_slots_leave_no_frame_on_the_first_page(demo_copy):
    # 桃园第1网格 has six people: slots 7 and 8 of the A3 panel stay empty, also on the
    # first (here the only) page of a run.
    dpi = 100
    image = render_preview(demo_copy, "320599003002001", dpi=dpi).convertToFormat(4)
    px = dpi / 25.4

    def frame_pixels(slot: int) -> int:
        """Rows where the slot's left edge shows the frame's neutral grey stroke."""
        x, y, _, h = item_box("board-a3", f"staff_photo_{slot}")
        left = int(x * px)
        grey = 0
        for row in range(round(y * px) + 2, round((y + h) * px) - 2):
            for col in (left - 1, left, left + 1):
                c = image.pixelColor(col, row)
                channels = (c.red(), c.green(), c.blue())
                if 140 <= c.red() <= 225 and max(channels) - min(channels) < 8:
                    grey += 1
                    break
        return grey

    height = item_box("board-a3", "staff_photo_6")[3] * px
    assert frame_pixels(6) > 0.5 * height
    # (Anti-aliased strokes of the duties text may show a few grey pixels there.)
    assert frame_pixels(7) < 0.1 * height
    assert frame_pixels(8) < 0.1 * height
