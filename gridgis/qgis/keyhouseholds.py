"""The key-households map: buildings coloured by the key persons of one category.

The seeds' offices mark building archives in colours "so that key households can be
seen at a glance". :func:`key_households_layer` makes that layer for one category of
the project's catalogue (党员, 低保, 独居老人 …): the buildings that house such people,
with ``key_persons`` (how many) and ``key_households`` (in how many houses), styled by
``styles/key-households.qml`` — three shades by count, the count written on each
building — in the category's colour. It holds counts only, never a resident.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsFeatureRequest,
    QgsField,
    QgsGraduatedSymbolRenderer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QVariant
from qgis.PyQt.QtGui import QColor

from gridgis.core.register.counts import building_category_counts
from gridgis.core.store import open_project
from gridgis.qgis.layers import STYLES_DIR, open_layer

#: The style of the layer.
STYLE = STYLES_DIR / "key-households.qml"


def key_households_layer(
    path: str | Path, category: str, *, language: str = "zh"
) -> QgsVectorLayer:
    """The buildings with key persons of ``category`` (id or name), with their counts."""
    store = open_project(path)
    counts = building_category_counts(store, category)
    found = store.settings.category(category)
    assert found is not None
    source = open_layer(path, "buildings", language=language)
    request = QgsFeatureRequest()
    ids = ", ".join("'" + str(i).replace("'", "''") + "'" for i in counts.index)
    request.setFilterExpression(f'"id" IN ({ids})' if ids else "FALSE")
    layer = source.materialize(request)
    name = found.label.get(language)
    layer.setName(f"重点户:{name}" if language == "zh" else f"Key households: {name}")
    provider = layer.dataProvider()
    provider.addAttributes(
        [
            QgsField("key_persons", QVariant.Int),
            QgsField("key_households", QVariant.Int),
        ]
    )
    layer.updateFields()
    persons = layer.fields().indexOf("key_persons")
    houses = layer.fields().indexOf("key_households")
    changes = {}
    for feature in layer.getFeatures():
        row = counts.loc[feature["id"]]
        changes[feature.id()] = {
            persons: int(row["key_persons"]),
            houses: int(row["key_households"]),
        }
    provider.changeAttributeValues(changes)
    layer.loadNamedStyle(str(STYLE))
    renderer = layer.renderer()
    if isinstance(renderer, QgsGraduatedSymbolRenderer):
        base = QColor(found.colour)
        ranges = renderer.ranges()
        for k, shade in enumerate((170, 125, 100)[: len(ranges)]):
            symbol = ranges[k].symbol().clone()
            symbol.setColor(base.lighter(shade) if shade > 100 else base)
            renderer.updateRangeSymbol(k, symbol)
    layer.setCustomProperty("gridgis/layer", "key-households")
    layer.setCustomProperty("gridgis/category", found.id)
    return layer
