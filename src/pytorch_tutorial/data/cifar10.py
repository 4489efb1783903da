"""CIFAR-10 through torchvision's own loader, downloaded into the course's cache with ``--full-data``.

60,000 colour images of 32x32 pixels in ten classes (50,000 train / 10,000 test), about 170 MB to download.
Unlike MNIST nothing of it ships with the course, so a lesson that offers it (lesson 14, ``--set
dataset=cifar10``) needs ``--full-data``.

CIFAR-10: Alex Krizhevsky, *Learning Multiple Layers of Features from Tiny Images*, 2009,
https://www.cs.toronto.edu/~kriz/cifar.html.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytorch_tutorial import runtime
from pytorch_tutorial.data.download import cache_dir, download_guard

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
# per-channel (red, green, blue) mean and standard deviation of the training images, in [0, 1] pixel units
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)


def dataset(train: bool, transform: Callable[[Any], Any] | None = None):
    """``torchvision.datasets.CIFAR10`` for the training or test split, from the course's cache.

    torchvision downloads and unpacks the archive on first use (``cache_dir("full")/cifar-10-batches-py``) and
    verifies every file's checksum each time. Without ``--full-data`` or offline: one :class:`UsageError`.
    """
    from torchvision.datasets import CIFAR10

    if not runtime.current().full_data:
        raise runtime.UsageError(
            "CIFAR-10 (170 MB) is not part of the course's embedded data: add --full-data to download it, "
            "e.g. pytorch-tutorial run 14 --full-data --set dataset=cifar10"
        )
    root = cache_dir("full")
    with download_guard("CIFAR-10", root, "the embedded MNIST works offline: leave out --set dataset=cifar10"):
        return CIFAR10(root, train=train, transform=transform, download=True)


def tensors(train: bool):
    """The split as two tensors: images ``float32 (N, 3, 32, 32)`` scaled to [0, 1], labels ``int64 (N,)``.

    Reading the whole split at once and batching tensors is much faster than one PIL image at a time.
    """
    import torch

    cifar = dataset(train)
    # torchvision keeps the pixels as uint8 (N, height, width, channel); PyTorch's layers want (N, C, H, W)
    images = torch.from_numpy(cifar.data).permute(0, 3, 1, 2).contiguous().to(torch.float32).div_(255.0)
    return images, torch.as_tensor(cifar.targets, dtype=torch.int64)
