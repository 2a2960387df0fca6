"""The import and export dialogs, driven like a user would."""

import hashlib

import pytest
import shapefile
from qgis.PyQt.QtWidgets import QDialog

from gridgis.app.dialogs import ExportDialog, ImportDialog
from gridgis.core.exchange import create_project_for
from gridgis.core.register import write_template
from gridgis.core.register.identity import check_digit
from gridgis.core.store import open_project

pytestmark = pytest.mark.gui

SQUARE = [
    (558000, 3464000),
    (558000, 3464100),
    (558100, 3464100),
    (558100, 3464000),
    (558000, 3464000),
]


def survey(path, prj=True):
    """A GBK building shapefile without .cpg, as survey software writes it."""
    writer = shapefile.Writer(str(path), shapeType=shapefile.POLYGON, encoding="gbk")
    writer.field("楼栋编号", "C", size=20)
    writer.field("门牌地址", "C", size=80)
    writer.field("层数", "N", size=4)
    for k in range(3):
        writer.poly([[(x + 200 * k, y) for x, y in SQUARE]])
        writer.record(f"SV{k + 1}", f"桃花坞大街{k + 1}号", 5 + k)
    writer.close()
    if prj:
        from pyproj import CRS

        path.with_suffix(".prj").write_text(CRS.from_epsg(4549).to_wkt("WKT1_ESRI"))
    return path.with_suffix(".shp")


@pytest.fixture
def project(tmp_path):
    return create_project_for(tmp_path / "p.gpkg", county="320599", lon=120.6)


def test_changing_the_mapping_then_importing(qtbot, project, tmp_path):
    dialog = ImportDialog(project, survey(tmp_path / "b"), layer="buildings")
    qtbot.addWidget(dialog)
    assert "GBK" in dialog.found_label.text()
    assert dialog.mapping_combo("address").currentText() == "门牌地址"
    assert dialog.mapping_combo("floors").currentText() == "层数"
    # The user decides the column holds building numbers, not addresses.
    dialog.set_mapping("address", None)
    dialog.set_mapping("number", "门牌地址")
    assert dialog.check()
    assert project.count("buildings") == 0  # checking writes nothing
    with qtbot.waitSignal(dialog.imported, timeout=10000):
        dialog.import_button.click()
    assert dialog.result() == QDialog.Accepted
    frame = open_project(project.path).read("buildings")
    assert frame["number"].tolist() == [
        "桃花坞大街1号",
        "桃花坞大街2号",
        "桃花坞大街3号",
    ]
    assert frame["address"].isna().all()
    assert frame["floors"].tolist() == [5, 6, 7]
    assert "added 3" in dialog.report.toPlainText()


def test_an_unknown_crs_keeps_the_dialog_open_until_the_user_names_it(
    qtbot, project, tmp_path
):
    path = survey(tmp_path / "b", prj=False)
    before = hashlib.sha256(project.path.read_bytes()).hexdigest()
    dialog = ImportDialog(project, path, layer="buildings")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.import_button.click()
    assert dialog.isVisible()
    assert "--crs" in dialog.report.toPlainText()
    assert hashlib.sha256(project.path.read_bytes()).hexdigest() == before
    dialog.set_crs("4549")
    with qtbot.waitSignal(dialog.imported, timeout=10000):
        dialog.import_button.click()
    assert open_project(project.path).count("buildings") == 3


def test_the_export_dialog_writes_what_was_chosen(qtbot, demo_copy, tmp_path):
    dialog = ExportDialog(open_project(demo_copy), tmp_path / "out")
    qtbot.addWidget(dialog)
    dialog.set_layers(["grids", "staff"])
    dialog.choose(dialog.format_combo, "shp")
    dialog.choose(dialog.crs_combo, "cgcs2000")
    dialog.choose(dialog.encoding_combo, "gbk")
    dialog.privacy_box.setChecked(True)
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        dialog.buttons.accepted.emit()
    assert (tmp_path / "out" / "grids.cpg").read_text() == "936"
    assert "PHONE" not in [
        f[0] for f in shapefile.Reader(str(tmp_path / "out" / "staff")).fields
    ]
    assert not (tmp_path / "out" / "buildings.shp").exists()
    assert dialog.result_report.counts == {"grids": 57, "staff": 250}


def test_file_menu_opens_both_dialogs_and_reloads_after_import(qtbot, window, tmp_path):
    titles = [a.text() for a in window.file_menu.actions()]
    assert "&Import…" in titles
    assert "&Export…" in titles
    export = window.export_data()
    assert isinstance(export, ExportDialog)
    export.close()
    dialog = window.import_data(survey(tmp_path / "b"))
    dialog.set_layer("buildings")
    before = window.layers["buildings"].featureCount()
    with qtbot.waitSignal(dialog.imported, timeout=10000):
        dialog.import_button.click()
    assert window.layers["buildings"].featureCount() == before + 3


def _person(k: int) -> str:
    body = f"32050219600101{k:03d}"
    return body + check_digit(body)


def test_a_residents_template_lands_through_the_dialog(qtbot, demo_copy, tmp_path):
    from openpyxl import load_workbook

    store = open_project(demo_copy)
    path = write_template("residents", tmp_path / "居民.xlsx", store.settings)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    headings = [c.value for c in sheet[1]]
    for name, number, room, category in [
        ("居民甲", _person(1), "101", "党员"),
        ("居民乙", _person(2), "102", "低保"),
    ]:
        values = dict.fromkeys(headings)
        values.update(
            姓名=name, 身份证号=number, 建筑编号="B00001", 单元="1", 室号=room
        )
        values["重点人员类别"] = category
        sheet.append([values[h] for h in headings])
    book.save(path)
    dialog = ImportDialog(store, path, layer="residents")
    qtbot.addWidget(dialog)
    assert not dialog.table.isEnabled()  # the template's headings name the columns
    assert dialog.check()
    assert store.count("residents") == 0  # checking writes nothing
    with qtbot.waitSignal(dialog.imported, timeout=20000):
        dialog.import_button.click()
    assert dialog.result() == QDialog.Accepted
    assert "added 2 houses and 2 residents in 1 buildings" in (
        dialog.report.toPlainText()
    )
    reopened = open_project(demo_copy)
    residents = reopened.read("residents").set_index("name")
    assert sorted(residents.index) == ["居民乙", "居民甲"]
    assert residents.loc["居民甲", "id_number"] == _person(1)
    assert residents.loc["居民甲", "house_id"] == "B00001-1-101"
    assert residents.loc["居民乙", "categories"] == "low_income"
    building = reopened.read("buildings").set_index("id").loc["B00001"]
    assert (building["reg_households"], building["reg_population"]) == (2, 2)


def test_a_bad_register_row_is_reported_and_nothing_written(qtbot, demo_copy, tmp_path):
    bad = _person(2)[:17] + ("0" if _person(2)[17] != "0" else "1")
    source = tmp_path / "名册.csv"
    source.write_bytes(
        "\r\n".join(
            [
                "姓名,身份证号,建筑编号,单元,室号",
                f"居民甲,{_person(1)},B00001,1,101",
                f"居民乙,{bad},B00001,1,102",
            ]
        ).encode("gbk")  # GBK without BOM, as Excel saves it
    )
    before = hashlib.sha256(demo_copy.read_bytes()).hexdigest()
    dialog = ImportDialog(open_project(demo_copy), source, layer="residents")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.check()
    dialog.import_button.click()
    assert dialog.isVisible()
    text = dialog.report.toPlainText()
    assert "nothing was imported" in text
    assert "row 3 bad ID number" in text
    assert "row 2 " not in text
    assert bad not in text  # the refused ID number is shown masked
    assert hashlib.sha256(demo_copy.read_bytes()).hexdigest() == before
    assert open_project(demo_copy).count("residents") == 0
