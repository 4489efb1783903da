"""Saving and loading weights safely: atomic writes, and loads that never unpickle code.

- :func:`save_atomic` writes through a temporary file and ``os.replace``, so an interrupted save leaves the
  previous file intact (lesson 14 saves its model with it, lesson 17 its training checkpoints).
- :func:`load_weights` is ``torch.load(..., weights_only=True)``: tensors, numbers, strings, lists, tuples and
  dicts only. A pickle that would build any other object (and so could run code) is refused.
- :func:`load_checkpoint` is :func:`load_weights` for a file a learner names: a missing, unreadable or refused
  file becomes one :class:`~pytorch_tutorial.runtime.UsageError` line.
- :func:`as_if_saved_on_gpu` lets a machine without a GPU show (lesson 17) and test what loading a GPU-saved
  file does there.
"""

from __future__ import annotations

import os
import pickle
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import torch

from pytorch_tutorial.runtime import UsageError


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


def load_checkpoint(path: Path, map_location: str | torch.device = "cpu") -> Any:
    """:func:`load_weights` for a file a learner names, with each way it can fail told in one line.

    Raises :class:`UsageError` when ``path`` is missing or a folder, when it is not a PyTorch file (or is
    truncated), and when it is not a plain weights file — a pickle of other Python objects, such as a whole
    model saved with ``torch.save(model)`` or a malicious file. Such a file is refused before any of its objects
    is built, so nothing in it runs.
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(f"checkpoint {path} does not exist")
    if not path.is_file():
        raise UsageError(f"checkpoint {path} is not a file")
    try:
        with warnings.catch_warnings():
            # a bare pickle (not torch's zip format) makes torch warn about its protocol before refusing it
            warnings.filterwarnings("ignore", message="Detected pickle protocol", category=UserWarning)
            return load_weights(path, map_location=map_location)
    except pickle.UnpicklingError as exc:
        message = str(exc)
        if "weights only load failed" not in message.lower():
            raise UsageError(f"checkpoint {path} is not a readable PyTorch file ({_first_line(exc)})") from None
        found = re.search(r"Unsupported global: GLOBAL (\S+)", message)
        if found:
            raise UsageError(
                f"checkpoint {path} is not a plain weights file: it would unpickle a Python object ({found.group(1)}), "
                "and unpickling can run code, so it was refused and nothing in it ran; load only weights you trust"
            ) from None
        reason = re.search(r"WeightsUnpickler error:\s*(.+)", message.replace("\n", " "))
        raise UsageError(
            f"checkpoint {path} is not a plain weights file (the safe loader stopped at: "
            f"{reason.group(1).strip() if reason else _first_line(exc)}); it was refused without unpickling it"
        ) from None
    except (OSError, RuntimeError, EOFError, KeyError, ValueError, IndexError, TypeError) as exc:
        raise UsageError(
            f"checkpoint {path} is not a readable PyTorch file ({_first_line(exc)}); is it truncated, or not a checkpoint?"
        ) from None


def as_if_saved_on_gpu(cpu_file: Path, gpu_file: Path) -> Path:
    """Copy a file that :func:`save_atomic` wrote from CPU tensors, recording device ``cuda:0`` for them instead
    of ``cpu`` — exactly what ``torch.save`` records for tensors on a GPU — and return ``gpu_file``.

    A ``torch.save`` file is a zip archive whose ``data.pkl`` names each tensor's device as a pickled string;
    only that string changes. Loading the copy without ``map_location`` on a machine without CUDA then fails as a
    real GPU checkpoint does.
    """
    cpu_location, gpu_location = b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0"  # pickle BINUNICODE
    with zipfile.ZipFile(cpu_file) as source, zipfile.ZipFile(gpu_file, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith("data.pkl"):
                if cpu_location not in data:
                    raise ValueError(f"{cpu_file} records no tensor on the CPU")
                data = data.replace(cpu_location, gpu_location)
            target.writestr(info, data)
    return Path(gpu_file)


def _first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message, or its type's name."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
