"""Exercises for lesson 15 — Transfer learning.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 15         (all exercises of this file)
    pytorch-tutorial check 15.1       (one exercise)
    pytorch-tutorial hint 15.1        (stuck? a hint)
"""

from torch import nn


def freeze_all_but_head(model: nn.Module, head: str) -> list[nn.Parameter]:
    """Exercise 15.1 — Freeze everything but the head.

    `head` is the attribute name of the model's final layer (e.g. "fc3" for the course's LeNet, "fc" for
    ResNet-18). Make every parameter of the model stop requiring gradients except those of that layer, which
    must require them, and return the head's parameters as a list — what you would give the optimizer.
    """
    raise NotImplementedError


def replace_head(model: nn.Module, head: str, num_classes: int) -> nn.Module:
    """Exercise 15.2 — A new head for new classes.

    The attribute `head` of `model` is an nn.Linear. Replace it with a new nn.Linear that takes the same
    number of input features and gives `num_classes` outputs, leave every other layer (and its weights) as
    it is, and return the model (the same object).
    """
    raise NotImplementedError


def step_lr(initial_lr: float, step_size: int, gamma: float, epoch: int) -> float:
    """Exercise 15.3 — The StepLR schedule.

    The learning rate that torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma) sets for epoch
    `epoch` (counting from 0) when the optimizer starts with `initial_lr`, as a Python float. Work it out
    with a formula; do not create an optimizer or scheduler.
    """
    raise NotImplementedError
