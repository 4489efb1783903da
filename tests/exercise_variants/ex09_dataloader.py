"""Variants of lesson 9's exercises that the checks must judge right: each is the file's reference
solutions with one exercise replaced."""

# exercise id -> (a wrong but plausible answer, a phrase its failure message must contain)
WRONG = {
    # lesson 9's WineDataset copied as it is: np.loadtxt without ndmin=2 gives a 1-D array for a one-row file
    "9.1": (
        "class CSVDataset(Dataset):\n"
        "    def __init__(self, path):\n"
        "        xy = np.loadtxt(path, delimiter=',', dtype=np.float32, skiprows=1)\n"
        "        self.x = torch.from_numpy(xy[:, 1:])\n"
        "        self.y = torch.from_numpy(xy[:, 0].astype(np.int64) - 1)\n"
        "    def __getitem__(self, index):\n"
        "        return self.x[index], self.y[index]\n"
        "    def __len__(self):\n"
        "        return len(self.y)",
        "1-dimensional",
    ),
    # floor division drops the last, smaller batch although drop_last is False
    "9.2": (
        "def iterations_per_epoch(n_samples, batch_size, drop_last=False):\n    return n_samples // batch_size",
        "iterations_per_epoch(",
    ),
    # shuffled, but from the global random state: the seed is ignored
    "9.3": (
        "def shuffled_loader(dataset, batch_size, seed):\n    return DataLoader(dataset, batch_size, shuffle=True)",
        "same seed",
    ),
}

# exercise id -> [correct answers written differently from the reference solution]
RIGHT: dict[str, list[str]] = {
    "9.1": [
        # lesson 9's WineDataset with ndmin=2, the labels converted after from_numpy
        "class CSVDataset(Dataset):\n"
        "    def __init__(self, path):\n"
        "        xy = np.loadtxt(path, delimiter=',', dtype=np.float32, skiprows=1, ndmin=2)\n"
        "        self.x = torch.from_numpy(xy[:, 1:])\n"
        "        self.y = torch.from_numpy(xy[:, 0]).long() - 1\n"
        "        self.n_samples = xy.shape[0]\n"
        "    def __getitem__(self, index):\n"
        "        return self.x[index], self.y[index]\n"
        "    def __len__(self):\n"
        "        return self.n_samples",
        # the csv module instead of NumPy, tensors built from lists
        "import csv\n"
        "class CSVDataset(Dataset):\n"
        "    def __init__(self, path):\n"
        "        with open(path, newline='', encoding='utf-8') as file:\n"
        "            rows = list(csv.reader(file))[1:]\n"
        "        self.features = torch.tensor([[float(v) for v in row[1:]] for row in rows], dtype=torch.float32)\n"
        "        self.labels = torch.tensor([int(row[0]) - 1 for row in rows], dtype=torch.int64)\n"
        "    def __len__(self):\n"
        "        return len(self.labels)\n"
        "    def __getitem__(self, index):\n"
        "        return self.features[index], self.labels[index]",
    ],
    "9.2": [
        "import math\n"
        "def iterations_per_epoch(n_samples, batch_size, drop_last=False):\n"
        "    if drop_last:\n"
        "        return n_samples // batch_size\n"
        "    return math.ceil(n_samples / batch_size)",
        # full batches, plus one more if samples are left over and kept
        "def iterations_per_epoch(n_samples, batch_size, drop_last=False):\n"
        "    full, left_over = divmod(n_samples, batch_size)\n"
        "    return full + (1 if left_over and not drop_last else 0)",
    ],
    "9.3": [
        # a RandomSampler with its own generator does what shuffle=True does
        "from torch.utils.data import RandomSampler\n"
        "def shuffled_loader(dataset, batch_size, seed):\n"
        "    generator = torch.Generator()\n"
        "    generator.manual_seed(seed)\n"
        "    return DataLoader(dataset, batch_size=batch_size, sampler=RandomSampler(dataset, generator=generator))",
    ],
}
