"""The print dialog: grid boards, service cards and overview maps of a project.

The dialog gets everything it needs as arguments (the project file, the grid to
preview) and shows the selected grid's board as it will be printed. Printing runs as a
``QgsTask`` that watches a child process doing the printing
(:func:`gridgis.qgis.print_worker.print_in_process`): the window stays responsive, no
rendering happens in a background thread, and cancel stops the child cleanly.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsApplication, QgsTask
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QPixmap
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridgis.core.errors import GridGisError
from gridgis.core.i18n import Text
from gridgis.core.progress import Cancelled
from gridgis.core.store import open_project

#: Board templates offered, with their user-visible names.
TEMPLATES = (
    ("board-a3", Text("A3 横版公示牌", "A3 landscape board")),
    ("board-a4", Text("A4 竖版公示牌", "A4 portrait board")),
)


class _TaskFeedback:
    """GridGIS feedback backed by a ``QgsTask`` (progress bar and cancel)."""

    def __init__(self, task: QgsTask) -> None:
        self.task = task

    def set_progress(self, percent: float) -> None:
        self.task.setProgress(percent)

    def is_cancelled(self) -> bool:
        return bool(self.task.isCanceled())


class PrintBoardsTask(QgsTask):
    """Prints boards in the background; ``result`` or ``error`` tell how it went."""

    def __init__(self, project_file: Path, out: Path, **options: object) -> None:
        super().__init__(Text("打印网格公示牌", "Printing grid boards").get())
        self.project_file = project_file
        self.out = out
        self.options = options
        self.result = None
        self.error: GridGisError | None = None

    def run(self) -> bool:
        from gridgis.qgis.print_worker import print_in_process

        try:
            self.result = print_in_process(
                self.project_file,
                self.out,
                feedback=_TaskFeedback(self),
                **self.options,
            )
        except Cancelled:
            return False
        except GridGisError as exc:
            self.error = exc
            return False
        return True


class PrintBoardsDialog(QDialog):
    """Choose what to print, preview a board, print in the background.

    Parameters
    ----------
    project_file
        The GridGIS project to print from.
    grid
        The grid whose board the preview shows (default: the first of the scope).
    out
        The output folder offered (default: ``<project>-boards`` beside the project).
    """

    #: Emitted with the :class:`~gridgis.qgis.boards.PrintResult` of a finished run.
    printed = pyqtSignal(object)

    def __init__(
        self,
        project_file: str | Path,
        grid: str | None = None,
        parent: QWidget | None = None,
        *,
        out: str | Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.project_file = Path(project_file)
        self.task: PrintBoardsTask | None = None
        store = open_project(self.project_file)
        self.grids = store.read("grids", columns=["code", "name", "community_code"])
        self.grids = self.grids.sort_values("code")
        communities = store.read("communities", columns=["code", "name", "street_code"])
        streets = store.read("streets", columns=["code", "name"])
        divided = set(self.grids["community_code"])
        self.setWindowTitle(Text("打印网格公示牌", "Print grid boards").get())

        self.scope = QComboBox(self)
        self.scope.addItem(Text("全部网格", "All grids").get(), "")
        for row in streets.sort_values("code").itertuples():
            self.scope.addItem(f"{row.name} ({row.code})", f"street:{row.code}")
        for row in communities.sort_values("code").itertuples():
            if row.code in divided:
                self.scope.addItem(
                    f"  {row.name} ({row.code})", f"community:{row.code}"
                )
        self.preview_grid = QComboBox(self)
        for row in self.grids.itertuples():
            self.preview_grid.addItem(f"{row.name} ({row.code})", row.code)
        if grid is not None and (index := self.preview_grid.findData(grid)) >= 0:
            self.preview_grid.setCurrentIndex(index)
        self.template = QComboBox(self)
        for name, title in TEMPLATES:
            self.template.addItem(title.get(), name)
        self.cards = QCheckBox(
            Text("便民服务卡(每张 A4 10 张)", "Service cards (10 per A4)").get(), self
        )
        self.overview = QCheckBox(
            Text("街道、社区网格分布图", "Street and community maps").get(), self
        )
        self.png = QCheckBox(
            Text("每块公示牌另存 PNG 图片", "A PNG of every board").get(), self
        )
        default_out = out or self.project_file.with_name(
            f"{self.project_file.stem}-boards"
        )
        self.out = QLineEdit(str(default_out), self)
        browse = QPushButton(Text("浏览…", "Browse…").get(), self)
        browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out)
        out_row.addWidget(browse)

        form = QFormLayout()
        form.addRow(Text("打印范围", "Print").get(), self.scope)
        form.addRow(Text("模板", "Template").get(), self.template)
        form.addRow(Text("预览网格", "Preview").get(), self.preview_grid)
        form.addRow("", self.cards)
        form.addRow("", self.overview)
        form.addRow("", self.png)
        form.addRow(Text("输出文件夹", "Output folder").get(), out_row)

        self.preview = QLabel(self)
        self.preview.setAlignment(Qt.AlignCenter)
        self.preview.setMinimumSize(560, 400)
        self.preview.setStyleSheet("background: #e8e6e1;")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.print_button = self.buttons.addButton(
            Text("打印", "Print").get(), QDialogButtonBox.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(
            Text("取消打印", "Cancel printing").get(), QDialogButtonBox.ActionRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.Close)
        self.cancel_button.setEnabled(False)
        self.print_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addLayout(form, 0)
        top.addWidget(self.preview, 1)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self.scope.currentIndexChanged.connect(self._scope_changed)
        self.preview_grid.currentIndexChanged.connect(self.refresh_preview)
        self.template.currentIndexChanged.connect(self.refresh_preview)
        self.refresh_preview()

    # -- what to print ----------------------------------------------------------------

    def options(self) -> dict[str, object]:
        """The options of :func:`~gridgis.qgis.boards.print_boards` chosen."""
        kind, _, code = self.scope.currentData().partition(":")
        return {
            "community": code if kind == "community" else None,
            "street": code if kind == "street" else None,
            "template": self.template.currentData(),
            "cards": self.cards.isChecked(),
            "overview": self.overview.isChecked(),
            "png": self.png.isChecked(),
        }

    def _scope_changed(self) -> None:
        kind, _, code = self.scope.currentData().partition(":")
        if not kind:
            return
        column = "community_code"
        inside = self.grids[
            self.grids[column] == code
            if kind == "community"
            else self.grids[column].str.startswith(code)
        ]
        current = self.preview_grid.currentData()
        if not inside.empty and current not in set(inside["code"]):
            self.preview_grid.setCurrentIndex(
                self.preview_grid.findData(inside["code"].iloc[0])
            )

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.windowTitle(), self.out.text()
        )
        if chosen:
            self.out.setText(chosen)

    def refresh_preview(self) -> None:
        """Render the selected grid's board into the preview."""
        from gridgis.qgis.boards import render_preview

        grid = self.preview_grid.currentData()
        if grid is None:
            return
        try:
            image = render_preview(
                self.project_file, grid, template=self.template.currentData(), dpi=48
            )
        except GridGisError as exc:
            self.preview.setText(str(exc))
            return
        self.preview.setPixmap(
            QPixmap.fromImage(image).scaled(
                self.preview.size(), Qt.KeepAspectRatio, Qt.SmoothTransformation
            )
        )
        self.preview_image = image

    # -- printing -------------------------------------------------------------------

    def start(self) -> PrintBoardsTask | None:
        """Start printing in the background; return the task (``None`` if refused)."""
        from gridgis.qgis.templates import check_font

        try:
            check_font()
        except GridGisError as exc:
            self.status.setText(str(exc))
            return None
        self.task = PrintBoardsTask(
            self.project_file, Path(self.out.text()), **self.options()
        )
        self.task.progressChanged.connect(
            lambda value: self.progress.setValue(int(value))
        )
        self.task.taskCompleted.connect(self._completed)
        self.task.taskTerminated.connect(self._terminated)
        self.print_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(Text("正在打印…", "Printing…").get())
        QgsApplication.taskManager().addTask(self.task)
        return self.task

    def cancel(self) -> None:
        """Ask the running print to stop; nothing partial is written."""
        if self.task is not None:
            self.task.cancel()

    def _completed(self) -> None:
        assert self.task is not None
        result = self.task.result
        self.progress.setValue(100)
        self.status.setText(
            Text("已打印 {n} 块公示牌到 {out}", "Printed {n} boards to {out}")
            .format(n=len(result.grids), out=result.directory)
            .get()
        )
        self._idle()
        self.printed.emit(result)

    def _terminated(self) -> None:
        assert self.task is not None
        if self.task.error is not None:
            self.status.setText(str(self.task.error))
        else:
            self.status.setText(
                Text("已取消,未写入任何文件。", "Cancelled; nothing was written.").get()
            )
        self.progress.setValue(0)
        self._idle()

    def _idle(self) -> None:
        self.print_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
