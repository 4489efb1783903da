"""Variants of lesson 16's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # counts the steps from 1
    "16.1": (
        "def log_scalars(log_dir, tag, values):\n    from torch.utils.tensorboard import SummaryWriter\n\n    writer = SummaryWriter(log_dir=str(log_dir))\n    for step, value in enumerate(values, start=1):\n        writer.add_scalar(tag, value, global_step=step)\n    writer.close()",
        "reads back is wrong",
    ),
    # the predictions as labels: the bug of the original lesson
    "16.2": (
        "def pr_curve_data(logits, targets, class_index):\n    return logits.argmax(1) == class_index, torch.softmax(logits, 1)[:, class_index]",
        "true class",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    # the writer as a context manager closes itself
    "16.1": [
        "import os\n\ndef log_scalars(log_dir, tag, values):\n    from torch.utils.tensorboard import SummaryWriter\n\n    with SummaryWriter(os.fspath(log_dir)) as writer:\n        for step in range(len(values)):\n            writer.add_scalar(tag, float(values[step]), step)",
    ],
    # softmax written out (stable: subtract the row maximum), labels with eq
    "16.2": [
        "def pr_curve_data(logits, targets, class_index):\n    shifted = logits - logits.max(dim=1, keepdim=True).values\n    exp = shifted.exp()\n    probabilities = exp[:, class_index] / exp.sum(dim=1)\n    return targets.eq(class_index), probabilities",
    ],
}
