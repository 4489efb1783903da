"""Variants of lesson 3's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "3.1": (
        "def gradient_at(f, x):\n    x.requires_grad_(True)\n    f(x).backward()\n    return x.grad",
        "detached copy",
    ),
    # backward() of the summed output ignores v: it gives 1ᵀJ, not vᵀJ
    "3.2": (
        "def vector_jacobian_product(f, x, v):\n"
        "    point = x.detach().clone().requires_grad_(True)\n"
        "    f(point).sum().backward()\n"
        "    return point.grad.detach()",
        "vector_jacobian_product",
    ),
    "3.3": (
        "def sgd_update_(w, lr):\n    with torch.no_grad():\n        w -= lr * w.grad",
        "not reset",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "3.1": [
        # torch.autograd.grad returns the gradient instead of filling .grad
        "def gradient_at(f, x):\n"
        "    point = x.detach().requires_grad_(True)\n"
        "    (grad,) = torch.autograd.grad(f(point), point)\n"
        "    return grad",
    ],
    "3.2": [
        "def vector_jacobian_product(f, x, v):\n"
        "    point = x.detach().clone().requires_grad_(True)\n"
        "    return torch.autograd.grad(f(point), point, grad_outputs=v)[0]",
        # the scalar v · f(x) has the gradient vᵀJ
        "def vector_jacobian_product(f, x, v):\n"
        "    point = x.detach().clone().requires_grad_(True)\n"
        "    (v * f(point)).sum().backward()\n"
        "    return point.grad.detach()",
    ],
    "3.3": [
        # sub_ in place under no_grad, and the gradient set to None as optimizer.zero_grad() does
        "def sgd_update_(w, lr):\n    with torch.no_grad():\n        w.sub_(lr * w.grad)\n    w.grad = None",
    ],
}
