"""``gridgis copy`` and ``gridgis access``: shared projects in PostgreSQL/PostGIS."""

from __future__ import annotations

from pathlib import Path

import click

from gridgis.cli import PROJECT, command, main
from gridgis.core.i18n import Text


@command("copy")
@click.argument("source", type=PROJECT)
@click.argument("target", type=PROJECT)
@click.option("--overwrite", is_flag=True, help="Replace the project at TARGET.")
def copy_command(source: str | Path, target: str | Path, overwrite: bool) -> None:
    """Copy the whole project SOURCE to TARGET (a .gpkg file or a database).

    Either side may be a file or a PostgreSQL database (postgresql://user@host/db or
    service=NAME; the password comes from ~/.pgpass or pg_service.conf). The copy is
    one transaction.
    """
    import time

    from gridgis.core import schema
    from gridgis.core.store import copy_project, open_project

    started = time.perf_counter()
    with (
        open_project(source) as src,
        copy_project(src, target, overwrite=overwrite) as dst,
    ):
        counts = {
            name: dst.count(name)
            for name in schema.LAYER_NAMES
            if schema.layer(name).user_data
        }
    click.echo(
        Text("已复制 {src} → {dst}({s:.1f} 秒)", "Copied {src} → {dst} ({s:.1f} s)")
        .format(src=source, dst=target, s=time.perf_counter() - started)
        .get()
    )
    click.echo(", ".join(f"{name} {n}" for name, n in counts.items()))


@main.group("access")
def access() -> None:
    """Per-street access to a PostGIS project (database logins → streets)."""


@access.command("grant")
@click.argument("project", type=PROJECT)
@click.argument("login")
@click.option("--street", default=None, help="Street code (9 digits).")
@click.option(
    "--role",
    type=click.Choice(["planner", "viewer", "district"]),
    required=True,
    help="planner edits the street, viewer reads it, district sees everything.",
)
def grant_command(
    project: str | Path, login: str, street: str | None, role: str
) -> None:
    """Let LOGIN edit (planner) or read (viewer) a street of PROJECT."""
    from gridgis.core.store import open_project
    from gridgis.core.store.pgaccess import grant

    with open_project(project) as store:
        made = grant(store, login, street=street, role=role)
    click.echo(
        Text("{login}:{street} {role}", "{login}: {street} {role}")
        .format(
            login=made.login,
            street=made.street or Text("全区", "whole district").get(),
            role=made.role,
        )
        .get()
    )


@access.command("revoke")
@click.argument("project", type=PROJECT)
@click.argument("login")
@click.option("--street", default=None, help="Only this street (default: all).")
def revoke_command(project: str | Path, login: str, street: str | None) -> None:
    """Take LOGIN's access to a street (or to everything) of PROJECT."""
    from gridgis.core.store import open_project
    from gridgis.core.store.pgaccess import revoke

    with open_project(project) as store:
        n = revoke(store, login, street=street)
    click.echo(Text("已撤销 {n} 项权限", "Revoked {n} grant(s)").format(n=n).get())


@access.command("list")
@click.argument("project", type=PROJECT)
def list_command(project: str | Path) -> None:
    """List who may read or edit which street of PROJECT."""
    from gridgis.core.store import open_project
    from gridgis.core.store.pgaccess import grants

    with open_project(project) as store:
        rows = grants(store)
    for row in rows:
        street = row.street or Text("全区", "whole district").get()
        click.echo(f"{row.login:<24} {street:<12} {row.role}")
