"""Variants of lesson 22's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # the warm-up counted from 0: the first epoch trains at rate 0
    "22.1": (
        "def warmup_cosine(optimizer, warmup_epochs, total_epochs):\n"
        "    def factor(epoch):\n"
        "        if epoch < warmup_epochs:\n"
        "            return epoch / warmup_epochs\n"
        "        return (1 + math.cos(math.pi * (epoch - warmup_epochs) / (total_epochs - warmup_epochs))) / 2\n"
        "    return lr_scheduler.LambdaLR(optimizer, factor)",
        "first epoch's rate is 0",
    ),
    # the pre-1.1 order: the scheduler first
    "22.2": (
        "def train_with_scheduler(model, loader, loss_fn, optimizer, scheduler, epochs, per_batch):\n"
        "    rates = []\n"
        "    for epoch in range(epochs):\n"
        "        if not per_batch:\n"
        "            scheduler.step()\n"
        "        for x, y in loader:\n"
        "            if per_batch:\n"
        "                scheduler.step()\n"
        "            optimizer.zero_grad()\n"
        "            loss_fn(model(x), y).backward()\n"
        "            rates.append(optimizer.param_groups[0]['lr'])\n"
        "            optimizer.step()\n"
        "    return rates",
        "before optimizer.step()",
    ),
    # lowers the rate when the count reaches patience
    "22.3": (
        "def plateau_rates(losses, lr, factor, patience):\n"
        "    rates, best, bad = [], float('inf'), 0\n"
        "    for loss in losses:\n"
        "        rates.append(lr)\n"
        "        if loss < best * (1 - 1e-4):\n"
        "            best, bad = loss, 0\n"
        "        else:\n"
        "            bad += 1\n"
        "        if bad >= patience:\n"
        "            lr, bad = lr * factor, 0\n"
        "    return rates",
        "one epoch too early",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "22.1": [
        # a lambda with torch's cosine; a warm-up of 0 epochs never takes the first branch
        "def warmup_cosine(optimizer, warmup_epochs, total_epochs):\n"
        "    cosine_epochs = total_epochs - warmup_epochs\n"
        "    return lr_scheduler.LambdaLR(\n"
        "        optimizer,\n"
        "        lambda e: min(1.0, (e + 1) / warmup_epochs) if e < warmup_epochs\n"
        "        else 0.5 + 0.5 * torch.cos(torch.tensor(torch.pi * (e - warmup_epochs) / cosine_epochs)).item(),\n"
        "    )",
    ],
    "22.2": [
        # zero_grad first, the rate read with get_last_lr(), the epoch scheduler stepped after the loop body
        "def train_with_scheduler(model, loader, loss_fn, optimizer, scheduler, epochs, per_batch):\n"
        "    rates = []\n"
        "    for epoch in range(epochs):\n"
        "        for x, y in loader:\n"
        "            optimizer.zero_grad()\n"
        "            loss = loss_fn(model(x), y)\n"
        "            loss.backward()\n"
        "            rates.append(float(scheduler.get_last_lr()[0]))\n"
        "            optimizer.step()\n"
        "            if per_batch:\n"
        "                scheduler.step()\n"
        "        else:\n"
        "            if not per_batch:\n"
        "                scheduler.step()\n"
        "    return rates",
    ],
    "22.3": [
        # the count of bad epochs kept as the epoch of the last improvement
        "def plateau_rates(losses, lr, factor, patience):\n"
        "    rates, best, since = [], None, 0\n"
        "    for loss in losses:\n"
        "        rates.append(lr)\n"
        "        if best is None or loss < best - abs(best) * 1e-4:\n"
        "            best, since = loss, 0\n"
        "            continue\n"
        "        since += 1\n"
        "        if since == patience + 1:\n"
        "            lr = lr * factor\n"
        "            since = 0\n"
        "    return rates",
    ],
}
