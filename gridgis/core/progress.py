"""Progress and cancellation for long work (division, validation of a city, printing).

Engines take a :class:`Feedback` and report through it; the front ends adapt it: a
``QgsTask``/``QgsFeedback`` in the application and the QGIS plugin, a progress bar on the
terminal in the command line. Engines never import either.

Examples
--------
>>> fb = Recorder()
>>> for step in steps(fb, range(4)):
...     pass
>>> fb.values
[0.0, 25.0, 50.0, 75.0, 100.0]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar

from gridgis.core.errors import GridGisError

T = TypeVar("T")


class Cancelled(GridGisError):
    """The user cancelled the work; nothing was written."""

    def __init__(self) -> None:
        super().__init__("Cancelled; nothing was changed.", "已取消,未做任何修改。")


class Feedback(Protocol):
    """What an engine reports to, and asks, its front end."""

    def set_progress(self, percent: float) -> None:
        """Report how much of the work is done (0–100)."""

    def is_cancelled(self) -> bool:
        """Whether the user asked to stop."""


class NoFeedback:
    """Feedback that shows nothing and never cancels."""

    def set_progress(self, percent: float) -> None:
        """Ignore the progress."""

    def is_cancelled(self) -> bool:
        """Never cancel."""
        return False


class Recorder(NoFeedback):
    """Feedback that records every progress value (for tests)."""

    def __init__(self, cancel_after: float | None = None) -> None:
        self.values: list[float] = []
        self.cancel_after = cancel_after

    def set_progress(self, percent: float) -> None:
        """Record the progress."""
        self.values.append(percent)

    def is_cancelled(self) -> bool:
        """Cancel once progress passed ``cancel_after``."""
        return (
            self.cancel_after is not None
            and bool(self.values)
            and self.values[-1] >= self.cancel_after
        )


def check(feedback: Feedback | None) -> None:
    """Raise :class:`Cancelled` if the user asked to stop."""
    if feedback is not None and feedback.is_cancelled():
        raise Cancelled()


def steps(
    feedback: Feedback | None,
    items: Iterable[T],
    *,
    start: float = 0.0,
    stop: float = 100.0,
    total: int | None = None,
) -> Iterator[T]:
    """Iterate ``items`` reporting progress from ``start`` to ``stop``; stop on cancel."""
    values = list(items) if total is None else items
    count = total if total is not None else len(values)  # type: ignore[arg-type]
    for k, item in enumerate(values):
        check(feedback)
        if feedback is not None:
            feedback.set_progress(start + (stop - start) * k / max(count, 1))
        yield item
    if feedback is not None:
        feedback.set_progress(stop)
