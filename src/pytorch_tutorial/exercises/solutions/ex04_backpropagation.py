"""Reference solutions for lesson 4 — Backpropagation."""

from collections.abc import Callable

import torch


def squared_error_and_grad(x: float, y: float, w: float) -> tuple[float, float]:
    """Exercise 4.1 — Loss and gradient by the chain rule."""
    y_hat = w * x
    s = y_hat - y
    loss = s**2
    # dloss/dw = dloss/ds * ds/dy_hat * dy_hat/dw = 2s * 1 * x
    return float(loss), float(2 * s * x)


def linear_backward(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, grad_output: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Exercise 4.2 — Backward pass of a linear layer by hand."""
    grad_x = grad_output @ weight  # (N, out) @ (out, in) -> (N, in)
    grad_weight = grad_output.T @ x  # (out, N) @ (N, in) -> (out, in)
    grad_bias = grad_output.sum(dim=0)  # the bias is added to every row of the batch
    return grad_x, grad_weight, grad_bias


def numerical_gradient(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Exercise 4.3 — Gradient by central finite differences."""
    point = x.detach().to(torch.float64)
    grad = torch.zeros_like(point)
    for i in range(point.numel()):
        step = torch.zeros_like(point)
        step.view(-1)[i] = eps
        grad.view(-1)[i] = (f(point + step) - f(point - step)) / (2 * eps)
    return grad
