"""Every user-visible text of the window is translated; Chinese under a Chinese locale."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from qgis.PyQt.QtCore import QCoreApplication, QSettings, QTranslator

from gridgis.app.i18n import (
    CATALOGUES,
    I18N_DIR,
    choose_language,
    chosen_language,
    install_language,
)
from gridgis.core import i18n as core_i18n

pytestmark = pytest.mark.gui

APP = Path(__file__).resolve().parents[2] / "gridgis" / "app"
TS = I18N_DIR / "gridgis_zh_CN.ts"


def _texts_in_code() -> set[str]:
    texts = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "tr"
            ):
                where = f"{path.name}:{node.lineno}: tr() needs a literal text"
                assert node.args, where
                assert isinstance(node.args[0], ast.Constant), where
                texts.add(node.args[0].value)
    return texts


def _catalogue() -> dict[str, str]:
    tree = ET.parse(TS)
    return {
        m.findtext("source"): m.find("translation").text or ""
        for m in tree.iter("message")
        if m.find("translation").get("type") != "unfinished"
    }


def test_every_text_has_a_chinese_translation():
    texts = _texts_in_code()
    catalogue = _catalogue()
    assert len(texts) > 80
    missing = sorted(texts - set(catalogue))
    assert not missing, f"run tools/translations.sh and translate: {missing}"
    untranslated = [t for t in texts if catalogue[t] == t or not catalogue[t]]
    assert not untranslated


def test_compiled_catalogue_matches_the_sources(qapp):
    translator = QTranslator()
    assert translator.load(str(CATALOGUES["zh"]))
    qapp.installTranslator(translator)
    try:
        stale = [
            source
            for source, text in _catalogue().items()
            if QCoreApplication.translate("@default", source) != text
        ]
    finally:
        qapp.removeTranslator(translator)
    assert not stale, "the .qm is older than the .ts: run tools/translations.sh"


def test_chinese_locale_gives_a_chinese_window(monkeypatch, make_window):
    monkeypatch.delenv("GRIDGIS_LANG", raising=False)
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    try:
        assert install_language("") == "zh"
        window = make_window()
        titles = [a.text() for a in window.menuBar().actions()]
        assert titles[:2] == ["文件(&F)", "编辑(&E)"]
        assert window.undo_action.text().startswith("撤销")
    finally:
        monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
        assert install_language("en") == "en"
    english = make_window()
    assert english.menuBar().actions()[0].text() == "&File"
    core_i18n.set_language(None)


def test_language_choice_is_kept_in_the_settings(tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    assert chosen_language(settings) == ""
    choose_language(settings, "zh")
    settings.sync()
    again = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    assert chosen_language(again) == "zh"
    with pytest.raises(ValueError, match="language"):
        choose_language(settings, "fr")
