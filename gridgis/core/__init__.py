"""The pure-Python core of GridGIS: no Qt, no qgis.

Everything here works on GeoDataFrames and dataclasses so that the command line, the
desktop application and the QGIS plugin share one behaviour.
"""
