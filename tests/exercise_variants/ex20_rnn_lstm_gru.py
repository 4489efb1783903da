"""Variants of lesson 20's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # the hidden state multiplied by weight_hh instead of its transpose
    "20.1": (
        "def rnn_layer(x, weight_ih, weight_hh, bias_ih, bias_hh):\n"
        "    h = torch.zeros(x.shape[0], weight_hh.shape[0], dtype=x.dtype)\n"
        "    outputs = []\n"
        "    for t in range(x.shape[1]):\n"
        "        h = torch.tanh(x[:, t] @ weight_ih.T + bias_ih + h @ weight_hh + bias_hh)\n"
        "        outputs.append(h)\n"
        "    return torch.stack(outputs, dim=1), h.unsqueeze(0)",
        "wrong values",
    ),
    # every layer counted with the input size
    "20.2": (
        "def count_weights(kind, input_size, hidden_size, num_layers):\n"
        "    gates = {'RNN': 1, 'GRU': 3, 'LSTM': 4}[kind]\n"
        "    per_layer = gates * (hidden_size * (input_size + hidden_size) + 2 * hidden_size)\n"
        "    return num_layers * per_layer",
        "read the hidden states of the layer below",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "20.1": [
        # the input projections of all steps at once, then torch.addmm for the recurrence
        "def rnn_layer(x, weight_ih, weight_hh, bias_ih, bias_hh):\n"
        "    projected = x @ weight_ih.T + bias_ih + bias_hh\n"
        "    h = x.new_zeros(x.shape[0], weight_hh.shape[0])\n"
        "    steps = []\n"
        "    for t in range(x.shape[1]):\n"
        "        h = torch.tanh(torch.addmm(projected[:, t], h, weight_hh.t()))\n"
        "        steps.append(h)\n"
        "    output = torch.stack(steps).transpose(0, 1)\n"
        "    return output, output[:, -1][None]",
    ],
    "20.2": [
        "def count_weights(kind, input_size, hidden_size, num_layers):\n"
        "    gates = 4 if kind == 'LSTM' else 3 if kind == 'GRU' else 1\n"
        "    first = gates * hidden_size * (input_size + hidden_size + 2)\n"
        "    later = gates * hidden_size * (2 * hidden_size + 2)\n"
        "    return first + (num_layers - 1) * later",
    ],
}
