"""Map tools for editing grids on the canvas: split, merge, reshape, draw, move a building.

Every tool takes the map canvas and the :class:`~gridgis.app.session.ProjectSession` it
edits, so the QGIS plugin can use the same tools on QGIS Desktop's canvas. A tool turns
what the user draws into an edit of :mod:`gridgis.core.edit`, pushes it on the session's
undo stack, and shows a refused edit's reason in the message bar.
"""
