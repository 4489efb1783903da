"""Variants of lesson 7's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # no column of ones: the line is forced through the origin
    "7.1": (
        "def least_squares(X, y):\n    return torch.linalg.lstsq(X, y.unsqueeze(1)).solution.squeeze(1), 0.0",
        "the weight",
    ),
    # powers 0 .. degree - 1 instead of 1 .. degree
    "7.2": (
        "def polynomial_features(x, degree):\n    return x.unsqueeze(1) ** torch.arange(degree, dtype=x.dtype)",
        "polynomial_features",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "7.1": [
        # the pseudo-inverse of the design matrix (a column of ones last)
        "def least_squares(X, y):\n"
        "    design = torch.cat([X, torch.ones_like(X[:, :1])], dim=1)\n"
        "    solution = torch.linalg.pinv(design) @ y\n"
        "    return solution[:-1], float(solution[-1])",
    ],
    "7.2": [
        "def polynomial_features(x, degree):\n    return torch.pow(x[:, None], torch.arange(1, degree + 1))",
        # x, x·x, x·x·x, ... as a running product
        "def polynomial_features(x, degree):\n    return torch.cumprod(x[:, None].expand(-1, degree), dim=1)",
    ],
}
