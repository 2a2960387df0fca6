"""The application's docks: hierarchy tree, grid inspector, validation panel.

Each dock takes what it works on (the :class:`~gridgis.app.session.ProjectSession`, the
map canvas) as arguments, so the QGIS plugin can put the same docks in QGIS Desktop.
"""
