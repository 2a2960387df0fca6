import re

import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, Point, box

from gridgis.core import schema
from gridgis.core.errors import CrsError, GeometryError, SchemaError
from gridgis.core.testing import assert_same_content, sample_frame


def test_every_design_layer_is_defined():
    expected = {
        "streets",
        "communities",
        "grids",
        "buildings",
        "facilities",
        "roads",
        "overlays",
        "staff",
        "assignments",
        "settings",
    }
    assert expected <= set(schema.LAYER_NAMES)


@pytest.mark.parametrize("name", schema.LAYER_NAMES)
def test_shapefile_names_are_short_unique_ascii(name):
    lyr = schema.layer(name)
    shp = [f.shp for f in lyr.fields if f.shp is not None]
    assert len(shp) == len(set(shp))
    for short in shp:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]{0,9}", short), short


@pytest.mark.parametrize("name", schema.LAYER_NAMES)
def test_aliases_are_unique_in_both_languages(name):
    lyr = schema.layer(name)
    for language in ("zh", "en"):
        aliases = list(lyr.aliases(language).values())
        assert len(aliases) == len(set(aliases)), (name, language)
    assert all(re.search(r"[\u4e00-\u9fff]", f.zh) for f in lyr.fields)


def test_unknown_layer_and_field_messages_list_the_choices():
    with pytest.raises(SchemaError, match="Layers: streets"):
        schema.layer("grid")
    with pytest.raises(SchemaError, match="Its fields are: code, name"):
        schema.layer("grids").field("hh")


@pytest.mark.parametrize(
    "name", [n for n in schema.LAYER_NAMES if n not in ("settings", "changes")]
)
def test_every_layer_round_trips_through_every_store(store, name):
    frame = sample_frame(name, 4)
    with store.transaction() as tx:
        fids = tx.insert(name, frame)
    assert len(fids) == 4
    back = store.read(name)
    expected = schema.conform(name, frame)
    assert list(back.index) == list(fids)
    assert_same_content(back, expected)


def test_conform_refuses_unknown_columns_and_missing_required_fields():
    frame = sample_frame("grids", 2)
    with pytest.raises(SchemaError, match="no field"):
        schema.conform("grids", frame.assign(colour="red"))
    with pytest.raises(SchemaError, match="needs the field"):
        schema.conform("grids", frame.drop(columns=["code"]))
    frame.loc[1, "name"] = "  "
    with pytest.raises(SchemaError, match="required but empty in 1 row"):
        schema.conform("grids", frame)


def test_conform_checks_types_and_choices():
    frame = sample_frame("buildings", 2)
    with pytest.raises(SchemaError, match="INTEGER"):
        schema.conform("buildings", frame.assign(households=["many", 3]))
    with pytest.raises(SchemaError, match="INTEGER"):
        schema.conform("buildings", frame.assign(households=[1.5, 3]))
    out = schema.conform("buildings", frame.assign(households=["12", None]))
    assert out["households"].tolist() == [12, pd.NA]
    with pytest.raises(SchemaError, match="allowed"):
        schema.conform("grids", sample_frame("grids", 2).assign(kind="village"))


def test_points_where_polygons_are_expected_are_refused():
    frame = sample_frame("buildings", 2)
    frame = frame.set_geometry([Point(0, 0), Point(1, 1)])
    with pytest.raises(GeometryError, match="holds Polygon geometries but 2 row"):
        schema.conform("buildings", frame)


def test_single_polygons_are_promoted_and_multi_part_grids_refused():
    streets = sample_frame("streets", 1).set_geometry([box(0, 0, 1, 1)])
    out = schema.conform("streets", streets)
    assert out.geometry.iloc[0].geom_type == "MultiPolygon"
    one_part = sample_frame("grids", 1).set_geometry([MultiPolygon([box(0, 0, 1, 1)])])
    assert schema.conform("grids", one_part).geometry.iloc[0].geom_type == "Polygon"
    two = sample_frame("grids", 1).set_geometry(
        [MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)])]
    )
    with pytest.raises(GeometryError, match="several parts"):
        schema.conform("grids", two)


def test_frames_in_another_crs_are_refused():
    frame = sample_frame("grids", 1).to_crs(4490)
    with pytest.raises(CrsError, match="to_crs\\(4549\\)"):
        schema.conform("grids", frame, crs=4549)


def test_empty_frame_has_schema_dtypes():
    frame = schema.empty_frame("buildings", crs=4549)
    assert frame["households"].dtype == "Int64"
    assert frame.crs.to_epsg() == 4549
    assert list(frame.columns[:-1]) == schema.layer("buildings").field_names


def test_settings_rows_are_not_written_one_by_one(store):
    with pytest.raises(SchemaError, match="write_settings"), store.transaction() as tx:
        tx.insert("settings", sample_frame("settings", 1))


def test_labels_of_equal_values_in_different_enums_stay_apart():
    from gridgis.core.definitions import (
        BuildingUse,
        FacilityCategory,
        GridKind,
        OverlayKind,
    )

    assert GridKind.RESIDENTIAL.label.zh == "居民网格"
    assert BuildingUse.RESIDENTIAL.label.zh == "住宅"
    assert FacilityCategory.POLICE.label.zh == "警务室"
    assert OverlayKind.POLICE.label.zh == "警务区"
