"""Lesson 15's target task as a folder of PNG files per class, the layout ``torchvision.datasets.ImageFolder`` reads.

:func:`write_image_folders` writes ``root/train/<digit>/*.png`` (a few random training images of each digit) and
``root/val/<digit>/*.png`` (every test image of those digits), from the run's MNIST (see :mod:`.mnist`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import torch
from PIL import Image

from pytorch_tutorial.data import mnist


def write_image_folders(root: Path, digits: Sequence[int], shots_per_class: int, seed: int = 0) -> Path:
    """Write ``shots_per_class`` random training images of each of ``digits`` to ``root/train/<digit>/`` and all
    test images of those digits to ``root/val/<digit>/``, as lossless 28x28 PNG files; returns ``root``.

    Each digit's images are drawn with a generator seeded with ``seed``, so a run with the same seed writes the
    same images.

    The tree is written into a staging folder beside ``root`` and moved into place in one step (``os.replace``),
    so an interrupted run never leaves half of it behind; an older tree at ``root`` is replaced.
    """
    root = Path(root)
    train_split, test_split = mnist.dataset(train=True), mnist.dataset(train=False)
    train_indices = []
    for digit in digits:
        candidates = torch.nonzero(train_split.targets == digit).flatten()
        chosen = torch.randperm(len(candidates), generator=torch.Generator().manual_seed(seed))[:shots_per_class]
        train_indices.append(candidates[chosen])
    shots = torch.cat(train_indices)
    val_indices = torch.nonzero(torch.isin(test_split.targets, torch.tensor(list(digits)))).flatten()

    root.parent.mkdir(parents=True, exist_ok=True)
    staging = root.with_name(f".{root.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _write_split(staging / "train", train_split.data[shots], train_split.targets[shots])
        _write_split(staging / "val", test_split.data[val_indices], test_split.targets[val_indices])
        shutil.rmtree(root, ignore_errors=True)
        os.replace(staging, root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return root


def _write_split(folder: Path, images: torch.Tensor, labels: torch.Tensor) -> None:
    """Save uint8 images ``(N, 28, 28)`` as ``folder/<label>/<index>.png``."""
    for index, (image, label) in enumerate(zip(images, labels, strict=True)):
        class_folder = folder / str(int(label))
        class_folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image.numpy()).save(class_folder / f"{index:05d}.png")
