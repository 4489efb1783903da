# %% [markdown]
# # Lesson 4 — Backpropagation
#
# Autograd (lesson 3) is the chain rule, applied mechanically. Here we do it once by hand on the smallest
# possible model, draw its graph, and check autograd gets the same number. "Going further" then checks
# autograd on a larger graph against a method that knows nothing about derivatives: finite differences.
#
# The three steps of backpropagation:
# 1. **forward pass**: compute the loss, keeping every intermediate value;
# 2. **local gradients**: at each node, the derivative of its output with respect to its inputs;
# 3. **backward pass**: multiply the local gradients along the path from the loss back to each parameter
#    (the chain rule).

# %%
import torch

from pytorch_tutorial import runtime

device = runtime.device()  # CUDA, then MPS, then the CPU (lesson 1)

# %% [markdown]
# ## One weight, by hand
# A model with one weight predicts ŷ = w · x; the loss is the squared error (ŷ − y)². The graph has three
# nodes: a product ŷ = w · x, a difference s = ŷ − y, and a square loss = s². For x = 1, y = 2 and w = 1:

# %%
x_value, y_value, w_value = 1.0, 2.0, 1.0

# forward pass
y_hat = w_value * x_value  # 1
s = y_hat - y_value  # -1
loss_by_hand = s**2  # 1

# local gradients, one per node
dloss_ds = 2 * s  # d(s²)/ds = 2s = -2
ds_dyhat = 1.0  # d(ŷ - y)/dŷ = 1
dyhat_dw = x_value  # d(w·x)/dw = x = 1

# backward pass: the chain rule multiplies them along the path loss ← s ← ŷ ← w
dloss_dw_by_hand = dloss_ds * ds_dyhat * dyhat_dw  # -2
print(f"forward:  ŷ = {y_hat}, s = {s}, loss = {loss_by_hand}")
print(f"local:    dloss/ds = {dloss_ds}, ds/dŷ = {ds_dyhat}, dŷ/dw = {dyhat_dw}")
print(f"backward: dloss/dw = {dloss_ds} · {ds_dyhat} · {dyhat_dw} = {dloss_dw_by_hand}")

# %% [markdown]
# The same computation as a picture: each box holds a node's value from the forward pass, each arrow into the
# loss carries its local gradient. The backward pass walks the arrows from the loss back to w and multiplies
# what it finds on the way.

# %%
plt = runtime.pyplot()
fig, ax = plt.subplots(figsize=(10, 3))
boxes = {  # node: (position, text)
    "w": ((0, 1), f"w = {w_value:g}"),
    "x": ((0, 0), f"x = {x_value:g}"),
    "y_hat": ((2.5, 0.5), f"ŷ = w · x\n= {y_hat:g}"),
    "y": ((5, -0.6), f"y = {y_value:g}"),
    "s": ((5, 0.5), f"s = ŷ − y\n= {s:g}"),
    "loss": ((7.5, 0.5), f"loss = s²\n= {loss_by_hand:g}"),
}
edges = [  # (from, to, local gradient)
    ("w", "y_hat", f"dŷ/dw = x = {dyhat_dw:g}"),
    ("x", "y_hat", ""),
    ("y_hat", "s", f"ds/dŷ = {ds_dyhat:g}"),
    ("y", "s", ""),
    ("s", "loss", f"dloss/ds = 2s = {dloss_ds:g}"),
]
for start, end, gradient in edges:
    (x0, y0), (x1, y1) = boxes[start][0], boxes[end][0]
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops={"arrowstyle": "->", "shrinkA": 28, "shrinkB": 28})
    ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.12, gradient, ha="center", color="tab:red", fontsize=9)
for (x_pos, y_pos), text in boxes.values():
    ax.text(x_pos, y_pos, text, ha="center", va="center", bbox={"boxstyle": "round", "facecolor": "white"})
ax.set(
    xlim=(-0.7, 8.2),
    ylim=(-0.9, 1.4),
    title=f"backward: dloss/dw = {dloss_ds:g} · {ds_dyhat:g} · {dyhat_dw:g} = {dloss_dw_by_hand:g}",
)
ax.axis("off")
runtime.save_figure(fig, "graph.png")

# %% [markdown]
# ## The same with autograd
# We only write the forward pass; `loss.backward()` does the rest.

# %%
x = torch.tensor(x_value, device=device)
y = torch.tensor(y_value, device=device)
w = torch.tensor(w_value, device=device, requires_grad=True)

loss = (w * x - y) ** 2
loss.backward()
print(f"autograd: loss = {loss.item()}, dloss/dw = {w.grad.item()}")
print("same as by hand:", loss.item() == loss_by_hand and w.grad.item() == dloss_dw_by_hand)

# %% [markdown]
# The gradient is negative: increasing w lowers the loss. A gradient-descent step (lesson 5) moves w against
# the gradient, w ← w − learning_rate · dloss/dw, here towards the w = 2 that fits y = 2 exactly.

# %%
learning_rate = 0.1
with torch.no_grad():
    w_after_step = w - learning_rate * w.grad
    loss_after_step = (w_after_step * x - y) ** 2
print(f"one step: w = {w_after_step.item():.2f}, loss {loss.item():.2f} -> {loss_after_step.item():.2f}")
runtime.report(loss=loss.item(), grad=w.grad.item())

# %% [markdown]
# ## Going further
# ### A graph of several nodes, checked by finite differences
# A single neuron: z = w₁ x₁ + w₂ x₂ + b, then a = tanh(z), then loss = (a − t)². Three parameters, and the
# chain rule along each path:
#
# dloss/da = 2 (a − t),  da/dz = 1 − a²,  dz/dw₁ = x₁,  dz/dw₂ = x₂,  dz/db = 1,
#
# so dloss/dw₁ = 2 (a − t)(1 − a²) x₁, and so on.
#
# To check autograd independently we nudge each parameter a little both ways and watch the loss:
# the **central difference** (loss(θ + ε) − loss(θ − ε)) / 2ε approaches the derivative with an error of
# order ε². We compute in float64: in float32 the subtraction of two nearly equal losses loses most digits.
# (The check runs on the CPU, where float64 is always available; Apple's MPS has no float64.)

# %%
inputs = torch.tensor([0.5, -1.5], dtype=torch.float64)
target = torch.tensor(0.8, dtype=torch.float64)


def neuron_loss(params: torch.Tensor) -> torch.Tensor:
    """Squared error of one tanh neuron; params = [w₁, w₂, b]."""
    z = params[0] * inputs[0] + params[1] * inputs[1] + params[2]
    a = torch.tanh(z)
    return (a - target) ** 2


def central_difference(function, params: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Estimate the gradient of a scalar function by nudging each parameter by ±eps."""
    estimate = torch.zeros_like(params)
    for i in range(len(params)):
        step = torch.zeros_like(params)
        step[i] = eps
        estimate[i] = (function(params + step) - function(params - step)) / (2 * eps)
    return estimate


params = torch.tensor([0.3, -0.2, 0.1], dtype=torch.float64, requires_grad=True)
neuron_loss(params).backward()
autograd_grad = params.grad.clone()

with torch.no_grad():
    z = params[0] * inputs[0] + params[1] * inputs[1] + params[2]
    a = torch.tanh(z)
    dloss_dz = 2 * (a - target) * (1 - a**2)
    hand_grad = torch.stack([dloss_dz * inputs[0], dloss_dz * inputs[1], dloss_dz])
    finite_difference_grad = central_difference(neuron_loss, params)

for name, grad in (("by hand", hand_grad), ("autograd", autograd_grad), ("finite difference", finite_difference_grad)):
    print(f"{name:<18}: " + "  ".join(f"{g:+.10f}" for g in grad.tolist()))
fd_max_error = (autograd_grad - finite_difference_grad).abs().max().item()
print(f"largest difference autograd vs finite difference: {fd_max_error:.1e}")

runtime.report(fd_max_error=fd_max_error)
