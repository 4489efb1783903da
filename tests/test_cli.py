"""The command line: list without torch, errors as one line with exit 2, summary.json, reproducibility."""

from __future__ import annotations

import dataclasses
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import assert_usage_error, run_cli, run_cli_here

from pytorch_tutorial import course, runtime


def test_list_shows_every_lesson_without_importing_torch():
    code = (
        "import sys, io, contextlib\n"
        "from pytorch_tutorial.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out): main(['list'])\n"
        "print('torch' in sys.modules, 'numpy' in sys.modules)\n"
        "print(out.getvalue())"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    first, *rows = proc.stdout.splitlines()
    assert first == "False False"
    for lesson in course.available_lessons():
        assert any(row.split()[:1] == [str(lesson.number)] and lesson.title in row for row in rows)


def test_list_and_help_are_fast():
    for args in (["list"], ["--help"], ["run", "--help"]):
        start = time.perf_counter()
        proc = run_cli(*args)
        elapsed = time.perf_counter() - start
        assert proc.returncode == 0, proc.stderr
        assert elapsed < 1.5, f"{args} took {elapsed:.2f} s"  # 0.5 s target on the 2-core machine, slack for CI


def test_unknown_lesson_is_one_line_and_exit_2():
    assert_usage_error(run_cli_here("run", "99"), "unknown lesson '99'", "all")
    assert_usage_error(run_cli_here("run", "four"), "unknown lesson 'four'")


def test_bad_set_key_and_value_are_one_line_and_exit_2(tmp_path):
    assert_usage_error(run_cli_here("run", "4", "--set", "epochs=3", "--out", str(tmp_path)), "no setting 'epochs'")
    assert_usage_error(
        run_cli_here("run", "5", "--set", "n_iters=many", "--out", str(tmp_path)), "n_iters", "whole number"
    )
    assert_usage_error(run_cli_here("run", "5", "--set", "n_iters", "--out", str(tmp_path)), "key=value")
    assert_usage_error(run_cli_here("run", "5", "--set", "n_iters=-3", "--out", str(tmp_path)), "n_iters", "negative")
    assert_usage_error(run_cli_here("run", "5", "--seed", "x", "--out", str(tmp_path)), "--seed", "--help")
    assert not (tmp_path / "summary.json").exists()


def test_missing_device_is_one_line_and_exit_2(tmp_path):
    import torch

    if not torch.cuda.is_available():
        assert_usage_error(run_cli_here("run", "1", "--device", "cuda", "--out", str(tmp_path)), "--device cuda", "cpu")
    assert_usage_error(run_cli_here("run", "1", "--device", "tpu", "--out", str(tmp_path)), "unknown device 'tpu'")
    assert not (tmp_path / "summary.json").exists()


def test_run_writes_summary_with_reported_figures(tmp_path):
    proc = run_cli_here("run", "4", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    (entry,) = summary["lessons"]
    assert entry["number"] == 4 and entry["slug"] == "backpropagation" and entry["status"] == "ok"
    assert entry["metrics"]["loss"] == 1.0 and entry["metrics"]["grad"] == -2.0
    assert entry["seconds"] > 0
    assert "Backpropagation" in proc.stdout and "ok" in proc.stdout


def test_same_seed_same_figures_and_quiet_prints_only_summary(tmp_path):
    runs = [run_cli_here("run", "5", "6", "--quiet", "--seed", "7", "--out", str(tmp_path / str(i))) for i in (1, 2)]
    metrics = [
        [entry["metrics"] for entry in json.loads((tmp_path / str(i) / "summary.json").read_text())["lessons"]]
        for i in (1, 2)
    ]
    assert metrics[0] == metrics[1]
    assert all(proc.returncode == 0 for proc in runs)
    assert "[report]" not in runs[0].stdout and "Training pipeline" in runs[0].stdout


@dataclasses.dataclass(frozen=True)
class _FileLesson(course.Lesson):
    """A lesson read from any file, to try the runner on a lesson that raises."""

    file: Path = Path()

    @property
    def path(self) -> Path:
        return self.file


def test_failing_lesson_is_reported_and_others_still_run(tmp_path, monkeypatch):
    from pytorch_tutorial import cli

    broken_file = tmp_path / "l99_broken.py"
    broken_file.write_text("raise RuntimeError('boom')\n")
    broken = _FileLesson(99, "broken", "Broken", "raises", file=broken_file)
    monkeypatch.setattr(course, "select", lambda words: [broken, course.BY_NUMBER[2]])
    status = cli.main(["run", "99", "2", "--quiet", "--out", str(tmp_path / "out")])
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert status == 1
    assert [entry["status"] for entry in summary["lessons"]] == ["failed", "ok"]
    assert summary["lessons"][0]["error"] == "RuntimeError: boom"


@pytest.mark.parametrize("quiet", [True, False], ids=["--quiet", "not quiet"])
def test_quiet_hides_what_a_lesson_prints_and_logs_below_error(tmp_path, capsys, caplog, quiet):
    """Lesson 18's app logs a warning for every bad request its Going further sends: under --quiet, which prints
    only the summary, those lines went to stderr all the same (logging's handler of last resort prints them)."""
    lesson_file = tmp_path / "l99_logs.py"
    lesson_file.write_text(
        "import logging\n"
        "print('a line of the lesson')\n"
        "logging.getLogger('pytorch_tutorial.webapp').warning('POST /predict -> 400: no file')\n"
        "logging.getLogger('pytorch_tutorial.webapp').error('a real error')\n"
    )
    lesson = _FileLesson(99, "logs", "Logs", "prints and logs", file=lesson_file)
    ctx = runtime.RunContext(number=99, slug="logs", out_root=tmp_path, quiet=quiet)
    assert course.run_lesson(lesson, ctx).status == "ok"
    assert ("a line of the lesson" in capsys.readouterr().out) == (not quiet)
    logged = [record.getMessage() for record in caplog.records]
    assert logged == ["a real error"] if quiet else ["POST /predict -> 400: no file", "a real error"]
    assert logging.root.manager.disable == logging.NOTSET  # logging is as it was after the lesson


def test_info_reports_versions():
    proc = run_cli("info")
    assert proc.returncode == 0, proc.stderr
    import torch

    assert torch.__version__ in proc.stdout and "device chosen" in proc.stdout


@pytest.mark.parametrize("out", ["afile", "afile/sub"])
def test_an_out_folder_that_is_a_file_is_one_line_before_any_lesson(tmp_path, out):
    (tmp_path / "afile").write_text("the learner's notes\n")
    proc = run_cli_here("run", "4", "--out", out, cwd=tmp_path)
    assert_usage_error(proc, f"--out {out}", "is a file, not a folder")
    assert "Lesson 4" not in proc.stdout
    assert (tmp_path / "afile").read_text() == "the learner's notes\n"


@pytest.mark.parametrize("command", [["notebook", "4", "--out"], ["exercises", "start"]])
def test_other_commands_writing_under_a_file_are_one_line(tmp_path, command):
    (tmp_path / "afile").write_text("the learner's notes\n")
    proc = run_cli_here(*command, "afile/sub", cwd=tmp_path)
    assert_usage_error(proc, "afile/sub")
    assert (tmp_path / "afile").read_text() == "the learner's notes\n"


@pytest.mark.parametrize(
    ("lessons", "setting", "phrase"),
    [
        (["5", "8"], "test_size=0.9", "test_size=0.9"),
        (["4", "10"], "photo=cat.jpg", "photo=cat.jpg"),
        (["4", "17"], "dropout=1.5", "dropout=1.5"),
        (["4", "23"], "nproc=64", "nproc=64"),
    ],
)
def test_a_value_a_later_lesson_refuses_stops_the_run_before_the_first_lesson(tmp_path, lessons, setting, phrase):
    proc = run_cli_here("run", *lessons, "--set", setting, "--out", str(tmp_path / "out"))
    assert_usage_error(proc, phrase)
    assert "Lesson" not in proc.stdout  # not even the first lesson's banner
    assert not (tmp_path / "out").exists()


def test_lessons_declare_what_they_accept_instead_of_checking_it():
    """A setting's range or choices sit in its declaration (runtime.between / runtime.one_of), which the runner
    reads before any lesson runs: no lesson checks a setting in its own code."""
    for lesson in course.available_lessons():
        assert "runtime.UsageError" not in lesson.path.read_text(encoding="utf-8"), lesson.slug
        course.declarations(lesson)  # literals, runtime constants and runtime.between/one_of only


def test_every_lesson_has_a_core_of_at_most_100_lines_then_going_further():
    """The beginner-first rule: a lesson's core (code before '## Going further') is at most 100 lines, and the
    heading, where a lesson has extras, is exactly '## Going further'."""
    for lesson in course.available_lessons():
        assert 0 < course.core_lines(lesson) <= 100, (lesson.number, course.core_lines(lesson))
        headings = [line for line in lesson.path.read_text(encoding="utf-8").splitlines() if "Going further" in line]
        assert all(line == "# ## Going further" for line in headings if line.startswith("# #")), headings


def test_the_readme_lesson_table_lists_every_lesson_with_its_core_length():
    """README's lesson table: one row per lesson, in order, with the core length course.core_lines measures."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.split("## Lessons")[1].split("\n## ")[0].splitlines() if line.startswith("| ")]
    table = {int(row.split("|")[1]): row for row in rows[1:] if row.split("|")[1].strip().isdigit()}
    lessons = course.available_lessons()
    assert list(table) == [lesson.number for lesson in lessons]
    for lesson in lessons:
        cells = [cell.strip() for cell in table[lesson.number].split("|")[1:-1]]
        assert cells[1] == lesson.title, cells
        assert int(cells[3]) == course.core_lines(lesson), (lesson.number, cells)
