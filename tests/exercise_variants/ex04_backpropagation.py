"""Variants of lesson 4's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "4.2": (
        "def linear_backward(x, weight, bias, grad_output):\n    return grad_output @ weight, grad_output.T @ x, grad_output.mean(0)",
        "dL/dbias",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
