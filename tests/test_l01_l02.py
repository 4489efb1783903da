"""Lessons 1 and 2: the environment check and tensor basics, on the values the lessons compute."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import run_lesson_at

from pytorch_tutorial import course, runtime


@pytest.fixture(scope="module")
def lesson1(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 1 run once on the CPU."""
    return run_lesson_at(1, tmp_path_factory.mktemp("out"))


@pytest.fixture(scope="module")
def lesson2(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 2 run once on the CPU."""
    return run_lesson_at(2, tmp_path_factory.mktemp("out"))


def test_lesson1_reports_versions_and_computes_on_device(lesson1):
    assert lesson1.metrics == {"torch_version": torch.__version__, "device": "cpu"}
    ns = lesson1.namespace
    assert ns["x"].shape == (5, 3) and bool(((ns["x"] >= 0) & (ns["x"] < 1)).all())
    assert ns["product"].tolist() == [[5.0, 11.0], [11.0, 25.0]]
    assert ns["report"]["torch"] == torch.__version__


def test_lesson1_device_idiom_is_what_runtime_device_picks_by_default(lesson1):
    ns = lesson1.namespace
    auto = runtime.resolve_device("auto")
    assert ns["my_device"] == auto and ns["accelerator"] == auto.type
    assert ns["device"] == torch.device("cpu")  # the test asked for --device cpu, whatever the machine has


def test_lesson1_declares_no_settings():
    assert course.declared_settings(course.BY_NUMBER[1]) == {}
    assert "runtime.settings(" not in course.BY_NUMBER[1].path.read_text(encoding="utf-8")


def test_lesson2_numpy_round_trip_really_shares_memory(lesson2):
    ns = lesson2.namespace
    assert ns["b"].tolist() == [2.0] * 5  # a.add_(1) changed the array b too
    assert ns["d"].tolist() == [3.0] * 5  # d follows c through both c += 1
    # the objects the lesson left still share memory: change one, see the other
    ns["a"][0] = 42.0
    assert ns["b"][0] == 42.0
    ns["c"][1] = -7.0
    assert ns["d"][1].item() == -7.0
    assert np.shares_memory(ns["a"].numpy(), ns["b"])
    # torch.tensor copies: the lesson changed c after copying, the copy kept the old values
    assert not np.shares_memory(ns["copy"].numpy(), ns["c"])
    assert ns["copy"].tolist() == [2.0] * 5


def test_lesson2_values(lesson2):
    ns = lesson2.namespace
    assert ns["steps"].tolist() == [0, 2, 4, 6, 8]
    assert ns["grid"].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert ns["y"].tolist() == [11.0, 22.0, 33.0]  # y.add_(x) changed y itself
    assert ns["two_by_eight"].shape == (2, 8) and ns["flat"].shape == (16,)
    assert lesson2.metrics["view_shape"] == [2, 8]
    assert ns["ones"].dtype == torch.int32
    assert ns["back_on_cpu"].tolist() == [2.0, 2.0, 2.0]
    assert ns["w"].requires_grad


def test_lesson2_broadcasting_follows_the_shape_rules(lesson2):
    ns = lesson2.namespace
    assert (ns["matrix"] + ns["row"]).tolist() == [[1.0, 2.0, 3.0]] * 2
    assert ns["pairwise"].tolist() == [[1, 2, 3], [11, 12, 13]]
    assert lesson2.metrics["broadcast_shape"] == [2, 3]
    assert torch.equal(ns["pairwise"], ns["tens"].unsqueeze(1) + ns["units"].unsqueeze(0))
    with pytest.raises(RuntimeError, match="must match"):
        ns["matrix"] + torch.ones(2)


def test_lesson2_permute_reorders_dimensions_and_view_refuses_it(lesson2):
    ns = lesson2.namespace
    image, channels_first = ns["image"], ns["channels_first"]
    assert image.shape == (2, 3, 4) and channels_first.shape == (4, 2, 3)
    for h in range(2):
        for w in range(3):
            for c in range(4):
                assert channels_first[c, h, w] == image[h, w, c]
    assert image[1, 2, 0].item() == channels_first[0, 1, 2].item() == 20
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        channels_first.view(-1)
    assert channels_first.reshape(-1)[:6].tolist() == [0, 4, 8, 12, 16, 20]  # the red channel first


def test_lesson2_numpy_needs_a_cpu_tensor(lesson2):
    on_meta = lesson2.namespace["on_meta"]
    assert on_meta.device.type == "meta"
    with pytest.raises(TypeError):
        on_meta.numpy()
