# %% [markdown]
# # Lesson 11 — Softmax and cross-entropy
#
# A classifier's last layer outputs one raw score per class, the **logits**. Softmax turns them into
# probabilities, `softmax(z)_i = e^(z_i) / Σ_j e^(z_j)`: all positive, summing to 1, the largest score getting
# the largest share. Cross-entropy measures how far those probabilities are from the true class:
# `CE = −Σ_i y_i · log(ŷ_i)`, which for a one-hot label y is just `−log(ŷ of the true class)` — 0 for a certain,
# correct prediction, large for a confident wrong one.
#
# We write both in NumPy, make them numerically stable, and check them against PyTorch.

# %%
import numpy as np
import torch
from torch import nn

from pytorch_tutorial import runtime

cfg = runtime.settings()

# %% [markdown]
# ## Softmax in NumPy, and why we subtract the maximum
# The textbook formula computes `e^z`; `e^1000` overflows to infinity and `inf / inf` is `nan`. Softmax does
# not change when the same number is subtracted from every score (the factor `e^(−c)` cancels in the
# fraction), so we subtract the largest score: the biggest exponent is then `e^0 = 1` and nothing overflows.

# %%


def naive_softmax(z):
    """softmax straight from the formula: overflows for large inputs."""
    return np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)


def softmax(z):
    """Numerically stable softmax over the last axis."""
    z = np.asarray(z, dtype=np.float64)
    shifted = z - np.max(z, axis=-1, keepdims=True)  # softmax(z) = softmax(z − c) for any c
    exp = np.exp(shifted)
    return exp / np.sum(exp, axis=-1, keepdims=True)


scores = np.array([2.0, 1.0, 0.1])
probabilities = softmax(scores)
print(f"softmax({scores.tolist()}) = {np.round(probabilities, 3).tolist()}, sum {probabilities.sum():.6f}")

with np.errstate(over="ignore", invalid="ignore"):
    naive_huge = naive_softmax(np.array([1000.0, 0.0]))
stable_huge = softmax([1000.0, 0.0])
print(f"naive softmax([1000, 0]) = {naive_huge.tolist()}, stable: {stable_huge.tolist()}")

# %% [markdown]
# PyTorch's `torch.softmax` does the same (stably) along the dimension we name.

# %%
torch_probabilities = torch.softmax(torch.tensor(scores), dim=0)
print(f"torch.softmax: {torch_probabilities.numpy().round(3).tolist()}")
assert np.allclose(torch_probabilities.numpy(), probabilities, atol=1e-6)

# %% [markdown]
# ## Cross-entropy in NumPy
# With the stable log-softmax `log ŷ_i = z_i − max(z) − log Σ_j e^(z_j − max(z))` we never take the log of a
# probability that underflowed to 0. The label is a class index (here 0); the loss is minus the log-probability
# of that class.

# %%


def log_softmax(z):
    """Numerically stable log(softmax(z)) over the last axis."""
    z = np.asarray(z, dtype=np.float64)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def cross_entropy(logits, labels):
    """Mean over the samples of −log softmax(logits)[label]; logits (N, C) or (C,), labels class indices."""
    log_probabilities = np.atleast_2d(log_softmax(logits))
    labels = np.atleast_1d(labels)
    return float(-np.mean(log_probabilities[np.arange(len(labels)), labels]))


good_logits = np.array([2.0, 1.0, 0.1])  # the true class 0 has the largest score
bad_logits = np.array([0.5, 2.0, 0.3])  # the model prefers class 1
label = 0
good_loss = cross_entropy(good_logits, label)
bad_loss = cross_entropy(bad_logits, label)
print(f"true class {label}: loss {good_loss:.4f} for a good prediction, {bad_loss:.4f} for a bad one")

# %% [markdown]
# ## `nn.CrossEntropyLoss`: raw logits and class indices
# PyTorch's loss applies log-softmax itself (`nn.LogSoftmax` + `nn.NLLLoss` in one step). So:
#
# - give it the **raw logits** — no softmax in the model's last layer;
# - give it the **class index** (an integer tensor), not a one-hot vector;
# - the inputs have shape (number of samples, number of classes).
#
# Applying softmax first is a classic mistake: the loss then applies its own softmax on top of it, the values are
# squashed into a narrow range, and training becomes slow.

# %%
loss_fn = nn.CrossEntropyLoss()
label_tensor = torch.tensor([label])  # one sample: shape (1,)
good_logits_tensor = torch.tensor(good_logits).unsqueeze(0)  # one sample, three classes: shape (1, 3)
bad_logits_tensor = torch.tensor(bad_logits).unsqueeze(0)
torch_good_loss = loss_fn(good_logits_tensor, label_tensor).item()
torch_bad_loss = loss_fn(bad_logits_tensor, label_tensor).item()
print(f"nn.CrossEntropyLoss: good {torch_good_loss:.4f}, bad {torch_bad_loss:.4f}")
softmax_first_loss = loss_fn(torch.softmax(good_logits_tensor, dim=1), label_tensor).item()
print(f"the mistake — softmax before the loss — gives {softmax_first_loss:.4f} instead of {torch_good_loss:.4f}")

# %% [markdown]
# ## A batch
# Three samples at once: logits of shape (3, 3), labels of shape (3,). The loss is the mean over the batch;
# `argmax` over the classes gives the predictions.

# %%
batch_labels = torch.tensor([2, 0, 1])
good_batch = torch.tensor([[0.1, 1.0, 2.1], [2.0, 1.0, 0.1], [0.1, 3.0, 0.1]])
bad_batch = torch.tensor([[2.1, 1.0, 0.1], [0.1, 1.0, 2.1], [0.1, 3.0, 0.1]])
good_batch_loss = loss_fn(good_batch, batch_labels).item()
bad_batch_loss = loss_fn(bad_batch, batch_labels).item()
print(f"batch loss: good {good_batch_loss:.4f}, bad {bad_batch_loss:.4f}")
print(f"predictions: good {good_batch.argmax(dim=1).tolist()}, bad {bad_batch.argmax(dim=1).tolist()}")
print(f"NumPy on the same batch: {cross_entropy(good_batch.numpy(), batch_labels.numpy()):.4f}")

# %% [markdown]
# ## Two classes: sigmoid and binary cross-entropy
# With two classes one score is enough: `σ(z)` is the probability of class 1 (lesson 8). The sigmoid is the
# two-class softmax: `softmax([z, 0])_0 = e^z / (e^z + 1) = σ(z)`. `nn.BCELoss` takes the probability,
# `nn.BCEWithLogitsLoss` the raw score (the stable form). In a network: multi-class → `nn.Linear(…, C)` +
# `nn.CrossEntropyLoss`; binary → `nn.Linear(…, 1)` + `nn.BCEWithLogitsLoss`.

# %%
binary_logit = torch.tensor([1.5])
binary_label = torch.tensor([1.0])
bce_loss = nn.BCELoss()(torch.sigmoid(binary_logit), binary_label).item()
bce_with_logits_loss = nn.BCEWithLogitsLoss()(binary_logit, binary_label).item()
two_class_softmax = softmax([1.5, 0.0])[0]
print(f"σ(1.5) = {torch.sigmoid(binary_logit).item():.4f}, softmax([1.5, 0])[0] = {two_class_softmax:.4f}")
print(f"BCE {bce_loss:.4f}, BCE with logits {bce_with_logits_loss:.4f}, −log σ(1.5) = {-np.log(two_class_softmax):.4f}")

# %%
runtime.report(
    softmax=[float(p) for p in probabilities],
    cross_entropy_good=good_loss,
    cross_entropy_bad=bad_loss,
    torch_cross_entropy_good=torch_good_loss,
    batch_loss_good=good_batch_loss,
    batch_loss_bad=bad_batch_loss,
    bce_loss=bce_loss,
)
