# %% [markdown]
# # Lesson 13 — A feed-forward neural network
#
# Everything so far comes together: a `DataLoader` (lesson 9) feeds MNIST digits to a network of `nn.Linear`
# layers with a ReLU between them (lesson 12); `CrossEntropyLoss` (lesson 11) compares its ten scores with the
# true digit; the Adam optimizer updates the weights. Then we measure how often it is right on digits it never
# saw during training.
#
# The network has 784 inputs (one per pixel of a 28x28 image), 500 hidden units and 10 outputs (one per digit).

# %%
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchvision.transforms import v2
from torchvision.utils import make_grid

from pytorch_tutorial import runtime
from pytorch_tutorial.data import mnist

cfg = runtime.settings(epochs=10, batch_size=100, lr=0.001, hidden_size=500)
device = runtime.device()  # the GPU if there is one (lesson 1), else the CPU
print(f"computing on {device}")

# %% [markdown]
# ## The data
# The course ships a small part of MNIST. `mnist.tensors` reads a whole split at once into two tensors, images
# `(N, 1, 28, 28)` with pixels in [0, 1] and labels `(N,)`: the same files that `torchvision.datasets.MNIST`
# reads in lesson 9, but batching ready tensors is much faster than converting one image at a time.
#
# We normalise the pixels with the mean and standard deviation of MNIST's training images,
# (x − 0.1307) / 0.3081, so that the inputs are centred on 0 with a spread of about 1: the optimizer's steps then
# suit every input alike. A `TensorDataset` pairs image i with label i, and the `DataLoader` cuts it into
# shuffled batches.
#
# The **test split** is kept apart: the network never trains on it, so the accuracy we measure on it tells how
# well it does on new handwriting, not how well it remembers the training set.

# %%
train_images, train_labels = mnist.tensors(train=True)
test_images, test_labels = mnist.tensors(train=False)
normalize = v2.Normalize(mean=[0.1307], std=[0.3081])
train_dataset = TensorDataset(normalize(train_images), train_labels)
test_dataset = TensorDataset(normalize(test_images), test_labels)
train_loader = DataLoader(train_dataset, batch_size=cfg.batch_size, shuffle=True, generator=runtime.generator())
test_loader = DataLoader(test_dataset, batch_size=cfg.batch_size, shuffle=False)
print(f"MNIST ({mnist.source()}): {len(train_dataset)} training and {len(test_dataset)} test digits")
normalized = train_dataset.tensors[0]
print(f"pixels after normalising: mean {normalized.mean():.2f}, standard deviation {normalized.std():.2f}")
images, labels = next(iter(train_loader))
print(f"one batch: images {tuple(images.shape)}, labels {tuple(labels.shape)}")

# %%
plt = runtime.pyplot()
fig, ax = plt.subplots(figsize=(10, 2))
grid = make_grid(train_images[:8], nrow=8, pad_value=1)  # 8 digits side by side in one picture
ax.imshow(grid.permute(1, 2, 0))  # (channels, height, width) -> (height, width, channels) for matplotlib
ax.set_title("labels, left to right: " + "   ".join(str(label.item()) for label in train_labels[:8]))
ax.axis("off")
runtime.save_figure(fig, "sample_digits.png")

# %% [markdown]
# ## The model
# A network is a class that inherits from `nn.Module`: `__init__` creates the layers (and with them the weights
# to learn), `forward` says how an input flows through them. `nn.Linear` expects each sample as one row of
# numbers, so `forward` first flattens each 1x28x28 image into a row of 784 pixels. There is no softmax at the
# end: `CrossEntropyLoss` takes the raw scores (logits) and applies log-softmax itself, in a numerically stable
# way (lesson 11).


# %%
class NeuralNet(nn.Module):
    """input_size → hidden_size (ReLU) → num_classes scores."""

    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.l1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.l2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        x = x.reshape(-1, 28 * 28)  # (batch, 1, 28, 28) -> (batch, 784)
        out = self.l1(x)
        out = self.relu(out)
        out = self.l2(out)
        return out  # logits (batch, 10)


model = NeuralNet(input_size=28 * 28, hidden_size=cfg.hidden_size, num_classes=10).to(device)
print(model)
print(f"{sum(p.numel() for p in model.parameters()):,} weights and biases to learn")

# %%
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)

# %% [markdown]
# ## The training loop
# One **epoch** is one pass over all training digits, in batches. For each batch:
#
# 1. forward pass: the model computes the logits, the loss compares them with the labels;
# 2. backward pass: `loss.backward()` computes the gradient of the loss for every weight (lesson 4);
# 3. `optimizer.step()` moves every weight a little against its gradient;
# 4. `optimizer.zero_grad()` clears the gradients, because `backward` adds to them (lesson 3).
#
# Many scripts (the original course, lesson 16) call `optimizer.zero_grad()` first, before the forward pass:
# both orders are right, as long as the gradients are cleared once between one `backward()` and the next.
#
# `model.train()` switches layers that behave differently in training (dropout, batch norm) to training mode;
# this network has none, but the habit costs nothing. Data and model must be on the same device, so each batch
# is moved there.

# %%
batch_losses = []
epoch_losses = []
start = time.perf_counter()
for epoch in range(cfg.epochs):
    model.train()
    loss_sum, seen = 0.0, 0
    for images, labels in runtime.progress(train_loader, desc=f"epoch {epoch + 1}/{cfg.epochs}"):
        images, labels = images.to(device), labels.to(device)

        outputs = model(images)  # forward pass: logits (batch, 10)
        loss = loss_fn(outputs, labels)

        loss.backward()  # backward pass: d loss / d weight for every weight
        optimizer.step()  # w <- w - step, Adam's step from the gradient
        optimizer.zero_grad()  # the next backward() must not add to these gradients

        batch_losses.append(loss.item())
        loss_sum += loss.item() * len(labels)  # the batch's mean loss, weighted by its size
        seen += len(labels)
    epoch_losses.append(loss_sum / seen)
    print(f"epoch {epoch + 1}/{cfg.epochs}: mean training loss {epoch_losses[-1]:.4f}")
train_seconds = time.perf_counter() - start
print(f"trained in {train_seconds:.1f} s")

# %%
fig, ax = plt.subplots(figsize=(7, 4))
batches_per_epoch = len(train_loader)
ax.plot(range(1, len(batch_losses) + 1), batch_losses, alpha=0.4, label="each batch")
ax.plot([batches_per_epoch * (e + 1) for e in range(cfg.epochs)], epoch_losses, "o-", label="epoch mean")
ax.set_xlabel("batch")
ax.set_ylabel("cross-entropy loss")
ax.set_yscale("log")
ax.set_title("Training loss")
ax.legend()
runtime.save_figure(fig, "training_loss.png")

# %% [markdown]
# ## Evaluation on the test split
# `model.eval()` switches layers to evaluation behaviour and `torch.no_grad()` stops recording operations for
# autograd: nothing here will be differentiated, so there is no graph to build. The predicted digit is the index
# of the largest logit (`argmax`): softmax would not change which one is largest.

# %%
model.eval()
predictions = []
with torch.no_grad():
    correct, total = 0, 0
    for images, labels in test_loader:
        images, labels = images.to(device), labels.to(device)
        predicted = model(images).argmax(dim=1)
        correct += (predicted == labels).sum().item()
        total += len(labels)
        predictions.append(predicted.cpu())
predictions = torch.cat(predictions)
test_accuracy = correct / total
print(f"accuracy on {total} test digits: {test_accuracy:.2%}")

# %% [markdown]
# This loop — forward, loss, backward, step, zero the gradients — is the heart of every lesson that follows.
# From lesson 14 on it is promoted into the package as `pytorch_tutorial.engine.train_epoch` (and the evaluation
# as `engine.evaluate`), so that the later lessons can concentrate on what is new. The network class is kept
# there too, as `pytorch_tutorial.models.FeedForward`; the course's tests check that both stay the same as here.

# %%
runtime.report(test_accuracy=test_accuracy, train_seconds=round(train_seconds, 2))

# %% [markdown]
# ## Going further
#
# ### Where it goes wrong: the confusion matrix
# Row = the true digit, column = the network's answer: each test digit adds 1 to one cell, and the diagonal
# holds the correct answers. The largest number off the diagonal is the mistake the network makes most often.

# %%
confusion = torch.zeros(10, 10, dtype=torch.int64)
for true_digit, predicted_digit in zip(test_labels, predictions, strict=True):
    confusion[true_digit, predicted_digit] += 1
print(confusion)

worst = (0, 0, 0)  # (count, true digit, predicted digit)
for row in range(10):
    for column in range(10):
        if row != column and confusion[row, column] > worst[0]:
            worst = (confusion[row, column].item(), row, column)
count, true_digit, predicted_digit = worst
print(f"most common mistake: {true_digit} read as {predicted_digit}", end=" ")
print(f"({count} of the {confusion[true_digit].sum()} test {true_digit}s)")

# %%
fig, ax = plt.subplots(figsize=(6, 5.5))
ax.imshow(confusion, cmap="Blues")
for row in range(10):
    for column in range(10):
        if confusion[row, column] > 0:
            color = "white" if confusion[row, column] > confusion.max() / 2 else "black"
            ax.text(column, row, confusion[row, column].item(), ha="center", va="center", fontsize=8, color=color)
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.set_xlabel("predicted digit")
ax.set_ylabel("true digit")
ax.set_title(f"Test set confusion matrix (accuracy {test_accuracy:.1%})")
runtime.save_figure(fig, "confusion_matrix.png")
