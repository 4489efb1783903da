"""Lesson 20: MNIST rows as sequences through nn.RNN, nn.GRU and nn.LSTM, trained with the same budget on the
embedded split; the shapes it prints, the one-line swap, the loop by hand and the vanishing gradient."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
import torch
from PIL import Image
from torch import nn

from pytorch_tutorial import course, runtime
from pytorch_tutorial.data import mnist

LESSON = course.BY_NUMBER[20]


def run(out: Path, **overrides):
    """Run lesson 20 on the CPU as the runner does."""
    ctx = runtime.RunContext(20, LESSON.slug, device="cpu", out_root=out, overrides=overrides, quiet=True)
    result = course.run_lesson(LESSON, ctx)
    assert result.status == "ok", result.error
    return result


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The lesson with its default settings, once for this module; what it printed is in ``result.printed``."""
    ctx = runtime.RunContext(20, LESSON.slug, device="cpu", out_root=tmp_path_factory.mktemp("l20"), quiet=False)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = course.run_lesson(LESSON, ctx)
    assert result.status == "ok", result.error
    result.printed = printed.getvalue()
    return result


def test_accuracy_bars_with_defaults(default_run):
    metrics = default_run.metrics
    assert set(metrics) == {"rnn_accuracy", "gru_accuracy", "lstm_accuracy"}
    # measured with the defaults, seeds 0-4: GRU 0.936-0.947, LSTM 0.928-0.945, plain RNN 0.728-0.790. The issue's
    # RNN target (>= 0.85) is not met within the time target: it needs about 20 epochs (0.849 on seed 0)
    assert metrics["gru_accuracy"] >= 0.92
    assert metrics["lstm_accuracy"] >= 0.92
    assert metrics["rnn_accuracy"] >= 0.7  # far above chance (0.1), far below the gated layers: the lesson's point
    assert metrics["rnn_accuracy"] < min(metrics["gru_accuracy"], metrics["lstm_accuracy"]) - 0.1


def test_the_same_budget_and_one_accuracy_per_epoch(default_run):
    ns = default_run.namespace
    assert (ns["cfg"].epochs, ns["cfg"].batch_size, ns["cfg"].lr) == (7, 100, 0.005)
    assert (ns["cfg"].hidden_size, ns["cfg"].num_layers) == (64, 1)
    assert list(ns["history"]) == ["RNN", "GRU", "LSTM"]
    for name, accuracies in ns["history"].items():
        assert len(accuracies) == 7, name
        assert default_run.metrics[f"{name.lower()}_accuracy"] == accuracies[-1]
        assert f"{accuracies[-1]:>14.2%}" in default_run.printed
        assert accuracies[-1] > accuracies[0], name  # they learn over the epochs


def test_reported_accuracy_is_on_the_test_split(default_run):
    ns = default_run.namespace
    test_images, test_labels = mnist.tensors(train=False)
    assert len(test_labels) == 1000 and torch.equal(ns["test_labels"], test_labels)
    expected = ((test_images - 0.1307) / 0.3081).reshape(-1, 28, 28)
    assert torch.allclose(ns["test_sequences"], expected, atol=1e-6)
    for name, model in ns["models"].items():
        assert not model.training
        with torch.no_grad():
            accuracy = (model(expected).argmax(dim=1) == test_labels).float().mean().item()
        assert accuracy == pytest.approx(default_run.metrics[f"{name.lower()}_accuracy"], abs=1e-6), name


def test_shapes_are_printed_and_explained(default_run):
    ns, printed = default_run.namespace, default_run.printed
    assert tuple(ns["train_sequences"].shape) == (4000, 28, 28)
    assert "training sequences: (4000, 28, 28) = (digits, time steps, features)" in printed
    assert "input  (3, 28, 28)" in printed
    assert "output (3, 28, 64)" in printed and "h_n    (1, 3, 64)" in printed
    assert "output[:, -1] equals h_n[-1]: True" in printed
    assert "LSTM: output (3, 28, 64), h_n (1, 3, 64), c_n (1, 3, 64)" in printed
    # what the text says: output[:, -1] is the top layer's last hidden state h_n[-1], not an earlier step's
    with torch.no_grad():
        output, h_n = ns["rnn"](ns["train_sequences"][:5])
    assert torch.allclose(output[:, -1], h_n[-1])
    assert not torch.allclose(output[:, -2], h_n[-1])
    assert tuple(ns["c_n"].shape) == tuple(ns["h_n"].shape) == (1, 3, 64)
    # with two layers, h_n[0] is the lower layer's state, another one
    two_layers = nn.RNN(28, 16, num_layers=2, batch_first=True)
    with torch.no_grad():
        output, h_n = two_layers(ns["train_sequences"][:5])
    assert tuple(h_n.shape) == (2, 5, 16) and torch.allclose(output[:, -1], h_n[-1])
    assert not torch.allclose(output[:, -1], h_n[0])


def test_the_three_models_differ_in_the_recurrent_layer(default_run):
    ns = default_run.namespace
    models = ns["models"]
    for name, kind in (("RNN", nn.RNN), ("GRU", nn.GRU), ("LSTM", nn.LSTM)):
        layer = models[name].rnn
        assert type(layer) is kind, name
        assert (layer.input_size, layer.hidden_size, layer.num_layers, layer.batch_first) == (28, 64, 1, True)
        assert (models[name].fc.in_features, models[name].fc.out_features) == (64, 10)
    recurrent = {name: sum(p.numel() for p in model.rnn.parameters()) for name, model in models.items()}
    assert recurrent["GRU"] == 3 * recurrent["RNN"] and recurrent["LSTM"] == 4 * recurrent["RNN"]  # the text says so
    # 1 layer: 64*(28+64)+2*64, then the linear layer 64*10+10
    assert sum(p.numel() for p in models["RNN"].parameters()) == 6_666
    for count in ("6,666", "18,698", "24,714"):
        assert count in default_run.printed


def test_each_model_classifies_from_the_last_time_step(default_run):
    ns = default_run.namespace
    x = ns["test_sequences"][:6]
    with torch.no_grad():
        for name, model in ns["models"].items():
            output = model.rnn(x)[0]  # zero initial states, as the lesson's h0 (and c0)
            assert torch.allclose(model(x), model.fc(output[:, -1, :]), atol=1e-6), name
            assert not torch.allclose(model(x), model.fc(output[:, 0, :]), atol=1e-3), name


def test_the_loop_by_hand_is_nn_rnn(default_run):
    assert default_run.namespace["by_hand_difference"] < 1e-5
    assert "largest difference between the loop by hand and nn.RNN" in default_run.printed


def test_the_plain_rnns_gradient_vanishes_towards_the_first_row(default_run):
    ratios = {name: gradients[0].item() for name, gradients in default_run.namespace["gradient_by_row"].items()}
    assert all(gradients[-1] == 1 for gradients in default_run.namespace["gradient_by_row"].values())
    assert ratios["RNN"] < 1e-6  # "less than a millionth as much as the last one"
    assert ratios["GRU"] > 10 * ratios["RNN"] and ratios["LSTM"] > 10 * ratios["RNN"]
    assert f"RNN   first row / last row: {ratios['RNN']:.1e}" in default_run.printed


def test_figures_are_written(default_run):
    names = {path.name: path for path in default_run.files}
    for name in ("test_accuracy.png", "gradient_by_row.png"):
        with Image.open(names[name]) as image:
            assert image.format == "PNG" and image.width > 300 and image.height > 200


def test_core_is_short_and_written_in_the_lesson():
    assert course.core_lines(LESSON) <= 100
    source = LESSON.path.read_text(encoding="utf-8")
    core = source.split("# ## Going further")[0]
    for line in (
        "self.rnn = nn.RNN(input_size, hidden_size, num_layers, batch_first=True)",
        "self.rnn = nn.GRU(input_size, hidden_size, num_layers, batch_first=True)",
        "self.rnn = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)",
        "out, _ = self.rnn(x, (h0, c0))",
        "return self.fc(out[:, -1, :])",
        "torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)",
    ):
        assert line in core, line
    assert "pytorch_tutorial.models" not in source and "engine" not in source


@pytest.mark.parametrize("epochs", [1, 2])
def test_few_epochs_and_a_small_network_work(tmp_path, epochs):
    result = run(tmp_path, epochs=epochs, hidden_size=8, num_layers=1)
    history = result.namespace["history"]
    assert all(len(accuracies) == epochs for accuracies in history.values())
    assert all(0 <= accuracy <= 1 for accuracy in result.metrics.values())
