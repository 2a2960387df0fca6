"""``gridgis app``: open the desktop application."""

from __future__ import annotations

from pathlib import Path

import click

from gridgis.cli import PROJECT, command


@command()
@click.argument("project", required=False, type=PROJECT)
def app(project: Path | None) -> None:
    """Open the GridGIS window on PROJECT (default: the demo district)."""
    from gridgis.app.main import run

    raise SystemExit(run(project))
