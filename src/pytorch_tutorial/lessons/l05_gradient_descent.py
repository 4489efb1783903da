# %% [markdown]
# # Lesson 5 — Gradient descent
#
# We train the smallest possible model, ŷ = w · x, to learn f(x) = 2x from four examples, X = [1, 2, 3, 4].
# First everything by hand in NumPy — prediction, loss, gradient, update — and then the same with autograd
# computing the gradient. Both should end with w close to 2, so that the prediction for x = 5 is close to 10.

# %%
import numpy as np
import torch

from pytorch_tutorial import runtime

cfg = runtime.settings(n_iters=50, learning_rate=0.01)
device = runtime.device()

# %% [markdown]
# ## The model, the loss and its gradient
# The loss is the mean squared error over the N = 4 examples:
#
# J(w) = 1/N · Σᵢ (w xᵢ − yᵢ)²
#
# Differentiating term by term with the chain rule (the derivative of (w xᵢ − yᵢ)² is 2 (w xᵢ − yᵢ) · xᵢ):
#
# dJ/dw = 1/N · Σᵢ 2 xᵢ (w xᵢ − yᵢ) = mean(2 x (ŷ − y))
#
# Keep the 1/N: the gradient in the original video forgot it ("Going further" shows what that does).

# %%
X = np.array([1, 2, 3, 4], dtype=np.float32)
Y = 2 * X


def forward(x, w):
    """The model's prediction ŷ = w · x (works on NumPy arrays and on tensors)."""
    return w * x


def mse(y_pred, y):
    """Mean squared error J = mean((ŷ − y)²) (works on NumPy arrays and on tensors)."""
    return ((y_pred - y) ** 2).mean()


def gradient(x, y, y_pred):
    """dJ/dw for J = mean((w·x − y)²), derived by hand."""
    return np.mean(2 * x * (y_pred - y))


# %% [markdown]
# ## Training in NumPy
# Start from w = 0, so the prediction for x = 5 is 0. Each epoch: predict, measure the loss, compute the
# gradient, and step against it: w ← w − learning_rate · dJ/dw. We print every fifth epoch and the last.

# %%
w = 0.0
f5_before = float(forward(5.0, w))
print(f"prediction before training: f(5) = {f5_before:.3f}")

print("Training in NumPy, gradient by hand:")
numpy_losses = []
for epoch in range(cfg.n_iters):
    y_pred = forward(X, w)
    loss = mse(y_pred, Y)
    dw = gradient(X, Y, y_pred)
    w = w - cfg.learning_rate * dw
    numpy_losses.append(float(loss))
    if epoch % 5 == 0 or epoch == cfg.n_iters - 1:
        print(f"epoch {epoch + 1:3d}: loss = {loss:.8f}, updated w = {w:.4f}")

numpy_w = float(w)
numpy_f5 = float(forward(5.0, numpy_w))
print(f"prediction after training: f(5) = {numpy_f5:.3f}")

# %% [markdown]
# What learning looks like: the model's line ŷ = w · x before training (w = 0, flat) and after.

# %%
plt = runtime.pyplot()
fig, ax = plt.subplots(figsize=(6, 4))
line_x = np.linspace(0, 5, 2)
ax.plot(X, Y, "o", label="data: y = 2x")
ax.plot(line_x, forward(line_x, 0.0), "--", color="gray", label="before training: w = 0")
ax.plot(line_x, forward(line_x, numpy_w), color="tab:red", label=f"after training: w = {numpy_w:.3f}")
ax.set(xlabel="x", ylabel="y", title=f"The model's line before and after {cfg.n_iters} epochs")
ax.legend()
runtime.save_figure(fig, "line_before_after.png")

# %% [markdown]
# ## The same with autograd
# Now w is a tensor with `requires_grad=True`, and `loss.backward()` replaces our `gradient` function. The
# update must not be recorded in the graph, hence `torch.no_grad()`, and the gradient must be zeroed after
# each step because `backward` accumulates (lesson 3). `forward` and `mse` work on tensors unchanged.

# %%
X_tensor = torch.tensor(X, device=device)
Y_tensor = torch.tensor(Y, device=device)
w = torch.tensor(0.0, device=device, requires_grad=True)

print("Training in PyTorch, gradient by autograd:")
autograd_losses = []
for epoch in range(cfg.n_iters):
    y_pred = forward(X_tensor, w)
    loss = mse(y_pred, Y_tensor)
    loss.backward()  # dJ/dw lands in w.grad
    with torch.no_grad():
        w -= cfg.learning_rate * w.grad
    w.grad.zero_()
    autograd_losses.append(loss.item())
    if epoch % 5 == 0 or epoch == cfg.n_iters - 1:
        print(f"epoch {epoch + 1:3d}: loss = {loss.item():.8f}, updated w = {w.item():.4f}")

autograd_f5 = forward(5.0, w).item()
print(f"prediction after training: f(5) = {autograd_f5:.3f}")

# %% [markdown]
# Because our hand-derived gradient is the true derivative, both runs take exactly the same steps: the two
# loss curves lie on top of each other.

# %%
fig, ax = plt.subplots(figsize=(6, 4))
epochs = range(1, cfg.n_iters + 1)
ax.semilogy(epochs, numpy_losses, label="NumPy, gradient by hand", linewidth=3, alpha=0.5)
ax.semilogy(epochs, autograd_losses, "--", label="PyTorch autograd")
ax.set(xlabel="epoch", ylabel="mean squared error (log scale)", title="Fitting f(x) = 2x by gradient descent")
ax.legend()
runtime.save_figure(fig, "loss_per_epoch.png")
runtime.report(f5_before=f5_before, numpy_f5=numpy_f5, autograd_f5=autograd_f5)

# %% [markdown]
# ## Going further
# ### The gradient of the original video
# The video of this lesson (Patrick Loeber's `05_1_gradientdescent_manually.py`) computed the gradient as
# `np.dot(2 * x, y_pred - y).mean()`; his repository fixed it to `np.mean(2 * x * (y_pred - y))` in commit
# c3b0a21. The dot product already **sums** the N products 2 xᵢ (ŷᵢ − yᵢ) into one number, and the mean of one
# number is that number, so the 1/N never happens: it is the gradient of the *summed* squared error, N = 4 times
# ours. On this data it still trains, because a 4-times-larger gradient acts like a 4-times-larger learning
# rate; but at learning_rate = 0.1 the right gradient still converges (each step overshoots less than the
# last), while the summed one overshoots more every step and diverges.


# %%
def summed_gradient(x, y, y_pred):
    """The video's version: the gradient of sum((ŷ − y)²), N times the gradient of the mean."""
    return np.dot(2 * x, y_pred - y).mean()


print(
    "at w = 0, our gradient:", gradient(X, Y, forward(X, 0.0)), " the video's:", summed_gradient(X, Y, forward(X, 0.0))
)
w_right = w_summed = 0.0
for _ in range(10):
    w_right -= 0.1 * gradient(X, Y, forward(X, w_right))
    w_summed -= 0.1 * summed_gradient(X, Y, forward(X, w_summed))
print(f"after 10 steps at learning_rate=0.1: our gradient gives w = {w_right:.4f}, the video's w = {w_summed:.3g}")
