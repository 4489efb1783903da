"""Variants of lesson 17's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    "17.1": (
        "def save_checkpoint(path, model, optimizer, epoch):\n    torch.save({'epoch': epoch, 'model': model.state_dict()}, path)\n\ndef load_checkpoint(path, model, optimizer):\n    checkpoint = torch.load(path, weights_only=True)\n    model.load_state_dict(checkpoint['model'])\n    return checkpoint['epoch']",
        "optimizer",
    ),
    "17.2": (
        "def save_atomic(obj, path):\n    torch.save(obj, path)",
        "previous file",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {}
