"""Variants of lesson 6's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "6.1": (
        "def training_step(model, loss_fn, optimizer, inputs, targets):\n    loss = loss_fn(model(inputs), targets)\n    loss.backward()\n    optimizer.step()\n    return loss.item()",
        "",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
