"""Exercises for lesson 21 — PyTorch Lightning.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 21         (all exercises of this file)
    pytorch-tutorial check 21.1       (one exercise)
    pytorch-tutorial hint 21.1        (stuck? a hint)
"""

from typing import Any

import lightning as L
import torch
from torch import nn


class LitClassifier(L.LightningModule):
    """Exercise 21.1 — Lesson 13's network as a LightningModule.

    LitClassifier(input_size, hidden_size, num_classes, lr) holds two nn.Linear layers with a ReLU between
    them (input_size -> hidden_size -> num_classes), as lesson 13's NeuralNet, and:
    - forward(x): flatten each sample of x (images (N, 1, H, W) with H * W == input_size, or rows
      (N, input_size)) and return the logits (N, num_classes);
    - training_step(batch, batch_idx): batch is (inputs, targets); log the batch's cross-entropy loss with
      self.log("train_loss", loss) and return it, the tensor itself (Lightning calls backward() on it);
    - validation_step(batch, batch_idx): log the batch's cross-entropy as "val_loss" and its accuracy (the
      fraction of the batch predicted right, between 0 and 1) as "val_acc";
    - configure_optimizers(): return torch.optim.Adam over all the parameters, with learning rate lr.
    """

    def __init__(self, input_size: int, hidden_size: int, num_classes: int, lr: float) -> None:
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        raise NotImplementedError

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        raise NotImplementedError

    def configure_optimizers(self) -> torch.optim.Optimizer:
        raise NotImplementedError


def fit(model: nn.Module, train_loader: Any, val_loader: Any, epochs: int) -> None:
    """Exercise 21.2 — The loop a Trainer runs for you.

    `model` has a LightningModule's methods: training_step(batch, batch_idx) returns the loss of one batch,
    validation_step(batch, batch_idx) computes (and logs) the validation figures of one batch, and
    configure_optimizers() returns the optimizer. Do on the CPU what Trainer(max_epochs=epochs).fit(model,
    train_loader, val_loader) does, without its sanity check: ask for the optimizer once, then in each epoch
    put the model in training mode and, for every batch of train_loader with its index (0, 1, ...), take the
    loss from training_step, backward, optimizer step and zero the gradients (zeroing first is just as right);
    then put the model in evaluation mode and, without recording gradients, call validation_step for every
    batch of val_loader with its index. Return nothing.
    """
    raise NotImplementedError
