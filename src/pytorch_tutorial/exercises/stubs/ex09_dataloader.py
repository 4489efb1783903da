"""Exercises for lesson 9 — Dataset and DataLoader.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 9          (all exercises of this file)
    pytorch-tutorial check 9.1        (one exercise)
    pytorch-tutorial hint 9.1         (stuck? a hint)
"""

from pathlib import Path

import numpy as np  # noqa: F401 - for np.loadtxt
import torch
from torch.utils.data import DataLoader, Dataset


class CSVDataset(Dataset):
    """Exercise 9.1 — A Dataset over a CSV file.

    CSVDataset(path) reads a comma-separated file laid out like the course's wine.csv: one header line, then
    one row per sample whose first column is the class number (1, 2, 3, ...) and whose other columns are the
    features. len(dataset) is the number of samples; dataset[i] returns the pair (features, label): features
    a float32 tensor of shape (number of feature columns,), label an int64 0-d tensor with the classes
    renumbered from 0 (class 1 -> 0, class 2 -> 1, ...), what nn.CrossEntropyLoss expects.
    """

    def __init__(self, path: str | Path) -> None:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError


def iterations_per_epoch(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    """Exercise 9.2 — Iterations per epoch.

    How many batches does a DataLoader over `n_samples` samples with this `batch_size` give per epoch?
    With drop_last=True a last batch smaller than batch_size is left out. Return an int, by arithmetic
    (no DataLoader). Example: 178 samples, batch size 4 -> 45.
    """
    raise NotImplementedError


def shuffled_loader(dataset: Dataset, batch_size: int, seed: int) -> DataLoader:
    """Exercise 9.3 — A reproducibly shuffled DataLoader.

    Return a DataLoader over `dataset` with this `batch_size` that visits the samples in a random order
    each epoch, every sample once, such that two loaders made with the same seed give the same batches in
    the same order, and loaders with different seeds (almost always) differ. Do not change the global
    random state (no torch.manual_seed).
    """
    raise NotImplementedError
