"""``gridgis template`` and the register side of ``gridgis import``: the information base."""

from __future__ import annotations

from pathlib import Path

import click

from gridgis.cli import command
from gridgis.core.i18n import Text


@command("template")
@click.argument("kind", type=click.Choice(["houses", "residents"]))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The Excel file to write (.xlsx).",
)
@click.option(
    "--project",
    type=click.Path(path_type=Path),
    default=None,
    help="List this project's key-person categories in the template.",
)
def template(kind: str, out: Path, project: Path | None) -> None:
    """Write an empty houses or residents template (Chinese headings, a notes row)."""
    from gridgis.core.register import write_template
    from gridgis.core.settings import Settings
    from gridgis.core.store import open_project

    settings = (
        open_project(project).settings
        if project is not None
        else Settings.default(4549, "000000")
    )
    write_template(kind, out, settings)
    click.echo(Text(f"已写入 {out}", f"Wrote {out}").get())


def import_register(
    store: object,
    source: Path,
    targets: list[str],
    sheet: str | None,
    encoding: str | None,
    mode: str,
    dry_run: bool,
) -> None:
    """``gridgis import --layer houses|residents``: one register, one transaction."""
    from gridgis.core.errors import InputFileError
    from gridgis.core.register import apply_register, plan_register

    if len(targets) != 1 or mode == "update":
        raise InputFileError(
            "Import a register on its own (one --layer houses or residents), with "
            "--mode add or replace.",
            "登记表须单独导入(只给一个 --layer houses 或 residents),"
            "--mode 为 add 或 replace。",
        )
    plan = plan_register(
        store,  # type: ignore[arg-type]
        source,
        targets[0],
        mode=mode,
        encoding=encoding,
        sheet=sheet,
    )
    if dry_run:
        click.echo(
            Text("检查通过,未写入任何数据。", "Checked; nothing was written.").get()
        )
        report = plan.report
    else:
        report = apply_register(store, plan)  # type: ignore[arg-type]
    for k, line in enumerate(report.lines()):
        click.echo(("" if k == 0 else "  ") + line.get())


def print_categories(console: object, store: object, show_grids: bool, language: str):  # type: ignore[no-untyped-def]
    """Print the key-person counts per street and community (and grid); return them."""
    from rich.table import Table

    from gridgis.core.register.counts import category_counts

    counts = category_counts(store)  # type: ignore[arg-type]
    levels = [
        (Text("重点人员(街道)", "Key persons by street"), counts.streets),
        (Text("重点人员(社区)", "Key persons by community"), counts.communities),
    ]
    if show_grids:
        levels.append((Text("重点人员(网格)", "Key persons by grid"), counts.grids))
    for title, frame in levels:
        shown = counts.labelled(frame, language)
        table = Table(title=title.get(), title_justify="left")
        for k, heading in enumerate(shown.columns):
            table.add_column(heading, justify="left" if k < 2 else "right")
        for row in shown.itertuples(index=False):
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)  # type: ignore[attr-defined]
    return counts


@command("ledger")
@click.argument("project", type=click.Path(path_type=Path))
@click.option("--grid", default=None, help="The grid's code.")
@click.option("--community", default=None, help="Every grid of this community.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the ledgers (made if missing).",
)
@click.option(
    "--with-personal-data",
    is_flag=True,
    help="Show residents' ID numbers, phones and birth dates in full.",
)
@click.option("--privacy", is_flag=True, help="Mask the staff's phones too.")
@click.option("--no-pdf", is_flag=True, help="Write the workbooks only.")
def ledger(
    project: Path,
    grid: str | None,
    community: str | None,
    out: Path,
    with_personal_data: bool,
    privacy: bool,
    no_pdf: bool,
) -> None:
    """Write each grid's ledger (台账): an XLSX workbook and a printable PDF summary.

    The workbook holds the grid's figures, key persons per category, houses,
    residents, key households, facilities and staff; ID numbers and phones are masked
    unless --with-personal-data is given.
    """
    from gridgis.core.register.ledger import (
        ledger_stem,
        read_ledgers,
        write_ledger_xlsx,
    )
    from gridgis.core.store import open_project

    if (grid is None) == (community is None):
        raise click.UsageError(
            Text(
                "请给出 --grid 或 --community 之一。", "Give --grid or --community."
            ).get()
        )
    store = open_project(project)
    ledgers = read_ledgers(
        store,
        grid=grid,
        community=community,
        with_personal_data=with_personal_data,
        privacy=privacy,
    )
    out.mkdir(parents=True, exist_ok=True)
    files = [write_ledger_xlsx(g, out / f"{ledger_stem(g)}.xlsx") for g in ledgers]
    if not no_pdf:
        from gridgis.qgis.ledger import print_ledgers
        from gridgis.qgis.runtime import start_qgis

        start_qgis()
        files += print_ledgers(project, ledgers, out)
    click.echo(
        Text(
            f"已写入 {len(ledgers)} 个网格的台账 → {out}",
            f"Wrote the ledgers of {len(ledgers)} grid(s) → {out}",
        ).get()
    )
    for path in sorted(files):
        click.echo(f"  {path.name}")
