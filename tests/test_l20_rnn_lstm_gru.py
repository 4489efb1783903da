"""Lesson 20: MNIST rows as sequences through nn.RNN, nn.GRU and nn.LSTM, trained with the same budget on the
embedded split from an orthogonal start; the shapes it prints, the one-line swap, the loop by hand and the
vanishing gradient."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest
import torch
from conftest import run_lesson_at, run_lesson_printed
from PIL import Image
from torch import nn

from pytorch_tutorial import course
from pytorch_tutorial.data import mnist

LESSON = course.BY_NUMBER[20]


def run(out: Path, **overrides):
    """Run lesson 20 on the CPU as the runner does, quietly."""
    return run_lesson_at(20, out, quiet=True, **overrides)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The lesson with its default settings, once for this module; what it printed is in ``result.printed``."""
    return run_lesson_printed(20, tmp_path_factory.mktemp("l20"))


def test_accuracy_bars_with_defaults(default_run):
    """The issue's targets, with the default seed (0): plain RNN >= 0.85, GRU and LSTM >= 0.92.

    Measured with the defaults (7 epochs, hidden size 80, Adam lr 0.003, orthogonal start), seeds 0-4: plain RNN
    0.842-0.894 (0.894 on seed 0), GRU 0.929-0.945 (0.937), LSTM 0.933-0.940 (0.933). Without the orthogonal
    start the plain RNN gets 0.740-0.847 (0.798 on seed 0).
    """
    metrics = default_run.metrics
    assert set(metrics) == {"rnn_accuracy", "gru_accuracy", "lstm_accuracy"}
    # what the text says: the plain RNN gets fewer right than the gated layers ("85-90%", "about 93%"); the
    # ranges' lower ends are the issue's bars. The same seed gives different figures on different CPUs (their
    # float kernels differ): 0.894 on one 2-core machine, 0.864 on another, so the text and this test give the
    # range, not one machine's figure
    assert metrics["rnn_accuracy"] < min(metrics["gru_accuracy"], metrics["lstm_accuracy"])
    assert 0.85 <= metrics["rnn_accuracy"] <= 0.905
    assert 0.92 <= metrics["gru_accuracy"] <= 0.95
    assert 0.92 <= metrics["lstm_accuracy"] <= 0.95
    assert set(default_run.namespace["seconds"]) == {"RNN", "GRU", "LSTM"}


def test_the_plain_rnn_trains_about_twice_as_fast(default_run):
    """The text's "about twice as fast", measured so that another process on the machine cannot decide it: the
    process's CPU time for the same training steps, the three networks taking turns, the best of three rounds
    each. (The lesson's own wall-clock seconds, measured one network after the other, are what a learner sees.)"""
    ns = default_run.namespace
    sequences, labels = ns["train_sequences"][:100], ns["train_labels"][:100]
    best = {}
    for _ in range(3):
        for name, trained in ns["models"].items():
            model = copy.deepcopy(trained).train()
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            start = time.process_time()
            for _ in range(20):
                nn.functional.cross_entropy(model(sequences), labels).backward()
                nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
                optimizer.step()
                optimizer.zero_grad()
            best[name] = min(best.get(name, float("inf")), time.process_time() - start)
    assert 1.3 * best["RNN"] < min(best["GRU"], best["LSTM"]), best  # 1.6-2.6 times measured


def test_the_same_budget_and_one_accuracy_per_epoch(default_run):
    ns = default_run.namespace
    assert (ns["cfg"].epochs, ns["cfg"].batch_size, ns["cfg"].lr) == (7, 100, 0.003)
    assert (ns["cfg"].hidden_size, ns["cfg"].num_layers) == (80, 1)
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
    assert "output (3, 28, 80)" in printed and "h_n    (1, 3, 80)" in printed
    assert "output[:, -1] equals h_n[-1]: True" in printed
    assert "LSTM: output (3, 28, 80), h_n (1, 3, 80), c_n (1, 3, 80)" in printed
    # what the text says: output[:, -1] is the top layer's last hidden state h_n[-1], not an earlier step's
    with torch.no_grad():
        output, h_n = ns["rnn"](ns["train_sequences"][:5])
    assert torch.allclose(output[:, -1], h_n[-1])
    assert not torch.allclose(output[:, -2], h_n[-1])
    assert tuple(ns["c_n"].shape) == tuple(ns["h_n"].shape) == (1, 3, 80)
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
        assert (layer.input_size, layer.hidden_size, layer.num_layers, layer.batch_first) == (28, 80, 1, True)
        assert (models[name].fc.in_features, models[name].fc.out_features) == (80, 10)
    recurrent = {name: sum(p.numel() for p in model.rnn.parameters()) for name, model in models.items()}
    assert recurrent["GRU"] == 3 * recurrent["RNN"] and recurrent["LSTM"] == 4 * recurrent["RNN"]  # the text says so
    # 1 layer: 80*(28+80)+2*80, then the linear layer 80*10+10
    assert sum(p.numel() for p in models["RNN"].parameters()) == 9_610
    for count in ("9,610", "27,210", "36,010"):
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


def test_the_orthogonal_start_keeps_the_hidden_states_length():
    """What the text says of nn.init.orthogonal_: the recurrent matrix turns h without growing or shrinking it."""
    torch.manual_seed(0)
    rnn = nn.RNN(28, 80, batch_first=True)
    h = torch.randn(5, 80)
    default_lengths = (h @ rnn.weight_hh_l0.detach().T).norm(dim=1)
    nn.init.orthogonal_(rnn.weight_hh_l0)
    weight_hh = rnn.weight_hh_l0.detach()
    assert torch.allclose(weight_hh @ weight_hh.T, torch.eye(80), atol=1e-5)
    assert torch.allclose((h @ weight_hh.T).norm(dim=1), h.norm(dim=1), rtol=1e-5)
    assert (default_lengths < 0.7 * h.norm(dim=1)).all()  # PyTorch's default start shrinks it


def test_a_small_network_for_two_epochs_starts_every_recurrent_matrix_orthogonal(tmp_path, monkeypatch):
    """Few epochs and a small network of two layers work (the site's quick build runs one epoch of the defaults),
    and the orthogonal start reaches every recurrent matrix."""
    started = []
    orthogonal = nn.init.orthogonal_
    monkeypatch.setattr(
        nn.init,
        "orthogonal_",
        lambda tensor, *a, **k: started.append(tuple(tensor.shape)) or orthogonal(tensor, *a, **k),
    )
    result = run(tmp_path, epochs=2, hidden_size=8, num_layers=2)
    # the three trained networks, then the three untrained ones of the gradient figure; two layers each
    assert started == 2 * [(8, 8), (8, 8), (24, 8), (24, 8), (32, 8), (32, 8)]
    history = result.namespace["history"]
    assert set(history) == set(result.namespace["models"]) == {"RNN", "GRU", "LSTM"}
    assert all(len(accuracies) == 2 for accuracies in history.values())
    assert all(0 <= accuracy <= 1 for accuracy in result.metrics.values())


def test_the_plain_rnns_gradient_vanishes_towards_the_first_row(default_run):
    gradient_by_row = default_run.namespace["gradient_by_row"]
    assert set(gradient_by_row) == {
        (name, start) for name in ("RNN", "GRU", "LSTM") for start in ("default", "orthogonal")
    }
    assert all(gradients[-1] == 1 for gradients in gradient_by_row.values())
    ratios = {key: gradients[0].item() for key, gradients in gradient_by_row.items()}
    assert ratios["RNN", "default"] < 1e-6  # "less than a millionth as much as the last one"
    assert 1e-3 < ratios["RNN", "orthogonal"] < 1e-1  # "about a hundredth"
    for name in ("GRU", "LSTM"):  # "near a millionth either way"
        for start in ("default", "orthogonal"):
            assert 1e-7 < ratios[name, start] < 1e-4, (name, start)
        assert ratios[name, "default"] > 10 * ratios["RNN", "default"]
    line = f"RNN   orthogonal start  first row / last row: {ratios['RNN', 'orthogonal']:.1e}"
    assert line in default_run.printed


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
        'nn.init.orthogonal_(getattr(models[name].rnn, f"weight_hh_l{layer}"))',
    ):
        assert line in core, line
    assert "pytorch_tutorial.models" not in source and "engine" not in source
