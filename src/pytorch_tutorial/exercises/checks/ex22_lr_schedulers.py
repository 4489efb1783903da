"""Checks for lesson 22 — Learning-rate schedulers."""

from __future__ import annotations

import math
import warnings

import torch
from hypothesis import strategies as st
from torch import nn
from torch.optim import lr_scheduler
from torch.utils.data import DataLoader, TensorDataset

from pytorch_tutorial.exercises.checking import check, expect, fail, for_all, random_tensor


def _rates_over_epochs(scheduler: lr_scheduler.LRScheduler, epochs: int) -> list[float]:
    """The rate of each epoch, stepping the optimizer and then the scheduler once per epoch."""
    optimizer = scheduler.optimizer
    rates = []
    for _ in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


def _warmup_cosine_factors(warmup: int, total: int) -> list[float]:
    return [
        (e + 1) / warmup if e < warmup else (1 + math.cos(math.pi * (e - warmup) / (total - warmup))) / 2
        for e in range(total)
    ]


@check("22.1")
def _(warmup_cosine):
    for lr, warmup, total in ((0.1, 5, 20), (0.03, 1, 4), (1.0, 0, 6), (0.5, 3, 4), (0.2, 2, 30)):
        optimizer = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=lr)
        what = f"warmup_cosine(an SGD optimizer at lr {lr}, warmup_epochs={warmup}, total_epochs={total})"
        scheduler = warmup_cosine(optimizer, warmup, total)
        expect(
            isinstance(scheduler, lr_scheduler.LRScheduler),
            f"{what} should return a learning-rate scheduler (e.g. lr_scheduler.LambdaLR)",
            got=scheduler,
        )
        expect(scheduler.optimizer is optimizer, f"{what} returned a scheduler for another optimizer")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a learner's own warnings are not what is judged here
            got = _rates_over_epochs(scheduler, total)
        expected = [lr * f for f in _warmup_cosine_factors(warmup, total)]
        if warmup and math.isclose(got[0], 0.0, abs_tol=1e-12):
            fail(
                f"under {what} the first epoch's rate is 0, so it learns nothing: the factor of epoch e (counted "
                "from 0) during the warm-up is (e + 1) / warmup_epochs",
                expected=[round(r, 6) for r in expected],
                got=[round(r, 6) for r in got],
            )
        if not all(math.isclose(g, e, rel_tol=1e-5, abs_tol=1e-6 * lr) for g, e in zip(got, expected, strict=True)):
            fail(
                f"the rates of epochs 0-{total - 1} under {what} have the wrong values",
                expected=[round(r, 6) for r in expected],
                got=[round(r, 6) for r in got],
            )


class _LoggingSGD(torch.optim.SGD):
    """SGD that notes each step (and the rate it used) in a shared list of events."""

    def __init__(self, params, lr: float, events: list[tuple[str, float]]) -> None:
        super().__init__(params, lr=lr)
        self.events = events

    def step(self, closure=None):  # type: ignore[override]
        self.events.append(("optimizer", self.param_groups[0]["lr"]))
        return super().step(closure)


def _logging(scheduler_class: type, events: list[tuple[str, float]]) -> type:
    """A subclass of ``scheduler_class`` that notes each of its steps in ``events``."""

    class Logging(scheduler_class):  # type: ignore[misc, valid-type]
        def step(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            events.append(("scheduler", 0.0))
            return super().step(*args, **kwargs)

    return Logging


def _reference_train(model, loader, optimizer, scheduler, epochs: int, per_batch: bool) -> None:
    for _ in range(epochs):
        for inputs, targets in loader:
            nn.functional.cross_entropy(model(inputs), targets).backward()
            optimizer.step()
            optimizer.zero_grad()
            if per_batch:
                scheduler.step()
        if not per_batch:
            scheduler.step()


def _make_scheduler(per_batch: bool, optimizer, events: list[tuple[str, float]], batches: int, epochs: int):
    """OneCycleLR (a per-batch scheduler) or StepLR (a per-epoch one) that notes its steps in ``events``."""
    if per_batch:
        return _logging(lr_scheduler.OneCycleLR, events)(optimizer, max_lr=0.5, epochs=epochs, steps_per_epoch=batches)
    return _logging(lr_scheduler.StepLR, events)(optimizer, step_size=1, gamma=0.5)


@check("22.2")
def _(train_with_scheduler):
    for per_batch, n, batch, epochs in ((False, 12, 4, 3), (True, 10, 5, 2), (False, 7, 3, 2), (True, 9, 9, 3)):
        x = random_tensor((n, 3), n)
        y = torch.randint(0, 2, (n,), generator=torch.Generator().manual_seed(n))
        loader = DataLoader(TensorDataset(x, y), batch_size=batch)
        batches = len(loader)
        torch.manual_seed(n)
        model, reference = nn.Linear(3, 2), nn.Linear(3, 2)
        reference.load_state_dict(model.state_dict())
        events: list[tuple[str, float]] = []
        optimizer = _LoggingSGD(model.parameters(), lr=0.5, events=events)
        scheduler = _make_scheduler(per_batch, optimizer, events, batches, epochs)
        events.clear()  # a scheduler steps once when it is made: that step sets the first rate
        kind = "OneCycleLR" if per_batch else "StepLR"
        what = f"train_with_scheduler({epochs} epochs of {batches} batches, {kind}, per_batch={per_batch})"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = train_with_scheduler(model, loader, nn.CrossEntropyLoss(), optimizer, scheduler, epochs, per_batch)
        order = [event for event, _ in events]
        if (order and order[0] == "scheduler") or any("before `optimizer.step()`" in str(w.message) for w in caught):
            fail(
                f"{what} called scheduler.step() before optimizer.step(): that skips the schedule's first rate. "
                "Call optimizer.step() first, then scheduler.step()",
                got=" -> ".join(order[:6]) + " ...",
            )
        steps = order.count("scheduler")
        if per_batch and steps == epochs and batches > 1:
            fail(f"{what} stepped the scheduler once per epoch: with per_batch=True, step it after every batch")
        if not per_batch and steps == epochs * batches and batches > 1:
            fail(f"{what} stepped the scheduler after every batch: with per_batch=False, step it once per epoch")
        expected_order = (
            ["optimizer", "scheduler"] * (epochs * batches)
            if per_batch
            else (["optimizer"] * batches + ["scheduler"]) * epochs
        )
        expect(
            order == expected_order,
            f"{what} called optimizer.step() and scheduler.step() in the wrong order or number",
            expected=" -> ".join(expected_order[: 2 * batches + 2]) + " ...",
            got=" -> ".join(order[: 2 * batches + 2]) + " ...",
        )
        # the same training by the book: the weights must end the same
        reference_events: list[tuple[str, float]] = []
        reference_optimizer = _LoggingSGD(reference.parameters(), lr=0.5, events=reference_events)
        reference_scheduler = _make_scheduler(per_batch, reference_optimizer, reference_events, batches, epochs)
        _reference_train(reference, loader, reference_optimizer, reference_scheduler, epochs, per_batch)
        for p, q in zip(model.parameters(), reference.parameters(), strict=True):
            expect(
                torch.allclose(p, q, atol=1e-6),
                f"after {what} the weights differ from those of forward, loss, backward, optimizer.step() and "
                "zero_grad for each batch",
            )
        used = [rate for event, rate in events if event == "optimizer"]
        expect(
            isinstance(got, list) and all(isinstance(rate, float) for rate in got),
            f"{what} should return a list of Python floats, one per batch",
            got=got,
        )
        expect(
            len(got) == len(used) and all(math.isclose(g, u, rel_tol=1e-9) for g, u in zip(got, used, strict=False)),
            f"the rates returned by {what} are not those the batches were trained with",
            expected=[round(rate, 5) for rate in used],
            got=[round(rate, 5) for rate in got],
        )


def _plateau_reference(losses: list[float], lr: float, factor: float, patience: int) -> list[float]:
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    plateau = lr_scheduler.ReduceLROnPlateau(optimizer, factor=factor, patience=patience)
    rates = []
    for loss in losses:
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        plateau.step(loss)
    return rates


def _plateau_too_early(losses: list[float], lr: float, factor: float, patience: int) -> list[float]:
    """The usual slip: reducing when the count reaches patience instead of going above it."""
    rates, best, bad = [], math.inf, 0
    for loss in losses:
        rates.append(lr)
        best, bad = (loss, 0) if loss < best * (1 - 1e-4) else (best, bad + 1)
        if bad >= patience:
            lr, bad = lr * factor, 0
    return rates


def _forbidden_plateau(*args, **kwargs):
    fail("plateau_rates uses ReduceLROnPlateau: count the epochs without improvement yourself")


def _judge_plateau(plateau_rates, losses: list[float], lr: float, factor: float, patience: int) -> None:
    expected = _plateau_reference(losses, lr, factor, patience)
    what = f"plateau_rates({losses}, lr={lr}, factor={factor}, patience={patience})"
    original, lr_scheduler.ReduceLROnPlateau.step = lr_scheduler.ReduceLROnPlateau.step, _forbidden_plateau
    try:
        got = plateau_rates(list(losses), lr, factor, patience)
    finally:
        lr_scheduler.ReduceLROnPlateau.step = original
    if not isinstance(got, list) or len(got) != len(losses):
        fail(f"{what} should return a list with one rate per epoch", expected=expected, got=got)
    if all(math.isclose(g, e, rel_tol=1e-9) for g, e in zip(got, expected, strict=True)):
        return
    if got == _plateau_too_early(losses, lr, factor, patience):
        fail(
            f"{what} lowers the rate one epoch too early: ReduceLROnPlateau waits until the count of epochs "
            "without improvement is greater than patience",
            expected=expected,
            got=got,
        )
    fail(f"{what} has the wrong values", expected=expected, got=got)


@check("22.3")
def _(plateau_rates):
    _judge_plateau(plateau_rates, [1.0, 0.85, 0.7, 0.55, 0.4] + [0.3] * 15, 0.1, 0.5, 2)  # lesson 22's made-up loss
    _judge_plateau(plateau_rates, [0.5, 0.4, 0.4, 0.39999, 0.4, 0.3, 0.3, 0.3], 1.0, 0.1, 1)  # 0.39999: too small

    @for_all(
        steps=st.lists(st.integers(-2, 3), min_size=1, max_size=16),
        factor=st.sampled_from([0.5, 0.2]),
        patience=st.integers(0, 4),
    )
    def _(steps, factor, patience):
        losses, value = [], 2.0
        for step in steps:  # small integer steps of 0.1: ties and plateaus are common
            value = max(0.1, round(value - 0.1 * step, 1))
            losses.append(value)
        if factor == 0.2 and patience == 0:
            patience = 1  # keep the rates above ReduceLROnPlateau's eps=1e-8, below which it stops lowering them
        _judge_plateau(plateau_rates, losses, 0.1, factor, patience)
