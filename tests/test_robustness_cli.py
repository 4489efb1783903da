"""Hostile-trial defects of the command line (issue 12): one-line failures, pipes, up-front checks, quick basics."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import assert_usage_error, run_cli, run_cli_here, run_module

from pytorch_tutorial import cli, course, runtime


@dataclasses.dataclass(frozen=True)
class _FileLesson(course.Lesson):
    """A lesson read from any file, to try the runner on a lesson that fails."""

    file: Path = Path()

    @property
    def path(self) -> Path:
        return self.file


def _lesson(tmp_path: Path, code: str) -> _FileLesson:
    path = tmp_path / "l99_broken.py"
    path.write_text(code)
    return _FileLesson(99, "broken", "Broken", "fails", file=path)


def test_a_failed_lesson_is_one_line_in_the_summary_and_its_traceback_goes_to_a_log(tmp_path, monkeypatch, capsys):
    broken = _lesson(tmp_path, "def deep():\n    raise RuntimeError('boom\\nline two of torch-style text')\ndeep()\n")
    monkeypatch.setattr(course, "select", lambda words: [broken])
    status = cli.main(["run", "99", "--quiet", "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    log = tmp_path / "out" / "99-broken" / "error.log"
    assert status == 1
    assert "Traceback" not in captured.out + captured.err and "line two" not in captured.out + captured.err
    (row,) = [line for line in captured.out.splitlines() if line.lstrip().startswith("99")]
    assert "failed  RuntimeError: boom" in row and str(log) in row  # one line, naming the log
    assert f"traceback in {log}" in captured.err
    text = log.read_text()
    assert "Traceback" in text and "line two of torch-style text" in text and "in deep" in text
    entry = json.loads((tmp_path / "out" / "summary.json").read_text())["lessons"][0]
    assert entry["error"] == "RuntimeError: boom" and entry["log"] == str(log)
    assert [p.name for p in log.parent.iterdir()] == ["error.log"]  # written atomically: no temporary file left


@pytest.mark.parametrize(
    "raise_it",
    [
        "raise MemoryError()",
        "raise RuntimeError(\"[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: "
        'you tried to allocate 313600000000 bytes.\\nmore")',
    ],
    ids=["MemoryError", "torch allocator"],
)
def test_a_setting_too_large_for_memory_is_one_line_naming_it(tmp_path, raise_it):
    lesson = _lesson(
        tmp_path, f"from pytorch_tutorial import runtime\ncfg = runtime.settings(hidden_size=500)\n{raise_it}\n"
    )
    ctx = runtime.RunContext(99, "broken", out_root=tmp_path, overrides={"hidden_size": 100_000_000}, quiet=True)
    result = course.run_lesson(lesson, ctx)
    assert result.status == "failed"
    assert (
        result.error == "MemoryError: not enough memory for these settings (hidden_size=100000000); try smaller values"
    )


def _quiet_pipe_end(proc: subprocess.Popen[str]) -> None:
    _, err = proc.communicate(timeout=300)
    assert proc.returncode in (0, 141), (proc.returncode, err)
    assert "Traceback" not in err and "Broken pipe" not in err and "BrokenPipe" not in err, err


def _popen(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pytorch_tutorial", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_run_piped_into_head_ends_quietly(tmp_path):
    """``run 2 | head -2``: the reader leaves after the banner, while the lesson is still printing."""
    proc = _popen("run", "2", "--out", str(tmp_path / "out"))
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.readline()
    proc.stdout.close()
    _quiet_pipe_end(proc)


@pytest.mark.parametrize("command", [["list"], ["exercises", "start", "{dir}"], ["check", "2", "--dir", "{dir}"]])
def test_commands_whose_reader_left_end_quietly(tmp_path, command):
    """``check | head -1``, ``exercises start | less`` quit at once: every write meets a closed pipe."""
    folder = tmp_path / "ex"
    if command[0] == "check":
        assert run_cli("exercises", "start", str(folder)).returncode == 0
    proc = _popen(*(word.replace("{dir}", str(folder)) for word in command))
    assert proc.stdout is not None
    proc.stdout.close()
    _quiet_pipe_end(proc)


@pytest.mark.parametrize("seed", ["-1", "4294967296"])
def test_a_seed_outside_numpys_range_is_one_line_before_any_lesson(tmp_path, seed):
    proc = run_cli_here("run", "2", "--seed", seed, "--out", str(tmp_path))
    assert_usage_error(proc, "--seed", "0 to 4294967295")
    assert "Lesson" not in proc.stdout


def test_seed_bounds():
    assert runtime.parse_seed("4294967295") == 2**32 - 1 and runtime.parse_seed(" 0 ") == 0
    with pytest.raises(runtime.UsageError, match="whole number"):
        runtime.parse_seed("abc")


def test_a_bad_seed_in_plain_script_mode_is_one_line(tmp_path):
    env = {"PYTORCH_TUTORIAL_SEED": "abc", "PYTORCH_TUTORIAL_OUT": str(tmp_path)}
    proc = run_module("pytorch_tutorial.lessons.l04_backpropagation", env=env, timeout=120)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        "error: PYTORCH_TUTORIAL_SEED=abc: the seed must be a whole number, e.g. PYTORCH_TUTORIAL_SEED=0"
    ]


def test_run_all_with_lesson_numbers_is_ambiguous(tmp_path):
    assert_usage_error(run_cli_here("run", "all", "3", cwd=tmp_path), "'run all 3' is ambiguous")
    assert not (tmp_path / "outputs").exists()
    assert [lesson.number for lesson in course.select(["3", "3"])] == [3]  # the same lesson twice runs once


def test_a_data_dir_that_is_a_file_says_so(tmp_path):
    (tmp_path / "mnist.tar").write_text("not a folder")
    assert_usage_error(run_cli_here("run", "9", "--data-dir", "mnist.tar", cwd=tmp_path), "is a file, not a folder")


def test_version():
    from pytorch_tutorial import __version__

    proc = run_cli_here("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"pytorch-tutorial {__version__}"


def _modules_after(*argv: str) -> tuple[int, str]:
    code = (
        "import sys, contextlib, io\n"
        "from pytorch_tutorial.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        f"    status = main({list(argv)!r})\n"
        "print(status, ' '.join(sorted(m for m in sys.modules if '.' not in m)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    status, modules = proc.stdout.split(" ", 1)
    return int(status), modules


def test_an_unknown_device_is_told_before_torch_is_imported():
    status, modules = _modules_after("run", "2", "--device", "tpu")
    assert status == 2 and "torch" not in modules.split()


def test_info_imports_only_what_it_reports():
    """``info`` reports torch and torchvision versions: torch is imported (devices), torchvision's version is read
    from its metadata (importing it cost about 1.5 s of the 5.5 s measured in the trial)."""
    status, modules = _modules_after("info")
    assert status == 0 and "torch" in modules.split()
    assert not {"torchvision", "matplotlib", "sklearn", "PIL"} & set(modules.split())


@pytest.mark.parametrize("epochs", ["1", "2"])
def test_one_epochs_setting_is_accepted_by_every_lesson_that_trains_for_epochs(epochs):
    """``run all --set epochs=1`` (the trial's quick run of the course): every lesson that declares ``epochs``
    takes the value, and lesson 17's resume point follows from it. (The quick website build runs every lesson
    with epochs=1; test_runtime runs each with epochs=0.)"""
    lessons = course.available_lessons()
    assert course.parse_overrides([f"epochs={epochs}"], lessons) == {"epochs": int(epochs)}
    takers = [lesson.number for lesson in lessons if "epochs" in course.declared_settings(lesson)]
    assert {13, 14, 17} <= set(takers)
    assert "resume_after" not in course.declared_settings(course.BY_NUMBER[17])
