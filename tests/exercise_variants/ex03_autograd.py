"""Variants of lesson 3's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "3.1": (
        "def gradient_at(f, x):\n    x.requires_grad_(True)\n    f(x).backward()\n    return x.grad",
        "",
    ),
    "3.3": (
        "def sgd_update_(w, lr):\n    with torch.no_grad():\n        w -= lr * w.grad",
        "not reset",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
