"""Reference solutions for lesson 9 — Dataset and DataLoader."""

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


class CSVDataset(Dataset):
    """Exercise 9.1 — A Dataset over a CSV file."""

    def __init__(self, path: str | Path) -> None:
        table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float32)
        self.features = torch.from_numpy(np.ascontiguousarray(table[:, 1:]))
        self.labels = torch.from_numpy(table[:, 0].astype(np.int64) - 1)  # classes 1, 2, 3 -> 0, 1, 2

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.features[index], self.labels[index]


def iterations_per_epoch(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    """Exercise 9.2 — Iterations per epoch."""
    if drop_last:
        return n_samples // batch_size
    return (n_samples + batch_size - 1) // batch_size  # ceil without floats


def shuffled_loader(dataset: Dataset, batch_size: int, seed: int) -> DataLoader:
    """Exercise 9.3 — A reproducibly shuffled DataLoader."""
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))
