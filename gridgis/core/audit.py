"""Who writes, and with which tool: the names the change log records.

A front end names itself once with :func:`acting_as` (the ``gridgis`` command per
subcommand, the desktop application per edit tool); every store transaction opened
inside records that name. Light on purpose: no geo libraries, so the command line can
import it before it knows which command runs.
"""

from __future__ import annotations

import contextlib
import getpass
import os
from collections.abc import Iterator
from contextvars import ContextVar

_TOOL: ContextVar[str] = ContextVar("gridgis_tool", default="")


@contextlib.contextmanager
def acting_as(tool: str) -> Iterator[None]:
    """Record the transactions opened inside the block as made by ``tool``.

    Front ends name themselves here (``"gridgis divide"``, ``"app: split"``), so the
    library functions they call need not pass the name along. The innermost name wins.
    """
    token = _TOOL.set(tool)
    try:
        yield
    finally:
        _TOOL.reset(token)


def current_tool() -> str:
    """The tool set by the innermost :func:`acting_as` ("" outside any)."""
    return _TOOL.get()


def os_user() -> str:
    """The name of the operating-system user running GridGIS."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry
        return os.environ.get("USERNAME") or str(os.getuid())
