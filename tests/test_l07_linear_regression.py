"""Lesson 7: nn.Linear trained with SGD reaches the least-squares optimum on make_regression data."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import run_lesson_at
from PIL import Image
from sklearn.linear_model import LinearRegression

from pytorch_tutorial import course


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 7 run once on the CPU with its defaults."""
    return run_lesson_at(7, tmp_path_factory.mktemp("out"))


def test_trained_mse_within_one_percent_of_least_squares(lesson):
    mse, optimal_mse = lesson.metrics["mse"], lesson.metrics["optimal_mse"]
    assert optimal_mse <= mse * (1 + 1e-6)  # no line beats least squares (float32 rounding aside)
    assert mse <= 1.01 * optimal_mse


def test_optimum_is_the_real_least_squares_fit(lesson):
    ns = lesson.namespace
    x, y = ns["x_numpy"], ns["y_numpy"]
    assert x.shape == (100, 1) and y.shape == (100,)
    reference = LinearRegression().fit(x, y)  # an independent solver, with an intercept
    reference_mse = float(np.mean((reference.predict(x) - y) ** 2))
    assert lesson.metrics["optimal_mse"] == pytest.approx(reference_mse, rel=1e-9)
    assert ns["optimal_w"] == pytest.approx(reference.coef_[0], rel=1e-9)
    assert lesson.metrics["weight"] == pytest.approx(reference.coef_[0], rel=1e-3)
    assert lesson.metrics["bias"] == pytest.approx(reference.intercept_, abs=0.05)


def test_reported_mse_is_the_models_mse_on_the_data(lesson):
    ns = lesson.namespace
    prediction = ns["weight"] * ns["x_numpy"][:, 0] + ns["bias"]
    assert lesson.metrics["mse"] == pytest.approx(float(np.mean((prediction - ns["y_numpy"]) ** 2)), rel=1e-4)


def test_loss_decreases_and_figures_are_pngs(lesson):
    losses = lesson.namespace["losses"]
    assert len(losses) == 100 and losses[-1] < losses[0] / 5
    names = {path.name for path in lesson.files}
    assert names == {"loss_curve.png", "fitted_line.png"}
    for path in lesson.files:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width > 200


def test_too_few_epochs_miss_the_bar(run_lesson):
    result = run_lesson(7, epochs=5)
    assert result.metrics["mse"] > 1.01 * result.metrics["optimal_mse"]


def test_stated_curvature_and_stable_learning_rate(lesson):
    ns = lesson.namespace
    # the prose: curvature 2·mean(x²) ≈ 2, divergence only above 2 / curvature ≈ 1, so lr = 0.1 is safe
    assert ns["curvature"] == pytest.approx(2 * float(np.mean(ns["x_numpy"] ** 2)), rel=1e-6)
    assert ns["curvature"] == pytest.approx(2, abs=0.2) and 2 / ns["curvature"] == pytest.approx(1, abs=0.1)
    assert ns["cfg"].lr == 0.1 < 2 / ns["curvature"]


def test_the_line_before_training_is_the_untrained_model(lesson):
    ns = lesson.namespace
    before = ns["predicted_before"][:, 0]
    assert before.shape == (100,)
    before_mse = float(np.mean((before - ns["y_numpy"]) ** 2))
    assert before_mse > 10 * lesson.metrics["mse"]  # the random start fits badly; training fixed that
