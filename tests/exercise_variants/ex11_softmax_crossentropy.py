"""Variants of lesson 11's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "11.1": (
        "def log_softmax(x, dim=-1):\n    return torch.log(torch.exp(x) / torch.exp(x).sum(dim, keepdim=True))",
        "",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
