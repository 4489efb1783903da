"""Reference solutions for lesson 15 — Transfer learning."""

from torch import nn


def freeze_all_but_head(model: nn.Module, head: str) -> list[nn.Parameter]:
    """Exercise 15.1 — Freeze everything but the head."""
    for parameter in model.parameters():
        parameter.requires_grad = False
    head_parameters = list(getattr(model, head).parameters())
    for parameter in head_parameters:
        parameter.requires_grad = True
    return head_parameters


def replace_head(model: nn.Module, head: str, num_classes: int) -> nn.Module:
    """Exercise 15.2 — A new head for new classes."""
    old = getattr(model, head)
    setattr(model, head, nn.Linear(old.in_features, num_classes))
    return model


def step_lr(initial_lr: float, step_size: int, gamma: float, epoch: int) -> float:
    """Exercise 15.3 — The StepLR schedule."""
    return initial_lr * gamma ** (epoch // step_size)
