"""File ▸ Print ledger…: the ledger of the grid shown, from the window."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from qgis.PyQt.QtWidgets import QApplication

from gridgis.app.dialogs.print_ledger import PrintLedgerDialog

pytestmark = pytest.mark.gui

GRID = "320599001001001"


def test_print_ledger_of_the_grid_shown(window, tmp_path):
    assert window.print_ledger_action in window.file_menu.actions()
    window.hierarchy_dock.show_row("grid", GRID)
    window.print_ledger_action.trigger()
    dialogs = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, PrintLedgerDialog)
    ]
    dialog = dialogs[-1]
    assert dialog.scope.currentData() == ("grid", GRID)
    dialog.folder.setText(str(tmp_path / "ledger"))
    files = dialog.run()
    assert sorted(p.suffix for p in files) == [".pdf", ".xlsx"]
    book = load_workbook(next(p for p in files if p.suffix == ".xlsx"))
    assert book["概况"]["A1"].value == "幸福里第1网格台账"
    dialog.close()
