"""The application's language: Qt Linguist translations of every user-visible text.

Widgets write their text in English through :func:`tr`; ``gridgis_zh_CN.ts`` beside this
file holds the Chinese, compiled to ``gridgis_zh_CN.qm`` (committed). After changing a
text, regenerate both with ``tools/translations.sh`` (needs ``pylupdate5`` from
``pyqt5-dev-tools`` and ``lrelease`` from ``qttools5-dev-tools``, at build time only) and
translate the new entries in Qt Linguist or in the ``.ts`` file.

The language is Chinese under a Chinese system locale and English otherwise; the
settings dialog stores a choice under ``gridgis/language`` that wins over the locale.
"""

from __future__ import annotations

from pathlib import Path

from qgis.PyQt.QtCore import QCoreApplication, QSettings, QTranslator

from gridgis.core import i18n as core_i18n

I18N_DIR = Path(__file__).resolve().parent
#: Where the chosen language is kept in the user's settings ("", "zh" or "en").
LANGUAGE_KEY = "gridgis/language"
#: The translations, by language.
CATALOGUES = {"zh": I18N_DIR / "gridgis_zh_CN.qm"}

_installed: QTranslator | None = None


def tr(text: str) -> str:
    """Translate an English user-visible ``text`` into the application's language."""
    return QCoreApplication.translate("@default", text)


def chosen_language(settings: QSettings) -> str:
    """The language stored in ``settings``: ``"zh"``, ``"en"`` or ``""`` (the system's)."""
    value = str(settings.value(LANGUAGE_KEY, "") or "")
    return value if value in core_i18n.LANGUAGES else ""


def choose_language(settings: QSettings, language: str) -> None:
    """Store ``language`` (``"zh"``, ``"en"`` or ``""`` for the system's) in ``settings``."""
    if language and language not in core_i18n.LANGUAGES:
        raise ValueError(f"language must be one of {core_i18n.LANGUAGES} or ''")
    settings.setValue(LANGUAGE_KEY, language)


def install_language(language: str | None = None) -> str:
    """Show the application (and the core's messages) in ``language``.

    ``None`` or ``""`` follows the system locale. Returns the language in force.
    """
    global _installed
    core_i18n.set_language(language or None)
    resolved = core_i18n.current_language()
    app = QCoreApplication.instance()
    if _installed is not None and app is not None:
        app.removeTranslator(_installed)
        _installed = None
    catalogue = CATALOGUES.get(resolved)
    if catalogue is not None and app is not None:
        translator = QTranslator(app)
        if not translator.load(str(catalogue)):
            raise FileNotFoundError(f"translation {catalogue} cannot be loaded")
        app.installTranslator(translator)
        _installed = translator
    return resolved


def remove_language() -> None:
    """Take the application's catalogue out again (the QGIS plugin is unloaded)."""
    global _installed
    app = QCoreApplication.instance()
    if _installed is not None and app is not None:
        app.removeTranslator(_installed)
    _installed = None
