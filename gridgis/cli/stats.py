"""``gridgis stats``: households, population and counts per street, community and grid."""

from __future__ import annotations

from pathlib import Path

import click

from gridgis.cli import PROJECT, command
from gridgis.core.i18n import Text


def _table(frame, title: str, language: str):  # type: ignore[no-untyped-def]
    from rich.table import Table

    from gridgis.core.stats import labelled

    shown = labelled(frame, language)
    table = Table(title=title, title_justify="left", show_lines=False)
    numeric = {c for c in frame.columns if frame[c].dtype.kind in "iuf"}
    for column, heading in zip(frame.columns, shown.columns, strict=True):
        table.add_column(heading, justify="right" if column in numeric else "left")
    for row in shown.itertuples(index=False):
        table.add_row(*("" if v is None else str(v) for v in row))
    return table


@command()
@click.argument("project", type=PROJECT)
@click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the figures to this Excel workbook (Chinese headings).",
)
@click.option("--grids", "show_grids", is_flag=True, help="List every grid too.")
@click.option(
    "--categories",
    is_flag=True,
    help="Key persons per category (党员, 低保 …) per street, community and grid, "
    "from the information base (also in the --xlsx workbook).",
)
def stats(project: Path, xlsx: Path | None, show_grids: bool, categories: bool) -> None:
    """Households, population, grids, buildings, facilities and staff per level."""
    from rich.console import Console

    from gridgis.core.i18n import current_language
    from gridgis.core.stats import project_stats, write_xlsx
    from gridgis.core.store import open_project

    language = current_language()
    figures = project_stats(open_project(project))
    console = Console(highlight=False, width=160)
    console.print(_table(figures.streets, Text("街道", "Streets").get(), language))
    console.print(
        _table(figures.communities, Text("社区", "Communities").get(), language)
    )
    if show_grids:
        console.print(_table(figures.grids, Text("网格", "Grids").get(), language))
    outside = figures.outside_band
    if len(outside):
        console.print(
            _table(
                outside,
                Text("户数超出范围的网格", "Grids outside their household band").get(),
                language,
            )
        )
    totals = figures.totals()
    click.echo(
        Text(
            f"合计:{totals['communities']} 个社区,{totals['grids']} 个网格,"
            f"{totals['households']} 户,{totals['population']} 人,"
            f"{totals['buildings']} 栋建筑,{totals['facilities']} 个设施,"
            f"{totals['staff']} 名工作人员;{totals['outside_band']} 个网格户数超出范围。",
            f"In all: {totals['communities']} communities, {totals['grids']} grids, "
            f"{totals['households']} households, {totals['population']} people, "
            f"{totals['buildings']} buildings, {totals['facilities']} facilities, "
            f"{totals['staff']} staff; {totals['outside_band']} grids outside their band.",
        ).get()
    )
    counts = None
    if categories:
        from gridgis.cli.register import print_categories

        counts = print_categories(console, open_project(project), show_grids, language)
    if xlsx is not None:
        write_xlsx(figures, xlsx)
        if counts is not None:
            from gridgis.core.register.counts import add_category_sheets

            add_category_sheets(xlsx, counts)
        click.echo(Text(f"已写入 {xlsx}", f"Wrote {xlsx}").get())
