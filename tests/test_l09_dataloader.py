"""Lesson 9: the wine Dataset over np.loadtxt, batches and iterations per epoch, worker processes under the guard,
torchvision.datasets.MNIST over the course's MNIST folder."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torchvision
from conftest import run_lesson_at

from pytorch_tutorial import course, runtime
from pytorch_tutorial.data import mnist, wine

LESSON = course.BY_NUMBER[9]


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 9 run once on the CPU with its defaults (2 workers)."""
    return run_lesson_at(9, tmp_path_factory.mktemp("out"))


def test_dataset_has_len_getitem_and_integer_labels(lesson):
    dataset = lesson.namespace["dataset"]
    assert len(dataset) == 178
    features, label = dataset[5]
    assert features.shape == (13,) and features.dtype == torch.float32
    assert label.dtype == torch.int64
    assert sorted(dataset.y.unique().tolist()) == [0, 1, 2]
    # the lesson's own np.loadtxt and slicing read what the package's wine.load (lesson 10 on) reads
    all_features, all_labels = wine.load()
    assert torch.equal(dataset.x, torch.from_numpy(all_features)) and torch.equal(
        dataset.y, torch.from_numpy(all_labels)
    )
    assert torch.equal(features, torch.from_numpy(all_features[5])) and label.item() == all_labels[5]


def test_core_is_short_and_shows_the_calls_it_teaches():
    assert course.core_lines(LESSON) <= 60
    core = LESSON.path.read_text(encoding="utf-8").split("# ## Going further")[0]
    assert 'np.loadtxt(wine.PATH, delimiter=",", dtype=np.float32, skiprows=1)' in core
    assert "xy[:, 1:]" in core and "xy[:, 0]" in core
    assert "torchvision.datasets.MNIST(root=mnist.root(), train=True, transform=to_tensor, download=False)" in core
    assert 'if __name__ == "__main__":' in core and "num_workers=cfg.num_workers" in core
    assert "UsageError" not in core and "wine.load" not in core


def test_iterations_per_epoch(lesson):
    assert lesson.metrics["iterations_per_epoch"] == 45 == math.ceil(178 / 4)
    assert len(lesson.namespace["train_loader"]) == 45
    batch_sizes = lesson.namespace["batch_sizes"]
    assert len(batch_sizes) == 45 and batch_sizes[:-1] == [4] * 44 and batch_sizes[-1] == 2
    assert lesson.namespace["train_loader"].num_workers == 2  # the training loop's loader loads in 2 workers
    assert lesson.namespace["samples_seen"] == 2 * 178


@pytest.mark.parametrize("batch_size", [5, 10, 178, 200])
def test_iterations_follow_the_batch_size(run_lesson, batch_size):
    result = run_lesson(9, batch_size=batch_size, num_workers=0, epochs=1)
    assert result.metrics["iterations_per_epoch"] == math.ceil(178 / batch_size)
    assert len(result.namespace["train_loader"]) == math.ceil(178 / batch_size)


def test_workers_run_in_other_processes(lesson):
    ns = lesson.namespace
    assert lesson.metrics["worker_pids"] == 2
    assert len(ns["worker_pids"]) == 2
    assert os.getpid() not in ns["worker_pids"]
    assert ns["plain_pids"] == {os.getpid()}


def test_workers_load_the_same_batches_as_the_main_process(lesson):
    ns = lesson.namespace
    assert lesson.metrics["same_batches_without_workers"] is True
    worker_batches, plain_batches = ns["worker_batches"], ns["plain_batches"]
    assert len(worker_batches) == len(plain_batches) == 45

    def contents(batches):
        return [frozenset(map(tuple, inputs.tolist())) for inputs, _ in batches]

    assert contents(worker_batches) == contents(plain_batches)
    # shuffled: not the file's order, but every sample exactly once
    rows = [tuple(row) for inputs, _ in worker_batches for row in inputs.tolist()]
    assert len(rows) == 178 and set(rows) == set(map(tuple, wine.load()[0].tolist()))
    assert rows != [tuple(row) for row in wine.load()[0].tolist()]


def test_no_workers_setting(run_lesson):
    result = run_lesson(9, num_workers=0, epochs=1)
    assert result.metrics["worker_pids"] == 0
    assert result.namespace["worker_pids"] == {os.getpid()}


def test_mnist_is_torchvisions_dataset_over_the_embedded_folder(lesson):
    ns = lesson.namespace
    for split, size in ((ns["mnist_train"], 4000), (ns["mnist_test"], 1000)):
        assert isinstance(split, torchvision.datasets.MNIST) and len(split) == size
        assert Path(split.root) == mnist.embedded_root()
    assert ns["mnist_train"].train and not ns["mnist_test"].train
    assert lesson.metrics["mnist_train_size"] == 4000 and lesson.metrics["mnist_test_size"] == 1000
    images, digits = ns["images"], ns["digits"]
    assert images.shape == (16, 1, 28, 28) and images.dtype == torch.float32
    assert images.min() >= 0.0 and images.max() <= 1.0 and images.max() > 0.5
    assert digits.dtype == torch.int64 and digits.min() >= 0 and digits.max() <= 9


def test_guard_works_with_the_spawn_start_method(tmp_path):
    """Windows and macOS start workers with spawn, which re-imports the lesson: it must still work. (epochs=0 and one
    worker: each spawned worker imports torch and the lesson afresh, and the one that the guarded comparison starts
    shows the guard as well as more would.)"""
    code = (
        "import multiprocessing, sys\n"
        "multiprocessing.set_start_method('spawn', force=True)\n"
        "from pytorch_tutorial.cli import main\n"
        f"sys.exit(main(['run', '9', '--quiet', '--set', 'epochs=0', '--set', 'num_workers=1', '--out', {str(tmp_path)!r}]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=240, cwd=tmp_path, env=os.environ
    )
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads((tmp_path / "summary.json").read_text())["lessons"]
    assert entry["metrics"]["worker_pids"] == 1 and entry["metrics"]["same_batches_without_workers"] is True
    assert not (tmp_path / "outputs").exists()  # the re-imported lesson in the workers wrote nothing


@pytest.mark.parametrize("setting", [{"batch_size": 0}, {"num_workers": -1}])
def test_impossible_settings_are_a_usage_error(run_lesson, setting):
    with pytest.raises(runtime.UsageError, match=f"--set {next(iter(setting))}="):
        run_lesson(9, **setting)
