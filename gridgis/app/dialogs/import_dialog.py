"""The import dialog: pick a file and a layer, check the field mapping, import.

The dialog is given the project (a store) and optionally the file; it reads the file
once, shows which column fills which field (guessed from Chinese or English names, each
pair changeable), the encoding and CRS it found, and imports everything in one
transaction. Errors appear in the dialog, which stays open so the user can change the
mapping, the encoding or the CRS and try again; the project is untouched until an
import succeeds.

Houses and residents (the information base) are read from a filled template: its
headings name the columns, so the mapping table is not used; refused rows are listed
with their row numbers and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridgis.core import schema
from gridgis.core.audit import acting_as
from gridgis.core.errors import GridGisError
from gridgis.core.exchange import (
    MODES,
    SourceData,
    apply_imports,
    open_source,
    plan_import,
    plan_roster,
    source_layers,
)
from gridgis.core.exchange.coords import CHOICES, coord_system
from gridgis.core.exchange.importer import MODE_TITLES, ImportPlan, ImportReport
from gridgis.core.exchange.mapping import guess_mapping
from gridgis.core.i18n import Text, current_language
from gridgis.core.register import (
    RegisterPlan,
    RegisterReport,
    apply_register,
    plan_register,
)
from gridgis.core.store import Store

_FILTER = Text(
    "可导入的文件 (*.shp *.gpkg *.geojson *.json *.kml *.csv *.txt *.xlsx *.dbf)",
    "Files to import (*.shp *.gpkg *.geojson *.json *.kml *.csv *.txt *.xlsx *.dbf)",
)
_NONE = Text("(不导入)", "(leave empty)")
_FROM_FILE = Text("按文件中的坐标系", "as the file says")
_AUTO = Text("自动识别", "detect")
ENCODINGS = ("", "utf-8", "gb18030", "big5")


class _Progress:
    """The core's Feedback protocol on a progress bar."""

    def __init__(self, bar: QProgressBar) -> None:
        self.bar = bar

    def set_progress(self, percent: float) -> None:
        self.bar.setValue(int(percent))
        QApplication.processEvents()

    def is_cancelled(self) -> bool:
        return False


class ImportDialog(QDialog):
    """Import a file into a layer of ``store``.

    Parameters
    ----------
    store
        The project to import into.
    source
        The file to import (the user can pick another).
    layer
        The layer to fill (default: guessed from the file's geometry).
    """

    #: Emitted with the import reports after a successful import.
    imported = pyqtSignal(list)

    def __init__(
        self,
        store: Store,
        source: str | Path | None = None,
        layer: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.language = current_language()
        self.source: SourceData | None = None
        self.reports: list[ImportReport] = []
        self.setWindowTitle(Text("导入数据", "Import data").get())
        self.resize(780, 820)

        self.path_edit = QLineEdit(self)
        self.path_edit.setReadOnly(True)
        browse = QPushButton(Text("浏览…", "Browse…").get(), self)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        self.layer_combo = QComboBox(self)
        for name, lyr in schema.LAYERS.items():
            if lyr.user_data or lyr.register:
                self.layer_combo.addItem(f"{lyr.title(self.language)} ({name})", name)
        self.source_layer_combo = QComboBox(self)
        self.encoding_combo = QComboBox(self)
        for codec in ENCODINGS:
            label = (
                _AUTO.get()
                if not codec
                else {"gb18030": "GBK/GB18030"}.get(codec, codec.upper())
            )
            self.encoding_combo.addItem(label, codec)
        self.crs_combo = QComboBox(self)
        self.crs_combo.setEditable(True)
        self.crs_combo.addItem(_FROM_FILE.get(), "")
        for key in CHOICES:
            system = coord_system(key, project_epsg=store.settings.crs_epsg)
            self.crs_combo.addItem(system.label.get(), key)
        self.mode_combo = QComboBox(self)
        for mode in MODES:
            self.mode_combo.addItem(MODE_TITLES[mode].get(), mode)
        self.photos_edit = QLineEdit(self)
        self.photos_edit.setPlaceholderText(
            Text("照片文件夹(可选)", "photo folder (optional)").get()
        )

        form = QFormLayout()
        form.addRow(Text("文件", "File").get(), path_row)
        form.addRow(Text("导入到图层", "Into layer").get(), self.layer_combo)
        form.addRow(
            Text("文件中的图层", "Layer of the file").get(), self.source_layer_combo
        )
        form.addRow(Text("文字编码", "Text encoding").get(), self.encoding_combo)
        form.addRow(Text("坐标系", "Coordinates").get(), self.crs_combo)
        form.addRow(Text("已有数据", "Existing rows").get(), self.mode_combo)
        form.addRow(Text("人员照片", "Staff photos").get(), self.photos_edit)

        self.found_label = QLabel(self)
        self.found_label.setWordWrap(True)
        self.table = QTableWidget(0, 2, self)
        self.table.setHorizontalHeaderLabels(
            [
                Text("字段", "Field").get(),
                Text("文件中的列", "Column of the file").get(),
            ]
        )
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeToContents
        )
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.report = QPlainTextEdit(self)
        self.report.setReadOnly(True)
        self.report.setMaximumBlockCount(400)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setValue(0)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self
        )
        self.import_button = self.buttons.button(QDialogButtonBox.Ok)
        self.import_button.setText(Text("导入", "Import").get())
        self.buttons.button(QDialogButtonBox.Cancel).setText(
            Text("取消", "Cancel").get()
        )
        self.check_button = self.buttons.addButton(
            Text("检查", "Check").get(), QDialogButtonBox.ActionRole
        )
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        self.check_button.clicked.connect(self.check)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.found_label)
        layout.addWidget(QLabel(Text("字段映射", "Field mapping").get(), self))
        layout.addWidget(self.table, 3)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

        self.layer_combo.currentIndexChanged.connect(self._fill_mapping)
        self.source_layer_combo.currentIndexChanged.connect(self._reload)
        self.encoding_combo.currentIndexChanged.connect(self._reload)
        self.crs_combo.currentIndexChanged.connect(self._reload)
        line = self.crs_combo.lineEdit()
        if line is not None:
            line.editingFinished.connect(self._reload)
        if layer is not None:
            self.set_layer(layer)
        if source is not None:
            self.set_source(source)
        self._update_photos_row()
        self.layer_combo.currentIndexChanged.connect(self._update_photos_row)

    # -- inputs --------------------------------------------------------------------

    @property
    def layer(self) -> str:
        """The layer the import fills."""
        return str(self.layer_combo.currentData())

    def set_layer(self, layer: str) -> None:
        """Choose the layer to fill."""
        index = self.layer_combo.findData(layer)
        if index < 0:
            raise ValueError(f"not a user layer: {layer!r}")
        self.layer_combo.setCurrentIndex(index)

    def set_source(self, path: str | Path) -> None:
        """Read ``path`` and guess the mapping."""
        self.path_edit.setText(str(path))
        self.source_layer_combo.blockSignals(True)
        self.source_layer_combo.clear()
        try:
            fmt_layers = source_layers(path)
        except GridGisError as exc:
            self._error(exc)
            self.source_layer_combo.blockSignals(False)
            return
        if Path(path).suffix.lower() in {".gpkg", ".kml"}:
            for name in fmt_layers:
                self.source_layer_combo.addItem(name, name)
            match = self.source_layer_combo.findData(self.layer)
            if match >= 0:
                self.source_layer_combo.setCurrentIndex(match)
        self.source_layer_combo.setEnabled(self.source_layer_combo.count() > 1)
        self.source_layer_combo.blockSignals(False)
        self._reload()

    def set_crs(self, text: str) -> None:
        """Say which coordinate system the file's coordinates are in."""
        index = self.crs_combo.findData(text)
        if index >= 0:
            self.crs_combo.setCurrentIndex(index)
        else:
            self.crs_combo.setEditText(text)
            self._reload()

    def set_encoding(self, codec: str) -> None:
        """Say which text encoding the file uses (``""``: detect)."""
        self.encoding_combo.setCurrentIndex(max(self.encoding_combo.findData(codec), 0))

    def mapping_combo(self, field: str) -> QComboBox:
        """The column chooser of ``field`` in the mapping table."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.UserRole) == field:
                widget = self.table.cellWidget(row, 1)
                assert isinstance(widget, QComboBox)
                return widget
        raise KeyError(field)

    def set_mapping(self, field: str, column: str | None) -> None:
        """Fill ``field`` from ``column`` (``None``: leave it empty)."""
        combo = self.mapping_combo(field)
        combo.setCurrentIndex(max(combo.findData(column or ""), 0))

    def mapping(self) -> dict[str, str | None]:
        """The mapping as chosen in the table."""
        out: dict[str, str | None] = {}
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            widget = self.table.cellWidget(row, 1)
            if item is None or not isinstance(widget, QComboBox):
                continue
            out[str(item.data(Qt.UserRole))] = widget.currentData() or None
        return out

    # -- reading and mapping ---------------------------------------------------------

    def _crs_text(self) -> str | None:
        text = self.crs_combo.currentText().strip()
        if text != self.crs_combo.itemText(self.crs_combo.currentIndex()):
            return text or None  # typed in: an EPSG code
        return str(self.crs_combo.currentData() or "") or None

    def _reload(self) -> None:
        path = self.path_edit.text()
        if not path:
            return
        self.source = None
        try:
            self.source = open_source(
                path,
                project_epsg=self.store.settings.crs_epsg,
                layer=self.source_layer_combo.currentData() or None,
                encoding=self.encoding_combo.currentData() or None,
                crs=self._crs_text(),
            )
        except GridGisError as exc:
            self._error(exc)
            self.table.setRowCount(0)
            return
        found = [Text(f"{len(self.source.frame)} 行", f"{len(self.source.frame)} rows")]
        if self.source.encoding_how is not None:
            found.append(self.source.encoding_how)
        if self.source.is_spatial:
            found.append(self.source.crs_how)
        self.found_label.setText(";".join(t.get() for t in found))
        self.report.clear()
        self._fill_mapping()

    @property
    def is_register(self) -> bool:
        """Whether the layer is the information base's houses or residents."""
        return schema.layer(self.layer).register

    def _fill_mapping(self) -> None:
        self.table.setEnabled(not self.is_register)
        if self.source is None or self.is_register:
            self.table.setRowCount(0)
            return
        lyr = schema.layer(self.layer)
        guess = guess_mapping(self.layer, self.source.columns)
        self.table.setRowCount(0)
        for fld in lyr.fields:
            row = self.table.rowCount()
            self.table.insertRow(row)
            title = fld.alias(self.language) + (" *" if fld.required else "")
            item = QTableWidgetItem(f"{title}  ({fld.name})")
            item.setData(Qt.UserRole, fld.name)
            item.setFlags(Qt.ItemIsEnabled)
            if fld.required:
                item.setForeground(QColor("#8b0000"))
            self.table.setItem(row, 0, item)
            combo = QComboBox(self.table)
            combo.addItem(_NONE.get(), "")
            for column in self.source.columns:
                combo.addItem(column, column)
            combo.setCurrentIndex(max(combo.findData(guess.get(fld.name) or ""), 0))
            self.table.setCellWidget(row, 1, combo)

    def _update_photos_row(self) -> None:
        self.photos_edit.setEnabled(self.layer == "staff")

    def _browse(self) -> None:  # pragma: no cover - needs a user
        path, _ = QFileDialog.getOpenFileName(
            self, Text("选择要导入的文件", "File to import").get(), "", _FILTER.get()
        )
        if path:
            self.set_source(path)

    # -- running ---------------------------------------------------------------------

    def _error(self, exc: GridGisError) -> None:
        self.report.setPlainText(str(exc))
        self.report.setStyleSheet("color: #8b0000;")

    def _show(
        self, reports: list[ImportReport] | list[RegisterReport], title: Text
    ) -> None:
        lines = [title.get()]
        for report in reports:
            lines += [line.get() for line in report.lines()]
        self.report.setStyleSheet("")
        self.report.setPlainText("\n".join(lines))

    def plans(self) -> list[ImportPlan]:
        """Plan the import with the current choices (nothing is written)."""
        if self.source is None:
            raise ValueError("no source file")
        mapping = self.mapping()
        if self.layer == "staff":
            photos = self.photos_edit.text().strip()
            staff_fields = {f.name for f in schema.layer("staff").fields}
            return plan_roster(  # type: ignore[return-value]
                self.store,
                self.source.path,
                photos=photos or None,
                mapping={k: v for k, v in mapping.items() if k in staff_fields},
                sheet=self.source.layer if self.source.format == "xlsx" else None,
                encoding=self.encoding_combo.currentData() or None,
            )
        return [plan_import(self.store, self.source, self.layer, mapping=mapping)]

    def register_plan(self) -> RegisterPlan:
        """Plan the import of a filled houses or residents template (nothing written)."""
        mode = str(self.mode_combo.currentData())
        if mode == "update":
            raise GridGisError(
                "Import a houses or residents template with 'add' or 'replace'.",
                "房屋、居民登记表请选择“追加”或“替换”方式导入。",
            )
        return plan_register(
            self.store,
            Path(self.path_edit.text()),
            self.layer,
            mode=mode,
            encoding=self.encoding_combo.currentData() or None,
        )

    def check(self) -> bool:
        """Plan and show the report without writing; ``True`` if the import would work."""
        try:
            if self.is_register:
                reports: list[ImportReport] | list[RegisterReport] = [
                    self.register_plan().report
                ]
            else:
                reports = [p.report for p in self.plans()]
        except GridGisError as exc:
            self._error(exc)
            return False
        self._show(
            reports,
            Text("检查通过,尚未写入:", "Checked; nothing written yet:"),
        )
        return True

    def run_import(self) -> None:
        """Import with the current choices; close the dialog when it worked."""
        if self.source is None and not (self.is_register and self.path_edit.text()):
            self._error(
                GridGisError("Choose a file to import first.", "请先选择要导入的文件。")
            )
            return
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            if self.is_register:
                plan = self.register_plan()
                with acting_as("app: import"):
                    report = apply_register(
                        self.store, plan, feedback=_Progress(self.progress)
                    )
                self._show([report], Text("已导入:", "Imported:"))
                self.imported.emit([report])
                self.accept()
                return
            plans = self.plans()
            with acting_as("app: import"):
                self.reports = apply_imports(
                    self.store,
                    plans,
                    mode=str(self.mode_combo.currentData()),
                    feedback=_Progress(self.progress),
                )
        except GridGisError as exc:
            self._error(exc)
            return
        finally:
            QApplication.restoreOverrideCursor()
        self._show(self.reports, Text("已导入:", "Imported:"))
        self.imported.emit(self.reports)
        self.accept()
