"""Reference solutions for lesson 21 — PyTorch Lightning."""

from typing import Any

import lightning as L
import torch
from torch import nn


class LitClassifier(L.LightningModule):
    """Exercise 21.1 — Lesson 13's network as a LightningModule."""

    def __init__(self, input_size: int, hidden_size: int, num_classes: int, lr: float) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.l1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.l2 = nn.Linear(hidden_size, num_classes)
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(len(x), -1)  # (N, 1, H, W) -> (N, H * W)
        return self.l2(self.relu(self.l1(x)))

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        inputs, targets = batch
        loss = self.loss_fn(self(inputs), targets)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        inputs, targets = batch
        logits = self(inputs)
        self.log("val_loss", self.loss_fn(logits, targets))
        self.log("val_acc", (logits.argmax(dim=1) == targets).float().mean())

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def fit(model: nn.Module, train_loader: Any, val_loader: Any, epochs: int) -> None:
    """Exercise 21.2 — The loop a Trainer runs for you."""
    optimizer = model.configure_optimizers()
    for _ in range(epochs):
        model.train()
        for batch_idx, batch in enumerate(train_loader):
            loss = model.training_step(batch, batch_idx)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        model.eval()
        with torch.no_grad():
            for batch_idx, batch in enumerate(val_loader):
                model.validation_step(batch, batch_idx)
