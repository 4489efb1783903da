"""Variants of lesson 15's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # returns the head's parameters but freezes nothing
    "15.1": (
        "def freeze_all_but_head(model, head):\n    return list(getattr(model, head).parameters())",
        "requires_grad",
    ),
    # changes the old layer's attribute instead of making a new layer: its weight keeps the old shape
    "15.2": (
        "def replace_head(model, head, num_classes):\n    getattr(model, head).out_features = num_classes\n    return model",
        "kept the old head",
    ),
    # one epoch early: the rate drops after step_size - 1 epochs
    "15.3": (
        "def step_lr(initial_lr, step_size, gamma, epoch):\n    return initial_lr * gamma ** ((epoch + 1) // step_size)",
        "step_lr(",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    # requires_grad_ on whole modules
    "15.1": [
        "def freeze_all_but_head(model, head):\n    model.requires_grad_(False)\n    layer = model.get_submodule(head)\n    layer.requires_grad_(True)\n    return [p for p in layer.parameters()]",
    ],
    # add_module replaces a child of the same name
    "15.2": [
        "def replace_head(model, head, num_classes):\n    in_features = model.get_submodule(head).in_features\n    model.add_module(head, nn.Linear(in_features, num_classes))\n    return model",
    ],
    # what StepLR does: multiply by gamma at every multiple of step_size
    "15.3": [
        "def step_lr(initial_lr, step_size, gamma, epoch):\n    lr = initial_lr\n    for e in range(1, epoch + 1):\n        if e % step_size == 0:\n            lr *= gamma\n    return float(lr)",
    ],
}
