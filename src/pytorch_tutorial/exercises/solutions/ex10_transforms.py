"""Reference solutions for lesson 10 — Transforms."""

from collections.abc import Callable, Sequence
from typing import Any

import torch


class MultiplyTransform:
    """Exercise 10.1 — A callable transform class."""

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def __call__(self, sample: tuple[torch.Tensor, Any]) -> tuple[torch.Tensor, Any]:
        features, label = sample
        return features * self.factor, label  # `*` makes a new tensor; `*=` would change the dataset


def compose(transforms: Sequence[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """Exercise 10.2 — Compose transforms."""
    transforms = list(transforms)

    def apply(sample: Any) -> Any:
        for transform in transforms:
            sample = transform(sample)
        return sample

    return apply


def to_normalized_float(image: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """Exercise 10.3 — ToDtype with scaling, then Normalize."""
    scaled = image.to(torch.float32) / 255.0
    mean_t = torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1)  # (C, 1, 1) broadcasts over H and W
    std_t = torch.tensor(std, dtype=torch.float32).view(-1, 1, 1)
    return (scaled - mean_t) / std_t
