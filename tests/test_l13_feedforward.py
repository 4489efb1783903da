"""Lesson 13: a 784-500-10 network trained for real, evaluated on the test split, with its figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from pytorch_tutorial import course, engine, runtime
from pytorch_tutorial.data import idx, mnist
from pytorch_tutorial.data.mnist import RAW_FILES


def run(out: Path, seed: int = runtime.DEFAULT_SEED, data_dir: Path | None = None, **overrides):
    """Run lesson 13 on the CPU as the runner does (usable from module-scoped fixtures)."""
    lesson = course.BY_NUMBER[13]
    ctx = runtime.RunContext(
        13, lesson.slug, device="cpu", seed=seed, out_root=out, overrides=overrides, data_dir=data_dir, quiet=True
    )
    result = course.run_lesson(lesson, ctx)
    assert result.status == "ok", result.error
    return result


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The lesson with its default settings on the embedded MNIST subset, once for this module."""
    return run(tmp_path_factory.mktemp("l13"))


def test_accuracy_bar_on_the_test_split_with_defaults(default_run):
    assert set(default_run.metrics) == {"test_accuracy", "train_seconds"}
    assert default_run.metrics["test_accuracy"] >= 0.92
    assert 0 < default_run.metrics["train_seconds"] < default_run.seconds


def test_evaluation_uses_the_test_split_and_no_training_data(default_run):
    ns = default_run.namespace
    test_loader, model = ns["test_loader"], ns["model"]
    _, test_labels = mnist.tensors(train=False)
    assert len(test_loader.dataset) == len(test_labels) == 1000
    assert torch.equal(test_loader.dataset.tensors[1], test_labels)
    assert not model.training  # left in evaluation mode
    reported = default_run.metrics["test_accuracy"]
    assert engine.evaluate(model, test_loader, torch.device("cpu")) == pytest.approx(reported)
    # the network fits its training digits better than new ones: the reported figure is not training accuracy
    train_accuracy = engine.evaluate(model, ns["train_loader"], torch.device("cpu"))
    assert train_accuracy > reported + 0.02


def test_training_loop_lowered_the_loss_every_epoch(default_run):
    ns = default_run.namespace
    losses = ns["epoch_losses"]
    assert len(losses) == ns["cfg"].epochs == 10
    assert all(later < earlier for earlier, later in zip(losses, losses[1:], strict=False))
    assert len(ns["batch_losses"]) == 10 * len(ns["train_loader"]) == 10 * 40  # 4,000 digits in batches of 100


def test_confusion_matrix_counts_each_test_digit_once(default_run):
    ns = default_run.namespace
    confusion = ns["confusion"]
    assert confusion.sum().item() == 1000
    assert confusion.sum(dim=1).tolist() == [100] * 10  # the embedded test split: 100 of each digit
    assert confusion.trace().item() / 1000 == pytest.approx(default_run.metrics["test_accuracy"])


def test_figures_are_written_as_png(default_run):
    names = {path.name: path for path in default_run.files}
    for name in ("sample_digits.png", "training_loss.png", "confusion_matrix.png"):
        path = names[name]
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            assert image.width > 300 and image.height > 150


def test_same_seed_same_accuracy(tmp_path):
    first, second = (run(tmp_path / str(i), seed=3, epochs=1) for i in (1, 2))
    assert first.metrics["test_accuracy"] == second.metrics["test_accuracy"]
    for a, b in zip(first.namespace["model"].parameters(), second.namespace["model"].parameters(), strict=True):
        assert torch.equal(a, b)
    other = run(tmp_path / "3", seed=4, epochs=1)
    assert not torch.equal(other.namespace["model"].l1.weight, first.namespace["model"].l1.weight)


def write_mnist_folder(folder: Path, n_train: int, n_test: int) -> tuple[np.ndarray, np.ndarray]:
    """A learner's MNIST copy in ``folder/MNIST/raw``: the first digits of the embedded subset, in IDX files.

    The test digits written are embedded *training* digits, so a lesson that reads them shows it read this folder.
    """
    train_images, train_labels = (idx.read(mnist.EMBEDDED / f"{name}.gz") for name in RAW_FILES[:2])
    images = {
        "train-images-idx3-ubyte": train_images[:n_train],
        "train-labels-idx1-ubyte": train_labels[:n_train],
        "t10k-images-idx3-ubyte": train_images[n_train : n_train + n_test],
        "t10k-labels-idx1-ubyte": train_labels[n_train : n_train + n_test],
    }
    for name, array in images.items():
        idx.write(folder / "MNIST" / "raw" / name, array)
    return images["t10k-images-idx3-ubyte"], images["t10k-labels-idx1-ubyte"]


def test_data_dir_is_read_instead_of_the_embedded_set(tmp_path):
    test_images, test_labels = write_mnist_folder(tmp_path / "mine", n_train=600, n_test=150)
    result = run(tmp_path / "out", data_dir=tmp_path / "mine", epochs=1)
    ns = result.namespace
    assert len(ns["train_loader"].dataset) == 600 and len(ns["test_loader"].dataset) == 150
    assert torch.equal(ns["test_loader"].dataset.tensors[1], torch.tensor(test_labels, dtype=torch.int64))
    assert torch.equal(ns["test_images"][:, 0], torch.tensor(test_images, dtype=torch.float32) / 255)
    assert ns["confusion"].sum().item() == 150
