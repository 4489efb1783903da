"""Lesson 22: eight learning-rate schedulers against their closed forms, the order warning shown once, and
lesson 13's network trained with a constant rate, a cosine schedule and one cycle for the same budget."""

from __future__ import annotations

import bisect
import math
import warnings
from pathlib import Path

import pytest
from conftest import run_lesson_at, run_lesson_printed
from PIL import Image

from pytorch_tutorial import course

LESSON = course.BY_NUMBER[22]


def run(out: Path, **overrides):
    """Run lesson 22 on the CPU as the runner does, quietly."""
    return run_lesson_at(22, out, quiet=True, **overrides)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The lesson with its defaults, once for this module: what it printed is in ``result.printed``, the warnings
    that escaped it in ``result.escaped``."""
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        result = run_lesson_printed(22, tmp_path_factory.mktemp("l22"))
    result.escaped = escaped
    return result


def cos_anneal(start: float, end: float, fraction: float) -> float:
    """From ``start`` (fraction 0) to ``end`` (fraction 1) along half a cosine."""
    return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2


def one_cycle(step: int, total_steps: int, max_lr: float, pct_start: float = 0.3) -> float:
    """OneCycleLR's two phases (PyTorch's defaults: div_factor 25, final_div_factor 1e4, cos annealing)."""
    initial, peak_step = max_lr / 25, pct_start * total_steps - 1
    if step <= peak_step:
        return cos_anneal(initial, max_lr, step / peak_step)
    return cos_anneal(max_lr, initial / 1e4, (step - peak_step) / (total_steps - 1 - peak_step))


EPOCHS = range(20)
CLOSED_FORMS = {
    "LambdaLR": [0.1 * min(1.0, (t + 1) / 5) for t in EPOCHS],
    "MultiplicativeLR": [0.1 * 0.95**t for t in EPOCHS],
    "StepLR": [0.1 * 0.5 ** (t // 5) for t in EPOCHS],
    "MultiStepLR": [0.1 * 0.2 ** bisect.bisect_right([8, 14], t) for t in EPOCHS],
    "ExponentialLR": [0.1 * 0.8**t for t in EPOCHS],
    "CosineAnnealingLR": [0.005 + (0.1 - 0.005) * (1 + math.cos(math.pi * t / 20)) / 2 for t in EPOCHS],
    "OneCycleLR": [one_cycle(step, 200, 0.1) for step in range(200)],
}


@pytest.mark.parametrize("name", list(CLOSED_FORMS))
def test_each_schedule_follows_its_closed_form(default_run, name):
    got = default_run.namespace["rates"][name]
    assert got == pytest.approx(CLOSED_FORMS[name], rel=1e-9, abs=1e-12)


def test_one_cycle_rises_to_max_lr_then_falls_to_almost_zero(default_run):
    rates = default_run.namespace["rates"]["OneCycleLR"]
    assert len(rates) == 200  # 20 epochs of 10 batches: one value per batch
    assert rates[0] == pytest.approx(0.1 / 25) and rates[59] == pytest.approx(0.1)
    assert max(rates) == rates[59] and rates[-1] == pytest.approx(0.1 / 25 / 1e4)


def test_reduce_on_plateau_halves_after_more_than_patience_flat_epochs(default_run):
    ns = default_run.namespace
    assert ns["validation_losses"] == pytest.approx([1, 0.85, 0.7, 0.55, 0.4] + [0.3] * 15)
    # best 0.3 at epoch 5; epochs 6, 7, 8 do not improve: 3 > patience 2, so epoch 9 trains at half; and so on
    expected = [0.1] * 9 + [0.05] * 3 + [0.025] * 3 + [0.0125] * 3 + [0.00625] * 2
    assert ns["rates"]["ReduceLROnPlateau"] == pytest.approx(expected)
    # the same rule, written out independently: count epochs without improvement, halve when above patience
    rate, best, bad, by_rule = 0.1, math.inf, 0, []
    for loss in ns["validation_losses"]:
        by_rule.append(rate)
        best, bad = (loss, 0) if loss < best * (1 - 1e-4) else (best, bad + 1)
        if bad > 2:
            rate, bad = rate * 0.5, 0
    assert by_rule == pytest.approx(expected)
    assert "epoch  9: validation loss 0.30, learning rate 0.0500" in default_run.printed


def test_the_wrong_order_warning_is_printed_once_and_does_not_escape(default_run):
    ns, printed = default_run.namespace, default_run.printed
    assert len(ns["caught"]) == 1
    assert printed.count("PyTorch warns: Detected call of `lr_scheduler.step()` before `optimizer.step()`") == 1
    assert not [w for w in default_run.escaped if "lr_scheduler" in str(w.message)]
    # the wrong order skips the schedule's first value: every epoch gets the next epoch's rate
    assert ns["wrong_order"][:19] == ns["rates"]["StepLR"][1:]
    assert ns["wrong_order"][:5] == [0.1] * 4 + [0.05]


def test_the_schedules_beat_the_constant_rate_on_the_test_digits(default_run):
    accuracy = default_run.metrics["test_accuracy"]
    assert list(accuracy) == ["constant", "cosine", "one-cycle"]
    # measured with the defaults, seeds 0-4: constant 0.88-0.92, cosine 0.947-0.961, one-cycle 0.948-0.955
    assert accuracy["cosine"] >= 0.94 and accuracy["one-cycle"] >= 0.94
    assert accuracy["constant"] < min(accuracy["cosine"], accuracy["one-cycle"]) - 0.02
    for schedule, value in accuracy.items():
        assert f"{schedule:<10} {value:>14.2%}" in default_run.printed
        assert round(value * 1000) == pytest.approx(value * 1000, abs=1e-3)  # a count out of the 1000 test digits


def test_each_run_used_the_rates_of_its_schedule(default_run):
    ns = default_run.namespace
    cfg, rates = ns["cfg"], ns["batch_rates"]
    assert (cfg.epochs, cfg.batch_size, cfg.lr) == (5, 100, 0.2)
    batches = 5 * 40  # 4,000 training digits in batches of 100
    assert all(len(values) == batches for values in rates.values())
    assert rates["constant"] == [0.2] * batches
    # the cosine schedule is stepped once per epoch: one rate for all 40 batches of an epoch
    assert rates["cosine"] == pytest.approx([0.2 * (1 + math.cos(math.pi * (b // 40) / 5)) / 2 for b in range(200)])
    # one cycle is stepped after every batch
    assert rates["one-cycle"] == pytest.approx([one_cycle(b, batches, 0.2) for b in range(batches)])


def test_figures_are_written(default_run):
    names = {path.name: path for path in default_run.files}
    for name in ("schedules.png", "runs.png"):
        with Image.open(names[name]) as image:
            assert image.format == "PNG" and image.width > 400 and image.height > 250


def test_core_is_short_and_steps_the_scheduler_after_the_optimizer():
    assert course.core_lines(LESSON) <= 100
    source = LESSON.path.read_text(encoding="utf-8")
    core = source.split("# ## Going further")[0]
    loop = core[core.index("def train_and_test") :]
    assert loop.index("optimizer.step()") < loop.index("scheduler.step()  # after every batch")
    assert loop.index("scheduler.step()  # after every batch") < loop.index("scheduler.step()  # after every epoch")
    for name in list(CLOSED_FORMS) + ["ReduceLROnPlateau"]:
        assert f"lr_scheduler.{name}(" in core, name


def test_two_epochs_work(tmp_path):
    """(The site's quick build runs every lesson with one epoch.)"""
    result = run(tmp_path, epochs=2)
    assert all(len(values) == 2 * 40 for values in result.namespace["batch_rates"].values())
    assert set(result.metrics["test_accuracy"]) == {"constant", "cosine", "one-cycle"}
