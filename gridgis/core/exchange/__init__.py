"""Import and export: shapefile, GeoPackage, GeoJSON, CSV and Excel; CRS and encodings.

The public entry point:

- :func:`export_project` — layers or the whole project to a file, folder or bundles.
"""

from gridgis.core.exchange.export import (
    DEFAULT_LAYERS,
    FORMATS,
    ExportReport,
    export_project,
)

__all__ = ["DEFAULT_LAYERS", "FORMATS", "ExportReport", "export_project"]
