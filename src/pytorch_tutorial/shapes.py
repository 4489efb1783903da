"""How big a convolution's or pooling layer's output is: one formula for both.

For an input of ``size`` pixels along one side, a window (kernel) of ``kernel`` pixels that moves ``stride``
pixels at a time over the input padded with ``padding`` pixels on each side fits

    floor((size − kernel + 2·padding) / stride) + 1

times. Lesson 14 prints it for every layer of LeNet: ``(32 − 5 + 2·0)/1 + 1 = 28`` for the first convolution,
``(28 − 2 + 2·0)/2 + 1 = 14`` for the max-pooling after it.
"""

from __future__ import annotations

from typing import Any


def conv_output_size(size: int, kernel: int, padding: int = 0, stride: int = 1) -> int:
    """The output size along one side of a convolution or pooling window over ``size`` input pixels.

    ``floor((size - kernel + 2*padding) / stride) + 1``. Raises :class:`ValueError` when an argument is not a
    whole number in its range (size, kernel, stride >= 1; padding >= 0) or when the kernel does not fit into the
    padded input even once. (PyTorch's pooling layers also require ``padding <= kernel // 2``; a convolution
    accepts any padding.)
    """
    values = {"size": size, "kernel": kernel, "padding": padding, "stride": stride}
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be a whole number, not {value!r}")
    for name in ("size", "kernel", "stride"):
        if values[name] < 1:
            raise ValueError(f"{name} must be at least 1, not {values[name]}")
    if padding < 0:
        raise ValueError(f"padding must be 0 or more, not {padding}")
    if kernel > size + 2 * padding:
        raise ValueError(f"a kernel of {kernel} does not fit into {size} pixels padded by {padding} on each side")
    return (size - kernel + 2 * padding) // stride + 1


def layer_geometry(layer: Any) -> tuple[int, int, int]:
    """``(kernel, padding, stride)`` of a 2-d convolution or pooling layer with square windows.

    Reads the attributes ``nn.Conv2d``, ``nn.MaxPool2d`` and ``nn.AvgPool2d`` keep (ints or (h, w) pairs);
    raises :class:`ValueError` for another kind of layer, non-square windows, dilation or string padding.
    """
    geometry = []
    for attribute in ("kernel_size", "padding", "stride"):
        value = getattr(layer, attribute, None)
        if isinstance(value, int):
            value = (value, value)
        if not (isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int) for v in value)):
            raise ValueError(f"{type(layer).__name__} has no square integer {attribute} ({value!r})")
        if value[0] != value[1]:
            raise ValueError(f"{type(layer).__name__} has a non-square {attribute} {value}")
        geometry.append(value[0])
    dilation = getattr(layer, "dilation", 1)
    if dilation not in (1, (1, 1)):
        raise ValueError(f"{type(layer).__name__} has dilation {dilation}; the formula here assumes 1")
    kernel, padding, stride = geometry
    return kernel, padding, stride
