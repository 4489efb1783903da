"""Variants of lesson 2's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "2.1": (
        "def pairwise_sums(a, b):\n    return torch.stack([a[i] + b for i in range(len(a))])",
        "loops",
    ),
    "2.2": (
        "def to_patches(image, size):\n    return image.reshape(-1, size, size)",
        "wrong values",
    ),
    "2.3": (
        "def shared_and_copied(array):\n    return torch.tensor(array), torch.tensor(array)",
        "memory",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
