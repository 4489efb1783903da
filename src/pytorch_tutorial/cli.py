"""The ``pytorch-tutorial`` command: argument parsing and dispatch only, no lesson logic.

``list`` and ``--help`` import nothing heavy (no torch), so they answer at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from pytorch_tutorial import __version__, course, runtime


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (no usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="pytorch-tutorial",
        description="A complete PyTorch beginner course: run, read and test the 22 lessons of the beginner course and one on distributed training, offline.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("list", help="the lessons, with titles and what each shows")
    commands.add_parser("info", help="the environment report of lesson 1 (versions, devices)")

    run = commands.add_parser("run", help="run lessons in order and print a summary")
    run.add_argument("lessons", nargs="*", metavar="N", help="lesson numbers, or 'all'")
    run.add_argument("--device", default="auto", help="auto (cuda, then mps, then cpu), cpu, cuda or mps")
    run.add_argument(
        "--seed", type=_seed, default=runtime.DEFAULT_SEED, help="random seed, 0 to 2**32-1 (default %(default)s)"
    )
    run.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default %(default)s)")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change a lesson setting, e.g. --set epochs=2 (repeatable)",
    )
    run.add_argument("--quiet", action="store_true", help="print only the summary")
    run.add_argument(
        "--full-data",
        action="store_true",
        help="download and use the full datasets instead of the embedded ones",
    )
    run.add_argument("--data-dir", type=Path, help="use MNIST files from DIR/MNIST/raw instead of the embedded set")

    # predict: implemented in pytorch_tutorial/predict.py (issue 5)
    predict = commands.add_parser("predict", help="classify your own handwritten-digit images")
    predict.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="PNG or JPEG files")
    predict.add_argument("--checkpoint", type=Path, help="weights file (default: the one lesson 14 saved)")
    predict.add_argument("--out", type=Path, default=Path("outputs"), help="where lesson 14 saved its model")
    predict.add_argument("--json", action="store_true", help="one JSON object per line per image")

    # serve: implemented in pytorch_tutorial/webapp.py (lesson 18)
    serve = commands.add_parser("serve", help="the digit classifier as a web app: a page to draw on, POST /predict")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default %(default)s: this machine)")
    serve.add_argument("--port", type=int, default=8000, help="port (default %(default)s; 0 picks a free one)")
    serve.add_argument("--checkpoint", type=Path, help="weights file (default: the one lesson 18 saved)")
    serve.add_argument("--out", type=Path, default=Path("outputs"), help="where lesson 18 saved its model")
    serve.add_argument("--threads", type=int, default=4, help="waitress worker threads (default %(default)s)")

    # exercises: implemented in pytorch_tutorial/exercises/ (issue 6)
    exercises = commands.add_parser("exercises", help="copy the exercise stubs into your folder")
    exercises_commands = exercises.add_subparsers(dest="exercises_command", metavar="ACTION", required=True)
    start = exercises_commands.add_parser("start", help="copy the stubs (never overwrites a file)")
    start.add_argument("dir", nargs="?", type=Path, default=Path("my-exercises"))
    check = commands.add_parser("check", help="check your exercise solutions")
    check.add_argument("which", nargs="?", metavar="N|N.K", help="a lesson's exercises (N) or one exercise (N.K)")
    check.add_argument("--dir", type=Path, default=Path("my-exercises"), help="your exercises folder")
    check.add_argument("--watch", action="store_true", help="check again each time a file is saved (Ctrl-C stops)")
    check.add_argument("--timeout", type=float, default=10.0, help="time limit per exercise in seconds (default 10)")
    hint = commands.add_parser("hint", help="a hint for one exercise")
    hint.add_argument("exercise", metavar="N.K")
    solution = commands.add_parser("solution", help="the reference solution, once your exercise passes")
    solution.add_argument("exercise", metavar="N.K")
    solution.add_argument("--dir", type=Path, default=Path("my-exercises"), help="your exercises folder")
    solution.add_argument("--reveal", action="store_true", help="show it even before your exercise passes")

    # notebook: implemented in pytorch_tutorial/notebooks.py (issue 6)
    notebook = commands.add_parser("notebook", help="write lessons as Jupyter notebooks")
    notebook.add_argument("lessons", nargs="*", metavar="N", help="lesson numbers, or 'all'")
    notebook.add_argument("--out", type=Path, default=Path("notebooks"), help="folder (default %(default)s)")
    notebook.add_argument("--execute", action="store_true", help="run them and keep outputs and figures")
    notebook.add_argument("--force", action="store_true", help="replace notebooks that exist (default: keep them)")

    # site: implemented in pytorch_tutorial/site.py (issue 15)
    site = commands.add_parser("site", help="build the course as a static website (Sphinx), offline")
    site.add_argument("--out", type=Path, default=Path("site"), help="folder (default %(default)s)")
    site.add_argument("--open", action="store_true", help="open the home page in a browser when it is built")
    return parser


def _seed(text: str) -> int:
    """``--seed``'s type: a whole number from 0 to 2**32-1 (argparse turns the error into one line)."""
    try:
        return runtime.parse_seed(text)
    except runtime.UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix(f"--seed {text}: ")) from None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status.

    When the reader of our output goes away (``| head``, quitting ``| less``), the command ends quietly with
    status 141, as a shell tool killed by SIGPIPE does, instead of a BrokenPipeError traceback.
    """
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught below
        return status
    except BrokenPipeError:
        _silence_stdout()
        return 141


def _silence_stdout() -> None:
    """Point stdout at the null device, so that Python's final flush does not fail on the closed pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (a test's capture)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process ends


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "list": cmd_list,
        "info": cmd_info,
        "run": cmd_run,
        "predict": lambda a: _lazy("pytorch_tutorial.predict", a),
        "serve": lambda a: _lazy("pytorch_tutorial.webapp", a),
        "exercises": lambda a: _lazy("pytorch_tutorial.exercises.commands", a, "start"),
        "check": lambda a: _lazy("pytorch_tutorial.exercises.commands", a, "check"),
        "hint": lambda a: _lazy("pytorch_tutorial.exercises.commands", a, "hint"),
        "solution": lambda a: _lazy("pytorch_tutorial.exercises.commands", a, "solution"),
        "notebook": lambda a: _lazy("pytorch_tutorial.notebooks", a),
        "site": lambda a: _lazy("pytorch_tutorial.site", a),
    }
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return handlers[args.command](args)
    except runtime.UsageError as exc:
        print(f"pytorch-tutorial: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pytorch-tutorial: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise
    except OSError as exc:  # a folder that cannot be made or written: the learner's disk, not our bug
        where = f": {exc.filename}" if exc.filename else ""
        print(f"pytorch-tutorial: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


def _lazy(module: str, args: argparse.Namespace, function: str = "main") -> int:
    """Import a command's module only when it runs (keeps ``list`` and ``--help`` free of torch)."""
    import importlib

    return getattr(importlib.import_module(module), function)(args)


def cmd_list(args: argparse.Namespace) -> int:
    """Print the lessons with number, title and summary."""
    width = max(len(lesson.title) for lesson in course.LESSONS)
    for lesson in course.available_lessons():
        print(f"{lesson.number:>2}  {lesson.title:<{width}}  {lesson.summary}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    """Print the environment report."""
    from pytorch_tutorial import envinfo

    for key, value in envinfo.environment_report().items():
        print(f"{key:<20} {value}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the chosen lessons in one process, print a summary table and write ``OUT/summary.json``."""
    runtime.check_device_name(args.device)  # a typo is told at once, before torch is imported
    lessons = course.select(args.lessons)
    overrides = course.parse_overrides(args.overrides, lessons)
    if args.data_dir is not None and args.data_dir.exists() and not args.data_dir.is_dir():
        raise runtime.UsageError(
            f"--data-dir {args.data_dir}: is a file, not a folder (name the folder holding MNIST/raw)"
        )
    if args.data_dir is not None and not args.data_dir.is_dir():
        raise runtime.UsageError(f"--data-dir {args.data_dir}: no such folder")
    runtime.check_folder_for_writing(args.out, "--out")
    if args.quiet:
        os.environ["PYTORCH_TUTORIAL_NO_PROGRESS"] = "1"
    runtime.resolve_device(args.device)  # fail before any lesson runs if the device is missing
    if args.data_dir is not None:
        from pytorch_tutorial.data import mnist

        mnist.check_data_dir(args.data_dir)  # and if the learner's MNIST copy cannot be read

    def context(lesson: course.Lesson) -> runtime.RunContext:
        return runtime.RunContext(
            number=lesson.number,
            slug=lesson.slug,
            device=args.device,
            seed=args.seed,
            out_root=args.out,
            overrides=overrides,
            quiet=args.quiet,
            full_data=args.full_data,
            data_dir=args.data_dir,
        )

    results = []
    for lesson in lessons:
        if not args.quiet:
            print(f"\n{'=' * 100}\nLesson {lesson.number}: {lesson.title}\n{'=' * 100}", flush=True)
        results.append(course.run_lesson(lesson, context(lesson)))
    print_summary(results)
    summary_path = args.out / "summary.json"
    write_json_atomic(summary_path, {"lessons": [result.as_json() for result in results]})
    print(f"summary written to {summary_path}")
    return 0 if all(result.status == "ok" for result in results) else 1


def print_summary(results: list[course.LessonResult]) -> None:
    """The table printed after a run: lesson, title, seconds, headline figures, ok/failed."""
    print(f"\n{'#':>2}  {'lesson':<26} {'seconds':>7}  {'status':<6}  headline figures")
    for result in results:
        figures = ", ".join(f"{k}={runtime.format_metric(v)}" for k, v in result.metrics.items())
        if result.error:
            figures = result.error + (f" (details: {result.log})" if result.log else "")
        print(
            f"{result.lesson.number:>2}  {result.lesson.title:<26} {result.seconds:>7.2f}  "
            f"{result.status:<6}  {figures}"
        )
    total = sum(result.seconds for result in results)
    failed = sum(result.status != "ok" for result in results)
    print(f"{len(results)} lesson{'' if len(results) == 1 else 's'} in {total:.1f} s, {failed} failed")


def write_json_atomic(path: Path, data: object) -> None:
    """Write JSON through a unique temporary file and ``os.replace`` (:func:`runtime.write_atomic`), so a reader
    never sees half a file and two runs into one ``--out`` never tear it."""
    text = (json.dumps(data, indent=2) + "\n").encode("utf-8")
    runtime.write_atomic(Path(path), lambda file: file.write(text))


if __name__ == "__main__":
    sys.exit(main())
