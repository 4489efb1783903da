"""Exercises for lesson 16 — TensorBoard.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 16         (all exercises of this file)
    pytorch-tutorial check 16.1       (one exercise)
    pytorch-tutorial hint 16.1        (stuck? a hint)
"""

from collections.abc import Sequence
from pathlib import Path

import torch


def log_scalars(log_dir: str | Path, tag: str, values: Sequence[float]) -> None:
    """Exercise 16.1 — Write a scalar series for TensorBoard.

    Write values[0], values[1], ... as the scalar series `tag` at steps 0, 1, ... into event files in
    `log_dir` with torch.utils.tensorboard's SummaryWriter, so that `tensorboard --logdir log_dir` plots
    them, and close the writer so that everything is on disk when the function returns.
    """
    raise NotImplementedError


def pr_curve_data(logits: torch.Tensor, targets: torch.Tensor, class_index: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Exercise 16.2 — The inputs of a precision-recall curve.

    For a classifier's logits (N, C) and the true classes `targets` (N,) (int64), return what
    SummaryWriter.add_pr_curve needs to draw the curve of class `class_index`: (labels, probabilities), where
    labels is a bool tensor (N,) that is True where the sample's TRUE class is class_index, and probabilities
    is a float tensor (N,) with the model's softmax probability of class_index for each sample.
    """
    raise NotImplementedError
