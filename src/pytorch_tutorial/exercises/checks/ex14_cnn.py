"""Checks for lesson 14 — Convolutional network."""

from __future__ import annotations

import torch
from hypothesis import strategies as st
from torch import nn

from pytorch_tutorial.exercises.checking import (
    check,
    expect,
    expect_number,
    expect_shape,
    expect_tensor,
    for_all,
    random_tensor,
)


@check("14.1")
def _(conv_output_size):
    expect_number(conv_output_size(32, 5), 28, "conv_output_size(32, 5)")
    expect_number(conv_output_size(28, 2, 0, 2), 14, "conv_output_size(28, 2, padding=0, stride=2)")

    @for_all(size=st.integers(1, 40), kernel=st.integers(1, 7), padding=st.integers(0, 3), stride=st.integers(1, 4))
    def _(size, kernel, padding, stride):
        if size + 2 * padding < kernel:
            return  # the kernel does not fit: no output
        padding = min(padding, kernel // 2)  # PyTorch allows at most half the kernel as padding
        conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding)
        with torch.no_grad():
            expected = conv(torch.zeros(1, 1, size, size)).shape[-1]  # what PyTorch really produces
        got = conv_output_size(size, kernel, padding, stride)
        expect(isinstance(got, int) and not isinstance(got, bool), "conv_output_size should return an int", got=got)
        expect_number(got, expected, f"conv_output_size({size}, kernel={kernel}, padding={padding}, stride={stride})")


@check("14.2")
def _(build_cnn):
    for in_channels, num_classes in ((1, 10), (3, 4)):
        torch.manual_seed(in_channels)
        model = build_cnn(in_channels, num_classes)
        what = f"build_cnn({in_channels}, {num_classes})"
        expect(isinstance(model, nn.Module), f"{what} should return an nn.Module", got=model)
        expect(any(isinstance(m, nn.Conv2d) for m in model.modules()), f"{what} has no nn.Conv2d layer")
        for batch in (1, 5):
            x = random_tensor((batch, in_channels, 28, 28), batch)
            out = model(x)
            expect_shape(
                out, (batch, num_classes), f"{what} on a batch of shape {(batch, in_channels, 28, 28)}", torch.float32
            )
        model.zero_grad()
        out.sum().backward()
        unused = [name for name, p in model.named_parameters() if p.grad is None or not torch.any(p.grad != 0)]
        expect(not unused, f"these parameters of {what} get no gradient (not used in forward?): {', '.join(unused)}")


@check("14.3")
def _(pad_to_32):
    @for_all(
        n=st.integers(1, 3),
        channels=st.integers(1, 3),
        dtype=st.sampled_from([torch.float32, torch.uint8]),
        seed=st.integers(0, 999),
    )
    def _(n, channels, dtype, seed):
        images = (random_tensor((n, channels, 28, 28), seed).abs() * 50).to(dtype) + 1  # no zeros inside
        expected = torch.zeros(n, channels, 32, 32, dtype=dtype)
        expected[:, :, 2:30, 2:30] = images
        expect_tensor(
            pad_to_32(images.clone()), expected, f"pad_to_32(images of shape {(n, channels, 28, 28)}, {dtype})"
        )
