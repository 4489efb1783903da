"""Reference solutions for lesson 2 — Tensor basics."""

import numpy as np
import torch


def pairwise_sums(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Exercise 2.1 — Pairwise sums without loops."""
    # (n, 1) + (1, m) broadcasts to (n, m)
    return a.unsqueeze(1) + b.unsqueeze(0)


def to_patches(image: torch.Tensor, size: int) -> torch.Tensor:
    """Exercise 2.2 — Cut an image into patches with reshape and permute."""
    height, width = image.shape
    # axes: (patch row, row in patch, patch column, column in patch)
    grid = image.reshape(height // size, size, width // size, size)
    return grid.permute(0, 2, 1, 3).reshape(-1, size, size)


def shared_and_copied(array: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Exercise 2.3 — Share memory with NumPy, or copy."""
    return torch.from_numpy(array), torch.tensor(array)
