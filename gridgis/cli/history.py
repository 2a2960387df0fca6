"""``gridgis history``: who changed what, when and with which tool (the audit trail)."""

from __future__ import annotations

from pathlib import Path

import click

from gridgis.cli import command
from gridgis.core.i18n import Text


@command()
@click.argument("project", type=click.Path(path_type=Path))
@click.option(
    "--community", "community", default=None, help="Only this community (12 digits)."
)
@click.option("--grid", "grid", default=None, help="Only this grid (15 digits).")
@click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the list to this Excel workbook (Chinese headings).",
)
def history(
    project: Path, community: str | None, grid: str | None, xlsx: Path | None
) -> None:
    """List the change sets of the project's change log, newest first.

    Each change set is one transaction: an edit in the app, a division, a restore, an
    import, a link. It shows who wrote it (the OS user, or the database login), when
    (UTC), with which command or tool, which communities it touched and what changed.
    """
    from rich.console import Console
    from rich.table import Table

    from gridgis.core.history import change_sets, labelled, write_xlsx
    from gridgis.core.i18n import current_language
    from gridgis.core.store import open_project

    frame = change_sets(open_project(project), community=community, grid=grid)
    if frame.empty:
        click.echo(
            Text("变更记录中没有相关内容。", "The change log has nothing on it.").get()
        )
    else:
        shown = labelled(frame, current_language())
        table = Table(title=Text("变更记录", "Change log").get(), title_justify="left")
        for heading in shown.columns:
            table.add_column(heading, overflow="fold")
        for row in shown.itertuples(index=False):
            table.add_row(*("" if v is None else str(v) for v in row))
        Console(highlight=False, width=160).print(table)
        click.echo(
            Text(f"共 {len(frame)} 个变更集。", f"{len(frame)} change sets.").get()
        )
    if xlsx is not None:
        write_xlsx(frame, xlsx)
        click.echo(Text(f"已写入 {xlsx}", f"Wrote {xlsx}").get())
