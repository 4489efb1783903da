"""Lesson 4: the chain rule by hand equals autograd, and autograd equals central finite differences."""

from __future__ import annotations

import pytest
import torch
from conftest import run_lesson_at
from hypothesis import given, settings
from hypothesis import strategies as st

from pytorch_tutorial import course


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 4 run once on the CPU."""
    return run_lesson_at(4, tmp_path_factory.mktemp("out"))


def test_one_weight_by_hand_and_autograd(lesson):
    ns = lesson.namespace
    # x = 1, y = 2, w = 1: loss = (1·1 − 2)² = 1, dloss/dw = 2·x·(w·x − y) = −2
    assert lesson.metrics["loss"] == 1.0 and type(lesson.metrics["loss"]) is float
    assert lesson.metrics["grad"] == -2.0 and type(lesson.metrics["grad"]) is float
    assert (ns["loss_by_hand"], ns["dloss_dw_by_hand"]) == (1.0, -2.0)
    assert ns["w_after_step"].item() == pytest.approx(1.2)
    assert ns["loss_after_step"].item() == pytest.approx(0.64)


def test_neuron_gradient_by_hand_autograd_and_finite_difference_agree(lesson):
    ns = lesson.namespace
    torch.testing.assert_close(ns["autograd_grad"], ns["hand_grad"], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(ns["autograd_grad"], ns["finite_difference_grad"], rtol=0, atol=1e-8)
    assert lesson.metrics["fd_max_error"] < 1e-8


def test_finite_difference_check_can_tell_a_wrong_gradient(lesson):
    ns = lesson.namespace
    # forgetting tanh's local gradient (1 − a²) is a classic slip; the estimate must disagree with it
    params = ns["params"].detach()
    a = torch.tanh(params[0] * ns["inputs"][0] + params[1] * ns["inputs"][1] + params[2])
    forgot_tanh = (
        2 * (a - ns["target"]) * torch.stack([ns["inputs"][0], ns["inputs"][1], torch.tensor(1.0, dtype=torch.float64)])
    )
    assert (forgot_tanh - ns["finite_difference_grad"]).abs().max() > 1e-2


def test_central_difference_of_a_known_function(lesson):
    estimate = lesson.namespace["central_difference"](
        lambda p: (p**3).sum(), torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    )
    torch.testing.assert_close(estimate, torch.tensor([3.0, 12.0, 0.75], dtype=torch.float64), rtol=0, atol=1e-8)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(min_value=-2, max_value=2, allow_nan=False), min_size=3, max_size=3))
def test_autograd_matches_finite_difference_anywhere(lesson, values):
    ns = lesson.namespace
    params = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    ns["neuron_loss"](params).backward()
    with torch.no_grad():
        estimate = ns["central_difference"](ns["neuron_loss"], params.detach())
    torch.testing.assert_close(params.grad, estimate, rtol=0, atol=1e-7)


def test_graph_figure_shows_the_hand_calculation(lesson):
    ns = lesson.namespace
    (figure,) = [path for path in lesson.files if path.name == "graph.png"]
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    texts = {text.get_text() for text in ns["ax"].texts}
    # the local gradients on the edges and the values in the nodes are the ones the lesson computed
    assert {"dŷ/dw = x = 1", "ds/dŷ = 1", "dloss/ds = 2s = -2"} <= texts
    assert {"w = 1", "x = 1", "y = 2", "s = ŷ − y\n= -1", "loss = s²\n= 1"} <= texts
    assert ns["ax"].get_title() == "backward: dloss/dw = -2 · 1 · 1 = -2"
