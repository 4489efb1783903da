"""Checks for lesson 8 — Logistic regression."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from pytorch_tutorial.exercises.checking import (
    check,
    expect,
    expect_tensor,
    fail,
    for_all,
    random_tensor,
)


@check("8.1")
def _(standardize):
    @for_all(n=st.integers(2, 20), m=st.integers(1, 10), d=st.integers(1, 4), seed=st.integers(0, 999))
    def _(n, m, d, seed):
        scale = torch.arange(1, d + 1, dtype=torch.float64) * 3
        train = random_tensor((n, d), seed, torch.float64) * scale + 5
        test = random_tensor((m, d), seed + 1, torch.float64) * scale - 2  # a different distribution
        train_before, test_before = train.clone(), test.clone()
        result = standardize(train, test)
        if not (isinstance(result, tuple) and len(result) == 2):
            fail("standardize should return a pair (train_scaled, test_scaled)", got=result)
        mean, std = train.mean(0), train.std(0, unbiased=False)
        what = f"for train ({n}, {d}) and test ({m}, {d})"
        expect_tensor(result[0], (train - mean) / std, f"train_scaled {what}", atol=1e-9)
        expect_tensor(
            result[1], (test - mean) / std, f"test_scaled {what} (scaled with the training mean and std)", atol=1e-9
        )
        expect(torch.equal(train, train_before) and torch.equal(test, test_before), "standardize changed its inputs")


@check("8.2")
def _(stable_bce_with_logits):
    logits = torch.tensor([-1000.0, -5.0, 0.0, 3.0, 1000.0])
    targets = torch.tensor([1.0, 0.0, 1.0, 0.0, 0.0])
    got = stable_bce_with_logits(logits, targets)
    expect_tensor(
        got,
        F.binary_cross_entropy_with_logits(logits, targets),
        "the loss for logits [-1000, -5, 0, 3, 1000]",
        atol=1e-3,
    )

    @for_all(
        shape=st.lists(st.integers(1, 4), min_size=1, max_size=2).map(tuple),
        scale=st.sampled_from([1.0, 10.0, 1000.0]),
        dtype=st.sampled_from([torch.float32, torch.float64]),
        seed=st.integers(0, 999),
    )
    def _(shape, scale, dtype, seed):
        z = random_tensor(shape, seed, dtype, scale=scale).requires_grad_(True)
        y = (random_tensor(shape, seed + 1) > 0).to(dtype)
        reference_input = z.detach().clone().requires_grad_(True)
        expected = F.binary_cross_entropy_with_logits(reference_input, y)
        expected.backward()
        got = stable_bce_with_logits(z, y)
        what = f"the loss for logits of shape {shape} scaled by {scale:g}"
        expect_tensor(got, expected.detach(), what, atol=1e-4, rtol=1e-4)
        expect(got.requires_grad, f"{what} has no gradient history: compute it with differentiable torch operations")
        got.backward()
        expect_tensor(z.grad, reference_input.grad, f"the gradient of {what}", atol=1e-5, rtol=1e-4)

    # no shortcuts through PyTorch's own loss
    originals = (F.binary_cross_entropy_with_logits, F.binary_cross_entropy, torch.binary_cross_entropy_with_logits)
    try:
        F.binary_cross_entropy_with_logits = F.binary_cross_entropy = _forbidden
        torch.binary_cross_entropy_with_logits = _forbidden
        stable_bce_with_logits(torch.zeros(3), torch.ones(3))
    finally:
        F.binary_cross_entropy_with_logits, F.binary_cross_entropy, torch.binary_cross_entropy_with_logits = originals


def _forbidden(*args, **kwargs):
    fail("stable_bce_with_logits calls PyTorch's binary cross-entropy: write the formula yourself")
