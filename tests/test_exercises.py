"""Exercises: the two rules that keep them honest (every stub fails, every reference solution passes), checks
that catch typical wrong answers, and the commands a learner uses (start, check, --watch, hint, solution)."""

from __future__ import annotations

import ast
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import exercise_variants
import pytest
from conftest import assert_usage_error, run_cli_here, wait_or_show_stack

from pytorch_tutorial import course
from pytorch_tutorial.exercises import catalog
from pytorch_tutorial.exercises.runner import FAILED, NOT_STARTED, PASSED, CheckRunner


@pytest.fixture(scope="module")
def runner():
    with CheckRunner(timeout=60, preload=("lightning",)) as check_runner:
        yield check_runner


def _top_level_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_")
    }


# ---------------------------------------------------------------------------------------------------------
# The catalog, stubs, solutions and checks agree


def test_at_least_two_exercises_for_every_lesson_from_2_to_22():
    playlist = [lesson.number for lesson in course.available_lessons() if 2 <= lesson.number <= 22]
    counts = {lesson: len(catalog.for_lesson(lesson)) for lesson in playlist}
    assert all(count >= 2 for count in counts.values()), counts
    assert len(catalog.EXERCISES) >= 32
    assert set(catalog.lessons()) == set(playlist)
    ids = [exercise.id for exercise in catalog.EXERCISES]
    assert len(ids) == len(set(ids))
    for lesson in catalog.lessons():  # ids are N.1, N.2, ... without gaps
        assert [e.id for e in catalog.for_lesson(lesson)] == [f"{lesson}.{k}" for k in range(1, counts[lesson] + 1)]


def test_stubs_solutions_and_checks_define_the_same_exercises():
    from pytorch_tutorial.exercises import checks  # noqa: F401  (registers the checks)
    from pytorch_tutorial.exercises.checking import REGISTRY

    assert set(REGISTRY) == set(catalog.BY_ID)
    shipped = sorted(path.name for path in catalog.STUBS.glob("ex*.py"))
    assert shipped == sorted(catalog.files()) == sorted(path.name for path in catalog.SOLUTIONS.glob("ex*.py"))
    for lesson in catalog.lessons():
        file = catalog.lesson_file(lesson)
        assert file.startswith(f"ex{lesson:02d}_{course.BY_NUMBER[lesson].slug}")
        names = {name for exercise in catalog.for_lesson(lesson) for name in exercise.names}
        assert _top_level_names(catalog.STUBS / file) == names, file
        assert _top_level_names(catalog.SOLUTIONS / file) == names, file


def test_every_stub_states_its_task_and_raises_not_implemented():
    for exercise in catalog.EXERCISES:
        tree = ast.parse((catalog.STUBS / exercise.file).read_text(encoding="utf-8"))
        node = next(n for n in tree.body if getattr(n, "name", None) == exercise.names[0])
        docstring = ast.get_docstring(node) or ""
        assert f"Exercise {exercise.id}" in docstring and exercise.title in docstring, exercise.id
        assert len(docstring) > 150, f"{exercise.id}: the task should be stated precisely"
        raises = [n for n in ast.walk(node) if isinstance(n, ast.Raise)]
        assert raises and all("NotImplementedError" in ast.unparse(n) for n in raises), exercise.id


# ---------------------------------------------------------------------------------------------------------
# The two rules: every stub fails (not started), every reference solution passes


def test_every_stub_as_shipped_is_not_started(runner):
    results = [runner.run(catalog.STUBS, exercise) for exercise in catalog.EXERCISES]
    wrong = [(r["id"], r["status"], r["message"]) for r in results if r["status"] != NOT_STARTED]
    assert not wrong


def test_every_reference_solution_passes_quickly(runner):
    start = time.perf_counter()
    results = [runner.run(catalog.SOLUTIONS, exercise) for exercise in catalog.EXERCISES]
    elapsed = time.perf_counter() - start
    wrong = [(r["id"], r["status"], r["message"], r["expected"], r["got"]) for r in results if r["status"] != PASSED]
    assert not wrong
    slow = [(r["id"], round(r["seconds"], 2)) for r in results if r["seconds"] > 2.0]
    assert not slow, "each check should take well under 2 s"
    assert elapsed < 60


# ---------------------------------------------------------------------------------------------------------
# The checks catch typical mistakes, and say what was expected

WRONG, RIGHT = exercise_variants.collect()


def test_checks_catch_typical_wrong_answers(runner, tmp_path):
    for exercise_id, (wrong_code, phrase) in WRONG.items():
        exercise = catalog.BY_ID[exercise_id]
        folder = tmp_path / exercise_id
        folder.mkdir()
        # the reference solutions of the file, with this one exercise replaced by a wrong answer
        source = (catalog.SOLUTIONS / exercise.file).read_text(encoding="utf-8")
        (folder / exercise.file).write_text(f"{source}\n\n{wrong_code}\n", encoding="utf-8")
        outcome = runner.run(folder, exercise)
        assert outcome["status"] == FAILED, (exercise_id, outcome)
        text = " ".join(str(outcome[key]) for key in ("message", "expected", "got"))
        assert phrase in text, (exercise_id, outcome)
        assert outcome["message"], exercise_id
        # the other exercises of the file still pass: failures stay with their exercise
        for other in catalog.for_lesson(exercise.lesson):
            if other.id != exercise_id and not set(other.names) & set(exercise.names):
                assert runner.run(folder, other)["status"] == PASSED, (exercise_id, other.id)


def test_checks_accept_correct_answers_written_differently(runner, tmp_path):
    for exercise_id, answers in RIGHT.items():
        exercise = catalog.BY_ID[exercise_id]
        source = (catalog.SOLUTIONS / exercise.file).read_text(encoding="utf-8")
        for index, answer in enumerate(answers):
            folder = tmp_path / f"{exercise_id}-{index}"
            folder.mkdir()
            (folder / exercise.file).write_text(f"{source}\n\n{answer}\n", encoding="utf-8")
            outcome = runner.run(folder, exercise)
            assert outcome["status"] == PASSED, (exercise_id, index, outcome)


def test_failure_reports_expected_got_and_the_failing_input(runner, tmp_path):
    (tmp_path / "ex02_tensors.py").write_text(
        "import torch\n\ndef to_patches(image, size):\n    h, w = image.shape\n"
        "    return image.reshape(h // size, size, w // size, size).permute(0, 2, 1, 3).reshape(-1, size, size)"
        ".to(torch.float32)\n",
        encoding="utf-8",
    )
    outcome = runner.run(tmp_path, catalog.BY_ID["2.2"])
    assert outcome["status"] == FAILED
    assert "dtype" in outcome["message"]
    assert outcome["expected"] == "torch.int64" and outcome["got"] == "torch.float32"
    # a property failure names the (shrunk) input hypothesis found
    (tmp_path / "ex02_tensors.py").write_text(
        "def pairwise_sums(a, b):\n    if len(a) > 3:\n        raise ValueError('too long')\n"
        "    return a[:, None] + b[None, :]\n",
        encoding="utf-8",
    )
    outcome = runner.run(tmp_path, catalog.BY_ID["2.1"])
    assert outcome["status"] == FAILED
    assert outcome["message"] == "pairwise_sums() raised ValueError: too long (ex02_tensors.py, line 3)"
    assert outcome["example"].startswith("n=4,")
    # what the learner's code prints is kept (its end only) for the report; their files may import each other
    (tmp_path / "helpers.py").write_text(
        "def broadcast_add(a, b):\n    return a[:, None] + b[None, :]\n", encoding="utf-8"
    )
    (tmp_path / "ex02_tensors.py").write_text(
        "from helpers import broadcast_add\n\ndef pairwise_sums(a, b):\n    for _ in range(100_000):\n"
        "        print('debugging', a.shape)\n    return broadcast_add(a, b).float()\n",
        encoding="utf-8",
    )
    outcome = runner.run(tmp_path, catalog.BY_ID["2.1"])
    assert outcome["status"] == FAILED and "dtype" in outcome["message"]
    assert outcome["output"].endswith("debugging torch.Size([2])\n") and len(outcome["output"]) <= 2000


def test_broken_learner_code_is_that_exercises_failure(tmp_path):
    folder = tmp_path
    (folder / "ex02_tensors.py").write_text("def pairwise_sums(a, b)\n    return a\n", encoding="utf-8")
    (folder / "ex03_autograd.py").write_text(
        "def gradient_at(f, x):\n    while True:\n        pass\n\n"
        "def vector_jacobian_product(f, x, v):\n    import os\n    os._exit(3)\n\n"
        "def sgd_update_(w, lr):\n    return 1 / 0\n",
        encoding="utf-8",
    )
    (folder / "ex04_backpropagation.py").write_text(
        "def squared_error_and_grad(x, y, w):\n    raise KeyboardInterrupt\n", encoding="utf-8"
    )
    with CheckRunner(timeout=2) as check_runner:
        syntax = [check_runner.run(folder, e) for e in catalog.for_lesson(2)]
        loop, crash, raises = (check_runner.run(folder, e) for e in catalog.for_lesson(3))
        interrupt = check_runner.run(folder, catalog.BY_ID["4.1"])
        after = check_runner.run(catalog.SOLUTIONS, catalog.BY_ID["4.1"])  # the checker carries on
    assert all(r["status"] == FAILED and "SyntaxError in ex02_tensors.py, line 1" in r["message"] for r in syntax)
    assert loop["status"] == FAILED and "no answer within 2 s" in loop["message"]
    assert crash["status"] == FAILED and "exit code 3" in crash["message"]
    assert raises["status"] == FAILED
    assert raises["message"] == "sgd_update_() raised ZeroDivisionError: division by zero (ex03_autograd.py, line 10)"
    assert interrupt["status"] == FAILED and "raised KeyboardInterrupt" in interrupt["message"]
    assert after["status"] == PASSED


# ---------------------------------------------------------------------------------------------------------
# The commands


def test_start_copies_stubs_and_never_overwrites(tmp_path):
    folder = tmp_path / "mine"
    proc = run_cli_here("exercises", "start", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted(catalog.files())
    assert (folder / "ex02_tensors.py").read_bytes() == (catalog.STUBS / "ex02_tensors.py").read_bytes()
    (folder / "ex02_tensors.py").write_text("# my work\n", encoding="utf-8")
    (folder / "ex05_gradient_descent.py").unlink()
    proc = run_cli_here("exercises", "start", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert (folder / "ex02_tensors.py").read_text(encoding="utf-8") == "# my work\n"
    assert (folder / "ex05_gradient_descent.py").read_bytes() == (
        catalog.STUBS / "ex05_gradient_descent.py"
    ).read_bytes()
    assert "copied 1 exercise files" in proc.stdout and "ex05_gradient_descent.py" in proc.stdout
    assert f"kept {len(catalog.files()) - 1} files" in proc.stdout and "ex02_tensors.py" in proc.stdout
    assert not list(folder.glob(".*.tmp"))


def test_check_command_reports_each_exercise_count_and_first_failure(tmp_path):
    folder = tmp_path / "mine"
    assert run_cli_here("exercises", "start", str(folder)).returncode == 0
    proc = run_cli_here("check", "--dir", str(folder))
    assert proc.returncode == 1, proc.stderr
    assert f"0/{len(catalog.EXERCISES)} passed, 0 failed, {len(catalog.EXERCISES)} not started" in proc.stdout
    assert sum("not started" in line for line in proc.stdout.splitlines()) >= len(catalog.EXERCISES)
    assert "Next: exercise 2.1" in proc.stdout
    # lesson 2 solved except a broken 2.2 and a loop in 2.3; lesson 3 has a syntax error
    solution = (catalog.SOLUTIONS / "ex02_tensors.py").read_text(encoding="utf-8")
    solution += "\n\ndef to_patches(image, size):\n    return image.reshape(-1, size, size)\n"
    solution += "\n\ndef shared_and_copied(array):\n    while True:\n        pass\n"
    (folder / "ex02_tensors.py").write_text(solution, encoding="utf-8")
    (folder / "ex03_autograd.py").write_text("def gradient_at(f, x):\n    return x +\n", encoding="utf-8")
    proc = run_cli_here("check", "2", "--dir", str(folder), "--timeout", "2")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stdout.splitlines()
    assert any(line.split()[:3] == ["2.1", "pairwise_sums", "passed"] for line in lines)
    assert any(line.split()[:3] == ["2.2", "to_patches", "FAILED"] for line in lines)
    assert any(line.split()[:3] == ["2.3", "shared_and_copied", "FAILED"] and "2 s" in line for line in lines)
    assert "1/3 passed, 2 failed, 0 not started" in proc.stdout
    assert "First failure: exercise 2.2" in proc.stdout
    assert "expected: tensor of shape (4, 2, 2)" in proc.stdout and "got:      tensor of shape (4, 2, 2)" in proc.stdout
    assert f"hint: {catalog.BY_ID['2.2'].hint}" in proc.stdout
    proc = run_cli_here("check", "3.1", "--dir", str(folder))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "SyntaxError in ex03_autograd.py, line 2" in proc.stdout and "0/1 passed" in proc.stdout
    # all of lesson 2 solved: exit 0
    shutil.copy(catalog.SOLUTIONS / "ex02_tensors.py", folder / "ex02_tensors.py")
    proc = run_cli_here("check", "2", "--dir", str(folder))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3/3 passed" in proc.stdout


def test_check_of_every_solution_through_the_command(tmp_path):
    folder = tmp_path / "solved"
    shutil.copytree(catalog.SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    start = time.perf_counter()
    proc = run_cli_here("check", "--dir", str(folder))
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(catalog.EXERCISES)}/{len(catalog.EXERCISES)} passed" in proc.stdout
    assert elapsed < 60, f"checking every solution took {elapsed:.1f} s"


def test_check_works_with_spawned_workers_which_do_not_import_lightning(tmp_path):
    """macOS and Windows spawn the worker instead of forking it: the same results. A spawned worker is a fresh
    Python, so it also shows what a check imports: Lightning takes a second or two to import, and only a check of
    lesson 21 pays for it (the runner preloads it then)."""
    from pytorch_tutorial.exercises.commands import preload_for

    assert preload_for(catalog.for_lesson(21)) == ("lightning",)
    assert preload_for(catalog.for_lesson(5) + catalog.for_lesson(14)) == ()
    folder = tmp_path / "solved"
    folder.mkdir()
    imported = tmp_path / "imported.txt"
    probe = f"import pathlib, sys\npathlib.Path({str(imported)!r}).write_text(str('lightning' in sys.modules))\n"
    (folder / "ex14_cnn.py").write_text(probe + (catalog.SOLUTIONS / "ex14_cnn.py").read_text(encoding="utf-8"))
    proc = run_cli_here("check", "14", "--dir", str(folder), env={"PYTORCH_TUTORIAL_CHECK_START": "spawn"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3/3 passed" in proc.stdout
    assert imported.read_text() == "False"  # the worker, the checks and the learner's file were loaded without it


def test_check_usage_errors_are_one_line_exit_2(tmp_path):
    assert_usage_error(
        run_cli_here("check", "--dir", str(tmp_path / "nowhere")), "no exercises folder", "exercises start"
    )
    assert_usage_error(run_cli_here("check", "99", "--dir", str(tmp_path)), "unknown lesson or exercise '99'")
    assert_usage_error(run_cli_here("check", "2.9", "--dir", str(tmp_path)), "unknown exercise '2.9'", "2.1, 2.2, 2.3")
    assert_usage_error(
        run_cli_here("check", "1", "--dir", str(tmp_path)), f"lessons 2-{max(catalog.lessons())} have exercises"
    )
    for bad in ("0", "-1", "inf", "nan"):
        assert_usage_error(run_cli_here("check", "--dir", str(tmp_path), "--timeout", bad), f"--timeout {bad}")


def test_hint_prints_the_hint_and_rejects_unknown_ids():
    proc = run_cli_here("hint", "11.1")
    assert proc.returncode == 0, proc.stderr
    assert catalog.BY_ID["11.1"].hint in proc.stdout and "log_softmax in ex11_softmax_crossentropy.py" in proc.stdout
    assert_usage_error(run_cli_here("hint", "11.7"), "unknown exercise '11.7'", "11.1")
    assert_usage_error(run_cli_here("hint", "11"), "N.K")
    assert_usage_error(run_cli_here("hint", "x"), "unknown exercise 'x'")


def test_solution_only_after_the_exercise_passes_or_with_reveal(tmp_path):
    folder = tmp_path / "mine"
    assert run_cli_here("exercises", "start", str(folder)).returncode == 0
    proc = run_cli_here("solution", "7.2", "--dir", str(folder))
    assert_usage_error(proc, "error: exercise 7.2 has not passed yet", "--reveal")
    assert "def polynomial_features" not in proc.stdout
    proc = run_cli_here("solution", "7.2", "--reveal", "--dir", str(tmp_path / "nowhere"))
    assert proc.returncode == 0, proc.stderr
    assert "import torch" in proc.stdout and "def polynomial_features" in proc.stdout
    assert "def least_squares" not in proc.stdout  # only this exercise's code
    shutil.copy(catalog.SOLUTIONS / "ex07_linear_regression.py", folder)
    proc = run_cli_here("solution", "7.2", "--dir", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "def polynomial_features" in proc.stdout
    proc = run_cli_here("solution", "17.1", "--reveal")
    assert "def save_checkpoint" in proc.stdout and "def load_checkpoint" in proc.stdout
    assert_usage_error(
        run_cli_here("solution", "7.2", "--dir", str(tmp_path / "nowhere")), "no exercises folder", "--reveal"
    )
    assert_usage_error(run_cli_here("solution", "7.9", "--reveal"), "unknown exercise '7.9'")


def _reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)


def _wait_for(lines: queue.Queue, phrase: str, timeout: float) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(line)
        if phrase in line:
            return "".join(seen)
    raise AssertionError(f"no {phrase!r} within {timeout} s; output so far:\n{''.join(seen)}")


def test_watch_checks_again_on_save_and_stops_cleanly_on_ctrl_c(tmp_path):
    folder = tmp_path / "mine"
    assert run_cli_here("exercises", "start", str(folder)).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytorch_tutorial", "check", "2", "--dir", str(folder), "--watch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"},
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    try:
        _wait_for(lines, "0/3 passed", timeout=120)
        _wait_for(lines, "watching", timeout=10)
        time.sleep(0.2)  # a save within the same mtime tick would look unchanged on coarse file systems
        shutil.copy(catalog.SOLUTIONS / "ex02_tensors.py", folder / "ex02_tensors.py")
        output = _wait_for(lines, "3/3 passed", timeout=60)
        assert "ex02_tensors.py changed" in output
        _wait_for(lines, "watching", timeout=10)
        proc.send_signal(signal.SIGINT)
        assert wait_or_show_stack(proc, timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read()
    assert "Traceback" not in stderr, stderr


def test_watch_with_a_bounded_number_of_rounds(tmp_path):
    shutil.copy(catalog.SOLUTIONS / "ex09_dataloader.py", tmp_path)
    proc = run_cli_here("check", "9", "--dir", str(tmp_path), "--watch", env={"PYTORCH_TUTORIAL_WATCH_ROUNDS": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "3/3 passed" in proc.stdout


def test_an_empty_folder_or_a_file_is_one_line_and_a_missing_file_is_pointed_out(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_usage_error(run_cli_here("check", "--dir", str(empty)), "no exercise files", f"exercises start {empty}")
    (tmp_path / "notes.txt").write_text("mine\n")
    assert_usage_error(run_cli_here("check", "--dir", str(tmp_path / "notes.txt")), "is a file")
    assert (tmp_path / "notes.txt").read_text() == "mine\n"

    folder = tmp_path / "ex"
    assert run_cli_here("exercises", "start", str(folder)).returncode == 0
    first = catalog.EXERCISES[0]
    (folder / first.file).unlink()  # the learner deleted the first lesson's file
    proc = run_cli_here("check", "--dir", str(folder))
    assert proc.returncode == 1, proc.stderr
    assert (
        first.id in proc.stdout.split("Next:")[1]
        and "which is missing" in proc.stdout
        and f"exercises start {folder}' copies it again" in proc.stdout
    )


def test_an_endless_loop_at_import_fails_its_file_once_not_per_exercise(tmp_path):
    """Every exercise of a file imports it: a loop at its top level is reported once, the others at once."""
    source = (catalog.SOLUTIONS / "ex10_transforms.py").read_text(encoding="utf-8")
    (tmp_path / "ex10_transforms.py").write_text(source + "\nwhile True:\n    pass\n", encoding="utf-8")
    start = time.perf_counter()
    proc = run_cli_here("check", "10", "--dir", str(tmp_path), "--timeout", "2")
    elapsed = time.perf_counter() - start
    assert proc.returncode == 1
    exercises = catalog.for_lesson(10)
    assert proc.stdout.count("FAILED  importing ex10_transforms.py did not finish within 2 s") == len(exercises)
    assert len(exercises) == 3 and elapsed < 2 * len(exercises), elapsed  # one time limit, not one per exercise


def test_code_that_behaves_differently_on_replay_gets_its_own_failure_not_hypothesis_flaky(runner, tmp_path):
    """Learner code with a side effect fails once, passes when hypothesis replays it: the learner sees their
    failure and a word about side effects, not "FlakyFailure: Inconsistent results from replaying"."""
    source = (catalog.SOLUTIONS / "ex02_tensors.py").read_text(encoding="utf-8")
    flaky = (
        "_calls = [0]\n\n\ndef pairwise_sums(a, b):\n    _calls[0] += 1\n"
        "    if _calls[0] == 3:\n        return a[:, None] * b[None, :]\n    return a[:, None] + b[None, :]\n"
    )
    (tmp_path / "ex02_tensors.py").write_text(f"{source}\n\n{flaky}", encoding="utf-8")
    outcome = runner.run(tmp_path, catalog.BY_ID["2.1"])
    assert outcome["status"] == FAILED
    assert "Flaky" not in outcome["message"] and "replaying" not in outcome["message"], outcome
    assert "another result when run again" in outcome["message"], outcome


def test_all_passed_names_a_real_exercise_for_the_solution_command(tmp_path):
    shutil.copy(catalog.SOLUTIONS / "ex07_linear_regression.py", tmp_path)
    proc = run_cli_here("check", "7", "--dir", str(tmp_path))
    assert proc.returncode == 0, proc.stdout
    assert "pytorch-tutorial solution 7.1 (or any of 7.1 to" in proc.stdout and "N.K" not in proc.stdout


# ---------------------------------------------------------------------------------------------------------
# Exercise 13.2 accepts either order of zero_grad, and explains the loops that are wrong


def _answer(*steps: str) -> str:
    """A train_one_epoch whose loop body runs ``steps`` (one statement each) and then adds up the loss."""
    body = "".join(f"        {step}\n" for step in steps)
    return (
        "def train_one_epoch(model, loader, loss_fn, optimizer):\n"
        "    model.train()\n"
        "    total, count = 0.0, 0\n"
        "    for x, y in loader:\n"
        f"{body}"
        "        total += loss.item() * len(y)\n"
        "        count += len(y)\n"
        "    return total / count\n"
    )


FORWARD = "loss = loss_fn(model(x), y)"
ZERO_FIRST = _answer("optimizer.zero_grad()", FORWARD, "loss.backward()", "optimizer.step()")
ZERO_AFTER = _answer(FORWARD, "loss.backward()", "optimizer.step()", "optimizer.zero_grad()")
NEVER_ZEROED = _answer(FORWARD, "loss.backward()", "optimizer.step()")
ZEROED_BEFORE_STEP = _answer(FORWARD, "loss.backward()", "optimizer.zero_grad()", "optimizer.step()")


@pytest.mark.parametrize(
    ("answer", "status", "phrase"),
    [
        (ZERO_FIRST, PASSED, None),
        (ZERO_AFTER, PASSED, None),
        (NEVER_ZEROED, FAILED, "never clears the gradients"),
        (ZEROED_BEFORE_STEP, FAILED, "did not change the weights"),
    ],
    ids=["zero_grad first", "zero_grad after step", "no zero_grad", "zero_grad before step"],
)
def test_exercise_13_2_judges_the_loop_not_the_order_of_zero_grad(runner, tmp_path, answer, status, phrase):
    exercise = catalog.BY_ID["13.2"]
    source = (catalog.SOLUTIONS / exercise.file).read_text(encoding="utf-8")
    (tmp_path / exercise.file).write_text(f"{source}\n\n{answer}", encoding="utf-8")
    outcome = runner.run(tmp_path, exercise)
    assert outcome["status"] == status, outcome
    if phrase:
        assert phrase in outcome["message"], outcome
