"""The GridGIS desktop application (PyQGIS widgets)."""
