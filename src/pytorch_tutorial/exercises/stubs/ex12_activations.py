"""Exercises for lesson 12 — Activation functions.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 12         (all exercises of this file)
    pytorch-tutorial check 12.1       (one exercise)
    pytorch-tutorial hint 12.1        (stuck? a hint)
"""

import torch
from torch import nn


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """Exercise 12.1 — Leaky ReLU from its formula.

    Return x where x > 0 and negative_slope * x elsewhere, element by element: a tensor of x's shape and
    dtype, differentiable, without changing x. Do not call torch's leaky_relu (or nn.LeakyReLU).
    """
    raise NotImplementedError


def sigmoid_derivative(x: torch.Tensor) -> torch.Tensor:
    """Exercise 12.2 — The derivative of the sigmoid.

    Return d sigmoid(x) / dx element by element, from its closed form (not with autograd): a tensor of x's
    shape and dtype. sigmoid(x) = 1 / (1 + exp(-x)).
    """
    raise NotImplementedError


def make_classifier(input_size: int, hidden_size: int, num_classes: int) -> nn.Module:
    """Exercise 12.3 — A classifier that outputs logits.

    Return a network with one hidden layer of `hidden_size` units and a ReLU: Linear(input_size ->
    hidden_size), ReLU, Linear(hidden_size -> num_classes). For a batch (N, input_size) it returns raw class
    scores (logits) of shape (N, num_classes) — no softmax at the end, since nn.CrossEntropyLoss applies
    log-softmax itself.
    """
    raise NotImplementedError
