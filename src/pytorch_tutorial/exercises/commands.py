"""The exercise commands: ``exercises start``, ``check`` (with ``--watch``), ``hint`` and ``solution``.

Exit statuses: ``check`` returns 0 when every checked exercise passes and 1 otherwise; ``solution`` returns 0
when it prints the solution and 1 when the exercise has not passed yet (use ``--reveal``); a learner's mistake
(unknown exercise or lesson, missing folder) is a :class:`runtime.UsageError`: one line, exit status 2.
"""

from __future__ import annotations

import argparse
import ast
import math
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pytorch_tutorial import course, runtime
from pytorch_tutorial.exercises import catalog
from pytorch_tutorial.exercises.catalog import Exercise
from pytorch_tutorial.exercises.runner import DEFAULT_TIMEOUT, FAILED, NOT_STARTED, PASSED, CheckRunner, WorkerError

WATCH_INTERVAL = 0.5  # seconds between looks at the files' modification times


# ---------------------------------------------------------------------------------------------------------
# exercises start


def start(args: argparse.Namespace) -> int:
    """Copy the stubs into the learner's folder, never overwriting a file that is there."""
    folder = Path(args.dir)
    runtime.check_folder_for_writing(folder, "exercises folder")
    folder.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for name in catalog.files():
        target = folder / name
        if target.exists():
            kept.append(name)
            continue
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        tmp.write_bytes((catalog.STUBS / name).read_bytes())
        os.replace(tmp, target)
        copied.append(name)
    if copied:
        print(f"copied {len(copied)} exercise files into {folder}{os.sep}: {', '.join(copied)}")
    if kept:
        print(f"kept {len(kept)} files you already have (not overwritten): {', '.join(kept)}")
    first = catalog.EXERCISES[0]
    print(
        f"\n{len(catalog.EXERCISES)} exercises for lessons {catalog.lessons()[0]}-{catalog.lessons()[-1]}. "
        f"Open {folder / first.file}, replace a `raise NotImplementedError` with your code, then run:\n"
        f"  pytorch-tutorial check {first.lesson} --dir {folder}      (or check --watch to check on every save)\n"
        f"  pytorch-tutorial hint {first.id}                 when stuck\n"
        f"  pytorch-tutorial solution {first.id} --dir {folder}   the reference solution, once yours passes"
    )
    return 0


# ---------------------------------------------------------------------------------------------------------
# check


def check(args: argparse.Namespace) -> int:
    """Check the learner's exercises; with ``--watch``, again on every save until Ctrl-C."""
    folder = _folder(args.dir)
    exercises = catalog.select(args.which)
    timeout = getattr(args, "timeout", None)
    timeout = DEFAULT_TIMEOUT if timeout is None else float(timeout)
    if not (math.isfinite(timeout) and timeout > 0):
        raise runtime.UsageError(f"--timeout {timeout:g}: give a positive number of seconds, e.g. --timeout 10")
    if not any((folder / exercise.file).is_file() for exercise in exercises):
        raise runtime.UsageError(
            f"no exercise files ({exercises[0].file}, ...) in '{folder}': "
            f"run 'pytorch-tutorial exercises start {folder}' first"
        )
    _require_hypothesis()
    try:
        with CheckRunner(timeout, preload=preload_for(exercises)) as runner:
            if getattr(args, "watch", False):
                return watch(runner, folder, exercises)
            results = check_and_report(runner, folder, exercises)
    except WorkerError as exc:
        raise runtime.UsageError(f"{exc}; reinstall the course (pip install -e .) and try again") from None
    return 0 if all(r["status"] == PASSED for r in results) else 1


def preload_for(exercises: list[Exercise]) -> tuple[str, ...]:
    """Modules the checker should import before the first check: Lightning only when lesson 21 is checked."""
    return ("lightning",) if any(exercise.lesson == 21 for exercise in exercises) else ()


def _require_hypothesis() -> None:
    """The checks run property tests: without hypothesis they cannot start."""
    if not course.is_installed("hypothesis"):
        raise runtime.UsageError(
            "the checks need hypothesis: pip install -r requirements-test.txt (or pip install hypothesis)"
        )


def _folder(path: Path, extra: str = "") -> Path:
    """The learner's exercises folder, which must exist: a missing one or a file is one line."""
    folder = Path(path)
    if folder.is_file():
        raise runtime.UsageError(f"'{folder}' is a file, not your exercises folder: name the folder with --dir")
    if not folder.is_dir():
        raise runtime.UsageError(
            f"no exercises folder '{folder}': run 'pytorch-tutorial exercises start {folder}' first{extra}"
        )
    return folder


def run_checks(runner: CheckRunner, folder: Path, exercises: Iterable[Exercise], echo: bool = False) -> list[dict]:
    """Run the checks one after another; with ``echo``, print each result's line as it arrives."""
    exercises = list(exercises)
    width = max(len(" and ".join(e.names)) for e in exercises)
    results = []
    for exercise in exercises:
        outcome = runner.run(folder, exercise)
        results.append(outcome)
        if echo:
            print(_line(exercise, outcome, width), flush=True)
    return results


def _line(exercise: Exercise, outcome: dict[str, Any], width: int) -> str:
    status = outcome["status"]
    label = {PASSED: "passed", FAILED: "FAILED", NOT_STARTED: "not started"}[status]
    text = f"{exercise.id:>5}  {' and '.join(exercise.names):<{width}}  {label}"
    if status == FAILED:
        text += f"  {_short(outcome['message'])}"
    return text


def _short(message: str, limit: int = 90) -> str:
    first = message.splitlines()[0] if message else ""
    return first if len(first) <= limit else first[: limit - 3] + "..."


def check_and_report(runner: CheckRunner, folder: Path, exercises: list[Exercise]) -> list[dict]:
    """Run the checks, print one line per exercise, the count, and the first failure in detail."""
    results = run_checks(runner, folder, exercises, echo=True)
    passed = sum(r["status"] == PASSED for r in results)
    failed = sum(r["status"] == FAILED for r in results)
    not_started = sum(r["status"] == NOT_STARTED for r in results)
    print(f"\n{passed}/{len(results)} passed, {failed} failed, {not_started} not started", flush=True)
    by_id = {exercise.id: exercise for exercise in exercises}
    first_failure = next((r for r in results if r["status"] == FAILED), None)
    if first_failure is not None:
        print(describe_failure(by_id[first_failure["id"]], first_failure, folder), flush=True)
    elif not_started:
        todo = by_id[next(r["id"] for r in results if r["status"] == NOT_STARTED)]
        where = folder / todo.file
        if not where.is_file():
            where = f"{where}, which is missing: 'pytorch-tutorial exercises start {folder}' copies it again"
        print(f"Next: exercise {todo.id} — {todo.title} ({todo.names[0]} in {where})", flush=True)
    else:
        first, last = exercises[0].id, exercises[-1].id
        which = first if first == last else f"{first} (or any of {first} to {last})"
        print(f"All passed. Compare with the reference: pytorch-tutorial solution {which}", flush=True)
    return results


def describe_failure(exercise: Exercise, outcome: dict[str, Any], folder: Path) -> str:
    """The detailed report of a failure: what went wrong, the input, expected vs got, the hint."""
    lines = [f"\nFirst failure: exercise {exercise.id} — {exercise.title} ({exercise.where})"]
    lines += [f"  {line}" for line in outcome["message"].splitlines()]
    if outcome.get("example"):
        lines.append(f"  for the input: {outcome['example']}")
    if outcome.get("expected") is not None:
        lines.append(f"  expected: {outcome['expected']}")
    if outcome.get("got") is not None:
        lines.append(f"  got:      {outcome['got']}")
    printed = (outcome.get("output") or "").strip().splitlines()
    if printed:
        lines.append("  your code printed (last lines):")
        lines += [f"    {line}" for line in printed[-5:]]
    lines.append(f"  hint: {exercise.hint}")
    lines.append(f"Check just this one with: pytorch-tutorial check {exercise.id} --dir {folder}")
    return "\n".join(lines)


def _snapshot(folder: Path) -> dict[str, float]:
    """Modification times of the Python files in the folder (what --watch compares)."""
    snapshot = {}
    for path in folder.glob("*.py"):
        try:
            snapshot[path.name] = path.stat().st_mtime_ns
        except OSError:  # deleted between glob and stat
            continue
    return snapshot


def watch(runner: CheckRunner, folder: Path, exercises: list[Exercise]) -> int:
    """Check now, then again whenever a file in the folder is saved, until Ctrl-C (exit status 0).

    ``PYTORCH_TUTORIAL_WATCH_ROUNDS`` (for tests) stops after that many rounds of checks.
    """
    rounds_left = int(os.environ.get("PYTORCH_TUTORIAL_WATCH_ROUNDS", "0")) or None
    try:
        while True:
            seen = _snapshot(folder)
            check_and_report(runner, folder, exercises)
            if rounds_left is not None:
                rounds_left -= 1
                if rounds_left <= 0:
                    return 0
            print(f"\nwatching {folder} for changes — press Ctrl-C to stop", flush=True)
            while True:
                time.sleep(WATCH_INTERVAL)
                now = _snapshot(folder)
                if now != seen:
                    changed = sorted(name for name in now.keys() | seen.keys() if now.get(name) != seen.get(name))
                    time.sleep(0.1)  # let the editor finish writing
                    print(f"\n{'-' * 40} {', '.join(changed)} changed: checking again", flush=True)
                    break
    except KeyboardInterrupt:
        print("\nstopped watching", flush=True)
        return 0


# ---------------------------------------------------------------------------------------------------------
# hint and solution


def hint(args: argparse.Namespace) -> int:
    """Print the hint of one exercise."""
    exercise = catalog.find(args.exercise)
    print(f"Exercise {exercise.id} — {exercise.title} ({exercise.where})")
    print(f"hint: {exercise.hint}")
    return 0


def solution(args: argparse.Namespace) -> int:
    """Print the reference solution once the learner's exercise passes (or with ``--reveal``)."""
    exercise = catalog.find(args.exercise)
    if not args.reveal:
        folder = _folder(args.dir, ", or add --reveal to see the solution anyway")
        _require_hypothesis()
        try:
            with CheckRunner(preload=preload_for([exercise])) as runner:
                outcome = runner.run(folder, exercise)
        except WorkerError as exc:
            raise runtime.UsageError(f"{exc}; reinstall the course (pip install -e .) and try again") from None
        if outcome["status"] != PASSED:
            raise runtime.UsageError(
                f"exercise {exercise.id} has not passed yet in {folder} ({outcome['status']}): pass it first "
                f"(pytorch-tutorial check {exercise.id} --dir {folder}), or add --reveal to see the solution anyway"
            )
    print(f"# Reference solution of exercise {exercise.id} — {exercise.title} (solutions/{exercise.file})")
    print(solution_source(exercise))
    return 0


def solution_source(exercise: Exercise) -> str:
    """The imports of the solution file and the definitions of the exercise's names."""
    source = (catalog.SOLUTIONS / exercise.file).read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    imports, definitions = [], []
    for node in tree.body:
        segment = "\n".join(lines[(node.lineno - 1) : node.end_lineno])
        if isinstance(node, (ast.Import, ast.ImportFrom)) and getattr(node, "module", None) != "__future__":
            imports.append(segment)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in exercise.names:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            definitions.append("\n".join(lines[start - 1 : node.end_lineno]))
    return "\n".join(imports) + "\n\n\n" + "\n\n\n".join(definitions)
