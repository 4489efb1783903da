# %% [markdown]
# # Lesson 3 — Autograd
#
# Training a model means nudging its parameters against the gradient of a loss. PyTorch's `autograd` computes
# those gradients for us: every operation on a tensor that has `requires_grad=True` is recorded in a graph,
# and `.backward()` walks that graph from the output back to the inputs, applying the chain rule.
# Here: how to switch recording on, what `backward` computes for a scalar and for a vector output, why
# gradients must be zeroed between steps, and how to switch recording off again.

# %%
import torch

from pytorch_tutorial import runtime

device = runtime.device()  # CUDA, then MPS, then the CPU (lesson 1)

# %% [markdown]
# ## Recording a computation
# A tensor created with `requires_grad=True` is a leaf of the graph. Every result computed from it remembers
# the operation that made it in `grad_fn`: `AddBackward0` for a sum, `MulBackward0` for a product, and so on.
# Those are the functions that will run backwards.

# %%
x = torch.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
y = x + 2
z = y * y * 2
out = z.mean()
print("x:", x)
print("y = x + 2:", y)
print("z = 2 y²:", z)
print("out = mean(z):", out)
print("x.grad_fn:", x.grad_fn, "(a leaf made by us, not by an operation)")

# %% [markdown]
# ## `backward` on a scalar
# `out` is one number, so `out.backward()` fills `x.grad` with d out / d x. By hand:
# out = 1/3 · Σ 2 (xᵢ + 2)², so d out / d xᵢ = 4 (xᵢ + 2) / 3 — for x = [1, 2, 3] that is [4, 16/3, 20/3].

# %%
out.backward()
scalar_grad = x.grad.clone()
print("x.grad        :", x.grad)
print("4 (x + 2) / 3 :", (4 * (x.detach() + 2) / 3))

# %% [markdown]
# ## A vector output: the vector-Jacobian product
# When the output is a vector, "the gradient" is a whole matrix, the Jacobian J with Jᵢⱼ = ∂fᵢ/∂xⱼ.
# Autograd never builds it. Instead `f.backward(v)` takes a vector v of the output's shape and computes the
# vector-Jacobian product vᵀ J: the gradient of the scalar v · f. That is exactly what backpropagation needs,
# where v is the gradient of the loss with respect to f, handed down from the layers above. Calling
# `backward()` without v on a non-scalar output is an error, because PyTorch would not know which v you mean.
#
# Our function f maps three inputs to three outputs:
# f(x) = [x₀ x₁,  x₁ + x₂²,  x₀ x₂], whose Jacobian is
# [[x₁, x₀, 0], [0, 1, 2 x₂], [x₂, 0, x₀]].


# %%
def f(x: torch.Tensor) -> torch.Tensor:
    """Three outputs from three inputs, each output mixing two inputs."""
    return torch.stack([x[0] * x[1], x[1] + x[2] ** 2, x[0] * x[2]])


x = torch.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
v = torch.tensor([0.1, 1.0, 0.0001], device=device)
f_x = f(x)
print("f(x) =", f_x)
try:
    f_x.backward()
except RuntimeError as error:
    print("backward() on a vector output fails:", str(error).splitlines()[0])
f_x.backward(v)
vjp = x.grad.clone()
# vᵀJ by hand at x = [1, 2, 3]: [0.1·2 + 0.0001·3, 0.1·1 + 1·1, 1·2·3 + 0.0001·1]
print("x.grad = vᵀ J :", vjp)

# %% [markdown]
# ## Gradients accumulate
# `backward` **adds** to `.grad`; it does not overwrite it. That is useful when one step's gradient is summed
# over several backward calls, and a classic bug otherwise: in a training loop each step would see the sum
# of all the gradients so far. Three steps of the same computation give 3, then 6, then 9.

# %%
weights = torch.ones(4, device=device, requires_grad=True)
accumulated = []
for step in range(3):
    model_output = (weights * 3).sum()
    model_output.backward()
    accumulated.append(weights.grad[0].item())
    print(f"step {step}: weights.grad = {weights.grad}")

# %% [markdown]
# So zero the gradient after using it. On a tensor: `.grad.zero_()` (in place, the trailing `_`).
# Now every step sees the same gradient, 3.

# %%
weights.grad.zero_()
zeroed = []
for step in range(3):
    model_output = (weights * 3).sum()
    model_output.backward()
    zeroed.append(weights.grad[0].item())
    print(f"step {step}: weights.grad = {weights.grad}")
    weights.grad.zero_()

# %% [markdown]
# **A preview of lesson 6: the optimizer.** An optimizer does the same for all the parameters it updates:
# `optimizer.step()` moves them against their gradients, `optimizer.zero_grad()` clears the gradients for the
# next step. (By default it sets `.grad` to `None` rather than to zeros — cheaper, and `backward` then starts
# afresh.) Lesson 6 builds the training loop around these two calls.

# %%
optimizer = torch.optim.SGD([weights], lr=0.01)
model_output = (weights * 3).sum()
model_output.backward()
optimizer.step()  # weights ← weights − 0.01 · 3
print("after one SGD step, weights =", weights)
optimizer.zero_grad()
print("after optimizer.zero_grad(), weights.grad =", weights.grad)

# %% [markdown]
# ## Switching recording on and off
# A tensor you already have, made without `requires_grad=True`, records nothing. `a.requires_grad_(True)`
# switches recording on for it (in place: the trailing `_`); from then on every result computed from `a` has a
# `grad_fn`.

# %%
a = torch.tensor([2.0, 5.0], device=device)
print("a plain tensor is not recorded:", a.requires_grad)
a.requires_grad_(True)
b = a * a
print("after a.requires_grad_(True), a * a is recorded:", b.requires_grad, type(b.grad_fn).__name__)

# %% [markdown]
# Some work must **not** be recorded: evaluating a model, logging a value, and above all updating the weights
# themselves. A weight is a leaf that requires grad, and PyTorch refuses to change such a leaf in place while
# it records: the update would itself become part of the graph, and the weight would stop being the leaf where
# its gradient is collected. This is the error you meet when you forget:

# %%
try:
    a -= 0.1  # an in-place update of a leaf that requires grad
except RuntimeError as error:
    print("refused:", error)

# %% [markdown]
# Three ways to switch recording off:
#
# 1. `with torch.no_grad():` switches recording off for everything computed inside the block — the way to
#    update weights (lesson 5);
# 2. `a.detach()` returns a new tensor that is not part of any graph; it shares a's memory (no copy is made);
# 3. `a.requires_grad_(False)` switches recording off for the tensor itself.

# %%
with torch.no_grad():
    a -= 0.1  # allowed: not recorded
    in_no_grad = a * a
print("under torch.no_grad(): a is now", a, "and a * a is recorded:", in_no_grad.requires_grad)

detached = a.detach()
print("a.detach() is recorded:", detached.requires_grad)

a.requires_grad_(False)
after_requires_grad_false = a * a
print("after a.requires_grad_(False), a * a is recorded:", after_requires_grad_false.requires_grad)

# %%
runtime.report(
    out=out.item(),
    scalar_grad=scalar_grad.tolist(),
    vjp=vjp.tolist(),
    accumulated=accumulated,
)
