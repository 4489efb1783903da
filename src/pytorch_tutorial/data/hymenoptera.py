"""The ants-and-bees photos of PyTorch's original transfer-learning tutorial, for lesson 15 with ``--full-data``.

About 120 training and 75 validation photos of each class, laid out for ``torchvision.datasets.ImageFolder``:
``hymenoptera_data/{train,val}/{ants,bees}/*.jpg``. A small subset of ImageNet, published by the PyTorch
project at https://download.pytorch.org/tutorial/hymenoptera_data.zip (about 45 MB).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from pytorch_tutorial.data.download import cache_dir, download_guard

URL = "https://download.pytorch.org/tutorial/hymenoptera_data.zip"
OFFLINE_HINT = "lesson 15 runs offline on the embedded MNIST digits without --full-data"


def root() -> Path:
    """The folder ``hymenoptera_data`` (with ``train`` and ``val``), downloaded and unpacked into the cache once.

    The archive is unpacked into a temporary folder and moved into place in one step, so an interrupted download
    never leaves half a data set behind. Offline, a :class:`~pytorch_tutorial.runtime.UsageError` says so in one line.
    """
    from torchvision.datasets.utils import download_and_extract_archive

    cache = cache_dir("hymenoptera")
    target = cache / "hymenoptera_data"
    if (target / "train").is_dir() and (target / "val").is_dir():
        return target
    with download_guard("the ants and bees photos (hymenoptera_data.zip)", cache, OFFLINE_HINT):
        staging = Path(tempfile.mkdtemp(prefix=".download-", dir=cache))
        try:
            download_and_extract_archive(URL, download_root=str(staging), remove_finished=True)
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging / "hymenoptera_data", target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target
