"""Reference solutions for lesson 5 — Gradient descent."""

import numpy as np
import torch


def mse_gradient(x: np.ndarray, y: np.ndarray, w: float) -> float:
    """Exercise 5.1 — The gradient of the mean squared error in NumPy."""
    # J = mean((w*x - y)^2)  =>  dJ/dw = mean(2*x*(w*x - y))
    return float(np.mean(2 * x * (w * x - y)))


def gradient_descent(x: np.ndarray, y: np.ndarray, lr: float, n_iters: int) -> float:
    """Exercise 5.2 — Gradient descent in NumPy."""
    w = 0.0
    for _ in range(n_iters):
        w -= lr * np.mean(2 * x * (w * x - y))
    return float(w)


def gradient_descent_autograd(x: torch.Tensor, y: torch.Tensor, lr: float, n_iters: int) -> float:
    """Exercise 5.3 — Gradient descent with autograd."""
    w = torch.tensor(0.0, dtype=x.dtype, requires_grad=True)
    for _ in range(n_iters):
        loss = ((w * x - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    return w.item()
