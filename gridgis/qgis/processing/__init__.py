"""GridGIS's engines as QGIS Processing algorithms.

``gridgis:validate``, ``link``, ``divide``, ``boards`` and ``export``: one module per algorithm,
:mod:`.provider` gathers them.

Algorithms read a project file, run one engine of :mod:`gridgis.core` with the
Processing feedback as its progress and cancellation, and hand back layers, files and
numbers as Processing outputs. They live here, not in the plugin, so that the plugin
stays a thin front and the algorithms are tested like the rest of ``gridgis.qgis``.
"""
