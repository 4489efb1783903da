"""Checks for lesson 5 — Gradient descent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from hypothesis import strategies as st

from pytorch_tutorial.exercises.checking import check, expect, expect_number, for_all

X = np.array([1.0, 2.0, 3.0, 4.0])
Y = 2 * X


def _data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return x, 1.5 * x + rng.normal(scale=0.3, size=n)


def _descend(x: np.ndarray, y: np.ndarray, lr: float, n_iters: int) -> float:
    w = 0.0
    for _ in range(n_iters):
        w -= lr * np.mean(2 * x * (w * x - y))
    return w


@contextmanager
def _counting_backward_passes() -> Iterator[list[int]]:
    """Count autograd's backward passes while the block runs: ``loss.backward()``, ``torch.autograd.backward``
    and ``torch.autograd.grad`` all run the engine through ``torch.autograd._engine_run_backward``."""
    calls = [0]
    original = torch.autograd._engine_run_backward

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return original(*args, **kwargs)

    torch.autograd._engine_run_backward = counted
    try:
        yield calls
    finally:
        torch.autograd._engine_run_backward = original


@check("5.1")
def _(mse_gradient):
    expect_number(mse_gradient(X, Y, 0.0), -30.0, "mse_gradient(x=[1, 2, 3, 4], y=2x, w=0)")
    expect_number(mse_gradient(X, Y, 2.0), 0.0, "mse_gradient at the optimum w=2")

    @for_all(n=st.integers(1, 8), seed=st.integers(0, 999), w=st.floats(-5, 5))
    def _(n, seed, w):
        x, y = _data(n, seed)
        eps = 1e-6

        def loss(v: float) -> float:
            return float(np.mean((v * x - y) ** 2))

        numerical = (loss(w + eps) - loss(w - eps)) / (2 * eps)  # central finite difference
        expect_number(
            mse_gradient(x, y, w), numerical, f"mse_gradient for {n} points at w={w:.4g}", atol=1e-4, rtol=1e-5
        )


@check("5.2")
def _(gradient_descent):
    expect_number(gradient_descent(X, Y, 0.01, 0), 0.0, "gradient_descent with n_iters=0 (w starts at 0)")
    expect_number(gradient_descent(X, Y, 0.01, 1), 0.3, "gradient_descent after one step (lr=0.01)")
    expect_number(gradient_descent(X, Y, 0.01, 20), _descend(X, Y, 0.01, 20), "gradient_descent after 20 steps")
    expect_number(gradient_descent(X, Y, 0.01, 200), 2.0, "gradient_descent after 200 steps (converged)", atol=1e-4)

    @for_all(
        n=st.integers(1, 8),
        seed=st.integers(0, 999),
        lr=st.sampled_from([0.001, 0.01, 0.05]),
        n_iters=st.integers(0, 30),
    )
    def _(n, seed, lr, n_iters):
        x, y = _data(n, seed)
        expect_number(
            gradient_descent(x, y, lr, n_iters),
            _descend(x, y, lr, n_iters),
            f"gradient_descent with lr={lr}, n_iters={n_iters}",
            atol=1e-9,
            rtol=1e-7,
        )


@check("5.3")
def _(gradient_descent_autograd):
    x32, y32 = torch.tensor(X, dtype=torch.float32), torch.tensor(Y, dtype=torch.float32)
    for n_iters, expected, atol in ((1, 0.3, 1e-5), (100, 2.0, 1e-3)):
        with _counting_backward_passes() as backward_passes:
            got = gradient_descent_autograd(x32, y32, 0.01, n_iters)
        expect(
            backward_passes[0] >= n_iters,
            f"gradient_descent_autograd(x, y, 0.01, n_iters={n_iters}) ran {backward_passes[0]} backward passes: let "
            "autograd compute every step's gradient (loss.backward(), then w.grad), not a formula written by hand",
            expected=f"at least {n_iters} backward pass(es): loss.backward() or torch.autograd.grad once per step",
            got=f"{backward_passes[0]} backward passes",
        )
        expect_number(got, expected, f"gradient_descent_autograd after {n_iters} steps (lr=0.01)", atol=atol)

    @for_all(
        n=st.integers(1, 8),
        seed=st.integers(0, 999),
        lr=st.sampled_from([0.001, 0.01, 0.05]),
        n_iters=st.integers(0, 30),
    )
    def _(n, seed, lr, n_iters):
        x, y = _data(n, seed)
        got = gradient_descent_autograd(torch.tensor(x), torch.tensor(y), lr, n_iters)
        expect_number(
            got,
            _descend(x, y, lr, n_iters),
            f"gradient_descent_autograd with lr={lr}, n_iters={n_iters}",
            atol=1e-9,
            rtol=1e-7,
        )
