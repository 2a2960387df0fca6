"""Printing boards in other processes: chunks of a large run, or a whole run for a GUI.

QGIS renders a layout on one core; a city's boards are independent pages, so
:func:`run_workers` starts one process per chunk of grids, each running
:func:`gridgis.qgis.boards.print_chunk` into the same staging folder, and joins their
progress. :func:`print_in_process` runs a whole :func:`~gridgis.qgis.boards.print_boards`
in a child process: the desktop application's print task only watches it, so neither
QGIS rendering nor the geo libraries ever run in a background thread of the window.

A child (``python -m gridgis.qgis.print_worker``) reads its job as JSON on standard
input and writes one line per event on standard output: ``progress <percent>``,
``done <JSON>`` or ``error <JSON message>``. Cancelling sends it SIGTERM, which it
turns into a cancel request: it stops at the next page and cleans up after itself.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import IO, Any

from gridgis.core.errors import GridGisError
from gridgis.core.progress import Cancelled, Feedback


class _LineFeedback:
    """Reports progress as lines on standard output; SIGTERM asks it to stop."""

    def __init__(self) -> None:
        self.last = -1.0
        self.cancelled = False

    def set_progress(self, percent: float) -> None:
        if percent - self.last >= 0.5 or percent >= 100.0:
            self.last = percent
            print(f"progress {percent:.2f}", flush=True)

    def is_cancelled(self) -> bool:
        return self.cancelled

    def cancel(self, *_: object) -> None:
        self.cancelled = True


def _result_json(result: Any) -> str:
    values = {}
    for field in fields(result):
        value = getattr(result, field.name)
        if isinstance(value, Path):
            value = str(value)
        elif isinstance(value, list):
            value = [str(v) if isinstance(v, Path) else v for v in value]
        values[field.name] = value
    return json.dumps(values, ensure_ascii=False)


def _result_from_json(text: str) -> Any:
    from gridgis.qgis.boards import PrintResult

    values = json.loads(text)
    paths = {"directory", "boards", "cards"}
    lists = {"board_pages", "images", "card_pages", "overviews"}
    for name in paths:
        if values.get(name) is not None:
            values[name] = Path(values[name])
    for name in lists:
        values[name] = [Path(v) for v in values.get(name, [])]
    return PrintResult(**values)


def main() -> int:
    """Run one job read from standard input; return the exit status."""
    job = json.loads(sys.stdin.read())
    from gridgis.core.i18n import set_language
    from gridgis.qgis.boards import PrintOptions, print_boards, print_chunk
    from gridgis.qgis.runtime import start_qgis

    set_language(job.get("language"))
    feedback = _LineFeedback()
    signal.signal(signal.SIGTERM, feedback.cancel)
    start_qgis()
    try:
        if job.get("mode") == "print":
            result = print_boards(
                job["project"], job["out"], feedback=feedback, **job["options"]
            )
            print("done " + _result_json(result), flush=True)
        else:
            seconds = print_chunk(
                job["project"],
                job["codes"],
                PrintOptions(**job["options"]),
                Path(job["staging"]),
                job["part"],
                feedback,
                overview_codes=job.get("overview_codes"),
            )
            print("done " + json.dumps(seconds), flush=True)
    except Cancelled:
        print("cancelled", flush=True)
        return 130
    except GridGisError as exc:
        message = {"zh": exc.text.zh, "en": exc.text.en, "details": exc.details}
        print("error " + json.dumps(message, ensure_ascii=False), flush=True)
        return 2
    return 0


# ---------------------------------------------------------------------------------
# The parent's side
# ---------------------------------------------------------------------------------


def _pump(stream: IO[str], index: int, events: queue.Queue) -> None:
    for line in stream:
        events.put((index, line.rstrip("\n")))
    events.put((index, None))


def _drain(stream: IO[str], tail: list[str]) -> None:
    """Keep the last lines a process writes to standard error (its messages)."""
    for line in stream:
        tail.append(line)
        del tail[:-40]


def _supervise(
    jobs: Sequence[dict],
    feedback: Feedback | None,
    on_progress: Callable[[list[float]], None],
) -> list[str]:
    """Run one child per job; return each child's ``done`` payload.

    Raises
    ------
    Cancelled
        If ``feedback`` asks to stop (the children stop and clean up first).
    GridGisError
        If a child fails; the others are stopped.
    """
    from gridgis.core.i18n import current_language

    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # The local time zone, spelled out: Qt then stops checking /etc/localtime each
    # time QGIS reads its settings (hundreds of times per board page).
    env.setdefault("TZ", ":/etc/localtime")
    events: queue.Queue = queue.Queue()
    processes: list[subprocess.Popen] = []
    readers: list[threading.Thread] = []
    errors: list[list[str]] = []
    for index, job in enumerate(jobs):
        process = subprocess.Popen(
            [sys.executable, "-m", "gridgis.qgis.print_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
        )
        assert process.stdin is not None
        process.stdin.write(json.dumps({**job, "language": current_language()}))
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
    progress = [0.0] * len(jobs)
    done: list[str | None] = [None] * len(jobs)
    open_streams = len(jobs)
    error: GridGisError | None = None
    cancelled = False
    try:
        while open_streams:
            if not cancelled and feedback is not None and feedback.is_cancelled():
                cancelled = True
                for process in processes:
                    if process.poll() is None:
                        process.send_signal(signal.SIGTERM)
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
                on_progress(progress)
            elif kind == "done":
                done[index] = payload
            elif kind == "error" and error is None:
                message = json.loads(payload)
                error = GridGisError(
                    message["en"], message["zh"], details=message.get("details", "")
                )
                for process in processes:
                    if process.poll() is None:
                        process.send_signal(signal.SIGTERM)
        for index, process in enumerate(processes):
            status = process.wait(timeout=60)
            if error is None and not cancelled and status != 0:
                error = GridGisError(
                    f"A printing process failed (status {status}).",
                    f"打印进程异常退出(状态 {status})。",
                    details="".join(errors[index])[-2000:],
                )
        if cancelled:
            raise Cancelled()
        if error is not None:
            raise error
        return [d or "" for d in done]
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
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
    """
    jobs = [
        {
            "mode": "chunk",
            "project": str(project_file),
            "codes": list(codes),
            "options": asdict(options),
            "staging": str(staging),
            "part": str(index),
            "overview_codes": list(overview_codes)
            if overview_codes and index == 0
            else None,
        }
        for index, codes in enumerate(chunks)
    ]
    weights = [len(c) for c in chunks]

    def report(progress: list[float]) -> None:
        if feedback is not None:
            done = sum(p * w for p, w in zip(progress, weights, strict=True))
            feedback.set_progress(share * done / (100 * sum(weights)))

    return [json.loads(d) if d else {} for d in _supervise(jobs, feedback, report)]


def print_in_process(
    project_file: str | Path,
    out: str | Path,
    *,
    feedback: Feedback | None = None,
    **options: Any,
) -> Any:
    """:func:`~gridgis.qgis.boards.print_boards` in a child process; its result.

    For callers that must not render themselves (the desktop application's task).
    """
    job = {
        "mode": "print",
        "project": str(project_file),
        "out": str(out),
        "options": options,
    }

    def report(progress: list[float]) -> None:
        if feedback is not None:
            feedback.set_progress(progress[0])

    (payload,) = _supervise([job], feedback, report)
    return _result_from_json(payload)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
