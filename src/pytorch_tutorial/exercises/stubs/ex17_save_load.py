"""Exercises for lesson 17 — Saving and loading.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 17         (all exercises of this file)
    pytorch-tutorial check 17.1       (one exercise)
    pytorch-tutorial hint 17.1        (stuck? a hint)
"""

import os  # noqa: F401 - for os.replace
from pathlib import Path
from typing import Any

import torch
from torch import nn


def save_checkpoint(path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer, epoch: int) -> None:
    """Exercise 17.1 (with load_checkpoint) — A checkpoint save/resume pair.

    Save everything needed to resume training after `epoch` into the file `path`: the epoch, the model's
    weights and the optimizer's state (momentum buffers, Adam's moments, ...). Save state dicts, not the
    objects themselves, so that the file loads with torch.load(path, weights_only=True).
    """
    raise NotImplementedError


def load_checkpoint(path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
    """Exercise 17.1 (with save_checkpoint) — A checkpoint save/resume pair.

    Load a file written by save_checkpoint into a freshly made model and optimizer of the same kind (safely:
    weights_only=True), and return the saved epoch. Training then continues exactly as if it had never
    stopped: the same weights after the same further steps, bit for bit.
    """
    raise NotImplementedError


def save_atomic(obj: Any, path: str | Path) -> None:
    """Exercise 17.2 — A save that is never half-written.

    torch.save `obj` to `path` so that `path` is never a half-written file: a reader sees either the old
    file or the complete new one. If saving fails midway (say, obj holds something that cannot be saved),
    the exception propagates, the previous file at `path` is left intact, and no stray temporary file is
    left behind in the folder.
    """
    raise NotImplementedError
