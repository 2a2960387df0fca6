"""Choose a person from the roster and the post they take in a grid."""

from __future__ import annotations

import pandas as pd
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridgis.app.i18n import tr
from gridgis.core.settings import Role


class StaffPickerDialog(QDialog):
    """A searchable roster, a role and the AB-backup flag.

    Parameters
    ----------
    staff
        The roster (``id``, ``name``, ``phone``, ``organisation``).
    roles
        The project's role catalogue.
    """

    def __init__(
        self,
        staff: pd.DataFrame,
        roles: tuple[Role, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Assign staff"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search by name, ID or organisation…"))
        self.search.setClearButtonEnabled(True)
        self.people = QListWidget()
        for person in staff.sort_values("name").itertuples():
            org = person.organisation if isinstance(person.organisation, str) else ""
            item = QListWidgetItem(f"{person.name}  ({person.id})  {org}".rstrip())
            item.setData(Qt.UserRole, str(person.id))
            self.people.addItem(item)
        self.role = QComboBox()
        for role in roles:
            self.role.addItem(role.label.get(), role.id)
        self.backup = QCheckBox(tr("AB backup (covers the partner grid)"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText(tr("Assign"))
        self.buttons.button(QDialogButtonBox.Cancel).setText(tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.search.textChanged.connect(self._filter)
        self.people.currentItemChanged.connect(self._update_ok)
        form = QFormLayout()
        form.addRow(tr("Role"), self.role)
        form.addRow("", self.backup)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.people)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(420, 480)
        self._update_ok()

    def _filter(self, text: str) -> None:
        text = text.strip().lower()
        for row in range(self.people.count()):
            item = self.people.item(row)
            item.setHidden(bool(text) and text not in item.text().lower())

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(
            self.people.currentItem() is not None
        )

    def choose(self, staff_id: str) -> None:
        """Select the person ``staff_id`` in the list."""
        for row in range(self.people.count()):
            item = self.people.item(row)
            if item.data(Qt.UserRole) == staff_id:
                self.people.setCurrentItem(item)
                return
        raise KeyError(staff_id)

    def selection(self) -> tuple[str, str, bool]:
        """The chosen ``(staff_id, role, is_backup)``."""
        item = self.people.currentItem()
        if item is None:
            raise LookupError("no person chosen")
        return (
            str(item.data(Qt.UserRole)),
            str(self.role.currentData()),
            self.backup.isChecked(),
        )
