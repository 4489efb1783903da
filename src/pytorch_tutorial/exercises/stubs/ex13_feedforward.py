"""Exercises for lesson 13 — Feed-forward network.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 13         (all exercises of this file)
    pytorch-tutorial check 13.1       (one exercise)
    pytorch-tutorial hint 13.1        (stuck? a hint)
"""

from collections.abc import Callable, Iterable

import torch
from torch import nn


def evaluate_accuracy(model: nn.Module, loader: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """Exercise 13.1 — Evaluate in eval mode without gradients.

    `loader` yields batches (inputs, targets): targets are int64 class indices, model(inputs) gives logits
    (N, C). Return the fraction of samples over all batches whose highest logit is at the target class, as a
    Python float. Evaluate the way it must be done: the model in evaluation mode (so that dropout is off) and
    without recording gradients.
    """
    raise NotImplementedError


def train_one_epoch(
    model: nn.Module,
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
) -> float:
    """Exercise 13.2 — One epoch of training.

    Put the model in training mode, then for each batch (inputs, targets) of `loader`: forward pass, loss,
    backward pass, optimizer step, zero the gradients (zeroing them first, before the forward pass, is just as
    right: what matters is that one batch's gradients never add to the next's). Return the mean loss per sample
    over the epoch as a Python float: each batch's loss (a mean over its samples) weighted by its number of
    samples, so that a smaller last batch counts less.
    """
    raise NotImplementedError


def confusion_matrix(predictions: torch.Tensor, targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Exercise 13.3 — A confusion matrix without loops.

    predictions and targets are int64 tensors (N,) of class indices in 0..num_classes-1. Return the int64
    tensor M of shape (num_classes, num_classes) where M[t, p] counts the samples of true class t predicted
    as class p (rows: truth, columns: prediction). No Python loops.
    """
    raise NotImplementedError
