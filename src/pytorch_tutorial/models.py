"""The networks the course builds and later lessons reuse.

Lesson 13 introduces :class:`FeedForward`, lesson 14 :class:`LeNet`; lessons 15–23 and
``pytorch-tutorial predict`` import them from here instead of copying them.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class FeedForward(nn.Module):
    """A fully connected network: input → hidden (ReLU) → class scores (logits, no softmax)."""

    def __init__(self, input_size: int = 784, hidden_size: int = 500, num_classes: int = 10) -> None:
        super().__init__()
        self.l1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.l2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for a batch; images of any shape are flattened to ``(batch, input_size)``."""
        x = x.flatten(start_dim=1)
        return self.l2(self.relu(self.l1(x)))


class LeNet(nn.Module):
    """LeNet-style CNN for 32x32 images: conv5(6) → pool2 → conv5(16) → pool2 → 120 → 84 → classes.

    Sizes for one 32x32 image: 32 → conv 28 → pool 14 → conv 10 → pool 5, so 16·5·5 = 400 features.
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, kernel_size=5)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for a batch of images ``(batch, in_channels, 32, 32)``."""
        x = self.pool(self.relu(self.conv1(x)))  # (batch, 6, 14, 14)
        x = self.pool(self.relu(self.conv2(x)))  # (batch, 16, 5, 5)
        x = x.flatten(start_dim=1)  # (batch, 400)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.fc3(x)


ARCHITECTURES: dict[str, type[nn.Module]] = {"FeedForward": FeedForward, "LeNet": LeNet}
"""The networks :func:`build_model` can rebuild, by the name a checkpoint stores under ``"arch"``."""

_CONSTRUCTOR_KEYS: dict[str, tuple[str, ...]] = {
    "FeedForward": ("input_size", "hidden_size", "num_classes"),
    "LeNet": ("in_channels", "num_classes"),
}


def build_model(checkpoint: dict[str, Any]) -> nn.Module:
    """Rebuild the network a checkpoint describes and load its weights; returned in evaluation mode, on the CPU.

    ``checkpoint`` is a dict such as lesson 14 saves: ``{"arch": "LeNet", "in_channels": 1, "num_classes": 10,
    ..., "state_dict": model.state_dict()}``. The constructor arguments are read from the keys the architecture
    takes (:class:`FeedForward`: input_size, hidden_size, num_classes; :class:`LeNet`: in_channels, num_classes);
    a missing one keeps its default. Raises :class:`ValueError` for an unknown ``arch``, a missing
    ``state_dict``, or weights that do not fit the architecture (missing, extra or differently shaped tensors).
    """
    if not isinstance(checkpoint, dict):
        raise ValueError(f"a checkpoint is a dict with 'arch' and 'state_dict', not {type(checkpoint).__name__}")
    arch = checkpoint.get("arch")
    if not isinstance(arch, str) or arch not in ARCHITECTURES:
        known = ", ".join(sorted(ARCHITECTURES))
        raise ValueError(f"unknown architecture {arch!r} in the checkpoint; this course builds {known}")
    state_dict = checkpoint.get("state_dict")
    if not isinstance(state_dict, dict):
        raise ValueError(f"the {arch} checkpoint has no 'state_dict' of weights")
    kwargs = {key: checkpoint[key] for key in _CONSTRUCTOR_KEYS[arch] if key in checkpoint}
    for key, value in kwargs.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"the {arch} checkpoint's {key!r} must be a positive whole number, not {value!r}")
    model = ARCHITECTURES[arch](**kwargs)
    try:
        model.load_state_dict(state_dict)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()
        detail = " ".join(line.strip() for line in first[1:3]) or first[0]
        raise ValueError(
            f"the weights do not fit {arch}({', '.join(f'{k}={v}' for k, v in kwargs.items())}): {detail}"
        ) from exc
    return model.eval()
