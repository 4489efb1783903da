"""Lesson 6: each stage of the pipeline (MSELoss, SGD, nn.Linear, own nn.Module) learns f(x) = 2x."""

from __future__ import annotations

import pytest
import torch
from conftest import run_lesson_at
from torch import nn

from pytorch_tutorial import course


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 6 run once on the CPU with its defaults."""
    return run_lesson_at(6, tmp_path_factory.mktemp("out"))


def test_every_stage_converges_to_f5_near_10(lesson):
    stage_f5 = lesson.metrics["stage_f5"]
    assert list(stage_f5) == ["MSELoss", "SGD", "nn.Linear", "nn.Module"]
    for stage, prediction in stage_f5.items():
        assert abs(prediction - 10) < 0.05, stage
    assert abs(lesson.metrics["f5"] - 10) < 0.05
    assert lesson.metrics["f5"] == stage_f5["nn.Module"]


def test_the_final_model_is_our_own_module_and_learned_w_2_b_0(lesson):
    ns = lesson.namespace
    model = ns["model"]
    assert isinstance(model, ns["LinearRegression"]) and isinstance(model, nn.Module)
    assert isinstance(model.linear, nn.Linear) and sum(p.numel() for p in model.parameters()) == 2
    assert model.linear.weight.item() == pytest.approx(2.0, abs=0.01)
    assert model.linear.bias.item() == pytest.approx(0.0, abs=0.03)
    assert ns["X"].shape == (4, 1)
    with torch.no_grad():
        assert model(torch.tensor([[5.0]])).item() == pytest.approx(lesson.metrics["f5"])


def test_fewer_iterations_predict_worse(run_lesson, lesson):
    short = run_lesson(6, n_iters=3)
    for stage, prediction in short.metrics["stage_f5"].items():
        assert abs(prediction - 10) > 0.1 > 10 * abs(lesson.metrics["stage_f5"][stage] - 10), stage


def test_same_seed_same_figures_other_seed_other_start(run_lesson):
    first, second, other = run_lesson(6, seed=7), run_lesson(6, seed=7), run_lesson(6, seed=8)
    assert first.metrics == second.metrics
    assert first.metrics["stage_f5"]["nn.Linear"] != other.metrics["stage_f5"]["nn.Linear"]


def test_both_orders_of_zero_grad_take_the_same_steps(lesson):
    ns = lesson.namespace
    # three SGD steps of w <- w - 0.05 * 15 * (w - 2) from 0: w = 2 * (1 - 0.25**3) = 1.96875, in either order
    assert ns["w_clear_last"].item() == ns["w_clear_first"].item() == pytest.approx(1.96875)


def test_no_steps_still_runs(run_lesson):
    result = run_lesson(6, n_iters=0)
    assert result.metrics["stage_f5"]["MSELoss"] == 0.0 and result.metrics["stage_f5"]["SGD"] == 0.0
