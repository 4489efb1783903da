"""Checks for lesson 15 — Transfer learning."""

from __future__ import annotations

import torch
from hypothesis import strategies as st
from torch import nn

from pytorch_tutorial.exercises.checking import (
    check,
    clone_module,
    expect,
    expect_number,
    expect_shape,
    fail,
    for_all,
    random_tensor,
)
from pytorch_tutorial.models import LeNet


class _Backbone(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU())
        self.fc = nn.Linear(8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))


def _models():
    torch.manual_seed(0)
    yield "LeNet()", LeNet(), "fc3", random_tensor((4, 1, 32, 32), 0)
    yield "a model whose head is 'fc'", _Backbone(), "fc", random_tensor((4, 6), 1)


@check("15.1")
def _(freeze_all_but_head):
    for name, model, head, x in _models():
        for p in model.parameters():
            p.requires_grad_(head != "fc")  # start from a mixed state: some already frozen
        trainable = freeze_all_but_head(model, head)
        what = f"freeze_all_but_head({name}, '{head}')"
        head_params = list(getattr(model, head).parameters())
        if not isinstance(trainable, list):
            fail(f"{what} should return a list of parameters", got=trainable)
        expect(
            len(trainable) == len(head_params) and all(any(p is q for q in head_params) for p in trainable),
            f"{what} should return exactly the head's parameters",
            expected=f"{len(head_params)} parameters of model.{head}",
            got=f"{len(trainable)} parameters",
        )
        frozen_wrong = [n for n, p in model.named_parameters() if p.requires_grad != n.startswith(f"{head}.")]
        expect(
            not frozen_wrong, f"after {what} these parameters have the wrong requires_grad: {', '.join(frozen_wrong)}"
        )
        # one training step changes the head only
        before = clone_module(model)
        optimizer = torch.optim.SGD(trainable, lr=0.5)
        model.train()
        model(x).sum().backward()
        optimizer.step()
        changed = [
            n for (n, p), q in zip(model.named_parameters(), before.parameters(), strict=True) if not torch.equal(p, q)
        ]
        expect(
            changed and all(n.startswith(f"{head}.") for n in changed),
            f"after a training step only model.{head} may change",
            got=f"changed: {changed}",
        )


@check("15.2")
def _(replace_head):
    for name, model, head, x in _models():
        model.eval()
        old_head = getattr(model, head)
        body_before = {n: p.clone() for n, p in model.named_parameters() if not n.startswith(f"{head}.")}
        for num_classes in (5, 2):
            result = replace_head(model, head, num_classes)
            what = f"replace_head({name}, '{head}', {num_classes})"
            expect(result is model, f"{what} should return the same model object")
            new_head = getattr(model, head)
            expect(isinstance(new_head, nn.Linear), f"model.{head} should be an nn.Linear", got=type(new_head).__name__)
            expect(new_head is not old_head, f"{what} kept the old head: make a new nn.Linear")
            expect(
                new_head.in_features == old_head.in_features and new_head.out_features == num_classes,
                f"{what} made a head of the wrong size",
                expected=f"Linear({old_head.in_features}, {num_classes})",
                got=f"Linear({new_head.in_features}, {new_head.out_features})",
            )
            expect_shape(model(x), (len(x), num_classes), f"the output of {name} after {what}")
            for n, p in model.named_parameters():
                if n in body_before:
                    expect(torch.equal(p, body_before[n]), f"{what} changed {n}: leave the body's weights alone")
            old_head = new_head


@check("15.3")
def _(step_lr):
    expect_number(step_lr(0.1, 7, 0.1, 0), 0.1, "step_lr(0.1, step_size=7, gamma=0.1, epoch=0)")
    expect_number(step_lr(0.1, 7, 0.1, 7), 0.01, "step_lr(0.1, step_size=7, gamma=0.1, epoch=7)", rtol=1e-9)

    @for_all(
        initial=st.sampled_from([1.0, 0.1, 0.003]),
        step_size=st.integers(1, 6),
        gamma=st.sampled_from([0.1, 0.5, 0.9]),
        epochs=st.integers(1, 20),
    )
    def _(initial, step_size, gamma, epochs):
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=initial)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
        for epoch in range(epochs):
            expected = optimizer.param_groups[0]["lr"]  # what PyTorch's scheduler really sets
            got = step_lr(initial, step_size, gamma, epoch)
            expect_number(
                got,
                expected,
                f"step_lr({initial}, step_size={step_size}, gamma={gamma}, epoch={epoch})",
                rtol=1e-9,
                atol=0,
            )
            optimizer.step()
            scheduler.step()
