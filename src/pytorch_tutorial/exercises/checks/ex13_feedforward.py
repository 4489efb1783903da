"""Checks for lesson 13 — Feed-forward network."""

from __future__ import annotations

import torch
from hypothesis import strategies as st
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from pytorch_tutorial.exercises.checking import (
    check,
    clone_module,
    expect,
    expect_no_loops,
    expect_number,
    expect_tensor,
    for_all,
    random_tensor,
)


class _Probe(nn.Module):
    """A classifier with dropout that records the mode and grad state of every forward pass."""

    def __init__(self, features: int, classes: int) -> None:
        super().__init__()
        self.linear = nn.Linear(features, classes)
        self.dropout = nn.Dropout(0.9)
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.dropout(self.linear(x))


@check("13.1")
def _(evaluate_accuracy):
    for seed, (n, features, classes, batch) in enumerate(((50, 4, 3, 8), (33, 6, 5, 10), (7, 2, 2, 7))):
        torch.manual_seed(seed)
        model = _Probe(features, classes)
        x, y = (
            random_tensor((n, features), seed),
            torch.randint(0, classes, (n,), generator=torch.Generator().manual_seed(seed)),
        )
        with torch.no_grad():
            expected = (model.linear(x).argmax(1) == y).sum().item() / n
        model.train()
        got = evaluate_accuracy(model, DataLoader(TensorDataset(x, y), batch_size=batch))
        what = f"evaluate_accuracy on {n} samples in batches of {batch}"
        expect(bool(model.calls), f"{what} never called the model")
        expect(
            all(not training for training, _ in model.calls),
            f"{what} ran the model in training mode (dropout on): call model.eval()",
        )
        expect(all(not grad for _, grad in model.calls), f"{what} recorded gradients: wrap the loop in torch.no_grad()")
        expect_number(got, expected, what, atol=1e-9)


def _reference_epoch(model, loader, loss_fn, optimizer, zero_grad: bool = True) -> float:
    """Lesson 13's loop; with ``zero_grad=False`` the common mistake of never clearing the gradients."""
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        if zero_grad:
            optimizer.zero_grad()
        total += loss.item() * len(targets)
        count += len(targets)
    return total / count


def _same_values(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.allclose(p, q, atol=1e-6) for p, q in zip(a.parameters(), b.parameters(), strict=True))


@check("13.2")
def _(train_one_epoch):
    # Either order of zeroing is right: optimizer.zero_grad() before the forward pass, or after optimizer.step().
    # So the check compares what the loop does to the weights and the mean loss it returns, not where it leaves
    # the gradients; two epochs in a row, so that gradients left over from the first must not leak into the second.
    for seed, (n, batch) in enumerate(((40, 8), (37, 10), (5, 5))):
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Dropout(0.2), nn.Linear(6, 3))
        start, reference, forgetful = clone_module(model), clone_module(model), clone_module(model)
        x, y = random_tensor((n, 4), seed), torch.randint(0, 3, (n,), generator=torch.Generator().manual_seed(seed))
        loader = DataLoader(TensorDataset(x, y), batch_size=batch)
        loss_fn = nn.CrossEntropyLoss()
        optimizers = [torch.optim.SGD(m.parameters(), lr=0.1) for m in (model, reference, forgetful)]
        for epoch in (1, 2):
            for m in (model, reference, forgetful):
                m.eval()  # the learner's function must switch it to training mode itself
            dropout_seed = 100 + 10 * seed + epoch  # the same dropout masks for all three
            torch.manual_seed(dropout_seed)
            expected = _reference_epoch(reference, loader, loss_fn, optimizers[1])
            torch.manual_seed(dropout_seed)
            _reference_epoch(forgetful, loader, loss_fn, optimizers[2], zero_grad=False)
            torch.manual_seed(dropout_seed)
            got = train_one_epoch(model, loader, loss_fn, optimizers[0])
            what = f"train_one_epoch on {n} samples in batches of {batch} (epoch {epoch})"
            expect(model.training, f"after {what} the model is not in training mode: call model.train()")
            expect(
                not _same_values(model, start),
                f"{what} did not change the weights: call loss.backward() and then optimizer.step() for each batch "
                "(optimizer.zero_grad() between them clears the gradient before the step can use it)",
            )
            expect(
                not (_same_values(model, forgetful) and not _same_values(model, reference)),
                f"after {what} the weights are those of a loop that never clears the gradients: backward() "
                "adds to them, so call optimizer.zero_grad() once per batch (first, or after optimizer.step())",
            )
            for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
                expect_tensor(p.detach(), q.detach(), f"parameter {name} after {what}", atol=1e-6)
            expect_number(got, expected, f"the mean loss per sample returned by {what}", atol=1e-6, rtol=1e-6)


@check("13.3")
def _(confusion_matrix):
    got = confusion_matrix(torch.tensor([0, 1, 1, 2]), torch.tensor([0, 1, 2, 2]), 3)
    expect_tensor(
        got,
        torch.tensor([[1, 0, 0], [0, 1, 0], [0, 1, 1]]),
        "confusion_matrix(predictions=[0, 1, 1, 2], targets=[0, 1, 2, 2], 3)",
    )

    @for_all(n=st.integers(0, 40), classes=st.integers(1, 6), seed=st.integers(0, 999))
    def _(n, classes, seed):
        gen = torch.Generator().manual_seed(seed)
        predictions = torch.randint(0, classes, (n,), generator=gen)
        targets = torch.randint(0, classes, (n,), generator=gen)
        expected = torch.zeros(classes, classes, dtype=torch.int64)
        for t, p in zip(targets.tolist(), predictions.tolist(), strict=True):
            expected[t, p] += 1
        expect_tensor(
            confusion_matrix(predictions, targets, classes),
            expected,
            f"confusion_matrix of {n} predictions over {classes} classes",
        )

    gen = torch.Generator().manual_seed(0)
    small = (torch.randint(0, 3, (5,), generator=gen), torch.randint(0, 3, (5,), generator=gen), 3)
    big = (torch.randint(0, 3, (50,), generator=gen), torch.randint(0, 3, (50,), generator=gen), 3)
    expect_no_loops(confusion_matrix, small, big, "confusion_matrix")
