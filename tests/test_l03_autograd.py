"""Lesson 3: autograd's gradients equal the hand-derived ones, backward(v) is the vector-Jacobian product."""

from __future__ import annotations

import pytest
import torch
from conftest import run_lesson_at
from hypothesis import given, settings
from hypothesis import strategies as st

from pytorch_tutorial import course


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 3 run once on the CPU with its defaults."""
    return run_lesson_at(3, tmp_path_factory.mktemp("out"))


def test_scalar_backward_equals_hand_derivative(lesson):
    # out = mean(2 (x + 2)²) at x = [1, 2, 3]: out = (18 + 32 + 50) / 3, d out/dx = 4 (x + 2) / 3
    assert lesson.metrics["out"] == pytest.approx(100 / 3)
    assert lesson.metrics["scalar_grad"] == pytest.approx([4.0, 16 / 3, 20 / 3])
    assert lesson.namespace["y"].grad_fn.name() == "AddBackward0"
    assert lesson.namespace["x"].grad_fn is None  # a leaf


def test_vector_backward_is_v_times_jacobian(lesson):
    ns = lesson.namespace
    x, v = ns["x"].detach(), ns["v"]
    jacobian = torch.autograd.functional.jacobian(ns["f"], x)
    x0, x1, x2 = x.tolist()
    by_hand = torch.tensor([[x1, x0, 0.0], [0.0, 1.0, 2 * x2], [x2, 0.0, x0]])
    torch.testing.assert_close(jacobian, by_hand)
    torch.testing.assert_close(torch.tensor(lesson.metrics["vjp"]), v @ jacobian)
    assert lesson.metrics["vjp"] == pytest.approx([0.2003, 1.1, 6.0001])


finite = st.floats(min_value=-5, max_value=5, allow_nan=False, width=32)


@settings(max_examples=40, deadline=None)
@given(point=st.lists(finite, min_size=3, max_size=3), v=st.lists(finite, min_size=3, max_size=3))
def test_vector_jacobian_product_property(lesson, point, v):
    f = lesson.namespace["f"]
    x = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    vector = torch.tensor(v, dtype=torch.float64)
    f(x).backward(vector)
    jacobian = torch.autograd.functional.jacobian(f, x.detach())
    torch.testing.assert_close(x.grad, vector @ jacobian)


def test_gradients_accumulate_until_zeroed(lesson):
    ns = lesson.namespace
    assert lesson.metrics["accumulated"] == [3.0, 6.0, 9.0]
    assert ns["zeroed"] == [3.0, 3.0, 3.0]
    # one SGD step of 0.01 against a gradient of 3, then zero_grad clears the gradient
    torch.testing.assert_close(ns["weights"].detach(), torch.full((4,), 0.97))
    assert ns["weights"].grad is None


def test_switching_recording_on_and_off(lesson):
    ns = lesson.namespace
    # requires_grad_(True) on a tensor made without it: a * a is recorded
    assert ns["b"].requires_grad and ns["b"].grad_fn.name() == "MulBackward0"
    assert ns["a"].is_leaf
    # the in-place update outside no_grad was refused and changed nothing; the one under no_grad took
    torch.testing.assert_close(ns["a"], torch.tensor([1.9, 4.9]))
    assert not ns["in_no_grad"].requires_grad
    # detach shares a's memory ("no copy is made")
    assert not ns["detached"].requires_grad and ns["detached"].data_ptr() == ns["a"].data_ptr()
    assert not ns["a"].requires_grad and not ns["after_requires_grad_false"].requires_grad
