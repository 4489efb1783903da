"""Checks for lesson 6 — Training pipeline."""

from __future__ import annotations

import torch
from torch import nn

from pytorch_tutorial.exercises.checking import (
    check,
    clone_module,
    expect,
    expect_number,
    expect_tensor,
    fail,
    random_tensor,
)


def _reference_step(model, loss_fn, optimizer, inputs, targets) -> float:
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss.item()


@check("6.1")
def _(training_step):
    optimizers = {
        "SGD(lr=0.1)": lambda p: torch.optim.SGD(p, lr=0.1),
        "SGD(lr=0.05, momentum=0.9)": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        "Adam(lr=0.01)": lambda p: torch.optim.Adam(p, lr=0.01),
    }
    for seed, (name, make_optimizer) in enumerate(optimizers.items()):
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
        reference = clone_module(model)
        optimizer, reference_optimizer = make_optimizer(model.parameters()), make_optimizer(reference.parameters())
        loss_fn = nn.MSELoss()
        for step in range(3):  # several steps: momentum state and forgotten zero_grad show up
            inputs, targets = random_tensor((5, 3), 10 * seed + step), random_tensor((5, 2), 10 * seed + step + 5)
            expected_loss = _reference_step(reference, loss_fn, reference_optimizer, inputs, targets)
            got_loss = training_step(model, loss_fn, optimizer, inputs, targets)
            what = f"with {name}, step {step + 1}"
            expect_number(got_loss, expected_loss, f"the returned loss {what}", atol=1e-5, rtol=1e-5)
            for (param_name, got), expected in zip(model.named_parameters(), reference.parameters(), strict=True):
                expect_tensor(
                    got.detach(), expected.detach(), f"parameter {param_name} after the step {what}", atol=1e-6
                )
                expect(
                    got.grad is None or torch.all(got.grad == 0).item(),
                    f"the gradient of {param_name} was not zeroed after the step {what}",
                    expected="zeros (or None)",
                    got=got.grad,
                )


@check("6.2")
def _(LinearRegression):
    for input_dim, output_dim in ((1, 1), (3, 2), (5, 4)):
        torch.manual_seed(input_dim)
        model = LinearRegression(input_dim, output_dim)
        what = f"LinearRegression({input_dim}, {output_dim})"
        expect(
            isinstance(model, nn.Module), f"{what} is not an nn.Module: subclass nn.Module and call super().__init__()"
        )
        shapes = sorted(tuple(p.shape) for p in model.parameters())
        expected_shapes = sorted([(output_dim, input_dim), (output_dim,)])
        if shapes != expected_shapes:
            fail(
                f"{what} has the wrong trainable parameters",
                expected=f"shapes {expected_shapes}",
                got=f"shapes {shapes}",
            )
        x = random_tensor((6, input_dim), input_dim)
        out = model(x)
        weight = next(p for p in model.parameters() if p.dim() == 2)
        bias = next(p for p in model.parameters() if p.dim() == 1)
        expect_tensor(out, (x @ weight.T + bias).detach(), f"{what}(x) for x of shape (6, {input_dim})")
        # trainable: SGD on exact linear data drives the loss down by orders of magnitude
        x = random_tensor((64, input_dim), 98)
        true_weight = random_tensor((output_dim, input_dim), 99)
        targets = x @ true_weight.T + 0.5
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        initial = nn.functional.mse_loss(model(x), targets).item()
        for _ in range(200):
            loss = nn.functional.mse_loss(model(x), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        expect(
            loss.item() < initial / 100,
            f"{what} does not learn: 200 SGD steps on exact linear data took the loss only from {initial:.3g} to "
            f"{loss.item():.3g}",
        )
