"""Reference solutions for lesson 22 — Learning-rate schedulers."""

import math
from collections.abc import Callable, Iterable

import torch
from torch import nn
from torch.optim import lr_scheduler


def warmup_cosine(optimizer: torch.optim.Optimizer, warmup_epochs: int, total_epochs: int) -> lr_scheduler.LRScheduler:
    """Exercise 22.1 — Warm-up, then a cosine."""

    def factor(epoch: int) -> float:
        if epoch < warmup_epochs:
            return (epoch + 1) / warmup_epochs
        return (1 + math.cos(math.pi * (epoch - warmup_epochs) / (total_epochs - warmup_epochs))) / 2

    return lr_scheduler.LambdaLR(optimizer, lr_lambda=factor)


def train_with_scheduler(
    model: nn.Module,
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    scheduler: lr_scheduler.LRScheduler,
    epochs: int,
    per_batch: bool,
) -> list[float]:
    """Exercise 22.2 — Step the scheduler in the right place."""
    rates = []
    for _ in range(epochs):
        model.train()
        for inputs, targets in loader:
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            rates.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            optimizer.zero_grad()
            if per_batch:
                scheduler.step()
        if not per_batch:
            scheduler.step()
    return rates


def plateau_rates(losses: list[float], lr: float, factor: float, patience: int) -> list[float]:
    """Exercise 22.3 — ReduceLROnPlateau's rule by hand."""
    rates, best, bad_epochs = [], math.inf, 0
    for loss in losses:
        rates.append(lr)
        if loss < best * (1 - 1e-4):
            best, bad_epochs = loss, 0
        else:
            bad_epochs += 1
        if bad_epochs > patience:
            lr *= factor
            bad_epochs = 0
    return rates
