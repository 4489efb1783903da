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
        "",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
