"""Variants of lesson 8's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "8.1": (
        "def standardize(train, test):\n    return ((train - train.mean(0)) / train.std(0, unbiased=False), (test - test.mean(0)) / test.std(0, unbiased=False))",
        "test_scaled",
    ),
    "8.2": (
        "def stable_bce_with_logits(logits, targets):\n    p = torch.sigmoid(logits)\n    return -(targets * torch.log(p) + (1 - targets) * torch.log(1 - p)).mean()",
        "wrong values",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "8.1": [
        # the standard deviation written out, with keepdim
        "def standardize(train, test):\n"
        "    mean = train.mean(dim=0, keepdim=True)\n"
        "    std = ((train - mean) ** 2).mean(dim=0, keepdim=True).sqrt()\n"
        "    return (train - mean) / std, (test - mean) / std",
    ],
    "8.2": [
        # BCE = softplus(z) - y·z, and PyTorch's softplus is stable
        "def stable_bce_with_logits(logits, targets):\n"
        "    return (torch.nn.functional.softplus(logits) - targets * logits).mean()",
        # log(1 + e^z) = logaddexp(0, z)
        "def stable_bce_with_logits(logits, targets):\n"
        "    return (torch.logaddexp(torch.zeros_like(logits), logits) - targets * logits).mean()",
    ],
}
