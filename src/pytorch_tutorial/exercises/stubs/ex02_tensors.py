"""Exercises for lesson 2 — Tensor basics.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 2          (all exercises of this file)
    pytorch-tutorial check 2.1        (one exercise)
    pytorch-tutorial hint 2.1         (stuck? a hint)
"""

import numpy as np
import torch


def pairwise_sums(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Exercise 2.1 — Pairwise sums without loops.

    Given 1-D tensors `a` of shape (n,) and `b` of shape (m,), both of the same dtype, return the tensor
    `out` of shape (n, m) and that dtype with out[i, j] = a[i] + b[j].

    No Python loops and no .item()/.tolist(): use broadcasting, so that the number of tensor operations
    does not grow with n and m.

    Example: pairwise_sums(torch.tensor([0, 10]), torch.tensor([1, 2, 3])) -> [[1, 2, 3], [11, 12, 13]]
    """
    raise NotImplementedError


def to_patches(image: torch.Tensor, size: int) -> torch.Tensor:
    """Exercise 2.2 — Cut an image into patches with reshape and permute.

    `image` is a 2-D tensor of shape (H, W) where H and W are multiples of `size`. Cut it into
    non-overlapping `size` x `size` patches and return them stacked as a tensor of shape
    (H // size * W // size, size, size), in reading order: the top-left patch first, then the patch to its
    right, ..., then the next row of patches. Keep the dtype. No Python loops.

    Example: image = torch.arange(16).reshape(4, 4), size = 2 ->
        [[[0, 1], [4, 5]], [[2, 3], [6, 7]], [[8, 9], [12, 13]], [[10, 11], [14, 15]]]
    """
    raise NotImplementedError


def shared_and_copied(array: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Exercise 2.3 — Share memory with NumPy, or copy.

    Return a pair of tensors (shared, copied), both with the values, shape and dtype of the NumPy `array`:
    `shared` uses the same memory as `array` (changing the array changes it), `copied` has its own memory
    (changing the array leaves it alone).
    """
    raise NotImplementedError
