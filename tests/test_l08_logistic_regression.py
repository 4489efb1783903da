"""Lesson 8: logistic regression on breast-cancer data, honest held-out accuracy, and the stable BCE form."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import run_lesson_at
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from pytorch_tutorial import course


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 8 run once on the CPU with its defaults."""
    return run_lesson_at(8, tmp_path_factory.mktemp("out"))


def test_accuracy_on_held_out_data(lesson):
    assert lesson.metrics["test_accuracy"] >= 0.95
    assert 0.9 <= lesson.metrics["sklearn_accuracy"] <= 1.0
    ns = lesson.namespace
    assert len(ns["x_test"]) == 114 and len(ns["x_train"]) == 455
    assert (ns["n_samples"], ns["n_features"]) == (569, 30)  # "569 tumours, 30 features"
    model = ns["model"]
    with torch.no_grad():
        recomputed = ((model(ns["x_test"]) > 0.5).float() == ns["y_test"]).float().mean().item()
    assert lesson.metrics["test_accuracy"] == recomputed


def test_split_is_stratified_and_scaler_fitted_on_training_part_only(lesson):
    ns = lesson.namespace
    data = load_breast_cancer()
    x_train, x_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.2, stratify=data.target, random_state=1234
    )
    assert np.allclose(ns["scaler"].mean_, x_train.mean(axis=0))
    assert not np.allclose(ns["scaler"].mean_, data.data.mean(axis=0))
    assert np.allclose(ns["x_train"].cpu().numpy(), ns["scaler"].transform(x_train), atol=1e-5)
    assert abs(y_train.mean() - y_test.mean()) < 0.01
    assert torch.equal(ns["y_test"].view(-1).cpu(), torch.tensor(y_test, dtype=torch.float32))


def test_sigmoid_bce_saturates_where_logits_form_is_exact(lesson):
    m = lesson.metrics
    assert m["saturated_bce_loss"] == 100.0  # log(0) clamped at -100
    assert lesson.namespace["saturated_grad"] == 0.0  # no signal through the flat sigmoid
    assert m["logits_loss"] == pytest.approx(200.0, rel=1e-6)  # log(1 + e^200), exact
    assert lesson.namespace["logits_grad"] == pytest.approx(1.0)  # sigmoid(200) - 0
    assert lesson.namespace["loss_from_logits"] == pytest.approx(lesson.namespace["loss_from_probabilities"], rel=1e-4)


def test_without_training_accuracy_is_poor(run_lesson):
    result = run_lesson(8, epochs=0)
    assert result.metrics["test_accuracy"] < 0.95


def test_the_reference_is_l_bfgs_with_c_1(lesson):
    # the prose: "an L2 penalty ... C = 1, the default", "Its default solver is L-BFGS", quasi-Newton
    reference = lesson.namespace["reference"]
    assert (
        reference.solver == "lbfgs" and reference.C == 1.0 and reference.l1_ratio in (0.0, None)
    )  # l1_ratio 0: pure L2
    assert 1 <= reference.n_iter_[0] < 1000  # converged well before max_iter


def test_sigmoid_is_exactly_one_from_about_17_in_float32():
    values = torch.sigmoid(torch.tensor([15.0, 16.0, 17.0])).tolist()
    assert values[0] < values[1] < 1.0 == values[2]
