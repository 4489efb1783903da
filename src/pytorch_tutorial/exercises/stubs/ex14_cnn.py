"""Exercises for lesson 14 — Convolutional network.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 14         (all exercises of this file)
    pytorch-tutorial check 14.1       (one exercise)
    pytorch-tutorial hint 14.1        (stuck? a hint)
"""

import torch
from torch import nn


def conv_output_size(size: int, kernel: int, padding: int = 0, stride: int = 1) -> int:
    """Exercise 14.1 — The output-size formula.

    The height (or width) that nn.Conv2d or nn.MaxPool2d produce from an input of height `size` with this
    kernel size, padding and stride, as an int. Example: conv_output_size(32, 5) -> 28 and
    conv_output_size(28, 2, 0, 2) -> 14.
    """
    raise NotImplementedError


def build_cnn(in_channels: int, num_classes: int) -> nn.Module:
    """Exercise 14.2 — A CNN whose output shape matches.

    Return a convolutional network for 28x28 images: a batch (N, in_channels, 28, 28) must give logits of
    shape (N, num_classes). It must use at least one nn.Conv2d, and every parameter must take part in the
    output (get a gradient). Any architecture with those properties passes; work the sizes out with
    exercise 14.1.
    """
    raise NotImplementedError


def pad_to_32(images: torch.Tensor) -> torch.Tensor:
    """Exercise 14.3 — Pad digits to 32x32.

    images is a tensor (N, C, 28, 28). Return (N, C, 32, 32) of the same dtype with each image in the middle
    and a border of 2 zeros on every side — how LeNet's 32x32 input is made from MNIST's 28x28 digits.
    """
    raise NotImplementedError
