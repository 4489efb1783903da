# %% [markdown]
# # Lesson 21 — PyTorch Lightning
#
# Lesson 13 trained a 784-500-10 network on MNIST with a loop we wrote ourselves: move each batch to the device,
# forward, loss, `backward()`, `step()`, `zero_grad()`, switch between `train()` and `eval()`, add up losses,
# print. Every training script repeats that loop. **PyTorch Lightning** (`pip install lightning`) writes it once,
# in its `Trainer`, and leaves you the parts that differ from one project to the next:
#
# - a `LightningModule`: the network, plus what one training, validation and test step computes, and the
#   optimizer (`configure_optimizers`);
# - a `LightningDataModule`: where the data comes from and how it is split and batched;
# - a `Trainer`: how long to train and on what hardware, with a logger and callbacks.
#
# The code below is Lightning 2's API (`import lightning as L`). Older tutorials, the original video among them,
# use `validation_epoch_end` and return dictionaries of logs: Lightning 2.0 removed both, and `self.log` replaces
# them.

# %%
import csv
import logging
import sys
import warnings

import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from torchvision.transforms import v2

from pytorch_tutorial import runtime
from pytorch_tutorial.data import mnist

cfg = runtime.settings(epochs=runtime.between(10, 1, 1000), batch_size=100, lr=0.001, hidden_size=500)
device = runtime.device()  # the GPU if there is one (lesson 1), else the CPU
print(f"Lightning {L.__version__}, computing on {device}")

# Lightning's info lines ("GPU available: ...", tips) are noise here; its warnings and errors still show.
logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)
# Two warnings we cannot act on: tensors in memory need no loader workers, and Lightning 2.6 still calls a
# torch helper (LeafSpec) that this torch deprecates.
warnings.filterwarnings("ignore", message=".*does not have many workers.*")
warnings.filterwarnings("ignore", message=".*LeafSpec.*", category=FutureWarning)

# %% [markdown]
# ## The data: a LightningDataModule
# The same digits and normalisation as lesson 13. `setup` builds the datasets (a `prepare_data` method would
# download them first; ours ship with the course). We hold back a tenth of the training digits as a
# **validation** set: the Trainer measures the network on it after every epoch, and the checkpoint callback
# below keeps the epoch that did best there. The test digits stay untouched until `trainer.test` at the end.


# %%
class MNISTDataModule(L.LightningDataModule):
    def __init__(self, batch_size):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage):
        normalize = v2.Normalize(mean=[0.1307], std=[0.3081])
        images, labels = mnist.tensors(train=True)
        training = TensorDataset(normalize(images), labels)
        self.train_set, self.val_set = random_split(training, [0.9, 0.1], generator=runtime.generator())
        images, labels = mnist.tensors(train=False)
        self.test_set = TensorDataset(normalize(images), labels)

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True, generator=runtime.generator())

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=self.batch_size)

    def test_dataloader(self):
        return DataLoader(self.test_set, batch_size=self.batch_size)


data = MNISTDataModule(batch_size=cfg.batch_size)
data.setup("fit")  # the Trainer calls setup itself; we call it here only to count the digits
print(f"{len(data.train_set)} training, {len(data.val_set)} validation and {len(data.test_set)} test digits")

# %% [markdown]
# ## The model: a LightningModule
# `__init__` and `forward` are lesson 13's network, unchanged. `training_step` computes the loss of one batch and
# returns it: the Trainer calls `backward()`, `step()` and `zero_grad()` for us. `self.log` records a number; in
# training every step, and in validation and testing averaged over the whole epoch. `save_hyperparameters()`
# keeps the arguments in `self.hparams` and in every checkpoint.


# %%
class LitNeuralNet(L.LightningModule):
    def __init__(self, input_size, hidden_size, num_classes, lr):
        super().__init__()
        self.save_hyperparameters()
        self.l1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.l2 = nn.Linear(hidden_size, num_classes)
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, x):
        x = x.reshape(-1, 28 * 28)  # (batch, 1, 28, 28) -> (batch, 784)
        return self.l2(self.relu(self.l1(x)))

    def training_step(self, batch, batch_idx):
        images, labels = batch
        loss = self.loss_fn(self(images), labels)
        self.log("train_loss", loss)
        return loss  # Lightning calls backward(), step() and zero_grad()

    def validation_step(self, batch, batch_idx):
        images, labels = batch
        logits = self(images)
        self.log("val_loss", self.loss_fn(logits, labels))
        self.log("val_acc", (logits.argmax(dim=1) == labels).float().mean())

    def test_step(self, batch, batch_idx):
        images, labels = batch
        self.log("test_acc", (self(images).argmax(dim=1) == labels).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


model = LitNeuralNet(input_size=28 * 28, hidden_size=cfg.hidden_size, num_classes=10, lr=cfg.lr)
print(model)

# %% [markdown]
# ## A smoke test: `fast_dev_run`
# `fast_dev_run=True` runs one training batch and one validation batch, without logs or checkpoints: a typo in
# `validation_step` shows up in a second instead of after a whole epoch. We give it a throwaway network, so that
# the one we train next starts untouched.

# %%
smoke_test = L.Trainer(fast_dev_run=True, accelerator=device.type, devices=1, enable_progress_bar=False)
smoke_test.fit(LitNeuralNet(28 * 28, cfg.hidden_size, 10, cfg.lr), datamodule=data)
print(f"fast_dev_run: {smoke_test.global_step} training step and one validation batch ran without an error")

# %% [markdown]
# ## Training with a Trainer
# `accelerator="auto"` is the usual choice: Lightning picks the GPU, Apple's MPS or the CPU, in the order that
# `runtime.device()` does. We pass `device.type` instead, so that the course's `--device cpu` is obeyed on a
# machine with a GPU too. `devices=1`: one GPU (or the CPU); more would train on several at once (lesson 23).
#
# The `CSVLogger` writes every logged number to `metrics.csv`, in a new `version_N` folder for each run: open it
# in any spreadsheet (a `TensorBoardLogger` would feed lesson 16's dashboard instead). `ModelCheckpoint` saves
# the network of the epoch with the lowest validation loss into that folder's `checkpoints/`. The progress bar
# only shows in a terminal.

# %%
logger = CSVLogger(save_dir=runtime.out_dir(), name="logs")
checkpoint = ModelCheckpoint(monitor="val_loss", mode="min")
trainer = L.Trainer(
    max_epochs=cfg.epochs,
    accelerator=device.type,
    devices=1,
    logger=logger,
    callbacks=[checkpoint],
    log_every_n_steps=10,  # one row of train_loss every 10 batches
    enable_progress_bar=sys.stdout.isatty(),
)
trainer.fit(model, datamodule=data)
print(f"every logged number: {logger.log_dir}/metrics.csv")
print(f"best epoch's checkpoint: {checkpoint.best_model_path} (val_loss {checkpoint.best_model_score:.4f})")

# %% [markdown]
# The log is a plain CSV file: one row per logged step (`train_loss`) or epoch (`val_loss`, `val_acc`), blank
# where a row has no value for that column. We read it back and plot it.

# %%
with open(f"{logger.log_dir}/metrics.csv", newline="") as file:
    rows = list(csv.DictReader(file))
train_rows = [row for row in rows if row["train_loss"]]
val_rows = [row for row in rows if row["val_acc"]]

plt = runtime.pyplot()
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.plot([int(row["step"]) for row in train_rows], [float(row["train_loss"]) for row in train_rows])
left.set(xlabel="step", ylabel="training loss", yscale="log", title="train_loss (every 10 steps)")
right.plot([int(row["epoch"]) + 1 for row in val_rows], [float(row["val_acc"]) for row in val_rows], "o-")
right.set(xlabel="epoch", ylabel="accuracy", title="val_acc (after each epoch)")
runtime.save_figure(fig, "lightning_metrics.png")

# %% [markdown]
# ## Testing the best checkpoint
# `trainer.test` loads the best checkpoint (`ckpt_path="best"`, with `weights_only=True` as every `torch.load` in
# this course) and runs `test_step` over the test digits, in evaluation mode and without gradients.

# %%
results = trainer.test(model, datamodule=data, ckpt_path="best", weights_only=True)
test_accuracy = results[0]["test_acc"]
print(f"accuracy on {len(data.test_set)} test digits: {test_accuracy:.2%}")
runtime.report(test_accuracy=test_accuracy, best_val_loss=checkpoint.best_model_score.item())

# %% [markdown]
# ## What Lightning took off your hands
#
# | lesson 13, written by hand | lesson 21, with Lightning |
# | --- | --- |
# | `for epoch in range(epochs):` and `for images, labels in train_loader:` | `Trainer(max_epochs=...).fit(model, datamodule=data)` |
# | `model.to(device)`, `images.to(device)` for every batch | `accelerator=...`, `devices=1` |
# | `loss.backward()`, `optimizer.step()`, `optimizer.zero_grad()` | `return loss` from `training_step` |
# | `model.train()`; `model.eval()` and `torch.no_grad()` to evaluate | done around each loop |
# | adding up losses and counting correct answers, `print` | `self.log(...)`, averaged per epoch, written by a logger |
# | no validation, no checkpoint | validation after every epoch, the best epoch saved by `ModelCheckpoint` |
#
# What stays yours: the network, the loss, the optimizer and the data. Lightning's loop is lesson 13's loop, so
# the accuracy lands about where lesson 13's did, although this network learns from 3,600 digits instead of
# 4,000 (the other 400 judge the epochs).

# %% [markdown]
# ## Going further
#
# ### Loading a checkpoint yourself
# A Lightning checkpoint is a dictionary saved with `torch.save`: the weights (`state_dict`), the optimizer's
# state, the epoch and the hyperparameters. `load_from_checkpoint` rebuilds the network from the stored
# hyperparameters, so you do not repeat them.

# %%
stored = torch.load(checkpoint.best_model_path, weights_only=True)
print("a checkpoint holds:", ", ".join(sorted(stored)))
print(f"saved after epoch {stored['epoch'] + 1}, hyperparameters {dict(stored['hyper_parameters'])}")
restored = LitNeuralNet.load_from_checkpoint(checkpoint.best_model_path, map_location="cpu", weights_only=True)
restored.eval()
with torch.no_grad():
    images, labels = data.test_set.tensors
    restored_accuracy = (restored(images).argmax(dim=1) == labels).float().mean().item()
print(f"the restored network on the test digits: {restored_accuracy:.2%}")
