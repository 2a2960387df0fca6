"""The ``gridgis`` command.

Each subcommand lives in its own module of this package and registers itself on
:data:`main`; the modules import their engines lazily so that ``gridgis --help`` starts
fast and commands that need no QGIS never load it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from gridgis import __version__
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


def command(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """Register a subcommand on :data:`main`."""
    return main.command(*args, **kwargs)


# Subcommands register themselves when imported.
from gridgis.cli import app as _app  # noqa: E402,F401
from gridgis.cli import boards as _boards  # noqa: E402,F401
from gridgis.cli import divide as _divide  # noqa: E402,F401
from gridgis.cli import exchange as _exchange  # noqa: E402,F401
from gridgis.cli import project as _project  # noqa: E402,F401
from gridgis.cli import register as _register  # noqa: E402,F401
from gridgis.cli import stats as _stats  # noqa: E402,F401
from gridgis.cli import validate as _validate  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    main()
