"""A QGIS session with its own authentication database that opens a database project.

Run as ``python -m tests.qgis.auth_session HOST PORT DBNAME ROLE PASSWORD`` with
``QGIS_AUTH_DB_DIR_PATH`` and ``QGIS_CUSTOM_CONFIG_PATH`` pointing at an empty
folder: it stores the login in QGIS's authentication manager, saves a QGIS PostgreSQL
connection that refers to it, opens the GridGIS project through that connection (the
store, the map layers, a Processing run) and prints what it saw as JSON.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path


def main(host: str, port: str, dbname: str, role: str, password: str) -> dict:
    from gridgis.qgis.runtime import start_qgis

    start_qgis()
    from qgis.core import (
        QgsApplication,
        QgsAuthMethodConfig,
        QgsProject,
        QgsSettings,
    )

    from gridgis.app.dialogs.database import qgis_connections
    from gridgis.core.errors import ProjectFileError
    from gridgis.core.store import open_project
    from gridgis.qgis.layers import load_project

    logged: list[str] = []
    QgsApplication.messageLog().messageReceived.connect(
        lambda message, *_: logged.append(message)
    )
    manager = QgsApplication.authManager()
    assert manager.setMasterPassword("master-of-this-session", True)

    def stored(user: str, secret: str) -> str:
        config = QgsAuthMethodConfig("Basic")
        config.setName(f"office {user}")
        config.setConfig("username", user)
        config.setConfig("password", secret)
        done, config = manager.storeAuthenticationConfig(config)
        assert done
        return config.id()

    authcfg = stored(role, password)
    settings = QgsSettings()
    for key, value in (
        ("host", host), ("port", port), ("database", dbname), ("authcfg", authcfg)
    ):  # fmt: skip
        settings.setValue(f"PostgreSQL/connections/office/{key}", value)
    address = qgis_connections()["office"]

    seen: dict = {"address": address, "authcfg": authcfg}
    store = open_project(address)
    seen["user"] = store.user
    seen["grids"] = store.count("grids")
    seen["conninfo"] = store.conninfo
    store.close()

    layers = load_project(address, QgsProject.instance())
    seen["layers_valid"] = all(layer.isValid() for layer in layers.values())
    seen["grid_features"] = layers["grids"].featureCount()
    seen["sources"] = [layer.source() for layer in layers.values()]
    saved = Path(tempfile.mkdtemp()) / "map.qgs"
    assert QgsProject.instance().write(str(saved))
    seen["qgs"] = saved.read_text(encoding="utf-8")

    sys.path.append("/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing

    Processing.initialize()
    import processing

    from gridgis.qgis.processing.provider import GridGisProvider

    provider = GridGisProvider()  # QGIS does not keep a Python provider alive
    QgsApplication.processingRegistry().addProvider(provider)
    result = processing.run(
        "gridgis:validate", {"PROJECT": address, "OUTPUT": "memory:"}
    )
    seen["errors"] = result["ERRORS"]
    QgsApplication.processingRegistry().removeProvider(provider)

    wrong = stored(role, "not-the-password")
    try:
        open_project(address.replace(authcfg, wrong))
    except ProjectFileError as exc:
        seen["wrong"] = str(exc)
    try:
        open_project(address.replace(authcfg, "zzzzzzz"))
    except ProjectFileError as exc:
        seen["unknown"] = str(exc)
    seen["logged"] = logged
    return seen


if __name__ == "__main__":
    print("SEEN " + json.dumps(main(*sys.argv[1:6]), ensure_ascii=False))
