"""Reference solutions for lesson 20 — RNN, LSTM and GRU."""

import torch


def rnn_layer(
    x: torch.Tensor, weight_ih: torch.Tensor, weight_hh: torch.Tensor, bias_ih: torch.Tensor, bias_hh: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Exercise 20.1 — One layer of nn.RNN by hand."""
    h = torch.zeros(x.shape[0], weight_hh.shape[0], dtype=x.dtype)
    hidden_states = []
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t] @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh)
        hidden_states.append(h)
    return torch.stack(hidden_states, dim=1), h.unsqueeze(0)


def count_weights(kind: str, input_size: int, hidden_size: int, num_layers: int) -> int:
    """Exercise 20.2 — How many weights a recurrent layer has."""
    gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    total = 0
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else hidden_size
        total += gates * (hidden_size * layer_input + hidden_size * hidden_size + 2 * hidden_size)
    return total
