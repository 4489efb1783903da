"""Variants of lesson 10's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # the original course's MulTransform: `*=` multiplies the stored tensor in place
    "10.1": (
        "class MultiplyTransform:\n"
        "    def __init__(self, factor):\n"
        "        self.factor = factor\n"
        "    def __call__(self, sample):\n"
        "        features, label = sample\n"
        "        features *= self.factor\n"
        "        return features, label",
        "in place",
    ),
    # composition in the mathematician's order, f(g(h(x))): the last transform runs first
    "10.2": (
        "def compose(transforms):\n"
        "    def apply(sample):\n"
        "        for transform in reversed(transforms):\n"
        "            sample = transform(sample)\n"
        "        return sample\n"
        "    return apply",
        "affine maps",
    ),
    # normalised, but never scaled from 0-255 to 0-1 first
    "10.3": (
        "def to_normalized_float(image, mean, std):\n"
        "    mean = torch.tensor(mean).view(-1, 1, 1)\n"
        "    std = torch.tensor(std).view(-1, 1, 1)\n"
        "    return (image.float() - mean) / std",
        "to_normalized_float(image of shape",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "10.1": [
        # a dataclass, and torch.mul instead of *
        "from dataclasses import dataclass\n"
        "@dataclass\n"
        "class MultiplyTransform:\n"
        "    factor: float\n"
        "    def __call__(self, sample):\n"
        "        features, label = sample\n"
        "        return torch.mul(features, self.factor), label",
        # in place, but on a copy: the stored tensor is left alone
        "class MultiplyTransform:\n"
        "    def __init__(self, factor):\n"
        "        self.factor = factor\n"
        "    def __call__(self, sample):\n"
        "        features = sample[0].clone()\n"
        "        features *= self.factor\n"
        "        return features, sample[1]",
    ],
    "10.2": [
        # functools.reduce, and a lambda instead of an inner def
        "from functools import reduce\n"
        "def compose(transforms):\n"
        "    transforms = list(transforms)\n"
        "    return lambda sample: reduce(lambda value, transform: transform(value), transforms, sample)",
        # a class with __call__, like torchvision's Compose
        "class _Composed:\n"
        "    def __init__(self, transforms):\n"
        "        self.transforms = list(transforms)\n"
        "    def __call__(self, sample):\n"
        "        for transform in self.transforms:\n"
        "            sample = transform(sample)\n"
        "        return sample\n"
        "def compose(transforms):\n"
        "    return _Composed(transforms)",
    ],
    "10.3": [
        # torchvision's own functions for the two steps of lesson 10's pipeline
        "from torchvision.transforms.v2 import functional as TF\n"
        "def to_normalized_float(image, mean, std):\n"
        "    return TF.normalize(TF.to_dtype(image, torch.float32, scale=True), mean=list(mean), std=list(std))",
        # [:, None, None] instead of view, division by 255 written as a float
        "def to_normalized_float(image, mean, std):\n"
        "    mean = torch.as_tensor(mean, dtype=torch.float32)[:, None, None]\n"
        "    std = torch.as_tensor(std, dtype=torch.float32)[:, None, None]\n"
        "    return (image / 255.0 - mean) / std",
    ],
}
