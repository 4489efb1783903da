"""The package's training loop, evaluation and per-class counting, and rebuilding a model from a checkpoint.

``engine.train_epoch`` is the package copy of the loop lesson 13 writes out: a test runs the lesson's own loop
cell and the package's function side by side and requires the same weights and losses.
"""

from __future__ import annotations

import copy
import math
import re
import time
from types import SimpleNamespace

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from pytorch_tutorial import checkpoint, course, engine, runtime
from pytorch_tutorial.models import FeedForward, LeNet, build_model

CPU = torch.device("cpu")


def _blobs(n: int = 90, seed: int = 0) -> TensorDataset:
    """Three well separated clusters in 2-d, labelled 0, 1, 2."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 3
    centres = torch.tensor([[4.0, 0.0], [-4.0, 0.0], [0.0, 4.0]])
    return TensorDataset(centres[labels] + torch.randn(n, 2, generator=generator), labels)


def test_train_epoch_returns_the_mean_loss_over_all_samples_with_a_ragged_last_batch():
    torch.manual_seed(0)
    data = _blobs(90)
    model = nn.Linear(2, 3)
    loss_fn = nn.CrossEntropyLoss()
    with torch.no_grad():
        expected = loss_fn(model(data.tensors[0]), data.tensors[1]).item()
    frozen = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: the weights stay, the mean is comparable
    loader = DataLoader(data, batch_size=40)  # 40 + 40 + 10
    assert engine.train_epoch(model, loader, loss_fn, frozen, CPU) == pytest.approx(expected, rel=1e-6)
    assert all(p.grad is None or torch.all(p.grad == 0) for p in model.parameters())  # gradients were zeroed


def _lesson_13_training_cell() -> str:
    """The source of the code cell in which lesson 13 writes out its training loop."""
    source = course.BY_NUMBER[13].path.read_text(encoding="utf-8")
    cells = re.split(r"^# %%.*$", source, flags=re.MULTILINE)
    (cell,) = [c for c in cells if "for epoch in range(cfg.epochs):" in c and "loss.backward()" in c]
    return cell


def test_train_epoch_does_what_lesson_13s_loop_does(tmp_path):
    """The lesson's loop cell and engine.train_epoch, from the same weights over the same shuffled batches (a
    ragged last one), dropout drawing the same masks: the same weights and the same mean loss of every epoch."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    twin = copy.deepcopy(model)
    data = _blobs(90)
    loss_fn = nn.CrossEntropyLoss()

    def loader() -> DataLoader:
        return DataLoader(data, batch_size=40, shuffle=True, generator=torch.Generator().manual_seed(1))

    lesson = {
        "cfg": SimpleNamespace(epochs=3),
        "model": model,
        "train_loader": loader(),
        "loss_fn": loss_fn,
        "optimizer": torch.optim.Adam(model.parameters(), lr=0.01),
        "device": CPU,
        "runtime": runtime,
        "time": time,
    }
    twin_loader, optimizer = loader(), torch.optim.Adam(twin.parameters(), lr=0.01)
    with runtime.activate(runtime.RunContext(0, "loop", device="cpu", out_root=tmp_path, quiet=True)):
        model.eval()  # each loop must switch to training mode itself
        torch.manual_seed(2)
        exec(_lesson_13_training_cell(), lesson)  # the lesson's own code, on these inputs

        twin.eval()
        torch.manual_seed(2)
        package_losses = [engine.train_epoch(twin, twin_loader, loss_fn, optimizer, CPU) for _ in range(3)]

    assert len(lesson["batch_losses"]) == 3 * 3  # 40 + 40 + 10 samples in each epoch
    assert lesson["epoch_losses"] == package_losses
    assert model.training and twin.training
    for (name, p), q in zip(model.named_parameters(), twin.parameters(), strict=True):
        assert torch.equal(p, q), name
        assert (p.grad is None) == (q.grad is None) and (p.grad is None or torch.equal(p.grad, q.grad)), name


def test_train_epoch_learns_and_evaluate_measures_it():
    torch.manual_seed(0)
    train, test = _blobs(150, seed=1), _blobs(60, seed=2)
    model = nn.Linear(2, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    test_loader = DataLoader(test, batch_size=16)
    before = engine.evaluate(model, test_loader, CPU)
    losses = [
        engine.train_epoch(model, DataLoader(train, batch_size=16, shuffle=True), nn.CrossEntropyLoss(), optimizer, CPU)
        for _ in range(5)
    ]
    assert losses[-1] < losses[0] / 3
    after = engine.evaluate(model, test_loader, CPU)
    assert after >= 0.95 > before
    logits, targets = engine.predict(model, test_loader, CPU)
    assert after == (logits.argmax(1) == test.tensors[1]).float().mean().item()


def test_predict_keeps_loader_order_in_eval_mode_without_gradients():
    model = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5))
    data = _blobs(25)
    logits, targets = engine.predict(model, DataLoader(data, batch_size=7), CPU)
    assert not model.training
    assert not logits.requires_grad
    assert torch.equal(targets, data.tensors[1])
    with torch.no_grad():
        assert torch.allclose(logits, model(data.tensors[0]))  # dropout is off in eval mode


def _naive_counts(predictions: list[int], targets: list[int], num_classes: int) -> list[list[int]]:
    counts = [[0] * num_classes for _ in range(num_classes)]
    for predicted, true in zip(predictions, targets, strict=True):
        counts[true][predicted] += 1
    return counts


@settings(max_examples=100, deadline=None)
@given(
    num_classes=st.integers(1, 6),
    data=st.data(),
    batch_size=st.integers(1, 17),
)
def test_confusion_and_per_class_accuracy_match_a_per_sample_count_for_any_batch_size(num_classes, data, batch_size):
    n = data.draw(st.integers(1, 60))
    targets = data.draw(st.lists(st.integers(0, num_classes - 1), min_size=n, max_size=n))
    predictions = data.draw(st.lists(st.integers(0, num_classes - 1), min_size=n, max_size=n))
    # what predict() does: batches of any size, concatenated
    batches = [torch.tensor(predictions[i : i + batch_size]) for i in range(0, n, batch_size)]
    counts = engine.confusion_matrix(torch.cat(batches), torch.tensor(targets), num_classes)
    naive = _naive_counts(predictions, targets, num_classes)
    assert counts.tolist() == naive
    per_class = engine.per_class_accuracy(torch.cat(batches), torch.tensor(targets), num_classes)
    for c in range(num_classes):
        total = sum(naive[c])
        if total:
            assert per_class[c] == pytest.approx(naive[c][c] / total)
        else:
            assert math.isnan(per_class[c])


def test_confusion_matrix_accepts_logits_and_rejects_length_mismatch():
    logits = torch.tensor([[0.1, 2.0], [3.0, 0.0], [0.0, 1.0]])
    assert engine.confusion_matrix(logits, torch.tensor([1, 1, 0]), 2).tolist() == [[0, 1], [1, 1]]
    with pytest.raises(ValueError, match="3 predictions for 2 targets"):
        engine.confusion_matrix(logits, torch.tensor([1, 1]), 2)


@pytest.mark.parametrize(
    ("model", "meta"),
    [
        (LeNet(in_channels=3, num_classes=7), {"arch": "LeNet", "in_channels": 3, "num_classes": 7}),
        (
            FeedForward(input_size=20, hidden_size=8, num_classes=4),
            {"arch": "FeedForward", "input_size": 20, "hidden_size": 8, "num_classes": 4},
        ),
    ],
)
def test_build_model_rebuilds_a_saved_model_exactly(tmp_path, model, meta):
    path = checkpoint.save_atomic({**meta, "state_dict": model.state_dict()}, tmp_path / "model.pt")
    rebuilt = build_model(checkpoint.load_weights(path))
    assert type(rebuilt) is type(model) and not rebuilt.training
    x = torch.randn(5, 3, 32, 32) if meta["arch"] == "LeNet" else torch.randn(5, 20)
    model.eval()
    with torch.no_grad():
        assert torch.equal(rebuilt(x), model(x))


def test_build_model_explains_what_is_wrong():
    lenet = LeNet(in_channels=1, num_classes=10).state_dict()
    with pytest.raises(ValueError, match="unknown architecture 'ResNet'.*FeedForward, LeNet"):
        build_model({"arch": "ResNet", "state_dict": lenet})
    with pytest.raises(ValueError, match="no 'state_dict'"):
        build_model({"arch": "LeNet"})
    with pytest.raises(ValueError, match=r"do not fit LeNet\(in_channels=3, num_classes=10\).*conv1.weight"):
        build_model({"arch": "LeNet", "in_channels": 3, "num_classes": 10, "state_dict": lenet})
    with pytest.raises(ValueError, match="Missing key"):
        build_model({"arch": "LeNet", "state_dict": {k: v for k, v in lenet.items() if k != "fc3.bias"}})
    with pytest.raises(ValueError, match="positive whole number"):
        build_model({"arch": "LeNet", "in_channels": "1", "state_dict": lenet})
    with pytest.raises(ValueError, match="a checkpoint is a dict"):
        build_model([lenet])  # type: ignore[arg-type]
