"""Every lesson as a notebook: valid, without outputs as written, and every one runs to the end in a kernel."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import assert_usage_error, run_cli_here

from pytorch_tutorial import course, kernelserver, notebooks, runtime

# settings that must move together (lesson 17 resumes half-way: 2 epochs show a real split, 1 + 1)
FAST_TOGETHER = {17: {"epochs": 2}}


def fast_settings(lesson: course.Lesson) -> dict[str, str]:
    """Kernel environment for a quick run: fewer epochs and iterations, smaller images and hidden layers, one
    distributed worker (via PYTORCH_TUTORIAL_SET)."""
    small: dict[str, object] = {}
    for key, default in course.declared_settings(lesson).items():
        if isinstance(default, bool) or not isinstance(default, int):
            continue
        if "epoch" in key:
            small[key] = min(default, 1)
        elif "iters" in key:
            small[key] = min(default, 5)
        elif key == "image_size":
            small[key] = min(default, 64)
        elif key == "shots_per_class":
            small[key] = min(default, 5)
        elif key == "nproc":  # lesson 23: torchrun with one worker (test_l23 runs two)
            small[key] = 1
        elif key == "hidden_size":
            small[key] = min(default, 32)
    small.update(FAST_TOGETHER.get(lesson.number, {}))
    return {"PYTORCH_TUTORIAL_SET": ",".join(f"{key}={value}" for key, value in small.items())} if small else {}


def _code_cells_of_script(path: Path) -> list[str]:
    """The code cells of a percent script, read without jupytext (an independent reference)."""
    cells, current, kind = [], [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            if kind == "code":
                cells.append("\n".join(current).strip())
            kind = "markdown" if "[markdown]" in line else "code"
            current = []
        else:
            current.append(line)
    if kind == "code":
        cells.append("\n".join(current).strip())
    return [cell for cell in cells if cell]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("notebooks")
    proc = run_cli_here("notebook", "all", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_notebook_all_writes_a_valid_notebook_per_lesson_without_outputs(written):
    out, proc = written
    lessons = course.available_lessons()
    assert sorted(p.name for p in out.iterdir()) == sorted(f"l{x.number:02d}_{x.slug}.ipynb" for x in lessons)
    for lesson in lessons:
        path = out / f"l{lesson.number:02d}_{lesson.slug}.ipynb"
        assert f"wrote {path}" in proc.stdout
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        assert "widgets" not in nb.metadata and "jupytext" not in nb.metadata
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        markdown = [cell for cell in nb.cells if cell.cell_type == "markdown"]
        assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
        assert all(cell.metadata == {} for cell in nb.cells)
        # markdown cells from the prose, code cells from the code, in order, plus the first setup cell
        assert markdown[0].source.startswith(f"# Lesson {lesson.number}")
        assert not any(line.startswith("# %%") for cell in nb.cells for line in cell.source.splitlines())
        assert 'os.environ["PYTORCH_TUTORIAL_LESSON"] = ' + f'"{lesson.number}"' in code[0].source
        assert [cell.source.strip() for cell in code[1:]] == _code_cells_of_script(lesson.path)
        # the notebook is the lesson: converting it back gives the same code
        assert "runtime.settings(" in code[1].source or not course.declarations(lesson)  # settings come first


def test_notebooks_are_written_atomically_and_reproducibly(written, tmp_path):
    out, _ = written
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    lesson = course.BY_NUMBER[2]
    again = notebooks.build([lesson], tmp_path, echo=False)[0].path
    assert again.read_bytes() == (out / again.name).read_bytes()  # stable cell ids: same lesson, same file


def test_notebook_usage_errors_are_one_line_exit_2(tmp_path):
    assert_usage_error(run_cli_here("notebook", "99", "--out", str(tmp_path)), "unknown lesson '99'")
    assert_usage_error(run_cli_here("notebook", "--out", str(tmp_path)), "name the lessons")
    file = tmp_path / "afile"
    file.write_text("x", encoding="utf-8")
    assert_usage_error(run_cli_here("notebook", "2", "--out", str(file)), "--out", "folder")
    assert not list(tmp_path.glob("*.ipynb"))


# Every lesson's notebook running to its end with fast settings is tested through the website's quick build
# (tests/test_site.py): it executes each lesson's notebook (notebooks.to_notebook) in a kernel of this Python
# (notebooks.execute_async), the same machinery as `notebook --execute`, so the suite pays for it once.


def test_notebook_reports_the_same_figures_as_the_script(tmp_path, run_lesson):
    """Same lesson, same settings, same seed: the notebook computes what `pytorch-tutorial run` computes."""
    lesson = course.BY_NUMBER[5]
    env = {"PYTORCH_TUTORIAL_SET": "n_iters=7", "PYTORCH_TUTORIAL_OUT": str(tmp_path / "outputs")}
    outcome = notebooks.build([lesson], tmp_path, execute=True, env_for={5: env}, echo=False)[0]
    assert outcome.error is None
    nb = nbformat.read(outcome.path, as_version=4)
    report = next(
        line
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        for line in output.get("text", "").splitlines()
        if line.startswith("[report]")
    )
    metrics = run_lesson(5, n_iters=7).metrics
    assert report == "[report] " + ", ".join(f"{k}={runtime.format_metric(v)}" for k, v in metrics.items())
    default = run_lesson(5).metrics
    assert default != metrics  # the setting really reached the lesson


def test_a_failing_cell_is_reported_and_the_notebook_keeps_its_outputs(tmp_path):
    import asyncio

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('before')"), nbformat.v4.new_code_cell("1 / 0")]
    error = asyncio.run(notebooks.execute_async(nb, tmp_path))
    assert error == "ZeroDivisionError: division by zero"
    assert nb.cells[0].outputs[0]["text"] == "before\n"
    path = notebooks.write_notebook(nb, tmp_path / "failed.ipynb")
    nbformat.validate(nbformat.read(path, as_version=4))


def test_the_kernel_is_this_python_whatever_kernelspecs_jupyter_finds(tmp_path, monkeypatch):
    import asyncio

    from jupyter_client.kernelspec import KernelSpecManager

    # a python3 kernelspec earlier on Jupyter's path that points at another interpreter
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    other = ["/nonexistent/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec_dir / "kernel.json").write_text(
        json.dumps({"argv": other, "display_name": "Other", "language": "python"}), encoding="utf-8"
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == "/nonexistent/python3"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import sys, os\nprint(sys.executable)\nprint(os.environ['PROBE'])")]
    assert asyncio.run(notebooks.execute_async(nb, tmp_path, {"PROBE": "from the parent"})) is None
    lines = nb.cells[0].outputs[0]["text"].splitlines()
    assert os.path.realpath(lines[0]) == os.path.realpath(sys.executable)
    assert lines[1] == "from the parent"


def test_a_notebook_that_exists_is_kept_unless_forced(tmp_path):
    assert run_cli_here("notebook", "3", "--out", str(tmp_path)).returncode == 0
    mine = tmp_path / "l03_autograd.ipynb"
    nb = nbformat.read(mine, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("MY NOTES: grad accumulates!"))
    nbformat.write(nb, mine)
    edited = mine.read_bytes()

    proc = run_cli_here("notebook", "3", "4", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert f"kept {mine}" in proc.stdout and "--force" in proc.stdout
    assert mine.read_bytes() == edited  # the learner's notes are still there
    assert (tmp_path / "l04_backpropagation.ipynb").exists()

    proc = run_cli_here("notebook", "3", "--out", str(tmp_path), "--force")
    assert proc.returncode == 0, proc.stderr
    assert "MY NOTES" not in mine.read_text(encoding="utf-8")


def test_execute_runs_the_learners_notebook_that_exists_and_keeps_its_outputs(tmp_path):
    assert run_cli_here("notebook", "4", "--out", str(tmp_path)).returncode == 0
    mine = tmp_path / "l04_backpropagation.ipynb"
    nb = nbformat.read(mine, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('my own cell ran')"))
    nbformat.write(nb, mine)

    proc = run_cli_here("notebook", "4", "--out", str(tmp_path), "--execute")
    assert proc.returncode == 0, proc.stderr
    assert f"kept {mine}: running it as it is" in proc.stdout
    assert re.search(r"executed .*l04_backpropagation\.ipynb in [\d.]+ s: ok", proc.stdout)
    assert "1/1 notebooks ran without error" in proc.stdout
    assert "Traceback" not in proc.stderr
    executed = nbformat.read(mine, as_version=4)
    outputs = [o for cell in executed.cells if cell.cell_type == "code" for o in cell.outputs]
    assert "my own cell ran\n" in [o.get("text", "") for o in outputs]  # the learner's cell is kept and was run
    assert any("[report] loss=1" in o.get("text", "") for o in outputs)
    # its figure is shown inline and saved where the setup cell said: outputs/04-backpropagation next to it
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert list((tmp_path / "outputs" / "04-backpropagation").glob("*.png"))
    assert not (tmp_path / "outputs" / "00-scratch").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
@pytest.mark.parametrize("lessons", [["4"], ["3", "4"]], ids=["one kernel", "kernels forked from a server"])
def test_ctrl_c_during_execute_is_one_line_exit_130_and_shuts_the_kernel_down(tmp_path, lessons):
    assert run_cli_here("notebook", "4", "--out", str(tmp_path)).returncode == 0
    mine = tmp_path / "l04_backpropagation.ipynb"
    marker = tmp_path / "kernel.pid"
    nb = nbformat.read(mine, as_version=4)
    code = (
        "import os, pathlib, time\n"
        f"pathlib.Path({str(marker)!r}).write_text(f'{{os.getpid()}} {{os.getppid()}}')\n"
        "time.sleep(120)"
    )
    nb.cells.insert(2, nbformat.v4.new_code_cell(code))
    nbformat.write(nb, mine)
    before = mine.read_bytes()

    command = [sys.executable, "-m", "pytorch_tutorial", "notebook", *lessons, "--out", str(tmp_path), "--execute"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.perf_counter() + 120
        while not (marker.exists() and marker.read_text()) and time.perf_counter() < deadline:
            time.sleep(0.1)
        assert marker.exists(), "the kernel never reached the sleeping cell"
        kernel, parent = map(int, marker.read_text().split())
        forked = "pytorch_tutorial.kernelserver" in Path(f"/proc/{parent}/cmdline").read_text()
        proc.send_signal(signal.SIGINT)  # Ctrl-C reaches the command (Jupyter starts kernels in their own session)
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["pytorch-tutorial: interrupted"], stderr
    assert mine.read_bytes() == before  # a half-run notebook is not written over the learner's
    assert forked == (len(lessons) > 1 and kernelserver.available())
    for pid in (kernel, parent) if forked else (kernel,):
        deadline = time.perf_counter() + 5
        while Path(f"/proc/{pid}").exists() and time.perf_counter() < deadline:
            time.sleep(0.1)
        status = Path(f"/proc/{pid}/status")
        assert not status.exists() or "\nState:\tZ" in status.read_text(), f"{pid} outlived the command"


@pytest.mark.parametrize("ctrl_c", [True, False], ids=["after Ctrl-C: quiet", "otherwise: reported"])
def test_a_watcher_task_that_fails_as_ctrl_c_drops_the_kernel_prints_nothing(monkeypatch, caplog, ctrl_c):
    # nbclient checks each second, in a task of its own, that the kernel lives; when that check wakes after the
    # Ctrl-C cleanup dropped the kernel it asserts, and asyncio printed a 10-line "Task exception was never
    # retrieved" under the one line (1 in 7 Ctrl-Cs of notebook 14 --execute). The same order, every time:
    async def fake_execute(nb, cwd, env=None, server=None):
        async def kernel_alive_check() -> None:
            raise AssertionError  # nbclient's `assert self.kc is not None`

        watcher = asyncio.ensure_future(kernel_alive_check())
        await asyncio.sleep(0.01)
        assert watcher.done()
        if ctrl_c:
            raise notebooks.Interrupted
        return None

    monkeypatch.setattr(notebooks, "execute_async", fake_execute)
    if ctrl_c:
        with pytest.raises(KeyboardInterrupt):
            notebooks.execute_many([(None, Path("."), {})])
    else:
        notebooks.execute_many([(None, Path("."), {})])
    gc.collect()  # the failed task is collected: that is when asyncio reports an exception nobody read
    unretrieved = [r for r in caplog.records if "exception was never retrieved" in r.getMessage()]
    assert len(unretrieved) == (0 if ctrl_c else 1)
