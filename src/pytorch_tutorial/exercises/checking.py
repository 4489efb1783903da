"""The tools the checks are written with.

A check is a function registered with ``@check("2.1")`` that receives the learner's objects (the names the
catalog lists) and raises :class:`CheckFailure` — with what was expected and what the learner's code gave —
when the behaviour is wrong. ``for_all`` runs a property test (hypothesis) over many generated inputs, with
fixed examples so that a failure repeats on the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st

CheckFn = Callable[..., None]
REGISTRY: dict[str, CheckFn] = {}

PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure repeats until it is fixed
    database=None,
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
    verbosity=Verbosity.normal,  # normal adds the failing input to the exception's notes
    print_blob=False,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no "explain": it costs seconds
)


def check(exercise_id: str) -> Callable[[CheckFn], CheckFn]:
    """Register the check of exercise ``exercise_id``."""

    def register(fn: CheckFn) -> CheckFn:
        if exercise_id in REGISTRY:
            raise ValueError(f"two checks for exercise {exercise_id}")
        REGISTRY[exercise_id] = fn
        return fn

    return register


class CheckFailure(AssertionError):
    """The learner's code did the wrong thing: ``message`` says what, ``expected``/``got`` show it."""

    def __init__(self, message: str, *, expected: Any = None, got: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.got = got


def fail(message: str, *, expected: Any = None, got: Any = None) -> None:
    """Raise a :class:`CheckFailure`; ``expected``/``got`` are shown with :func:`show` unless they are str."""
    raise CheckFailure(
        message,
        expected=expected if expected is None or isinstance(expected, str) else show(expected),
        got=got if got is None or isinstance(got, str) else show(got),
    )


def show(value: Any, limit: int = 300) -> str:
    """A short description of a value: tensors and arrays with shape, dtype and (a few) values."""
    if isinstance(value, torch.Tensor):
        data = value.detach().cpu()
        if data.dtype == torch.bfloat16:
            data = data.float()
        text = np.array2string(data.numpy(), precision=4, threshold=12, edgeitems=2, separator=", ")
        head = f"tensor of shape {tuple(value.shape)}, {str(value.dtype).replace('torch.', '')}"
        return _clip(f"{head}: {' '.join(text.split())}", limit)
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=4, threshold=12, edgeitems=2, separator=", ")
        return _clip(f"array of shape {value.shape}, {value.dtype}: {' '.join(text.split())}", limit)
    if isinstance(value, (list, tuple)) and value and any(isinstance(v, (torch.Tensor, np.ndarray)) for v in value):
        inner = "; ".join(show(v, limit // len(value)) for v in value)
        return _clip(f"{type(value).__name__} of {len(value)}: {inner}", limit)
    return _clip(f"{value!r} ({type(value).__name__})", limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shape_of(value: Any) -> str:
    """``(2, 3)`` for a tensor or array, else the type's name."""
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return str(tuple(value.shape))
    return f"a {type(value).__name__}"


def expect_tensor(
    got: Any,
    expected: torch.Tensor,
    what: str,
    *,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    dtype: bool = True,
) -> torch.Tensor:
    """``got`` must be a tensor of ``expected``'s shape (and dtype, unless ``dtype=False``) and values."""
    if not isinstance(got, torch.Tensor):
        fail(f"{what} should be a torch.Tensor, not {type(got).__name__}", expected=expected, got=got)
    if tuple(got.shape) != tuple(expected.shape):
        fail(f"{what} has the wrong shape", expected=f"shape {tuple(expected.shape)}", got=f"shape {tuple(got.shape)}")
    if dtype and got.dtype != expected.dtype:
        fail(f"{what} has the wrong dtype", expected=str(expected.dtype), got=str(got.dtype))
    got_values = got.detach().cpu()
    expected_values = expected.detach().cpu()
    if got_values.is_floating_point() or expected_values.is_floating_point():
        same = torch.allclose(got_values.double(), expected_values.double(), atol=atol, rtol=rtol, equal_nan=True)
    else:
        same = torch.equal(got_values, expected_values.to(got_values.dtype))
    if not same:
        fail(f"{what} has the wrong values", expected=expected, got=got)
    return got


def expect_shape(got: Any, shape: tuple[int, ...], what: str, dtype: torch.dtype | None = None) -> torch.Tensor:
    """``got`` must be a tensor of this shape (and dtype, when given)."""
    if not isinstance(got, torch.Tensor):
        fail(f"{what} should be a torch.Tensor, not {type(got).__name__}", expected=f"shape {shape}", got=got)
    if tuple(got.shape) != tuple(shape):
        fail(f"{what} has the wrong shape", expected=f"shape {tuple(shape)}", got=f"shape {tuple(got.shape)}")
    if dtype is not None and got.dtype != dtype:
        fail(f"{what} has the wrong dtype", expected=str(dtype), got=str(got.dtype))
    return got


def expect_array(got: Any, expected: np.ndarray, what: str, *, atol: float = 1e-8, rtol: float = 1e-6) -> np.ndarray:
    """``got`` must be a NumPy array of ``expected``'s shape and (close) values."""
    if not isinstance(got, np.ndarray):
        fail(f"{what} should be a NumPy array, not {type(got).__name__}", expected=expected, got=got)
    if got.shape != expected.shape:
        fail(f"{what} has the wrong shape", expected=f"shape {expected.shape}", got=f"shape {got.shape}")
    if not np.allclose(got, expected, atol=atol, rtol=rtol, equal_nan=True):
        fail(f"{what} has the wrong values", expected=expected, got=got)
    return got


def expect_number(got: Any, expected: float, what: str, *, atol: float = 1e-6, rtol: float = 1e-6) -> float:
    """``got`` must be a Python number (int or float, not a tensor) close to ``expected``."""
    if isinstance(got, (torch.Tensor, np.ndarray)):
        fail(f"{what} should be a Python number (use .item() or float())", expected=expected, got=got)
    if isinstance(got, bool) or not isinstance(got, (int, float, np.floating, np.integer)):
        fail(f"{what} should be a number, not {type(got).__name__}", expected=expected, got=got)
    if not np.isclose(float(got), expected, atol=atol, rtol=rtol):
        fail(f"{what} has the wrong value", expected=f"{expected:.6g}", got=f"{float(got):.6g}")
    return float(got)


def expect(condition: bool, message: str, *, expected: Any = None, got: Any = None) -> None:
    """Fail with ``message`` unless ``condition``."""
    if not condition:
        fail(message, expected=expected, got=got)


def for_all(**strategies: st.SearchStrategy[Any]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Run the decorated property at once over generated keyword arguments (hypothesis).

    ``@for_all(n=st.integers(1, 5))`` above ``def _(n): ...`` checks the body for many ``n``; a failure
    is shrunk to the simplest input, which the report shows as "for the input".
    """

    def run(prop: Callable[..., None]) -> Callable[..., None]:
        test = PROPERTY_SETTINGS(given(**strategies)(prop))
        test()
        return test

    return run


def random_tensor(
    shape: tuple[int, ...], seed: int, dtype: torch.dtype = torch.float32, scale: float = 1.0
) -> torch.Tensor:
    """A reproducible normal random tensor (ints in [-9, 9] for integer dtypes)."""
    gen = torch.Generator().manual_seed(seed)
    if dtype.is_floating_point:
        return (torch.randn(shape, generator=gen, dtype=torch.float64) * scale).to(dtype)
    return torch.randint(-9, 10, shape, generator=gen).to(dtype)


def numerical_gradient(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Central finite differences of a scalar function, in float64: the checks' independent reference."""
    x = x.detach().to(torch.float64)
    grad = torch.zeros_like(x)
    flat = grad.view(-1)
    for i in range(x.numel()):
        step = torch.zeros_like(x).view(-1)
        step[i] = eps
        step = step.view_as(x)
        flat[i] = (float(f(x + step)) - float(f(x - step))) / (2 * eps)
    return grad


def count_torch_calls(fn: Callable[..., Any], *args: Any) -> tuple[Any, int, set[str]]:
    """Call ``fn(*args)`` and count the torch functions and tensor methods it runs.

    A vectorised solution runs the same few operations for any input size; a Python loop runs more for a
    bigger input. Also returns the names of element-wise conversions it used (``item``, ``tolist``).
    """
    from torch.overrides import TorchFunctionMode

    names: list[str] = []

    class Counter(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            names.append(getattr(func, "__name__", str(func)))
            return func(*args, **(kwargs or {}))

    with Counter():
        result = fn(*args)
    conversions = {name for name in names if name in ("item", "tolist", "numpy", "__iter__", "unbind")}
    return result, len(names), conversions


def expect_no_loops(fn: Callable[..., Any], small_args: tuple[Any, ...], big_args: tuple[Any, ...], name: str) -> None:
    """``fn`` must run as many tensor operations on ``big_args`` as on ``small_args`` (no Python loops)."""
    _, small_count, small_conversions = count_torch_calls(fn, *small_args)
    _, big_count, big_conversions = count_torch_calls(fn, *big_args)
    conversions = small_conversions | big_conversions
    if conversions:
        fail(
            f"{name} converts tensors element by element ({', '.join(sorted(conversions))}): "
            "solve it with whole-tensor operations",
            expected="no .item(), .tolist(), .numpy() or iteration over a tensor",
            got=f"calls to {', '.join(sorted(conversions))}",
        )
    if big_count > small_count:
        fail(
            f"{name} runs more tensor operations for a bigger input, so it loops in Python",
            expected=f"the same number of operations for both inputs ({small_count})",
            got=f"{small_count} operations for the small input, {big_count} for the bigger one",
        )


def clone_module(module: torch.nn.Module) -> torch.nn.Module:
    """A deep copy of a module (same weights, independent tensors)."""
    import copy

    return copy.deepcopy(module)


def same_parameters(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    """Whether two modules hold bit-identical parameters and buffers."""
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
