"""Long engine work as a ``QgsTask``: progress bar, cancel button, result on the main thread.

The engines of :mod:`gridgis.core` report through a :class:`gridgis.core.progress.Feedback`;
:class:`EngineTask` runs one of them on QGIS's task manager and adapts that feedback to
the task's progress and cancellation, so the application and the QGIS plugin show the
same progress bar and can stop the work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from qgis.core import QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from gridgis.core.progress import Cancelled
from gridgis.qgis.feedback import QgisFeedback

#: PROJ contexts of the task threads, kept alive (see :func:`keep_proj_context`).
_PROJ_CONTEXTS: dict[int, object] = {}


def keep_proj_context() -> None:
    """Keep the PROJ context pyproj made for this task thread alive.

    pyproj (3.7) remembers a thread's PROJ context in native thread storage but frees
    it with the Python thread state. QGIS runs tasks on pooled threads whose Python
    state ends with each task, so the next task on the same thread would use a freed
    context and crash. Holding the context's owner keeps it valid for the thread's
    next task.
    """
    try:
        from pyproj._context import get_context_manager
    except ImportError:  # another pyproj: nothing to keep
        return
    manager = get_context_manager()
    if manager is not None:
        _PROJ_CONTEXTS[threading.get_ident()] = manager


class TaskFeedback(QgisFeedback):
    """A :class:`~gridgis.core.progress.Feedback` that drives a ``QgsTask``."""

    def __init__(self, task: QgsTask) -> None:
        super().__init__(task)
        self.task = task


class EngineTask(QgsTask):
    """Run ``work(feedback)`` in the background; emit :attr:`done` with its result.

    ``work`` runs on a worker thread: it must not touch widgets or QGIS layers, only the
    store (open its own connection) and plain data. :attr:`done` is emitted on the main
    thread with the result, :attr:`failed` with the exception (a
    :class:`~gridgis.core.progress.Cancelled` when the user stopped it).
    """

    #: The work's result.
    done = pyqtSignal(object)
    #: The exception the work raised (``Cancelled`` when cancelled).
    failed = pyqtSignal(object)

    def __init__(self, description: str, work: Callable[[TaskFeedback], Any]) -> None:
        super().__init__(description, QgsTask.CanCancel)
        self.work = work
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> bool:
        try:
            self.result = self.work(TaskFeedback(self))
        except BaseException as exc:
            self.error = exc
            return False
        finally:
            keep_proj_context()
        if self.isCanceled():
            self.error = Cancelled()
            return False
        return True

    def finished(self, ok: bool) -> None:
        if ok:
            self.done.emit(self.result)
        else:
            self.failed.emit(self.error if self.error is not None else Cancelled())
