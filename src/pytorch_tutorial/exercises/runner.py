"""Drive the checks in a worker process with a time limit per exercise.

The worker imports torch and the checks once, then runs one exercise after another (``worker.py``). If an
exercise does not answer within the time limit (say, a ``while True`` loop) or the learner's code kills the
process, the worker is killed, that exercise is reported as failed, and a fresh worker takes the next one.
On Linux the workers are forked from a server that has already imported torch, so a restart costs
milliseconds; elsewhere (macOS, Windows) they are spawned, and importing torch costs a second or two.

This module imports neither torch nor the checks, so that the command starts fast.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

from pytorch_tutorial.exercises.catalog import Exercise

PASSED, FAILED, NOT_STARTED = "passed", "failed", "not started"
DEFAULT_TIMEOUT = 10.0  # seconds per exercise; every check takes well under one on a laptop
STARTUP_TIMEOUT = 300.0  # importing torch on a busy machine can take a while


def result(exercise_id: str, status: str, message: str = "", **extra: Any) -> dict[str, Any]:
    """A check's outcome as a plain dict, the form it travels through the pipe in."""
    return {
        "id": exercise_id,
        "status": status,
        "message": message,
        "expected": None if extra.get("expected") is None else str(extra["expected"]),
        "got": None if extra.get("got") is None else str(extra["got"]),
        "example": extra.get("example"),
        "output": extra.get("output", ""),
        "seconds": extra.get("seconds", 0.0),
    }


def _serve(conn: Any) -> None:  # pragma: no cover - runs in the worker process
    """The worker process's entry point (a module-level function, so spawn can find it)."""
    from pytorch_tutorial.exercises import worker

    worker.serve(conn)


def _context(preload: tuple[str, ...] = ()) -> Any:
    """forkserver where fork is safe (Linux), spawn elsewhere; ``PYTORCH_TUTORIAL_CHECK_START`` overrides.
    The forkserver imports the worker module and ``preload`` once, so every worker starts with them imported."""
    method = os.environ.get("PYTORCH_TUTORIAL_CHECK_START") or (
        "forkserver" if sys.platform.startswith("linux") else "spawn"
    )
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["pytorch_tutorial.exercises.worker", *preload])
    return ctx


class WorkerError(RuntimeError):
    """The worker process could not start (a bug in the checker, not in the learner's code)."""


class CheckRunner:
    """Runs exercises' checks in a worker process, each under a time limit. Use as a context manager."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, preload: tuple[str, ...] = ()) -> None:
        """``preload``: modules slow to import that the chosen exercises need (``lightning`` for lesson 21),
        imported once before any check's time limit starts; the others' checks do not pay for them."""
        self.timeout = timeout
        self._ctx = _context(preload)
        self._proc: Any = None
        self._conn: Any = None
        self._hangs_on_import: dict[tuple[str, int, int], dict[str, Any]] = {}  # file version -> its failure

    def __enter__(self) -> CheckRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _start(self) -> None:
        parent_conn, child_conn = self._ctx.Pipe()
        proc = self._ctx.Process(target=_serve, args=(child_conn,), daemon=True, name="pytorch-tutorial-check")
        proc.start()
        child_conn.close()
        self._proc, self._conn = proc, parent_conn
        try:
            ready = parent_conn.poll(STARTUP_TIMEOUT)
            message = parent_conn.recv() if ready else None
        except (EOFError, OSError):
            message = None
        if not message or message[0] != "ready":
            self._kill()
            raise WorkerError(f"the checker's worker process did not start (exit code {proc.exitcode})")

    def _kill(self) -> None:
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def close(self) -> None:
        """Stop the worker."""
        if self._proc is not None and self._proc.is_alive():
            try:
                self._conn.send(None)
                self._proc.join(2)
            except (OSError, ValueError):
                pass
        self._kill()

    def run(self, folder: Path, exercise: Exercise) -> dict[str, Any]:
        """Check one exercise on the learner's file in ``folder``; always returns a result."""
        path = Path(folder) / exercise.file
        if not path.is_file():
            return result(
                exercise.id,
                NOT_STARTED,
                f"{exercise.file} is not in {folder}: 'pytorch-tutorial exercises start {folder}' copies it again",
            )
        stat = path.stat()
        version = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        if version in self._hangs_on_import:  # every exercise of this file would wait for the same loop
            return {**self._hangs_on_import[version], "id": exercise.id}
        if self._proc is None or not self._proc.is_alive():
            self._kill()
            self._start()
        deadline = time.monotonic() + self.timeout
        loaded, message = False, None
        try:
            self._conn.send((str(path.resolve()), exercise.id))
            answered = self._conn.poll(self.timeout)
            if answered:
                message = self._conn.recv()
                if message[0] == "loaded":  # the file imported; now the check itself
                    loaded, message = True, None
                    answered = self._conn.poll(max(0.0, deadline - time.monotonic()))
        except (OSError, EOFError):
            answered = loaded  # the process ended after importing the file: the crash is reported below
        if not answered:
            alive = self._proc.is_alive()
            self._kill()
            if alive and not loaded:
                failure = result(
                    exercise.id,
                    FAILED,
                    f"importing {exercise.file} did not finish within {self.timeout:g} s — an endless loop (or a "
                    "long computation) outside any function? Code at the top level runs when the file is loaded",
                    seconds=self.timeout,
                )
                self._hangs_on_import[version] = failure
                return failure
            if alive:
                return result(
                    exercise.id,
                    FAILED,
                    f"no answer within {self.timeout:g} s — an endless loop? (time limit per exercise: --timeout)",
                    seconds=self.timeout,
                )
            return result(exercise.id, FAILED, "your code ended the checker's process (did it call os._exit?)")
        try:
            _, outcome = message if message is not None else self._conn.recv()
        except (EOFError, OSError):
            code = None
            if self._proc is not None:
                self._proc.join(1)  # the exit code is known only once the process has been reaped
                code = self._proc.exitcode
            self._kill()
            return result(exercise.id, FAILED, f"your code crashed the checker's process (exit code {code})")
        return outcome
