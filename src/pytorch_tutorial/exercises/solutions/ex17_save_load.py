"""Reference solutions for lesson 17 — Saving and loading."""

import os
from pathlib import Path
from typing import Any

import torch
from torch import nn


def save_checkpoint(path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer, epoch: int) -> None:
    """Exercise 17.1 (with load_checkpoint) — A checkpoint save/resume pair."""
    torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)


def load_checkpoint(path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
    """Exercise 17.1 (with save_checkpoint) — A checkpoint save/resume pair."""
    checkpoint = torch.load(path, weights_only=True)  # tensors and plain containers only: no code runs
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]


def save_atomic(obj: Any, path: str | Path) -> None:
    """Exercise 17.2 — A save that is never half-written."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")  # same folder, so os.replace is a rename, not a copy
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)  # atomic: readers see the old file or the new one
    finally:
        tmp.unlink(missing_ok=True)
