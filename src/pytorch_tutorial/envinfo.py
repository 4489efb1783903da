"""The environment report shown by lesson 1 and ``pytorch-tutorial info``."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

from pytorch_tutorial import runtime


def _version(package: str) -> str:
    """An installed package's version, read from its metadata: importing torchvision would cost seconds."""
    module = sys.modules.get(package)
    if module is not None and hasattr(module, "__version__"):
        return str(module.__version__)
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment_report(device_name: str = "auto") -> dict[str, str]:
    """Python, torch and torchvision versions, CUDA/MPS availability, chosen device and thread count.

    Imports only torch (for the devices); torchvision's version comes from its metadata, so ``info`` is quick.
    """
    import torch

    available = runtime.available_devices()
    cuda = "no"
    if available["cuda"]:
        cuda = f"yes ({torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda})"
    return {
        "python": sys.version.split()[0],
        "platform": f"{platform.system()} {platform.machine()}",
        "torch": torch.__version__,
        "torchvision": _version("torchvision"),
        "cuda available": cuda,
        "mps available": "yes" if available["mps"] else "no",
        "device chosen": str(runtime.resolve_device(device_name)),
        "cpu threads": str(torch.get_num_threads()),
    }
