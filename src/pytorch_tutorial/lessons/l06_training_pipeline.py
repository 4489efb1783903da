# %% [markdown]
# # Lesson 6 — The training pipeline
#
# In lesson 5 we wrote every part of training by hand: the model, the loss, the update. PyTorch has a ready-made
# piece for each, and every model in this course is trained with the same three-part pipeline:
#
# 1. **design the model**: its inputs, outputs and forward pass;
# 2. **construct the loss and the optimizer**;
# 3. **the training loop**: forward pass (prediction and loss), backward pass (gradients), update the weights,
#    zero the gradients.
#
# We reach it step by step on the same data as before, f(x) = 2x on X = [1, 2, 3, 4], swapping one hand-made
# part at a time and checking that each version still learns: the prediction for x = 5 should approach 10.

# %%
import torch
from torch import nn

from pytorch_tutorial import runtime

cfg = runtime.settings(n_iters=300, learning_rate=0.05)
device = runtime.device()

# %% [markdown]
# ## Step 1: the loss from `torch.nn`
# `nn.MSELoss()` is the mean squared error, mean((ŷ − y)²), that we wrote as `mse` in lesson 5. A loss
# object is called like a function: `loss_fn(prediction, target)`. The model and the update are still ours.

# %%
X = torch.tensor([1.0, 2.0, 3.0, 4.0], device=device)
Y = 2 * X
x_test = 5.0
stage_f5 = {}  # the prediction f(5) of each stage


def forward(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Our hand-made model ŷ = w · x."""
    return w * x


w = torch.tensor(0.0, device=device, requires_grad=True)
loss_fn = nn.MSELoss()
for epoch in range(cfg.n_iters):
    loss = loss_fn(forward(X, w), Y)
    loss.backward()
    with torch.no_grad():
        w -= cfg.learning_rate * w.grad
    w.grad.zero_()
    if epoch % 100 == 0:
        print(f"  epoch {epoch + 1:3d}: loss = {loss.item():.3e}")
stage_f5["MSELoss"] = forward(x_test, w).item()
print(f"nn.MSELoss + hand-made update: f(5) = {stage_f5['MSELoss']:.4f}")

# %% [markdown]
# ## Step 2: the optimizer from `torch.optim`
# `torch.optim.SGD` is plain gradient descent: `optimizer.step()` does w ← w − learning_rate · w.grad for every
# parameter it was given, and `optimizer.zero_grad()` clears their gradients. Other optimizers (Adam, RMSprop,
# …) keep extra state per parameter, but are used in exactly the same two calls.
#
# **Where `zero_grad` goes.** `backward` adds to `.grad` (lesson 3), so the gradients must be cleared once per
# step, somewhere between one `step()` and the next `backward()`. Both orders you will meet are right:
#
# - `loss.backward(); optimizer.step(); optimizer.zero_grad()` — clear after the step, as this lesson writes it;
# - `optimizer.zero_grad(); loss.backward(); optimizer.step()` — clear first, as PyTorch's own tutorials and
#   lesson 16 write it.
#
# They take exactly the same steps ("Going further" checks it). What is wrong is clearing between `backward()`
# and `step()` (the step then finds no gradient) or never clearing at all (every step adds up all the
# gradients so far).

# %%
w = torch.tensor(0.0, device=device, requires_grad=True)
optimizer = torch.optim.SGD([w], lr=cfg.learning_rate)
for epoch in range(cfg.n_iters):
    loss = loss_fn(forward(X, w), Y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    if epoch % 100 == 0:
        print(f"  epoch {epoch + 1:3d}: loss = {loss.item():.3e}")
stage_f5["SGD"] = forward(x_test, w).item()
print(f"nn.MSELoss + optim.SGD: f(5) = {stage_f5['SGD']:.4f}")

# %% [markdown]
# ## Step 3: the model from `torch.nn`
# `nn.Linear(in_features, out_features)` computes ŷ = x Wᵀ + b, with a weight matrix W and a bias b that it
# creates (randomly initialised) and registers as its parameters, so `model.parameters()` hands them to the
# optimizer. It expects a 2-D input: one **row per sample, one column per feature**. Our four samples with one
# feature each become a (4, 1) tensor.
#
# From here on the three parts of the pipeline are all PyTorch's, so we write the loop once, as a function,
# and use it for any model.

# %%
X = X.reshape(-1, 1)  # (4,) -> (4, 1): 4 samples, 1 feature
Y = Y.reshape(-1, 1)
n_samples, n_features = X.shape
X_test = torch.tensor([[x_test]], device=device)
print(f"{n_samples} samples, {n_features} feature; X has shape {tuple(X.shape)}")


def train(model):
    """Fit ``model`` to (X, Y) with mean squared error and plain SGD."""
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.learning_rate)
    model.train()
    for epoch in range(cfg.n_iters):
        loss = loss_fn(model(X), Y)  # forward pass
        loss.backward()  # backward pass: gradients of every parameter
        optimizer.step()  # update
        optimizer.zero_grad()  # and start the next step from zero
        if epoch % 100 == 0:
            print(f"  epoch {epoch + 1:3d}: loss = {loss.item():.3e}")


def predict(model, x):
    """The model's prediction for one input, without recording a graph."""
    model.eval()
    with torch.no_grad():
        return model(x).item()


model = nn.Linear(n_features, 1).to(device)
print(f"before training: f(5) = {predict(model, X_test):.4f} (random initial weight and bias)")
train(model)
stage_f5["nn.Linear"] = predict(model, X_test)
print(f"nn.Linear: f(5) = {stage_f5['nn.Linear']:.4f}")
print(f"learned weight {model.weight.item():.4f}, bias {model.bias.item():.4f}")

# %% [markdown]
# The model now has a bias b as well as a weight, so it has to learn that b = 0. It converges more slowly than
# the one-weight model: the loss changes much less when b moves than when w does, and one learning rate must
# suit both.
#
# ## Step 4: our own `nn.Module`
# Real models combine many layers. We write them as a subclass of `nn.Module`: create the layers in
# `__init__` (which registers their parameters) and say how an input flows through them in `forward`. Calling
# `model(x)` runs `forward`. Our model has one layer, but the pattern is the one every later lesson uses.


# %%
class LinearRegression(nn.Module):
    """ŷ = x Wᵀ + b, written as our own module around one nn.Linear layer."""

    def __init__(self, input_dim: int, output_dim: int) -> None:
        super().__init__()
        self.linear = nn.Linear(input_dim, output_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)


model = LinearRegression(n_features, 1).to(device)
print(model)
print(f"before training: f(5) = {predict(model, X_test):.4f}")
train(model)
f5 = predict(model, X_test)
stage_f5["nn.Module"] = f5
print(f"LinearRegression(nn.Module): f(5) = {f5:.4f}")

# %% [markdown]
# Every version learned f(x) = 2x; only who writes each part changed.

# %%
for stage, prediction in stage_f5.items():
    print(f"{stage:<10} f(5) = {prediction:.4f}")
runtime.report(f5=f5, stage_f5=stage_f5)

# %% [markdown]
# ## Going further
# ### Both orders of `zero_grad` take the same steps
# Three steps of step 2's training, from the same start, in each order (three, so that w has not reached 2 yet).
# Clearing first or clearing last, every `backward()` starts from empty gradients, so the two runs end with
# exactly the same w.

# %%
w_clear_last = torch.tensor(0.0, device=device, requires_grad=True)
optimizer = torch.optim.SGD([w_clear_last], lr=cfg.learning_rate)
for _ in range(3):
    loss = loss_fn(forward(X, w_clear_last), Y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()

w_clear_first = torch.tensor(0.0, device=device, requires_grad=True)
optimizer = torch.optim.SGD([w_clear_first], lr=cfg.learning_rate)
for _ in range(3):
    optimizer.zero_grad()
    loss = loss_fn(forward(X, w_clear_first), Y)
    loss.backward()
    optimizer.step()
print(f"zero_grad last: w = {w_clear_last.item():.6f};  zero_grad first: w = {w_clear_first.item():.6f}")
