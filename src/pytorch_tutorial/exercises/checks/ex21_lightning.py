"""Checks for lesson 21 — PyTorch Lightning."""

from __future__ import annotations

import copy
import logging
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from pytorch_tutorial.exercises.checking import check, expect, expect_number, expect_tensor, random_tensor


def _lightning() -> Any:
    """``import lightning``, here rather than at the top: every check command imports this module, and Lightning
    costs a second or two. A check of lesson 21 finds it imported already (the runner preloads it, see
    :class:`~pytorch_tutorial.exercises.runner.CheckRunner`)."""
    import lightning

    logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)  # no "GPU available: ..." lines
    return lightning


def _optimizer_of(returned: Any) -> Any:
    """The optimizer in what configure_optimizers returned, in the forms Lightning accepts."""
    if isinstance(returned, dict):
        return returned.get("optimizer")
    if isinstance(returned, (list, tuple)) and returned:
        return returned[0]
    return returned


@check("21.1")
def _(LitClassifier):
    L = _lightning()  # noqa: N806 - Lightning's own spelling
    torch.manual_seed(0)
    model = LitClassifier(6, 8, 3, 0.01)
    expect(
        isinstance(model, L.LightningModule),
        "LitClassifier should be a LightningModule: class LitClassifier(L.LightningModule)",
        got=type(model).__mro__[1].__name__,
    )
    linears = [module for module in model.modules() if isinstance(module, nn.Linear)]
    shapes = [(layer.in_features, layer.out_features) for layer in linears]
    expect(
        shapes == [(6, 8), (8, 3)],
        "LitClassifier(6, 8, 3, lr) should hold nn.Linear(6, 8) and then nn.Linear(8, 3)",
        expected="[(6, 8), (8, 3)]",
        got=str(shapes),
    )
    count = sum(p.numel() for p in model.parameters())
    expect(count == 6 * 8 + 8 + 8 * 3 + 3, "LitClassifier has parameters besides its two layers", got=count)
    first, second = linears

    def logits_of(x: torch.Tensor) -> torch.Tensor:
        return second(torch.relu(first(x.reshape(len(x), -1))))

    images, rows = random_tensor((5, 1, 2, 3), 1), random_tensor((4, 6), 2)
    model.eval()
    with torch.no_grad():
        outputs = model(images)
        expect(
            not (isinstance(outputs, torch.Tensor) and torch.allclose(outputs.sum(dim=-1), torch.ones(5))),
            "model(x) returns probabilities (each row sums to 1): return the logits, without softmax "
            "(cross-entropy applies log-softmax itself)",
        )
        expect_tensor(outputs, logits_of(images), "model(x) for images x of shape (5, 1, 2, 3)")
        expect_tensor(model(rows), logits_of(rows), "model(x) for rows x of shape (4, 6)")
        targets = logits_of(images).argmax(dim=1)
    targets[2:] = (targets[2:] + 1) % 3  # 2 of the 5 predicted right: accuracy 0.4
    expected_loss = F.cross_entropy(logits_of(images), targets)

    logged: dict[str, Any] = {}

    def record(name: str, value: Any, *args: Any, **kwargs: Any) -> None:
        logged[name] = value

    model.log = record  # what training_step and validation_step log, without a Trainer (log_dict calls log)
    model.train()
    returned = model.training_step((images, targets), 0)
    loss = returned.get("loss") if isinstance(returned, dict) else returned
    expect(
        isinstance(loss, torch.Tensor) and loss.requires_grad,
        "training_step should return the loss tensor itself, not loss.item() or a copy without its graph: "
        "Lightning calls backward() on it",
        got=returned,
    )
    expect_tensor(loss.detach(), expected_loss.detach(), "the loss training_step returns (cross-entropy)")
    expect(
        "train_loss" in logged,
        "training_step should log the loss: self.log('train_loss', loss)",
        got=f"logged {sorted(logged)}",
    )
    expect_number(float(logged["train_loss"]), expected_loss.item(), "the train_loss that training_step logs")

    logged.clear()
    model.eval()
    with torch.no_grad():
        model.validation_step((images, targets), 0)
    for name in ("val_loss", "val_acc"):
        expect(
            name in logged,
            f"validation_step should log {name}: self.log('{name}', ...)",
            got=f"logged {sorted(logged)}",
        )
    expect_number(float(logged["val_loss"]), expected_loss.item(), "the val_loss that validation_step logs")
    expect_number(
        float(logged["val_acc"]),
        0.4,
        "the val_acc that validation_step logs for a batch of 5 with 2 predicted right (a fraction, not a count)",
    )
    del model.log

    optimizer = _optimizer_of(model.configure_optimizers())
    expect(
        isinstance(optimizer, torch.optim.Adam),
        "configure_optimizers should return torch.optim.Adam(self.parameters(), lr=lr)",
        got=type(optimizer).__name__,
    )
    updated = {id(p) for group in optimizer.param_groups for p in group["params"]}
    expect(updated == {id(p) for p in model.parameters()}, "the optimizer should update all of self.parameters()")
    learning_rates = sorted({group["lr"] for group in optimizer.param_groups})
    expect(
        learning_rates == [0.01],
        "LitClassifier(6, 8, 3, 0.01)'s optimizer has the wrong learning rate",
        got=learning_rates,
    )

    # and a real Trainer trains it: three classes that two pixels decide
    x = random_tensor((60, 1, 2, 3), 3)
    y = (x[:, 0, 0, 0] > 0).long() + (x[:, 0, 0, 1] > 0).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=20)
    torch.manual_seed(1)
    trained = LitClassifier(6, 16, 3, 0.05)
    untrained = copy.deepcopy(trained)
    with torch.no_grad():
        loss_before = F.cross_entropy(untrained(x), y).item()
    trainer = L.Trainer(
        max_epochs=10,
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(trained, train_dataloaders=loader, val_dataloaders=loader)
    for name in ("train_loss", "val_loss", "val_acc"):
        expect(name in trainer.callback_metrics, f"after Trainer.fit, Lightning has no {name}")
    expect(
        trainer.callback_metrics["val_loss"].item() < loss_before,
        "10 epochs of Trainer.fit did not lower the validation loss",
        expected=f"below {loss_before:.4f}",
        got=f"{trainer.callback_metrics['val_loss'].item():.4f}",
    )


class _Probe(nn.Module):
    """A LightningModule's methods on a plain module, recording every call: which step, batch_idx, mode, grad."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(3, 2)
        self.calls: list[tuple[str, int, bool, bool]] = []
        self.optimizers_made = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        self.calls.append(("training_step", batch_idx, self.training, torch.is_grad_enabled()))
        inputs, targets = batch
        return F.cross_entropy(self(inputs), targets)

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        self.calls.append(("validation_step", batch_idx, self.training, torch.is_grad_enabled()))
        inputs, targets = batch
        return F.cross_entropy(self(inputs), targets)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        self.optimizers_made += 1
        return torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9)  # momentum: a new optimizer forgets it


def _reference_fit(model: _Probe, train_loader: DataLoader, epochs: int, zero_grad: bool = True) -> None:
    """The training half of the loop; with ``zero_grad=False`` the mistake of never clearing the gradients."""
    optimizer = model.configure_optimizers()
    for _ in range(epochs):
        for batch_idx, batch in enumerate(train_loader):
            model.training_step(batch, batch_idx).backward()
            optimizer.step()
            if zero_grad:
                optimizer.zero_grad()


def _same_values(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.allclose(p, q, atol=1e-6) for p, q in zip(a.parameters(), b.parameters(), strict=True))


@check("21.2")
def _(fit):
    for seed, (n_train, n_val, batch, epochs) in enumerate(((20, 9, 8, 2), (5, 4, 5, 3), (12, 12, 4, 1))):
        torch.manual_seed(seed)
        model = _Probe()
        start, reference, forgetful = copy.deepcopy(model), copy.deepcopy(model), copy.deepcopy(model)
        x, y = random_tensor((n_train + n_val, 3), seed), torch.arange(n_train + n_val) % 2
        train_loader = DataLoader(TensorDataset(x[:n_train], y[:n_train]), batch_size=batch)
        val_loader = DataLoader(TensorDataset(x[n_train:], y[n_train:]), batch_size=batch)
        _reference_fit(reference, train_loader, epochs)
        _reference_fit(forgetful, train_loader, epochs, zero_grad=False)
        model.eval()  # the learner's loop must switch it to training mode itself
        fit(model, train_loader, val_loader, epochs)
        what = f"fit(model, {len(train_loader)} training and {len(val_loader)} validation batches, epochs={epochs})"

        expect(
            model.optimizers_made == 1,
            f"{what} called configure_optimizers() {model.optimizers_made} times: call it once, before the first "
            "epoch (a new optimizer every epoch starts its momentum and Adam's averages afresh)",
        )
        steps = [(name, batch_idx) for name, batch_idx, _, _ in model.calls]
        one_epoch = [("training_step", i) for i in range(len(train_loader))]
        one_epoch += [("validation_step", i) for i in range(len(val_loader))]
        for name, loader in (("training_step", train_loader), ("validation_step", val_loader)):
            ran = sum(step == name for step, _ in steps)
            expect(
                ran == epochs * len(loader),
                f"{what} ran {name} {ran} times: once per batch in every epoch makes {epochs} x {len(loader)}",
            )
        expect(
            steps == one_epoch * epochs,
            f"{what} called the steps in the wrong order or with the wrong batch_idx: every epoch runs "
            "training_step for batches 0, 1, ... of train_loader, then validation_step for batches 0, 1, ... of "
            "val_loader",
            expected=str(one_epoch),
            got=str(steps[: len(one_epoch)]),
        )
        for name, _, training, grad in model.calls:
            if name == "training_step":
                expect(
                    training,
                    f"{what} ran training_step with the model in evaluation mode: call model.train() at the start "
                    "of every epoch (validation left it in evaluation mode)",
                )
                expect(grad, f"{what} ran training_step without recording gradients: backward() needs them")
            else:
                expect(not training, f"{what} ran validation_step in training mode: call model.eval() first")
                expect(
                    not grad,
                    f"{what} recorded gradients in validation_step: validate inside `with torch.no_grad():`",
                )
        expect(
            not _same_values(model, start),
            f"{what} did not change the weights: call loss.backward() and then optimizer.step() for each batch",
        )
        expect(
            not (_same_values(model, forgetful) and not _same_values(model, reference)),
            f"after {what} the weights are those of a loop that never clears the gradients: backward() adds to "
            "them, so call optimizer.zero_grad() once per batch (first, or after optimizer.step())",
        )
        for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
            expect_tensor(p.detach(), q.detach(), f"parameter {name} after {what}", atol=1e-6)
