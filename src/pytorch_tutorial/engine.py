"""The training loop of lesson 13, promoted into the package for the lessons after it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

from pytorch_tutorial import runtime

Batch = tuple[torch.Tensor, torch.Tensor]


def train_epoch(
    model: nn.Module,
    loader: Iterable[Batch],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    device: torch.device,
    desc: str = "train",
) -> float:
    """One pass over ``loader``: forward, loss, backward, step, zero the gradients. Returns the mean loss."""
    model.train()
    total_loss, total_count = 0.0, 0
    for inputs, targets in runtime.progress(loader, desc=desc):
        inputs, targets = inputs.to(device), targets.to(device)
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        total_loss += loss.item() * len(targets)
        total_count += len(targets)
    return total_loss / max(total_count, 1)


@torch.no_grad()
def predict(model: nn.Module, loader: Iterable[Batch], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits and targets for every batch of ``loader``, in evaluation mode, on the CPU."""
    model.eval()
    all_logits, all_targets = [], []
    for inputs, targets in loader:
        all_logits.append(model(inputs.to(device)).cpu())
        all_targets.append(targets.cpu())
    return torch.cat(all_logits), torch.cat(all_targets)


def evaluate(model: nn.Module, loader: Iterable[Batch], device: torch.device) -> float:
    """Accuracy (fraction correct) of ``model`` on ``loader``, in evaluation mode without gradients."""
    logits, targets = predict(model, loader, device)
    return (logits.argmax(dim=1) == targets).float().mean().item()
