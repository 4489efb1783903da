"""Variants of lesson 15's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "15.1": (
        "def freeze_all_but_head(model, head):\n    return list(getattr(model, head).parameters())",
        "requires_grad",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
