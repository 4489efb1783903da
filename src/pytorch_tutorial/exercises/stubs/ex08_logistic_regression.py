"""Exercises for lesson 8 — Logistic regression.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 8          (all exercises of this file)
    pytorch-tutorial check 8.1        (one exercise)
    pytorch-tutorial hint 8.1         (stuck? a hint)
"""

import torch


def standardize(train: torch.Tensor, test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Exercise 8.1 — Standardise with the training statistics only.

    train (N, d) and test (M, d) are float tensors. Compute each column's mean and standard deviation on the
    training data only (population std, dividing by N, as scikit-learn's StandardScaler does) and return
    (train_scaled, test_scaled) = ((train - mean) / std, (test - mean) / std). Do not change the inputs.
    """
    raise NotImplementedError


def stable_bce_with_logits(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Exercise 8.2 — A numerically stable binary cross-entropy on logits.

    logits and targets are float tensors of the same shape; targets are 0.0 or 1.0. Return the mean of
    -[y * log(sigmoid(z)) + (1 - y) * log(1 - sigmoid(z))] over all elements as a 0-d tensor — what
    nn.BCEWithLogitsLoss computes — finite (and with finite gradients) even for logits like +-1000, where
    sigmoid rounds to exactly 0 or 1. Do not call binary_cross_entropy(_with_logits) or BCE(WithLogits)Loss.
    """
    raise NotImplementedError
