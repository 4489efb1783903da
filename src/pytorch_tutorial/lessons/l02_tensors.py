# %% [markdown]
# # Lesson 2 — Tensor basics
#
# A tensor is PyTorch's n-dimensional array: like a NumPy array, but it can live on a GPU and remember how it
# was computed (lesson 3). Here: how to make tensors, compute with them, index, reshape, convert to and from
# NumPy, and move them between devices.

# %%
import numpy as np
import torch

from pytorch_tutorial import runtime

cfg = runtime.settings()
device = runtime.device()

# %% [markdown]
# ## Creating tensors
# `torch.empty` only reserves memory (its values are whatever was there), `zeros`/`ones` fill it, `rand`
# draws uniformly from [0, 1). A shape is given as separate sizes: `torch.zeros(2, 3)` has 2 rows, 3 columns.

# %%
empty = torch.empty(2, 3)
zeros = torch.zeros(2, 3)
ones = torch.ones(2, 3, dtype=torch.int32)
uniform = torch.rand(2, 3)
from_list = torch.tensor([[1.5, 2.5], [3.5, 4.5]])
steps = torch.arange(0, 10, 2)  # 0, 2, 4, 6, 8: like range(), the end is left out
grid = torch.linspace(0, 1, 5)  # 5 evenly spaced points, both ends included
print("zeros:", zeros.shape, zeros.dtype)
print("ones as int32:", ones.dtype)
print("rand:", uniform)
print("from a list:", from_list)
print("arange(0, 10, 2):", steps)
print("linspace(0, 1, 5):", grid)
print("float64:", torch.ones(2, dtype=torch.float64).dtype)

# %% [markdown]
# ## Arithmetic
# Operators work element by element. A method whose name ends in `_` works **in place**: `y.add_(x)` changes
# `y` itself instead of making a new tensor.

# %%
x = torch.tensor([1.0, 2.0, 3.0])
y = torch.tensor([10.0, 20.0, 30.0])
print("x + y =", x + y, "  same as torch.add(x, y):", torch.add(x, y))
print("x * y =", x * y, "  x / y =", x / y)
y.add_(x)  # in place: y is now [11, 22, 33]
print("after y.add_(x), y =", y)
in_place_sum = y.clone()

# %% [markdown]
# ## Indexing and slicing
# Like NumPy: `t[row, column]`, `:` takes everything along a dimension. `.item()` turns a one-element tensor
# into a Python number.

# %%
t = torch.arange(12).reshape(3, 4)
print(t)
print("first column:", t[:, 0])
print("second row:", t[1, :])
print("element (1, 1):", t[1, 1], "as a Python number:", t[1, 1].item())

# %% [markdown]
# ## Reshaping
# `view` and `reshape` rearrange the same elements into another shape; the number of elements must not change.
# `-1` asks PyTorch to work one size out: 16 elements viewed as (-1, 8) become 2 × 8.

# %%
sixteen = torch.rand(4, 4)
flat = sixteen.view(16)
two_by_eight = sixteen.view(-1, 8)
print(sixteen.shape, "->", flat.shape, "->", two_by_eight.shape)

# %% [markdown]
# ## The NumPy round trip
# On the CPU, `tensor.numpy()` and `torch.from_numpy(array)` **share memory**: no copy is made, so changing one
# changes the other. Use `.clone()` or `torch.tensor(array)` when you want an independent copy.

# %%
a = torch.ones(5)
b = a.numpy()
a.add_(1)  # change the tensor ...
print("tensor:", a, " numpy array:", b)  # ... and the array sees it
shares_tensor_to_numpy = bool(b[0] == 2.0)

c = np.ones(5)
d = torch.from_numpy(c)
c += 1  # change the array ...
print("numpy array:", c, " tensor:", d)  # ... and the tensor sees it
shares_numpy_to_tensor = bool(d[0].item() == 2.0)

copy = torch.tensor(c)  # torch.tensor always copies
c += 1
print("a torch.tensor copy does not follow:", copy)

# %% [markdown]
# ## Devices
# A tensor lives on one device; an operation needs all its inputs on the same one. `.to(device)` moves (copies)
# a tensor. NumPy only knows the CPU, so a GPU tensor must come back first: `gpu_tensor.cpu().numpy()` — calling
# `.numpy()` on a CUDA tensor raises a `TypeError`.

# %%
on_device = torch.ones(3).to(device)  # a copy on the device (no copy at all when it is already there)
doubled = on_device * 2
back_on_cpu = doubled.cpu().numpy()
print(f"computed on {doubled.device}, brought back to NumPy: {back_on_cpu}")

# %% [markdown]
# Without a GPU you can still see the rule: every PyTorch has the `meta` device (tensors with a shape but no
# data), and it is not the CPU either.

# %%
not_on_cpu = doubled if device.type != "cpu" else torch.ones(3, device="meta")
try:
    not_on_cpu.numpy()
    numpy_refused_off_cpu = False
except TypeError as error:
    numpy_refused_off_cpu = True
    print(f"as expected, .numpy() on a {not_on_cpu.device.type} tensor fails:", str(error).splitlines()[0])

# %% [markdown]
# `requires_grad=True` tells PyTorch to record operations on a tensor so that it can compute gradients later —
# the subject of the next lesson.

# %%
w = torch.ones(5, requires_grad=True)
print(w)
runtime.report(shares_memory=shares_tensor_to_numpy and shares_numpy_to_tensor, view_shape=list(two_by_eight.shape))
