"""The key-households layer: buildings with key persons of a category, in QGIS."""

from __future__ import annotations

import shutil

import pytest
from qgis.core import QgsGraduatedSymbolRenderer

from gridgis.core.errors import SchemaError
from gridgis.core.register import apply_register, plan_register
from gridgis.core.register.identity import check_digit
from gridgis.core.store import open_project
from gridgis.qgis.keyhouseholds import key_households_layer

pytestmark = pytest.mark.qgis


def _id(k: int) -> str:
    body = f"32050219500101{k:03d}"
    return body + check_digit(body)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from tests.conftest import DEMO

    folder = tmp_path_factory.mktemp("key")
    path = folder / "demo.gpkg"
    shutil.copyfile(DEMO, path)
    rows = ["姓名,身份证号,重点人员类别,建筑编号,单元,室号"]
    # B00001: party members in two houses (3 people); B00002: one; B00003: none.
    for k, (building, room, category) in enumerate(
        [
            ("B00001", "101", "党员"),
            ("B00001", "101", "党员、高龄"),
            ("B00001", "102", "党员"),
            ("B00002", "201", "党员"),
            ("B00003", "301", "低保"),
        ]
    ):
        rows.append(f"居民{k},{_id(k)},{category},{building},1,{room}")
    source = folder / "roster.csv"
    source.write_text("\n".join(rows), encoding="utf-8")
    store = open_project(path)
    apply_register(store, plan_register(store, source, "residents"))
    return path


def test_buildings_of_a_category_with_their_counts(project):
    layer = key_households_layer(project, "党员")
    assert layer.isValid()
    assert layer.name() == "重点户:党员"
    found = {
        f["id"]: (f["key_persons"], f["key_households"]) for f in layer.getFeatures()
    }
    assert found == {"B00001": (3, 2), "B00002": (1, 1)}
    renderer = layer.renderer()
    assert isinstance(renderer, QgsGraduatedSymbolRenderer)
    assert renderer.classAttribute() == "key_persons"
    assert len(renderer.ranges()) == 3
    assert layer.labelsEnabled()
    names = {f.name() for f in layer.fields()}
    assert not names & {"name", "id_number", "phone"}


def test_another_category_and_an_unknown_one(project):
    layer = key_households_layer(project, "low_income")
    assert [f["id"] for f in layer.getFeatures()] == ["B00003"]
    assert layer.featureCount() == 1
    with pytest.raises(SchemaError):
        key_households_layer(project, "神仙")
