"""The output-size formula of lesson 14 against the shapes PyTorch's layers really produce."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from pytorch_tutorial.shapes import conv_output_size, layer_geometry


def test_the_course_examples():
    assert conv_output_size(32, kernel=5, padding=0, stride=1) == 28
    assert conv_output_size(28, kernel=2, padding=0, stride=2) == 14
    assert conv_output_size(14, 5) == 10
    assert conv_output_size(10, 2, stride=2) == 5
    assert conv_output_size(28, 3, padding=1) == 28  # "same" padding for a 3x3 kernel
    assert conv_output_size(7, 2, stride=2) == 3  # 7 is odd: the last column is left out (floor)


@st.composite
def geometries(draw, pooling: bool = False):
    """A valid (size, kernel, padding, stride); pooling layers also need padding <= kernel // 2."""
    kernel = draw(st.integers(1, 7))
    padding = draw(st.integers(0, kernel // 2 if pooling else 4))
    size = draw(st.integers(max(1, kernel - 2 * padding), 40))
    stride = draw(st.integers(1, 5))
    return size, kernel, padding, stride


@settings(max_examples=150, deadline=None)
@given(geometries())
def test_formula_matches_conv2d(geometry):
    size, kernel, padding, stride = geometry
    conv = nn.Conv2d(1, 1, kernel_size=kernel, padding=padding, stride=stride)
    with torch.no_grad():
        out = conv(torch.zeros(1, 1, size, size))
    expected = conv_output_size(size, kernel, padding, stride)
    assert out.shape == (1, 1, expected, expected)
    assert layer_geometry(conv) == (kernel, padding, stride)


@settings(max_examples=150, deadline=None)
@given(geometries(pooling=True))
def test_formula_matches_maxpool2d(geometry):
    size, kernel, padding, stride = geometry
    pool = nn.MaxPool2d(kernel_size=kernel, padding=padding, stride=stride)
    out = pool(torch.zeros(1, 1, size, size))
    expected = conv_output_size(size, kernel, padding, stride)
    assert out.shape == (1, 1, expected, expected)
    assert layer_geometry(pool) == (kernel, padding, stride)


@settings(max_examples=50, deadline=None)
@given(size=st.integers(1, 20), padding=st.integers(0, 3), extra=st.integers(1, 5), stride=st.integers(1, 3))
def test_a_kernel_larger_than_the_padded_input_is_rejected_like_pytorch_does(size, padding, extra, stride):
    kernel = size + 2 * padding + extra
    with pytest.raises(ValueError, match="does not fit"):
        conv_output_size(size, kernel, padding, stride)
    with pytest.raises(RuntimeError):
        nn.Conv2d(1, 1, kernel, padding=padding, stride=stride)(torch.zeros(1, 1, size, size))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 1, 0, 1), "size must be at least 1"),
        ((5, 0, 0, 1), "kernel must be at least 1"),
        ((5, 3, -1, 1), "padding must be 0 or more"),
        ((5, 3, 0, 0), "stride must be at least 1"),
        ((5.0, 3, 0, 1), "whole number"),
        ((5, 3, 0, 1.5), "whole number"),
        ((5, True, 0, 1), "whole number"),
    ],
)
def test_invalid_arguments_raise_value_error(args, message):
    with pytest.raises(ValueError, match=message):
        conv_output_size(*args)


def test_layer_geometry_rejects_what_the_formula_does_not_cover():
    with pytest.raises(ValueError, match="non-square"):
        layer_geometry(nn.Conv2d(1, 1, kernel_size=(3, 5)))
    with pytest.raises(ValueError, match="dilation"):
        layer_geometry(nn.Conv2d(1, 1, kernel_size=3, dilation=2))
    with pytest.raises(ValueError, match="Linear"):
        layer_geometry(nn.Linear(3, 4))
