"""Variants of lesson 14's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "14.1": (
        "def conv_output_size(size, kernel, padding=0, stride=1):\n    return (size - kernel + 2 * padding) / stride + 1",
        "int",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
