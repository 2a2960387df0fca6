"""QGIS adapters: GridGIS projects as QGIS layers, layouts, tasks and algorithms.

Only ``qgis.core`` (and QtCore through ``qgis.PyQt``) is used here, so the adapters work
in the desktop application, inside QGIS Desktop and in ``qgis_process`` alike.
"""
