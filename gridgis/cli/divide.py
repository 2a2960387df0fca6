"""``gridgis divide``: divide communities into grids automatically, or go back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from gridgis.cli import PROJECT, command
from gridgis.core.audit import acting_as
from gridgis.core.definitions import OverlayKind
from gridgis.core.i18n import Text


class _Bar:
    """Progress of the engine on a terminal progress bar (rich), on stderr."""

    def __init__(self, progress: Any, task: Any) -> None:
        self.progress = progress
        self.task = task

    def set_progress(self, percent: float) -> None:
        self.progress.update(self.task, completed=percent)

    def is_cancelled(self) -> bool:
        return False


def _t(zh: str, en: str) -> str:
    return Text(zh, en).get()


@command()
@click.argument("project", type=PROJECT)
@click.option(
    "--community",
    "communities",
    multiple=True,
    metavar="CODE",
    help="Community to divide (12 digits); repeat for several.",
)
@click.option(
    "--undivided",
    is_flag=True,
    help="Divide every community that has no grid yet, each in a transaction of its "
    "own: if it stops part way, run it again to divide the rest.",
)
@click.option("--min", "min_households", type=int, help="Fewest households per grid.")
@click.option("--max", "max_households", type=int, help="Most households per grid.")
@click.option("--grids", type=int, help="Number of residential grids to aim at.")
@click.option(
    "--lock", multiple=True, metavar="CODE", help="Existing grid to keep as it is."
)
@click.option(
    "--respect",
    multiple=True,
    type=click.Choice([k.value for k in OverlayKind]),
    help="Overlay kind whose boundaries grids must not cross; repeat for several.",
)
@click.option(
    "--no-unit-grids",
    is_flag=True,
    help="Do not keep school and hospital campuses as unit grids of their own.",
)
@click.option("--dry-run", is_flag=True, help="Compute and report; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.option(
    "--history", is_flag=True, help="List the divisions written to the project."
)
@click.option(
    "--restore",
    type=int,
    metavar="REVISION",
    help="Put back the grids that revision REVISION replaced.",
)
def divide(
    project: Path,
    communities: tuple[str, ...],
    undivided: bool,
    min_households: int | None,
    max_households: int | None,
    grids: int | None,
    lock: tuple[str, ...],
    respect: tuple[str, ...],
    no_unit_grids: bool,
    dry_run: bool,
    as_json: bool,
    history: bool,
    restore: int | None,
) -> None:
    """Divide communities into grids inside the household band, along roads.

    Prints a quality report per community and writes each community's new grids,
    their history entry and links in one transaction (the grids they replace are
    kept, see --history and --restore). A division is refused, and nothing written,
    if someone changed the community while it was computed: divide it again.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from gridgis.core.divide import (
        DivisionOptions,
        apply_division,
        divide_community,
        division_history,
        restore_grids,
        undivided_communities,
    )
    from gridgis.core.errors import SchemaError
    from gridgis.core.staff_moves import division_staff_moves
    from gridgis.core.store import open_project

    store = open_project(project)
    if history:
        frame = division_history(store, communities[0] if communities else None)
        if frame.empty:
            click.echo(_t("还没有写入过划分。", "No division has been written yet."))
            return
        click.echo(frame.to_string(index=False))
        return
    if restore is not None:
        with acting_as("gridgis divide --restore"):
            revision = restore_grids(store, restore)
        click.echo(
            _t(
                f"已恢复版本 {restore} 替换前的网格(新版本 {revision})。",
                f"Put back the grids revision {restore} replaced (new revision "
                f"{revision}).",
            )
        )
        return
    codes = list(communities)
    if undivided:
        codes += [c for c in undivided_communities(store) if c not in codes]
    if not codes:
        raise SchemaError(
            "Name a community with --community CODE, or use --undivided.",
            "请用 --community 编码 指定社区,或使用 --undivided。",
        )
    if (min_households is not None) or (max_households is not None):
        base = store.settings.band("residential")
        from gridgis.core.settings import HouseholdBand

        bands = {
            "residential": HouseholdBand(
                base.min if min_households is None else min_households,
                base.max if max_households is None else max_households,
            )
        }
    else:
        bands = {}
    reports = []
    for code in codes:
        options = DivisionOptions(
            bands=bands,
            grids=grids,
            locked=tuple(c for c in lock if c.startswith(code)),
            respect=respect,
            unit_grids=not no_unit_grids,
        )
        console = _stderr_console()
        with Progress(
            TextColumn(code),
            BarColumn(),
            TimeElapsedColumn(),
            transient=True,
            console=console,
            disable=not console.is_terminal,
        ) as progress:
            task = progress.add_task(code, total=100)
            division = divide_community(
                store, code, options, feedback=_Bar(progress, task)
            )
        report = division.report
        entry = report.to_dict()
        moves = division_staff_moves(store, division)
        entry["staff"] = moves.as_dict()
        if not as_json:
            click.echo(report.to_text())
            click.echo(moves.to_text())
        if not dry_run:
            revision = apply_division(store, division)
            entry["revision"] = revision
            if not as_json:
                back = f"gridgis divide {project} --restore {revision}"
                click.echo(
                    _t(
                        f"已写入 {len(division.new_grids)} 个网格(版本 {revision})。"
                        f"撤销:{back}",
                        f"Wrote {len(division.new_grids)} grids (revision {revision}). "
                        f"To go back: {back}",
                    )
                )
        elif not as_json:
            click.echo(_t("试算:未写入任何内容。", "Dry run: nothing was written."))
        if not as_json:
            click.echo()
        reports.append(entry)
    if as_json:
        click.echo(json.dumps(reports, ensure_ascii=False, indent=2))


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
