"""Lesson 12: each activation's formula, torch function and nn module agree; non-linearity is what separates."""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 12 run once on the CPU with its defaults."""
    return run_lesson_at(12, tmp_path_factory.mktemp("out"))


values = arrays(np.float64, st.integers(1, 20), elements=st.floats(-30, 30))


@settings(max_examples=100, deadline=None)
@given(x=values)
def test_lesson_formulas_are_the_textbook_ones(lesson, x):
    ns = lesson.namespace
    assert np.array_equal(ns["step"](x), (x >= 0).astype(float))
    assert np.allclose(ns["sigmoid"](x), 1 / (1 + np.exp(-x)))
    assert np.allclose(ns["tanh"](x), np.tanh(x))
    assert np.allclose(ns["tanh"](x), 2 * ns["sigmoid"](2 * x) - 1)
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


def test_lesson_checks_every_activation(lesson):
    differences = lesson.namespace["max_differences"]
    assert set(differences) == {"step", "sigmoid", "tanh", "ReLU", "leaky ReLU", "softmax"}
    assert lesson.metrics["max_difference"] < 1e-12


def test_gradients(lesson):
    assert lesson.metrics["relu_gradient"] == [0.0, 1.0, 1.0]
    sigma = 1 / (1 + np.exp(-4.0))
    assert lesson.metrics["sigmoid_gradient_at_4"] == pytest.approx(sigma * (1 - sigma), rel=1e-5)


def test_one_png_with_all_activations(lesson):
    (path,) = lesson.files
    assert path.name == "activations.png"
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > 600


def test_non_linear_networks_separate_the_circles_a_linear_one_cannot(lesson):
    accuracy = lesson.metrics["test_accuracy"]
    assert len(lesson.namespace["y_test"]) == 100  # held-out points
    assert accuracy["none (linear)"] < 0.7
    for name in ("tanh", "ReLU", "leaky ReLU"):
        assert accuracy[name] >= 0.95, (name, accuracy)


def test_module_and_function_forms_give_the_same_network(lesson):
    assert lesson.namespace["same_outputs"] is True
    relu_model = lesson.namespace["relu_model"]
    x = torch.randn(7, 2)
    with torch.no_grad():
        manual = relu_model.linear3(torch.relu(relu_model.linear2(torch.relu(relu_model.linear1(x)))))
        assert torch.allclose(relu_model(x), manual)
