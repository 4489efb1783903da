"""Exercises for lesson 20 — RNN, LSTM and GRU.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 20         (all exercises of this file)
    pytorch-tutorial check 20.1       (one exercise)
    pytorch-tutorial hint 20.1        (stuck? a hint)
"""

import torch


def rnn_layer(
    x: torch.Tensor, weight_ih: torch.Tensor, weight_hh: torch.Tensor, bias_ih: torch.Tensor, bias_hh: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Exercise 20.1 — One layer of nn.RNN by hand.

    x is a batch of sequences (batch, time steps, input_size), batch first. weight_ih is (hidden_size,
    input_size), weight_hh (hidden_size, hidden_size), bias_ih and bias_hh (hidden_size,): the parameters
    nn.RNN calls weight_ih_l0, weight_hh_l0, bias_ih_l0 and bias_hh_l0. Starting from a hidden state of zeros,
    compute at each time step t

        h_t = tanh(x_t @ weight_ih.T + bias_ih + h_(t-1) @ weight_hh.T + bias_hh)

    and return (output, h_n) as nn.RNN(batch_first=True) does: output (batch, time steps, hidden_size) holds
    h_t for every step, h_n (1, batch, hidden_size) the last one. Do not call nn.RNN.
    """
    raise NotImplementedError


def count_weights(kind: str, input_size: int, hidden_size: int, num_layers: int) -> int:
    """Exercise 20.2 — How many weights a recurrent layer has.

    kind is "RNN", "GRU" or "LSTM". Return, as a Python int, the number of values in the parameters of
    nn.RNN / nn.GRU / nn.LSTM(input_size, hidden_size, num_layers) (with their biases), computed from a
    formula, without building the layer. Each layer has weight_ih, weight_hh, bias_ih and bias_hh; the GRU
    stacks 3 such blocks (one per gate), the LSTM 4. The first layer reads the input; each later layer reads
    the hidden states of the layer below.
    """
    raise NotImplementedError
