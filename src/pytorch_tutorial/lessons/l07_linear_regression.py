# %% [markdown]
# # Lesson 7 — Linear regression
#
# The training pipeline of lesson 6 on real-looking data: 100 noisy points on a line, a model
# `ŷ = w·x + b` (`nn.Linear(1, 1)`), the mean squared error as loss and plain gradient descent (SGD over the
# whole data set) as optimizer. Because linear regression has a closed-form optimum — least squares — we can
# check how close training gets to the best line there is.
#
# The pipeline is always the same three steps:
# 1. design the model (inputs, outputs, forward pass),
# 2. choose the loss and the optimizer,
# 3. the training loop: forward (prediction and loss), backward (gradients), update the weights.

# %%
import numpy as np
import torch
from sklearn import datasets
from torch import nn

from pytorch_tutorial import runtime

cfg = runtime.settings(epochs=100, lr=0.1)
device = runtime.device()

# %% [markdown]
# ## The data
# scikit-learn's `make_regression` draws x from a normal distribution and sets y = a·x plus Gaussian noise with
# standard deviation 20. It returns float64 NumPy arrays; the model computes in float32, and `nn.Linear`
# expects one row per sample, so y becomes a column of shape (100, 1).

# %%
x_numpy, y_numpy = datasets.make_regression(n_samples=100, n_features=1, noise=20, random_state=4)
x = torch.from_numpy(x_numpy.astype(np.float32)).to(device)
y = torch.from_numpy(y_numpy.astype(np.float32)).view(-1, 1).to(device)
n_samples, n_features = x.shape
print(f"x: {tuple(x.shape)}, y: {tuple(y.shape)}, {n_samples} samples, {n_features} feature")

# %% [markdown]
# ## Model, loss, optimizer
# One input feature, one output value. `nn.MSELoss` is `mean((ŷ - y)²)`; `torch.optim.SGD` takes a step
# `w ← w − lr · dJ/dw` for each parameter. x is roughly standard normal, so a learning rate of 0.1 is safe:
# the loss curvature in w is 2·mean(x²) ≈ 2, and gradient descent diverges only for lr above 2 / curvature ≈ 1.

# %%
model = nn.Linear(n_features, 1).to(device)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr)
curvature = 2 * (x**2).mean().item()
print(f"curvature 2·mean(x²) = {curvature:.2f}: gradient descent diverges for lr above {2 / curvature:.2f}")
with torch.no_grad():
    predicted_before = model(x).cpu().numpy()  # the untrained model's line, for the plot below

# %% [markdown]
# ## The training loop

# %%
losses = []
for epoch in range(cfg.epochs):
    y_predicted = model(x)  # forward pass
    loss = loss_fn(y_predicted, y)
    loss.backward()  # dloss/dw and dloss/db, stored in .grad
    optimizer.step()  # w ← w − lr · w.grad
    optimizer.zero_grad()  # .grad accumulates: empty it before the next backward
    losses.append(loss.item())
    if (epoch + 1) % 10 == 0:
        print(f"epoch {epoch + 1:>4}: loss = {loss.item():.2f}")

# %% [markdown]
# ## How good is it? The least-squares optimum
# For a line the best `w` and `b` can be computed directly: append a column of ones to x (its weight is the
# intercept b) and solve the least-squares problem `min ‖[x, 1]·(w, b) − y‖²` with `numpy.linalg.lstsq`.
# No line has a lower MSE on these points, so the trained MSE can come close to it but never beat it.

# %%
with torch.no_grad():
    mse = loss_fn(model(x), y).item()
design = np.column_stack([x_numpy, np.ones(n_samples)])
solution = np.linalg.lstsq(design, y_numpy, rcond=None)[0]  # [w, b]
optimal_w, optimal_b = solution
optimal_mse = float(np.mean((design @ solution - y_numpy) ** 2))
weight, bias = model.weight.item(), model.bias.item()
print(f"trained:       w = {weight:.3f}, b = {bias:.3f}, MSE = {mse:.3f}")
print(f"least squares: w = {optimal_w:.3f}, b = {optimal_b:.3f}, MSE = {optimal_mse:.3f}")
print(f"the trained MSE is {100 * (mse / optimal_mse - 1):.3f} % above the optimum")

# %% [markdown]
# ## Plots: the loss curve, and the line before and after training
# `.detach()` takes the predictions out of the autograd graph, `.cpu().numpy()` brings them to NumPy for
# matplotlib. The untrained line comes from `nn.Linear`'s random initial weight and bias.

# %%
plt = runtime.pyplot()
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(range(1, len(losses) + 1), losses)
ax.axhline(optimal_mse, color="gray", linestyle="--", label=f"least-squares optimum ({optimal_mse:.1f})")
ax.set(xlabel="epoch", ylabel="MSE", yscale="log", title="Training loss")
ax.legend()
runtime.save_figure(fig, "loss_curve.png")

predicted = model(x).detach().cpu().numpy()
order = np.argsort(x_numpy[:, 0])
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(x_numpy, y_numpy, "o", markersize=4, label="data")
ax.plot(x_numpy[order], predicted_before[order], "--", color="gray", label="before training")
ax.plot(
    x_numpy[order],
    predicted[order],
    "-",
    color="tab:red",
    label=f"after training: ŷ = {weight:.1f}·x {'+' if bias >= 0 else '−'} {abs(bias):.1f}",
)
ax.set(xlabel="x", ylabel="y", title="Linear regression with nn.Linear")
ax.legend()
runtime.save_figure(fig, "fitted_line.png")

# %%
runtime.report(mse=mse, optimal_mse=optimal_mse, weight=weight, bias=bias)
