"""Exercises for lesson 4 — Backpropagation.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 4          (all exercises of this file)
    pytorch-tutorial check 4.1        (one exercise)
    pytorch-tutorial hint 4.1         (stuck? a hint)
"""

from collections.abc import Callable

import torch


def squared_error_and_grad(x: float, y: float, w: float) -> tuple[float, float]:
    """Exercise 4.1 — Loss and gradient by the chain rule.

    For the model y_hat = w * x and the loss (y_hat - y) ** 2, return the pair (loss, dloss/dw) as Python
    floats, worked out by hand with the chain rule — no autograd.

    Example: squared_error_and_grad(1.0, 2.0, 1.0) -> (1.0, -2.0)
    """
    raise NotImplementedError


def linear_backward(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, grad_output: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Exercise 4.2 — Backward pass of a linear layer by hand.

    A linear layer computes y = x @ weight.T + bias for a batch x of shape (N, in_features), with weight of
    shape (out_features, in_features) and bias of shape (out_features,). Given grad_output = dL/dy of shape
    (N, out_features) for some loss L, return (dL/dx, dL/dweight, dL/dbias), each of the shape and dtype of
    the tensor it is the gradient of. Use matrix products, not autograd.
    """
    raise NotImplementedError


def numerical_gradient(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Exercise 4.3 — Gradient by central finite differences.

    `f` maps a tensor of x's shape to a scalar tensor. Estimate its gradient at x without autograd: for
    every element i, (f(x + eps * e_i) - f(x - eps * e_i)) / (2 * eps), where e_i is 1 at element i and 0
    elsewhere. Return a float64 tensor of x's shape (compute in float64: in float32 the differences drown
    in rounding errors). Do not change x.
    """
    raise NotImplementedError
