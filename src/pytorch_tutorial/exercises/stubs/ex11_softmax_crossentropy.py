"""Exercises for lesson 11 — Softmax and cross-entropy.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 11         (all exercises of this file)
    pytorch-tutorial check 11.1       (one exercise)
    pytorch-tutorial hint 11.1        (stuck? a hint)
"""

import numpy as np
import torch


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Exercise 11.1 — A numerically stable log-softmax.

    Return log(softmax(x)) along dimension `dim` for a float tensor of any shape: a tensor of x's shape and
    dtype, x_i - log(sum_j exp(x_j)) along `dim`. It must stay finite (and differentiable) for values like
    1000 or -1000, where exp overflows to inf or underflows to 0. Do not call torch's (log_)softmax or
    logsumexp: write the formula.

    Example: log_softmax(torch.tensor([1000.0, 0.0])) -> tensor([0.0, -1000.0])
    """
    raise NotImplementedError


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Exercise 11.2 — Cross-entropy from raw logits and class indices.

    logits is a float tensor (N, C) of raw scores (no softmax applied), targets an int64 tensor (N,) of class
    indices in 0..C-1. Return the mean over the batch of -log(softmax(logits[n])[targets[n]]) as a 0-d tensor
    — what nn.CrossEntropyLoss gives — stable for large logits and differentiable. Do not call
    cross_entropy, nll_loss or (log_)softmax from torch.
    """
    raise NotImplementedError


def softmax_numpy(x: np.ndarray) -> np.ndarray:
    """Exercise 11.3 — A stable softmax in NumPy.

    Return softmax along the last axis of a float NumPy array of any shape (at least 1-D): exp(x_i) / sum_j
    exp(x_j), same shape, each row summing to 1, finite for values like 1000.

    Example: softmax_numpy(np.array([2.0, 1.0, 0.1])) -> about [0.659, 0.242, 0.099]
    """
    raise NotImplementedError
