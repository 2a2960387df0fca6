"""The export dialog: layers, format, coordinate system, encoding, privacy, bundles."""

from __future__ import annotations

from pathlib import Path

from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridgis.core import schema
from gridgis.core.errors import GridGisError
from gridgis.core.exchange import DEFAULT_LAYERS, FORMATS, ExportReport, export_project
from gridgis.core.exchange.coords import CHOICES, coord_system
from gridgis.core.exchange.export import FORMAT_TITLES
from gridgis.core.i18n import Text, current_language
from gridgis.core.store import Store

_ENCODINGS = {
    "utf-8": Text("UTF-8(推荐)", "UTF-8 (recommended)"),
    "gbk": Text("GBK(ArcMap 10.2 及更早版本)", "GBK (ArcMap 10.2 and older)"),
}
_BY = {
    "": Text("不分包", "one export"),
    "community": Text("每个社区一个压缩包", "one zip per community"),
    "street": Text("每个街道一个压缩包", "one zip per street"),
}
_HEADERS = {
    "zh": Text("中文字段名", "Chinese names"),
    "en": Text("英文字段名", "English names"),
    "name": Text("字段代码", "field codes"),
}


class _Progress:
    def __init__(self, bar: QProgressBar) -> None:
        self.bar = bar

    def set_progress(self, percent: float) -> None:
        self.bar.setValue(int(percent))
        QApplication.processEvents()

    def is_cancelled(self) -> bool:
        return False


class ExportDialog(QDialog):
    """Export layers of ``store`` to a file or folder.

    Parameters
    ----------
    store
        The project.
    out
        Where to write (the user can change it).
    """

    #: Emitted with the export report after a successful export.
    exported = pyqtSignal(object)

    def __init__(
        self, store: Store, out: str | Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.result_report: ExportReport | None = None
        language = current_language()
        self.setWindowTitle(Text("导出数据", "Export data").get())
        self.resize(640, 680)

        self.layer_list = QListWidget(self)
        for name in DEFAULT_LAYERS:
            lyr = schema.layer(name)
            item = QListWidgetItem(
                f"{lyr.title(language)} ({name}) — {store.count(name)}"
            )
            item.setData(Qt.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked)
            self.layer_list.addItem(item)
        self.format_combo = QComboBox(self)
        for fmt in FORMATS:
            self.format_combo.addItem(FORMAT_TITLES[fmt].get(), fmt)
        self.crs_combo = QComboBox(self)
        for key in CHOICES:
            system = coord_system(key, project_epsg=store.settings.crs_epsg)
            self.crs_combo.addItem(system.label.get(), key)
        self.encoding_combo = QComboBox(self)
        for key, title in _ENCODINGS.items():
            self.encoding_combo.addItem(title.get(), key)
        self.headers_combo = QComboBox(self)
        for key, title in _HEADERS.items():
            self.headers_combo.addItem(title.get(), key)
        self.by_combo = QComboBox(self)
        for key, title in _BY.items():
            self.by_combo.addItem(title.get(), key)
        self.privacy_box = QCheckBox(
            Text(
                "不含手机号码、照片等个人信息",
                "leave out phones, photos and personal data",
            ).get(),
            self,
        )
        self.overwrite_box = QCheckBox(
            Text("覆盖已有文件", "replace existing files").get(), self
        )
        self.out_edit = QLineEdit(str(out) if out is not None else "", self)
        browse = QPushButton(Text("浏览…", "Browse…").get(), self)
        browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(browse)

        form = QFormLayout()
        form.addRow(Text("格式", "Format").get(), self.format_combo)
        form.addRow(Text("坐标系", "Coordinates").get(), self.crs_combo)
        form.addRow(Text("文字编码", "Text encoding").get(), self.encoding_combo)
        form.addRow(Text("表头", "Column headers").get(), self.headers_combo)
        form.addRow(Text("分包", "Bundles").get(), self.by_combo)
        form.addRow("", self.privacy_box)
        form.addRow(Text("保存到", "Save to").get(), out_row)
        form.addRow("", self.overwrite_box)

        self.report = QPlainTextEdit(self)
        self.report.setReadOnly(True)
        self.report.setMaximumHeight(110)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.Ok).setText(Text("导出", "Export").get())
        self.buttons.button(QDialogButtonBox.Cancel).setText(
            Text("取消", "Cancel").get()
        )
        self.buttons.accepted.connect(self.run_export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.layer_list, 3)
        layout.addLayout(form)
        layout.addWidget(self.report)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.format_combo.currentIndexChanged.connect(self._update)
        self._update()

    # -- choices -------------------------------------------------------------------

    def layers(self) -> list[str]:
        """The checked layers."""
        out = []
        for row in range(self.layer_list.count()):
            item = self.layer_list.item(row)
            if item.checkState() == Qt.Checked:
                out.append(str(item.data(Qt.UserRole)))
        return out

    def set_layers(self, names: list[str]) -> None:
        """Check exactly ``names``."""
        for row in range(self.layer_list.count()):
            item = self.layer_list.item(row)
            checked = item.data(Qt.UserRole) in names
            item.setCheckState(Qt.Checked if checked else Qt.Unchecked)

    def choose(self, combo: QComboBox, value: str) -> None:
        """Select the entry of ``combo`` whose value is ``value``."""
        index = combo.findData(value)
        if index < 0:
            raise ValueError(f"no choice {value!r}")
        combo.setCurrentIndex(index)

    def _update(self) -> None:
        fmt = self.format_combo.currentData()
        self.encoding_combo.setEnabled(fmt in {"shp", "csv"})
        self.headers_combo.setEnabled(fmt in {"csv", "xlsx"})

    def _browse(self) -> None:  # pragma: no cover - needs a user
        fmt = self.format_combo.currentData()
        if FORMATS[fmt][1] and not self.by_combo.currentData():
            path, _ = QFileDialog.getSaveFileName(
                self, self.windowTitle(), "", f"*{FORMATS[fmt][0]}"
            )
        else:
            path = QFileDialog.getExistingDirectory(self, self.windowTitle())
        if path:
            self.out_edit.setText(path)

    # -- running -------------------------------------------------------------------

    def run_export(self) -> None:
        """Export with the current choices; close the dialog when it worked."""
        out = self.out_edit.text().strip()
        layers = self.layers()
        if not out or not layers:
            self.report.setPlainText(
                Text(
                    "请选择至少一个图层和保存位置。",
                    "Choose at least one layer and where to save.",
                ).get()
            )
            return
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            report = export_project(
                self.store,
                out,
                layers=layers,
                fmt=str(self.format_combo.currentData()),
                crs=str(self.crs_combo.currentData()),
                encoding=str(self.encoding_combo.currentData()),
                privacy=self.privacy_box.isChecked(),
                by=self.by_combo.currentData() or None,
                headers=str(self.headers_combo.currentData()),
                overwrite=self.overwrite_box.isChecked(),
                feedback=_Progress(self.progress),
            )
        except GridGisError as exc:
            self.report.setStyleSheet("color: #8b0000;")
            self.report.setPlainText(str(exc))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.result_report = report
        self.report.setStyleSheet("")
        self.report.setPlainText(
            "\n".join([report.summary().get(), *(w.get() for w in report.warnings)])
        )
        self.exported.emit(report)
        self.accept()
