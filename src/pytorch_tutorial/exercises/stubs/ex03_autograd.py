"""Exercises for lesson 3 — Autograd.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 3          (all exercises of this file)
    pytorch-tutorial check 3.1        (one exercise)
    pytorch-tutorial hint 3.1         (stuck? a hint)
"""

from collections.abc import Callable

import torch


def gradient_at(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Exercise 3.1 — The gradient of any function at a point.

    `f` maps a floating-point tensor of x's shape to a scalar tensor (0-d), using differentiable torch
    operations. `x` is a floating-point tensor of any shape that does not require gradients.

    Return df/dx at x: a tensor of x's shape and dtype that does not require gradients (no history). Leave x
    as it was: it must not require gradients or hold a .grad afterwards.

    Example: gradient_at(lambda t: (t ** 2).sum(), torch.tensor([1.0, -3.0])) -> tensor([2.0, -6.0])
    """
    raise NotImplementedError


def vector_jacobian_product(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    """Exercise 3.2 — A vector-Jacobian product.

    `f` maps a floating-point tensor x of shape (n,) to a tensor y of shape (m,) (not a scalar). `v` has
    shape (m,). Return v^T J, where J[i, j] = dy_i / dx_j is the Jacobian of f at x: a tensor of shape (n,),
    x's dtype, without gradient history. Do not build J itself — autograd computes v^T J directly.

    Example: f = lambda t: t ** 2, x = [1., 2.], v = [1., 10.] -> J = diag(2, 4), v^T J = [2., 40.]
    """
    raise NotImplementedError


def sgd_update_(w: torch.Tensor, lr: float) -> None:
    """Exercise 3.3 — An in-place update that autograd does not record.

    `w` is a leaf tensor with requires_grad=True whose .grad a backward pass has filled. Update it in place,
    w <- w - lr * w.grad, so that `w` stays the same tensor object, still a leaf that requires gradients,
    and the update itself is not recorded in any graph. Then reset its gradient to zero, so that the next
    backward pass starts afresh instead of adding to it. Return nothing.
    """
    raise NotImplementedError
