"""Application preferences: the language of the interface."""

from __future__ import annotations

from qgis.PyQt.QtCore import QSettings
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from gridgis.app.i18n import choose_language, chosen_language, tr


class PreferencesDialog(QDialog):
    """Choose the interface language (system, Chinese or English)."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(tr("Settings"))
        self.language = QComboBox()
        self.language.addItem(tr("System language"), "")
        self.language.addItem("中文(简体)", "zh")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(
            max(self.language.findData(chosen_language(settings)), 0)
        )
        note = QLabel(tr("The new language is used the next time GridGIS starts."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText(tr("OK"))
        buttons.button(QDialogButtonBox.Cancel).setText(tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(tr("Language"), self.language)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def accept(self) -> None:
        choose_language(self.settings, str(self.language.currentData()))
        super().accept()
