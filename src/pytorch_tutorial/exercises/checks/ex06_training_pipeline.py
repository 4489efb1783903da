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


def _reference_step(model, loss_fn, optimizer, inputs, targets, *, zero_grad: bool = True) -> float:
    """Lesson 6's step; with ``zero_grad=False`` the common mistake of never clearing the gradients."""
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    if zero_grad:
        optimizer.zero_grad()
    return loss.item()


def _same_values(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.allclose(p, q, atol=1e-6) for p, q in zip(a.parameters(), b.parameters(), strict=True))


@check("6.1")
def _(training_step):
    # Either order of zeroing is right: optimizer.zero_grad() first, or after optimizer.step(). So the check
    # compares what the steps do to the weights, not where they leave the gradients; several steps in a row, so
    # that gradients left over from one step must not leak into the next.
    optimizers = {
        "SGD(lr=0.1)": lambda p: torch.optim.SGD(p, lr=0.1),
        "SGD(lr=0.05, momentum=0.9)": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        "Adam(lr=0.01)": lambda p: torch.optim.Adam(p, lr=0.01),
    }
    for seed, (name, make_optimizer) in enumerate(optimizers.items()):
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
        start, reference, forgetful = clone_module(model), clone_module(model), clone_module(model)
        optimizer, reference_optimizer, forgetful_optimizer = (
            make_optimizer(m.parameters()) for m in (model, reference, forgetful)
        )
        loss_fn = nn.MSELoss()
        for step in range(3):  # several steps: momentum state and forgotten zero_grad show up
            inputs, targets = random_tensor((5, 3), 10 * seed + step), random_tensor((5, 2), 10 * seed + step + 5)
            expected_loss = _reference_step(reference, loss_fn, reference_optimizer, inputs, targets)
            _reference_step(forgetful, loss_fn, forgetful_optimizer, inputs, targets, zero_grad=False)
            got_loss = training_step(model, loss_fn, optimizer, inputs, targets)
            what = f"with {name}, step {step + 1}"
            expect_number(got_loss, expected_loss, f"the returned loss {what}", atol=1e-5, rtol=1e-5)
            expect(
                not _same_values(model, start),
                f"training_step {what} did not change the weights: call loss.backward() and then optimizer.step() "
                "(optimizer.zero_grad() between them clears the gradient before the step can use it)",
            )
            expect(
                not (_same_values(model, forgetful) and not _same_values(model, reference)),
                f"after training_step {what} the weights are those of steps that never clear the gradients: "
                "backward() adds to them, so call optimizer.zero_grad() once per step (first, or after step())",
            )
            for (param_name, got), expected in zip(model.named_parameters(), reference.parameters(), strict=True):
                expect_tensor(
                    got.detach(), expected.detach(), f"parameter {param_name} after the step {what}", atol=1e-6
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
