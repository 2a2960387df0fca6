"""``gridgis boards``: grid boards, service cards and overview maps as print-ready PDFs."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from types import FrameType

import click

from gridgis.cli import PROJECT, command
from gridgis.core.i18n import Text


class _TerminalFeedback:
    """A rich progress bar; Ctrl-C asks the engine to stop instead of killing it."""

    def __init__(self, progress, task) -> None:  # type: ignore[no-untyped-def]
        self.progress = progress
        self.task = task
        self.cancelled = False

    def set_progress(self, percent: float) -> None:
        self.progress.update(self.task, completed=percent)

    def is_cancelled(self) -> bool:
        return self.cancelled

    def interrupt(self, signum: int, frame: FrameType | None) -> None:
        self.cancelled = True


@command()
@click.argument("project", type=PROJECT)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the PDFs to (created if missing).",
)
@click.option("--community", default=None, help="Only this community's grids (code).")
@click.option("--street", default=None, help="Only this street's grids (code).")
@click.option(
    "--template",
    default="board-a3",
    show_default=True,
    help="Board template: board-a3, board-a4 or the path of a .qpt file.",
)
@click.option("--cards", is_flag=True, help="Also print service cards (10 per A4).")
@click.option(
    "--overview", is_flag=True, help="Also print the street and community maps."
)
@click.option("--png", is_flag=True, help="Also write a PNG of every board.")
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=None,
    help="Processes printing in parallel (default: one per core for large runs).",
)
def boards(
    project: Path,
    out: Path,
    community: str | None,
    street: str | None,
    template: str,
    cards: bool,
    overview: bool,
    png: bool,
    workers: int | None,
) -> None:
    """Print a grid board for every grid of PROJECT into OUT.

    Writes boards.pdf (all boards, for the print shop) and boards/<code>_<name>.pdf
    (one per grid); with --cards service-cards.pdf, with --overview the street and
    community maps, with --png a PNG per board for sharing.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from gridgis.core.progress import Cancelled
    from gridgis.qgis.boards import print_boards
    from gridgis.qgis.runtime import start_qgis

    if community and street:
        raise click.UsageError(
            Text(
                "--community 与 --street 只能选一个。",
                "Use --community or --street, not both.",
            ).get()
        )
    start_qgis()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        transient=True,
    ) as progress:
        task = progress.add_task(Text("打印公示牌", "Printing boards").get(), total=100)
        feedback = _TerminalFeedback(progress, task)
        previous = signal.signal(signal.SIGINT, feedback.interrupt)
        started = time.perf_counter()
        try:
            result = print_boards(
                project,
                out,
                community=community,
                street=street,
                template=template,
                cards=cards,
                overview=overview,
                png=png,
                workers=workers,
                feedback=feedback,
            )
        except Cancelled as exc:
            click.secho(str(exc), fg="yellow", err=True)
            raise SystemExit(130) from None
        finally:
            signal.signal(signal.SIGINT, previous)
    elapsed = time.perf_counter() - started
    click.echo(
        Text(
            "已打印 {n} 块网格公示牌 → {out}({s:.1f} 秒)",
            "Printed {n} grid boards → {out} ({s:.1f} s)",
        )
        .format(n=len(result.grids), out=out, s=elapsed)
        .get()
    )
    for path in result.files:
        if path.parent == out:
            click.echo(f"  {path.name}")
    if result.board_pages:
        click.echo(f"  boards/  ({len(result.board_pages)})")
    if result.card_pages:
        click.echo(f"  service-cards/  ({len(result.card_pages)})")
    if result.images:
        click.echo(f"  boards-png/  ({len(result.images)})")
    if result.without_leader:
        click.secho(
            Text(
                "以下网格没有网格长,公示牌上不印二维码:{codes}",
                "These grids have no grid leader; their boards carry no QR code: {codes}",
            )
            .format(codes=", ".join(result.without_leader))
            .get(),
            fg="yellow",
        )
