"""The grid inspector's residents tab: counts by category and the list, masked."""

from __future__ import annotations

import pytest

from gridgis.core.register import apply_register, plan_register
from gridgis.core.register.identity import check_digit
from gridgis.core.store import open_project

pytestmark = pytest.mark.gui

GRID = "320599001001001"


@pytest.fixture
def registered(demo_copy, tmp_path):
    people = []
    rows = ["姓名,身份证号,联系电话,重点人员类别,建筑编号,单元,室号"]
    for k, category in enumerate(["党员", "党员、低保", "", "高龄"]):
        body = f"32050219600101{k:03d}"
        number = body + check_digit(body)
        phone = f"1381234{k:04d}"
        people.append((number, phone))
        rows.append(f"居民{k},{number},{phone},{category},B00001,1,{101 + k}")
    source = tmp_path / "roster.csv"
    source.write_text("\n".join(rows), encoding="utf-8")
    store = open_project(demo_copy)
    apply_register(store, plan_register(store, source, "residents"))
    return people


def test_residents_tab_counts_and_masks(registered, window):
    window.hierarchy_dock.show_row("grid", GRID)
    inspector = window.inspector_dock.inspector
    table = inspector.residents
    assert table.rowCount() == 4
    cells = [table.item(r, c).text() for r in range(table.rowCount()) for c in range(7)]
    for number, phone in registered:
        assert number not in cells
        assert phone not in cells
    assert "320***********" + registered[0][0][-4:] in cells
    assert "138****" + registered[0][1][-4:] in cells
    assert "4 registered residents" in inspector.resident_counts.text()
    assert "party member 2" in inspector.resident_counts.text()
    assert "minimum allowance 1" in inspector.resident_counts.text()
    window.hierarchy_dock.show_row("grid", f"{GRID[:12]}002")
    assert table.rowCount() == 0
