# %% [markdown]
# # Lesson 9 — Dataset and DataLoader
#
# Until now every training step used the whole data set. With real data that is too slow (and may not fit in
# memory), so we train on **batches**: each step computes the loss and gradient on a few samples only.
#
# - **epoch**: one forward and backward pass over *all* training samples;
# - **batch size**: the number of samples in one forward/backward pass;
# - **iterations per epoch**: the number of batches (steps) needed to see every sample once.
#
# PyTorch splits the job in two: a `Dataset` knows how many samples there are and how to get sample *i*; a
# `DataLoader` draws indices (shuffled if asked), fetches those samples — optionally in worker processes —
# and stacks them into batch tensors.

# %%
import math
import os

import torch
from torch.utils.data import DataLoader, Dataset

from pytorch_tutorial import runtime
from pytorch_tutorial.data import mnist, wine

cfg = runtime.settings(batch_size=4, num_workers=2, epochs=2)

# %% [markdown]
# ## The wine data
# 178 Italian wines from three cultivars: the first column of `wine.csv` is the class (1, 2, 3), the other 13
# are chemical measurements. The course ships the file; `wine.load()` reads it with
# `np.loadtxt(path, delimiter=",", skiprows=1)` and returns the features and the classes as 0, 1, 2.

# %%
with open(wine.PATH, encoding="utf-8") as csv_file:
    for line in [next(csv_file) for _ in range(3)]:
        print(line.rstrip())

# %% [markdown]
# ## A custom `Dataset`
# Subclass `torch.utils.data.Dataset` and implement three methods: `__init__` loads (or finds) the data,
# `__len__` returns the number of samples, `__getitem__(index)` returns one sample — here a pair (features,
# label). `dataset[i]` and `len(dataset)` then work like on a list, and a `DataLoader` can use it.

# %%


class WineDataset(Dataset):
    """The 178 wines: 13 measurements each and a class 0, 1 or 2."""

    def __init__(self):
        features, labels = wine.load()
        self.features = torch.from_numpy(features)  # float32 (178, 13)
        self.labels = torch.from_numpy(labels)  # int64 (178,), classes 0, 1, 2
        self.n_samples = len(labels)

    def __len__(self):
        return self.n_samples

    def __getitem__(self, index):
        return self.features[index], self.labels[index]


dataset = WineDataset()
first_features, first_label = dataset[0]
print(
    f"{len(dataset)} samples; the first: label {first_label.item()}, features {[round(v, 2) for v in first_features.tolist()]}"
)

# %% [markdown]
# ## A `DataLoader`: batches and shuffling
# `shuffle=True` draws a new random order every epoch, so that the batches differ between epochs; the
# `generator` makes that order repeatable from the run's seed.

# %%
train_loader = DataLoader(dataset, batch_size=cfg.batch_size, shuffle=True, generator=runtime.generator())
features_batch, labels_batch = next(iter(train_loader))
print(f"one batch: features {tuple(features_batch.shape)}, labels {labels_batch.tolist()}")

# %% [markdown]
# ## Epochs and iterations
# With 178 samples and batches of 4, one epoch takes 178 / 4 = 44.5, rounded **up** to 45 iterations: the last
# batch holds the 2 samples left over (`drop_last=True` would drop it instead). `len(train_loader)` is that number.

# %%
total_samples = len(dataset)
iterations_per_epoch = math.ceil(total_samples / cfg.batch_size)
last_batch_size = total_samples - (iterations_per_epoch - 1) * cfg.batch_size
print(f"{total_samples} samples, batch size {cfg.batch_size}: {iterations_per_epoch} iterations per epoch")
print(f"len(train_loader) = {len(train_loader)}, the last batch holds {last_batch_size} samples")
assert iterations_per_epoch == len(train_loader)

# %% [markdown]
# ## The training loop, with batches
# Two nested loops: over epochs, and inside each over the batches of the loader. The model, loss and update
# would go where the comment is (lesson 13 fills them in); here we only count what the loop sees.

# %%
samples_seen = 0
for epoch in range(cfg.epochs):
    for i, (inputs, labels) in enumerate(train_loader):
        # forward, backward, update would go here
        samples_seen += len(labels)
        if (i + 1) % 15 == 0:
            print(f"epoch {epoch + 1}/{cfg.epochs}, step {i + 1}/{iterations_per_epoch}, inputs {tuple(inputs.shape)}")
print(f"{cfg.epochs} epochs saw {samples_seen} samples = {cfg.epochs} × {total_samples}")

# %% [markdown]
# ## A built-in dataset: MNIST
# `torchvision.datasets` has ready-made `Dataset` classes for the classic data sets. `MNIST` reads 28×28
# grey-scale digits; the course gives it the 5,000 real MNIST digits it ships (4,000 for training, 1,000 for
# testing), your own copy with `--data-dir`, or the full 70,000 with `--full-data`. A `transform` turns each
# PIL image into a tensor: `ToImage` makes a uint8 tensor (1, 28, 28), `ToDtype(..., scale=True)` a float one
# in [0, 1] (lesson 10 is about transforms).

# %%
from torchvision.transforms import v2

to_tensor = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])
mnist_train = mnist.dataset(train=True, transform=to_tensor)
mnist_test = mnist.dataset(train=False, transform=to_tensor)
mnist_loader = DataLoader(mnist_train, batch_size=16, shuffle=True, generator=runtime.generator())
images, digits = next(iter(mnist_loader))
print(f"MNIST ({mnist.source()}): {len(mnist_train)} training and {len(mnist_test)} test digits")
print(f"one batch: images {tuple(images.shape)} in [{images.min():.0f}, {images.max():.0f}], digits {digits.tolist()}")
print(f"{len(mnist_loader)} iterations per epoch with batch size 16")


# %% [markdown]
# ## Loading in worker processes, and the `__main__` guard
# With `num_workers=N` the `DataLoader` starts N worker processes that call `__getitem__` and build batches
# while the main process trains on the previous one — worth it when loading a sample is slow (files, decoding,
# augmentation). The main process still draws the shuffled order, so the batches are the same as without
# workers; only *who* loads them changes.
#
# On Windows and macOS, Python starts those workers with the **spawn** method: each worker is a fresh Python
# that *imports your main script again* (as a module named `__mp_main__`) to find `WineDataset`. Without the
# guard below, that import would run the `DataLoader` loop again, which would start workers, which would import
# the script again… Python stops this with a `RuntimeError` ("An attempt has been made to start a new process
# before the current process has finished its bootstrapping phase"). Code under `if __name__ == "__main__":`
# runs only when the file is the program itself — as a script, in a notebook, or in the course's runner, which
# runs each lesson as `__main__` — and not when a worker imports it. On Linux the default start method (fork)
# copies the running process instead, so the bug hides there: write the guard anyway.
#
# Every *unguarded* line still runs again in each spawned worker — on Windows and macOS you will see this
# lesson's earlier output printed once more per worker. That is why real training scripts keep only imports
# and definitions (the `Dataset` class, functions) at the top level and put all the work in a `main()` called
# under the guard. For the same reason, in a notebook on Windows or macOS a dataset used with workers must be
# defined in an importable `.py` file, not in a cell.
#
# To *see* the workers, we wrap the dataset so that every sample also carries the process id (`os.getpid()`)
# of whoever loaded it.

# %%


class WithLoaderPid(Dataset):
    """The samples of ``dataset``, each with the id of the process that loaded it."""

    def __init__(self, dataset):
        self.dataset = dataset

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        features, label = self.dataset[index]
        return features, label, os.getpid()


def batches_and_pids(num_workers):
    """One epoch of shuffled batches (same seed every time) and the set of process ids that loaded them."""
    loader = DataLoader(
        WithLoaderPid(dataset),
        batch_size=cfg.batch_size,
        shuffle=True,
        num_workers=num_workers,
        generator=runtime.generator(),
    )
    batches, pids = [], set()
    for inputs, labels, loader_pids in loader:
        batches.append((inputs, labels))
        pids.update(loader_pids.tolist())
    return batches, pids


if __name__ == "__main__":
    main_pid = os.getpid()
    worker_batches, worker_pids = batches_and_pids(num_workers=cfg.num_workers)
    plain_batches, plain_pids = batches_and_pids(num_workers=0)
    same_batches = all(
        torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in zip(worker_batches, plain_batches, strict=True)
    )
    print(f"main process {main_pid}; samples loaded by processes {sorted(worker_pids)}")
    print(f"without workers, by {sorted(plain_pids)}; the same {len(worker_batches)} batches: {same_batches}")

# %%
if __name__ == "__main__":
    runtime.report(
        iterations_per_epoch=iterations_per_epoch,
        samples_per_epoch=total_samples,
        worker_pids=len(worker_pids - {main_pid}),
        same_batches_without_workers=same_batches,
        mnist_train_size=len(mnist_train),
        mnist_test_size=len(mnist_test),
    )
