"""Lesson 11: softmax and cross-entropy by hand in NumPy (the one-hot formula, then stably from the logits) equal
PyTorch's, stay finite for huge scores, and the numbers the prose states are the ones the code prints."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import run_lesson_at
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pytorch_tutorial import course

LESSON = course.BY_NUMBER[11]


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 11 run once on the CPU."""
    return run_lesson_at(11, tmp_path_factory.mktemp("out"))


def test_softmax_of_the_example(lesson):
    assert lesson.metrics["softmax"] == pytest.approx([0.659, 0.242, 0.099], abs=5e-4)
    assert sum(lesson.metrics["softmax"]) == pytest.approx(1.0, abs=1e-12)


def test_core_is_short_and_teaches_the_one_hot_formula_first():
    assert course.core_lines(LESSON) <= 80
    source = LESSON.path.read_text(encoding="utf-8")
    core = source.split("# ## Going further")[0]
    assert "return -np.sum(actual * np.log(predicted))" in core  # CE = -sum y_i log y_hat_i, one-hot y
    assert core.index("np.sum(actual * np.log(predicted))") < core.index("nn.CrossEntropyLoss()")
    assert "runtime.settings()" not in source and "atleast_2d" not in source


def test_the_diagram_numbers_are_the_softmax_of_the_logits(lesson):
    ns = lesson.namespace
    assert np.allclose(ns["naive_softmax"](ns["scores"]), ns["probabilities"])
    assert np.round(ns["probabilities"], 2).tolist() == [0.66, 0.24, 0.10]  # the figure in the lesson's diagram
    assert np.allclose(ns["torch_probabilities"].numpy(), ns["probabilities"])


def test_one_hot_cross_entropy_picks_the_true_class(lesson):
    ns = lesson.namespace
    assert ns["one_hot_loss_good"] == pytest.approx(-np.log(0.7))
    assert ns["one_hot_loss_bad"] == pytest.approx(-np.log(0.1))
    # the sum over the one-hot vector is the log-probability of the true class, for any class
    for true_class in range(3):
        one_hot = np.eye(3)[true_class]
        assert ns["cross_entropy"](one_hot, ns["y_pred_bad"]) == pytest.approx(-np.log(ns["y_pred_bad"][true_class]))


def test_naive_softmax_overflows_and_stable_one_does_not(lesson):
    ns = lesson.namespace
    assert np.isnan(ns["naive_huge"]).any()
    assert ns["stable_huge"].tolist() == [1.0, 0.0]


def test_losses_numpy_equal_torch(lesson):
    m, ns = lesson.metrics, lesson.namespace
    assert m["cross_entropy_good"] == pytest.approx(-np.log(0.6590011388859679), abs=1e-6)
    assert m["torch_cross_entropy_good"] == pytest.approx(m["cross_entropy_good"], abs=1e-6)
    assert ns["torch_bad_loss"] == pytest.approx(ns["bad_loss"], abs=1e-6)
    assert ns["bad_loss"] > m["cross_entropy_good"]
    assert ns["softmax_first_loss"] != pytest.approx(m["torch_cross_entropy_good"], abs=0.1)
    # "nn.LogSoftmax and nn.NLLLoss in one step"
    logits, labels = ns["logits_good"], ns["labels"]
    assert torch.nn.NLLLoss()(torch.nn.LogSoftmax(dim=1)(logits), labels).item() == pytest.approx(ns["torch_good_loss"])
    assert np.isfinite(ns["log_softmax"](np.array([1000.0, 0.0]))).all()


def test_batch_example(lesson):
    m, ns = lesson.metrics, lesson.namespace
    expected = -np.mean(
        [
            np.log(ns["softmax"](row)[label])
            for row, label in zip(ns["batch_logits_good"].numpy(), [2, 0, 1], strict=True)
        ]
    )
    assert m["batch_loss_good"] == pytest.approx(expected, abs=1e-6)
    assert ns["numpy_batch_loss"] == pytest.approx(m["batch_loss_good"], abs=1e-6)
    assert m["batch_loss_bad"] > m["batch_loss_good"]
    assert ns["predictions_good"].tolist() == ns["batch_labels"].tolist() == [2, 0, 1]
    assert ns["predictions_bad"].tolist() == [0, 2, 0]  # every one wrong


def test_binary_case_and_the_two_networks(lesson):
    ns = lesson.namespace
    sigma = 1 / (1 + np.exp(-1.5))
    assert ns["bce_loss"] == pytest.approx(-np.log(sigma), abs=1e-6)
    binary, multi_class = ns["binary_output"], ns["multi_class_output"]
    assert binary.shape == (4, 1) and ((binary > 0) & (binary < 1)).all()
    assert multi_class.shape == (4, 3) and not torch.allclose(multi_class.sum(dim=1), torch.ones(4))  # logits
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
    loss = ns["cross_entropy_from_logits"](z, label)
    expected = torch.nn.functional.cross_entropy(torch.from_numpy(z).unsqueeze(0), torch.tensor([label])).item()
    assert np.isfinite(loss) and loss >= 0
    assert loss == pytest.approx(expected, rel=1e-6, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(z=moderate, data=st.data())
def test_cross_entropy_equals_minus_log_of_the_softmax(lesson, z, data):
    ns = lesson.namespace
    label = data.draw(st.integers(0, len(z) - 1))
    assert ns["cross_entropy_from_logits"](z, label) == pytest.approx(
        -np.log(ns["softmax"](z)[label]), rel=1e-9, abs=1e-9
    )
    # and the one-hot formula on the softmax's probabilities
    one_hot = np.eye(len(z))[label]
    assert ns["cross_entropy"](one_hot, ns["softmax"](z)) == pytest.approx(
        ns["cross_entropy_from_logits"](z, label), rel=1e-9, abs=1e-9
    )
