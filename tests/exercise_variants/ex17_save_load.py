"""Variants of lesson 17's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # it resumes exactly, but unpickles whatever the file holds
    "17.1": (
        "def load_checkpoint(path, model, optimizer):\n    checkpoint = torch.load(path, weights_only=False)\n    model.load_state_dict(checkpoint['model'])\n    optimizer.load_state_dict(checkpoint['optimizer'])\n    return checkpoint['epoch']",
        "weights_only=True",
    ),
    "17.2": (
        "def save_atomic(obj, path):\n    torch.save(obj, path)",
        "previous file",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    # torch.load without weights_only (its default is True since PyTorch 2.6), other key names, a pathlib.Path
    "17.1": [
        "def save_checkpoint(path, model, optimizer, epoch):\n    state = dict(model_state=model.state_dict(), optimizer_state=optimizer.state_dict(), epoch=int(epoch))\n    torch.save(state, Path(path))\n\ndef load_checkpoint(path, model, optimizer):\n    state = torch.load(path, map_location='cpu')\n    model.load_state_dict(state['model_state'])\n    optimizer.load_state_dict(state['optimizer_state'])\n    return state['epoch']",
    ],
    # a unique temporary file from tempfile, cleaned up on failure only (torch.save refuses a dotfile name with
    # no extension, '.tmp-abc': 'invalid file name'; hence the suffix)
    "17.2": [
        "import tempfile\n\ndef save_atomic(obj, path):\n    path = Path(path)\n    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix='.tmp-', suffix='.pt')\n    os.close(handle)\n    try:\n        torch.save(obj, tmp)\n    except BaseException:\n        os.unlink(tmp)\n        raise\n    os.replace(tmp, path)",
    ],
}
