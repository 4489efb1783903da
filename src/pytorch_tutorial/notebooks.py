"""``pytorch-tutorial notebook N [N ...] | all [--out DIR] [--execute]``: every lesson as a Jupyter notebook.

A lesson is a percent-format script, so jupytext turns it into a notebook: ``# %% [markdown]`` cells become
markdown cells, ``# %%`` cells code cells. The notebook is written without outputs (or widget state), with
one extra first code cell that tells the course's runtime which lesson it is — a notebook has no file name
for :func:`runtime.current` to read that from — so that its files go to ``outputs/NN-slug/`` as with
``pytorch-tutorial run``.

``--execute`` runs each notebook with nbclient in a fresh IPython kernel of *this* Python (the virtual
environment the course is installed in, whatever kernels Jupyter knows about), with the notebook's folder as
the working directory, as Jupyter does; outputs and figures (``runtime.save_figure`` displays them inline)
are kept. Options reach the lessons through the runtime's environment variables, e.g.
``PYTORCH_TUTORIAL_SET="epochs=1"``. Every notebook is written atomically (a temporary file, then
``os.replace``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytorch_tutorial import course, kernelserver, runtime

KERNEL_NAME = "python3"
CELL_TIMEOUT = 600  # seconds per cell; every lesson runs in seconds with its defaults
STARTUP_TIMEOUT = 180  # kernel start on a busy machine


@dataclass
class Outcome:
    """What became of one lesson's notebook."""

    lesson: course.Lesson
    path: Path
    seconds: float = 0.0
    error: str | None = None


def notebook_path(out: Path, lesson: course.Lesson) -> Path:
    """``OUT/l13_feedforward.ipynb``: the lesson module's name."""
    return Path(out) / f"l{lesson.number:02d}_{lesson.slug}.ipynb"


def setup_source(lesson: course.Lesson) -> str:
    """The first code cell: names the lesson for the runtime (output folder ``outputs/NN-slug``)."""
    return (
        "# Which lesson this is, for the course's runtime (a notebook has no file name to tell it):\n"
        "# its files go to outputs/{folder}/ next to the notebook.\n"
        "import os\n\n"
        'os.environ["PYTORCH_TUTORIAL_LESSON"] = "{number}"'
    ).format(folder=f"{lesson.number:02d}-{lesson.slug.replace('_', '-')}", number=lesson.number)


def to_notebook(lesson: course.Lesson) -> Any:
    """The lesson as an nbformat v4 notebook: prose and code cells, no outputs, no stray metadata."""
    import jupytext
    import nbformat

    nb = jupytext.read(lesson.path, fmt="py:percent")
    first_code = next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"), len(nb.cells))
    nb.cells.insert(first_code, nbformat.v4.new_code_cell(setup_source(lesson)))
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"  # stable ids: the same lesson always gives the same file
        cell.metadata = {}
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata = {
        "kernelspec": {"name": KERNEL_NAME, "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(nb)
    return nb


def write_notebook(nb: Any, path: Path) -> Path:
    """Validate and write ``nb`` as ``.ipynb`` through a temporary file and ``os.replace``."""
    import jupytext
    import nbformat

    nb.metadata.pop("widgets", None)
    nb.metadata.pop("jupytext", None)
    nbformat.validate(nb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(jupytext.writes(nb, fmt="ipynb"), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _kernel_manager_class(server: str | None = None) -> type:
    """A kernel manager whose python3 kernel is always this interpreter (``sys.executable``).

    Jupyter would pick the first ``python3`` kernelspec it finds, which may belong to another Python
    without torch; ipykernel's own spec for the running interpreter avoids that. With ``server`` (a
    :mod:`kernelserver` socket) the kernel is forked from that server instead of started afresh.
    """
    import zmq
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ThisPythonKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            if zmq.has("curve"):  # encrypt the kernel's TCP sockets (ipykernel warns when they are not)
                self.transport_encryption = "auto"

        @property
        def kernel_spec(self) -> KernelSpec:
            if self._kernel_spec is None:
                spec = get_kernel_dict()
                if server is not None:
                    spec["argv"] = kernelserver.stand_in_argv(server)
                self._kernel_spec = KernelSpec(resource_dir=RESOURCES, **spec)
            return self._kernel_spec

    return ThisPythonKernelManager


def kernel_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of an executing kernel: ours, without a matplotlib backend (inline is the default)."""
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    env.update(extra or {})
    return env


class Interrupted(Exception):
    """Ctrl-C stopped a notebook's kernel. An ordinary exception inside asyncio (a KeyboardInterrupt would leave
    the other notebooks' tasks behind with tracebacks); :func:`execute_many` raises KeyboardInterrupt for it."""


async def execute_async(
    nb: Any, cwd: Path, env: Mapping[str, str] | None = None, server: str | None = None
) -> str | None:
    """Run every cell of ``nb`` in place (outputs kept); returns None, or the error that stopped it.

    ``server``: the socket of a :func:`kernelserver.serving` server to fork the kernel from (much faster when
    several notebooks run); None starts an ordinary kernel."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        kernel_manager_class=_kernel_manager_class(server),
        timeout=CELL_TIMEOUT,
        startup_timeout=STARTUP_TIMEOUT,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )

    def interrupted() -> bool:
        # nbclient answers Ctrl-C (SIGINT) itself: it starts shutting the kernel down and keeps that future
        return getattr(client, "_async_cleanup_kernel_future", None) is not None

    error = None
    try:
        # the kernel's own stderr (its fd 2, not the cells' output, which reaches the notebook) would print
        # ZMQ tracebacks into the terminal when a Ctrl-C shuts it down mid-cell
        await client.async_execute(env=kernel_env(env), stderr=subprocess.DEVNULL)
    except CellExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}".strip().splitlines()[0][:300]
    except (Exception, asyncio.CancelledError) as exc:  # a Ctrl-C while the kernel starts cancels the start
        if not interrupted():
            if not isinstance(exc, (CellTimeoutError, DeadKernelError, RuntimeError, TimeoutError)):
                raise
            error = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]
    if interrupted():
        with contextlib.suppress(Exception):  # the kernel is gone once this is done
            await client._async_cleanup_kernel_future
        raise Interrupted
    return error


def execute_many(
    runs: Sequence[tuple[Any, Path, Mapping[str, str]]],
    jobs: int = 1,
    done: Callable[[int, float, str | None], None] | None = None,
) -> list[tuple[float, str | None]]:
    """Run the notebooks of ``runs`` (``(nb, cwd, env)``; each notebook in place), ``jobs`` at once.

    Each notebook runs in a fresh kernel, forked from a :mod:`kernelserver` where several run. Returns each
    one's seconds and error (None when it ran to its end); ``done(index, seconds, error)`` is called as each one
    finishes. Ctrl-C shuts every kernel down and raises :class:`KeyboardInterrupt`.
    """

    async def run_all(server: str | None) -> list[tuple[float, str | None]]:
        slots = asyncio.Semaphore(max(1, jobs))
        stopping = False

        def quiet_after_ctrl_c(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
            # nbclient's task that checks each second whether the kernel lives asserts when it wakes after the
            # Ctrl-C cleanup has dropped the kernel: asyncio would print "Task exception was never retrieved"
            if not stopping:
                loop.default_exception_handler(context)

        asyncio.get_running_loop().set_exception_handler(quiet_after_ctrl_c)

        async def one(index: int, nb: Any, cwd: Path, extra: Mapping[str, str]) -> tuple[float, str | None]:
            nonlocal stopping
            async with slots:
                env = dict(extra)
                if jobs > 1 and "OMP_NUM_THREADS" not in os.environ:
                    # kernels side by side share the cores: more threads than cores makes PyTorch crawl
                    env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // jobs)))
                start = time.perf_counter()
                try:
                    error = await execute_async(nb, cwd, env, server)
                except Interrupted:
                    stopping = True
                    raise
                seconds = time.perf_counter() - start
                if done is not None:
                    done(index, seconds, error)
                return seconds, error

        return list(await asyncio.gather(*(one(index, *run) for index, run in enumerate(runs))))

    with kernelserver.serving(len(runs)) as server:
        try:
            return asyncio.run(run_all(server))
        except Interrupted:
            raise KeyboardInterrupt from None


def build(
    lessons: Sequence[course.Lesson],
    out: Path,
    execute: bool = False,
    jobs: int = 1,
    env_for: Mapping[int, Mapping[str, str]] | None = None,
    echo: bool = True,
    existing: Sequence[course.Lesson] = (),
) -> list[Outcome]:
    """Write (and with ``execute``, run) the notebooks of ``lessons`` into ``out``; ``jobs`` run at once.

    ``existing`` lessons already have a notebook in ``out`` (the learner's, maybe changed): with ``execute`` that
    notebook is run as it is and written back with its outputs; without, it is left alone. ``env_for`` maps a
    lesson number to extra environment variables for its kernel (the tests pass fast settings this way:
    ``{13: {"PYTORCH_TUTORIAL_SET": "epochs=1"}}``). Ctrl-C during ``execute`` shuts the kernels down, leaves
    every notebook as it was before its run, and raises :class:`KeyboardInterrupt`.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if not execute:
        outcomes = []
        for lesson in lessons:
            if lesson in existing:
                continue
            path = write_notebook(to_notebook(lesson), notebook_path(out, lesson))
            outcomes.append(Outcome(lesson, path))
            if echo:
                print(f"wrote {path}", flush=True)
        return outcomes

    paths = [notebook_path(out, lesson) for lesson in lessons]
    runs = [
        (
            read_notebook(path) if lesson in existing else to_notebook(lesson),
            out,
            (env_for or {}).get(lesson.number, {}),
        )
        for lesson, path in zip(lessons, paths, strict=True)
    ]

    def done(index: int, seconds: float, error: str | None) -> None:
        write_notebook(runs[index][0], paths[index])  # also when a cell failed: it shows where
        if echo:
            status = f"failed: {error}" if error else "ok"
            print(f"executed {paths[index]} in {seconds:.1f} s: {status}", flush=True)

    results = execute_many(runs, jobs, done)  # Ctrl-C: KeyboardInterrupt, the running notebook is not written
    return [
        Outcome(lesson, path, seconds, error)
        for lesson, path, (seconds, error) in zip(lessons, paths, results, strict=True)
    ]


def read_notebook(path: Path) -> Any:
    """A notebook that exists, for ``--execute``; one line if it is not a notebook any more."""
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # a learner's file, edited by hand: nbformat raises many kinds
        raise runtime.UsageError(
            f"{path}: not a notebook nbformat can read ({type(exc).__name__}); --force writes a fresh one"
        ) from None


def main(args: argparse.Namespace) -> int:
    """The ``notebook`` command; exit 0 when every notebook was written (and ran without error)."""
    if not args.lessons:
        raise runtime.UsageError("name the lessons, e.g. 'notebook 4' or 'notebook all' (see 'pytorch-tutorial list')")
    lessons = course.select(args.lessons)
    out = Path(args.out)
    runtime.check_folder_for_writing(out, "--out")
    # a notebook that exists may hold the learner's notes and changes: never overwrite it unless asked to
    kept = [] if args.force else [lesson for lesson in lessons if notebook_path(out, lesson).exists()]
    for lesson in kept:
        doing = "running it as it is" if args.execute else "it exists"
        print(f"kept {notebook_path(out, lesson)}: {doing} (your changes stay); --force replaces it", flush=True)
    outcomes = build(lessons, out, execute=args.execute, existing=kept)
    failed = [outcome for outcome in outcomes if outcome.error]
    if args.execute and outcomes:
        print(
            f"{len(outcomes) - len(failed)}/{len(outcomes)} notebooks ran without error; "
            f"the files the lessons write are under {out / 'outputs'}",
            flush=True,
        )
    for outcome in failed:
        print(f"lesson {outcome.lesson.number}: a cell failed: {outcome.error}", file=sys.stderr)
    if not args.execute and outcomes:
        print(f"open them in VS Code, or in Jupyter: pip install jupyterlab, then jupyter lab {out}", flush=True)
    return 1 if failed else 0
