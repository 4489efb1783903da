"""Variants of lesson 4's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # forgets the last local gradient dŷ/dw = x: right only where x = 1, as in the fixed example
    "4.1": (
        "def squared_error_and_grad(x, y, w):\n    s = w * x - y\n    return float(s**2), float(2 * s)",
        "dloss/dw",
    ),
    "4.2": (
        "def linear_backward(x, weight, bias, grad_output):\n    return grad_output @ weight, grad_output.T @ x, grad_output.mean(0)",
        "dL/dbias",
    ),
    # central differences in float32: the subtraction of two nearly equal losses loses most digits
    "4.3": (
        "def numerical_gradient(f, x, eps=1e-6):\n"
        "    point = x.detach().clone()\n"
        "    grad = torch.zeros_like(point)\n"
        "    for i in range(point.numel()):\n"
        "        step = torch.zeros_like(point)\n"
        "        step.view(-1)[i] = eps\n"
        "        grad.view(-1)[i] = (f(point + step) - f(point - step)) / (2 * eps)\n"
        "    return grad",
        "numerical_gradient",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "4.1": [
        # the derivative multiplied out instead of the chain of local gradients
        "def squared_error_and_grad(x, y, w):\n    return (w * x - y) ** 2, 2 * x * x * w - 2 * x * y",
    ],
    "4.2": [
        "def linear_backward(x, weight, bias, grad_output):\n"
        "    grad_x = torch.einsum('no,oi->ni', grad_output, weight)\n"
        "    grad_weight = torch.einsum('no,ni->oi', grad_output, x)\n"
        "    return grad_x, grad_weight, grad_output.sum(dim=0)",
    ],
    "4.3": [
        # one flat float64 copy, nudged in place and restored
        "def numerical_gradient(f, x, eps=1e-6):\n"
        "    flat = x.detach().to(torch.float64).flatten().clone()\n"
        "    grad = torch.empty_like(flat)\n"
        "    for i in range(flat.numel()):\n"
        "        original = flat[i].item()\n"
        "        flat[i] = original + eps\n"
        "        plus = f(flat.view(x.shape)).item()\n"
        "        flat[i] = original - eps\n"
        "        minus = f(flat.view(x.shape)).item()\n"
        "        flat[i] = original\n"
        "        grad[i] = (plus - minus) / (2 * eps)\n"
        "    return grad.view(x.shape)",
    ],
}
