"""The one owner of the ``QgsApplication`` lifecycle outside QGIS Desktop.

The command line, the desktop application and the tests start QGIS through
:func:`start_qgis`; inside QGIS Desktop (the plugin) QGIS is already running and this
module reuses it.
"""

from __future__ import annotations

import atexit
import os

from qgis.core import QgsApplication

_app: QgsApplication | None = None
_owned = False


def prefix_path() -> str:
    """Where QGIS is installed (``QGIS_PREFIX_PATH`` or the Debian default ``/usr``)."""
    return os.environ.get("QGIS_PREFIX_PATH", "/usr")


def start_qgis(*, gui: bool = False) -> QgsApplication:
    """Return the running ``QgsApplication``, starting one if there is none.

    Parameters
    ----------
    gui
        Start with widgets (the desktop application). Headless work (boards, the
        command line) passes ``False``; without a display it runs offscreen.
    """
    global _app, _owned
    from gridgis.qgis.auth import use_qgis_credentials

    # Database projects whose login is in QGIS's authentication manager.
    use_qgis_credentials()
    existing = QgsApplication.instance()
    if existing is not None:
        _app = existing
        return existing
    if (
        not gui
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    QgsApplication.setPrefixPath(prefix_path(), True)
    _app = QgsApplication([b"gridgis"], gui)
    _app.initQgis()
    _owned = True
    atexit.register(stop_qgis)
    return _app


def stop_qgis() -> None:
    """Shut QGIS down if this module started it."""
    global _app, _owned
    if _app is not None and _owned:
        _app.exitQgis()
    _app, _owned = None, False
