"""Checks for lesson 12 — Activation functions."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from torch import nn

from pytorch_tutorial.exercises.checking import (
    check,
    expect,
    expect_shape,
    expect_tensor,
    fail,
    for_all,
    random_tensor,
)

SHAPES = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)
DTYPES = st.sampled_from([torch.float32, torch.float64])


@check("12.1")
def _(leaky_relu):
    x = torch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0])
    expect_tensor(
        leaky_relu(x.clone()), torch.tensor([-0.02, -0.005, 0.0, 0.5, 3.0]), "leaky_relu([-2, -0.5, 0, 0.5, 3])"
    )

    @for_all(shape=SHAPES, slope=st.sampled_from([0.01, 0.1, 0.2, 0.5]), dtype=DTYPES, seed=st.integers(0, 999))
    def _(shape, slope, dtype, seed):
        x = random_tensor(shape, seed, dtype).requires_grad_(True)
        reference_x = x.detach().clone().requires_grad_(True)
        expected = F.leaky_relu(reference_x, slope)
        before = x.detach().clone()
        originals = (F.leaky_relu, torch._C._nn.leaky_relu)
        F.leaky_relu = torch._C._nn.leaky_relu = _forbidden
        try:
            got = leaky_relu(x, slope)
        finally:
            F.leaky_relu, torch._C._nn.leaky_relu = originals
        what = f"leaky_relu(x of shape {shape}, {slope})"
        expect_tensor(got, expected.detach(), what)
        expect(torch.equal(x.detach(), before), f"{what} changed x in place")
        got.sum().backward()
        expected.sum().backward()
        expect_tensor(x.grad, reference_x.grad, f"the gradient of {what}")


def _forbidden(*args, **kwargs):
    fail("leaky_relu calls torch's leaky_relu: write the formula yourself")


@check("12.2")
def _(sigmoid_derivative):
    expect_tensor(sigmoid_derivative(torch.tensor([0.0])), torch.tensor([0.25]), "sigmoid_derivative([0.])")

    @for_all(shape=SHAPES, dtype=DTYPES, scale=st.sampled_from([1.0, 5.0]), seed=st.integers(0, 999))
    def _(shape, dtype, scale, seed):
        x = random_tensor(shape, seed, dtype, scale=scale)
        point = x.clone().requires_grad_(True)
        torch.sigmoid(point).sum().backward()  # autograd gives the reference derivative
        with torch.no_grad():
            got = sigmoid_derivative(x.clone())
        expect_tensor(got, point.grad, f"sigmoid_derivative(x of shape {shape} scaled by {scale:g})", atol=1e-6)


@check("12.3")
def _(make_classifier):
    for input_size, hidden_size, num_classes in ((4, 8, 3), (10, 5, 2), (1, 3, 7)):
        torch.manual_seed(input_size)
        model = make_classifier(input_size, hidden_size, num_classes)
        what = f"make_classifier({input_size}, {hidden_size}, {num_classes})"
        expect(isinstance(model, nn.Module), f"{what} should return an nn.Module", got=model)
        shapes = sorted(tuple(p.shape) for p in model.parameters())
        expected_shapes = sorted(
            [(hidden_size, input_size), (hidden_size,), (num_classes, hidden_size), (num_classes,)]
        )
        if shapes != expected_shapes:
            fail(f"{what} has the wrong parameters", expected=f"shapes {expected_shapes}", got=f"shapes {shapes}")
        x = random_tensor((16, input_size), input_size, scale=3.0)
        out = model(x)
        expect_shape(out, (16, num_classes), f"{what}(x) for x of shape (16, {input_size})", torch.float32)
        # rebuild the forward pass from the parameters: Linear -> ReLU -> Linear
        w1 = next(p for p in model.parameters() if p.shape == (hidden_size, input_size))
        b1 = next(p for p in model.parameters() if p.shape == (hidden_size,))
        w2 = next(p for p in model.parameters() if p.shape == (num_classes, hidden_size))
        b2 = next(p for p in model.parameters() if p.shape == (num_classes,))
        expected = torch.relu(x @ w1.T + b1) @ w2.T + b2
        if num_classes > 1 and torch.allclose(out.sum(dim=1), torch.ones(16)):
            fail(f"{what} outputs probabilities (rows sum to 1): leave out the softmax, return logits")
        expect_tensor(out.detach(), expected.detach(), f"{what}(x): Linear, ReLU, Linear", atol=1e-5)
