"""``gridgis boards`` prints a community's boards and reports what it wrote."""

import pytest
from click.testing import CliRunner

from gridgis.cli import main
from tests.qgis import pdftools

pytestmark = pytest.mark.qgis


def test_boards_of_a_community_with_cards(demo_copy, tmp_path):
    out = tmp_path / "print"
    result = CliRunner().invoke(
        main,
        [
            "--lang",
            "en",
            "boards",
            str(demo_copy),
            "--community",
            "320599003002",
            "--out",
            str(out),
            "--cards",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Printed 8 grid boards" in result.output
    assert "boards.pdf" in result.output
    assert "service-cards.pdf" in result.output
    assert "320599003002004" in result.output  # the grid without a leader
    assert pdftools.page_count(out / "boards.pdf") == 8
    assert pdftools.page_count(out / "service-cards.pdf") == 8
    assert len(list((out / "boards").glob("*.pdf"))) == 8


def test_an_unknown_community_is_a_clear_error(demo_copy, tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "--lang",
            "zh",
            "boards",
            str(demo_copy),
            "--community",
            "320599009009",
            "--out",
            str(tmp_path / "print"),
        ],
    )
    assert result.exit_code == 2
    assert "项目中没有编码为 320599009009 的社区" in result.output


def test_community_and_street_together_are_refused(demo_copy, tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "boards",
            str(demo_copy),
            "--community",
            "320599003002",
            "--street",
            "320599003",
            "--out",
            str(tmp_path / "print"),
        ],
    )
    assert result.exit_code == 2
    assert not (tmp_path / "print").exists()
