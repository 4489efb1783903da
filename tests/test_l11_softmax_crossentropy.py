"""Lesson 11: softmax and cross-entropy in NumPy equal PyTorch's, stay finite for huge scores, match the claims."""

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
    """Lesson 11 run once on the CPU."""
    return run_lesson_at(11, tmp_path_factory.mktemp("out"))


def test_softmax_of_the_example(lesson):
    assert lesson.metrics["softmax"] == pytest.approx([0.659, 0.242, 0.099], abs=5e-4)
    assert sum(lesson.metrics["softmax"]) == pytest.approx(1.0, abs=1e-12)


def test_naive_softmax_overflows_and_stable_one_does_not(lesson):
    ns = lesson.namespace
    assert np.isnan(ns["naive_huge"]).any()
    assert ns["stable_huge"].tolist() == [1.0, 0.0]


def test_losses_numpy_equal_torch(lesson):
    m, ns = lesson.metrics, lesson.namespace
    assert m["cross_entropy_good"] == pytest.approx(-np.log(0.6590011388859679), abs=1e-6)
    assert m["torch_cross_entropy_good"] == pytest.approx(m["cross_entropy_good"], abs=1e-6)
    assert ns["torch_bad_loss"] == pytest.approx(m["cross_entropy_bad"], abs=1e-6)
    assert m["cross_entropy_bad"] > m["cross_entropy_good"]
    assert ns["softmax_first_loss"] != pytest.approx(m["torch_cross_entropy_good"], abs=0.1)


def test_batch_example(lesson):
    m, ns = lesson.metrics, lesson.namespace
    expected = -np.mean(
        [np.log(ns["softmax"](row)[label]) for row, label in zip(ns["good_batch"].numpy(), [2, 0, 1], strict=True)]
    )
    assert m["batch_loss_good"] == pytest.approx(expected, abs=1e-6)
    assert m["batch_loss_bad"] > m["batch_loss_good"]
    assert ns["good_batch"].argmax(dim=1).tolist() == [2, 0, 1]


def test_binary_case(lesson):
    sigma = 1 / (1 + np.exp(-1.5))
    assert lesson.metrics["bce_loss"] == pytest.approx(-np.log(sigma), abs=1e-6)
    assert lesson.namespace["bce_with_logits_loss"] == pytest.approx(-np.log(sigma), abs=1e-6)
    assert lesson.namespace["two_class_softmax"] == pytest.approx(sigma, abs=1e-12)


scores = arrays(
    np.float64,
    st.integers(2, 8),
    elements=st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False),
)
moderate = arrays(np.float64, st.integers(2, 8), elements=st.floats(-50, 50))


@settings(max_examples=200, deadline=None)
@given(z=scores)
def test_softmax_is_a_distribution_equal_to_torch_for_any_finite_scores(lesson, z):
    p = lesson.namespace["softmax"](z)
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    assert p.sum() == pytest.approx(1.0, abs=1e-9)
    assert np.allclose(p, torch.softmax(torch.from_numpy(z), dim=0).numpy(), atol=1e-6)


@settings(max_examples=200, deadline=None)
@given(z=scores, data=st.data())
def test_cross_entropy_is_minus_log_softmax_and_torchs(lesson, z, data):
    ns = lesson.namespace
    label = data.draw(st.integers(0, len(z) - 1))
    loss = ns["cross_entropy"](z, label)
    expected = torch.nn.functional.cross_entropy(torch.from_numpy(z).unsqueeze(0), torch.tensor([label])).item()
    assert np.isfinite(loss) and loss >= 0
    assert loss == pytest.approx(expected, rel=1e-6, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(z=moderate, data=st.data())
def test_cross_entropy_equals_minus_log_of_the_softmax(lesson, z, data):
    ns = lesson.namespace
    label = data.draw(st.integers(0, len(z) - 1))
    assert ns["cross_entropy"](z, label) == pytest.approx(-np.log(ns["softmax"](z)[label]), rel=1e-9, abs=1e-9)
