"""Variants of lesson 11's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # log of the softmax as written: e^1000 overflows
    "11.1": (
        "def log_softmax(x, dim=-1):\n    return torch.log(torch.exp(x) / torch.exp(x).sum(dim, keepdim=True))",
        "log_softmax([1000., 0.])",
    ),
    # lesson 11's one-hot formula on the softmax as written: right for small logits, nan for large ones
    "11.2": (
        "def cross_entropy(logits, targets):\n"
        "    probabilities = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)\n"
        "    one_hot = torch.nn.functional.one_hot(targets, logits.shape[1])\n"
        "    return -(one_hot * torch.log(probabilities)).sum(dim=1).mean()",
        "scaled by 1000",
    ),
    # the original course's axis=0: right for one sample, wrong for a batch (N, C)
    "11.3": (
        "def softmax_numpy(x):\n    exps = np.exp(x - np.max(x))\n    return exps / np.sum(exps, axis=0)",
        "softmax_numpy(x of shape",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "11.1": [
        # max(...).values instead of amax, method chaining
        "def log_softmax(x, dim=-1):\n"
        "    m = x.max(dim=dim, keepdim=True).values\n"
        "    return x - m - (x - m).exp().sum(dim=dim, keepdim=True).log()",
        # the maximum taken out of the graph: the result does not depend on it
        "def log_softmax(x, dim=-1):\n"
        "    shift = x.detach().amax(dim=dim, keepdim=True)\n"
        "    return (x - shift) - torch.log(torch.sum(torch.exp(x - shift), dim=dim, keepdim=True))",
    ],
    "11.2": [
        # lesson 11's bridge: the one-hot formula on stable log-probabilities
        "def cross_entropy(logits, targets):\n"
        "    shifted = logits - logits.max(dim=1, keepdim=True).values\n"
        "    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()\n"
        "    one_hot = torch.nn.functional.one_hot(targets, logits.shape[1]).to(logits.dtype)\n"
        "    return -(one_hot * log_probs).sum(dim=1).mean()",
        # index the log-probabilities, then a sum divided by N
        "def cross_entropy(logits, targets):\n"
        "    shifted = logits - logits.amax(dim=1, keepdim=True)\n"
        "    log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))\n"
        "    picked = log_probs[torch.arange(len(targets)), targets]\n"
        "    return -picked.sum() / len(targets)",
    ],
    "11.3": [
        "def softmax_numpy(x):\n"
        "    exps = np.exp(x - np.max(x, axis=-1)[..., None])\n"
        "    return exps / exps.sum(axis=-1)[..., None]",
        # SciPy's
        "def softmax_numpy(x):\n    from scipy.special import softmax\n    return softmax(x, axis=-1)",
    ],
}
