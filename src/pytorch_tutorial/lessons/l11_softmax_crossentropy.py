# %% [markdown]
# # Lesson 11 — Softmax and cross-entropy
#
# A classifier's last layer outputs one raw score per class, the **logits**. Softmax turns them into
# probabilities, and cross-entropy measures how far those probabilities are from the true class:
#
# ```
#            logits               probabilities
#            2.0                  0.66
#  Linear -> 1.0   -> softmax ->  0.24   -> cross-entropy with the true class
#            0.1                  0.10
# ```
#
# - **softmax**: `softmax(z)_i = e^(z_i) / Σ_j e^(z_j)`. Every output is positive, they sum to 1, and the
#   largest score gets the largest share.
# - **cross-entropy**: `CE = −Σ_i y_i · log(ŷ_i)`, with ŷ the predicted probabilities and y the true class
#   written **one-hot**: a 1 at the true class, 0 elsewhere (class 0 of three is `[1, 0, 0]`). The loss is 0
#   for a certain, correct prediction and large for a confident wrong one.
#
# We write both in NumPy first, then use PyTorch's.

# %%
import numpy as np
import torch
from torch import nn

from pytorch_tutorial import runtime

# %% [markdown]
# ## Softmax in NumPy
# The formula as it is written:

# %%


def naive_softmax(x):
    return np.exp(x) / np.sum(np.exp(x), axis=0)


scores = np.array([2.0, 1.0, 0.1])
print(f"softmax numpy: {naive_softmax(scores)}")

# %% [markdown]
# PyTorch's `torch.softmax` does the same along the dimension we name (`dim=0`: along the only one here).

# %%
torch_probabilities = torch.softmax(torch.tensor(scores), dim=0)
print(f"softmax torch: {torch_probabilities}")

# %% [markdown]
# ### Why we subtract the maximum
# The formula as written computes `e^z`: `e^1000` overflows to infinity, and `inf / inf` is `nan` ("not a
# number"). Subtracting the same number c from every score does not change the result, because the factor
# `e^(−c)` is in the numerator and in the denominator and cancels. So we subtract the largest score: the biggest
# exponent is then `e^0 = 1` and nothing overflows. Working along the last axis (`axis=-1`, keeping that axis
# for the division) makes the same function work on one sample (C,) or on a batch (N, C), row by row.

# %%


def softmax(z):
    shifted = z - np.max(z, axis=-1, keepdims=True)  # softmax(z) = softmax(z − c) for any c
    exp = np.exp(shifted)
    return exp / np.sum(exp, axis=-1, keepdims=True)


probabilities = softmax(scores)
print(f"stable softmax: {probabilities}, sum {probabilities.sum()}")
with np.errstate(over="ignore", invalid="ignore"):  # silence NumPy's overflow warning: we show the result
    naive_huge = naive_softmax(np.array([1000.0, 0.0]))
stable_huge = softmax(np.array([1000.0, 0.0]))
print(f"softmax([1000, 0]): the formula as written gives {naive_huge}, the stable one {stable_huge}")

# %% [markdown]
# ## Cross-entropy in NumPy, with a one-hot label
# The true class is 0, so y is `[1, 0, 0]`. A good prediction gives class 0 a high probability, a bad one a
# low probability.

# %%


def cross_entropy(actual, predicted):
    return -np.sum(actual * np.log(predicted))


y = np.array([1, 0, 0])  # one-hot: the true class is 0
y_pred_good = np.array([0.7, 0.2, 0.1])
y_pred_bad = np.array([0.1, 0.3, 0.6])
one_hot_loss_good = cross_entropy(y, y_pred_good)
one_hot_loss_bad = cross_entropy(y, y_pred_bad)
print(f"loss of the good prediction: {one_hot_loss_good:.4f}, of the bad one: {one_hot_loss_bad:.4f}")

# %% [markdown]
# The one-hot vector is 0 everywhere except at the true class, so the sum keeps a single term:
# `CE = −log(ŷ of the true class)`. We can skip the one-hot vector and pick that probability by its class
# index:

# %%
true_class = 0
print(f"−log ŷ[{true_class}]: good {-np.log(y_pred_good[true_class]):.4f}, bad {-np.log(y_pred_bad[true_class]):.4f}")

# %% [markdown]
# ### From the logits, stably
# A probability can round to 0 (softmax of `[1000, 0]` gives exactly 0 for class 1), and `log(0)` is `−inf`.
# The way around it is to go from the logits to the *log*-probabilities in one step: with `m = max(z)`,
# `log softmax(z)_i = z_i − m − log Σ_j e^(z_j − m)`, where no exponent is positive and no log sees a 0. The
# loss of one sample is then minus the log-probability at its class index.

# %%


def log_softmax(z):
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def cross_entropy_from_logits(logits, label):
    return -log_softmax(logits)[label]


good_logits = np.array([2.0, 1.0, 0.1])  # class 0 has the largest score
bad_logits = np.array([0.5, 2.0, 0.3])  # the model prefers class 1
good_loss = cross_entropy_from_logits(good_logits, true_class)
bad_loss = cross_entropy_from_logits(bad_logits, true_class)
print(f"from the logits: good {good_loss:.4f}, bad {bad_loss:.4f}")
print(f"log softmax([1000, 0]) = {log_softmax(np.array([1000.0, 0.0]))}: finite, where log(softmax) is −inf")

# %% [markdown]
# ## `nn.CrossEntropyLoss`: raw logits and class indices
# PyTorch's loss does all of that: it applies log-softmax itself (it is `nn.LogSoftmax` and `nn.NLLLoss`, the
# negative log-likelihood, in one step). So:
#
# - give it the **raw logits**: no softmax at the end of the model;
# - give it the **class index** (an integer tensor), not a one-hot vector;
# - the logits have the shape (number of samples, number of classes), the labels (number of samples,).
#
# Applying softmax first is a classic mistake: the loss then applies its own softmax on top of it, the values are
# squashed into a narrow range, and training becomes slow.

# %%
loss_fn = nn.CrossEntropyLoss()
labels = torch.tensor([0])  # one sample, its class index: shape (1,)
logits_good = torch.tensor([[2.0, 1.0, 0.1]])  # one sample, three logits: shape (1, 3)
logits_bad = torch.tensor([[0.5, 2.0, 0.3]])
torch_good_loss = loss_fn(logits_good, labels).item()
torch_bad_loss = loss_fn(logits_bad, labels).item()
print(
    f"nn.CrossEntropyLoss: good {torch_good_loss:.4f}, bad {torch_bad_loss:.4f} (NumPy: {good_loss:.4f}, {bad_loss:.4f})"
)
softmax_first_loss = loss_fn(torch.softmax(logits_good, dim=1), labels).item()
print(f"the mistake, softmax before the loss, gives {softmax_first_loss:.4f} instead of {torch_good_loss:.4f}")

# %% [markdown]
# ## A batch
# Three samples at once: logits of shape (3, 3), labels of shape (3,). The loss is the mean over the samples.
#
# The predicted class is the one with the largest logit. `torch.max(x, 1)` returns the largest value of each
# row *and* its index; the index is the prediction (`x.argmax(dim=1)` gives the index alone).

# %%
batch_labels = torch.tensor([2, 0, 1])
batch_logits_good = torch.tensor([[0.1, 0.2, 3.9], [1.2, 0.1, 0.3], [0.3, 2.2, 0.2]])  # largest at 2, 0, 1: right
batch_logits_bad = torch.tensor([[0.9, 0.2, 0.1], [0.1, 0.3, 1.5], [1.2, 0.2, 0.5]])
batch_loss_good = loss_fn(batch_logits_good, batch_labels).item()
batch_loss_bad = loss_fn(batch_logits_bad, batch_labels).item()
print(f"batch loss: good {batch_loss_good:.4f}, bad {batch_loss_bad:.4f}")
_, predictions_good = torch.max(batch_logits_good, 1)
_, predictions_bad = torch.max(batch_logits_bad, 1)
print(f"true classes {batch_labels}, predicted: good {predictions_good}, bad {predictions_bad}")

# %% [markdown]
# ## Two classes: sigmoid and binary cross-entropy
# With two classes one score is enough: `σ(z)` is the probability of class 1 (lesson 8). `nn.BCELoss` takes
# that probability, `nn.BCEWithLogitsLoss` the raw score (the sigmoid is inside, computed stably, as with
# `CrossEntropyLoss`). In a network:
#
# - multi-class: the last layer `nn.Linear(hidden, number of classes)`, no softmax, and `nn.CrossEntropyLoss`;
# - binary: the last layer `nn.Linear(hidden, 1)`, and `nn.BCEWithLogitsLoss` (or a sigmoid and `nn.BCELoss`).

# %%
binary_logit = torch.tensor([1.5])
binary_label = torch.tensor([1.0])
bce_loss = nn.BCELoss()(torch.sigmoid(binary_logit), binary_label).item()
bce_with_logits_loss = nn.BCEWithLogitsLoss()(binary_logit, binary_label).item()
print(
    f"σ(1.5) = {torch.sigmoid(binary_logit).item():.4f}: BCE {bce_loss:.4f}, BCE with logits {bce_with_logits_loss:.4f}"
)

# %%
runtime.report(
    softmax=probabilities.tolist(),
    cross_entropy_good=good_loss,
    torch_cross_entropy_good=torch_good_loss,
    batch_loss_good=batch_loss_good,
    batch_loss_bad=batch_loss_bad,
)

# %% [markdown]
# ## Going further
#
# ### The two networks of the original lesson
# The original lesson writes the two kinds of classifier as classes. The multi-class one ends in
# `nn.Linear(hidden_size, num_classes)` and returns the logits; the binary one ends in `nn.Linear(hidden_size, 1)`
# and a sigmoid, for `nn.BCELoss`. (Without the final sigmoid and with `nn.BCEWithLogitsLoss` it is the same
# model, computed more stably.)

# %%


class NeuralNet1(nn.Module):
    """Binary classification: one probability per sample."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.linear1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.linear2 = nn.Linear(hidden_size, 1)

    def forward(self, x):
        out = self.linear1(x)
        out = self.relu(out)
        out = self.linear2(out)
        return torch.sigmoid(out)  # sigmoid at the end, for nn.BCELoss


class NeuralNet2(nn.Module):
    """Multi-class classification: one logit per class."""

    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.linear1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.linear2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out = self.linear1(x)
        out = self.relu(out)
        out = self.linear2(out)
        return out  # no softmax at the end: nn.CrossEntropyLoss applies it


images = torch.rand(4, 28 * 28)  # four made-up 28x28 images, flattened
binary_model = NeuralNet1(input_size=28 * 28, hidden_size=5)
multi_class_model = NeuralNet2(input_size=28 * 28, hidden_size=5, num_classes=3)
binary_output = binary_model(images)
multi_class_output = multi_class_model(images)
binary_loss = nn.BCELoss()(binary_output, torch.tensor([[1.0], [0.0], [1.0], [0.0]]))
multi_class_loss = nn.CrossEntropyLoss()(multi_class_output, torch.tensor([2, 0, 1, 0]))
print(f"NeuralNet1: output {tuple(binary_output.shape)} in (0, 1), BCELoss {binary_loss.item():.4f}")
print(f"NeuralNet2: output {tuple(multi_class_output.shape)} logits, CrossEntropyLoss {multi_class_loss.item():.4f}")

# %% [markdown]
# ### The batch loss by hand
# `nn.CrossEntropyLoss` averages the loss of each sample; our NumPy function, applied row by row, gives the same.

# %%
sample_losses = [
    cross_entropy_from_logits(logits, label)
    for logits, label in zip(batch_logits_good.numpy(), batch_labels.numpy(), strict=True)
]
numpy_batch_loss = np.mean(sample_losses)
print(f"NumPy, the mean over the three samples: {numpy_batch_loss:.4f}")

# %% [markdown]
# ### The sigmoid is the two-class softmax
# Give class 0 the score z and class 1 the score 0: `softmax([z, 0])_0 = e^z / (e^z + e^0) = 1 / (1 + e^(−z))
# = σ(z)`. So a binary classifier with one logit is a two-class softmax classifier with the second score fixed
# at 0.

# %%
two_class_softmax = softmax(np.array([1.5, 0.0]))[0]
print(f"softmax([1.5, 0])[0] = {two_class_softmax:.4f}, σ(1.5) = {torch.sigmoid(torch.tensor(1.5)).item():.4f}")
