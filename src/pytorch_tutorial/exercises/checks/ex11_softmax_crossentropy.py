"""Checks for lesson 11 — Softmax and cross-entropy."""

from __future__ import annotations

import contextlib

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from pytorch_tutorial.exercises.checking import (
    check,
    expect,
    expect_array,
    expect_tensor,
    fail,
    for_all,
    random_tensor,
)

SCALES = st.sampled_from([1.0, 30.0, 1000.0])


@contextlib.contextmanager
def _without(*names: str):
    """Make torch's own versions of these functions fail while the learner's code runs."""

    def forbidden(*args, **kwargs):
        fail(f"your code calls one of torch's {', '.join(names)}: write the formula yourself")

    patched = []
    for owner in (torch, F, torch.Tensor):
        for name in names:
            if hasattr(owner, name):
                patched.append((owner, name, getattr(owner, name)))
                setattr(owner, name, forbidden)
    try:
        yield
    finally:
        for owner, name, original in patched:
            setattr(owner, name, original)


@check("11.1")
def _(log_softmax):
    with _without("log_softmax", "softmax", "logsumexp"):
        got = log_softmax(torch.tensor([1000.0, 0.0]))
    expect_tensor(got, torch.tensor([0.0, -1000.0]), "log_softmax([1000., 0.])")

    @for_all(
        shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
        dim_index=st.integers(0, 5),
        scale=SCALES,
        dtype=st.sampled_from([torch.float32, torch.float64]),
        seed=st.integers(0, 999),
    )
    def _(shape, dim_index, scale, dtype, seed):
        dim = dim_index % len(shape) - (len(shape) if dim_index >= 3 else 0)  # negative dims too
        x = random_tensor(shape, seed, dtype, scale=scale).requires_grad_(True)
        reference_x = x.detach().clone().requires_grad_(True)
        expected = torch.log_softmax(reference_x, dim=dim)
        with _without("log_softmax", "softmax", "logsumexp"):
            got = log_softmax(x, dim=dim)
        what = f"log_softmax(x of shape {shape} scaled by {scale:g}, dim={dim})"
        expect_tensor(got, expected.detach(), what, atol=1e-4, rtol=1e-4)
        weights = random_tensor(shape, seed + 1, dtype)
        (expected * weights).sum().backward()
        (got * weights).sum().backward()
        expect_tensor(x.grad, reference_x.grad, f"the gradient of {what}", atol=1e-4, rtol=1e-4)


@check("11.2")
def _(cross_entropy):
    @for_all(batch=st.integers(1, 6), classes=st.integers(1, 5), scale=SCALES, seed=st.integers(0, 999))
    def _(batch, classes, scale, seed):
        logits = random_tensor((batch, classes), seed, torch.float64, scale=scale).requires_grad_(True)
        targets = torch.randint(0, classes, (batch,), generator=torch.Generator().manual_seed(seed))
        reference_logits = logits.detach().clone().requires_grad_(True)
        expected = F.cross_entropy(reference_logits, targets)
        expected.backward()
        with _without("cross_entropy", "nll_loss", "log_softmax", "softmax", "logsumexp"):
            got = cross_entropy(logits, targets)
        what = f"cross_entropy(logits of shape {(batch, classes)} scaled by {scale:g}, targets)"
        expect_tensor(got, expected.detach(), what, atol=1e-6)
        expect(got.requires_grad, f"{what} has no gradient history: compute it with differentiable torch operations")
        got.backward()
        expect_tensor(logits.grad, reference_logits.grad, f"the gradient of {what}", atol=1e-6)


@check("11.3")
def _(softmax_numpy):
    got = softmax_numpy(np.array([2.0, 1.0, 0.1]))
    expect_array(got, np.array([0.65900114, 0.24243297, 0.09856589]), "softmax_numpy([2.0, 1.0, 0.1])", atol=1e-6)
    expect_array(softmax_numpy(np.array([1000.0, 0.0])), np.array([1.0, 0.0]), "softmax_numpy([1000, 0])")

    @for_all(
        shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
        scale=SCALES,
        seed=st.integers(0, 999),
    )
    def _(shape, scale, seed):
        x = np.random.default_rng(seed).normal(size=shape) * scale
        expected = torch.softmax(torch.from_numpy(x), dim=-1).numpy()
        expect_array(
            softmax_numpy(x.copy()), expected, f"softmax_numpy(x of shape {shape} scaled by {scale:g})", atol=1e-9
        )
