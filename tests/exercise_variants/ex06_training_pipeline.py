"""Variants of lesson 6's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "6.1": (
        "def training_step(model, loss_fn, optimizer, inputs, targets):\n    loss = loss_fn(model(inputs), targets)\n    loss.backward()\n    optimizer.step()\n    return loss.item()",
        "never clear the gradients",
    ),
    # nn.Linear(in, out) with the sizes swapped
    "6.2": (
        "class LinearRegression(nn.Module):\n"
        "    def __init__(self, input_dim, output_dim):\n"
        "        super().__init__()\n"
        "        self.linear = nn.Linear(output_dim, input_dim)\n\n"
        "    def forward(self, x):\n"
        "        return self.linear(x)",
        "wrong trainable parameters",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "6.1": [
        # zero_grad first, as PyTorch's tutorials and lesson 16 write it
        "def training_step(model, loss_fn, optimizer, inputs, targets):\n"
        "    optimizer.zero_grad()\n"
        "    loss = loss_fn(model(inputs), targets)\n"
        "    loss.backward()\n"
        "    optimizer.step()\n"
        "    return loss.item()",
    ],
    "6.2": [
        # its own parameters instead of an nn.Linear inside
        "class LinearRegression(nn.Module):\n"
        "    def __init__(self, input_dim, output_dim):\n"
        "        super().__init__()\n"
        "        self.weight = nn.Parameter(torch.randn(output_dim, input_dim) / input_dim**0.5)\n"
        "        self.bias = nn.Parameter(torch.zeros(output_dim))\n\n"
        "    def forward(self, x):\n"
        "        return x @ self.weight.T + self.bias",
    ],
}
