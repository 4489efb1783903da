"""The runtime helpers: settings with typed overrides, seeding, device choice, figures, reports."""

from __future__ import annotations

import pytest
import torch
from conftest import run_module
from hypothesis import given
from hypothesis import strategies as st

from pytorch_tutorial import course, runtime


def ctx(tmp_path, **kwargs):
    return runtime.RunContext(number=99, slug="test_lesson", out_root=tmp_path, **kwargs)


def test_settings_apply_only_declared_overrides(tmp_path):
    with runtime.activate(ctx(tmp_path, overrides={"epochs": "3", "lr": "0.5", "other": "x"})):
        cfg = runtime.settings(epochs=10, lr=0.1, verbose=False)
    assert (cfg.epochs, cfg.lr, cfg.verbose) == (3, 0.5, False)
    assert not hasattr(cfg, "other")


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        ("2", 1, 2),
        ("1e-3", 0.1, 0.001),
        ("true", False, True),
        ("off", True, False),
        ("cifar10", "mnist", "cifar10"),
    ],
)
def test_parse_value_types_from_default(raw, default, expected):
    value = runtime.parse_value(raw, default, "key")
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("raw", "default"), [("2.5", 1), ("many", 0.1), ("maybe", True), ("-1", 10), ("0", 10), ("-0.5", 0.9)]
)
def test_parse_value_rejects_wrong_type(raw, default):
    with pytest.raises(runtime.UsageError, match="key"):
        runtime.parse_value(raw, default, "key")


@given(st.integers(min_value=0, max_value=2**31 - 1))
def test_same_seed_same_random_numbers(seed):
    runtime.seed_everything(seed)
    first = torch.rand(3)
    runtime.seed_everything(seed)
    assert torch.equal(first, torch.rand(3))


def test_device_choice(tmp_path):
    assert runtime.resolve_device("cpu").type == "cpu"
    expected = "cuda" if torch.cuda.is_available() else ("mps" if runtime.available_devices()["mps"] else "cpu")
    assert runtime.resolve_device("auto").type == expected
    with pytest.raises(runtime.UsageError, match="unknown device"):
        runtime.resolve_device("gpu")


def test_output_folder_figure_and_report(tmp_path, capsys):
    context = ctx(tmp_path)
    with runtime.activate(context):
        plt = runtime.pyplot()
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        path = runtime.save_figure(fig, "line")
        runtime.report(loss=0.25, name="x")
    assert path == tmp_path / "99-test-lesson" / "line.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert context.metrics == {"loss": 0.25, "name": "x"} and context.files == [path]
    out = capsys.readouterr().out
    assert f"saved figure: {path}" in out and "[report] loss=0.25, name=x" in out


def test_declared_settings_read_without_running():
    assert course.declared_settings(course.BY_NUMBER[2]) == {}
    assert "n_iters" in course.declared_settings(course.BY_NUMBER[5])


def test_zero_is_allowed_where_it_means_something():
    assert runtime.parse_value("0", 2, "num_workers") == 0
    assert runtime.parse_value("0", 0.9, "momentum") == 0.0
    assert runtime.parse_value("-1", -5, "offset") == -1  # a negative default allows negatives
    assert runtime.parse_value("0", 200, "epochs") == 0  # no training: the untrained baseline
    assert runtime.parse_value("0", 300, "n_iters") == 0
    with pytest.raises(runtime.UsageError, match="'batch_size' must be at least 1"):
        runtime.parse_value("0", 100, "batch_size")


TRAINING_LENGTHS = ("epochs", "pretrain_epochs", "n_iters")
LESSONS_THAT_TRAIN = [
    lesson.number
    for lesson in course.available_lessons()
    if set(course.declared_settings(lesson)) & set(TRAINING_LENGTHS)
]


@pytest.mark.parametrize("number", LESSONS_THAT_TRAIN)
def test_no_training_runs_or_is_one_clear_usage_error(number, tmp_path):
    """``--set epochs=0`` passes the range check, so every lesson must cope: run untrained, or refuse in one line."""
    lesson = course.BY_NUMBER[number]
    zeros = {key: 0 for key in course.declared_settings(lesson) if key in TRAINING_LENGTHS}
    context = runtime.RunContext(
        number=number, slug=lesson.slug, device="cpu", seed=0, out_root=tmp_path, overrides=zeros, quiet=True
    )
    try:
        result = course.run_lesson(lesson, context)
    except runtime.UsageError as error:
        assert "\n" not in str(error) and "epochs" in str(error)
        return
    assert result.status == "ok", result.error
    assert result.metrics


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf"])
def test_non_finite_numbers_are_refused(raw):
    with pytest.raises(runtime.UsageError, match="must be a finite number"):
        runtime.parse_value(raw, 0.1, "lr")


@pytest.mark.parametrize(
    "number, key, value",
    [
        (8, "test_size", 1.5),
        (8, "test_size", 0.0),
        (10, "image_size", 1),
        (10, "image_size", 10_000),
        (17, "dropout", 1.5),
    ],
)
def test_settings_outside_what_a_lesson_can_use_are_one_line(tmp_path, number, key, value):
    lesson = course.BY_NUMBER[number]
    context = runtime.RunContext(
        number=number, slug=lesson.slug, device="cpu", seed=0, out_root=tmp_path, overrides={key: value}, quiet=True
    )
    with pytest.raises(runtime.UsageError, match=f"^--set {key}="):
        course.run_lesson(lesson, context)


def test_a_plain_script_warns_about_a_setting_it_does_not_have(tmp_path):
    env = {"PYTORCH_TUTORIAL_SET": "n_iter=1,n_iters=2", "PYTORCH_TUTORIAL_OUT": str(tmp_path)}
    proc = run_module("pytorch_tutorial.lessons.l05_gradient_descent", env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "warning: PYTORCH_TUTORIAL_SET: this lesson has no setting 'n_iter'" in proc.stderr
    assert "epoch   2:" in proc.stdout and "epoch   3:" not in proc.stdout  # the known key still applies


def test_a_refused_value_is_echoed_as_the_learner_typed_it():
    with pytest.raises(runtime.UsageError, match=r"--set lr=-1: 'lr' cannot be negative"):
        runtime.parse_value("-1", 0.1, "lr")
    with pytest.raises(runtime.UsageError, match=r"'epochs' takes a whole number \(default 5\)"):
        runtime.parse_value("2.5", 5, "epochs")


def test_the_environments_settings_may_hold_a_comma_separated_value(monkeypatch):
    """Notebooks and plain scripts take settings from PYTORCH_TUTORIAL_SET; lesson 19's names are a list."""
    monkeypatch.setenv("PYTORCH_TUTORIAL_SET", "names=Schmidt,Rossi,Nakamura, n_iters=5,lr=0.01")
    assert runtime._default_context().overrides == {"names": "Schmidt,Rossi,Nakamura", "n_iters": "5", "lr": "0.01"}
