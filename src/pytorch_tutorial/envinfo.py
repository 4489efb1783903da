"""The environment report shown by lesson 1 and ``pytorch-tutorial info``."""

from __future__ import annotations

import platform
import sys

from pytorch_tutorial import runtime


def environment_report(device_name: str = "auto") -> dict[str, str]:
    """Python, torch and torchvision versions, CUDA/MPS availability, chosen device and thread count."""
    import torch
    import torchvision

    available = runtime.available_devices()
    cuda = "no"
    if available["cuda"]:
        cuda = f"yes ({torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda})"
    return {
        "python": sys.version.split()[0],
        "platform": f"{platform.system()} {platform.machine()}",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "cuda available": cuda,
        "mps available": "yes" if available["mps"] else "no",
        "device chosen": str(runtime.resolve_device(device_name)),
        "cpu threads": str(torch.get_num_threads()),
    }
