"""Reference solutions for lesson 8 — Logistic regression."""

import torch


def standardize(train: torch.Tensor, test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Exercise 8.1 — Standardise with the training statistics only."""
    mean = train.mean(dim=0)
    std = train.std(dim=0, unbiased=False)
    return (train - mean) / std, (test - mean) / std


def stable_bce_with_logits(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Exercise 8.2 — A numerically stable binary cross-entropy on logits."""
    # -[y log s(z) + (1-y) log(1-s(z))] = max(z, 0) - z*y + log(1 + exp(-|z|)), and exp(-|z|) <= 1
    losses = torch.clamp(logits, min=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))
    return losses.mean()
