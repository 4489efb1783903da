"""Run one exercise's check on a learner's file, inside the checker's worker process.

:func:`run_exercise` loads the learner's file afresh (by path, so their folder needs no ``__init__.py``),
resets the global state a previous exercise might have changed, runs the check, and returns a plain dict
(picklable, for the pipe) with the status ``passed``, ``failed`` or ``not started`` and what went wrong.
:func:`serve` is the worker's loop; ``runner.py`` starts it, enforces the time limit and restarts it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import itertools
import os
import random
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

import numpy as np
import torch
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.errors import Flaky

from pytorch_tutorial.data.download import cache_dir
from pytorch_tutorial.exercises import catalog, checks  # noqa: F401  (importing checks registers them)
from pytorch_tutorial.exercises.checking import REGISTRY, CheckFailure
from pytorch_tutorial.exercises.runner import FAILED, NOT_STARTED, PASSED, result

_counter = itertools.count()


class TailBuffer(io.StringIO):
    """Captures what the learner's code prints, keeping only the end (a print in an endless loop stays small)."""

    LIMIT = 4000

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.tell() > 4 * self.LIMIT:
            tail = self.getvalue()[-self.LIMIT :]
            self.seek(0)
            self.truncate()
            super().write(tail)
        return written


class LearnerFileError(Exception):
    """The learner's file could not be loaded (syntax error, or an exception at import)."""


# hypothesis keeps a cache in ./.hypothesis by default: keep it out of the learner's folder
set_hypothesis_home_dir(cache_dir("hypothesis"))


def warm_up() -> None:
    """Pay once, here, for the lazy imports the first optimizer and the first property test trigger (a second).

    On Linux the workers are forked from a server that imported this module, so every worker starts warm.
    One thread only, so that no thread pool exists when the server forks.
    """
    torch.set_num_threads(1)
    weight = torch.zeros(2, requires_grad=True)
    torch.optim.Adam([weight], lr=0.1)  # imports torch._dynamo and friends
    from hypothesis import given, settings
    from hypothesis import strategies as st

    settings(max_examples=2, database=None, derandomize=True)(given(st.integers(0, 1))(lambda n: None))()


warm_up()


def reset_state() -> None:
    """Undo global changes an earlier exercise may have made, and seed the generators."""
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)
    torch.autograd.set_detect_anomaly(False)
    torch.manual_seed(0)
    np.random.seed(0)
    random.seed(0)


def load_learner_module(path: Path) -> ModuleType:
    """Execute the learner's file as a fresh module; problems become :class:`LearnerFileError`."""
    name = f"_learner_{path.stem}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LearnerFileError(f"cannot load {path.name} as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses, pickling and DataLoader workers look classes up here
    sys.path.insert(0, str(path.parent))  # the learner's files may import each other
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        where = f", line {exc.lineno}" if exc.lineno else ""
        raise LearnerFileError(f"{type(exc).__name__} in {path.name}{where}: {exc.msg}") from None
    except BaseException as exc:  # noqa: BLE001 - any failure at import is the learner's to fix
        line = _learner_line(exc.__traceback__, str(path))
        where = f" (line {line[0]})" if line else ""
        raise LearnerFileError(f"loading {path.name} raised {_one_line(exc)}{where}") from None
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(path.parent))
    return module


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > 300:
        first = first[:297] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _frames(tb: TracebackType | None) -> list[tuple[str, int, str]]:
    return [(frame.filename, frame.lineno or 0, frame.name) for frame in traceback.extract_tb(tb)]


def _learner_line(tb: TracebackType | None, path: str) -> tuple[int, str] | None:
    """The innermost (line, function) of the traceback that lies in the learner's file."""
    inside = [(line, name) for filename, line, name in _frames(tb) if filename == path]
    return inside[-1] if inside else None


def _example(exc: BaseException) -> str | None:
    """The input hypothesis found (its "Failing test case" note; "Falsifying example" before 6.14x), on one line."""
    for note in getattr(exc, "__notes__", []):
        if note.startswith(("Falsifying example", "Failing test case")):
            body = note.split(":", 1)[1].strip()
            if "(" in body and body.endswith(")"):
                body = body[body.index("(") + 1 : -1]
            lines = [line.split("  #")[0].strip() for line in body.splitlines() if not line.strip().startswith("#")]
            return " ".join(" ".join(lines).split()).rstrip(",").strip()
    return None


def classify(exercise_id: str, exc: BaseException, path: str) -> dict[str, Any]:
    """Turn an exception from a check into a result that says whose it was and what it means."""
    frames = _frames(exc.__traceback__)
    learner = _learner_line(exc.__traceback__, path)
    example = _example(exc)
    file_name = Path(path).name
    if isinstance(exc, Flaky) and getattr(exc, "exceptions", None):
        # hypothesis ran the failing input again and the code behaved differently: report the first failure,
        # which is the learner's, not hypothesis's "Inconsistent results from replaying a test case"
        first = classify(exercise_id, exc.exceptions[0], path)
        first["example"] = first["example"] or example
        first["message"] += (
            " — and it gave another result when run again on the same input: does your code change a file,"
            " a global or a random state?"
        )
        return first
    if isinstance(exc, NotImplementedError) and frames and frames[-1][0] == path:
        return result(exercise_id, NOT_STARTED, f"{frames[-1][2]} still raises NotImplementedError", example=example)
    if isinstance(exc, CheckFailure):
        return result(exercise_id, FAILED, exc.message, expected=exc.expected, got=exc.got, example=example)
    if isinstance(exc, SystemExit):
        return result(exercise_id, FAILED, f"your code called exit() ({file_name})", example=example)
    if learner is not None:
        line, function = learner
        return result(
            exercise_id,
            FAILED,
            f"{function}() raised {_one_line(exc)} ({file_name}, line {line})",
            example=example,
        )
    if isinstance(exc, AssertionError):
        return result(exercise_id, FAILED, str(exc) or "a check failed", example=example)
    return result(
        exercise_id,
        FAILED,
        f"the check could not use what your code returned: {_one_line(exc)}",
        example=example,
    )


def run_exercise(path: str | Path, exercise_id: str, on_loaded: Callable[[], None] | None = None) -> dict[str, Any]:
    """Check exercise ``exercise_id`` on the learner's file at ``path``; never raises.

    ``on_loaded`` is called once the learner's file has been imported (the runner tells an endless loop at the
    top level of the file, which every exercise of that file would meet, from one inside a function)."""
    exercise = catalog.BY_ID[exercise_id]
    path = str(Path(path).resolve())
    output = TailBuffer()
    start = time.perf_counter()
    module_name = None
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reset_state()
            try:
                module = load_learner_module(Path(path))
                module_name = module.__name__
            except LearnerFileError as exc:
                outcome = result(exercise_id, FAILED, str(exc))
            else:
                if on_loaded is not None:
                    on_loaded()
                missing = [name for name in exercise.names if not hasattr(module, name)]
                if missing:
                    outcome = result(
                        exercise_id,
                        FAILED,
                        f"{Path(path).name} has no {' or '.join(missing)} (restore the name from the stub)",
                    )
                else:
                    try:
                        REGISTRY[exercise_id](*(getattr(module, name) for name in exercise.names))
                        outcome = result(exercise_id, PASSED)
                    except BaseException as exc:  # noqa: BLE001 - anything the learner's code does is reported
                        # KeyboardInterrupt too: the worker ignores Ctrl-C (the parent handles it), so one raised
                        # here came from the learner's code.
                        outcome = classify(exercise_id, exc, path)
    finally:
        if module_name is not None:
            sys.modules.pop(module_name, None)
    outcome["seconds"] = time.perf_counter() - start
    outcome["output"] = output.getvalue()[-2000:]
    return outcome


def serve(conn: Any) -> None:
    """The worker's loop: receive ``(path, exercise_id)``, send back the result dict; ``None`` stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops the worker
    os.environ.setdefault("PYTORCH_TUTORIAL_NO_PROGRESS", "1")
    torch.set_num_threads(1)  # tiny tensors: one thread is fastest and leaves the other cores alone
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        path, exercise_id = task
        conn.send(("result", run_exercise(path, exercise_id, on_loaded=lambda: conn.send(("loaded",)))))
