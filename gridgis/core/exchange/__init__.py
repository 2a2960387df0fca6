"""Import and export: shapefile, GeoPackage, GeoJSON, KML, CSV and Excel; CRS and encodings.

The public entry points:

- :func:`export_project` — layers or the whole project to a file, folder or bundles;
- :func:`plan_import` / :func:`apply_imports` / :func:`import_layer` — files into layers;
- :func:`plan_roster` — staff rosters (XLSX/CSV) with photos by file name;
- :func:`open_source` — read a file to import (encoding and CRS found or given);
- :func:`create_project_for` — a new project whose CRS suits the data to import.
"""

from gridgis.core.exchange.export import (
    DEFAULT_LAYERS,
    FORMATS,
    ExportReport,
    export_project,
)
from gridgis.core.exchange.importer import (
    MODES,
    ImportPlan,
    ImportReport,
    apply_imports,
    import_layer,
    plan_import,
)
from gridgis.core.exchange.newproject import create_project_for, zone_for_source
from gridgis.core.exchange.roster import normalise_phone, plan_roster
from gridgis.core.exchange.sources import SourceData, open_source, source_layers

__all__ = [
    "DEFAULT_LAYERS",
    "FORMATS",
    "MODES",
    "ExportReport",
    "ImportPlan",
    "ImportReport",
    "SourceData",
    "apply_imports",
    "create_project_for",
    "export_project",
    "import_layer",
    "normalise_phone",
    "open_source",
    "plan_import",
    "plan_roster",
    "source_layers",
    "zone_for_source",
]
