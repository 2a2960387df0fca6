"""Engine work as a QgsTask: progress reaches the task, cancel stops the engine."""

from __future__ import annotations

import threading

import pytest
from qgis.core import QgsApplication

from gridgis.core.progress import Cancelled, steps
from gridgis.qgis.tasks import EngineTask

pytestmark = pytest.mark.qgis


def _count(feedback, n=20, gate=None):
    total = 0
    for k in steps(feedback, range(n)):
        if gate is not None and k == 5:
            gate.wait(5)
        total += k
    return total


def test_task_reports_progress_and_result(qgis_app, qtbot):
    task = EngineTask("count", _count)
    progress = []
    task.progressChanged.connect(progress.append)
    with qtbot.waitSignal(task.done, timeout=10000) as blocker:
        QgsApplication.taskManager().addTask(task)
    assert blocker.args == [sum(range(20))]
    qtbot.waitUntil(lambda: bool(progress) and progress[-1] == 100.0, timeout=5000)
    assert len(set(progress)) > 5


def test_cancel_stops_the_engine(qgis_app, qtbot):
    gate = threading.Event()
    task = EngineTask("count", lambda fb: _count(fb, gate=gate))
    with qtbot.waitSignal(task.failed, timeout=10000) as blocker:
        QgsApplication.taskManager().addTask(task)
        qtbot.waitUntil(lambda: task.progress() > 0, timeout=5000)
        task.cancel()
        gate.set()
    assert isinstance(blocker.args[0], Cancelled)
    assert task.result is None


def test_engine_errors_reach_the_main_thread(qgis_app, qtbot):
    def broken(feedback):
        raise ValueError("bad input")

    task = EngineTask("broken", broken)
    with qtbot.waitSignal(task.failed, timeout=10000) as blocker:
        QgsApplication.taskManager().addTask(task)
    assert str(blocker.args[0]) == "bad input"


def test_tasks_on_reused_threads_can_use_pyproj(qgis_app, qtbot):
    """A second task on a pooled thread must not find a freed PROJ context."""
    from pyproj import CRS

    def work(feedback):
        return CRS.from_epsg(4549).name

    for _ in range(6):
        task = EngineTask("crs", work)
        with qtbot.waitSignal(task.done, timeout=10000) as blocker:
            QgsApplication.taskManager().addTask(task)
        assert "CGCS2000" in blocker.args[0]
