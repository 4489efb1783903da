"""Exercises for lesson 7 — Linear regression.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 7          (all exercises of this file)
    pytorch-tutorial check 7.1        (one exercise)
    pytorch-tutorial hint 7.1         (stuck? a hint)
"""

import torch


def least_squares(X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, float]:
    """Exercise 7.1 — The least-squares optimum in closed form.

    X is a float64 tensor of shape (N, d) (N > d), y a float64 tensor of shape (N,). Return (weight, bias):
    weight a float64 tensor of shape (d,) and bias a Python float that minimise mean((X @ weight + bias - y)**2)
    — the optimum a trained nn.Linear approaches — computed directly, without gradient descent.
    """
    raise NotImplementedError


def polynomial_features(x: torch.Tensor, degree: int) -> torch.Tensor:
    """Exercise 7.2 — Polynomial features by broadcasting.

    x is a 1-D float tensor of shape (N,). Return the tensor of shape (N, degree) and x's dtype whose column
    k (counting from 0) is x ** (k + 1): [x, x**2, ..., x**degree]. With these features a linear model fits
    a polynomial. No Python loops.
    """
    raise NotImplementedError
