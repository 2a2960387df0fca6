"""``gridgis export``, ``gridgis import`` and ``gridgis new``: data in and out of a project."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from gridgis.cli import PROJECT, command
from gridgis.core.i18n import Text


class _Bar:
    """Terminal progress bar (rich) behind the core's Feedback protocol."""

    def __init__(self, progress: object, task: object) -> None:
        self.progress = progress
        self.task = task

    def set_progress(self, percent: float) -> None:
        self.progress.update(self.task, completed=percent)  # type: ignore[attr-defined]

    def is_cancelled(self) -> bool:
        return False


@contextmanager
def _progress(title: str) -> Iterator[_Bar]:
    import sys

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        transient=True,
        console=Console(stderr=True),
        disable=not sys.stderr.isatty(),
    ) as progress:
        task = progress.add_task(title, total=100)
        yield _Bar(progress, task)


def _split(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for value in values:
        out += [v.strip() for v in value.split(",") if v.strip()]
    return out


@command("export")
@click.argument("project", type=PROJECT)
@click.option(
    "--layers",
    "layers",
    multiple=True,
    help="Layers to export, comma-separated (default: every layer of the project).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["shp", "gpkg", "geojson", "csv", "xlsx"]),
    default="gpkg",
    show_default=True,
    help="File format.",
)
@click.option(
    "--crs",
    default="project",
    show_default=True,
    help="project (stored GK zone), cgcs2000, wgs84, gcj02, bd09 or an EPSG code.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="File (.gpkg, .xlsx, .zip) or folder (shp, geojson, csv, bundles).",
)
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    help="Text encoding of shapefiles and CSV: utf-8 or gbk (ArcMap 10.2 and older).",
)
@click.option(
    "--privacy", is_flag=True, help="Leave out phones, photos and personal fields."
)
@click.option(
    "--with-personal-data",
    is_flag=True,
    help="Write residents' names, ID numbers, birth dates and phones "
    "(--layers houses,residents; left out otherwise).",
)
@click.option(
    "--by",
    type=click.Choice(["community", "street"]),
    default=None,
    help="One zip bundle per community or street.",
)
@click.option(
    "--headers",
    type=click.Choice(["zh", "en", "name"]),
    default="zh",
    show_default=True,
    help="CSV/XLSX column headers: Chinese or English aliases, or field names.",
)
@click.option("--overwrite", is_flag=True, help="Replace the target if it exists.")
def export_command(
    project: Path,
    layers: tuple[str, ...],
    fmt: str,
    crs: str,
    out: Path,
    encoding: str,
    privacy: bool,
    with_personal_data: bool,
    by: str | None,
    headers: str,
    overwrite: bool,
) -> None:
    """Export layers of PROJECT to shapefile, GeoPackage, GeoJSON, CSV or Excel."""
    from gridgis.core.exchange import export_project
    from gridgis.core.store import open_project

    store = open_project(project)
    with _progress(Text("导出", "Exporting").get()) as bar:
        report = export_project(
            store,
            out,
            layers=_split(layers) or None,
            fmt=fmt,
            crs=crs,
            encoding=encoding,
            privacy=privacy,
            with_personal_data=with_personal_data and not privacy,
            by=by,
            headers=headers,
            overwrite=overwrite,
            feedback=bar,
        )
    click.echo(report.summary().get())
    shown = report.files if len(report.files) <= 12 else report.files[:10]
    for path in shown:
        click.echo(f"  {path}")
    if len(shown) < len(report.files):
        click.echo(f"  … ({len(report.files) - len(shown)} more)")
    for warning in report.warnings:
        click.secho(warning.get(), fg="yellow")


def _layer_pairs(values: tuple[str, ...]) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for value in values:
        target, _, source = value.partition("=")
        pairs.append((target.strip(), source.strip() or None))
    return pairs


def _mapping_for(layer: str, mapping: dict[str, str | None]) -> dict[str, str | None]:
    """The ``--map`` pairs for ``layer``: ``field=…`` and ``layer.field=…``."""
    from gridgis.core import schema

    lyr = schema.layer(layer)
    out: dict[str, str | None] = {}
    for key, column in mapping.items():
        prefix, _, name = key.rpartition(".")
        if prefix and prefix != layer:
            continue
        if prefix or lyr.has_field(name):
            out[name] = column
    return out


def _check_map_fields(mapping: dict[str, str | None], targets: list[str]) -> None:
    """Refuse a ``--map`` whose field none of the layers imported has."""
    from gridgis.core import schema
    from gridgis.core.errors import SchemaError

    layers = [*targets, *(["assignments"] if "staff" in targets else [])]
    for key in mapping:
        prefix, _, name = key.rpartition(".")
        owners = [prefix] if prefix else layers
        if prefix and prefix not in layers:
            known = ", ".join(layers)
            raise SchemaError(
                f"--map {key}: '{prefix}' is not a layer being imported ({known}).",
                f"--map {key}:“{prefix}”不是本次导入的图层({known})。",
            )
        if not any(schema.layer(owner).has_field(name) for owner in owners):
            fields = ", ".join(
                f for owner in owners for f in schema.layer(owner).field_names
            )
            raise SchemaError(
                f"--map {key}: {' / '.join(owners)} has no field '{name}'. "
                f"Its fields are: {fields}.",
                f"--map {key}:{' / '.join(owners)} 没有字段“{name}”。可用字段:{fields}。",
            )


@command("import")
@click.argument("project", type=PROJECT)
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--layer",
    "layers",
    multiple=True,
    required=True,
    help="Layer to fill; LAYER=SOURCE_LAYER picks a layer of a GeoPackage or KML "
    "file or a sheet of a workbook. Repeat it to import several layers at once.",
)
@click.option(
    "--encoding",
    default=None,
    help="Text encoding when the file does not say it right (default: detected).",
)
@click.option(
    "--crs",
    default=None,
    help="CRS the coordinates are really in: an EPSG code, cgcs2000, wgs84, gcj02 "
    "(Amap, Tencent), bd09 (Baidu). Default: what the file says.",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    help="FIELD=COLUMN: fill FIELD from COLUMN (FIELD= leaves it empty). Repeatable.",
)
@click.option(
    "--mode",
    type=click.Choice(["add", "update", "replace"]),
    default="add",
    show_default=True,
    help="add: refuse IDs already present; update: change those, add the rest; "
    "replace: replace the layer's rows.",
)
@click.option(
    "--photos",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of staff photos (files named in the roster, or by ID or name).",
)
@click.option("--dry-run", is_flag=True, help="Check and report, but write nothing.")
def import_command(
    project: Path,
    source: Path,
    layers: tuple[str, ...],
    encoding: str | None,
    crs: str | None,
    maps: tuple[str, ...],
    mode: str,
    photos: Path | None,
    dry_run: bool,
) -> None:
    """Import SOURCE (shapefile, GeoPackage, GeoJSON, KML, CSV, XLSX) into PROJECT.

    Everything lands in one transaction or not at all. For --layer staff a roster's
    posts (网格编码 + 岗位 columns) are imported into assignments as well.
    --layer houses or --layer residents reads a filled register template (see
    `gridgis template`).
    """
    from gridgis.core.exchange import apply_imports, plan_import, plan_roster
    from gridgis.core.exchange.mapping import parse_mapping
    from gridgis.core.exchange.sources import check_path, source_layers
    from gridgis.core.store import open_project

    store = open_project(project)
    targets = [target for target, _ in _layer_pairs(layers)]
    if {"houses", "residents"} & set(targets):
        from gridgis.cli.register import import_register

        import_register(store, source, targets, _layer_pairs(layers)[0][1], encoding,
                        mode, dry_run)  # fmt: skip
        return
    mapping = parse_mapping(maps)
    _check_map_fields(mapping, [target for target, _ in _layer_pairs(layers)])
    fmt = check_path(source)
    available = source_layers(source) if fmt in {"gpkg", "kml"} else []
    plans = []
    for target, source_layer in _layer_pairs(layers):
        if source_layer is None and target in available:
            source_layer = target
        if target == "staff":
            plans += plan_roster(
                store,
                source,
                photos=photos,
                mapping={
                    **_mapping_for("staff", mapping),
                    **_mapping_for("assignments", mapping),
                },
                sheet=source_layer,
                encoding=encoding,
            )
        else:
            plans.append(
                plan_import(
                    store,
                    source,
                    target,
                    mapping=_mapping_for(target, mapping),
                    source_layer=source_layer,
                    encoding=encoding,
                    crs=crs,
                )
            )
    if dry_run:
        reports = [plan.report for plan in plans]
        click.echo(
            Text("检查通过,未写入任何数据。", "Checked; nothing was written.").get()
        )
    else:
        with _progress(Text("导入", "Importing").get()) as bar:
            reports = apply_imports(store, plans, mode=mode, feedback=bar)
    for report in reports:
        for k, line in enumerate(report.lines()):
            click.echo(("" if k == 0 else "  ") + line.get())


@command("new")
@click.argument("project", type=PROJECT)
@click.option(
    "--county", required=True, help="6-digit county code (GB/T 2260), e.g. 320508."
)
@click.option(
    "--lon", type=float, default=None, help="A longitude of the area (degrees east)."
)
@click.option(
    "--like",
    type=click.Path(path_type=Path),
    default=None,
    help="A file of the area's data; the CRS zone is chosen from its coordinates.",
)
@click.option(
    "--crs", default=None, help="CRS of the --like file when it does not say it."
)
@click.option(
    "--roles",
    type=click.Choice(["grid-worker", "1+6"]),
    default="grid-worker",
    show_default=True,
    help="Role catalogue preset.",
)
@click.option("--overwrite", is_flag=True, help="Replace PROJECT if it exists.")
def new_command(
    project: Path,
    county: str,
    lon: float | None,
    like: Path | None,
    crs: str | None,
    roles: str,
    overwrite: bool,
) -> None:
    """Create an empty PROJECT in the Gauss–Krüger zone of its area."""
    from gridgis.core.exchange import create_project_for

    store = create_project_for(
        project,
        county=county,
        lon=lon,
        source=like,
        crs=crs,
        role_preset=roles,
        overwrite=overwrite,
    )
    click.echo(
        Text(
            "已新建项目 {path}:坐标系 EPSG:{epsg}({name}),区划代码前缀 {county}。",
            "Created {path}: CRS EPSG:{epsg} ({name}), code prefix {county}.",
        )
        .format(
            path=project,
            epsg=store.settings.crs_epsg,
            name=store.crs.name,
            county=county,
        )
        .get()
    )
