"""``gridgis demo`` and ``gridgis info``: make the demo district, describe a project."""

from __future__ import annotations

from pathlib import Path

import click

from gridgis.cli import PROJECT, command
from gridgis.core.i18n import Text


@command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Project file to write (.gpkg).",
)
@click.option(
    "--seed", default=None, type=int, help="Random seed (default: the shipped demo's)."
)
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
def demo(out: Path, seed: int | None, overwrite: bool) -> None:
    """Write the demo district: 3 streets, 12 communities, ~3,000 buildings."""
    from gridgis.core.demo import DEFAULT_SEED, write_demo

    result = write_demo(
        out, seed=DEFAULT_SEED if seed is None else seed, overwrite=overwrite
    )
    counts = {name: len(frame) for name, frame in result.layers.items()}
    click.echo(
        Text("已写入示范区 {out}", "Wrote the demo district to {out}")
        .format(out=out)
        .get()
    )
    click.echo(", ".join(f"{name} {n}" for name, n in counts.items()))
    click.echo(Text("预置的问题:", "Faults put in on purpose:").get())
    for fault in result.faults:
        click.echo(f"  - [{fault.kind}] {fault.description.get()}")


@command()
@click.argument("project", type=PROJECT)
def info(project: Path) -> None:
    """Describe a project file: CRS, bands, roles and the size of every layer."""
    from gridgis.core import schema
    from gridgis.core.i18n import current_language
    from gridgis.core.store import open_project

    lang = current_language()
    store = open_project(project)
    s = store.settings
    click.echo(f"{project}")
    click.echo(f"  CRS: EPSG:{s.crs_epsg} ({store.crs.name})")
    click.echo(f"  {Text('区划代码前缀', 'code prefix').get()}: {s.code_prefix}")
    bands = ", ".join(f"{k} {b.min}–{b.max}" for k, b in s.household_bands.items())
    click.echo(f"  {Text('户数范围', 'household bands').get()}: {bands}")
    roles = ", ".join(
        f"{r.zh if lang == 'zh' else r.en}×{r.required}" for r in s.roles if r.required
    )
    click.echo(f"  {Text('必配岗位', 'required roles').get()}: {roles}")
    for name, lyr in schema.LAYERS.items():
        click.echo(f"  {lyr.title(lang):<10} {name:<14} {store.count(name):>8}")
