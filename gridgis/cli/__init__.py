"""The ``gridgis`` command.

Each subcommand lives in its own module of this package and registers itself on
:data:`main`; the modules import their engines lazily so that ``gridgis --help`` starts
fast and commands that need no QGIS never load it.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from gridgis import __version__
from gridgis.core.audit import acting_as
from gridgis.core.errors import GridGisError
from gridgis.core.i18n import set_language


class _Group(click.Group):
    """Turns GridGIS errors into a plain message and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GridGisError as exc:
            click.secho(str(exc), fg="red", err=True)
            sys.exit(2)
        except sqlite3.DatabaseError as exc:
            # A damaged or locked file met where no message was prepared for it.
            from gridgis.core.store.gpkg import database_error

            files = [Path(a) for a in sys.argv if a.endswith(".gpkg")]
            error = database_error(files[0] if files else Path("the project"), exc)
            if error is None:
                raise
            click.secho(str(error), fg="red", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gridgis")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of messages (default: from the system locale).",
)
def main(lang: str | None) -> None:
    """GridGIS: community grid management (社区网格化服务管理)."""
    set_language(lang)
    ctx = click.get_current_context()
    if ctx.invoked_subcommand:
        # The change log names the command that wrote each change set.
        ctx.with_resource(acting_as(f"gridgis {ctx.invoked_subcommand}"))


class ProjectLocation(click.ParamType):
    """A PROJECT argument: a ``.gpkg`` file, or a database kept as its string.

    Databases are ``postgresql://…`` addresses or ``service=NAME``.
    """

    name = "project"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from pathlib import Path

        from gridgis.core.store.postgis import is_postgres

        if isinstance(value, Path) or not is_postgres(str(value)):
            return Path(value)
        return str(value)


#: The type of every PROJECT argument.
PROJECT = ProjectLocation()


def command(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """Register a subcommand on :data:`main`."""
    return main.command(*args, **kwargs)


# Subcommands register themselves when imported.
from gridgis.cli import app as _app  # noqa: E402,F401
from gridgis.cli import boards as _boards  # noqa: E402,F401
from gridgis.cli import database as _database  # noqa: E402,F401
from gridgis.cli import divide as _divide  # noqa: E402,F401
from gridgis.cli import exchange as _exchange  # noqa: E402,F401
from gridgis.cli import history as _history  # noqa: E402,F401
from gridgis.cli import project as _project  # noqa: E402,F401
from gridgis.cli import register as _register  # noqa: E402,F401
from gridgis.cli import stats as _stats  # noqa: E402,F401
from gridgis.cli import validate as _validate  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    main()
