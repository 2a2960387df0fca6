"""Chinese for the Processing algorithms: a Qt Linguist catalogue loaded into QGIS.

The algorithms write their names, parameters and help in English through ``self.tr``
(the QGIS convention); ``gridgis_processing_zh_CN.ts`` beside this file holds the
Chinese, compiled to ``gridgis_processing_zh_CN.qm`` (committed). After changing a text,
run ``tools/translations-processing.sh`` (``pylupdate5`` and ``lrelease`` at build time
only) and translate the new entries.
"""

from __future__ import annotations

from pathlib import Path

from qgis.PyQt.QtCore import QCoreApplication, QTranslator

from gridgis.core import i18n as core_i18n

I18N_DIR = Path(__file__).resolve().parent
#: The compiled catalogues, by language.
CATALOGUES = {"zh": I18N_DIR / "gridgis_processing_zh_CN.qm"}

_installed: QTranslator | None = None


def install_translation(language: str | None = None) -> str:
    """Show the algorithms in ``language`` (default: the core's current language).

    Returns the language in force. Installing again replaces the catalogue installed
    before, so switching languages does not stack translators.
    """
    global _installed
    language = language or core_i18n.current_language()
    app = QCoreApplication.instance()
    if app is None:
        return language
    if _installed is not None:
        app.removeTranslator(_installed)
        _installed = None
    catalogue = CATALOGUES.get(language)
    if catalogue is not None:
        translator = QTranslator(app)
        if not translator.load(str(catalogue)):
            raise FileNotFoundError(f"translation {catalogue} cannot be loaded")
        app.installTranslator(translator)
        _installed = translator
    return language


def remove_translation() -> None:
    """Take the catalogue out again (when the provider is unloaded)."""
    global _installed
    app = QCoreApplication.instance()
    if _installed is not None and app is not None:
        app.removeTranslator(_installed)
    _installed = None


__all__ = ["CATALOGUES", "install_translation", "remove_translation"]
