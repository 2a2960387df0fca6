"""Dialogs of the desktop application, each given its inputs (project, file) by the caller."""

from gridgis.app.dialogs.export_dialog import ExportDialog
from gridgis.app.dialogs.import_dialog import ImportDialog

__all__ = ["ExportDialog", "ImportDialog"]
