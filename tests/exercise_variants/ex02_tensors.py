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
RIGHT: dict[str, list[str]] = {
    "2.1": [
        # lesson 2's indexing with None, and the row left to broadcasting
        "def pairwise_sums(a, b):\n    return a[:, None] + b",
        # explicit reshape to a column and a row
        "def pairwise_sums(a, b):\n    return torch.add(a.reshape(-1, 1), b.reshape(1, -1))",
    ],
    "2.2": [
        # transpose of the two middle axes instead of permute
        "def to_patches(image, size):\n"
        "    h, w = image.shape\n"
        "    return image.reshape(h // size, size, w // size, size).transpose(1, 2).reshape(-1, size, size)",
        # unfold: sliding windows of width and step `size` along rows, then columns
        "def to_patches(image, size):\n    return image.unfold(0, size, size).unfold(1, size, size).reshape(-1, size, size)",
    ],
    "2.3": [
        # as_tensor shares a NumPy array's memory on the CPU; a copy of the array makes an independent tensor
        "def shared_and_copied(array):\n    return torch.as_tensor(array), torch.from_numpy(array.copy())",
    ],
}
