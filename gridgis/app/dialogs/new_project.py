"""A new, empty GridGIS project: county code, coordinate zone and role catalogue."""

from __future__ import annotations

from qgis.PyQt.QtCore import QRegularExpression
from qgis.PyQt.QtGui import QRegularExpressionValidator
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gridgis.app.i18n import tr
from gridgis.core.crs import central_meridian
from gridgis.core.settings import ROLE_PRESET_TITLES, Settings

#: EPSG codes of the CGCS2000 3-degree Gauss–Krüger zones without zone prefix.
GK_ZONES = tuple(range(4534, 4555))


class NewProjectDialog(QDialog):
    """Ask for what a new project needs before its file is created."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("New project"))
        self.county = QLineEdit()
        self.county.setPlaceholderText("320508")
        self.county.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{6}"), self.county)
        )
        self.zone = QComboBox()
        for epsg in GK_ZONES:
            self.zone.addItem(
                tr("CGCS2000 / 3-degree Gauss–Krüger CM {cm}°E (EPSG:{epsg})").format(
                    cm=central_meridian(epsg), epsg=epsg
                ),
                epsg,
            )
        self.zone.setCurrentIndex(GK_ZONES.index(4549))
        self.roles = QComboBox()
        for preset, title in ROLE_PRESET_TITLES.items():
            self.roles.addItem(title.get(), preset)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText(tr("Create…"))
        self.buttons.button(QDialogButtonBox.Cancel).setText(tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.county.textChanged.connect(self._check)
        form = QFormLayout()
        form.addRow(tr("County code (GB/T 2260)"), self.county)
        form.addRow(tr("Coordinate system"), self.zone)
        form.addRow(tr("Staff roles"), self.roles)
        hint = QLabel(
            tr(
                "Grid codes start with the county code; choose the zone whose central "
                "meridian is nearest to your district."
            )
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self._check()

    def _check(self) -> None:
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(
            self.county.hasAcceptableInput()
        )

    def project_settings(self) -> Settings:
        """The settings of the project to create."""
        return Settings.default(
            crs_epsg=int(self.zone.currentData()),
            code_prefix=self.county.text(),
            role_preset=str(self.roles.currentData()),
        )
