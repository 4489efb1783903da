"""Variants of lesson 13's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "13.1": (
        "def evaluate_accuracy(model, loader):\n    correct = total = 0\n    for x, y in loader:\n        correct += (model(x).argmax(1) == y).sum().item()\n        total += len(y)\n    return correct / total",
        "model.eval()",
    ),
    "13.2": (
        "def train_one_epoch(model, loader, loss_fn, optimizer):\n    model.train()\n    losses = []\n    for x, y in loader:\n        loss = loss_fn(model(x), y)\n        loss.backward()\n        optimizer.step()\n        optimizer.zero_grad()\n        losses.append(loss.item())\n    return sum(losses) / len(losses)",
        "mean loss",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
