"""Exercises for lesson 10 — Transforms.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 10         (all exercises of this file)
    pytorch-tutorial check 10.1       (one exercise)
    pytorch-tutorial hint 10.1        (stuck? a hint)
"""

from collections.abc import Callable, Sequence
from typing import Any

import torch


class MultiplyTransform:
    """Exercise 10.1 — A callable transform class.

    MultiplyTransform(factor) makes a transform for a dataset's samples: calling it on a sample
    (features, label) — features a float tensor, label anything — returns (features * factor, label).
    It must never change the tensor it was given (the dataset's stored data): return a new one.
    """

    def __init__(self, factor: float) -> None:
        raise NotImplementedError

    def __call__(self, sample: tuple[torch.Tensor, Any]) -> tuple[torch.Tensor, Any]:
        raise NotImplementedError


def compose(transforms: Sequence[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """Exercise 10.2 — Compose transforms.

    Return one callable that applies the given transforms one after another, the first one first:
    compose([f, g, h])(x) == h(g(f(x))). With an empty list it returns its input unchanged.
    (What torchvision's Compose does; do not use it.)
    """
    raise NotImplementedError


def to_normalized_float(image: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """Exercise 10.3 — ToDtype with scaling, then Normalize.

    image is a uint8 tensor of shape (C, H, W) with values 0..255; mean and std have C numbers, one per
    channel. Return the float32 tensor (image / 255 - mean[c]) / std[c] for each channel c, of shape
    (C, H, W) — what transforms.v2.ToDtype(torch.float32, scale=True) followed by Normalize(mean, std) give.
    No loops over channels or pixels.
    """
    raise NotImplementedError
