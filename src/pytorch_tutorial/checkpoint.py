"""Saving and loading weights safely: atomic writes, and loads that never unpickle code.

- :func:`save_atomic` writes through a unique temporary file and ``os.replace``, so an interrupted save (or a
  full disk) leaves the previous file intact (lesson 14 saves its model with it, lesson 17 its training
  checkpoints). It refuses weights that hold NaN or infinity: a diverged model never replaces a good one.
- :func:`load_weights` is ``torch.load(..., weights_only=True)``: tensors, numbers, strings, lists, tuples and
  dicts only. A pickle that would build any other object (and so could run code) is refused, and so are
  weights that hold NaN or infinity.
- :func:`load_checkpoint` is :func:`load_weights` for a file a learner names: a missing, unreadable or refused
  file becomes one :class:`~pytorch_tutorial.runtime.UsageError` line.
- :func:`load_state_dict` puts weights into a model, saying which shapes differ when they do not fit.
- :func:`as_if_saved_on_gpu` lets a machine without a GPU show (lesson 17) and test what loading a GPU-saved
  file does there.
"""

from __future__ import annotations

import io
import pickle
import pickletools
import re
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from pytorch_tutorial import runtime
from pytorch_tutorial.runtime import Diverged, UsageError


def save_atomic(obj: Any, path: Path) -> Path:
    """``torch.save`` to a unique temporary file beside ``path``, then ``os.replace`` it over ``path``
    (:func:`runtime.write_atomic`): a reader (or a crash midway) never sees a half-written file, and the previous
    file stays intact until the new one is complete. Weights holding NaN or infinity are refused."""
    path = Path(path)
    bad = first_non_finite(obj)
    if bad is not None:
        raise Diverged(runtime.divergence_message(f"{bad} holds NaN or infinity, so {path} was not saved"))
    return runtime.write_atomic(path, lambda file: torch.save(obj, file))


def load_weights(path: Path, map_location: str | torch.device = "cpu") -> Any:
    """Load a file saved with :func:`save_atomic` with ``weights_only=True``: tensors, numbers, strings,
    lists and dicts only, so a malicious pickle cannot run code. Weights holding NaN or infinity (a model
    whose training diverged) are refused with one :class:`UsageError` line."""
    loaded = torch.load(path, map_location=map_location, weights_only=True)
    bad = first_non_finite(loaded)
    if bad is not None:
        raise UsageError(
            f"checkpoint {path}: {bad} holds NaN or infinity (its training diverged), so it was refused; "
            "train the model again with a smaller lr"
        )
    return loaded


def first_non_finite(obj: Any, name: str = "") -> str | None:
    """The name of the first floating-point tensor in ``obj`` (dicts, lists, tuples) holding NaN or infinity."""
    for key, tensor in _tensors(obj, name):
        if (tensor.is_floating_point() or tensor.is_complex()) and not bool(torch.isfinite(tensor).all()):
            return f"'{key}'" if key else "a tensor"
    return None


def _tensors(obj: Any, name: str) -> Iterator[tuple[str, torch.Tensor]]:
    if isinstance(obj, torch.Tensor):
        yield name, obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _tensors(value, f"{name}.{key}" if name else str(key))
    elif isinstance(obj, (list, tuple)):
        for index, value in enumerate(obj):
            yield from _tensors(value, f"{name}[{index}]")
    elif isinstance(obj, torch.nn.Module):
        yield from _tensors(obj.state_dict(), name)


def load_state_dict(model: torch.nn.Module, state_dict: dict[str, Any], path: Path | str = "the checkpoint") -> None:
    """``model.load_state_dict(state_dict)``, or one :class:`UsageError` line saying what differs: the
    weights whose shapes differ (in the file vs in the model), and any missing or unexpected names."""
    expected = model.state_dict()
    differ = [
        f"{key} is {list(value.shape)} in the file but {list(expected[key].shape)} in the model"
        for key, value in state_dict.items()
        if key in expected and isinstance(value, torch.Tensor) and value.shape != expected[key].shape
    ]
    missing = [key for key in expected if key not in state_dict]
    unexpected = [key for key in state_dict if key not in expected]
    if missing:
        differ.append(f"missing: {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
    if unexpected:
        differ.append(f"not in the model: {', '.join(unexpected[:5])}{' ...' if len(unexpected) > 5 else ''}")
    if differ:
        raise UsageError(f"checkpoint {path} does not fit the model: {'; '.join(differ)}")
    model.load_state_dict(state_dict)


def load_checkpoint(path: Path, map_location: str | torch.device = "cpu") -> Any:
    """:func:`load_weights` for a file a learner names, with each way it can fail told in one line.

    Raises :class:`UsageError` when ``path`` is missing or a folder, when it is not a PyTorch file (or is
    truncated), and when it is not a plain weights file — a pickle of other Python objects, such as a whole
    model saved with ``torch.save(model)`` or a malicious file. Such a file is refused before any of its objects
    is built, so nothing in it runs.
    """
    path = Path(path)
    runtime.check_file(path, "checkpoint")
    try:
        with warnings.catch_warnings():
            # a bare pickle (not torch's zip format) makes torch warn about its protocol before refusing it
            warnings.filterwarnings("ignore", message="Detected pickle protocol", category=UserWarning)
            return load_weights(path, map_location=map_location)
    except pickle.UnpicklingError as exc:
        message = str(exc)
        if "weights only load failed" not in message.lower():
            raise UsageError(f"checkpoint {path} is not a readable PyTorch file ({_first_line(exc)})") from None
        found = re.search(r"GLOBAL (\S+?)(?:\s|$)", message)
        name = found.group(1) if found else _first_refused_global(path)
        if name:
            raise UsageError(
                f"checkpoint {path} is not a plain weights file: it would unpickle a Python object ({name}), "
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


# What torch's own files reference: rebuilding tensors and storages, and ordered dicts.
_TORCH_GLOBALS = re.compile(
    r"^(torch\._utils\._rebuild\w*|torch\.\w*Storage|collections\.OrderedDict|torch\._tensor\._rebuild\w*)$"
)


def _first_refused_global(path: Path) -> str | None:
    """The first ``module.name`` a pickle would import, read from its opcodes without running any of them
    (for a bare pickle, which torch's safe loader refuses without naming what it wanted)."""
    try:
        data = Path(path).read_bytes()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                name = next((n for n in archive.namelist() if n.endswith("data.pkl")), None)
                data = archive.read(name) if name else b""
        strings: list[str] = []
        for opcode, arg, _ in pickletools.genops(io.BytesIO(data)):
            if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "BINUNICODE8"):
                strings.append(str(arg))
                continue
            if opcode.name in ("GLOBAL", "INST"):
                candidate = str(arg).replace(" ", ".")
            elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                candidate = f"{strings[-2]}.{strings[-1]}"
            else:
                continue
            if not _TORCH_GLOBALS.match(candidate):
                return candidate
    except Exception:  # a damaged pickle: the caller's message stands on its own
        return None
    return None


def _first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message, or its type's name."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
