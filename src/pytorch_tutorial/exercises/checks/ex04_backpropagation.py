"""Checks for lesson 4 — Backpropagation."""

from __future__ import annotations

import torch
from hypothesis import strategies as st

from pytorch_tutorial.exercises.checking import (
    check,
    expect,
    expect_number,
    expect_tensor,
    fail,
    for_all,
    random_tensor,
)

FLOATS = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


@check("4.1")
def _(squared_error_and_grad):
    result = squared_error_and_grad(1.0, 2.0, 1.0)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail("squared_error_and_grad should return a pair (loss, grad)", expected="(1.0, -2.0)", got=result)
    expect_number(result[0], 1.0, "the loss for x=1, y=2, w=1")
    expect_number(result[1], -2.0, "dloss/dw for x=1, y=2, w=1")

    @for_all(x=FLOATS, y=FLOATS, w=FLOATS)
    def _(x, y, w):
        loss, grad = squared_error_and_grad(x, y, w)
        wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        reference = (wt * x - y) ** 2
        reference.backward()
        expect_number(loss, reference.item(), f"the loss for x={x}, y={y}, w={w}", atol=1e-9, rtol=1e-9)
        expect_number(grad, wt.grad.item(), f"dloss/dw for x={x}, y={y}, w={w}", atol=1e-9, rtol=1e-9)


@check("4.2")
def _(linear_backward):
    @for_all(
        batch=st.integers(1, 5),
        in_features=st.integers(1, 5),
        out_features=st.integers(1, 5),
        seed=st.integers(0, 999),
    )
    def _(batch, in_features, out_features, seed):
        x = random_tensor((batch, in_features), seed, torch.float64).requires_grad_(True)
        weight = random_tensor((out_features, in_features), seed + 1, torch.float64).requires_grad_(True)
        bias = random_tensor((out_features,), seed + 2, torch.float64).requires_grad_(True)
        grad_output = random_tensor((batch, out_features), seed + 3, torch.float64)
        y = x @ weight.T + bias
        y.backward(grad_output)  # autograd's answer is the reference
        with torch.no_grad():
            result = linear_backward(x.detach(), weight.detach(), bias.detach(), grad_output)
        if not (isinstance(result, tuple) and len(result) == 3):
            fail("linear_backward should return a triple (grad_x, grad_weight, grad_bias)", got=result)
        what = f"for x {tuple(x.shape)}, weight {tuple(weight.shape)}"
        expect_tensor(result[0], x.grad, f"dL/dx {what}", atol=1e-9)
        expect_tensor(result[1], weight.grad, f"dL/dweight {what}", atol=1e-9)
        expect_tensor(result[2], bias.grad, f"dL/dbias {what}", atol=1e-9)


@check("4.3")
def _(numerical_gradient):
    functions = {
        "sum(t**2)": lambda t: (t**2).sum(),
        "sum(sin(t) * t)": lambda t: (torch.sin(t) * t).sum(),
        "prod(1 + t / 10)": lambda t: (1 + t / 10).prod(),
    }

    @for_all(
        name=st.sampled_from(sorted(functions)),
        shape=st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple),
        dtype=st.sampled_from([torch.float32, torch.float64]),
        seed=st.integers(0, 999),
    )
    def _(name, shape, dtype, seed):
        f = functions[name]
        x = random_tensor(shape, seed, dtype)
        before = x.clone()
        exact = x.detach().to(torch.float64).requires_grad_(True)
        f(exact).backward()
        got = numerical_gradient(f, x)
        what = f"numerical_gradient({name}, x) for x of shape {shape}, {str(dtype).replace('torch.', '')}"
        expect_tensor(got, exact.grad, what, atol=1e-5, rtol=1e-5)
        expect(torch.equal(x, before), "numerical_gradient changed x", expected=before, got=x)
