"""``pytorch-tutorial site [--out DIR] [--open]``: the course as a static website, built offline.

Sphinx and myst-nb build it from the lesson files themselves, so it cannot drift from the code:

1. each lesson becomes a notebook through jupytext (:func:`notebooks.to_notebook`, the same notebook that
   ``pytorch-tutorial notebook`` writes), with a link to its notebook and script after the title and its
   exercises at the end (title, signature and task from the stubs; never the solutions);
2. every notebook that myst-nb's cache (jupyter-cache, under ``OUT/.build/jupyter_cache``) does not hold yet
   runs in a kernel of this Python (:func:`notebooks.execute_async`), several at once, and goes into that
   cache. The cache keys on the code cells only, so a prose edit runs nothing again;
3. Sphinx builds the HTML with ``nb_execution_mode = "cache"``: myst-nb takes every output and figure from the
   cache. Sphinx itself rereads only the pages whose source changed.

A lesson that fails stops the build with its number, title and error, before any page is written. The site
loads nothing from another host: the theme (furo) uses the system's fonts, and math is shown as text rather
than through MathJax from a CDN (see ``site_template/conf.py``).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import io
import os
import pkgutil
import re
import sys
import tempfile
import time
import webbrowser
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytorch_tutorial import course, notebooks, runtime

TEMPLATE = Path(__file__).parent / "site_template"
API_MODULES = ("engine", "models", "runtime", "data", "checkpoint", "shapes")
# the README's two Quick start lines (a test keeps them equal)
QUICK_START = (
    "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt -r requirements-test.txt -e . "
    "&& .venv/bin/pytorch-tutorial run all",
    ".venv/bin/python -m pytest -q -n auto --dist loadfile --durations=10",
)


class BuildError(Exception):
    """A lesson failed in its kernel (the message names it and its error), or Sphinx failed."""


@dataclass
class BuildResult:
    """What a build did: where the site is, which lessons ran (the others came from the cache), how long."""

    out: Path
    pages: list[Path]
    executed: list[int] = field(default_factory=list)
    run_seconds: dict[int, float] = field(default_factory=dict)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def index(self) -> Path:
        """The home page."""
        return self.out / "index.html"


def page_name(lesson: course.Lesson) -> str:
    """``l13_feedforward``: the lesson's page (``lessons/l13_feedforward.html``), notebook and script name."""
    return f"l{lesson.number:02d}_{lesson.slug}"


# ---------------------------------------------------------------------------------------------------------
# Exercises, from the stubs: the signature and the task (the docstring), never a solution


def _signature_and_task(source: list[str], node: ast.FunctionDef | ast.ClassDef) -> list[str]:
    """The lines of ``node``'s header and docstring; a class also shows its methods' headers and docstrings."""
    body = node.body
    first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    has_doc = bool(body) and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant)
    end = body[0].end_lineno if has_doc else body[0].lineno - 1
    lines = source[first - 1 : end]
    if isinstance(node, ast.ClassDef):
        for child in body:
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines += ["", *_signature_and_task(source, child)]  # type: ignore[arg-type]
    else:
        indent = " " * (node.col_offset + 4)
        lines.append(f"{indent}...")
    return lines


def exercise_tasks(lesson_number: int) -> list[tuple[Any, str]]:
    """A lesson's exercises with their stub text: ``[(exercise, "def f(x) -> ...:\\n    \\"\\"\\"task\\"\\"\\"")]``."""
    from pytorch_tutorial.exercises import catalog

    exercises = catalog.for_lesson(lesson_number)
    stub = catalog.STUBS / catalog.lesson_file(lesson_number) if exercises else None
    if stub is None or not stub.exists():
        return []
    text = stub.read_text(encoding="utf-8")
    source = text.splitlines()
    defs = {
        node.name: node
        for node in ast.parse(text).body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
    }
    tasks = []
    for exercise in exercises:
        parts = ["\n".join(_signature_and_task(source, defs[name])) for name in exercise.names if name in defs]
        tasks.append((exercise, "\n\n".join(parts)))
    return tasks


def _fence(code: str, language: str = "python") -> str:
    """A fenced code block that no backticks inside ``code`` can close."""
    ticks = "`" * max(3, max((len(run) + 1 for run in code.split("\n") if set(run) == {"`"}), default=3))
    return f"{ticks}{language}\n{code}\n{ticks}"


def exercises_markdown(lesson: course.Lesson) -> str | None:
    """The lesson page's last section: its exercises, or None when it has none."""
    tasks = exercise_tasks(lesson.number)
    if not tasks:
        return None
    parts = [
        "## Exercises",
        f"Practise this lesson: `pytorch-tutorial exercises start` copies the stubs into `my-exercises/`; write "
        f"your code in `my-exercises/{tasks[0][0].file}` in place of each `raise NotImplementedError`, then run "
        f"`pytorch-tutorial check {lesson.number}`. See [](../exercises.md) for how checking works.",
    ]
    for exercise, stub in tasks:
        parts += [
            f"### Exercise {exercise.id}: {exercise.title}",
            f"Write {' and '.join(f'`{name}`' for name in exercise.names)}; check it with "
            f"`pytorch-tutorial check {exercise.id}` (stuck? `pytorch-tutorial hint {exercise.id}`).",
            _fence(stub),
        ]
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------------------------------------
# Sources


def lesson_notebook(lesson: course.Lesson, settings: str | None = None) -> Any:
    """The lesson page as a notebook: the lesson's cells, a hidden setup cell, links, and its exercises.

    ``settings`` (``"epochs=1,n_iters=5"``) are given to the lesson through ``PYTORCH_TUTORIAL_SET`` in the
    hidden setup cell, so they are part of the code the cache keys on: a quick build never reuses a default one.
    """
    import nbformat

    nb = notebooks.to_notebook(lesson)
    setup = next(cell for cell in nb.cells if cell.source == notebooks.setup_source(lesson))
    if settings:
        setup.source += f"\nos.environ[{'PYTORCH_TUTORIAL_SET'!r}] = {settings!r}"
    setup.metadata = {"tags": ["remove-cell"]}  # the reader sees the lesson, not the notebook's plumbing
    name = page_name(lesson)
    links = nbformat.v4.new_markdown_cell(
        f"Run it: `pytorch-tutorial run {lesson.number}` · download this lesson as a "
        f"{{download}}`notebook <../_files/{name}.ipynb>` or as the {{download}}`script <../_files/{name}.py>` "
        f"(`python -m pytorch_tutorial.lessons.{name}`). Outputs below are from the build of this site."
    )
    nb.cells.insert(1, links)
    exercises = exercises_markdown(lesson)
    if exercises:
        nb.cells.append(nbformat.v4.new_markdown_cell(exercises))
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
    nbformat.validate(nb)
    return nb


def index_markdown(lessons: Sequence[course.Lesson], run_seconds: Mapping[int, float]) -> str:
    """The home page: what the course is, the two Quick start commands, the lessons with core length and time."""
    rows = [
        "| # | lesson | what it shows | core lines | seconds to run |",
        "|---:|---|---|---:|---:|",
    ]
    for lesson in lessons:
        seconds = run_seconds.get(lesson.number)
        rows.append(
            f"| {lesson.number} | {{doc}}`{lesson.title} <lessons/{page_name(lesson)}>` | {lesson.summary} | "
            f"{course.core_lines(lesson)} | {'' if seconds is None else f'{seconds:.1f}'} |"
        )
    toctree = "\n".join(f"lessons/{page_name(lesson)}" for lesson in lessons)
    return f"""# PyTorch Tutorial

A complete beginner course in PyTorch, from `import torch` to convolutional networks, transfer learning,
TensorBoard, checkpoints, a web app, recurrent networks, Lightning, learning-rate schedulers and distributed
training: {len(lessons)} short lessons. Every lesson is a small
Python script that reads top to bottom like a notebook, runs on a laptop CPU in seconds, offline, on data that
ships with the course, and on your GPU when you have one. After a lesson, exercises check your own code on the
spot. Every claim a lesson makes is checked by a test.

Each page below is the lesson itself, run while this site was built: its prose, its code, what the code printed
and the figures it drew.

## Quick start

The first line creates `.venv`, installs the pinned versions and runs the whole course; the second runs the test
suite (Linux or macOS, Python 3.10 or newer; the README has the Windows lines).

{_fence(chr(10).join(QUICK_START), "")}

Then `pytorch-tutorial run 13` runs one lesson, `pytorch-tutorial notebook all` writes every lesson as a
notebook, and `pytorch-tutorial site` builds this site.

## Lessons

The core of a lesson is the code it teaches, before its *Going further* section (at most 100 lines); the
seconds are the time the lesson took in its kernel when this site was built.

{chr(10).join(rows)}

```{{toctree}}
:hidden:
:caption: Lessons

{toctree}
```

```{{toctree}}
:hidden:
:caption: Practice and reference

exercises
api
```
"""


def exercises_page(lessons: Sequence[course.Lesson]) -> str:
    """The page on the exercises and ``check``: the commands and every exercise, linked to its lesson."""
    from pytorch_tutorial.exercises import catalog

    built = {lesson.number for lesson in lessons}

    rows = ["| exercise | title | lesson | you write |", "|---|---|---|---|"]
    for exercise in catalog.EXERCISES:
        lesson = course.BY_NUMBER[exercise.lesson]
        if lesson.number not in built:
            continue
        rows.append(
            f"| {exercise.id} | {exercise.title} | {{doc}}`{lesson.number}: {lesson.title} "
            f"<lessons/{page_name(lesson)}>` | {', '.join(f'`{name}`' for name in exercise.names)} "
            f"in `{exercise.file}` |"
        )
    return f"""# Exercises and `check`

After a lesson, practise it. The exercises are small functions to write; each is checked on the spot against
the lesson's ideas, on inputs you did not choose.

```
pytorch-tutorial exercises start      # copies the stubs into my-exercises/ (never overwrites your files)
pytorch-tutorial check                # checks all of them: one line each, and a count like 12/{len(catalog.EXERCISES)} passed
pytorch-tutorial check 11             # one lesson's exercises
pytorch-tutorial check 11.1 --watch   # one exercise, again on every save (Ctrl-C stops)
pytorch-tutorial hint 11.1            # a hint
pytorch-tutorial solution 11.1        # the reference solution, once yours passes (or with --reveal)
```

Write your code in place of each `raise NotImplementedError`. For the first failure, `check` shows the input,
what was expected and what your code gave, with a hint. Code that raises, loops forever (10 s per exercise,
`--timeout` to change) or does not parse is reported as that exercise's failure, never a crash of the checker.
Each lesson page ends with its exercises: the signature and the task, as in the stub.

{chr(10).join(rows)}
"""


def api_page() -> str:
    """The API reference: autodoc of the modules the lessons import, with their docstrings."""
    import pytorch_tutorial.data as data_package

    modules = []
    for name in API_MODULES:
        modules.append(f"pytorch_tutorial.{name}")
        if name == "data":
            modules += [f"pytorch_tutorial.data.{info.name}" for info in pkgutil.iter_modules(data_package.__path__)]
    sections = "\n\n".join(
        f"## `{module}`\n\n```{{eval-rst}}\n.. automodule:: {module}\n   :members:\n   :show-inheritance:\n```"
        for module in modules
    )
    return f"""# API

The package's modules that the lessons import. Code a lesson teaches is written in the lesson; where a later
lesson reuses it, the package keeps a copy here (and a test proves the two are the same).

{sections}
"""


def _write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it holds it already (Sphinx rereads a page whose file is newer)."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    runtime.write_atomic(path, lambda file: file.write(text.encode("utf-8")))
    return True


# ---------------------------------------------------------------------------------------------------------
# Execution into myst-nb's cache


def _strip(nb: Any) -> Any:
    nb.metadata.pop("widgets", None)
    return nb


def _join_streams(nb: Any) -> Any:
    """One output per stream of a cell where the kernel sent what was printed in several messages (where a
    message ends depends on timing; myst-nb would show a line break at each seam)."""
    for cell in nb.cells:
        joined: list[Any] = []
        for output in cell.get("outputs", []):
            previous = joined[-1] if joined else None
            if (
                previous is not None
                and output.get("output_type") == previous.get("output_type") == "stream"
                and output.get("name") == previous.get("name")
            ):
                previous["text"] += output["text"]
            else:
                joined.append(output)
        if "outputs" in cell:
            cell.outputs = joined
    return nb


def execute_into_cache(
    pages: Mapping[course.Lesson, Any], cache_path: Path, jobs: int, echo: bool = True
) -> tuple[list[int], dict[int, float]]:
    """Run every page notebook the jupyter-cache at ``cache_path`` does not hold, ``jobs`` at once, and cache it.

    Returns the lessons that ran and every lesson's seconds in its kernel. Lessons that fail raise one
    :class:`BuildError` naming each of them with its error (the ones that succeeded are cached all the same).
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(cache_path))
    seconds: dict[int, float] = {}
    todo = []
    for lesson, nb in pages.items():
        try:
            record = cache.match_cache_notebook(nb)
        except KeyError:
            todo.append(lesson)
        else:
            seconds[lesson.number] = float(record.data.get("execution_seconds") or 0.0)

    runs = []
    with contextlib.ExitStack() as stack:
        for lesson in todo:
            cwd = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="site-run-")))  # the files it writes
            env = {"PYTORCH_TUTORIAL_NO_PROGRESS": "1", "PYTORCH_TUTORIAL_OUT": str(cwd / "outputs")}
            runs.append((copy.deepcopy(pages[lesson]), cwd, env))

        def done(index: int, elapsed: float, error: str | None) -> None:
            if echo:
                status = f"failed: {error}" if error else "ok"
                print(f"ran lesson {todo[index].number} in {elapsed:.1f} s: {status}", flush=True)

        results = notebooks.execute_many(runs, jobs, done)
    failures = []
    for lesson, (nb, _, _), (elapsed, error) in zip(todo, runs, results, strict=True):
        if error:
            failures.append(f"lesson {lesson.number} ({lesson.title}) failed: {error}")
            continue
        bundle = CacheBundleIn(_join_streams(_strip(nb)), uri=page_name(lesson), data={"execution_seconds": elapsed})
        cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
        seconds[lesson.number] = elapsed
    if failures:
        raise BuildError("; ".join(failures))
    return [lesson.number for lesson in todo], seconds


# ---------------------------------------------------------------------------------------------------------
# The build


def _sphinx(source: Path, out: Path, doctrees: Path, cache_path: Path) -> list[str]:
    """Run Sphinx's HTML builder in this process; returns its warnings (raises :class:`BuildError` on failure)."""
    import myst_nb.sphinx_ext
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    # myst-nb writes the outputs' files (figures) to a folder beside the HTML's, OUT/../jupyter_execute, which
    # would litter the folder the learner chose; this puts it inside OUT/.build with the rest of the build's files
    myst_nb.sphinx_ext.OUTPUT_FOLDER = f"{out.name}/.build/jupyter_execute"
    status, warning = io.StringIO(), io.StringIO()
    overrides = {"nb_execution_cache_path": str(cache_path)}
    try:
        with patch_docutils(TEMPLATE), docutils_namespace():
            app = Sphinx(
                srcdir=source,
                confdir=TEMPLATE,
                outdir=out,
                doctreedir=doctrees,
                buildername="html",
                confoverrides=overrides,
                status=status,
                warning=warning,
                freshenv=False,
                keep_going=True,
            )
            app.build()
    except Exception as exc:
        lines = [line for line in warning.getvalue().splitlines() if line.strip()]
        detail = "; ".join(lines[-3:]) if lines else f"{type(exc).__name__}: {exc}"
        raise BuildError(f"Sphinx failed: {detail}") from exc
    if app.statuscode:
        raise BuildError(f"Sphinx failed: {warning.getvalue().strip()[-2000:]}")
    return [_plain(line) for line in warning.getvalue().splitlines() if line.strip()]


def _plain(text: str) -> str:
    """Sphinx's message without its terminal colours."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def build(
    out: Path,
    lessons: Sequence[course.Lesson] | None = None,
    settings_for: Mapping[int, str] | None = None,
    jobs: int | None = None,
    echo: bool = True,
) -> BuildResult:
    """Build the site into ``out`` (``out/index.html``); sources, doctrees and the cache go to ``out/.build``.

    ``lessons`` defaults to every available lesson. ``settings_for`` maps a lesson number to the
    ``PYTORCH_TUTORIAL_SET`` value it runs with (the tests' quick build: ``{13: "epochs=1"}``). ``jobs`` lessons
    run at once (default: the number of cores, at most 4).
    """
    start = time.perf_counter()
    out = Path(out)
    lessons = list(course.available_lessons() if lessons is None else lessons)
    jobs = jobs or max(1, min(4, os.cpu_count() or 1))
    work = out / ".build"
    source, cache_path = work / "source", work / "jupyter_cache"
    pages = {lesson: lesson_notebook(lesson, (settings_for or {}).get(lesson.number)) for lesson in lessons}
    executed, run_seconds = execute_into_cache(pages, cache_path, jobs, echo)

    import nbformat

    wanted = {source / "index.md", source / "exercises.md", source / "api.md"}
    _write_if_changed(source / "index.md", index_markdown(lessons, run_seconds))
    _write_if_changed(source / "exercises.md", exercises_page(lessons))
    _write_if_changed(source / "api.md", api_page())
    for lesson, nb in pages.items():
        name = page_name(lesson)
        files = {
            source / "lessons" / f"{name}.ipynb": nbformat.writes(nb) + "\n",
            source / "_files" / f"{name}.ipynb": nbformat.writes(_strip(notebooks.to_notebook(lesson))) + "\n",
            source / "_files" / f"{name}.py": lesson.path.read_text(encoding="utf-8"),
        }
        for path, text in files.items():
            _write_if_changed(path, text)
        wanted.update(files)
    for stale in [*source.glob("*.md"), *source.glob("lessons/*"), *source.glob("_files/*")]:
        if stale not in wanted:  # a lesson no longer built: its page goes too
            stale.unlink()
    if echo:
        print("building the pages with Sphinx ...", flush=True)
    warnings = _sphinx(source, out, work / "doctrees", cache_path)
    built = sorted(path for path in out.rglob("*.html") if ".build" not in path.relative_to(out).parts)
    return BuildResult(out, built, executed, run_seconds, time.perf_counter() - start, warnings)


def main(args: argparse.Namespace) -> int:
    """The ``site`` command: build, print where the site is, and open it with ``--open``."""
    out = Path(args.out)
    runtime.check_folder_for_writing(out, "--out")
    try:
        result = build(out)
    except BuildError as exc:
        print(f"pytorch-tutorial: site not built: {exc}", file=sys.stderr)
        return 1
    for line in result.warnings:
        print(f"warning: {line}", file=sys.stderr)
    cached = len(result.run_seconds) - len(result.executed)
    print(
        f"site: {len(result.pages)} pages in {out}/ (open {result.index}); ran {len(result.executed)} lessons, "
        f"{cached} from the cache; built in {result.seconds:.1f} s",
        flush=True,
    )
    if args.open:
        webbrowser.open(result.index.resolve().as_uri())
    return 0
