"""What every lesson shares: device, seeds, output folder, settings, headline figures, figures, progress bars.

A lesson calls ``cfg = runtime.settings(epochs=5, lr=0.01)`` in its first cell. The runner (``pytorch-tutorial
run``) and the tests activate a :class:`RunContext` around the lesson that carries the learner's choices
(``--device``, ``--seed``, ``--out``, ``--set``, ``--quiet``, ``--full-data``, ``--data-dir``). When a lesson
runs as a plain script or notebook there is no active context, and a default one is made for it.

This module imports torch only inside the functions that need it, so that ``pytorch-tutorial list`` and
``--help`` stay fast.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import os
import random
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import torch
    from matplotlib.figure import Figure

T = TypeVar("T")

DEFAULT_SEED = 0
DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


class UsageError(Exception):
    """A learner's mistake (bad option, missing GPU, offline download): one line on stderr, exit status 2."""


@dataclass
class RunContext:
    """The choices a learner made for one lesson run, and what the lesson left behind."""

    number: int
    slug: str
    device: str = "auto"
    seed: int = DEFAULT_SEED
    out_root: Path = Path("outputs")
    overrides: dict[str, Any] = field(default_factory=dict)
    quiet: bool = False
    full_data: bool = False
    data_dir: Path | None = None
    from_environment: bool = False  # a plain script or notebook, set up by PYTORCH_TUTORIAL_* variables
    metrics: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def out_dir(self) -> Path:
        """This lesson's output folder, ``OUT/NN-slug``."""
        return self.out_root / f"{self.number:02d}-{self.slug.replace('_', '-')}"


_active: RunContext | None = None


@contextlib.contextmanager
def activate(ctx: RunContext) -> Iterator[RunContext]:
    """Make ``ctx`` the context of the lesson that runs inside the ``with`` block, seeded afresh."""
    global _active
    previous, _active = _active, ctx
    try:
        seed_everything(ctx.seed)
        yield ctx
    finally:
        _active = previous


def current() -> RunContext:
    """The active context; outside the runner, a default one for the calling lesson file."""
    global _active
    if _active is None:
        _active = _default_context()
        seed_everything(_active.seed)
    return _active


def _default_context() -> RunContext:
    """Context for a lesson run as a plain script (``python -m pytorch_tutorial.lessons.l04_...``) or notebook.

    The lesson is found from the calling file's name, or from ``PYTORCH_TUTORIAL_LESSON`` (a notebook has no file).
    Environment variables stand in for the runner's options: ``PYTORCH_TUTORIAL_DEVICE``, ``PYTORCH_TUTORIAL_SEED``,
    ``PYTORCH_TUTORIAL_OUT`` and ``PYTORCH_TUTORIAL_SET`` (``"epochs=1,lr=0.1"``, like repeated ``--set``).
    """
    number, slug = 0, "scratch"
    for frame_info in inspect.stack():
        name = frame_info.frame.f_globals.get("__file__") or ""
        match = re.fullmatch(r"l(\d\d)_(\w+)\.py", Path(name).name)
        if match:
            number, slug = int(match.group(1)), match.group(2)
            break
    else:
        lesson_env = os.environ.get("PYTORCH_TUTORIAL_LESSON", "")
        if lesson_env.isdigit():
            from pytorch_tutorial import course

            lesson = course.BY_NUMBER.get(int(lesson_env))
            if lesson is not None:
                number, slug = lesson.number, lesson.slug
    overrides = {}
    for pair in os.environ.get("PYTORCH_TUTORIAL_SET", "").split(","):
        key, sep, value = pair.partition("=")
        if sep and key.strip():
            overrides[key.strip()] = value.strip()
    return RunContext(
        number=number,
        slug=slug,
        device=os.environ.get("PYTORCH_TUTORIAL_DEVICE", "auto"),
        seed=int(os.environ.get("PYTORCH_TUTORIAL_SEED", DEFAULT_SEED)),
        out_root=Path(os.environ.get("PYTORCH_TUTORIAL_OUT", "outputs")),
        overrides=overrides,
        from_environment=True,
    )


# ---------------------------------------------------------------------------------------------------------
# Settings


@dataclass(frozen=True)
class Setting:
    """A setting's default together with the values a lesson accepts: ``runtime.between(0.2, 0.05, 0.5)``.

    The runner reads these declarations from the lesson's source, so a value the lesson cannot use stops
    ``run`` with one line before the first lesson starts. Plain defaults (``epochs=10``) follow the course's
    general rules instead: no negative sizes or rates, and no zero counts except :data:`ZERO_ALLOWED`.
    """

    default: Any
    low: float | None = None
    high: float | None = None
    below_high: bool = False  # True: ``high`` itself is excluded (a probability below 1)
    choices: tuple[Any, ...] = ()

    def check(self, value: Any, key: str, raw_text: str) -> Any:
        """``value`` if the lesson accepts it, else a one-line :class:`UsageError` naming the allowed values."""
        if self.choices and value not in self.choices:
            options = " or ".join(f"{key}={choice}" for choice in self.choices)
            raise UsageError(f"--set {key}={raw_text}: choose {options} (default {self.default!r})")
        too_low = self.low is not None and value < self.low
        too_high = self.high is not None and (value >= self.high if self.below_high else value > self.high)
        if too_low or too_high:
            upper = f"up to (not including) {self.high}" if self.below_high else f"to {self.high}"
            raise UsageError(
                f"--set {key}={raw_text}: '{key}' must be from {self.low} {upper} (default {self.default!r})"
            )
        return value


def between(default: int | float, low: int | float, high: int | float, *, below_high: bool = False) -> Setting:
    """A number setting that must lie in ``[low, high]`` (``[low, high)`` with ``below_high=True``)."""
    return Setting(default, low=low, high=high, below_high=below_high)


def one_of(default: Any, *others: Any) -> Setting:
    """A setting that takes one of a few values, ``default`` first."""
    return Setting(default, choices=(default, *others))


# Each CPU process of the distributed lesson loads torch: more than the cores only slows it down.
MAX_CPU_PROCESSES = max(2, os.cpu_count() or 1)


def default_of(declared: Any) -> Any:
    """The default of a declared setting, whether plain (``10``) or a :class:`Setting`."""
    return declared.default if isinstance(declared, Setting) else declared


def parse_value(raw: Any, declared: Any, key: str) -> Any:
    """Convert ``raw`` (a string from ``--set key=value``, or a value) to the type of the setting's default.

    ``declared`` is the default or a :class:`Setting`. Raises :class:`UsageError` naming the key, the expected
    type and an example when it does not fit, or the allowed values when it is out of range.
    """
    default = default_of(declared)
    raw_text = raw.strip() if isinstance(raw, str) else str(raw)
    kind = type(default)
    try:
        if kind is bool:
            lowered = raw_text.lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw_text)
        if kind in (int, float):
            value = kind(raw_text)
            if not math.isfinite(value):
                raise UsageError(f"--set {key}={raw_text}: '{key}' must be a finite number (default {default!r})")
            if isinstance(declared, Setting):
                return declared.check(value, key, raw_text)
            return _check_range(value, default, key, raw_text)
        if kind is str:
            return declared.check(raw_text, key, raw_text) if isinstance(declared, Setting) else raw_text
    except ValueError:
        pass
    else:
        raise UsageError(f"setting '{key}' has type {kind.__name__}, which --set cannot change")
    example = {bool: "true", int: "3", float: "0.01"}.get(kind, "value")
    kind_name = {bool: "true or false", int: "whole number", float: "number"}.get(kind, kind.__name__)
    raise UsageError(
        f"--set {key}={raw_text}: '{key}' takes a {kind_name} (default {default!r}), e.g. --set {key}={example}"
    )


# Counts that may be zero although their default is not: 0 workers loads in the main process; 0 epochs or
# iterations evaluates the untrained model, the baseline that training has to beat.
ZERO_ALLOWED = frozenset({"num_workers", "epochs", "pretrain_epochs", "n_iters"})


def _check_range(value: int | float, default: int | float, key: str, raw_text: str) -> int | float:
    """Sizes, counts and rates with a non-negative default cannot be negative; counts (int, default >= 1) not 0."""
    if default >= 0 and value < 0:
        raise UsageError(f"--set {key}={raw_text}: '{key}' cannot be negative (default {default!r})")
    if isinstance(default, int) and default >= 1 and value < 1 and key not in ZERO_ALLOWED:
        raise UsageError(f"--set {key}={raw_text}: '{key}' must be at least 1 (default {default!r})")
    return value


def settings(**declared: Any) -> SimpleNamespace:
    """Declare the lesson's tunables with their defaults; returns them with the learner's overrides applied.

    ``cfg = runtime.settings(epochs=5, lr=0.01)`` then ``cfg.epochs``. A default may carry the values the lesson
    accepts: ``test_size=runtime.between(0.2, 0.05, 0.5)``, ``photo=runtime.one_of("china.jpg", "flower.jpg")``.
    Overrides come from ``--set`` (or a test) through the active context; keys this lesson does not declare are
    for other lessons of the same run.
    """
    ctx = current()
    values = {key: default_of(value) for key, value in declared.items()}
    for key, raw in ctx.overrides.items():
        if key in declared:
            values[key] = parse_value(raw, declared[key], key)
        elif ctx.from_environment:  # the runner checks --set keys itself; a typo in the variable would go unseen
            known = ", ".join(sorted(declared)) or "none"
            print(
                f"warning: PYTORCH_TUTORIAL_SET: this lesson has no setting '{key}' (its settings: {known})",
                file=sys.stderr,
            )
    ctx.settings = values
    return SimpleNamespace(**values)


def report(**metrics: Any) -> None:
    """Record the lesson's headline figures (the runner's summary and the tests read them) and print them."""
    ctx = current()
    ctx.metrics.update(metrics)
    shown = ", ".join(f"{key}={format_metric(value)}" for key, value in metrics.items())
    print(f"[report] {shown}")


def format_metric(value: Any) -> str:
    """A short, readable rendering of a reported figure."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, float) for v in value):
        return "[" + ", ".join(f"{v:.3g}" for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_metric(v)}" for k, v in value.items()) + "}"
    return str(value)


# ---------------------------------------------------------------------------------------------------------
# Device and seeds


def available_devices() -> dict[str, bool]:
    """Which accelerators this machine's PyTorch can use."""
    import torch

    mps = getattr(torch.backends, "mps", None)
    return {
        "cuda": torch.cuda.is_available(),
        "mps": bool(mps is not None and mps.is_available()),
        "cpu": True,
    }


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` means cuda, then mps, then cpu; asking for one that is missing is a :class:`UsageError`."""
    import torch

    if name not in DEVICE_CHOICES:
        raise UsageError(f"unknown device '{name}': choose one of {', '.join(DEVICE_CHOICES)}")
    available = available_devices()
    if name == "auto":
        name = next(kind for kind in ("cuda", "mps", "cpu") if available[kind])
    elif not available[name]:
        raise UsageError(
            f"--device {name}: no {name.upper()} device is available on this machine; use --device cpu or --device auto"
        )
    return torch.device(name)


def device() -> torch.device:
    """The device this lesson computes on (the learner's ``--device``, default cuda → mps → cpu)."""
    return resolve_device(current().device)


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's random generators so that a run repeats exactly."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def generator() -> torch.Generator:
    """A CPU random generator seeded from the run's seed, for DataLoader shuffling and random splits."""
    import torch

    return torch.Generator().manual_seed(current().seed)


# ---------------------------------------------------------------------------------------------------------
# Files, figures, progress


def check_folder_for_writing(folder: Path, option: str) -> None:
    """``folder`` must be a folder, or a path where one can be made: one :class:`UsageError` line naming
    ``option`` (``--out``) if a part of it is a file or not writable, before anything is written."""
    folder = Path(folder)
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                raise UsageError(f"{option} {folder}: {path} is a file, not a folder")
            if not os.access(path, os.W_OK):
                raise UsageError(f"{option} {folder}: {path} is not writable")
            return


def out_dir() -> Path:
    """This lesson's output folder (created on first use)."""
    path = current().out_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def output_path(name: str) -> Path:
    """A path for a file the lesson writes, inside its output folder; recorded for the runner."""
    path = out_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    ctx = current()
    if path not in ctx.files:
        ctx.files.append(path)
    return path


def in_notebook() -> bool:
    """True inside a Jupyter kernel, where figures are also shown inline."""
    return "ipykernel" in sys.modules


def pyplot():
    """matplotlib.pyplot on a non-interactive backend (nothing blocks on a window), inline in notebooks."""
    import matplotlib

    if not in_notebook():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Figure, name: str) -> Path:
    """Save ``fig`` as a PNG in the lesson's output folder, print its path, and close it."""
    path = output_path(name if name.endswith(".png") else f"{name}.png")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    if in_notebook():
        from IPython.display import display

        display(fig)
    pyplot().close(fig)
    print(f"saved figure: {path}")
    return path


def progress(iterable: Iterable[T], desc: str = "", total: int | None = None, **kwargs: Any) -> Iterable[T]:
    """A tqdm progress bar, silent when stdout is not a terminal or with ``--quiet``."""
    from tqdm.auto import tqdm

    disable = current().quiet or not sys.stdout.isatty() or bool(os.environ.get("PYTORCH_TUTORIAL_NO_PROGRESS"))
    return tqdm(iterable, desc=desc, total=total, disable=disable, leave=False, **kwargs)
