"""``gridgis validate`` and ``gridgis link``: check a project, keep its links current."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gridgis.cli import PROJECT, command
from gridgis.core.i18n import Text, current_language

if TYPE_CHECKING:
    from gridgis.core.validate import ValidationReport


class _Bar:
    """A terminal progress bar as engine feedback."""

    def __init__(self, label: str) -> None:
        from rich.progress import Progress

        self.progress = Progress(transient=True, console=_console(stderr=True))
        self.task = self.progress.add_task(label, total=100)

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def set_progress(self, percent: float) -> None:
        self.progress.update(self.task, completed=percent)

    def is_cancelled(self) -> bool:
        return False


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _n(count: int, word: str) -> str:
    """``count`` and ``word``, plural when the count is not one (English)."""
    if count == 1:
        return f"1 {word}"
    plural = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{count} {plural}"


_SEVERITY = {
    "error": (Text("错误", "error"), "red"),
    "warning": (Text("警告", "warning"), "yellow"),
}


def format_report(report: ValidationReport) -> list[tuple[str, str | None]]:
    """The lines of the text report with their colour (``None``: plain)."""
    lines: list[tuple[str, str | None]] = []
    divided = [c for c in report.communities if c.divided]
    grids = sum(c.grids for c in report.communities)
    if report.scope is None:
        head = Text(
            f"检查 {report.location}:{len(report.communities)} 个社区"
            f"(其中 {len(divided)} 个已划分网格),{grids} 个网格,"
            f"用时 {report.seconds:.1f} 秒",
            f"Checked {report.location}: {len(report.communities)} communities "
            f"({len(divided)} divided into grids), {grids} grids, "
            f"in {report.seconds:.1f} s",
        )
    else:
        head = Text(
            f"检查 {report.location} 的社区 {report.scope}:{grids} 个网格,"
            f"用时 {report.seconds * 1000:.0f} 毫秒",
            f"Checked community {report.scope} of {report.location}: {grids} grids, "
            f"in {report.seconds * 1000:.0f} ms",
        )
    lines.append((head.get(), "bold"))
    if report.link is not None:
        written = report.link.written
        lines.append(
            (
                Text(
                    f"已更新关联:{written.get('buildings', 0)} 个建筑、"
                    f"{written.get('facilities', 0)} 个设施的所属网格,"
                    f"{written.get('grids', 0)} 个网格的户数与人口",
                    f"Links updated: grid codes of {written.get('buildings', 0)} "
                    f"buildings and {written.get('facilities', 0)} facilities, totals "
                    f"of {written.get('grids', 0)} grids",
                ).get(),
                None,
            )
        )
    for community, found in report.by_community():
        lines.append(("", None))
        if community is None:
            title = Text("街道及其他", "Streets and other")
        else:
            errors = sum(1 for i in found if i.severity.value == "error")
            warnings = len(found) - errors
            title = Text(
                f"{community.code} {community.name}({community.grids} 个网格):"
                f"{errors} 个错误,{warnings} 个警告",
                f"{community.code} {community.name} ({_n(community.grids, 'grid')}): "
                f"{_n(errors, 'error')}, {_n(warnings, 'warning')}",
            )
        lines.append((title.get(), "bold"))
        for issue in found:
            label, colour = _SEVERITY[issue.severity.value]
            lines.append(
                (f"  {label.get()} [{issue.rule}] {issue.message.get()}", colour)
            )
    lines.append(("", None))
    touched = len({i.community for i in report.issues})
    parts = [
        Text(
            f"合计:{report.errors} 个错误,{report.warnings} 个警告,涉及 {touched} 个社区。",
            f"In all: {_n(report.errors, 'error')}, {_n(report.warnings, 'warning')} "
            f"in {_n(touched, 'community')}.",
        )
    ]
    undivided = report.undivided
    if undivided and report.scope is None:
        names = "、".join(c.name for c in undivided[:8])
        names_en = ", ".join(c.name for c in undivided[:8])
        more = "…" if len(undivided) > 8 else ""
        parts.append(
            Text(
                f"{len(undivided)} 个社区尚未划分网格({names}{more}),未作检查。",
                f"{_n(len(undivided), 'community')} not yet divided "
                f"({names_en}{more}); they were not checked.",
            )
        )
    elif undivided:
        parts.append(
            Text(
                f"社区 {report.scope} 尚未划分网格,没有需要检查的网格。",
                f"Community {report.scope} is not yet divided into grids; there is "
                "nothing to check.",
            )
        )
    if report.written is not None:
        parts.append(
            Text(
                f"已将 {report.written} 条问题写入项目文件的“检查问题”图层。",
                f"Wrote {_n(report.written, 'finding')} to the issues layer of the "
                "project.",
            )
        )
    language = current_language()
    summary = ("" if language == "zh" else " ").join(p.get(language) for p in parts)
    colour = "red" if report.errors else ("yellow" if report.warnings else "green")
    lines.append((summary, colour))
    return lines


def report_json(report: ValidationReport) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "file": report.location,
        "community": report.scope,
        "seconds": round(report.seconds, 3),
        "errors": report.errors,
        "warnings": report.warnings,
        "communities": [
            {
                "code": c.code,
                "name": c.name,
                "grids": c.grids,
                "divided": c.divided,
                "errors": c.errors,
                "warnings": c.warnings,
            }
            for c in report.communities
        ],
        "undivided": [c.code for c in report.undivided],
        "issues": [i.as_dict() for i in report.issues],
    }


@command()
@click.argument("project", type=PROJECT)
@click.option(
    "--community",
    "community",
    default=None,
    help="Check only this community (12-digit code).",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report as readable text or as JSON.",
)
@click.option(
    "--write-layer",
    is_flag=True,
    help="Store the findings in the project's issues layer (for the map).",
)
@click.option(
    "--link",
    "relink",
    is_flag=True,
    help="First update the grid codes of buildings and facilities and the totals.",
)
def validate(
    project: Path, community: str | None, output: str, write_layer: bool, relink: bool
) -> None:
    """Check a project against every rule; exit status 1 while errors remain."""
    from gridgis.core.store import open_project
    from gridgis.core.validate import validation_report

    store = open_project(project)
    bar = sys.stderr.isatty() and output == "text" and community is None
    if bar:
        with _Bar(Text("检查中", "Checking").get()) as feedback:
            report = validation_report(
                store,
                community=community,
                link=relink,
                feedback=feedback,
                write_layer=write_layer,
            )
    else:
        report = validation_report(
            store, community=community, link=relink, write_layer=write_layer
        )
    if output == "json":
        click.echo(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    else:
        for text, colour in format_report(report):
            if colour == "bold":
                click.secho(text, bold=True)
            else:
                click.secho(text, fg=colour)
    sys.exit(1 if report.errors else 0)


@command()
@click.argument("project", type=PROJECT)
@click.option(
    "--community",
    "community",
    default=None,
    help="Link only this community (12-digit code).",
)
@click.option(
    "--pair-ab",
    is_flag=True,
    help="Also give every unpaired grid an adjacent AB partner where one is free.",
)
def link(project: Path, community: str | None, pair_ab: bool) -> None:
    """Assign buildings and facilities to grids and roll households up three levels."""
    from gridgis.core.link import link_project
    from gridgis.core.store import open_project

    store = open_project(project)
    report = link_project(store, community=community)
    w = report.written
    click.echo(
        Text(
            f"已写入:{w['buildings']} 个建筑、{w['facilities']} 个设施的所属网格;"
            f"{w['grids']} 个网格、{w['communities']} 个社区、{w['streets']} 个街道的户数与人口。",
            f"Wrote the grid code of {w['buildings']} buildings and {w['facilities']} "
            f"facilities; households and population of {w['grids']} grids, "
            f"{w['communities']} communities and {w['streets']} streets.",
        ).get()
    )
    for row in report.cut.itertuples():
        click.secho(
            Text(
                f"  建筑 {row.id} 被网格边界切割:属于 {row.grid_code},伸入 {row.other}",
                f"  Building {row.id} is cut: it belongs to {row.grid_code} and reaches "
                f"into {row.other}",
            ).get(),
            fg="yellow",
        )
    for row in report.ambiguous.itertuples():
        click.secho(
            Text(
                f"  {row.id} 位于重叠的网格中",
                f"  {row.id} lies where grids overlap",
            ).get(),
            fg="yellow",
        )
    if pair_ab:
        from gridgis.core.staffing import pair_ab_partners

        pairs = pair_ab_partners(store, community=community)
        click.echo(
            Text(
                f"AB岗结对:保留 {len(pairs.kept)} 对,新结 {len(pairs.made)} 对,"
                f"{len(pairs.unpaired)} 个网格无相邻网格可结对。",
                f"AB pairs: kept {len(pairs.kept)}, made {len(pairs.made)}; "
                f"{len(pairs.unpaired)} grids have no free neighbour.",
            ).get()
        )


@command("clean-geometry")
@click.argument("project", type=click.Path(path_type=Path))
@click.option(
    "--layers",
    default=None,
    help="Polygon layers to clean, comma-separated (default: every polygon layer).",
)
def clean_geometry(project: Path, layers: str | None) -> None:
    """Clean polygons so that GEOS and QGIS's own check accept them, in place.

    Removes duplicate nodes, rings touching themselves and slivers; shared
    boundaries stay shared. Written in one transaction.
    """
    from gridgis.core.geometry import clean_project_polygons
    from gridgis.core.store import open_project

    store = open_project(project)
    names = [n.strip() for n in layers.split(",")] if layers else None
    counts = clean_project_polygons(store, names)
    listed = ", ".join(f"{name} {n}" for name, n in counts.items())
    click.echo(
        Text(
            f"已清理几何(各图层修改的要素数):{listed}。",
            f"Cleaned the shapes (features changed per layer): {listed}.",
        ).get()
    )
