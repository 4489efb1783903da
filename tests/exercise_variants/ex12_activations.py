"""Variants of lesson 12's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # the negative entries scaled in place: x itself changes, and autograd refuses it on a leaf
    "12.1": (
        "def leaky_relu(x, negative_slope=0.01):\n    x[x < 0] *= negative_slope\n    return x",
        "in-place operation",
    ),
    # the denominator not squared: e^-x / (1 + e^-x) is 1 - sigmoid(x), not its derivative
    "12.2": (
        "def sigmoid_derivative(x):\n    return torch.exp(-x) / (1 + torch.exp(-x))",
        "sigmoid_derivative([0.])",
    ),
    # a softmax at the end: probabilities instead of the logits nn.CrossEntropyLoss wants
    "12.3": (
        "def make_classifier(input_size, hidden_size, num_classes):\n"
        "    return nn.Sequential(nn.Linear(input_size, hidden_size), nn.ReLU(), nn.Linear(hidden_size, num_classes),"
        " nn.Softmax(dim=1))",
        "softmax",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "12.1": [
        # the positive part plus the scaled negative part
        "def leaky_relu(x, negative_slope=0.01):\n    return torch.relu(x) - negative_slope * torch.relu(-x)",
        # lesson 12's NumPy formula, written with torch.where
        "def leaky_relu(x, negative_slope=0.01):\n    return torch.where(x >= 0, x, x * negative_slope)",
    ],
    "12.2": [
        # the same derivative without the sigmoid: e^-x / (1 + e^-x)^2
        "def sigmoid_derivative(x):\n    return torch.exp(-x) / (1 + torch.exp(-x)) ** 2",
        # 1 - sigmoid(x) is sigmoid(-x)
        "def sigmoid_derivative(x):\n    return torch.sigmoid(x) * torch.sigmoid(-x)",
        # 1 / (4 cosh^2(x / 2)), the same function once more
        "def sigmoid_derivative(x):\n    return 0.25 / torch.cosh(x / 2) ** 2",
    ],
    "12.3": [
        # lesson 12's first way: a class with the activation as a module
        "class _Classifier(nn.Module):\n"
        "    def __init__(self, input_size, hidden_size, num_classes):\n"
        "        super().__init__()\n"
        "        self.linear1 = nn.Linear(input_size, hidden_size)\n"
        "        self.relu = nn.ReLU()\n"
        "        self.linear2 = nn.Linear(hidden_size, num_classes)\n"
        "    def forward(self, x):\n"
        "        return self.linear2(self.relu(self.linear1(x)))\n"
        "def make_classifier(input_size, hidden_size, num_classes):\n"
        "    return _Classifier(input_size, hidden_size, num_classes)",
        # the second way: torch.relu called in forward
        "class _Classifier(nn.Module):\n"
        "    def __init__(self, input_size, hidden_size, num_classes):\n"
        "        super().__init__()\n"
        "        self.hidden = nn.Linear(input_size, hidden_size)\n"
        "        self.out = nn.Linear(hidden_size, num_classes)\n"
        "    def forward(self, x):\n"
        "        return self.out(torch.relu(self.hidden(x)))\n"
        "def make_classifier(input_size, hidden_size, num_classes):\n"
        "    return _Classifier(input_size, hidden_size, num_classes)",
    ],
}
