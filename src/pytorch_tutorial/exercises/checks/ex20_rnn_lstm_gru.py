"""Checks for lesson 20 — RNN, LSTM and GRU."""

from __future__ import annotations

import torch
from hypothesis import strategies as st
from torch import nn

from pytorch_tutorial.exercises.checking import check, expect, expect_tensor, fail, for_all, random_tensor


def _reference_rnn(x: torch.Tensor, hidden_size: int, seed: int) -> tuple[nn.RNN, torch.Tensor, torch.Tensor]:
    """A one-layer nn.RNN with random weights and what it returns for ``x``."""
    torch.manual_seed(seed)
    rnn = nn.RNN(x.shape[2], hidden_size, batch_first=True).to(x.dtype)
    output, h_n = rnn(x)
    return rnn, output, h_n


def _forbidden_rnn(*args, **kwargs):
    fail("rnn_layer calls nn.RNN: write the loop over the time steps yourself")


def _judge_rnn_layer(rnn_layer, batch: int, steps: int, features: int, hidden: int, dtype, seed: int) -> None:
    x = random_tensor((batch, steps, features), seed, dtype)
    rnn, expected_output, expected_h_n = _reference_rnn(x, hidden, seed)
    weights = [p.detach().clone().requires_grad_(True) for p in rnn.parameters()]  # ih, hh, b_ih, b_hh
    what = f"rnn_layer on x of shape {(batch, steps, features)} with hidden_size {hidden}"
    original, nn.RNN.forward = nn.RNN.forward, _forbidden_rnn
    try:
        got = rnn_layer(x.clone(), *weights)
    finally:
        nn.RNN.forward = original
    if not (isinstance(got, tuple) and len(got) == 2):
        fail(f"{what} should return the pair (output, h_n), as nn.RNN does", got=got)
    output, h_n = got
    if isinstance(output, torch.Tensor) and steps != batch and tuple(output.shape) == (steps, batch, hidden):
        fail(
            f"output of {what} is (time steps, batch, hidden_size): stack the hidden states along dim=1, "
            "batch first, as nn.RNN(batch_first=True) returns them",
            expected=f"shape {(batch, steps, hidden)}",
            got=f"shape {tuple(output.shape)}",
        )
    expect_tensor(output, expected_output.detach(), f"output of {what}", atol=1e-5)
    if isinstance(h_n, torch.Tensor) and tuple(h_n.shape) == (batch, hidden):
        fail(
            f"h_n of {what} is (batch, hidden_size): nn.RNN returns it as (num_layers, batch, hidden_size), "
            "here (1, batch, hidden_size)",
            expected=f"shape {(1, batch, hidden)}",
            got=f"shape {tuple(h_n.shape)}",
        )
    expect_tensor(h_n, expected_h_n.detach(), f"h_n of {what}", atol=1e-5)
    # the answer must be differentiable like nn.RNN's, so that a network built on it can learn
    output.sum().backward()
    expected_output.sum().backward()
    expect(weights[1].grad is not None, f"the output of {what} does not depend on weight_hh through autograd")
    expect_tensor(weights[1].grad, rnn.weight_hh_l0.grad, f"d sum(output) / d weight_hh for {what}", atol=1e-4)


@check("20.1")
def _(rnn_layer):
    _judge_rnn_layer(rnn_layer, batch=2, steps=3, features=4, hidden=5, dtype=torch.float32, seed=0)

    @for_all(
        batch=st.integers(1, 4),
        steps=st.integers(1, 6),
        features=st.integers(1, 5),
        hidden=st.integers(1, 6),
        dtype=st.sampled_from([torch.float32, torch.float64]),
        seed=st.integers(0, 999),
    )
    def _(batch, steps, features, hidden, dtype, seed):
        _judge_rnn_layer(rnn_layer, batch, steps, features, hidden, dtype, seed)


KINDS = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def _forbidden_layer(*args, **kwargs):
    fail("count_weights builds the layer: compute the number from the sizes instead")


def _judge_count(count_weights, kind: str, input_size: int, hidden_size: int, num_layers: int) -> None:
    layer = KINDS[kind](input_size, hidden_size, num_layers)
    expected = sum(p.numel() for p in layer.parameters())
    what = f"count_weights({kind!r}, input_size={input_size}, hidden_size={hidden_size}, num_layers={num_layers})"
    original, nn.RNNBase.__init__ = nn.RNNBase.__init__, _forbidden_layer
    try:
        got = count_weights(kind, input_size, hidden_size, num_layers)
    finally:
        nn.RNNBase.__init__ = original
    if isinstance(got, bool) or not isinstance(got, int):
        fail(f"{what} should return a Python int, not {type(got).__name__}", expected=expected, got=got)
    if got == expected:
        return
    gates, h = GATES[kind], hidden_size
    if got == num_layers * gates * (h * input_size + h * h + 2 * h):
        fail(
            f"{what} counts every layer as if it read the input: the layers after the first read the hidden "
            "states of the layer below, so their weight_ih is (gates * hidden_size, hidden_size)",
            expected=expected,
            got=got,
        )
    if got == expected - num_layers * gates * h:
        fail(f"{what} counts one bias per layer: nn.RNN and its kin have two, bias_ih and bias_hh", expected=expected)
    fail(f"{what} has the wrong value", expected=expected, got=got)


@check("20.2")
def _(count_weights):
    for kind in ("RNN", "GRU", "LSTM"):
        _judge_count(count_weights, kind, 28, 64, 2)  # lesson 20's layers: 14,336, 43,008 and 57,344

    @for_all(
        kind=st.sampled_from(["RNN", "GRU", "LSTM"]),
        input_size=st.integers(1, 40),
        hidden_size=st.integers(1, 40),
        num_layers=st.integers(1, 4),
    )
    def _(kind, input_size, hidden_size, num_layers):
        _judge_count(count_weights, kind, input_size, hidden_size, num_layers)
