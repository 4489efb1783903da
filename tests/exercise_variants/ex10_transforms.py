"""Variants of lesson 10's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "10.1": (
        "class MultiplyTransform:\n    def __init__(self, factor):\n        self.factor = factor\n    def __call__(self, sample):\n        sample[0].mul_(self.factor)\n        return sample",
        "in place",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
