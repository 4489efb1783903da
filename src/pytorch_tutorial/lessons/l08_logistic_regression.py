# %% [markdown]
# # Lesson 8 — Logistic regression
#
# Classification into two classes: is a breast tumour malignant or benign, from 30 measurements of its cell
# nuclei? Logistic regression is linear regression followed by the sigmoid `σ(z) = 1 / (1 + e^(−z))`, which
# squeezes the score z into a probability between 0 and 1; the loss is the binary cross-entropy (BCE)
# `−[y·log(p) + (1 − y)·log(1 − p)]`. The pipeline is the one of lesson 7: model, loss and optimizer, loop.
# At the end: why `nn.BCEWithLogitsLoss` is the form to use in practice.

# %%
import torch
from sklearn import datasets
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

from pytorch_tutorial import runtime

cfg = runtime.settings(epochs=200, lr=0.1, test_size=runtime.between(0.2, 0.05, 0.5))
device = runtime.device()

# %% [markdown]
# ## The data: split first, then standardise
# 569 tumours, 30 features, label 1 = benign, 0 = malignant. We hold out a test set and never train on it.
# `stratify=y` keeps the share of each class the same in both parts; `random_state` makes the split repeatable.
#
# The features have very different scales (areas in the hundreds, smoothness around 0.1), which makes gradient
# descent slow; `StandardScaler` shifts and scales each feature to mean 0 and standard deviation 1. It is
# **fitted on the training part only** and then applied to both: the test set must not influence anything the
# model learns from, not even the means and standard deviations.

# %%
bc = datasets.load_breast_cancer()
features, labels = bc.data, bc.target
n_samples, n_features = features.shape
x_train, x_test, y_train, y_test = train_test_split(
    features, labels, test_size=cfg.test_size, stratify=labels, random_state=1234
)
scaler = StandardScaler().fit(x_train)
x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
print(f"{n_samples} samples, {n_features} features; train {len(x_train)}, test {len(x_test)}")
print(f"share of benign: train {y_train.mean():.3f}, test {y_test.mean():.3f}")


def to_tensors(x, y):
    """Float32 tensors on the device; y as a column (N, 1) like the model's output."""
    return (
        torch.tensor(x, dtype=torch.float32, device=device),
        torch.tensor(y, dtype=torch.float32, device=device).view(-1, 1),
    )


x_train, y_train = to_tensors(x_train, y_train)
x_test, y_test = to_tensors(x_test, y_test)

# %% [markdown]
# ## The model: linear layer, then sigmoid

# %%


class LogisticRegressionModel(nn.Module):
    """One linear layer and a sigmoid: the probability that a tumour is benign."""

    def __init__(self, n_input_features):
        super().__init__()
        self.linear = nn.Linear(n_input_features, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))  # a probability in (0, 1)


model = LogisticRegressionModel(n_features).to(device)
loss_fn = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr)

# %% [markdown]
# ## Training

# %%
for epoch in range(cfg.epochs):
    probabilities = model(x_train)
    loss = loss_fn(probabilities, y_train)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    if (epoch + 1) % 40 == 0:
        print(f"epoch {epoch + 1:>4}: training loss = {loss.item():.4f}")

# %% [markdown]
# ## Evaluation on the held-out test set
# `model.eval()` and `torch.no_grad()`: no training behaviour, no gradients to record. A probability above 0.5
# is predicted as class 1.

# %%
model.eval()
with torch.no_grad():
    predicted = (model(x_test) > 0.5).float()
    test_accuracy = (predicted == y_test).float().mean().item()
print(f"test accuracy: {test_accuracy:.4f} ({int((predicted == y_test).sum())} of {len(y_test)})")

# %% [markdown]
# ## The same split with scikit-learn
# `LogisticRegression` minimises the same loss plus an L2 penalty on the weights (its strength set by
# C = 1, the default; a smaller C penalises more). Its default solver is L-BFGS (`solver="lbfgs"`), a
# quasi-Newton method: it steers each step with an estimate of the loss's curvature built from recent
# gradients, and needs far fewer steps than plain gradient descent. A good reference for what a linear model
# can reach on this split.

# %%
reference = LogisticRegression(max_iter=1000).fit(x_train.cpu().numpy(), y_train.cpu().numpy().ravel())
sklearn_accuracy = float(reference.score(x_test.cpu().numpy(), y_test.cpu().numpy().ravel()))
print(f"solver {reference.solver}, C = {reference.C}, {reference.n_iter_[0]} iterations")
print(f"scikit-learn LogisticRegression test accuracy: {sklearn_accuracy:.4f}")

# %% [markdown]
# ## Why `BCEWithLogitsLoss`
# In float32, `σ(z)` is exactly 1.0 from about z = 17 on: the difference from 1 is smaller than the float's
# resolution (the first line below shows σ(15), σ(16) and σ(17)). For a confident **wrong** prediction (z = 200 for a sample whose label is 0) BCE then needs
# `log(1 − 1) = log(0) = −∞`; `nn.BCELoss` clamps the log at −100, so the loss is stuck at 100 and its gradient
# through the flat sigmoid is 0 — the model gets no signal to fix its worst mistake.
#
# `nn.BCEWithLogitsLoss` takes the raw score z and computes the same loss in a rearranged form,
# `max(z, 0) − z·y + log(1 + e^(−|z|))`, which never forms σ(z) and never overflows. It gives the exact loss
# (200 here) and the exact gradient `σ(z) − y = 1`. So in practice: let the model output the score z (no sigmoid
# in `forward`), train with `BCEWithLogitsLoss`, and apply `torch.sigmoid` only when you want probabilities.

# %%
logit = torch.tensor([200.0], requires_grad=True)
target = torch.tensor([0.0])

saturated_loss = nn.BCELoss()(torch.sigmoid(logit), target)
saturated_loss.backward()
saturated_grad = logit.grad.item()
logit.grad = None

logits_loss = nn.BCEWithLogitsLoss()(logit, target)
logits_loss.backward()
logits_grad = logit.grad.item()

print("sigmoid of 15, 16, 17 in float32:", torch.sigmoid(torch.tensor([15.0, 16.0, 17.0])).tolist())
print(f"sigmoid(200) in float32 = {torch.sigmoid(logit).item()!r}")
print(f"BCELoss(sigmoid(z)):   loss = {saturated_loss.item():.1f}, dloss/dz = {saturated_grad}")
print(f"BCEWithLogitsLoss(z):  loss = {logits_loss.item():.1f}, dloss/dz = {logits_grad}")

# %% [markdown]
# Where nothing saturates the two forms agree: on the trained model's scores they give the same loss.

# %%
with torch.no_grad():
    scores = model.linear(x_train)
    loss_from_probabilities = nn.BCELoss()(torch.sigmoid(scores), y_train).item()
    loss_from_logits = nn.BCEWithLogitsLoss()(scores, y_train).item()
print(f"training loss: BCELoss {loss_from_probabilities:.6f}, BCEWithLogitsLoss {loss_from_logits:.6f}")

# %%
runtime.report(
    test_accuracy=test_accuracy,
    sklearn_accuracy=sklearn_accuracy,
    saturated_bce_loss=saturated_loss.item(),
    logits_loss=logits_loss.item(),
)
