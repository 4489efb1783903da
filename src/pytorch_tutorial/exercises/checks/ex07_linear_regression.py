"""Checks for lesson 7 — Linear regression."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

from pytorch_tutorial.exercises.checking import (
    check,
    expect_no_loops,
    expect_number,
    expect_tensor,
    fail,
    for_all,
    random_tensor,
)


@check("7.1")
def _(least_squares):
    @for_all(n=st.integers(2, 30), d=st.integers(1, 4), seed=st.integers(0, 999))
    def _(n, d, seed):
        n = max(n, d + 2)
        X = random_tensor((n, d), seed, torch.float64)
        y = X @ random_tensor((d,), seed + 1, torch.float64) + 0.7 + 0.1 * random_tensor((n,), seed + 2, torch.float64)
        result = least_squares(X.clone(), y.clone())
        if not (isinstance(result, tuple) and len(result) == 2):
            fail("least_squares should return a pair (weight, bias)", got=result)
        weight, bias = result
        design = np.hstack([X.numpy(), np.ones((n, 1))])
        expected = np.linalg.lstsq(design, y.numpy(), rcond=None)[0]  # NumPy's solver is the reference
        what = f"for X of shape ({n}, {d})"
        expect_tensor(weight, torch.from_numpy(expected[:-1]), f"the weight {what}", atol=1e-6)
        expect_number(bias, float(expected[-1]), f"the bias {what}", atol=1e-6)


@check("7.2")
def _(polynomial_features):
    x = torch.tensor([1.0, 2.0, -3.0])
    expect_tensor(
        polynomial_features(x, 3),
        torch.tensor([[1.0, 1, 1], [2, 4, 8], [-3, 9, -27]]),
        "polynomial_features([1, 2, -3], 3)",
    )

    @for_all(
        n=st.integers(1, 6),
        degree=st.integers(1, 5),
        dtype=st.sampled_from([torch.float32, torch.float64]),
        seed=st.integers(0, 999),
    )
    def _(n, degree, dtype, seed):
        x = random_tensor((n,), seed, dtype)
        expected = torch.stack([x**k for k in range(1, degree + 1)], dim=1)
        expect_tensor(
            polynomial_features(x.clone(), degree), expected, f"polynomial_features(x of shape ({n},), {degree})"
        )

    expect_no_loops(polynomial_features, (torch.ones(3), 3), (torch.ones(30), 12), "polynomial_features")
