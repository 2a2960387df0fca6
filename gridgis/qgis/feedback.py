"""QGIS's progress and cancellation as the engines' :class:`~gridgis.core.progress.Feedback`.

The engines of :mod:`gridgis.core` report through ``set_progress``/``is_cancelled``.
QGIS has two objects with a progress bar and a cancel button: a ``QgsFeedback`` (the
``QgsProcessingFeedback`` of a Processing algorithm, the feedback of a renderer or a
download) and a ``QgsTask``. Both have ``setProgress(float)`` and ``isCanceled()``;
:class:`QgisFeedback` adapts either, optionally onto a part of its bar so that one
algorithm can run several engines one after the other.
"""

from __future__ import annotations

from typing import Protocol


class ProgressTarget(Protocol):
    """What QGIS's ``QgsFeedback`` and ``QgsTask`` have in common."""

    def setProgress(self, progress: float) -> None:
        """Show ``progress`` (0–100)."""

    def isCanceled(self) -> bool:
        """Whether the user cancelled."""


class QgisFeedback:
    """A :class:`~gridgis.core.progress.Feedback` on a ``QgsFeedback`` or ``QgsTask``.

    Parameters
    ----------
    target
        The QGIS object that shows the progress and knows about cancellation.
    start, stop
        The part of ``target``'s bar this engine fills: its 0–100 % are shown as
        ``start``–``stop`` %.
    """

    def __init__(
        self, target: ProgressTarget, start: float = 0.0, stop: float = 100.0
    ) -> None:
        self.target = target
        self.start = float(start)
        self.stop = float(stop)

    def set_progress(self, percent: float) -> None:
        """Show the engine's ``percent`` on QGIS's progress bar."""
        percent = max(0.0, min(100.0, float(percent)))
        self.target.setProgress(self.start + (self.stop - self.start) * percent / 100.0)

    def is_cancelled(self) -> bool:
        """Whether the user pressed Cancel in QGIS."""
        return bool(self.target.isCanceled())

    def part(self, start: float, stop: float) -> QgisFeedback:
        """Feedback for the next engine, filling ``start``–``stop`` % of this bar."""
        span = self.stop - self.start
        return QgisFeedback(
            self.target,
            self.start + span * start / 100.0,
            self.start + span * stop / 100.0,
        )


__all__ = ["ProgressTarget", "QgisFeedback"]
