"""Lesson 23: DDP under torchrun with 2 CPU processes, and the launcher's failure handling."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from conftest import assert_usage_error, run_lesson_at, run_module, wait_or_show_stack

from pytorch_tutorial import course, distributed, models, runtime
from pytorch_tutorial.data import idx, mnist

TEST_DIGITS = 600  # of the embedded 1,000, in the learner's copy


@pytest.fixture(scope="module")
def learners_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A learner's MNIST folder for --data-dir: the embedded digits, but only the first 600 test digits, so that
    the figures the workers report show which copy they read."""
    root = tmp_path_factory.mktemp("mnist")
    for name in mnist.RAW_FILES:
        digits = idx.read(mnist.EMBEDDED / f"{name}.gz")
        if name.startswith("t10k"):  # the test images and labels
            digits = digits[:TEST_DIGITS]
        idx.write(root / "MNIST" / "raw" / f"{name}.gz", digits)
    return root


@pytest.fixture(scope="module")
def lesson23(tmp_path_factory: pytest.TempPathFactory, learners_copy: Path) -> course.LessonResult:
    """Lesson 23 run once through the runner, on the CPU with 2 processes (starting them takes seconds), on the
    learner's copy (the embedded data in the workers is the site's quick build's, and the Ctrl-C test's)."""
    return run_lesson_at(23, tmp_path_factory.mktemp("l23"), nproc=2, epochs=2, data_dir=learners_copy)


def test_two_ranks_train_to_the_accuracy_bar_on_the_learners_copy(lesson23):
    metrics = lesson23.metrics
    assert metrics["world_size"] == 2
    assert metrics["backend"] == "gloo"
    # FeedForward on the 4,000 embedded digits reaches ~0.90 after 2 epochs; measured on the held-out test digits
    assert 0.85 <= metrics["test_accuracy"] <= 1.0
    result = lesson23.namespace["result"]
    assert result["test_samples"] == TEST_DIGITS  # the workers read the copy, not the embedded 1,000
    assert result["samples_per_rank"] == 2000  # each rank saw half of the 4,000 training digits per epoch
    losses = result["train_losses"]
    assert len(losses) == 2 and losses[1] < losses[0]


def test_one_ddp_step_equals_one_single_process_step(lesson23):
    result = lesson23.namespace["result"]
    assert lesson23.metrics["max_abs_diff_vs_single"] < 1e-6
    # the step really moved the weights, far more than the difference: the comparison is not of unchanged weights
    assert result["one_step_weight_change"] > 1e-4
    assert result["batch_size_per_rank"] == 50


def test_rank_zero_alone_writes_a_safe_checkpoint(lesson23):
    ns = lesson23.namespace
    out_dir = Path(ns["out_dir"])
    checkpoint_path = out_dir / distributed.CHECKPOINT_NAME
    saved = torch.load(checkpoint_path, map_location="cpu", weights_only=True)
    assert saved["written_by_rank"] == 0 and saved["world_size"] == 2
    model = models.FeedForward()
    model.load_state_dict(saved["model_state"])  # plain keys: no DDP "module." prefix
    assert not any(key.startswith("module.") for key in saved["model_state"])
    # nothing half-written or per-rank lies around: only the checkpoint and the result file
    assert sorted(path.name for path in out_dir.iterdir()) == sorted(
        [distributed.CHECKPOINT_NAME, distributed.RESULT_NAME]
    )
    assert set(lesson23.files) == {checkpoint_path, out_dir / distributed.RESULT_NAME}


def test_checkpoint_reproduces_the_accuracy_the_ranks_summed(lesson23, learners_copy, tmp_path):
    saved = torch.load(lesson23.namespace["checkpoint_path"], map_location="cpu", weights_only=True)
    model = models.FeedForward()
    model.load_state_dict(saved["model_state"])
    model.eval()
    ctx = runtime.RunContext(number=23, slug="distributed", device="cpu", out_root=tmp_path, data_dir=learners_copy)
    with runtime.activate(ctx):
        images, labels = mnist.tensors(train=False)
    assert len(labels) == TEST_DIGITS
    with torch.no_grad():
        predictions = model(distributed.normalized(images)).argmax(dim=1)
    accuracy = (predictions == labels).sum().item() / len(labels)
    assert accuracy == lesson23.metrics["test_accuracy"]  # both are counts over counts: exactly equal
    assert lesson23.namespace["single_process_accuracy"] == pytest.approx(accuracy, abs=1e-6)  # a float32 mean


def test_sampler_shards_are_disjoint_cover_the_data_and_reshuffle(lesson23):
    ns = lesson23.namespace
    assert ns["shards_disjoint"] is True and ns["shards_cover"] is True
    assert len(ns["epoch0"][0]) == len(ns["epoch0"][1]) == 2000
    assert ns["epoch1_rank0"] != ns["epoch0"][0]
    assert sorted(ns["epoch1_rank0"]) != sorted(ns["epoch0"][0])  # a new epoch is a new split, not a reorder


def test_torchrun_command_carries_the_data_options(lesson23, learners_copy):
    args = lesson23.namespace["torchrun_args"]
    assert args[:3] == ["--standalone", "--nproc-per-node", "2"]
    assert args[-2:] == ["--data-dir", str(learners_copy.resolve())] and "--full-data" not in args
    # and the lesson's own single-process comparison read the same copy: the same accuracy
    assert lesson23.namespace["single_process_accuracy"] == pytest.approx(lesson23.metrics["test_accuracy"], abs=1e-6)


def test_a_failing_worker_fails_the_lesson_with_its_error(tmp_path, monkeypatch):
    """A rank that cannot join the group (bad network interface) fails the lesson with gloo's own error line."""
    broken = {**distributed.worker_env(1), "GLOO_SOCKET_IFNAME": "no-such-interface"}
    monkeypatch.setattr(distributed, "worker_env", lambda nproc: broken)
    overrides = {"epochs": 1, "nproc": 1}  # a group of one fails to form the same way
    ctx = runtime.RunContext(number=23, slug="distributed", device="cpu", out_root=tmp_path, overrides=overrides)
    result = course.run_lesson(course.BY_NUMBER[23], ctx)
    assert result.status == "failed"
    assert "the distributed workers failed (exit status" in result.error
    assert "no-such-interface" in result.error  # the root cause, not only torchrun's summary
    assert not (tmp_path / "23-distributed" / distributed.CHECKPOINT_NAME).exists()


@pytest.mark.parametrize("key, value", [("nproc", 0), ("nproc", 10_000), ("batch_size", -1), ("lr", 0.0)])
def test_bad_settings_are_usage_errors(tmp_path, key, value):
    ctx = runtime.RunContext(number=23, slug="distributed", device="cpu", out_root=tmp_path, overrides={key: value})
    with pytest.raises(runtime.UsageError, match=f"--set {key}="):
        course.run_lesson(course.BY_NUMBER[23], ctx)


def test_launch_reports_exit_status_and_last_stderr_lines():
    code = "import sys; print('x' * 5, file=sys.stderr); raise ValueError('rank 1 ran out of data'); "
    with pytest.raises(RuntimeError, match=r"exit status 1\): ValueError: rank 1 ran out of data") as info:
        distributed.launch([sys.executable, "-c", code], timeout=60)
    assert "xxxxx" in str(info.value)
    assert distributed.launch([sys.executable, "-c", "print('fine')"], timeout=60) == "fine\n"


def test_a_rank_that_crashes_in_cpp_is_reported_with_the_crash_line():
    """A C++ abort prints no Python exception: the launcher quotes the C++ runtime's line instead."""
    stderr = (
        "terminate called without an active exception\nFatal Python error: Aborted\n\n"
        "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: \n  exitcode  : -6 (SIGABRT)\n"
    )
    code = f"import sys; sys.stderr.write({stderr!r}); sys.exit(1)"
    with pytest.raises(RuntimeError, match=r"exit status 1\): terminate called without an active exception;"):
        distributed.launch([sys.executable, "-c", code], timeout=60)


def test_a_worker_leaves_without_the_interpreter_shutdown_that_can_abort_it():
    """torch's C++ threads sometimes abort a worker's interpreter shutdown after its work is done (about 1 run in
    30 here); the worker module ends with os._exit once its files are written and its output flushed."""
    source = Path(distributed.__file__).read_text(encoding="utf-8")
    main_block = source[source.index('if __name__ == "__main__":') :]
    assert "sys.stdout.flush()" in main_block and "os._exit(exit_status)" in main_block


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; process groups are POSIX")
def test_launch_timeout_stops_the_workers_too(tmp_path):
    """On a timeout the launcher kills torchrun's whole process group, so no worker is left behind."""
    pid_file = tmp_path / "child.pid"
    code = (
        "import subprocess, sys, time, pathlib;"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']);"
        f"pathlib.Path({str(pid_file)!r}).write_text(str(child.pid)); time.sleep(120)"
    )
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="did not finish within 2 s"):
        distributed.launch([sys.executable, "-c", code], timeout=2)  # the child is started within a second
    assert time.perf_counter() - start < 60
    child = int(pid_file.read_text())
    deadline = time.perf_counter() + 10
    while _alive(child) and time.perf_counter() < deadline:
        time.sleep(0.1)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped counts as dead)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def _processes_mentioning(text: str) -> list[int]:
    """The pids whose command line contains ``text`` (Linux /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().decode(errors="replace") and _alive(int(entry.name)):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytorch_tutorial", *args]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="network namespaces are Linux")
def test_no_loopback_is_one_line_naming_the_cause_and_the_fix_within_10_s(tmp_path):
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        if os.environ.get("CI"):
            pytest.fail("CI runs as root and must be able to make a network namespace (unshare -n)")
        pytest.skip("unshare -n needs root here")
    start = time.perf_counter()
    proc = subprocess.run(
        ["unshare", "-n", *_cli("run", "23", "--out", str(tmp_path / "out"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.perf_counter() - start < 10
    assert_usage_error(proc, "needs TCP on localhost", "ip link set lo up")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; process groups are POSIX")
def test_ctrl_c_stops_torchrun_and_every_worker_within_2_s(tmp_path):
    out = tmp_path / "ctrl-c-out"
    lesson = subprocess.Popen(
        _cli("run", "23", "--set", "epochs=50", "--out", str(out)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},
    )
    try:
        deadline = time.perf_counter() + 60
        while len(_processes_mentioning(str(out))) < 3 and time.perf_counter() < deadline:  # torchrun + 2 workers
            time.sleep(0.2)
        assert len(_processes_mentioning(str(out))) >= 3, "torchrun and its workers never started"
        lesson.send_signal(signal.SIGINT)  # what Ctrl-C sends to the foreground process
        stopped = time.perf_counter()
        wait_or_show_stack(lesson, timeout=10)
        while _processes_mentioning(str(out)) and time.perf_counter() - stopped < 2:
            time.sleep(0.05)
        assert not _processes_mentioning(str(out)), "workers outlived Ctrl-C by 2 s"
        assert lesson.returncode == 130
        assert "Traceback" not in lesson.stderr.read()
    finally:
        lesson.kill()
        for pid in _processes_mentioning(str(out)):
            os.kill(pid, signal.SIGKILL)


def test_the_worker_explains_itself():
    helped = run_module("pytorch_tutorial.distributed", "--help")
    assert helped.returncode == 0 and "torchrun" in helped.stdout, helped.stderr
    env = {key: value for key, value in os.environ.items() if key not in ("RANK", "WORLD_SIZE")}
    alone = subprocess.run(
        [sys.executable, "-m", "pytorch_tutorial.distributed"], capture_output=True, text=True, env=env, timeout=60
    )
    assert alone.returncode == 2
    assert alone.stderr.strip().splitlines() == [distributed.NOT_UNDER_TORCHRUN]
