"""Lesson 12: each activation's formula, torch function and nn module agree; the numbers the prose states are
printed; without an activation the network is linear and cannot separate the circles, with one it can."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import run_lesson_at
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image
from torch import nn

from pytorch_tutorial import course

LESSON = course.BY_NUMBER[12]


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 12 run once on the CPU with its defaults; what it printed is kept in ``result.printed``."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = run_lesson_at(12, tmp_path_factory.mktemp("out"))
    result.printed = printed.getvalue()
    return result


values = arrays(np.float64, st.integers(1, 20), elements=st.floats(-30, 30))


@settings(max_examples=100, deadline=None)
@given(x=values)
def test_lesson_formulas_are_the_textbook_ones(lesson, x):
    ns = lesson.namespace
    assert np.array_equal(ns["step"](x), (x >= 0).astype(float))
    assert np.allclose(ns["sigmoid"](x), 1 / (1 + np.exp(-x)))
    assert np.allclose(ns["tanh"](x), np.tanh(x))
    assert np.allclose(ns["tanh"](x), 2 * ns["sigmoid"](2 * x) - 1)  # "a stretched and shifted sigmoid"
    assert np.array_equal(ns["relu"](x), np.where(x > 0, x, 0.0))
    assert np.allclose(ns["leaky_relu"](x), np.where(x >= 0, x, 0.01 * x))
    p = ns["softmax"](x)
    assert p.sum() == pytest.approx(1.0) and np.allclose(p, np.exp(x) / np.exp(x).sum())


@settings(max_examples=100, deadline=None)
@given(x=values)
def test_torch_functions_and_modules_equal_the_formulas(lesson, x):
    ns = lesson.namespace
    t = torch.from_numpy(x)
    pairs = [
        ("sigmoid", torch.sigmoid(t), nn.Sigmoid()(t)),
        ("tanh", torch.tanh(t), nn.Tanh()(t)),
        ("relu", torch.relu(t), nn.ReLU()(t)),
        ("leaky_relu", F.leaky_relu(t, 0.01), nn.LeakyReLU(0.01)(t)),
        ("softmax", torch.softmax(t, dim=0), nn.Softmax(dim=0)(t)),
    ]
    for name, from_function, from_module in pairs:
        expected = ns[name](x)
        assert np.allclose(from_function.numpy(), expected, atol=1e-12), name
        assert np.allclose(from_module.numpy(), expected, atol=1e-12), name
    assert np.array_equal(torch.heaviside(t, torch.tensor(1.0, dtype=t.dtype)).numpy(), ns["step"](x))


def test_core_is_short_plain_and_uses_only_what_was_taught():
    assert course.core_lines(LESSON) <= 95
    source = LESSON.path.read_text(encoding="utf-8")
    core = source.split("# ## Going further")[0]
    assert "torch.heaviside(x, torch.tensor(1.0))" in core
    assert "heaviside(x, 1.0)" not in source  # a float there is a TypeError
    with pytest.raises(TypeError):
        torch.heaviside(torch.tensor([0.0]), 1.0)
    for later in ("autograd.grad", "load_state_dict", "lambda", "by far the largest"):
        assert later not in source, later


def test_each_activation_is_printed_three_ways_on_the_original_input(lesson):
    printed = lesson.printed
    assert lesson.namespace["x"].tolist() == [-1.0, 1.0, 2.0, 3.0]
    for name in ("step", "sigmoid", "tanh", "ReLU", "leaky ReLU", "softmax"):
        assert any(line.startswith(name) and "tensor(" in line for line in printed.splitlines()), name
    assert "tensor([0., 1., 1., 1.])" in printed  # the step function through torch.heaviside


def test_the_softmax_shares_the_text_describes(lesson):
    shares = lesson.namespace["shares"]
    assert shares.sum() == pytest.approx(1.0)
    assert shares[-1] == pytest.approx(0.0488, abs=1e-4) and shares[-2] == pytest.approx(0.0464, abs=1e-4)
    assert shares[-1] / shares[-2] == pytest.approx(np.exp(0.05))  # neighbours 0.05 apart
    assert shares[-20:].sum() == pytest.approx(0.632, abs=1e-3)
    assert "the largest share 4.9%, the next 4.6%, the 20 largest 63%" in lesson.printed


def test_gradients(lesson):
    ns = lesson.namespace
    assert ns["x_relu"].grad.tolist() == [0.0, 1.0, 1.0]
    sigma = 1 / (1 + np.exp(-np.array([-4.0, 0.5, 4.0])))
    assert np.allclose(ns["x_sigmoid"].grad.numpy(), sigma * (1 - sigma), atol=1e-6)
    assert ns["x_sigmoid"].grad.max() <= 0.25  # "at most 0.25"
    assert torch.allclose(ns["sigma"] * (1 - ns["sigma"]), ns["x_sigmoid"].grad)


def test_pngs_of_the_activations_and_the_decision_boundaries(lesson):
    assert sorted(path.name for path in lesson.files) == ["activations.png", "decision_boundaries.png"]
    for path in lesson.files:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width > 600


def test_non_linear_networks_separate_the_circles_a_linear_one_cannot(lesson):
    accuracy = lesson.metrics["test_accuracy"]
    assert set(accuracy) == {"none (linear)", "ReLU", "sigmoid", "tanh", "leaky ReLU"}
    assert len(lesson.namespace["y_test"]) == 100  # held-out points: a quarter of 400
    assert accuracy["none (linear)"] < 0.7
    for name in ("tanh", "ReLU", "leaky ReLU"):
        assert accuracy[name] >= 0.95, (name, accuracy)


def test_without_an_activation_the_network_is_linear_and_its_boundary_a_line(lesson):
    ns = lesson.namespace
    linear_model, relu_model = ns["linear_model"], ns["relu_model"]
    a, b = torch.randn(50, 2), torch.randn(50, 2)
    with torch.no_grad():
        # an affine function: the value at the midpoint is the mean of the values at the ends
        assert torch.allclose(linear_model((a + b) / 2), (linear_model(a) + linear_model(b)) / 2, atol=1e-5)
        assert not torch.allclose(relu_model((a + b) / 2), (relu_model(a) + relu_model(b)) / 2, atol=1e-3)
        # the ReLU network answers "inner circle" at the centre and "outer" well outside
        centre_and_outside = torch.tensor([[0.0, 0.0], [1.3, 0.0], [0.0, -1.3]])
        assert (relu_model(centre_and_outside) > 0).flatten().tolist() == [True, False, False]
    assert ns["inner"].shape == (200, 200)  # the last panel's grid, the ReLU network's answers


def test_module_and_function_forms_give_the_same_network(lesson):
    ns = lesson.namespace
    assert ns["same_outputs"] is True
    relu_model = ns["relu_model"]
    x = torch.randn(7, 2)
    with torch.no_grad():
        manual = relu_model.linear3(torch.relu(relu_model.linear2(torch.relu(relu_model.linear1(x)))))
        assert torch.allclose(relu_model(x), manual)
        assert torch.equal(ns["module_form"](x), ns["function_form"](x))


def test_one_epoch(run_lesson):
    result = run_lesson(12, epochs=1)
    assert set(result.metrics["test_accuracy"]) == {"none (linear)", "ReLU", "sigmoid", "tanh", "leaky ReLU"}
