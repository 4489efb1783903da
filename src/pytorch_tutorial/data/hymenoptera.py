"""The ants-and-bees photos of PyTorch's original transfer-learning tutorial, for lesson 15 with ``--full-data``.

About 120 training and 75 validation photos of each class, laid out for ``torchvision.datasets.ImageFolder``:
``hymenoptera_data/{train,val}/{ants,bees}/*.jpg``. A small subset of ImageNet, published by the PyTorch
project at https://download.pytorch.org/tutorial/hymenoptera_data.zip (about 45 MB).
"""

from __future__ import annotations

from pathlib import Path

from pytorch_tutorial.data.download import cache_dir, download_archive

URL = "https://download.pytorch.org/tutorial/hymenoptera_data.zip"
OFFLINE_HINT = "lesson 15 runs offline on the embedded MNIST digits without --full-data"


def root() -> Path:
    """The folder ``hymenoptera_data`` (with ``train`` and ``val``), downloaded and unpacked into the cache once
    (:func:`~pytorch_tutorial.data.download.download_archive`: never half a data set; offline, one line)."""
    target = cache_dir("hymenoptera") / "hymenoptera_data"
    if (target / "train").is_dir() and (target / "val").is_dir():
        return target
    return download_archive(
        URL, target, "hymenoptera_data", "the ants and bees photos (hymenoptera_data.zip)", OFFLINE_HINT
    )
