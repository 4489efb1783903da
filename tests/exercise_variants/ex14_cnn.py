"""Variants of lesson 14's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "14.1": (
        "def conv_output_size(size, kernel, padding=0, stride=1):\n"
        "    return (size - kernel + 2 * padding) / stride + 1",
        "int",
    ),
    # a second convolution made in __init__ but forgotten in forward
    "14.2": (
        "class _Net(nn.Module):\n"
        "    def __init__(self, in_channels, num_classes):\n"
        "        super().__init__()\n"
        "        self.conv1 = nn.Conv2d(in_channels, 6, kernel_size=5)  # 28 -> 24\n"
        "        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)\n"
        "        self.pool = nn.MaxPool2d(2)  # 24 -> 12\n"
        "        self.fc = nn.Linear(6 * 12 * 12, num_classes)\n"
        "\n"
        "    def forward(self, x):\n"
        "        x = self.pool(torch.relu(self.conv1(x)))\n"
        "        return self.fc(x.flatten(1))\n"
        "\n"
        "\n"
        "def build_cnn(in_channels, num_classes):\n"
        "    return _Net(in_channels, num_classes)",
        "conv2.weight",
    ),
    # pads only the last dimension: (left, right) of the width
    "14.3": (
        "def pad_to_32(images):\n    return F.pad(images, (2, 2))",
        "wrong shape",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "14.1": [
        # true division, then int(): the same as // for the non-negative sizes a layer sees
        "def conv_output_size(size, kernel, padding=0, stride=1):\n"
        "    return int((size + 2 * padding - kernel) / stride) + 1",
    ],
    "14.2": [
        # LeNet for 28x28 digits: padding 2 in the first convolution makes it 32x32 inside
        "class _LeNet(nn.Module):\n"
        "    def __init__(self, in_channels, num_classes):\n"
        "        super().__init__()\n"
        "        self.conv1 = nn.Conv2d(in_channels, 6, kernel_size=5, padding=2)\n"
        "        self.pool = nn.MaxPool2d(2, 2)\n"
        "        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)\n"
        "        self.fc1 = nn.Linear(16 * 5 * 5, 120)\n"
        "        self.fc2 = nn.Linear(120, num_classes)\n"
        "\n"
        "    def forward(self, x):\n"
        "        x = self.pool(F.relu(self.conv1(x)))\n"
        "        x = self.pool(F.relu(self.conv2(x)))\n"
        "        x = x.view(-1, 16 * 5 * 5)\n"
        "        return self.fc2(F.relu(self.fc1(x)))\n"
        "\n"
        "\n"
        "def build_cnn(in_channels, num_classes):\n"
        "    return _LeNet(in_channels, num_classes)",
        # global average pooling: no size arithmetic at all
        "def build_cnn(in_channels, num_classes):\n"
        "    return nn.Sequential(\n"
        "        nn.Conv2d(in_channels, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, num_classes)\n"
        "    )",
    ],
    "14.3": [
        "def pad_to_32(images):\n"
        "    n, c, h, w = images.shape\n"
        "    padded = torch.zeros(n, c, h + 4, w + 4, dtype=images.dtype)\n"
        "    padded[:, :, 2:-2, 2:-2] = images\n"
        "    return padded",
        "def pad_to_32(images):\n    from torchvision.transforms import v2\n\n    return v2.Pad(2)(images)",
    ],
}
