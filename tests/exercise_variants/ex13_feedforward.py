"""Variants of lesson 13's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "13.1": (
        "def evaluate_accuracy(model, loader):\n"
        "    correct = total = 0\n"
        "    for x, y in loader:\n"
        "        correct += (model(x).argmax(1) == y).sum().item()\n"
        "        total += len(y)\n"
        "    return correct / total",
        "model.eval()",
    ),
    "13.2": (
        "def train_one_epoch(model, loader, loss_fn, optimizer):\n"
        "    model.train()\n"
        "    losses = []\n"
        "    for x, y in loader:\n"
        "        loss = loss_fn(model(x), y)\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
        "        optimizer.zero_grad()\n"
        "        losses.append(loss.item())\n"
        "    return sum(losses) / len(losses)",
        "mean loss",
    ),
    # rows = predictions, columns = truth: the transpose of the confusion matrix
    "13.3": (
        "def confusion_matrix(predictions, targets, num_classes):\n"
        "    counts = torch.bincount(predictions * num_classes + targets, minlength=num_classes * num_classes)\n"
        "    return counts.reshape(num_classes, num_classes)",
        "wrong values",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "13.1": [
        # inference_mode instead of no_grad, and all predictions collected before counting
        "def evaluate_accuracy(model, loader):\n"
        "    model.eval()\n"
        "    predicted, truth = [], []\n"
        "    with torch.inference_mode():\n"
        "        for x, y in loader:\n"
        "            predicted.append(model(x).argmax(dim=1))\n"
        "            truth.append(y)\n"
        "    return (torch.cat(predicted) == torch.cat(truth)).float().mean().item()",
    ],
    "13.2": [
        # zero_grad first, as the original course and lesson 16 do
        "def train_one_epoch(model, loader, loss_fn, optimizer):\n"
        "    model.train()\n"
        "    total, count = 0.0, 0\n"
        "    for x, y in loader:\n"
        "        optimizer.zero_grad()\n"
        "        loss = loss_fn(model(x), y)\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
        "        total += loss.item() * x.shape[0]\n"
        "        count += x.shape[0]\n"
        "    return total / count",
        # model.zero_grad() after the step, losses summed per sample
        "def train_one_epoch(model, loader, loss_fn, optimizer):\n"
        "    model.train()\n"
        "    sums, sizes = [], []\n"
        "    for x, y in loader:\n"
        "        loss = loss_fn(model(x), y)\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
        "        model.zero_grad()\n"
        "        sums.append(loss.item() * len(y))\n"
        "        sizes.append(len(y))\n"
        "    return float(sum(sums) / sum(sizes))",
    ],
    "13.3": [
        "def confusion_matrix(predictions, targets, num_classes):\n"
        "    counts = torch.zeros(num_classes, num_classes, dtype=torch.int64)\n"
        "    return counts.index_put_((targets, predictions), torch.ones_like(targets), accumulate=True)",
        # one-hot rows of the truth times one-hot rows of the prediction
        "def confusion_matrix(predictions, targets, num_classes):\n"
        "    import torch.nn.functional as F\n"
        "    return F.one_hot(targets, num_classes).T @ F.one_hot(predictions, num_classes)",
    ],
}
