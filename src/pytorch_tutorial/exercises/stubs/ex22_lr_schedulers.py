"""Exercises for lesson 22 — Learning-rate schedulers.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 22         (all exercises of this file)
    pytorch-tutorial check 22.1       (one exercise)
    pytorch-tutorial hint 22.1        (stuck? a hint)
"""

from collections.abc import Callable, Iterable

import torch
from torch import nn
from torch.optim import lr_scheduler


def warmup_cosine(optimizer: torch.optim.Optimizer, warmup_epochs: int, total_epochs: int) -> lr_scheduler.LRScheduler:
    """Exercise 22.1 — Warm-up, then a cosine.

    Return a scheduler for `optimizer` (stepped once per epoch, after optimizer.step()) under which epoch e
    (0, 1, ..., total_epochs - 1) trains at the optimizer's initial rate times

        (e + 1) / warmup_epochs                                                   for e < warmup_epochs
        (1 + cos(pi * (e - warmup_epochs) / (total_epochs - warmup_epochs))) / 2   from then on

    so the rate grows to the full rate over the first warmup_epochs epochs (it is never 0), then falls along
    half a cosine. 0 <= warmup_epochs < total_epochs. LambdaLR takes such a factor as a function of the epoch.
    """
    raise NotImplementedError


def train_with_scheduler(
    model: nn.Module,
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    scheduler: lr_scheduler.LRScheduler,
    epochs: int,
    per_batch: bool,
) -> list[float]:
    """Exercise 22.2 — Step the scheduler in the right place.

    Train for `epochs` epochs: for each batch (inputs, targets) of `loader`, forward pass, loss, backward
    pass, optimizer step, zero the gradients. Step `scheduler` after the optimizer: after every batch when
    `per_batch` is True (as OneCycleLR wants), else once at the end of every epoch (as StepLR or
    CosineAnnealingLR want). Return the learning rate each batch was trained with, as a list of Python floats,
    one per batch in order (read it from optimizer.param_groups[0]["lr"] before that batch's step).
    """
    raise NotImplementedError


def plateau_rates(losses: list[float], lr: float, factor: float, patience: int) -> list[float]:
    """Exercise 22.3 — ReduceLROnPlateau's rule by hand.

    `losses` are the validation losses of successive epochs. Return the learning rate of each epoch, starting
    at `lr`, as ReduceLROnPlateau(optimizer, factor=factor, patience=patience) would set it (mode "min", its
    default threshold): after each epoch, the loss counts as an improvement when it is below best * (1 - 1e-4),
    where best is the lowest loss so far (at first, infinity). Count the epochs in a row without improvement;
    when that count becomes greater than `patience`, multiply the rate by `factor` (from the next epoch on)
    and start counting again from 0. The rate of epoch i is the one in force while it trains, before its
    loss is looked at. Do not use ReduceLROnPlateau.
    """
    raise NotImplementedError
