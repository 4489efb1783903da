"""Variants of lesson 5's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "5.1": (
        "def mse_gradient(x, y, w):\n    return float(np.sum(2 * x * (w * x - y)))",
        "wrong value",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
