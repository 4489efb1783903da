"""Saving and loading weights safely: atomic writes, and loads that never unpickle code."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch


def save_atomic(obj: Any, path: Path) -> Path:
    """``torch.save`` to a temporary file beside ``path``, then ``os.replace``: a reader (or a crash midway)
    never sees a half-written file, and the previous file stays intact until the new one is complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_weights(path: Path, map_location: str | torch.device = "cpu") -> Any:
    """Load a file saved with :func:`save_atomic` with ``weights_only=True``: tensors, numbers, strings,
    lists and dicts only, so a malicious pickle cannot run code."""
    return torch.load(path, map_location=map_location, weights_only=True)
