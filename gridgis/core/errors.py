"""The one family of errors a user can cause and fix.

Every error carries a message in Chinese and English that says what went wrong and what
to do about it; ``str(error)`` gives it in the current language. Programming errors
(wrong argument types) stay ``TypeError``/``ValueError``.
"""

from __future__ import annotations

from gridgis.core.i18n import Text


class GridGisError(Exception):
    """An error the user can fix; the message says how."""

    def __init__(self, en: str, zh: str | None = None, *, details: str = "") -> None:
        self.text = Text(zh if zh is not None else en, en)
        self.details = details
        super().__init__(en)

    def __str__(self) -> str:
        message = self.text.get()
        return f"{message}\n{self.details}" if self.details else message


class ProjectFileError(GridGisError):
    """The project file is missing, unreadable, not a GridGIS project or too new."""


class SchemaError(GridGisError):
    """Data does not fit the GridGIS schema: an unknown or missing field, a wrong type."""


class GeometryError(GridGisError):
    """A geometry is of the wrong type, invalid or empty where that is not allowed."""


class CrsError(GridGisError):
    """A coordinate reference system is missing, unknown or not the one expected."""


class CodeError(GridGisError):
    """A division code is malformed or does not fit its parent."""


class InputFileError(GridGisError):
    """A file to import is missing, broken or in a form GridGIS cannot read."""


class ExportError(GridGisError):
    """An export cannot be written as asked: a value a format cannot hold, a bad target."""


class ConflictError(GridGisError):
    """Someone else changed a community after it was read: who, when, with which tool.

    The message says what to do: reload (the app) or run the command again.
    """


class ProjectBusyError(ProjectFileError):
    """Another program holds the project file's write lock longer than GridGIS waits."""


class ReadOnlyProjectError(ProjectFileError):
    """The project file (or its folder) may be read but not written."""


def unwritable_workbook(
    path: object, exc: OSError, kind: type[GridGisError] = InputFileError
) -> GridGisError:
    """The error for an Excel workbook that could not be saved at ``path``."""
    return kind(
        f"Cannot write {path} ({exc.strerror}); check the folder exists and the "
        "file is not open in Excel or WPS.",
        f"无法写入 {path}({exc.strerror});请确认文件夹存在,且该文件未在 Excel 或 "
        "WPS 中打开。",
    )
