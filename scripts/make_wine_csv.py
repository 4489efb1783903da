"""Regenerate ``src/pytorch_tutorial/data/files/wine.csv`` from the copy of the UCI wine data in scikit-learn.

Layout of the original course's ``wine.csv``: a header line, the class label first (1, 2 or 3, the three
cultivars), then the 13 chemical measurements; 178 rows. Numbers are written as in the UCI file (``1065``, not
``1065.0``).

Data: UCI Machine Learning Repository, Wine data set (Forina, M. et al., PARVUS), CC BY 4.0,
https://archive.ics.uci.edu/dataset/109/wine

    python scripts/make_wine_csv.py
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sklearn.datasets import load_wine

TARGET = Path(__file__).resolve().parents[1] / "src" / "pytorch_tutorial" / "data" / "files" / "wine.csv"
HEADER = (
    "Wine",
    "Alcohol",
    "Malic.acid",
    "Ash",
    "Acl",
    "Mg",
    "Phenols",
    "Flavanoids",
    "Nonflavanoid.phenols",
    "Proanth",
    "Color.int",
    "Hue",
    "OD",
    "Proline",
)


def number(value: float) -> str:
    """The shortest text that reads back as exactly ``value``, without a trailing ``.0``."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def main() -> None:
    bunch = load_wine()
    lines = [",".join(HEADER)]
    for label, features in zip(bunch.target, bunch.data, strict=True):
        lines.append(",".join([str(int(label) + 1), *(number(v) for v in features)]))
    data = ("\n".join(lines) + "\n").encode()
    tmp = TARGET.with_name(f".{TARGET.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, TARGET)
    print(f"{TARGET.name}: {len(lines) - 1} rows, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
