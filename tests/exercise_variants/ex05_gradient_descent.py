"""Variants of lesson 5's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "5.1": (
        "def mse_gradient(x, y, w):\n    return float(np.sum(2 * x * (w * x - y)))",
        "wrong value",
    ),
    # the original video's gradient: np.dot already sums, so the mean divides by nothing
    "5.2": (
        "def gradient_descent(x, y, lr, n_iters):\n"
        "    w = 0.0\n"
        "    for _ in range(n_iters):\n"
        "        w -= lr * np.dot(2 * x, w * x - y).mean()\n"
        "    return float(w)",
        "after one step",
    ),
    # right numbers, but the gradient is written by hand: autograd never runs
    "5.3": (
        "def gradient_descent_autograd(x, y, lr, n_iters):\n"
        "    w = torch.tensor(0.0, dtype=x.dtype)\n"
        "    for _ in range(n_iters):\n"
        "        w = w - lr * (2 * x * (w * x - y)).mean()\n"
        "    return w.item()",
        "backward passes",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "5.1": [
        # the fixed form of the video's gradient: the dot product's sum divided by N
        "def mse_gradient(x, y, w):\n    return 2 * np.dot(x, w * x - y) / len(x)",
    ],
    "5.2": [
        "def gradient_descent(x, y, lr, n_iters):\n"
        "    w = 0.0\n"
        "    for _ in range(n_iters):\n"
        "        y_pred = w * x\n"
        "        w = w - lr * 2 * np.mean(x * (y_pred - y))\n"
        "    return w",
    ],
    "5.3": [
        # lesson 6's optimizer, zeroing first
        "def gradient_descent_autograd(x, y, lr, n_iters):\n"
        "    w = torch.zeros((), dtype=x.dtype, requires_grad=True)\n"
        "    optimizer = torch.optim.SGD([w], lr=lr)\n"
        "    for _ in range(n_iters):\n"
        "        optimizer.zero_grad()\n"
        "        torch.nn.functional.mse_loss(w * x, y).backward()\n"
        "        optimizer.step()\n"
        "    return float(w)",
        # torch.autograd.grad instead of .grad
        "def gradient_descent_autograd(x, y, lr, n_iters):\n"
        "    w = torch.tensor(0.0, dtype=x.dtype, requires_grad=True)\n"
        "    for _ in range(n_iters):\n"
        "        (grad,) = torch.autograd.grad(((w * x - y) ** 2).mean(), w)\n"
        "        with torch.no_grad():\n"
        "            w -= lr * grad\n"
        "    return w.item()",
    ],
}
