"""The language of user-visible text produced by the core.

The core cannot use Qt's translation machinery, so every message it shows a user is
written in both Chinese and English (:class:`Text`) and rendered in the current language.
The language defaults to Chinese when the system locale is Chinese and English otherwise;
``GRIDGIS_LANG`` (``zh`` or ``en``) or :func:`set_language` overrides it.
"""

from __future__ import annotations

import locale
import os
from dataclasses import dataclass

LANGUAGES = ("zh", "en")

_language: str | None = None


def _system_language() -> str:
    forced = os.environ.get("GRIDGIS_LANG", "").strip().lower()
    if forced in LANGUAGES:
        return forced
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "zh" if loc.lower().startswith("zh") else "en"


def current_language() -> str:
    """Return ``"zh"`` or ``"en"``: the language user-visible text is shown in."""
    global _language
    if _language is None:
        _language = _system_language()
    return _language


def set_language(language: str | None) -> None:
    """Set the language (``"zh"`` or ``"en"``); ``None`` goes back to the system's."""
    global _language
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    _language = language


@dataclass(frozen=True)
class Text:
    """A user-visible text in Chinese and English.

    Examples
    --------
    >>> t = Text("网格", "grid")
    >>> t.get("en")
    'grid'
    """

    zh: str
    en: str

    def get(self, language: str | None = None) -> str:
        """Return the text in ``language`` (default: the current language)."""
        return self.zh if (language or current_language()) == "zh" else self.en

    def format(self, **values: object) -> Text:
        """Return a copy with ``str.format`` applied to both languages."""
        return Text(self.zh.format(**values), self.en.format(**values))

    def __str__(self) -> str:
        return self.get()
