"""Variants of lesson 16's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "16.2": (
        "def pr_curve_data(logits, targets, class_index):\n    return logits.argmax(1) == class_index, torch.softmax(logits, 1)[:, class_index]",
        "true class",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
