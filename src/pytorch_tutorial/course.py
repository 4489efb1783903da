"""The lesson registry and the runner that executes lessons in one process.

Importing this module does not import torch: ``pytorch-tutorial list`` reads only the registry, and the
settings a lesson declares are read from its source with :mod:`ast`, without running it.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import logging
import re
import runpy
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytorch_tutorial import runtime


@dataclass(frozen=True)
class Lesson:
    """One lesson of the course."""

    number: int
    slug: str
    title: str
    summary: str
    uses_data: bool = False

    @property
    def module(self) -> str:
        """The lesson's module, e.g. ``pytorch_tutorial.lessons.l04_backpropagation``."""
        return f"pytorch_tutorial.lessons.l{self.number:02d}_{self.slug}"

    @property
    def path(self) -> Path:
        """The lesson's source file."""
        return Path(__file__).parent / "lessons" / f"l{self.number:02d}_{self.slug}.py"


LESSONS: tuple[Lesson, ...] = (
    Lesson(1, "installation", "Installation", "Environment check: versions, CUDA/MPS, device, a tensor op on it"),
    Lesson(2, "tensors", "Tensor basics", "Creation, arithmetic, indexing, reshape, NumPy round trip, devices"),
    Lesson(3, "autograd", "Autograd", "requires_grad, backward, vector-Jacobian products, stopping tracking"),
    Lesson(4, "backpropagation", "Backpropagation", "Chain rule by hand vs autograd vs finite differences"),
    Lesson(5, "gradient_descent", "Gradient descent", "Fit f(x)=2x in NumPy by hand, then with autograd"),
    Lesson(6, "training_pipeline", "Training pipeline", "Loss, optimizer, nn.Linear and nn.Module step by step"),
    Lesson(7, "linear_regression", "Linear regression", "nn.Linear + MSE + SGD vs the least-squares optimum"),
    Lesson(8, "logistic_regression", "Logistic regression", "Breast-cancer data, sigmoid + BCE, vs scikit-learn"),
    Lesson(9, "dataloader", "Dataset and DataLoader", "A custom Dataset, batching, workers, MNIST", True),
    Lesson(10, "transforms", "Transforms", "Callable transforms, Compose, torchvision transforms v2 on a photo"),
    Lesson(11, "softmax_crossentropy", "Softmax and cross-entropy", "Stable softmax, CrossEntropyLoss on logits"),
    Lesson(12, "activations", "Activation functions", "Step, sigmoid, tanh, ReLU, leaky ReLU, softmax"),
    Lesson(13, "feedforward", "Feed-forward network", "784-500-10 MLP on MNIST: training loop, evaluation", True),
    Lesson(14, "cnn", "Convolutional network", "LeNet on MNIST, output sizes, what the filters learn", True),
    Lesson(15, "transfer_learning", "Transfer learning", "Fine-tune all vs train only a new head", True),
    Lesson(16, "tensorboard", "TensorBoard", "Scalars, images, graph, histograms, PR curves, hparams", True),
    Lesson(17, "save_load", "Saving and loading", "state_dict, safe torch.load, checkpoints, exact resume", True),
    Lesson(
        18, "deploy", "Deploying as a web app", "The CNN behind a Flask app: POST /predict and a page to draw on", True
    ),
    Lesson(19, "rnn_names", "RNN name classification", "A recurrent network by hand guesses a surname's language"),
    Lesson(20, "rnn_lstm_gru", "RNN, LSTM and GRU", "MNIST rows as sequences: nn.RNN vs nn.GRU vs nn.LSTM", True),
    Lesson(21, "lightning", "PyTorch Lightning", "Lesson 13's network as a LightningModule with a Trainer", True),
    Lesson(
        22, "lr_schedulers", "Learning-rate schedulers", "StepLR, cosine, OneCycleLR, ReduceLROnPlateau, compared", True
    ),
    Lesson(23, "distributed", "Distributed training", "DistributedDataParallel under torchrun, 2 processes", True),
)

BY_NUMBER: dict[int, Lesson] = {lesson.number: lesson for lesson in LESSONS}


def available_lessons() -> tuple[Lesson, ...]:
    """The registered lessons whose source file exists."""
    return tuple(lesson for lesson in LESSONS if lesson.path.exists())


def select(words: list[str]) -> list[Lesson]:
    """Lessons named on the command line (``4 5``, ``all``) in course order, each once."""
    if not words:
        raise runtime.UsageError("name the lessons to run, e.g. 'run 4' or 'run all' (see 'pytorch-tutorial list')")
    if "all" in words and len(set(words)) > 1:
        others = " ".join(word for word in words if word != "all")
        raise runtime.UsageError(
            f"'run all {others}' is ambiguous: 'all' already runs every lesson; write 'all' or the lesson numbers"
        )
    chosen: set[int] = set()
    for word in words:
        if word == "all":
            chosen.update(lesson.number for lesson in available_lessons())
            continue
        try:
            number = int(word)
        except ValueError:
            number = -1
        if number not in BY_NUMBER or not BY_NUMBER[number].path.exists():
            known = ", ".join(str(lesson.number) for lesson in available_lessons())
            raise runtime.UsageError(f"unknown lesson '{word}': choose from {known} or 'all'")
        chosen.add(number)
    return [BY_NUMBER[number] for number in sorted(chosen)]


def declarations(lesson: Lesson) -> dict[str, Any]:
    """The tunables a lesson declares in ``runtime.settings(...)``, read from its source without running it.

    A value is the plain default (``10``) or a :class:`runtime.Setting` (``runtime.between(0.2, 0.05, 0.5)``,
    whose arguments are literals or ``runtime`` constants such as ``runtime.MAX_CPU_PROCESSES``).
    """
    tree = ast.parse(lesson.path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if _is_runtime_call(node, "settings"):
            return {kw.arg: _declared_value(kw.value) for kw in node.keywords if kw.arg}
    return {}


def declared_settings(lesson: Lesson) -> dict[str, Any]:
    """The defaults of the tunables a lesson declares: ``{"epochs": 10, "lr": 0.001}``."""
    return {key: runtime.default_of(value) for key, value in declarations(lesson).items()}


def _is_runtime_call(node: ast.AST, name: str | None = None) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "runtime"
        and (name is None or node.func.attr == name)
    )


def _declared_value(node: ast.expr) -> Any:
    """A literal, a ``runtime.CONSTANT``, or a ``runtime.between(...)``/``runtime.one_of(...)`` of those."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "runtime":
        return getattr(runtime, node.attr)
    if _is_runtime_call(node) and node.func.attr in ("between", "one_of"):  # type: ignore[attr-defined]
        args = [_declared_value(arg) for arg in node.args]
        kwargs = {kw.arg: _declared_value(kw.value) for kw in node.keywords if kw.arg}
        return getattr(runtime, node.func.attr)(*args, **kwargs)  # type: ignore[attr-defined]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_declared_value(node.operand)
    return ast.literal_eval(node)


def core_lines(lesson: Lesson) -> int:
    """The length of a lesson's core: non-blank, non-comment lines of its code cells before the markdown cell
    headed ``## Going further`` (or the whole file when it has none)."""
    count, in_markdown = 0, False
    for line in lesson.path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            in_markdown = "[markdown]" in line
            continue
        if in_markdown:
            if re.match(r"#\s*##\s+Going further\b", line):
                break
            continue
        if line.strip() and not line.strip().startswith("#"):
            count += 1
    return count


def parse_overrides(pairs: list[str], lessons: list[Lesson]) -> dict[str, Any]:
    """Turn ``--set key=value`` pairs into typed values, checked against the chosen lessons' settings."""
    declared = {lesson.number: declarations(lesson) for lesson in lessons}
    overrides: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise runtime.UsageError(f"--set {pair}: write it as key=value, e.g. --set epochs=2")
        owners = [number for number, keys in declared.items() if key in keys]
        if not owners:
            names = sorted({name for keys in declared.values() for name in keys})
            which = "lesson " + ", ".join(str(lesson.number) for lesson in lessons)
            hint = f"its settings are: {', '.join(names)}" if names else "it has no settings"
            raise runtime.UsageError(f"--set {key}: {which} has no setting '{key}'; {hint}")
        for number in owners:
            overrides[key] = runtime.parse_value(raw, declared[number][key], key)
    return overrides


@dataclass
class LessonResult:
    """What one lesson run produced, for the summary, summary.json and the tests."""

    lesson: Lesson
    seconds: float
    status: str
    metrics: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    files: list[Path] = field(default_factory=list)
    namespace: dict[str, Any] = field(default_factory=dict, repr=False)
    log: Path | None = None  # the traceback of a lesson that failed

    def as_json(self) -> dict[str, Any]:
        """The lesson's entry in ``summary.json``."""
        entry: dict[str, Any] = {
            "number": self.lesson.number,
            "slug": self.lesson.slug,
            "title": self.lesson.title,
            "seconds": round(self.seconds, 3),
            "status": self.status,
            "metrics": _jsonable(self.metrics),
        }
        if self.error:
            entry["error"] = self.error
        if self.log:
            entry["log"] = str(self.log)
        return entry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """``--quiet``: what a lesson prints is not shown, nor what it logs below ERROR (lesson 18's app logs every bad
    request it is sent, and logging prints those warnings on stderr)."""
    disabled = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        logging.disable(disabled)


def run_lesson(lesson: Lesson, ctx: runtime.RunContext) -> LessonResult:
    """Run one lesson in this process as ``__main__`` under ``ctx``.

    A :class:`runtime.UsageError` (a learner's mistake) propagates. A lesson that fails is returned as failed
    with a one-line error (exception type and first line of its message); its traceback goes to
    ``OUT/NN-slug/error.log``, whose path is printed. A diverged training (:class:`runtime.Diverged`) and a
    setting too large for memory are one line that names the likely setting, without a log.
    """
    start = time.perf_counter()
    namespace: dict[str, Any] = {}
    status, error, log = "ok", None, None
    quiet = _quiet() if ctx.quiet else contextlib.nullcontext()
    (ctx.out_dir / "error.log").unlink(missing_ok=True)  # a failure of an earlier run, now out of date
    threads = _threads()
    try:
        with runtime.activate(ctx), quiet:
            namespace = runpy.run_path(str(lesson.path), run_name="__main__")
    except runtime.Diverged as exc:
        status, error = "failed", str(exc)  # "training diverged: the loss ... became nan; lr=... is likely ..."
    except runtime.UsageError:
        raise
    except BrokenPipeError:  # the reader of our output went away (| head): stop the whole run quietly
        raise
    except Exception as exc:  # a lesson that raises is reported as failed; the others still run
        status = "failed"
        if _is_out_of_memory(exc):
            error = _out_of_memory_message(ctx)
        else:
            error = f"{type(exc).__name__}: {_first_line(exc)}".removesuffix(": ")
            log = _write_log(ctx, lesson, exc)
        where = f"; traceback in {log}" if log else ""
        print(f"lesson {lesson.number} failed: {error}{where}", file=sys.stderr)
    finally:
        _close_figures()
        _restore_threads(threads)
    return LessonResult(
        lesson=lesson,
        seconds=time.perf_counter() - start,
        status=status,
        metrics=dict(ctx.metrics),
        error=error,
        files=list(ctx.files),
        namespace=namespace,
        log=log,
    )


def _first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message (torch's messages run over many lines)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else ""


def _is_out_of_memory(exc: BaseException) -> bool:
    """A ``MemoryError``, or torch's allocator refusing (CPU: "can't allocate memory", CUDA: "out of memory")."""
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and any(
        phrase in text for phrase in ("can't allocate memory", "not enough memory", "out of memory")
    )


def _out_of_memory_message(ctx: runtime.RunContext) -> str:
    changed = ", ".join(f"{key}={value}" for key, value in ctx.overrides.items())
    if changed:
        return f"MemoryError: not enough memory for these settings ({changed}); try smaller values"
    return "MemoryError: not enough memory for this lesson; close other programs or try smaller settings"


def _write_log(ctx: runtime.RunContext, lesson: Lesson, exc: BaseException) -> Path | None:
    """Write the failed lesson's traceback to ``OUT/NN-slug/error.log`` (atomically); None if that fails too."""
    text = f"lesson {lesson.number} ({lesson.slug}) failed:\n" + "".join(traceback.format_exception(exc))
    try:
        return runtime.write_atomic(ctx.out_dir / "error.log", lambda file: file.write(text.encode("utf-8")))
    except runtime.UsageError as write_error:
        print(f"warning: {write_error}", file=sys.stderr)
        return None


def _threads() -> int:
    """torch's CPU thread count before a lesson (every lesson imports torch, so importing it here costs nothing)."""
    import torch

    return torch.get_num_threads()


def _restore_threads(threads: int) -> None:
    """Undo a lesson's ``torch.set_num_threads`` (lesson 19 uses one thread), so the next lesson gets as many."""
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def _close_figures() -> None:
    """Close any figure a lesson left open so that memory does not grow across lessons."""
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def is_installed(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it)."""
    return importlib.util.find_spec(module) is not None
