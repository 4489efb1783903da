"""Exercises for lesson 6 — Training pipeline.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 6          (all exercises of this file)
    pytorch-tutorial check 6.1        (one exercise)
    pytorch-tutorial hint 6.1         (stuck? a hint)
"""

from collections.abc import Callable

import torch
from torch import nn


def training_step(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    inputs: torch.Tensor,
    targets: torch.Tensor,
) -> float:
    """Exercise 6.1 — One training step.

    Do one step of training on the batch (inputs, targets): forward pass, loss, backward pass, optimizer
    step, and clear the gradients once per step (before the forward pass or after the optimizer step: both
    orders are right). Return the loss (computed before the update) as a Python float. `optimizer` was built over model.parameters(); it may be SGD, SGD with momentum or Adam.
    """
    raise NotImplementedError


class LinearRegression(nn.Module):
    """Exercise 6.2 — A custom nn.Module.

    A linear model as your own nn.Module subclass: LinearRegression(input_dim, output_dim) maps a batch of
    shape (N, input_dim) to (N, output_dim) as x @ W.T + b, with W (output_dim, input_dim) and b
    (output_dim,) as its only trainable parameters, registered so that model.parameters() yields them.
    """

    def __init__(self, input_dim: int, output_dim: int) -> None:
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError
