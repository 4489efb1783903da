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
import errno
import inspect
import math
import os
import random
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import IO, TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import torch
    from matplotlib.figure import Figure

T = TypeVar("T")

DEFAULT_SEED = 0
MAX_SEED = 2**32 - 1  # NumPy's seeds are 32-bit
DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


class UsageError(Exception):
    """A learner's mistake (bad option, missing GPU, offline download): one line on stderr, exit status 2."""


class Diverged(UsageError):
    """A loss (or weights about to be saved) turned NaN or infinite: training diverged. The runner reports the
    lesson as failed in one line naming the likely setting; nothing non-finite is ever saved."""


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
    defaults: dict[str, Any] = field(default_factory=dict)  # the lesson's own values of its settings

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
        _remove_loss_check(ctx)


def current() -> RunContext:
    """The active context; outside the runner, a default one for the calling lesson file."""
    global _active
    if _active is None:
        if not in_notebook():
            _one_line_usage_errors()
        _active = _default_context()
        seed_everything(_active.seed)
    return _active


def _one_line_usage_errors() -> None:
    """In a plain script, a :class:`UsageError` that escapes the lesson is one ``error:`` line, not a traceback."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        if isinstance(value, UsageError):
            print(f"error: {value}", file=sys.stderr)
        else:
            previous(kind, value, tb)

    if not getattr(previous, "one_line_usage_errors", False):
        hook.one_line_usage_errors = True  # type: ignore[attr-defined]
        sys.excepthook = hook


def _default_context() -> RunContext:
    """Context for a lesson run as a plain script (``python -m pytorch_tutorial.lessons.l04_...``) or notebook.

    The lesson is found from the calling file's name, or from ``PYTORCH_TUTORIAL_LESSON`` (a notebook has no file).
    Environment variables stand in for the runner's options: ``PYTORCH_TUTORIAL_DEVICE``, ``PYTORCH_TUTORIAL_SEED``,
    ``PYTORCH_TUTORIAL_OUT`` and ``PYTORCH_TUTORIAL_SET`` (``"epochs=1,lr=0.1"``, like repeated ``--set``; a value may hold commas,
    ``"names=Schmidt,Rossi,epochs=1"``).
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
    # a comma starts the next pair only before "key=": names=Schmidt,Rossi,epochs=1 is two settings
    for pair in re.split(r",(?=\s*\w+\s*=)", os.environ.get("PYTORCH_TUTORIAL_SET", "")):
        key, sep, value = pair.partition("=")
        if sep and key.strip():
            overrides[key.strip()] = value.strip()
    return RunContext(
        number=number,
        slug=slug,
        device=os.environ.get("PYTORCH_TUTORIAL_DEVICE", "auto"),
        seed=parse_seed(os.environ.get("PYTORCH_TUTORIAL_SEED", str(DEFAULT_SEED)), "PYTORCH_TUTORIAL_SEED="),
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
    ctx.defaults = {key: default_of(value) for key, value in declared.items()}
    values = dict(ctx.defaults)
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
    _install_loss_check(ctx)
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


def parse_seed(text: str, option: str = "--seed ") -> int:
    """A seed as typed (``--seed 7``, ``PYTORCH_TUTORIAL_SEED=7``): a whole number from 0 to 2**32-1, else one
    :class:`UsageError` line naming ``option``."""
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise UsageError(f"{option}{text}: the seed must be a whole number, e.g. {option}{DEFAULT_SEED}") from None
    if not 0 <= seed <= MAX_SEED:
        raise UsageError(f"{option}{text}: the seed must be from 0 to {MAX_SEED} (2**32-1)")
    return seed


def check_device_name(name: str) -> None:
    """A device name the course knows (before torch is imported, so that a typo is told at once)."""
    if name not in DEVICE_CHOICES:
        raise UsageError(f"unknown device '{name}': choose one of {', '.join(DEVICE_CHOICES)}")


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
    check_device_name(name)
    import torch

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
    ctx = current()
    _install_loss_check(ctx)
    return resolve_device(ctx.device)


# ---------------------------------------------------------------------------------------------------------
# Divergence: a loss that turns NaN or infinite stops the lesson in one line (no code in the lessons)

_loss_checks: dict[int, Any] = {}  # id(RunContext) -> the hook's handle


def _install_loss_check(ctx: RunContext) -> None:
    """While ``ctx``'s lesson runs, check the output of every loss module (``nn.CrossEntropyLoss()`` and the
    other ``torch.nn`` losses): a NaN or infinite loss raises :class:`Diverged`. Needs torch already imported."""
    if id(ctx) in _loss_checks or "torch" not in sys.modules:
        return
    import torch
    from torch.nn.modules.loss import _Loss

    def check_loss(module: Any, inputs: Any, output: Any) -> None:
        if not (isinstance(module, _Loss) and isinstance(output, torch.Tensor) and output.is_floating_point()):
            return
        if not bool(torch.isfinite(output.detach()).all()):
            value = output.detach().sum().item()  # nan or inf
            raise Diverged(_divergence_message(f"the loss ({type(module).__name__}) became {value}", ctx))

    _loss_checks[id(ctx)] = torch.nn.modules.module.register_module_forward_hook(check_loss)


def _remove_loss_check(ctx: RunContext) -> None:
    handle = _loss_checks.pop(id(ctx), None)
    if handle is not None:
        handle.remove()


def _divergence_message(what: str, ctx: RunContext | None = None) -> str:
    """One line: what turned non-finite, and the setting that most likely caused it."""
    ctx = ctx if ctx is not None else _active
    lr = (ctx.settings if ctx is not None else {}).get("lr")
    default = (ctx.defaults if ctx is not None else {}).get("lr")
    if _is_number(lr) and _is_number(default) and lr > default:  # the learner raised it: a tenth may still diverge
        hint = f"lr={lr:g} is likely too large: try --set lr={default:g} (this lesson's default)"
    elif _is_number(lr):
        hint = f"lr={lr:g} is likely too large: try --set lr={lr / 10:g}"
    else:
        hint = "a learning rate (lr) that is too large is the usual cause: try a smaller one"
    return f"training diverged: {what}; {hint}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def divergence_message(what: str) -> str:
    """The one-line :class:`Diverged` message for ``what`` (used by :mod:`pytorch_tutorial.checkpoint`)."""
    return _divergence_message(what)


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


def check_file(path: Path, what: str) -> None:
    """``path`` must be a file that exists: one :class:`UsageError` line (``checkpoint X does not exist``, or
    ``... is not a file``) otherwise, naming it as ``what``."""
    if not path.exists():
        raise UsageError(f"{what} {path} does not exist")
    if not path.is_file():
        raise UsageError(f"{what} {path} is not a file")


def write_atomic(path: Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Write a file through ``write(file)`` into a unique temporary file beside ``path``, then ``os.replace`` it
    into place: a reader sees the old file or the new one, never half of one, and two runs writing the same path
    never tear each other's files. If the write fails (a full disk), the old file stays, no temporary file is
    left, and the error is one :class:`UsageError` line naming the file and the cause."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(_write_failure(path, exc)) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a saved file gets the usual permissions
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        cause = _os_error_in(exc)
        if cause is not None:
            raise UsageError(_write_failure(path, cause)) from None
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _os_error_in(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc`` (torch.save reports a full disk as a RuntimeError caused by one)."""
    seen: set[int] = set()
    current_exc: BaseException | None = exc
    while current_exc is not None and id(current_exc) not in seen:
        if isinstance(current_exc, OSError) and not isinstance(current_exc, BrokenPipeError):
            return current_exc
        seen.add(id(current_exc))
        current_exc = current_exc.__cause__ or current_exc.__context__
    return None


def _write_failure(path: Path, exc: OSError) -> str:
    reason = "no space left on device" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else None
    reason = reason or (exc.strerror or str(exc) or type(exc).__name__).lower()
    return f"could not write {path}: {reason} (the previous file, if any, is unchanged)"


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
    if "matplotlib" not in sys.modules and not os.environ.get("MPLCONFIGDIR"):
        _matplotlib_config_folder()
    import matplotlib

    if not in_notebook():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _matplotlib_config_folder() -> None:
    """With no usable home (``HOME`` naming a file), give matplotlib a private temporary config folder instead of
    letting it print warnings about the one it cannot make."""
    try:
        config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "matplotlib"
        config.mkdir(parents=True, exist_ok=True)
        if os.access(config, os.W_OK):
            return
    except (OSError, RuntimeError):
        pass
    from pytorch_tutorial.data.download import cache_dir

    os.environ["MPLCONFIGDIR"] = str(cache_dir("matplotlib"))


def save_figure(fig: Figure, name: str) -> Path:
    """Save ``fig`` as a PNG in the lesson's output folder, print its path, and close it."""
    path = output_path(name if name.endswith(".png") else f"{name}.png")
    write_atomic(path, lambda file: fig.savefig(file, format="png", dpi=100, bbox_inches="tight"))
    if in_notebook():
        from IPython.display import display

        display(fig)
    pyplot().close(fig)
    print(f"saved figure: {path}")
    return path


def progress(iterable: Iterable[T], desc: str = "", total: int | None = None, **kwargs: Any) -> Iterable[T]:
    """A tqdm progress bar, silent when stdout is not a terminal or with ``--quiet``."""
    from tqdm import tqdm  # the text bar: tqdm.auto would want ipywidgets in a notebook

    disable = current().quiet or not sys.stdout.isatty() or bool(os.environ.get("PYTORCH_TUTORIAL_NO_PROGRESS"))
    return tqdm(iterable, desc=desc, total=total, disable=disable, leave=False, **kwargs)
