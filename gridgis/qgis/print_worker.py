"""Printing boards in several processes: one chunk of grids per process.

QGIS renders a layout on one core; a city's boards are independent pages, so
:func:`run_workers` starts one process per chunk of grids (``python -m
gridgis.qgis.print_worker``), each running :func:`gridgis.qgis.boards.print_chunk`
into the same staging folder, and joins their progress. Cancelling stops them all;
the caller removes the staging folder, so nothing partial is left.

A worker reads its job as JSON on standard input and writes one line per event on
standard output: ``progress <percent>``, ``done <seconds JSON>`` or ``error <message
JSON>``.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from gridgis.core.errors import GridGisError
from gridgis.core.progress import Cancelled, Feedback


class _LineFeedback:
    """Reports progress as lines on standard output (at most one per percent)."""

    def __init__(self) -> None:
        self.last = -1.0

    def set_progress(self, percent: float) -> None:
        if percent - self.last >= 1.0 or percent >= 100.0:
            self.last = percent
            print(f"progress {percent:.2f}", flush=True)

    def is_cancelled(self) -> bool:
        return False


def main() -> int:
    """Run one job read from standard input; return the exit status."""
    job = json.loads(sys.stdin.read())
    from gridgis.core.i18n import set_language
    from gridgis.qgis.boards import PrintOptions, print_chunk
    from gridgis.qgis.runtime import start_qgis

    set_language(job.get("language"))
    start_qgis()
    try:
        seconds = print_chunk(
            job["project"],
            job["codes"],
            PrintOptions(**job["options"]),
            Path(job["staging"]),
            job["part"],
            _LineFeedback(),
            overview_codes=job.get("overview_codes"),
        )
    except GridGisError as exc:
        print("error " + json.dumps({"zh": exc.text.zh, "en": exc.text.en}), flush=True)
        return 2
    print("done " + json.dumps(seconds), flush=True)
    return 0


def _pump(stream: IO[str], index: int, events: queue.Queue) -> None:
    for line in stream:
        events.put((index, line.rstrip("\n")))
    events.put((index, None))


def _drain(stream: IO[str], tail: list[str]) -> None:
    """Keep the last lines a process writes to standard error (its messages)."""
    for line in stream:
        tail.append(line)
        del tail[:-40]


def run_workers(
    project_file: str | Path,
    chunks: Sequence[Sequence[str]],
    options: Any,
    staging: Path,
    feedback: Feedback | None,
    share: float = 100.0,
    *,
    overview_codes: Sequence[str] | None = None,
) -> list[dict[str, float]]:
    """Print ``chunks`` of grid codes in one process each; return their timings.

    The first process also prints the overview maps of ``overview_codes``.

    Raises
    ------
    Cancelled
        If ``feedback`` asks to stop (the processes are stopped first).
    GridGisError
        If a process fails; the others are stopped.
    """
    from dataclasses import asdict

    from gridgis.core.i18n import current_language

    events: queue.Queue = queue.Queue()
    processes = []
    readers: list[threading.Thread] = []
    errors: list[list[str]] = []
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # The local time zone, spelled out: Qt then stops checking /etc/localtime each
    # time QGIS reads its settings (hundreds of times per board page).
    env.setdefault("TZ", ":/etc/localtime")
    for index, codes in enumerate(chunks):
        process = subprocess.Popen(
            [sys.executable, "-m", "gridgis.qgis.print_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
        )
        job = {
            "project": str(project_file),
            "codes": list(codes),
            "options": asdict(options),
            "staging": str(staging),
            "part": str(index),
            "language": current_language(),
            "overview_codes": list(overview_codes)
            if overview_codes and index == 0
            else None,
        }
        assert process.stdin is not None
        process.stdin.write(json.dumps(job))
        process.stdin.close()
        errors.append([])
        readers += [
            threading.Thread(
                target=_pump, args=(process.stdout, index, events), daemon=True
            ),
            threading.Thread(
                target=_drain, args=(process.stderr, errors[-1]), daemon=True
            ),
        ]
        readers[-2].start()
        readers[-1].start()
        processes.append(process)
    progress = [0.0] * len(chunks)
    weights = [len(c) for c in chunks]
    timings: list[dict[str, float]] = [{} for _ in chunks]
    open_streams = len(chunks)
    error: GridGisError | None = None
    try:
        while open_streams:
            if feedback is not None and feedback.is_cancelled():
                raise Cancelled()
            try:
                index, line = events.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                open_streams -= 1
                continue
            kind, _, payload = line.partition(" ")
            if kind == "progress":
                progress[index] = float(payload)
                if feedback is not None:
                    done = sum(p * w for p, w in zip(progress, weights, strict=True))
                    feedback.set_progress(share * done / (100 * sum(weights)))
            elif kind == "done":
                timings[index] = json.loads(payload)
            elif kind == "error":
                message = json.loads(payload)
                error = GridGisError(message["en"], message["zh"])
                break
        for index, process in enumerate(processes):
            if error is not None:
                break
            if process.wait() != 0:
                error = GridGisError(
                    f"A printing process failed (status {process.returncode}).",
                    f"打印进程异常退出(状态 {process.returncode})。",
                    details="".join(errors[index])[-2000:],
                )
        if error is not None:
            raise error
        return timings
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for reader in readers:
            reader.join(timeout=5)
        for process in processes:
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
