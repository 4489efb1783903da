"""Exercises for lesson 5 — Gradient descent.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 5          (all exercises of this file)
    pytorch-tutorial check 5.1        (one exercise)
    pytorch-tutorial hint 5.1         (stuck? a hint)
"""

import numpy as np
import torch


def mse_gradient(x: np.ndarray, y: np.ndarray, w: float) -> float:
    """Exercise 5.1 — The gradient of the mean squared error in NumPy.

    For the model y_hat = w * x on 1-D float arrays x and y of the same length, the loss is
    J(w) = mean((w * x - y) ** 2). Return dJ/dw at w as a Python float, from your own derivation (NumPy only).

    Example: mse_gradient(np.array([1., 2., 3., 4.]), np.array([2., 4., 6., 8.]), 0.0) -> -30.0
    """
    raise NotImplementedError


def gradient_descent(x: np.ndarray, y: np.ndarray, lr: float, n_iters: int) -> float:
    """Exercise 5.2 — Gradient descent in NumPy.

    Fit y_hat = w * x to 1-D float arrays x, y: start at w = 0.0 and take `n_iters` steps
    w <- w - lr * dJ/dw with J(w) = mean((w * x - y) ** 2). Return the final w as a Python float.

    Example: x = [1, 2, 3, 4], y = 2 * x, lr = 0.01, n_iters = 20 -> about 2.0
    """
    raise NotImplementedError


def gradient_descent_autograd(x: torch.Tensor, y: torch.Tensor, lr: float, n_iters: int) -> float:
    """Exercise 5.3 — Gradient descent with autograd.

    The same fit as exercise 5.2, on 1-D float tensors x and y, but let autograd compute dJ/dw: start at
    w = 0 (a tensor that requires gradients, of x's dtype), take `n_iters` steps, each with its own
    backward pass (the check counts them: a gradient formula written by hand does not pass), and return
    the final w as a Python float.
    """
    raise NotImplementedError
