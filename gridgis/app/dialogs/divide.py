"""Dividing a community automatically: options, a background task, the quality report.

The division is computed in the background (a ``QgsTask`` with a progress bar and a
cancel button) on the project file; nothing is written until the planner has read the
quality report, looked at the proposed grids drawn over the map, and accepted. The
accepted division is one undoable edit.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsApplication, QgsGeometry, QgsWkbTypes
from qgis.gui import QgsMapCanvas, QgsRubberBand
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gridgis.app.i18n import tr
from gridgis.app.session import ProjectSession
from gridgis.core.definitions import OverlayKind
from gridgis.core.divide import Division, DivisionOptions, divide_community
from gridgis.core.edit import division_changes
from gridgis.core.errors import GridGisError
from gridgis.core.i18n import current_language
from gridgis.core.progress import Cancelled
from gridgis.core.settings import HouseholdBand
from gridgis.core.staff_moves import division_staff_moves
from gridgis.core.store import open_project
from gridgis.qgis.tasks import EngineTask, TaskFeedback


def compute_division(
    path: Path, community: str, options: DivisionOptions, feedback: TaskFeedback
) -> Division:
    """Divide ``community`` of the project file at ``path`` (runs on a worker thread)."""
    with open_project(path) as store:
        return divide_community(store, community, options, feedback)


class DivideDialog(QDialog):
    """Divide one community automatically, read the report, accept or discard.

    Parameters
    ----------
    session
        The open project.
    community
        The 12-digit code of the community to divide.
    canvas
        Where the proposed grids are drawn for a look before accepting (optional).
    """

    #: The division was computed (carries the :class:`Division`).
    computed = pyqtSignal(object)
    #: Computing failed or was cancelled (carries the exception).
    failed = pyqtSignal(object)

    def __init__(
        self,
        session: ProjectSession,
        community: str,
        canvas: QgsMapCanvas | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.community = community
        self.canvas = canvas
        self.division: Division | None = None
        self.task: EngineTask | None = None
        self.preview: list[QgsRubberBand] = []
        names = session.store.read("communities", where={"code": community},
                                   columns=["name"])  # fmt: skip
        self.community_name = str(names["name"].iloc[0]) if len(names) else community
        self.setWindowTitle(tr("Divide {name}").format(name=self.community_name))

        band = session.settings.band("residential")
        self.band_min = QSpinBox()
        self.band_max = QSpinBox()
        for box, value in ((self.band_min, band.min), (self.band_max, band.max)):
            box.setRange(0, 100000)
            box.setValue(value)
        self.grid_count = QSpinBox()
        self.grid_count.setRange(0, 999)
        self.grid_count.setSpecialValueText(tr("automatic"))
        self.unit_grids = QCheckBox(tr("Schools and hospitals become unit grids"))
        self.unit_grids.setChecked(True)
        self.respect: dict[str, QCheckBox] = {}
        present = set(session.store.read("overlays", columns=["kind"])["kind"])
        respect_box = QWidget()
        respect_layout = QVBoxLayout(respect_box)
        respect_layout.setContentsMargins(0, 0, 0, 0)
        for kind in OverlayKind:
            if kind.value in present:
                check = QCheckBox(kind.label.get())
                self.respect[kind.value] = check
                respect_layout.addWidget(check)
        self.keep_selected = QCheckBox()
        self._selected_codes = self._selected_grids()
        self.keep_selected.setText(
            tr("Keep the {n} selected grids as they are").format(
                n=len(self._selected_codes)
            )
        )
        self.keep_selected.setEnabled(bool(self._selected_codes))
        band_row = QHBoxLayout()
        band_row.addWidget(self.band_min)
        band_row.addWidget(QLabel("–"))
        band_row.addWidget(self.band_max)
        options = QGroupBox(tr("Options"))
        form = QFormLayout(options)
        form.addRow(tr("Households per grid"), band_row)
        form.addRow(tr("Number of grids"), self.grid_count)
        form.addRow(tr("Respect boundaries of"), respect_box)
        form.addRow("", self.unit_grids)
        form.addRow("", self.keep_selected)

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.report = QTextBrowser()
        self.report.setMinimumHeight(260)
        self.report.setPlaceholderText(
            tr("Press Divide: the quality report of the proposed grids appears here.")
        )
        self.divide_button = QPushButton(tr("Divide"))
        self.cancel_button = QPushButton(tr("Stop"))
        self.accept_button = QPushButton(tr("Accept division"))
        self.close_button = QPushButton(tr("Close"))
        self.cancel_button.setEnabled(False)
        self.accept_button.setEnabled(False)
        self.divide_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.divide_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(options)
        layout.addWidget(self.progress)
        layout.addWidget(self.report, 1)
        layout.addLayout(buttons)
        self.resize(560, 680)

        self.divide_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.stop)
        self.accept_button.clicked.connect(self.accept_division)
        self.close_button.clicked.connect(self.reject)

    def _selected_grids(self) -> list[str]:
        layer = self.session.layers.get("grids")
        if layer is None:
            return []
        return sorted(
            str(f["code"])
            for f in layer.getSelectedFeatures()
            if str(f["community_code"]) == self.community
        )

    def options(self) -> DivisionOptions:
        """The division options chosen in the dialog."""
        low, high = self.band_min.value(), self.band_max.value()
        return DivisionOptions(
            bands={"residential": HouseholdBand(min(low, high), max(low, high))},
            grids=self.grid_count.value() or None,
            locked=tuple(self._selected_codes)
            if self.keep_selected.isChecked()
            else (),
            respect=tuple(k for k, c in self.respect.items() if c.isChecked()),
            unit_grids=self.unit_grids.isChecked(),
        )

    # -- the task --------------------------------------------------------------------

    def start(self) -> None:
        """Compute the division in the background."""
        try:
            options = self.options()
        except GridGisError as exc:
            self.report.setPlainText(str(exc))
            return
        self.clear_preview()
        self.division = None
        self.accept_button.setEnabled(False)
        self.divide_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.report.setPlainText(
            tr("Dividing {name}…").format(name=self.community_name)
        )
        path, community = self.session.path, self.community
        task = EngineTask(
            tr("Divide {name}").format(name=self.community_name),
            lambda feedback: compute_division(path, community, options, feedback),
        )
        task.progressChanged.connect(lambda value: self.progress.setValue(round(value)))
        task.done.connect(self._computed)
        task.failed.connect(self._failed)
        self.task = task
        QgsApplication.taskManager().addTask(task)

    def stop(self) -> None:
        """Cancel the running division."""
        if self.task is not None:
            self.task.cancel()

    def _computed(self, division: Division) -> None:
        self.task = None
        self.division = division
        self.progress.setValue(100)
        moves = division_staff_moves(self.session.store, division)
        self.report.setHtml(
            division.report.to_html(current_language())
            + moves.to_html(current_language())
        )
        self.divide_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.accept_button.setEnabled(True)
        self.show_preview(division)
        self.computed.emit(division)

    def _failed(self, error: BaseException) -> None:
        self.task = None
        self.divide_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if isinstance(error, Cancelled):
            self.progress.setValue(0)
            self.report.setPlainText(tr("Stopped; nothing was changed."))
        else:
            self.report.setPlainText(str(error))
        self.failed.emit(error)

    # -- accepting ---------------------------------------------------------------------

    def accept_division(self) -> None:
        """Write the division as one undoable edit and close."""
        division = self.division
        if division is None:
            return
        store = self.session.store
        if self.session.try_push(lambda: division_changes(store, division)) is None:
            self.accept_button.setEnabled(False)
            return
        self.accept()

    def done(self, result: int) -> None:
        if self.task is not None:
            self.task.cancel()
        self.clear_preview()
        super().done(result)

    # -- preview on the map ------------------------------------------------------------

    def show_preview(self, division: Division) -> None:
        """Draw the proposed grids over the map."""
        self.clear_preview()
        if self.canvas is None:
            return
        for geom in division.grids.geometry:
            band = QgsRubberBand(self.canvas, QgsWkbTypes.PolygonGeometry)
            band.setToGeometry(QgsGeometry.fromWkt(geom.wkt), None)
            band.setColor(QColor(214, 39, 40, 230))
            band.setFillColor(QColor(214, 39, 40, 25))
            band.setWidth(2)
            band.setLineStyle(Qt.DashLine)
            self.preview.append(band)

    def clear_preview(self) -> None:
        """Remove the proposed grids from the map."""
        if self.canvas is not None:
            for band in self.preview:
                self.canvas.scene().removeItem(band)
        self.preview = []
