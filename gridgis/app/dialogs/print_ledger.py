"""File ▸ Print ledger…: the ledgers (台账) of a grid or of every grid of a community.

The dialog asks for the scope (the grid shown in the inspector, or its whole
community), the output folder and the privacy choices, then writes each grid's
workbook and printed summary (:mod:`gridgis.core.register.ledger`,
:mod:`gridgis.qgis.ledger`). Residents' ID numbers and phones stay masked unless
"with personal data" is ticked.
"""

from __future__ import annotations

from pathlib import Path

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridgis.core.errors import GridGisError
from gridgis.core.i18n import Text


class PrintLedgerDialog(QDialog):
    """Choose a grid or community, a folder and the privacy choices; write ledgers."""

    def __init__(
        self, project: Path, grid: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.project = Path(project)
        self.files: list[Path] = []
        self.setWindowTitle(Text("打印网格台账", "Print grid ledgers").get())
        self.scope = QComboBox()
        if grid:
            self.scope.addItem(
                Text(f"网格 {grid}", f"grid {grid}").get(), ("grid", grid)
            )
            self.scope.addItem(
                Text(
                    f"社区 {grid[:12]} 的全部网格",
                    f"every grid of community {grid[:12]}",
                ).get(),
                ("community", grid[:12]),
            )
        self.folder = QLineEdit(str(self.project.parent / "台账"))
        browse = QPushButton(Text("浏览…", "Browse…").get())
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.personal = QCheckBox(
            Text("含居民个人信息(身份证号、电话不隐去)",
                 "with personal data (ID numbers and phones in full)").get()
        )  # fmt: skip
        self.privacy = QCheckBox(
            Text("隐去工作人员电话", "mask the staff's phones too").get()
        )
        self.pdf = QCheckBox(
            Text("同时打印 PDF 概况页", "also print the PDF summary").get()
        )
        self.pdf.setChecked(True)
        form = QFormLayout()
        form.addRow(Text("范围", "Scope").get(), self.scope)
        form.addRow(Text("输出文件夹", "Folder").get(), row)
        form.addRow("", self.personal)
        form.addRow("", self.privacy)
        form.addRow("", self.pdf)
        self.message = QLabel(
            Text(
                "请先在地图或目录中选中一个网格。",
                "Select a grid on the map or in the tree first.",
            ).get()
            if not grid
            else ""
        )
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.Ok).setEnabled(bool(grid))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.windowTitle(), self.folder.text()
        )
        if chosen:
            self.folder.setText(chosen)

    def run(self) -> list[Path]:
        """Write the ledgers as chosen; return the files written."""
        from gridgis.core.register.ledger import (
            ledger_stem,
            read_ledgers,
            write_ledger_xlsx,
        )
        from gridgis.core.store import open_project

        kind, code = self.scope.currentData()
        out = Path(self.folder.text())
        out.mkdir(parents=True, exist_ok=True)
        ledgers = read_ledgers(
            open_project(self.project),
            grid=code if kind == "grid" else None,
            community=code if kind == "community" else None,
            with_personal_data=self.personal.isChecked(),
            privacy=self.privacy.isChecked(),
        )
        files = [write_ledger_xlsx(g, out / f"{ledger_stem(g)}.xlsx") for g in ledgers]
        if self.pdf.isChecked():
            from gridgis.qgis.ledger import print_ledgers

            files += print_ledgers(self.project, ledgers, out)
        self.files = files
        return files

    def _accept(self) -> None:
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            files = self.run()
        except GridGisError as exc:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        QApplication.restoreOverrideCursor()
        QMessageBox.information(
            self,
            self.windowTitle(),
            Text(f"已写入 {len(files)} 个文件到 {self.folder.text()}",
                 f"Wrote {len(files)} file(s) to {self.folder.text()}").get(),
        )  # fmt: skip
        self.accept()
