"""Checks for lesson 3 — Autograd."""

from __future__ import annotations

import torch
from hypothesis import strategies as st

from pytorch_tutorial.exercises.checking import (
    check,
    expect,
    expect_tensor,
    for_all,
    numerical_gradient,
    random_tensor,
)

FUNCTIONS = {
    "sum(t**2)": lambda t: (t**2).sum(),
    "sum(sin(t) * t)": lambda t: (torch.sin(t) * t).sum(),
    "mean(exp(t / 3))": lambda t: torch.exp(t / 3).mean(),
    "log(1 + sum(t**2))": lambda t: torch.log1p((t**2).sum()),
    "max(t) + sum(abs(t)) / 2": lambda t: t.max() + t.abs().sum() / 2,
}


@check("3.1")
def _(gradient_at):
    x = torch.tensor([1.0, -3.0])
    got = gradient_at(lambda t: (t**2).sum(), x)
    expect_tensor(got, torch.tensor([2.0, -6.0]), "gradient_at(sum(t**2), [1., -3.])")

    @for_all(
        name=st.sampled_from(sorted(FUNCTIONS)),
        shape=st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple),
        dtype=st.sampled_from([torch.float32, torch.float64]),
        seed=st.integers(0, 999),
    )
    def _(name, shape, dtype, seed):
        f = FUNCTIONS[name]
        x = random_tensor(shape, seed, dtype)
        got = gradient_at(f, x)
        what = f"gradient_at({name}, x) for x of shape {shape}, {str(dtype).replace('torch.', '')}"
        # finite differences are the independent reference
        expect_tensor(got, numerical_gradient(f, x).to(dtype), what, atol=2e-3, rtol=2e-3)
        expect(not got.requires_grad, f"{what} still requires grad: return it detached", got="requires_grad=True")
        expect(
            not x.requires_grad and x.grad is None,
            "gradient_at changed x: work on a detached copy",
            got=f"x.requires_grad={x.requires_grad}",
        )


@check("3.2")
def _(vector_jacobian_product):
    x = torch.tensor([1.0, 2.0])
    got = vector_jacobian_product(lambda t: t**2, x, torch.tensor([1.0, 10.0]))
    expect_tensor(got, torch.tensor([2.0, 40.0]), "vector_jacobian_product(t**2, [1., 2.], [1., 10.])")
    maps = {
        "t**2": lambda t: t**2,
        "A @ t": None,
        "cumsum(sin(t))": lambda t: torch.cumsum(torch.sin(t), 0),
        "stack(t.sum(), (t**3).mean())": lambda t: torch.stack([t.sum(), (t**3).mean()]),
    }

    @for_all(name=st.sampled_from(sorted(maps)), n=st.integers(1, 5), seed=st.integers(0, 999))
    def _(name, n, seed):
        x = random_tensor((n,), seed, torch.float64)
        f = maps[name]
        if f is None:
            matrix = random_tensor((3, n), seed + 7, torch.float64)
            f = lambda t: matrix @ t  # noqa: E731
        m = f(x).shape[0]
        v = random_tensor((m,), seed + 3, torch.float64)
        jacobian = torch.autograd.functional.jacobian(f, x)
        got = vector_jacobian_product(f, x, v)
        expect_tensor(got, v @ jacobian, f"vector_jacobian_product({name}, x, v) for x of shape ({n},)")
        expect(not got.requires_grad, "the result still requires grad: return it detached")


@check("3.3")
def _(sgd_update_):
    for lr in (0.1, 0.5, 0.01):
        w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        loss = (w**2).sum()
        loss.backward()  # w.grad = 2w
        original = w
        result = sgd_update_(w, lr)
        expected = torch.tensor([1.0, -2.0, 3.0]) * (1 - 2 * lr)
        expect(result is None, "sgd_update_ should change w in place and return None", got=result)
        expect(w is original, "w is not the same object any more")
        expect(
            w.is_leaf and w.requires_grad,
            "w must stay a leaf tensor that requires grad: update it under torch.no_grad()",
            got=f"is_leaf={w.is_leaf}, requires_grad={w.requires_grad}",
        )
        expect(w.grad_fn is None, "the update was recorded by autograd (w has a grad_fn): use torch.no_grad()")
        expect_tensor(w.detach(), expected, f"w after one update with lr={lr} (started at [1, -2, 3], grad 2w)")
        expect(
            w.grad is None or torch.all(w.grad == 0).item(),
            "w.grad was not reset to zero",
            expected="zeros (or None)",
            got=w.grad,
        )
        # a second step: the gradient must not accumulate the old one
        (w**2).sum().backward()
        sgd_update_(w, lr)
        expect_tensor(
            w.detach(), expected * (1 - 2 * lr), f"w after two updates with lr={lr} (gradients must not accumulate)"
        )
