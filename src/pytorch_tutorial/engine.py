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


def confusion_matrix(predictions: torch.Tensor, targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Counts ``(num_classes, num_classes)``: row = true class, column = predicted class.

    ``predictions`` are class indices (or logits of shape ``(N, num_classes)``, reduced with argmax). Every
    sample is counted exactly once, whatever batches produced it.
    """
    if predictions.dim() == 2:
        predictions = predictions.argmax(dim=1)
    predictions, targets = predictions.cpu().long(), targets.cpu().long()
    if predictions.shape != targets.shape:
        raise ValueError(f"{predictions.shape[0]} predictions for {targets.shape[0]} targets")
    # each (true, predicted) pair gets its own bin: true * C + predicted
    counts = torch.bincount(targets * num_classes + predictions, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def per_class_accuracy(predictions: torch.Tensor, targets: torch.Tensor, num_classes: int) -> list[float]:
    """For each class, the fraction of its samples predicted correctly (NaN for a class with no samples).

    Computed from all predictions at once (e.g. from :func:`predict`), so it is right for any batch size —
    unlike a loop over ``range(batch_size)`` inside each batch, which breaks on a smaller last batch.
    """
    counts = confusion_matrix(predictions, targets, num_classes)
    correct, total = counts.diagonal().double(), counts.sum(dim=1).double()
    return (correct / total).tolist()  # 0/0 gives NaN for a class that never occurs
