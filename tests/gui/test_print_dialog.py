"""The print dialog previews a board and prints in the background, with cancel."""

import numpy as np
import pytest
from qgis.core import QgsTask
from qgis.PyQt.QtCore import Qt

from gridgis.app.dialogs.print_boards import PrintBoardsDialog
from tests.qgis import pdftools

pytestmark = pytest.mark.gui


def image_colours(image) -> int:
    ptr = image.convertToFormat(image.Format_RGB32).constBits()
    ptr.setsize(image.width() * image.height() * 4)
    pixels = np.frombuffer(ptr, np.uint8).reshape(-1, 4)[::11, :3]
    return len({tuple(p) for p in pixels})


def test_the_preview_shows_the_selected_grids_board(qtbot, demo_copy, tmp_path):
    dialog = PrintBoardsDialog(demo_copy, "320599003002004", out=tmp_path / "out")
    qtbot.addWidget(dialog)
    assert dialog.preview_grid.currentData() == "320599003002004"
    first = dialog.preview_image
    assert first.width() > first.height() > 100
    assert image_colours(first) > 50
    dialog.template.setCurrentIndex(dialog.template.findData("board-a4"))
    assert dialog.preview_image.height() > dialog.preview_image.width()
    # choosing a community moves the preview to one of its grids
    dialog.scope.setCurrentIndex(dialog.scope.findData("community:320599001002"))
    assert dialog.preview_grid.currentData().startswith("320599001002")
    assert dialog.options()["community"] == "320599001002"


def test_printing_runs_as_a_task_and_reports_the_result(qtbot, demo_copy, tmp_path):
    out = tmp_path / "out"
    dialog = PrintBoardsDialog(demo_copy, out=out)
    qtbot.addWidget(dialog)
    dialog.scope.setCurrentIndex(dialog.scope.findData("community:320599003002"))
    dialog.cards.setChecked(True)
    with qtbot.waitSignal(dialog.printed, timeout=120_000) as printed:
        qtbot.mouseClick(dialog.print_button, Qt.LeftButton)
        assert not dialog.print_button.isEnabled()
    result = printed.args[0]
    assert result.grids[0] == "320599003002001"
    assert pdftools.page_count(out / "boards.pdf") == 8
    assert pdftools.page_count(out / "service-cards.pdf") == 8
    assert dialog.progress.value() == 100
    assert "8" in dialog.status.text()
    assert dialog.print_button.isEnabled()


def test_cancel_stops_printing_and_writes_nothing(qtbot, demo_copy, tmp_path):
    out = tmp_path / "out"
    dialog = PrintBoardsDialog(demo_copy, out=out)
    qtbot.addWidget(dialog)
    task = dialog.start()
    qtbot.waitUntil(lambda: task.status() == QgsTask.Running, timeout=30_000)
    with qtbot.waitSignal(task.taskTerminated, timeout=60_000):
        dialog.cancel()
    assert dialog.status.text() == "Cancelled; nothing was written."
    assert dialog.print_button.isEnabled()
    assert not list(out.rglob("*.pdf"))


def test_the_window_has_a_print_boards_entry(qtbot, window, demo_copy):
    assert window.print_boards_action in window.file_menu.actions()
    assert window.print_boards_action.text() == "&Print boards…"
    window.print_boards_action.trigger()
    dialogs = window.findChildren(PrintBoardsDialog)
    assert len(dialogs) == 1
    assert dialogs[0].project_file == demo_copy
