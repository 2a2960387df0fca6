"""The grid inspector: one grid's figures, buildings, facilities, staff and AB partner.

It shows the grid selected on the map (or in the hierarchy tree). The name, the kind,
the AB partner and the staff posts are edited here; every change is an undoable edit
written to the project file.
"""

from __future__ import annotations

import pandas as pd
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gridgis.app.dialogs.staff_picker import StaffPickerDialog
from gridgis.app.i18n import tr
from gridgis.app.session import ProjectSession
from gridgis.app.status import INK, GridStatus, grid_band, grid_status
from gridgis.core.definitions import FacilityCategory, Gender, GridKind, Residence
from gridgis.core.edit import (
    assign_staff,
    set_ab_partner,
    unassign_staff,
    update_attributes,
)
from gridgis.core.i18n import Text


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return ""
    return str(value)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setSelectionMode(QAbstractItemView.SingleSelection)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    return table


def _fill(
    table: QTableWidget, rows: list[list[str]], keys: list[int] | None = None
) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(value)
            if keys is not None and c == 0:
                item.setData(Qt.UserRole, keys[r])
            table.setItem(r, c, item)


class GridInspector(QWidget):
    """Figures and lists of the grid selected in the project's grids layer."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.fid: int | None = None
        self.grid: pd.Series | None = None
        self.title = QLabel(tr("Select a grid on the map or in the hierarchy."))
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.code = QLabel()
        self.code.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.name = QLineEdit()
        self.kind = QComboBox()
        for kind in GridKind:
            self.kind.addItem(kind.label.get(), kind.value)
        self.households = QLabel()
        self.population = QLabel()
        self.partner = QComboBox()
        form = QFormLayout()
        form.addRow(tr("Code"), self.code)
        form.addRow(tr("Name"), self.name)
        form.addRow(tr("Kind"), self.kind)
        form.addRow(tr("Households"), self.households)
        form.addRow(tr("Population"), self.population)
        form.addRow(tr("AB partner"), self.partner)

        self.staff = _table([tr("Role"), tr("Name"), tr("Mobile")])
        self.add_staff = QPushButton(tr("Assign…"))
        self.remove_staff = QPushButton(tr("Remove"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_staff)
        buttons.addWidget(self.remove_staff)
        staff_page = QWidget()
        staff_layout = QVBoxLayout(staff_page)
        staff_layout.setContentsMargins(0, 0, 0, 0)
        staff_layout.addWidget(self.staff)
        staff_layout.addLayout(buttons)
        self.buildings = _table([tr("Building"), tr("Address"), tr("Households")])
        self.facilities = _table([tr("Facility"), tr("Category")])
        self.residents = _table(
            [
                Text("姓名", "Name").get(),
                Text("性别", "Gender").get(),
                Text("身份证号", "ID number").get(),
                Text("电话", "Phone").get(),
                Text("人口类型", "Residence").get(),
                Text("重点人员类别", "Categories").get(),
                Text("房屋", "House").get(),
            ]
        )
        self.resident_counts = QLabel()
        self.resident_counts.setWordWrap(True)
        residents_page = QWidget()
        residents_layout = QVBoxLayout(residents_page)
        residents_layout.setContentsMargins(0, 0, 0, 0)
        residents_layout.addWidget(self.resident_counts)
        residents_layout.addWidget(self.residents)
        self.tabs = QTabWidget()
        self.tabs.addTab(staff_page, tr("Staff"))
        self.tabs.addTab(self.buildings, tr("Buildings"))
        self.tabs.addTab(self.facilities, tr("Facilities"))
        self.tabs.addTab(residents_page, Text("居民", "Residents").get())

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.tabs, 1)

        self.name.editingFinished.connect(self._rename)
        self.kind.activated.connect(self._change_kind)
        self.partner.activated.connect(self._change_partner)
        self.add_staff.clicked.connect(self.pick_staff)
        self.remove_staff.clicked.connect(self._remove_staff)
        self.staff.itemSelectionChanged.connect(self._update_buttons)
        grids = session.layers.get("grids")
        if grids is not None:
            grids.selectionChanged.connect(self._selection_changed)
        session.edited.connect(self._edited)
        self.show_grid(None)

    # -- showing -----------------------------------------------------------------

    def _selection_changed(self, *_: object) -> None:
        if self.session.refreshing:
            return  # the edit's own signal follows
        ids = sorted(self.session.layers["grids"].selectedFeatureIds())
        self.show_grid(ids[0] if ids else None)

    def _edited(self, communities: frozenset[str]) -> None:
        if self.fid is None:
            return
        if self.grid is None or str(self.grid["community_code"]) in communities:
            self.show_grid(self.fid)

    def show_grid(self, fid: int | None) -> None:
        """Show grid ``fid`` (``None``: nothing)."""
        grids = self._community_grids(fid)
        if fid is None or grids is None or fid not in grids.index:
            self.fid, self.grid = None, None
            self.title.setText(tr("Select a grid on the map or in the hierarchy."))
            for widget in (self.code, self.households, self.population):
                widget.clear()
            self.name.clear()
            self.partner.clear()
            for table in (self.staff, self.buildings, self.facilities, self.residents):
                table.setRowCount(0)
            self.resident_counts.clear()
            self._enable(False)
            return
        self.fid = fid
        grid = grids.loc[fid]
        self.grid = grid
        code = str(grid["code"])
        self.title.setText(_text(grid["name"]))
        self.code.setText(code)
        self.name.setText(_text(grid["name"]))
        self.kind.setCurrentIndex(max(self.kind.findData(str(grid["kind"])), 0))
        band = grid_band(
            self.session.settings,
            str(grid["kind"]),
            grid["min_households"],
            grid["max_households"],
        )
        status = grid_status(grid["households"], band)
        label = {
            GridStatus.IN: tr("in band"),
            GridStatus.UNDER: tr("under band"),
            GridStatus.OVER: tr("over band"),
            GridStatus.UNKNOWN: tr("not counted"),
        }[status]
        households = _text(grid["households"]) or "?"
        self.households.setText(
            tr("{households} (band {low}–{high}, {status})").format(
                households=households, low=band.min, high=band.max, status=label
            )
        )
        self.households.setStyleSheet(f"color: {QColor(INK[status]).name()};")
        self.population.setText(_text(grid["population"]))
        self._fill_partner(grids, fid)
        self._fill_staff(code)
        self._fill_buildings(code)
        self._fill_facilities(code)
        self._fill_residents(code)
        self._enable(True)

    def _community_grids(self, fid: int | None) -> pd.DataFrame | None:
        """The grids of the community of grid ``fid`` (read fresh from the file)."""
        layer = self.session.layers.get("grids")
        if fid is None or layer is None:
            return None
        feature = layer.getFeature(fid)
        if not feature.isValid():
            return None
        return self.session.community_grids(str(feature["community_code"]))

    def households_figure(self) -> int | None:
        """The households of the grid shown (``None`` when none is)."""
        if self.grid is None:
            return None
        value = self.grid["households"]
        return None if pd.isna(value) else int(value)

    def _enable(self, on: bool) -> None:
        for widget in (self.name, self.kind, self.partner, self.add_staff):
            widget.setEnabled(on)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.remove_staff.setEnabled(
            self.fid is not None and bool(self.staff.selectedItems())
        )

    def _fill_partner(self, grids: pd.DataFrame, fid: int) -> None:
        grid = grids.loc[fid]
        same = grids[grids["community_code"] == grid["community_code"]]
        geom = grid.geometry.buffer(0.05)
        neighbours = same[
            (same.index != fid) & same.geometry.intersection(geom).length.ge(1.0)
        ].sort_values("code")
        self.partner.clear()
        self.partner.addItem(tr("(none)"), "")
        current = _text(grid["ab_partner"])
        codes = list(neighbours["code"].astype(str))
        if current and current not in codes:
            codes.append(current)
        for code in codes:
            name = grids.loc[grids["code"] == code, "name"]
            label = f"{code[-3:]} {name.iloc[0]}" if len(name) else code
            self.partner.addItem(label, code)
        self.partner.setCurrentIndex(max(self.partner.findData(current), 0))

    def _fill_staff(self, code: str) -> None:
        store = self.session.store
        posts = store.read("assignments", where={"grid_code": code})
        people = store.read("staff", where={"id": sorted(set(posts["staff_id"]))},
                            columns=["id", "name", "phone"])  # fmt: skip
        people = people.set_index("id")
        order = {r.id: k for k, r in enumerate(self.session.settings.roles)}
        posts = posts.assign(_order=posts["role"].map(order).fillna(99)).sort_values(
            ["_order", "staff_id"]
        )
        rows, keys = [], []
        for fid, post in posts.iterrows():
            role = self.session.settings.role(str(post["role"]))
            sid = str(post["staff_id"])
            person = people.loc[sid] if sid in people.index else None
            title = role.label.get() if role else str(post["role"])
            if bool(post["is_backup"]) is True:
                title = tr("{role} (AB backup)").format(role=title)
            rows.append(
                [
                    title,
                    _text(person["name"]) if person is not None else sid,
                    _text(person["phone"]) if person is not None else "",
                ]
            )
            keys.append(int(fid))
        _fill(self.staff, rows, keys)

    def _bounds(self) -> tuple[float, float, float, float] | None:
        """The box of the grid shown (reads of its buildings use the spatial index)."""
        if self.grid is None:
            return None
        minx, miny, maxx, maxy = self.grid.geometry.bounds
        return (minx - 1, miny - 1, maxx + 1, maxy + 1)

    def _fill_buildings(self, code: str) -> None:
        frame = self.session.store.read(
            "buildings",
            bbox=self._bounds(),
            where={"grid_code": code},
            columns=["id", "address", "households"],
        ).sort_values("id")
        _fill(
            self.buildings,
            [
                [_text(b.id), _text(b.address), _text(b.households)]
                for b in frame.itertuples()
            ],
        )

    def _fill_facilities(self, code: str) -> None:
        frame = self.session.store.read(
            "facilities",
            bbox=self._bounds(),
            where={"grid_code": code},
            columns=["name", "category"],
        ).sort_values("name")
        rows = []
        for f in frame.itertuples():
            try:
                category = FacilityCategory(f.category).label.get()
            except ValueError:
                category = _text(f.category)
            rows.append([_text(f.name), category])
        _fill(self.facilities, rows)

    def _fill_residents(self, code: str) -> None:
        """The grid's registered residents, ID numbers and phones masked."""
        from gridgis.core.register.counts import category_flags, grid_residents
        from gridgis.core.register.identity import mask_id, mask_phone

        settings = self.session.settings
        people = grid_residents(self.session.store, code)
        counts = category_flags(people["categories"], settings).sum()
        shown = [
            f"{c.label.get()} {int(counts[c.id])}"
            for c in settings.categories
            if int(counts[c.id])
        ]
        self.resident_counts.setText(
            Text(
                f"登记居民 {len(people)} 人" + (";" + ",".join(shown) if shown else ""),
                f"{len(people)} registered residents"
                + ("; " + ", ".join(shown) if shown else ""),
            ).get()
        )

        def label(enum: type, value: object) -> str:
            try:
                return str(enum(value).label.get())
            except ValueError:
                return _text(value)

        rows = []
        for p in people.itertuples(index=False):
            categories = []
            for part in _text(p.categories).split(";"):
                found = settings.category(part) if part else None
                if found is not None:
                    categories.append(found.label.get())
            rows.append(
                [
                    _text(p.name),
                    label(Gender, p.gender) if p.gender else "",
                    mask_id(p.id_number) if p.id_number else "",
                    mask_phone(p.phone) if p.phone else "",
                    label(Residence, p.residence) if p.residence else "",
                    "、".join(categories),
                    _text(p.address),
                ]
            )
        _fill(self.residents, rows)

    # -- editing -----------------------------------------------------------------

    def _rename(self) -> None:
        if self.fid is None or self.grid is None:
            return
        name = self.name.text().strip()
        if not name or name == _text(self.grid["name"]):
            return
        fid = self.fid
        self.session.try_push(
            lambda: update_attributes(self.session.store, "grids", fid, {"name": name})
        )

    def _change_kind(self) -> None:
        if self.fid is None or self.grid is None:
            return
        kind = str(self.kind.currentData())
        if kind == str(self.grid["kind"]):
            return
        fid = self.fid
        self.session.try_push(
            lambda: update_attributes(self.session.store, "grids", fid, {"kind": kind})
        )

    def _change_partner(self) -> None:
        if self.fid is None or self.grid is None:
            return
        code = str(self.partner.currentData() or "") or None
        if (code or "") == _text(self.grid["ab_partner"]):
            return
        fid = self.fid
        if (
            self.session.try_push(lambda: set_ab_partner(self.session.store, fid, code))
            is None
        ):
            self.show_grid(fid)

    def pick_staff(self) -> None:
        """Open the staff picker and assign the chosen person."""
        if self.grid is None:
            return
        dialog = self.staff_picker()
        if dialog.exec_() != QDialog.Accepted:
            return
        self.assign(*dialog.selection())

    def staff_picker(self) -> StaffPickerDialog:
        """The staff picker on the project's roster."""
        roster = self.session.store.read(
            "staff", columns=["id", "name", "phone", "organisation"]
        )
        return StaffPickerDialog(roster, self.session.settings.roles, self)

    def assign(self, staff_id: str, role: str, is_backup: bool = False) -> None:
        """Give ``staff_id`` the post ``role`` in the grid shown."""
        if self.grid is None:
            return
        code = str(self.grid["code"])
        self.session.try_push(
            lambda: assign_staff(
                self.session.store, code, staff_id, role, is_backup=is_backup
            )
        )

    def _remove_staff(self) -> None:
        rows = {i.row() for i in self.staff.selectedItems()}
        if not rows:
            return
        fid = int(self.staff.item(min(rows), 0).data(Qt.UserRole))
        self.session.try_push(lambda: unassign_staff(self.session.store, fid))


class InspectorDock(QDockWidget):
    """Dock holding a :class:`GridInspector`."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(tr("Grid inspector"), parent)
        self.setObjectName("inspector")
        self.inspector = GridInspector(session)
        self.setWidget(self.inspector)
