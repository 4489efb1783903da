"""Shared fixtures: run a lesson in-process through the runner the CLI uses, or run the CLI itself."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pytorch_tutorial import course, runtime

ROOT = Path(__file__).resolve().parents[1]


def _share_the_cores_between_xdist_workers() -> None:
    """Under pytest-xdist (``-n auto``) N workers share the machine: each gets cores/N threads, for itself and the
    subprocesses it starts, instead of every one of them using all the cores at once."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        threads = max(1, (os.cpu_count() or 1) // workers)
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        import torch

        torch.set_num_threads(threads)


_share_the_cores_between_xdist_workers()


def _ctrl_c_as_in_a_terminal() -> None:
    """Tests press Ctrl-C in the commands they start (SIGINT), as a terminal does to its foreground command, which
    never ignores it. A suite started in the background (``cmd &`` in a script, ``nohup``) inherits SIGINT
    ignored, and every command it started would inherit that too: take the terminal's default back."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


_ctrl_c_as_in_a_terminal()


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keep unpacked and downloaded data of the test run out of the learner's own cache."""
    path = tmp_path_factory.mktemp("cache")
    os.environ["PYTORCH_TUTORIAL_CACHE"] = str(path)
    os.environ["PYTORCH_TUTORIAL_NO_PROGRESS"] = "1"
    return path


def run_lesson_at(
    number: int,
    out: Path,
    *,
    device: str = "cpu",
    seed: int = runtime.DEFAULT_SEED,
    full_data: bool = False,
    data_dir: Path | None = None,
    quiet: bool = False,
    **overrides: object,
) -> course.LessonResult:
    """Run lesson ``number`` on the CPU with ``overrides`` as ``--set`` values, writing under ``out``.

    Usable from module-scoped fixtures (run a lesson once, assert many things). Fails the test if the lesson fails;
    a :class:`runtime.UsageError` (a refused setting) propagates.
    """
    lesson = course.BY_NUMBER[number]
    ctx = runtime.RunContext(
        number=number,
        slug=lesson.slug,
        device=device,
        seed=seed,
        out_root=out,
        overrides=dict(overrides),
        full_data=full_data,
        data_dir=data_dir,
        quiet=quiet,
    )
    result = course.run_lesson(lesson, ctx)
    assert result.status == "ok", result.error
    return result


def run_lesson_printed(number: int, out: Path, **kwargs: object) -> course.LessonResult:
    """:func:`run_lesson_at` with what the lesson printed kept in ``result.printed`` (its prose figures)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = run_lesson_at(number, out, **kwargs)
    result.printed = printed.getvalue()  # type: ignore[attr-defined]
    return result


@pytest.fixture
def run_lesson(tmp_path: Path):
    """``run_lesson(13, epochs=1)`` runs lesson 13 under ``tmp_path`` (see :func:`run_lesson_at`)."""

    def _run(number: int, *, out: Path | None = None, **kwargs: object) -> course.LessonResult:
        return run_lesson_at(number, out or tmp_path / "outputs", **kwargs)

    return _run


def run_module(
    module: str, *args: str, cwd: Path | None = None, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m MODULE ARGS`` in a fresh process, with ``env`` added to ours; returns the completed process."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300, env: dict[str, str] | None = None):
    """Run ``python -m pytorch_tutorial ARGS`` (the ``pytorch-tutorial`` command) in a fresh process."""
    return run_module("pytorch_tutorial", *args, cwd=cwd, timeout=timeout, env=env)


def run_cli_here(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, **_: object
) -> subprocess.CompletedProcess[str]:
    """:func:`run_cli` without the fresh process: ``cli.main(ARGS)`` in this one, stdout and stderr captured.

    For the many tests of ``predict`` and ``check`` whose subject is what the command prints and returns: a fresh
    process pays 2 s to import torch each time, and a check a second more for its worker's forkserver (here
    started once per test process and reused). Commands whose subject is the process itself (signals, pipes, the
    console script) keep :func:`run_cli`.
    """
    from pytorch_tutorial import cli

    out, err = io.StringIO(), io.StringIO()
    old_cwd, old_env = Path.cwd(), dict(os.environ)
    try:
        if cwd is not None:
            os.chdir(cwd)
        os.environ.update(env or {})
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = cli.main(list(args))
            except SystemExit as exit_:  # argparse: --help, or a mistake in the options
                status = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    finally:
        os.chdir(old_cwd)
        os.environ.clear()
        os.environ.update(old_env)
    return subprocess.CompletedProcess(["pytorch-tutorial", *args], status, out.getvalue(), err.getvalue())


def wait_or_show_stack(proc: subprocess.Popen, timeout: float) -> int:
    """``proc.wait(timeout)``; if it has not ended by then, fail with where it is stuck: its Python stack, which
    faulthandler prints on SIGABRT when the process was started with ``PYTHONFAULTHANDLER=1`` and stderr piped."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        try:
            _, stderr = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            stderr = ""
        raise AssertionError(f"{proc.args} still ran {timeout:g} s later; where it was:\n{stderr[-6000:]}") from None


def assert_usage_error(proc: subprocess.CompletedProcess[str], *phrases: str) -> None:
    """A learner's mistake: exit status 2, exactly one line on stderr naming the problem, no traceback."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
