"""Lesson 13: a 784-500-10 network trained for real, evaluated on the test split, with its figures; the
lesson's network is the package's FeedForward, and exercise 13.2 accepts either order of zero_grad."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import run_lesson_at, run_lesson_printed
from PIL import Image

from pytorch_tutorial import course, engine
from pytorch_tutorial.data import idx, mnist
from pytorch_tutorial.data.mnist import RAW_FILES
from pytorch_tutorial.models import FeedForward

LESSON = course.BY_NUMBER[13]


def run(out: Path, **kwargs):
    """Run lesson 13 on the CPU as the runner does, quietly (usable from module-scoped fixtures)."""
    return run_lesson_at(13, out, quiet=True, **kwargs)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The lesson with its default settings on the embedded MNIST subset, once for this module; what it
    printed is kept in ``result.printed``."""
    return run_lesson_printed(13, tmp_path_factory.mktemp("l13"))


def test_accuracy_bar_on_the_test_split_with_defaults(default_run):
    assert set(default_run.metrics) == {"test_accuracy", "train_seconds"}
    assert default_run.metrics["test_accuracy"] >= 0.94
    assert f"accuracy on 1000 test digits: {default_run.metrics['test_accuracy']:.2%}" in default_run.printed
    assert 0 < default_run.metrics["train_seconds"] < default_run.seconds


def test_core_is_short_and_defines_the_network_it_teaches():
    assert course.core_lines(LESSON) <= 100
    source = LESSON.path.read_text(encoding="utf-8")
    core = source.split("# ## Going further")[0]
    assert "class NeuralNet(nn.Module):" in core
    assert "x = x.reshape(-1, 28 * 28)" in core  # the flatten to 784 is in the learner's code
    assert "from pytorch_tutorial.models" not in source and "import inspect" not in source  # written, not imported
    assert "divmod" not in source


def test_the_lessons_network_is_the_packages_feedforward(default_run):
    """Later lessons, predict and the web app use models.FeedForward: it must be the network taught here."""
    ns = default_run.namespace
    lesson_class = ns["NeuralNet"]
    torch.manual_seed(0)
    for sizes in ((784, 500, 10), (784, 32, 4)):
        ours, package = lesson_class(*sizes), FeedForward(*sizes)
        assert [(n, p.shape) for n, p in ours.named_parameters()] == [
            (n, p.shape) for n, p in package.named_parameters()
        ]
        package.load_state_dict(ours.state_dict())
        images = torch.randn(7, 1, 28, 28)
        assert torch.equal(ours(images), package(images))
    # the trained network, loaded into the package's class, gives the same answers on the test digits
    trained = FeedForward(784, 500, 10)
    trained.load_state_dict(ns["model"].state_dict())
    logits, _ = engine.predict(trained, ns["test_loader"], torch.device("cpu"))
    assert torch.equal(logits.argmax(dim=1), ns["predictions"])


def test_numbers_in_the_text_are_printed(default_run):
    ns, printed = default_run.namespace, default_run.printed
    # 784 inputs, 500 hidden units, 10 outputs
    assert (ns["model"].l1.in_features, ns["model"].l1.out_features, ns["model"].l2.out_features) == (784, 500, 10)
    assert "Linear(in_features=784, out_features=500" in printed and "in_features=500, out_features=10" in printed
    assert "397,510 weights and biases to learn" in printed  # 784*500 + 500 + 500*10 + 10
    # (x - 0.1307) / 0.3081, the package's MNIST statistics that predict uses too: centred on 0, spread about 1
    assert ns["normalize"].mean == [mnist.MEAN] == [0.1307] and ns["normalize"].std == [mnist.STD] == [0.3081]
    normalized = ns["train_dataset"].tensors[0]
    assert abs(normalized.mean().item()) < 0.05 and abs(normalized.std().item() - 1) < 0.05
    assert f"mean {normalized.mean():.2f}, standard deviation {normalized.std():.2f}" in printed


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
    # the lesson's loop counts what the package's confusion_matrix counts
    assert torch.equal(confusion, engine.confusion_matrix(ns["predictions"], ns["test_labels"], 10))


def test_most_common_mistake_is_the_largest_count_off_the_diagonal(default_run):
    ns = default_run.namespace
    mistakes = ns["confusion"].clone()
    mistakes.fill_diagonal_(0)
    row, column = divmod(mistakes.argmax().item(), 10)
    assert (ns["true_digit"], ns["predicted_digit"], ns["count"]) == (row, column, mistakes.max().item())
    assert ns["count"] > 0
    assert f"most common mistake: {row} read as {column} ({ns['count']} of the 100 test {row}s)" in default_run.printed


def test_figures_are_written_as_png(default_run):
    names = {path.name: path for path in default_run.files}
    for name in ("sample_digits.png", "training_loss.png", "confusion_matrix.png"):
        path = names[name]
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            assert image.width > 300 and image.height > 100


def test_same_seed_same_accuracy_and_two_epochs_work(tmp_path):
    first, second = (run(tmp_path / str(i), seed=3, epochs=1) for i in (1, 2))
    assert len(first.namespace["epoch_losses"]) == 1
    assert first.metrics["test_accuracy"] == second.metrics["test_accuracy"]
    for a, b in zip(first.namespace["model"].parameters(), second.namespace["model"].parameters(), strict=True):
        assert torch.equal(a, b)
    other = run(tmp_path / "3", seed=4, epochs=2)
    assert not torch.equal(other.namespace["model"].l1.weight, first.namespace["model"].l1.weight)
    assert len(other.namespace["epoch_losses"]) == 2
    assert other.metrics["test_accuracy"] > 0.85  # two epochs learn most digits (chance is 0.1)


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
