"""Reference solutions for lesson 3 — Autograd."""

from collections.abc import Callable

import torch


def gradient_at(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Exercise 3.1 — The gradient of any function at a point."""
    point = x.detach().clone().requires_grad_(True)  # a fresh leaf: x itself stays untouched
    f(point).backward()
    return point.grad.detach()


def vector_jacobian_product(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    """Exercise 3.2 — A vector-Jacobian product."""
    point = x.detach().clone().requires_grad_(True)
    y = f(point)
    y.backward(v)  # backward of a non-scalar output needs the vector v: it computes v^T J
    return point.grad.detach()


def sgd_update_(w: torch.Tensor, lr: float) -> None:
    """Exercise 3.3 — An in-place update that autograd does not record."""
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
