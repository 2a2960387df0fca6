"""Open a shared project in PostgreSQL/PostGIS: pick a connection, or type an address.

The dialog offers the services of ``pg_service.conf`` and QGIS's saved PostgreSQL
connections (``PostgreSQL/connections/…`` in QGIS's settings). A password is never read
from either: libpq takes it from ``~/.pgpass`` or the service file when it connects,
and a connection whose login is in QGIS's authentication manager keeps only that
configuration's ID in the address (``authcfg=ID``; see :mod:`gridgis.qgis.auth`).
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path

from qgis.core import QgsSettings
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from gridgis.core.i18n import Text
from gridgis.core.store import is_postgres


def service_files() -> list[Path]:
    """The ``pg_service.conf`` files libpq reads, in its order (existing ones)."""
    candidates = []
    if os.environ.get("PGSERVICEFILE"):
        candidates.append(Path(os.environ["PGSERVICEFILE"]))
    candidates.append(Path.home() / ".pg_service.conf")
    sysconf = os.environ.get("PGSYSCONFDIR", "/etc/postgresql-common")
    candidates.append(Path(sysconf) / "pg_service.conf")
    return [p for p in candidates if p.is_file()]


def pg_services() -> list[str]:
    """Names of the services defined in the service files."""
    names: list[str] = []
    for path in service_files():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except configparser.Error:
            continue
        names += [s for s in parser.sections() if s not in names]
    return names


def qgis_connections(settings: QgsSettings | None = None) -> dict[str, str]:
    """QGIS's saved PostgreSQL connections: name → GridGIS address (no password)."""
    settings = settings or QgsSettings()
    found: dict[str, str] = {}
    settings.beginGroup("PostgreSQL/connections")
    try:
        for name in settings.childGroups():
            settings.beginGroup(name)
            service = str(settings.value("service", "") or "")
            host = str(settings.value("host", "") or "")
            port = str(settings.value("port", "") or "")
            database = str(settings.value("database", "") or "")
            user = str(settings.value("username", "") or "")
            authcfg = str(settings.value("authcfg", "") or "")
            settings.endGroup()
            if service:
                found[name] = (
                    f"service={service}"
                    + (f" dbname={database}" if database else "")
                    + (f" authcfg={authcfg}" if authcfg else "")
                )
            elif database:
                who = f"{user}@" if user else ""
                where = host + (f":{port}" if port else "")
                login = f"?authcfg={authcfg}" if authcfg else ""
                found[name] = f"postgresql://{who}{where}/{database}{login}"
    finally:
        settings.endGroup()
    return found


class DatabaseDialog(QDialog):
    """Choose the database of a shared project."""

    def __init__(
        self, parent: QWidget | None = None, *, settings: QgsSettings | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(Text("打开数据库项目", "Open a database project").get())
        layout = QFormLayout(self)
        self.connections = QComboBox(self)
        self.connections.addItem(Text("(输入地址)", "(type an address)").get(), "")
        for name in pg_services():
            self.connections.addItem(f"pg_service: {name}", f"service={name}")
        for name, address in qgis_connections(settings).items():
            self.connections.addItem(f"QGIS: {name}", address)
        self.connections.currentIndexChanged.connect(self._chosen)
        layout.addRow(Text("连接", "Connection").get(), self.connections)
        self.address = QLineEdit(self)
        self.address.setPlaceholderText("postgresql://user@host/database")
        self.address.textChanged.connect(self._check)
        layout.addRow(Text("地址", "Address").get(), self.address)
        hint = QLabel(
            Text(
                "密码取自 ~/.pgpass、pg_service.conf 或 QGIS 认证管理器(authcfg),"
                "不会保存在项目中。",
                "The password comes from ~/.pgpass, pg_service.conf or QGIS's "
                "authentication manager (authcfg); it is never stored in the project.",
            ).get(),
            self,
        )
        hint.setWordWrap(True)
        layout.addRow(hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.Open | QDialogButtonBox.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addRow(self.buttons)
        self._check()

    def _chosen(self, index: int) -> None:
        address = self.connections.itemData(index)
        if address:
            self.address.setText(str(address))

    def _check(self, *_: object) -> None:
        button = self.buttons.button(QDialogButtonBox.Open)
        button.setEnabled(is_postgres(self.location()))

    def location(self) -> str:
        """The address chosen."""
        return self.address.text().strip()
