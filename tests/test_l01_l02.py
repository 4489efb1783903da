"""Lessons 1 and 2: the environment check and tensor basics, on the values the lessons compute."""

from __future__ import annotations

import numpy as np
import torch


def test_lesson1_reports_versions_and_computes_on_device(run_lesson):
    result = run_lesson(1)
    assert result.metrics == {"torch_version": torch.__version__, "device": "cpu"}
    product = result.namespace["product"]
    assert product.tolist() == [[5.0, 11.0], [11.0, 25.0]]
    assert result.namespace["report"]["torch"] == torch.__version__


def test_lesson2_numpy_round_trip_really_shares_memory(run_lesson):
    result = run_lesson(2)
    ns = result.namespace
    assert result.metrics["shares_memory"] is True
    # the objects the lesson left still share memory: change one, see the other
    ns["a"][0] = 42.0
    assert ns["b"][0] == 42.0
    ns["c"][1] = -7.0
    assert ns["d"][1].item() == -7.0
    assert np.shares_memory(ns["a"].numpy(), ns["b"])
    # torch.tensor copies: the lesson changed c after copying, the copy kept the old values
    assert not np.shares_memory(ns["copy"].numpy(), ns["c"])


def test_lesson2_values(run_lesson):
    ns = run_lesson(2).namespace
    assert ns["steps"].tolist() == [0, 2, 4, 6, 8]
    assert ns["grid"].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert ns["in_place_sum"].tolist() == [11.0, 22.0, 33.0]
    assert ns["two_by_eight"].shape == (2, 8) and ns["flat"].shape == (16,)
    assert ns["ones"].dtype == torch.int32
    assert ns["back_on_cpu"].tolist() == [2.0, 2.0, 2.0]
    assert ns["numpy_refused_off_cpu"] is True and ns["not_on_cpu"].device.type != "cpu"
    assert ns["w"].requires_grad
