"""Reference solutions for lesson 16 — TensorBoard."""

from collections.abc import Sequence
from pathlib import Path

import torch


def log_scalars(log_dir: str | Path, tag: str, values: Sequence[float]) -> None:
    """Exercise 16.1 — Write a scalar series for TensorBoard."""
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(log_dir=str(log_dir))
    for step, value in enumerate(values):
        writer.add_scalar(tag, value, global_step=step)
    writer.close()  # flushes the events to disk


def pr_curve_data(logits: torch.Tensor, targets: torch.Tensor, class_index: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Exercise 16.2 — The inputs of a precision-recall curve."""
    labels = targets == class_index  # the ground truth, not the model's predictions
    probabilities = torch.softmax(logits, dim=1)[:, class_index]
    return labels, probabilities
