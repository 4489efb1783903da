# %% [markdown]
# # Lesson 9 — Dataset and DataLoader
#
# Until now every training step used the whole data set. With real data that is too slow (and may not fit in
# memory), so we train on **batches**: each step computes the loss and gradient on a few samples only.
#
# - **epoch**: one forward and backward pass over *all* training samples;
# - **batch size**: the number of samples in one forward/backward pass;
# - **iterations per epoch**: the number of batches (steps) needed to see every sample once. With 100 samples
#   and batches of 20, one epoch takes 100 / 20 = 5 iterations.
#
# PyTorch splits the job in two: a `Dataset` knows how many samples there are and how to get sample *i*; a
# `DataLoader` draws the indices (shuffled if asked) and stacks those samples into batch tensors.

# %%
import math

import numpy as np
import torch
import torchvision
from torch.utils.data import DataLoader, Dataset
from torchvision.transforms import v2

from pytorch_tutorial import runtime
from pytorch_tutorial.data import mnist, wine

cfg = runtime.settings(batch_size=4, num_workers=2, epochs=2)

# %% [markdown]
# ## The wine data
# 178 Italian wines from three cultivars, in a CSV file the course ships (`wine.PATH` is where it lies). The
# first line names the columns; after it, each line is one wine: first its class (1, 2 or 3), then 13 chemical
# measurements.

# %%
with open(wine.PATH, encoding="utf-8") as csv_file:
    print(csv_file.readline().strip())  # the header
    print(csv_file.readline().strip())  # the first wine

# %% [markdown]
# ## A custom `Dataset`
# Subclass `torch.utils.data.Dataset` and write three methods:
#
# - `__init__` loads the data. `np.loadtxt` reads the whole file into one float32 array (178, 14), skipping the
#   header row; column 0 is the class and columns 1 to 13 are the features, so `xy[:, 1:]` are the features and
#   `xy[:, 0]` the classes. We count the classes from 0 (0, 1, 2) as whole numbers, which is what the loss of
#   lesson 11 expects;
# - `__len__` returns the number of samples;
# - `__getitem__(index)` returns sample number `index`, here a pair (features, label).
#
# `dataset[i]` and `len(dataset)` then work as on a list, and a `DataLoader` can use the dataset.

# %%


class WineDataset(Dataset):
    def __init__(self):
        xy = np.loadtxt(wine.PATH, delimiter=",", dtype=np.float32, skiprows=1)
        self.x = torch.from_numpy(xy[:, 1:])  # features: float32 (178, 13)
        self.y = torch.from_numpy(xy[:, 0].astype(np.int64) - 1)  # classes 1, 2, 3 -> 0, 1, 2: int64 (178,)
        self.n_samples = xy.shape[0]

    def __getitem__(self, index):
        return self.x[index], self.y[index]

    def __len__(self):
        return self.n_samples


dataset = WineDataset()
features, label = dataset[0]
print(f"{len(dataset)} samples")
print(f"the first: label {label}, its first 5 of 13 features {features[:5]}")

# %% [markdown]
# ## A `DataLoader`: batches and shuffling
# `shuffle=True` draws a new random order every epoch, so that the batches differ from one epoch to the next;
# the `generator` makes that order repeatable (it is seeded from the run's `--seed`). Iterating over the loader
# gives one batch at a time: the features of 4 wines stacked into a (4, 13) tensor, their 4 labels into one of
# shape (4,).

# %%
train_loader = DataLoader(dataset=dataset, batch_size=cfg.batch_size, shuffle=True, generator=runtime.generator())
features_batch, labels_batch = next(iter(train_loader))
print(f"one batch: features {tuple(features_batch.shape)}, labels {labels_batch}")

# %% [markdown]
# ## Epochs and iterations
# With 178 samples and batches of 4, one epoch takes 178 / 4 = 44.5, rounded **up** to 45 iterations: the last
# batch holds the 2 samples left over. `len(train_loader)` is that number.

# %%
total_samples = len(dataset)
iterations_per_epoch = math.ceil(total_samples / cfg.batch_size)
print(f"{total_samples} samples, batch size {cfg.batch_size}: {iterations_per_epoch} iterations per epoch")
batch_sizes = [len(labels) for _, labels in train_loader]
print(f"len(train_loader) = {len(train_loader)}; the last batch holds {batch_sizes[-1]} samples")

# %% [markdown]
# ## The training loop, with the batches loaded in worker processes
# With `num_workers=2` the `DataLoader` starts two worker processes that load the next batches while the main
# process trains on the current one: worth it when reading a sample is slow (image files, decoding). The main
# process still draws the shuffled order, so the batches are the same as without workers.
#
# Two rules come with workers:
#
# - **Start the loop under `if __name__ == "__main__":`.** On Windows and macOS, and on Linux since Python 3.14,
#   each worker is a fresh Python that imports your script again to find `WineDataset`. Without the guard, that
#   import would run the loop again, which would start workers again; Python stops this with a `RuntimeError`
#   ("An attempt has been made to start a new process before the current process has finished its
#   bootstrapping phase"). The condition is true when the file runs as the program (a script, a notebook, or
#   `pytorch-tutorial run`) and false when a worker imports it.
# - **If you get an error during loading, set `num_workers` to 0** (`--set num_workers=0`, or in a notebook
#   `num_workers=0` in the first cell): the main process then loads every batch itself. In a notebook you will
#   need it wherever workers are fresh Pythons (Windows, macOS, Linux from Python 3.14): a worker cannot import
#   a notebook, so it cannot find a `Dataset` class defined in a cell (one in a `.py` file that the notebook
#   imports works).
#
# Two loops, one inside the other: over the epochs, and in each over the batches. The model, the loss and the
# update would go where the comment is (lesson 13 fills them in); here we only count what the loop sees.

# %%
train_loader = DataLoader(
    dataset=dataset, batch_size=cfg.batch_size, shuffle=True, num_workers=cfg.num_workers, generator=runtime.generator()
)

if __name__ == "__main__":
    samples_seen = 0
    for epoch in range(cfg.epochs):
        for i, (inputs, labels) in enumerate(train_loader):
            # forward pass, backward pass, update: lesson 13
            samples_seen += len(labels)
            if (i + 1) % 15 == 0:
                print(f"epoch {epoch + 1}/{cfg.epochs}, step {i + 1}/{iterations_per_epoch}, inputs {inputs.shape}")
    print(f"{cfg.epochs} epochs saw {samples_seen} samples: {cfg.epochs} x {total_samples}")

# %% [markdown]
# ## A built-in dataset: MNIST
# `torchvision.datasets` has ready-made `Dataset` classes for the well-known data sets (MNIST, Fashion-MNIST,
# CIFAR-10, COCO, …). `MNIST` holds 28×28 grey-scale images of handwritten digits. On your own machine you would
# write `root="./data"` and `download=True`: the first run downloads the files into that folder. The course
# ships 5,000 real MNIST digits (4,000 for training, 1,000 for testing); `mnist.root()` is the folder that holds
# them (or your own copy with `--data-dir`, or the full 70,000 digits with `--full-data`), so nothing is
# downloaded.
#
# Each sample is a PIL image and its digit. The `transform` turns the image into a tensor: `v2.ToImage()` makes
# a uint8 tensor of shape (1, 28, 28) and `v2.ToDtype(torch.float32, scale=True)` a float one with values in
# [0, 1]. (The original course writes `transforms.ToTensor()`, the older name for these two steps; lesson 10 is
# about transforms.)

# %%
to_tensor = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])
mnist_train = torchvision.datasets.MNIST(root=mnist.root(), train=True, transform=to_tensor, download=False)
mnist_test = torchvision.datasets.MNIST(root=mnist.root(), train=False, transform=to_tensor, download=False)
print(f"MNIST: {len(mnist_train)} training and {len(mnist_test)} test digits")

mnist_loader = DataLoader(dataset=mnist_train, batch_size=16, shuffle=True, generator=runtime.generator())
images, digits = next(iter(mnist_loader))
print(f"one batch: images {tuple(images.shape)} in [{images.min():.0f}, {images.max():.0f}], digits {digits}")
print(f"{len(mnist_loader)} iterations per epoch with batch size 16")

# %%
runtime.report(
    iterations_per_epoch=iterations_per_epoch,
    samples_per_epoch=total_samples,
    mnist_train_size=len(mnist_train),
    mnist_test_size=len(mnist_test),
)

# %% [markdown]
# ## Going further
#
# ### Who loads the batches?
# To *see* the workers, we wrap the dataset so that every sample also carries the id of the process that
# loaded it (`os.getpid()`), and load one epoch with and without workers from the same seed. How Python starts
# the workers (its *start method*) depends on the system: **spawn** on Windows and macOS, **fork** on Linux up
# to Python 3.13 and **forkserver** from 3.14. Spawn and forkserver start a fresh Python that imports your
# script again; fork copies the running process, which is why a missing guard goes unnoticed on older Linux.
# Write the guard anyway.

# %%
import multiprocessing
import os


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
    """One epoch of shuffled batches (the same seed every time) and the set of process ids that loaded them."""
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
    print(f"this Python starts workers with '{multiprocessing.get_start_method()}'")
    print(f"main process {main_pid}; with workers the samples were loaded by {sorted(worker_pids)}")
    print(f"without workers by {sorted(plain_pids)}; the same {len(worker_batches)} batches: {same_batches}")
    runtime.report(worker_pids=len(worker_pids - {main_pid}), same_batches_without_workers=same_batches)

# %% [markdown]
# Every line that is *not* under the guard runs again in each worker that is a fresh Python (spawn and
# forkserver): there this lesson's earlier output is printed once more per worker. That is why real training scripts keep only imports and
# definitions (the `Dataset` class, functions) at the top level and put the work in a `main()` function called
# under the guard.
#
# ### Any CSV file
# Exercise 9.1 asks for `WineDataset` for any CSV file of this layout. One thing to watch: for a file with a
# single data row `np.loadtxt` returns a 1-D array, and `xy[:, 1:]` fails; `ndmin=2` keeps it a table.

# %%
one_row = np.loadtxt(["class,a,b", "1,2.5,3.5"], delimiter=",", dtype=np.float32, skiprows=1)
one_row_table = np.loadtxt(["class,a,b", "1,2.5,3.5"], delimiter=",", dtype=np.float32, skiprows=1, ndmin=2)
print(f"one data row: shape {one_row.shape} without ndmin, {one_row_table.shape} with ndmin=2")
