"""Variants of lesson 9's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "9.2": (
        "def iterations_per_epoch(n_samples, batch_size, drop_last=False):\n    return n_samples // batch_size",
        "",
    ),
    "9.3": (
        "def shuffled_loader(dataset, batch_size, seed):\n    return DataLoader(dataset, batch_size, shuffle=True)",
        "",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
