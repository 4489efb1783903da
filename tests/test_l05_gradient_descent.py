"""Lesson 5: the hand-derived gradient is autograd's, and both fits of f(x) = 2x predict f(5) close to 10."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import run_lesson_at
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pytorch_tutorial import course


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 5 run once on the CPU with its defaults."""
    return run_lesson_at(5, tmp_path_factory.mktemp("out"))


def autograd_gradient(ns: dict, x: np.ndarray, y: np.ndarray, w: float) -> float:
    """dJ/dw by autograd, through the lesson's own forward and mse, in float64."""
    w_tensor = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    ns["mse"](ns["forward"](torch.from_numpy(x), w_tensor), torch.from_numpy(y)).backward()
    return w_tensor.grad.item()


def test_predictions_before_and_after(lesson):
    assert lesson.metrics["f5_before"] == 0.0
    assert abs(lesson.metrics["numpy_f5"] - 10) < 0.05
    assert abs(lesson.metrics["autograd_f5"] - 10) < 0.05


def test_loss_falls_and_both_runs_take_the_same_steps(lesson):
    ns = lesson.namespace
    numpy_losses, autograd_losses = np.array(ns["numpy_losses"]), np.array(ns["autograd_losses"])
    assert len(numpy_losses) == len(autograd_losses) == 50
    assert numpy_losses[0] == pytest.approx(30.0)  # mean((0·x − 2x)²) = 4·mean(x²) = 4·7.5
    assert np.all(np.diff(numpy_losses) < 0) and numpy_losses[-1] < 1e-4
    np.testing.assert_allclose(autograd_losses, numpy_losses, rtol=1e-4, atol=1e-9)


def test_fewer_iterations_predict_worse(run_lesson, lesson):
    short = run_lesson(5, n_iters=5)
    # w after 5 steps of w ← w − 0.01·15·(w − 2): 2·(1 − 0.85⁵), so f(5) ≈ 5.56
    assert short.metrics["numpy_f5"] == pytest.approx(10 * (1 - 0.85**5), rel=1e-4)
    assert abs(short.metrics["autograd_f5"] - 10) > 1 > 20 * abs(lesson.metrics["autograd_f5"] - 10)


def test_hand_gradient_at_the_lesson_data(lesson):
    ns = lesson.namespace
    x, y = ns["X"].astype(np.float64), ns["Y"].astype(np.float64)
    for w in (-3.0, 0.0, 1.0, 2.0, 2.5):
        # dJ/dw = mean(2x(wx − y)) = 2·(w − 2)·mean(x²) = 15·(w − 2) on X = [1, 2, 3, 4]
        assert ns["gradient"](x, y, ns["forward"](x, w)) == pytest.approx(15 * (w - 2))
        assert autograd_gradient(ns, x, y, w) == pytest.approx(15 * (w - 2))


sample_values = st.floats(min_value=-10, max_value=10, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    w=sample_values,
    x=arrays(np.float64, st.integers(1, 8), elements=sample_values),
    seed=st.integers(0, 2**16),
)
def test_hand_gradient_equals_autograd_for_any_w_and_data(lesson, w, x, seed):
    ns = lesson.namespace
    y = np.random.default_rng(seed).normal(size=x.shape)
    by_hand = ns["gradient"](x, y, ns["forward"](x, w))
    assert by_hand == pytest.approx(autograd_gradient(ns, x, y, w), rel=1e-9, abs=1e-9)
    # the video's variant is N times the gradient of the loss
    assert ns["summed_gradient"](x, y, ns["forward"](x, w)) == pytest.approx(len(x) * by_hand, rel=1e-9, abs=1e-9)


def test_the_videos_gradient_diverges_where_the_right_one_converges(lesson):
    ns = lesson.namespace
    x, y = ns["X"], ns["Y"]
    assert ns["gradient"](x, y, ns["forward"](x, 0.0)) == -30.0
    assert ns["summed_gradient"](x, y, ns["forward"](x, 0.0)) == -120.0  # N = 4 times as large
    assert ns["w_right"] == pytest.approx(2.0, abs=0.01)
    assert abs(ns["w_summed"]) > 1e6


def test_figures_are_pngs_and_show_the_line_before_and_after(lesson):
    names = sorted(path.name for path in lesson.files)
    assert names == ["line_before_after.png", "loss_per_epoch.png"]
    for path in lesson.files:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000
    assert lesson.metrics["numpy_f5"] == pytest.approx(5 * lesson.namespace["numpy_w"])  # the line drawn after


def test_the_two_training_logs_are_labelled(tmp_path):
    """The trial found two identical, unlabelled logs; each now says which training it is."""
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        run_lesson_at(5, tmp_path)
    text = printed.getvalue()
    numpy_part = text.index("Training in NumPy, gradient by hand:")
    autograd_part = text.index("Training in PyTorch, gradient by autograd:")
    assert numpy_part < autograd_part and "epoch " in text[numpy_part:autograd_part]
