"""The validation panel: the validator's findings, filtered, and where they are on the map.

The whole file is checked in the background when it is opened (and on request); after
every edit only the touched communities are checked again, which takes a fraction of a
second. A click on a finding zooms the map to it and outlines it. The findings can be
narrowed to the community in view, to errors or warnings, and to one rule or family.
The file's ``issues`` layer is kept in step with the panel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import shapely
from qgis.core import QgsApplication, QgsGeometry, QgsWkbTypes
from qgis.gui import QgsMapCanvas, QgsRubberBand
from qgis.PyQt.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
    pyqtSignal,
)
from qgis.PyQt.QtGui import QColor, QIcon, QPainter, QPixmap
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridgis.app.docks.zoom import zoom_to_geometry
from gridgis.app.i18n import tr
from gridgis.app.session import ProjectSession
from gridgis.app.tools.picking import community_at
from gridgis.core.definitions import Severity
from gridgis.core.errors import GridGisError
from gridgis.core.store import is_postgres, open_project
from gridgis.core.validate import FAMILIES, RULES, Issue, validate_project, write_issues
from gridgis.qgis.layers import project_title
from gridgis.qgis.tasks import EngineTask

#: Item data role carrying the :class:`Issue` of a row.
ISSUE_ROLE = Qt.UserRole + 1

_SEVERITY_COLOURS = {Severity.ERROR: "#d7191c", Severity.WARNING: "#f39c12"}
_icons: dict[Severity, QIcon] = {}


def severity_icon(severity: Severity) -> QIcon:
    """A red (error) or orange (warning) dot."""
    if severity not in _icons:
        pixmap = QPixmap(12, 12)
        pixmap.fill(Qt.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setBrush(QColor(_SEVERITY_COLOURS[severity]))
        painter.setPen(Qt.NoPen)
        painter.drawEllipse(1, 1, 10, 10)
        painter.end()
        _icons[severity] = QIcon(pixmap)
    return _icons[severity]


def rule_title(rule: str) -> str:
    """The user-visible title of a rule id."""
    known = RULES.get(rule)
    return known.title.get() if known is not None else rule


class IssueModel(QAbstractTableModel):
    """A list of :class:`Issue` as a table: severity, rule, code, message."""

    COLUMNS = ("severity", "rule", "code", "message")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.issues: list[Issue] = []

    # -- changing the findings -------------------------------------------------------

    def set_issues(self, issues: Iterable[Issue]) -> None:
        """Show ``issues`` (a check of the whole file)."""
        self.beginResetModel()
        self.issues = sorted(issues, key=Issue.sort_key)
        self.endResetModel()

    def replace_community(self, community: str, issues: Iterable[Issue]) -> None:
        """Replace the findings of ``community`` by ``issues`` (a check after an edit)."""
        kept = [i for i in self.issues if i.community != community]
        self.set_issues([*kept, *issues])

    def issue(self, row: int) -> Issue:
        """The finding of ``row``."""
        return self.issues[row]

    def counts(self, issues: Iterable[Issue] | None = None) -> tuple[int, int]:
        """Errors and warnings among ``issues`` (default: all)."""
        chosen = list(self.issues if issues is None else issues)
        errors = sum(i.severity is Severity.ERROR for i in chosen)
        return errors, len(chosen) - errors

    # -- Qt model --------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.issues)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: int, role: int = Qt.DisplayRole):  # type: ignore[no-untyped-def]
        if orientation != Qt.Horizontal or role != Qt.DisplayRole:
            return None
        return (tr("Severity"), tr("Rule"), tr("Code"), tr("Problem"))[section]

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):  # type: ignore[no-untyped-def]
        if not index.isValid():
            return None
        issue = self.issues[index.row()]
        column = self.COLUMNS[index.column()]
        if role == ISSUE_ROLE:
            return issue
        if role == Qt.DisplayRole:
            if column == "severity":
                return issue.severity.label.get()
            if column == "rule":
                return rule_title(issue.rule)
            if column == "code":
                return issue.feature or issue.code or ""
            return issue.message.get()
        if role == Qt.DecorationRole and column == "severity":
            return severity_icon(issue.severity)
        if role == Qt.ToolTipRole:
            return f"{rule_title(issue.rule)} ({issue.rule})\n{issue.message.get()}"
        return None


class IssueFilter(QSortFilterProxyModel):
    """Narrow the findings to a severity, a rule (or family) and a community."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.severity: Severity | None = None
        self.rule: str | None = None
        self.community: str | None = None
        self.whole_file = True

    def set_severity(self, severity: Severity | None) -> None:
        """Only errors, only warnings, or both (``None``)."""
        self.severity = severity
        self.invalidateFilter()

    def set_rule(self, rule: str | None) -> None:
        """Only one rule id or family (``None``: every rule)."""
        self.rule = rule
        self.invalidateFilter()

    def set_scope(self, whole_file: bool, community: str | None = None) -> None:
        """The whole file, or only the findings of ``community``."""
        self.whole_file = whole_file
        self.community = community
        self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, IssueModel)
        issue = model.issue(row)
        if self.severity is not None and issue.severity is not self.severity:
            return False
        if self.rule is not None and not (
            issue.rule == self.rule or issue.rule.split(".", 1)[0] == self.rule
        ):
            return False
        return self.whole_file or (
            self.community is not None and issue.community == self.community
        )

    def shown(self) -> list[Issue]:
        """The findings that pass the filter, in view order."""
        model = self.sourceModel()
        assert isinstance(model, IssueModel)
        return [
            model.issue(self.mapToSource(self.index(r, 0)).row())
            for r in range(self.rowCount())
        ]


class ValidationDock(QDockWidget):
    """Dock with the findings of the project's checks.

    Parameters
    ----------
    session
        The open project; its edits trigger a check of the touched communities.
    canvas
        The map to zoom to a finding and to find the community in view.
    check_on_open
        Check the whole file in the background right away.
    """

    #: A check of the whole file finished (carries the number of findings).
    checked = pyqtSignal(int)

    def __init__(
        self,
        session: ProjectSession,
        canvas: QgsMapCanvas,
        parent: QWidget | None = None,
        *,
        check_on_open: bool = True,
    ) -> None:
        super().__init__(tr("Checks"), parent)
        self.setObjectName("validation")
        self.session = session
        self.canvas = canvas
        self.task: EngineTask | None = None
        self._edited_during_check: set[str] = set()
        self.model = IssueModel(self)
        self.proxy = IssueFilter(self)
        self.proxy.setSourceModel(self.model)

        self.check_button = QPushButton(tr("Check all"))
        self.check_button.setToolTip(tr("Check the whole file against every rule"))
        self.scope = QComboBox()
        self.scope.addItem(tr("Whole file"), True)
        self.scope.addItem(tr("Community in view"), False)
        self.severity = QComboBox()
        self.severity.addItem(tr("Errors and warnings"), None)
        self.severity.addItem(Severity.ERROR.label.get(), Severity.ERROR)
        self.severity.addItem(Severity.WARNING.label.get(), Severity.WARNING)
        self.rule = QComboBox()
        self.rule.addItem(tr("All rules"), None)
        for family in FAMILIES:
            members = [r for r in RULES.values() if r.family == family]
            if not members:
                continue
            for rule in members:
                self.rule.addItem(f"{rule.title.get()}", rule.id)
        self.summary = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumHeight(12)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(22)
        header = self.view.horizontalHeader()
        # Fixed starting widths: resizing to contents divides by zero in Qt 5.15 when
        # the list is empty.
        header.setSectionResizeMode(QHeaderView.Interactive)
        digits = header.fontMetrics().horizontalAdvance("000000000000000")
        for column, width in enumerate((70, 150, digits + 16)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)

        filters = QHBoxLayout()
        filters.addWidget(self.check_button)
        filters.addWidget(self.scope)
        filters.addWidget(self.severity)
        filters.addWidget(self.rule, 1)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(filters)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self.setWidget(body)

        self.highlight = QgsRubberBand(canvas, QgsWkbTypes.PolygonGeometry)
        self.highlight.setColor(QColor(215, 25, 28, 230))
        self.highlight.setFillColor(QColor(215, 25, 28, 50))
        self.highlight.setWidth(3)

        self.check_button.clicked.connect(lambda _checked=False: self.check_all())
        self.scope.currentIndexChanged.connect(self._scope_changed)
        self.severity.currentIndexChanged.connect(
            lambda _i: self.proxy.set_severity(self.severity.currentData())
        )
        self.rule.currentIndexChanged.connect(
            lambda _i: self.proxy.set_rule(self.rule.currentData())
        )
        self.canvas.extentsChanged.connect(self._follow_view)
        self.view.clicked.connect(self._clicked)
        self.model.modelReset.connect(self._update_summary)
        self.proxy.layoutChanged.connect(self._update_summary)
        self.proxy.rowsInserted.connect(self._update_summary)
        self.proxy.rowsRemoved.connect(self._update_summary)
        self.proxy.modelReset.connect(self._update_summary)
        session.edited.connect(self.check_communities)
        self._update_summary()
        if check_on_open:
            # Opening a project only shows what is found; the file is written when
            # the user edits or asks for a check.
            self.check_all(store_findings=False)

    # -- checking --------------------------------------------------------------------

    def check_all(self, *, store_findings: bool = True) -> None:
        """Check the whole file in the background (progress bar, can be stopped).

        With ``store_findings`` the findings replace those kept in the file.
        """
        if self.task is not None:
            return
        self._store_findings = store_findings
        path = self.session.path

        def work(feedback):  # type: ignore[no-untyped-def]
            with open_project(path) as store:
                return validate_project(store, feedback=feedback)

        name = project_title(path) if is_postgres(path) else Path(path).name
        task = EngineTask(tr("Check {name}").format(name=name), work)
        task.progressChanged.connect(self._progress)
        task.done.connect(self._checked_all)
        task.failed.connect(self._check_failed)
        self.task = task
        self._edited_during_check = set()
        self.progress.setValue(0)
        self.progress.show()
        self.check_button.setEnabled(False)
        self.summary.setText(tr("Checking the whole file…"))
        QgsApplication.taskManager().addTask(task)

    def _progress(self, value: float) -> None:
        self.progress.setValue(round(value))

    def shutdown(self) -> None:
        """Stop a running check (the project is being closed)."""
        task, self.task = self.task, None
        if task is not None:
            for signal in (task.progressChanged, task.done, task.failed):
                signal.disconnect()
            task.cancel()
        self.highlight.reset(QgsWkbTypes.PolygonGeometry)

    def _checked_all(self, issues: list[Issue]) -> None:
        self.task = None
        self.progress.hide()
        self.check_button.setEnabled(True)
        self.model.set_issues(issues)
        if getattr(self, "_store_findings", True):
            try:
                write_issues(self.session.store, issues)
            except GridGisError as exc:  # a read-only or busy file: shown, not kept
                self.session.notify(str(exc), 1)
            self.session.refresh_layers(["issues"])
        # Communities edited while the check ran are checked again as they are now.
        edited, self._edited_during_check = self._edited_during_check, set()
        if edited:
            self.check_communities(edited)
        self.checked.emit(len(self.model.issues))

    def _check_failed(self, error: BaseException) -> None:
        self.task = None
        self.progress.hide()
        self.check_button.setEnabled(True)
        self.summary.setText(str(error))

    def check_communities(self, communities: Iterable[str]) -> None:
        """Check the communities ``communities`` again (after an edit)."""
        codes = sorted(set(communities))
        if self.task is not None:
            self._edited_during_check.update(codes)
        store = self.session.store
        for code in codes:
            issues = validate_project(store, community=code)
            self.model.replace_community(code, issues)
            write_issues(store, issues, community=code)
        if codes:
            self.session.refresh_layers(["issues"])

    # -- filters ---------------------------------------------------------------------

    def _scope_changed(self) -> None:
        whole = bool(self.scope.currentData())
        self.proxy.set_scope(whole, None if whole else self.community_in_view())

    def _follow_view(self) -> None:
        if not self.proxy.whole_file:
            self.proxy.set_scope(False, self.community_in_view())

    def community_in_view(self) -> str | None:
        """The community under the centre of the map."""
        centre = self.canvas.extent().center()
        return community_at(self.session.store, centre.x(), centre.y())

    def _update_summary(self, *_: object) -> None:
        if self.task is not None:
            return
        errors, warnings = self.model.counts(self.proxy.shown())
        self.summary.setText(
            tr("{errors} errors, {warnings} warnings").format(
                errors=errors, warnings=warnings
            )
        )

    # -- showing a finding -----------------------------------------------------------

    def _clicked(self, index: QModelIndex) -> None:
        issue = self.proxy.data(index, ISSUE_ROLE)
        if isinstance(issue, Issue):
            self.show_issue(issue)

    def show_issue(self, issue: Issue) -> None:
        """Zoom to ``issue`` and outline it."""
        self.highlight.reset(QgsWkbTypes.PolygonGeometry)
        location = issue.location
        if location is None or location.is_empty:
            return
        shape = location
        if location.geom_type in (
            "Point",
            "MultiPoint",
            "LineString",
            "MultiLineString",
        ):
            shape = shapely.buffer(location, 3.0)
        geometry = QgsGeometry()
        geometry.fromWkb(shapely.to_wkb(shape))
        self.highlight.setToGeometry(geometry, None)
        zoom_to_geometry(self.canvas, geometry)

    def shown_issues(self) -> Sequence[Issue]:
        """The findings the panel lists now (after the filters)."""
        return self.proxy.shown()

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.highlight.reset(QgsWkbTypes.PolygonGeometry)
        super().closeEvent(event)
