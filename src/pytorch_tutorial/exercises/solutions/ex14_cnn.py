"""Reference solutions for lesson 14 — Convolutional network."""

import torch
import torch.nn.functional as F
from torch import nn


def conv_output_size(size: int, kernel: int, padding: int = 0, stride: int = 1) -> int:
    """Exercise 14.1 — The output-size formula."""
    return (size - kernel + 2 * padding) // stride + 1


def build_cnn(in_channels: int, num_classes: int) -> nn.Module:
    """Exercise 14.2 — A CNN whose output shape matches."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 8, kernel_size=3, padding=1),  # 28 -> 28
        nn.ReLU(),
        nn.MaxPool2d(2),  # 28 -> 14
        nn.Conv2d(8, 16, kernel_size=3, padding=1),  # 14 -> 14
        nn.ReLU(),
        nn.MaxPool2d(2),  # 14 -> 7
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, num_classes),
    )


def pad_to_32(images: torch.Tensor) -> torch.Tensor:
    """Exercise 14.3 — Pad digits to 32x32."""
    return F.pad(images, (2, 2, 2, 2))  # (left, right, top, bottom) of the last two dimensions
