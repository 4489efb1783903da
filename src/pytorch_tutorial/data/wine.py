"""The UCI wine data shipped with the course as ``files/wine.csv``, the way the original course ships it.

178 wines from three cultivars of the same Italian region, 13 chemical measurements each (alcohol, malic acid,
…, proline). The CSV has a header line, then per row the class (1, 2 or 3) followed by the 13 features;
:func:`load` returns the features and the classes mapped to 0, 1, 2 (what ``nn.CrossEntropyLoss`` expects).
``scripts/make_wine_csv.py`` regenerates the file from scikit-learn's copy.

Data: UCI Machine Learning Repository, Wine data set, M. Forina et al. (PARVUS, Genoa),
https://archive.ics.uci.edu/dataset/109/wine, licensed under Creative Commons Attribution 4.0 (CC BY 4.0).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

PATH = Path(__file__).parent / "files" / "wine.csv"
NUM_CLASSES = 3


def feature_names(path: Path = PATH) -> list[str]:
    """The 13 feature names from the CSV header (the first column, the class, left out)."""
    with open(path, encoding="utf-8") as file:
        return file.readline().strip().split(",")[1:]


def load(path: Path = PATH) -> tuple[np.ndarray, np.ndarray]:
    """Features ``float32 (178, 13)`` and class labels ``int64 (178,)`` in 0–2, read from the CSV."""
    table = np.loadtxt(path, delimiter=",", dtype=np.float32, skiprows=1, ndmin=2)
    features = np.ascontiguousarray(table[:, 1:])
    labels = table[:, 0].astype(np.int64) - 1  # the file numbers the classes 1, 2, 3
    return features, labels
