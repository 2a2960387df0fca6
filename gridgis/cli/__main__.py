"""``python -m gridgis.cli``."""

from gridgis.cli import main

main()
